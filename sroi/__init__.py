"""sroi: Social Return on Investment, unit-safe and honest about uncertainty.

The method follows "A Guide to Social Return on Investment" (Cabinet Office / SROI Network,
2012); ``docs/method.md`` in the repository states every formula and convention.

The package is layered, imports pointing only downward: foundations (:mod:`sroi.exceptions`,
:mod:`sroi.glossary`, :mod:`sroi.validation`, :mod:`sroi.defaults`, :mod:`sroi.safe_yaml`,
:mod:`sroi.units`, :mod:`sroi.engine`, :mod:`sroi.distributions`, :mod:`sroi.money`...) ->
the Value Map and its compiler (:mod:`sroi.valuemap`, :mod:`sroi.compiler`) -> analyses of a
compiled model (:mod:`sroi.result`, :mod:`sroi.uncertainty`, :mod:`sroi.sensitivity`...) ->
the indicator system and monitoring (:mod:`sroi.indicators`, :mod:`sroi.monitoring`) -> the
coordinator :class:`Analysis` (:mod:`sroi.analysis`) -> formats (:mod:`sroi.io`), finance
(:mod:`sroi.finance`) and options appraisal (:mod:`sroi.compare`) -> disclosure
(``sroi/disclosure.py``) -> :mod:`sroi.report` -> :mod:`sroi.cli`.
"""

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
from sroi.proxies import get_proxy, load_proxies, search_proxies
from sroi.report import Report, analyse
from sroi.result import Result
from sroi.uncertainty import Simulation, simulate
from sroi.units import Q_, define_count_unit, define_currency, ureg
from sroi.valuemap import Input, Outcome, Output, Ref, Stakeholder

__version__ = "0.2.0.dev0"

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
