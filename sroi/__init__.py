"""sroi: Social Return on Investment, unit-safe and honest about uncertainty.

The method follows "A Guide to Social Return on Investment" (Cabinet Office / SROI Network,
2012); see ``SROI_METHOD.md`` in the documentation for every formula and convention.
"""

from sroi.benchmarks import check_analysis, practice_benchmarks
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
from sroi.finance import CreditLine, credit_line, debt_capacity
from sroi.io import dumps, load, loads, read_value_map, save, to_frame
from sroi.model import Analysis, Input, Outcome, Output, Ref, Stakeholder
from sroi.money import Conversion, Rates, convert
from sroi.proxies import get_proxy, load_proxies, search_proxies
from sroi.ratchet import margin_ratchet
from sroi.result import Result
from sroi.uncertainty import Simulation, simulate
from sroi.units import Q_, define_count_unit, define_currency, ureg

__version__ = "0.1.0"

__all__ = [
    "Simulation",
    "simulate",
    "Conversion",
    "Rates",
    "check_analysis",
    "convert",
    "get_proxy",
    "load_proxies",
    "practice_benchmarks",
    "search_proxies",
    "Q_",
    "Analysis",
    "Beta",
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
    "Ref",
    "Result",
    "SROIError",
    "SROIWarning",
    "Stakeholder",
    "Triangular",
    "UnitError",
    "Uniform",
    "credit_line",
    "debt_capacity",
    "define_count_unit",
    "define_currency",
    "dumps",
    "load",
    "margin_ratchet",
    "loads",
    "read_value_map",
    "save",
    "to_frame",
    "ureg",
]
