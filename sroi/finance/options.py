"""Defaults of the credit-line options added to the sizing defaults of :mod:`sroi.defaults`.

Each row is (name, value, typical range, source or reason), as ``sroi.defaults.CREDIT``; both
tables make up :data:`sroi.finance.DEFAULTS` (docs/method.md §9.8).
"""

from __future__ import annotations

from typing import Any

__all__ = ["OPTIONS", "PERCENTILE_BASES"]

#: The percentile bases of the cases: each year's percentile, or the whole stream's.
PERCENTILE_BASES = ("year_by_year", "whole_stream")

OPTIONS: tuple[tuple[str, Any, str, str], ...] = (
    (
        "percentile_basis",
        "year_by_year",
        "year_by_year or whole_stream",
        "the cover is tested every year, so each year's percentile is used; conservative against the "
        "percentile of the whole discounted stream, and the gap is reported (docs/method.md §9.9)",
    ),
    (
        "reserve_months",
        0.0,
        "0-12; 6 typical",
        "none unless the term sheet asks; six months of prospective debt service is the typical "
        "requirement (Bodmer 2014, Corporate and Project Finance Modeling, ch. 43)",
    ),
    ("tail_years", 0, "whole years >= 0", "none unless the term sheet asks"),
    (
        "max_gearing",
        None,
        "(0, 1] of project_cost",
        "no limit unless given with project_cost; debt as a share of project cost (Yescombe 2002, "
        "Principles of Project Finance, §13.1)",
    ),
    (
        "allow_dscr_below_one",
        False,
        "True or False",
        "a cover below 1 means debt service larger than the cash: refused unless asked",
    ),
    (
        "payer_haircut",
        1.0,
        "(0, 1]",
        "contract terms: no deduction for the payer's credit quality unless the lender states one",
    ),
    ("payment_lag", 0, "whole years >= 0", "contract terms: paid in the year of the outcome unless stated"),
)
