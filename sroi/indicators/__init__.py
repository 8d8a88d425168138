"""The SROI indicator system: what is measured, against which baseline and targets (docs/method.md §12).

An :class:`Indicator` names the estimate(s) of the model it measures (``measures``: a named
parameter such as ``active_share`` or a field path such as
``outcomes[id=independent_use].quantity_factors[2]``; several are multiplied, e.g. devices x
older users per device x active share = active older users), its unit (pint), baseline,
targets per period, cadence, data source and owner, and its tags in reporting frameworks (GRI,
HKEX ESG Reporting Code, ESRS, SDG targets, IRIS+ metrics) and in the Impact Management
Project's five dimensions. An indicator without ``measures`` is tracked against its targets
only (e.g. a disbenefit the model does not value yet).

An :class:`IndicatorSystem` holds the indicators of one analysis: in a separate file
(:func:`load_indicators`) or in the model file's ``indicators:`` block. :meth:`IndicatorSystem.bind`
checks them against the analysis (unknown outcome ids or parameters, incompatible units) and
returns one :class:`Measure` per indicator, which turns Monte Carlo draws into the indicator's
forecast. :func:`calibrate_targets` proposes sustainability performance targets beyond business
as usual for a sustainability-linked loan, with the probability of meeting each.

Periods are the analysis periods: 0 before the programme (a baseline), 1..T its years. A system
may state ``first_year`` (the calendar year of period 1) and then accept calendar years.

Examples
--------
>>> import sroi
>>> a = sroi.Analysis("t", "GBP", [sroi.Outcome("People", "Better", quantity="100 person",
...     proxy="10 GBP/person", quantity_factors=(sroi.Ref("share"),))],
...     [sroi.Input("Funder", "Grant", "100 GBP")], parameters={"share": sroi.Beta(4, 6)})
>>> system = indicators_from_dict({"indicators": [{"id": "share_better", "name": "Share better",
...     "measures": "share", "targets": {1: 0.45}}]}, a)
>>> m = system.bind(a)[0]
>>> m.keys, m.share, round(m.point(), 3)
(('share',), True, 0.4)
"""

from sroi.indicators.system import (
    AGGREGATES,
    CADENCES,
    DIRECTIONS,
    FRAMEWORKS,
    IMP_DIMENSIONS,
    Baseline,
    Indicator,
    IndicatorSystem,
    Measure,
    as_indicators,
    indicators_from_dict,
    load_indicators,
    system_of,
)
from sroi.indicators.targets import Targets, calibrate_targets, forecast_draws

__all__ = [
    "AGGREGATES",
    "CADENCES",
    "DIRECTIONS",
    "FRAMEWORKS",
    "IMP_DIMENSIONS",
    "Baseline",
    "Indicator",
    "IndicatorSystem",
    "Measure",
    "Targets",
    "as_indicators",
    "calibrate_targets",
    "forecast_draws",
    "indicators_from_dict",
    "load_indicators",
    "system_of",
]
