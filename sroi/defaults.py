"""Every default of the package, stated once with its source.

Functions take their defaults from here (``n: int = defaults.DRAWS``), so the Python API, the
command line and the reports agree. docs/method.md §11 lists them with the same sources.
"""

from __future__ import annotations

__all__ = [
    "CREDIT",
    "DISCOUNT_RATE",
    "DISCOUNT_TIMING",
    "DRAWS",
    "DROP_OFF_FROM_YEAR",
    "INTERVAL_LEVEL",
    "MIN_EFFECTIVE_DRAWS",
    "PROGRESS_FROM",
    "RELATIVE_CHANGE",
    "SEED",
    "STATUS_THRESHOLDS",
    "TORNADO_QUANTILES",
    "UPDATE_DRAWS",
]

#: Discount rate, 3.5% a year: HM Treasury (2022), The Green Book, annex A6, years 1-30.
DISCOUNT_RATE = 0.035

#: Discount timing: end of year, (1 + r)^-t, as Excel's NPV() in the SROI Value Map template.
DISCOUNT_TIMING = "end_of_year"

#: First year of an outcome's life that drop-off applies to: 2, the SROI Guide's 100, 90, 81.
DROP_OFF_FROM_YEAR = 2

#: Monte Carlo draws: 10,000 (the Monte Carlo standard error of an estimated P10 is then
#: sqrt(0.1 x 0.9 / 10,000) = 0.3 percentage points of probability).
DRAWS = 10_000

#: Seed of reports and the command line, fixed so that a report can be reproduced exactly
#: (any seed would do; this one is the date the Elderly Mode case was first modelled).
SEED = 20231125

#: Central interval reported: 80%, P10 to P90, the percentiles used for the downside (P90)
#: case of credit sizing and for tornado end points (docs/method.md §6).
INTERVAL_LEVEL = 0.80

#: Status of an indicator by where its actual falls in the forecast (docs/method.md §12.3): off
#: track below the forecast's P10 (the lower end of the reported 80% interval, INTERVAL_LEVEL),
#: at risk below its P25 (lower quartile), on track otherwise. A convention of this package,
#: stated so it can be changed, not a published standard.
STATUS_THRESHOLDS = (0.10, 0.25)

#: Prior draws for importance reweighting of estimates from monitoring data: 200,000, so that data
#: which keep a thousandth of the prior (several precise indicators of correlated estimates) still
#: leave an effective sample of about 200 draws (16 bytes a draw and estimate: 130 MB for 40).
UPDATE_DRAWS = 200_000

#: Smallest effective sample size of an importance reweighting before it is refused as unreliable
#: (a posterior fitted to fewer effective draws is mostly noise).
MIN_EFFECTIVE_DRAWS = 30

#: Quantiles of each uncertain estimate moved to in a tornado: P10 and P90 (as INTERVAL_LEVEL).
TORNADO_QUANTILES = (0.10, 0.90)

#: Relative change of an estimate without a distribution in a tornado or two-way grid: +-20%.
RELATIVE_CHANGE = 0.20

#: A progress bar is shown by default from this many Monte Carlo draws.
PROGRESS_FROM = 200_000

#: Credit sizing defaults: (name, value, typical range, source) (docs/method.md §9).
CREDIT: tuple[tuple[str, float, str, str], ...] = (
    ("dscr_p50", 1.40, "1.35-1.50", "project-finance P50/P90 sizing practice (Yescombe 2014)"),
    ("dscr_p90", 1.20, "1.20-1.30", "project-finance P50/P90 sizing practice (Yescombe 2014)"),
    (
        "haircut",
        0.80,
        "0.5-0.9",
        "asset-based lending advance rates (OCC 2014); verification, counterparty risk",
    ),
    (
        "percentile",
        0.10,
        "0.01-0.10 (P99-P90)",
        "P90 exceedance = 10th percentile (project-finance practice)",
    ),
    (
        "loan_rate",
        0.04,
        "the lender's all-in rate",
        "illustrative, as in the worked check of docs/method.md §9; override with the lender's rate",
    ),
)
