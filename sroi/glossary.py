"""One glossary of field names, used in every signature, column and file field.

The words are those of the SROI Guide's Value Map (docs/method.md §2): a column of a table,
a key of a model file and an argument of a function that mean the same thing have the same
name. Modules import these tuples instead of writing the lists again.
"""

from __future__ import annotations

__all__ = [
    "ANALYSIS_FIELDS",
    "CASH_TIERS",
    "DISCOUNT_TIMINGS",
    "ESTIMATE_FIELDS",
    "FILTERS",
    "INPUT_FIELDS",
    "OUTCOME_FIELDS",
    "OUTCOME_TEXT_FIELDS",
    "OUTPUTS",
    "OUTPUT_FIELDS",
    "PROXY_CONVERSIONS",
    "REDUCTIONS",
    "STAKEHOLDER_FIELDS",
    "TIER_COLUMNS",
]

#: The three deductions from an outcome's first-year value (SROI Guide stage 4).
REDUCTIONS = ("deadweight", "displacement", "attribution")

#: The four Value Map filters: the deductions and the annual drop-off, fractions in [0, 1].
FILTERS = (*REDUCTIONS, "drop_off")

#: Fields of an outcome (a Value Map row), in the order of the Guide's stages.
OUTCOME_FIELDS = (
    "stakeholder",
    "outcome",
    "indicator",
    "source",
    "quantity",
    "proxy",
    "proxy_source",
    "duration",
    "start",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "quantity_factors",
    "proxy_price_year",
    "proxy_conversion",
    "cash_tier",
    "contracted",
    "payer",
    "id",
    "drop_off_from_year",
    "income_elasticity",
    "overlaps",
)

#: Outcome fields holding free text (read verbatim, never parsed).
OUTCOME_TEXT_FIELDS = ("stakeholder", "outcome", "indicator", "source", "proxy_source", "payer")

#: Outcome fields holding numeric estimates (numbers, quantities, distributions or references).
ESTIMATE_FIELDS = ("quantity", "proxy", "duration", *FILTERS)

#: Fields of an input.
INPUT_FIELDS = ("stakeholder", "description", "value", "year", "price_year", "source")

#: Fields of an output.
OUTPUT_FIELDS = ("stakeholder", "description", "quantity", "source")

#: Fields of a stakeholder.
STAKEHOLDER_FIELDS = ("name", "description")

#: Top-level fields of an analysis (and keys of a model file, with ``sroi`` and ``parameters_from``).
ANALYSIS_FIELDS = (
    "name",
    "description",
    "currency",
    "price_year",
    "discount_rate",
    "discount_timing",
    "drop_off_from_year",
    "reference_period",
    "stakeholders",
    "inputs",
    "outputs",
    "outcomes",
    "parameters",
    "correlations",
    "negative_outcomes_considered",
    "inputs_not_valued",
    "sector",
    "indicators",
)

#: Discount timing conventions (docs/method.md §4).
DISCOUNT_TIMINGS = ("end_of_year", "mid_year", "start_of_year", "none")

#: Bases for converting a foreign-currency proxy (docs/method.md §5).
PROXY_CONVERSIONS = ("ppp", "ppp_household", "market")

#: Cash tiers of an outcome (docs/method.md §9): A cash to the borrower, B savings to a third
#: party, C non-cash value.
CASH_TIERS = ("A", "B", "C")

#: Cash tiers as reported, with tier B split by contract status.
TIER_COLUMNS = ("A", "B contracted", "B uncontracted", "C")

#: Engine outputs with one value per sample that analyses can report.
OUTPUTS = ("ratio", "net_ratio", "present_value", "net_present_value", "total_inputs")
