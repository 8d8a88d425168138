"""The domain model in one place (kept for code written against sroi 0.1).

Re-exports :class:`~sroi.analysis.Analysis` and the Value Map classes of :mod:`sroi.valuemap`;
new code imports them from ``sroi`` directly. Nothing in the package imports this module.
"""

from sroi.analysis import Analysis
from sroi.defaults import DISCOUNT_RATE as DEFAULT_DISCOUNT_RATE
from sroi.valuemap import Input, Outcome, Output, Ref, Stakeholder, central_value

__all__ = [
    "DEFAULT_DISCOUNT_RATE",
    "Analysis",
    "Input",
    "Outcome",
    "Output",
    "Ref",
    "Stakeholder",
    "central_value",
]
