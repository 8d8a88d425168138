"""sroi: Social Return on Investment, unit-safe and honest about uncertainty.

The method follows "A Guide to Social Return on Investment" (Cabinet Office / SROI Network,
2012); ``docs/method.md`` in the repository states every formula and convention.

The package is layered, imports pointing only downward: foundations (:mod:`sroi.exceptions`,
:mod:`sroi.glossary`, :mod:`sroi.validation`, :mod:`sroi.defaults`, :mod:`sroi.formatting`,
:mod:`sroi.safe_yaml`, :mod:`sroi.units`, :mod:`sroi.engine`, :mod:`sroi.distributions`,
:mod:`sroi.money`...) ->
the Value Map and its compiler (:mod:`sroi.valuemap`, :mod:`sroi.compiler`) -> analyses of a
compiled model (:mod:`sroi.result`, :mod:`sroi.uncertainty`, :mod:`sroi.sensitivity`...) ->
the indicator system and monitoring (:mod:`sroi.indicators`, :mod:`sroi.monitoring`) -> the
coordinator :class:`Analysis` (:mod:`sroi.analysis`) -> formats (:mod:`sroi.io`), finance
(:mod:`sroi.finance`) and options appraisal (:mod:`sroi.compare`) -> the lender's book
(:mod:`sroi.portfolio`) -> disclosure
(``sroi/disclosure.py``) -> :mod:`sroi.report` -> :mod:`sroi.cli`.

``import sroi`` is light: each public name below is imported from its module on first use
(PEP 562 module ``__getattr__``), so ``sroi --help`` does not pay for scipy, matplotlib or
statsmodels. ``from sroi import Analysis`` and ``sroi.Analysis`` work as before.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from sroi.lazy import attach

if TYPE_CHECKING:
    from sroi.analysis import Analysis
    from sroi.audit import Audit, audit
    from sroi.benchmarks import check_analysis, practice_benchmarks
    from sroi.compare import Comparison, compare
    from sroi.disclosure import disclosure
    from sroi.distributions import (
        Beta,
        Discrete,
        Distribution,
        LogitNormal,
        LogNormal,
        Normal,
        Pert,
        Triangular,
        Uniform,
    )
    from sroi.exceptions import ConversionError, SROIError, SROIWarning, UnitError
    from sroi.finance import CreditLine, credit_line, debt_capacity, margin_ratchet
    from sroi.io import (
        dumps,
        load,
        loads,
        read_value_map,
        read_value_map_xlsx,
        save,
        to_frame,
        write_value_map_xlsx,
    )
    from sroi.money import Conversion, Rates, convert
    from sroi.portfolio import Portfolio
    from sroi.proxies import get_proxy, load_proxies, search_proxies
    from sroi.report import Report, analyse
    from sroi.result import Result
    from sroi.uncertainty import Simulation, simulate
    from sroi.units import Q_, define_count_unit, define_currency, ureg
    from sroi.valuemap import Input, Outcome, Output, Ref, Stakeholder

__version__ = "0.2.0.dev0"

#: Public name -> the module that defines it (imported on first use).
_LAZY: dict[str, str] = {
    "Q_": "sroi.units",
    "Analysis": "sroi.analysis",
    "Audit": "sroi.audit",
    "Beta": "sroi.distributions",
    "Comparison": "sroi.compare",
    "Conversion": "sroi.money",
    "ConversionError": "sroi.exceptions",
    "CreditLine": "sroi.finance",
    "Discrete": "sroi.distributions",
    "Distribution": "sroi.distributions",
    "Input": "sroi.valuemap",
    "LogNormal": "sroi.distributions",
    "LogitNormal": "sroi.distributions",
    "Normal": "sroi.distributions",
    "Outcome": "sroi.valuemap",
    "Output": "sroi.valuemap",
    "Pert": "sroi.distributions",
    "Portfolio": "sroi.portfolio",
    "Rates": "sroi.money",
    "Ref": "sroi.valuemap",
    "Report": "sroi.report",
    "Result": "sroi.result",
    "SROIError": "sroi.exceptions",
    "SROIWarning": "sroi.exceptions",
    "Simulation": "sroi.uncertainty",
    "Stakeholder": "sroi.valuemap",
    "Triangular": "sroi.distributions",
    "UnitError": "sroi.exceptions",
    "Uniform": "sroi.distributions",
    "analyse": "sroi.report",
    "audit": "sroi.audit",
    "check_analysis": "sroi.benchmarks",
    "compare": "sroi.compare",
    "convert": "sroi.money",
    "credit_line": "sroi.finance",
    "debt_capacity": "sroi.finance",
    "define_count_unit": "sroi.units",
    "define_currency": "sroi.units",
    "disclosure": "sroi.disclosure",
    "dumps": "sroi.io",
    "get_proxy": "sroi.proxies",
    "load": "sroi.io",
    "load_proxies": "sroi.proxies",
    "loads": "sroi.io",
    "margin_ratchet": "sroi.finance",
    "practice_benchmarks": "sroi.benchmarks",
    "read_value_map": "sroi.io",
    "read_value_map_xlsx": "sroi.io",
    "save": "sroi.io",
    "search_proxies": "sroi.proxies",
    "simulate": "sroi.uncertainty",
    "to_frame": "sroi.io",
    "ureg": "sroi.units",
    "write_value_map_xlsx": "sroi.io",
}

__all__ = [
    "Q_",
    "Analysis",
    "Audit",
    "Beta",
    "Comparison",
    "Conversion",
    "ConversionError",
    "CreditLine",
    "Discrete",
    "Distribution",
    "Input",
    "LogNormal",
    "LogitNormal",
    "Normal",
    "Outcome",
    "Output",
    "Pert",
    "Portfolio",
    "Rates",
    "Ref",
    "Report",
    "Result",
    "SROIError",
    "SROIWarning",
    "Simulation",
    "Stakeholder",
    "Triangular",
    "UnitError",
    "Uniform",
    "analyse",
    "audit",
    "check_analysis",
    "compare",
    "convert",
    "credit_line",
    "debt_capacity",
    "define_count_unit",
    "define_currency",
    "disclosure",
    "dumps",
    "get_proxy",
    "load",
    "load_proxies",
    "loads",
    "margin_ratchet",
    "practice_benchmarks",
    "read_value_map",
    "read_value_map_xlsx",
    "save",
    "search_proxies",
    "simulate",
    "to_frame",
    "ureg",
    "write_value_map_xlsx",
]


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)


class _Package(types.ModuleType):
    """The ``sroi`` module object. Some public functions share their name with the module that
    defines them (:func:`sroi.audit.audit`, :func:`sroi.compare.compare`,
    :func:`sroi.disclosure.disclosure`); importing such
    a module makes Python set ``sroi.<name>`` to the module, which would hide the function
    (the eager ``from ... import`` used to rebind it), so here the function is kept."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
