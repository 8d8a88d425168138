"""One repayment profile for several cases, its debt schedule and its cover ratios.

A loan has one debt-service profile. When it must meet a cover ratio in several cases (the
central P50 case and the downside P90 case), debt service in each year is the smallest that
any case allows; the loan is the present value of that profile at the loan rate
(docs/method.md §9.5). This module holds that arithmetic, as pure functions on arrays:

* :func:`sculpted_debt_service`: debt service in year t = max(0, min over cases of
  cash_c,t / DSCR_c), within the tenor;
* :func:`debt_schedule`: opening balance, interest, principal, debt service and closing
  balance per year, the closing balance being zero at the final maturity;
* :func:`cover_ratios`: minimum and average DSCR, the year of the minimum, and the loan life
  cover ratio (LLCR) of each case for a given profile.

References
----------
.. [1] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed. Academic Press
   (sculpted debt service, P50/P90 cases, cover ratios).
.. [2] Yescombe, E. R. (2002). *Principles of Project Finance*. Academic Press, §13.1
   (debt:equity ratio; the certainty of the cash flow sets the cover ratios, ADSCR, LLCR
   and PLCR).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sroi.exceptions import SROIError
from sroi.finance.cashflows import cash_array, check_dscr, check_loan_rate, check_tenor, discount_factors

__all__ = ["SCHEDULE_COLUMNS", "cover_ratios", "debt_schedule", "sculpted_debt_service"]

#: Columns of :func:`debt_schedule`, in order.
SCHEDULE_COLUMNS = ("year", "opening_balance", "interest", "principal", "debt_service", "closing_balance")


def sculpted_debt_service(
    cash_available: Any,
    dscr: Any,
    tenor: int | None = None,
    *,
    allow_dscr_below_one: bool = False,
) -> np.ndarray:
    """The one debt-service profile that meets every case's cover ratio every year.

    Parameters
    ----------
    cash_available : array-like, shape (C, T) [currency year^-1]
        Cash available for debt service in each case (rows) and year 1..T (columns), after
        the haircut and any costs; a 1-D array is one case.
    dscr : float or array-like, shape (C,) [-]
        Debt service cover ratio required in each case, >= 1.
    tenor : int [year], optional
        Last year in which debt may be serviced; default T.
    allow_dscr_below_one : bool
        Accept a DSCR in (0, 1) (with a warning); refused by default.

    Returns
    -------
    numpy.ndarray, shape (T,) [currency year^-1]
        Debt service per year; zero after ``tenor`` and in years where some case has no cash.

    Raises
    ------
    SROIError
        NaN or infinite cash, a DSCR below 1 (unless allowed) or not a number, one DSCR per
        case not given, or a tenor longer than the cash.

    Notes
    -----
    .. math:: DS_t = \\max\\Big(0, \\min_c \\frac{CF_{c,t}}{DSCR_c}\\Big), \\quad t \\le N

    Each case's cover CF_c,t / DS_t is then at least DSCR_c in every year with debt service,
    and DS_t is the largest debt service with that property: the loan
    D = Σ_t DS_t (1 + r)^-t is the largest loan whose single profile meets every case's cover
    every year (docs/method.md §9.5).

    References
    ----------
    .. [1] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed. Academic Press.

    Examples
    --------
    Central case 80 a year at DSCR 1.40, downside 80, 80, 28.7 at DSCR 1.20:

    >>> from sroi.finance import sculpted_debt_service
    >>> sculpted_debt_service([[80.0, 80.0, 80.0], [80.0, 80.0, 28.7]], [1.40, 1.20]).round(2)
    array([57.14, 57.14, 23.92])
    """
    arr, _ = cash_array(cash_available, "cash_available")
    arr = np.atleast_2d(arr)
    covers = np.atleast_1d(np.asarray(dscr, dtype=object))
    if covers.size != arr.shape[0]:
        raise SROIError(
            f"expected one cover ratio per case ({arr.shape[0]}), got {covers.size}", field="dscr"
        )
    cover = np.array(
        [check_dscr(c, f"dscr[{i}]", allow_dscr_below_one) for i, c in enumerate(covers)], dtype=float
    )
    years = arr.shape[1]
    last = check_tenor(tenor) or years
    if last > years:
        raise SROIError(
            f"{last} years is longer than the {years} years of cash; give tenor <= {years}", "tenor"
        )
    return sculpt(arr, cover, last)


def sculpt(cash: np.ndarray, cover: np.ndarray, last: int) -> np.ndarray:
    """Debt service max(0, min_c cash_c,t / cover_c) for years up to ``last``, 0 after.

    The arithmetic of :func:`sculpted_debt_service` on validated arrays (cash (C, T), cover
    (C,)). A debt service below the smallest normal float is 0: it has lost its relative
    precision (5e-324 / 1.5 rounds back to 5e-324), so its cover would miss the target.
    """
    if cash.shape[1] == 0:
        return np.zeros(0)
    out = np.maximum((cash / cover[:, None]).min(axis=0), 0.0)
    out[last:] = 0.0
    out[out < np.finfo(float).tiny] = 0.0
    return out


def debt_schedule(debt_service: Any, loan_rate: float) -> pd.DataFrame:
    """The amortisation schedule of a loan repaid by a given debt-service profile.

    Parameters
    ----------
    debt_service : array-like, shape (T,) [currency year^-1]
        Debt service (interest plus principal) paid at the end of each year 1..T, >= 0.
    loan_rate : float [year^-1]
        Loan interest rate as a fraction in [0, 1) (0.04 for 4%).

    Returns
    -------
    pandas.DataFrame
        One row per year up to the final maturity (the last year with debt service):
        ``year``, ``opening_balance``, ``interest``, ``principal``, ``debt_service``,
        ``closing_balance`` [currency]. Empty when there is no debt service.

    Raises
    ------
    SROIError
        Negative or NaN debt service, or a loan rate outside [0, 1).

    Notes
    -----
    The loan is D = Σ_t DS_t (1 + r)^-t. The balance at the end of year t is the present
    value of the debt service still to come, B_t = Σ_{u>t} DS_u (1 + r)^-(u-t), so that
    B_0 = D and the closing balance is exactly zero at the final maturity; interest is
    r B_{t-1} and principal B_{t-1} - B_t, so interest + principal = DS_t. In a year with
    less debt service than interest, the principal is negative: unpaid interest is added to
    the balance (capitalised).

    References
    ----------
    .. [1] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed. Academic Press.

    Examples
    --------
    >>> from sroi.finance import debt_schedule
    >>> debt_schedule([0.0, 54.08], 0.04).round(2).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'year': [1, 2], 'opening_balance': [50.0, 52.0], 'interest': [2.0, 2.08],
     'principal': [-2.0, 52.0], 'debt_service': [0.0, 54.08], 'closing_balance': [52.0, 0.0]}
    """
    ds, _ = cash_array(debt_service, "debt_service")
    if ds.ndim != 1:
        raise SROIError(f"expected one debt service per year (1-D), got shape {ds.shape}", "debt_service")
    if (ds < 0).any():
        raise SROIError(f"expected debt service >= 0, got {ds.min():g}", "debt_service")
    rate = check_loan_rate(loan_rate, "loan_rate")
    paid = np.flatnonzero(ds > 0)
    maturity = int(paid[-1]) + 1 if paid.size else 0
    ds = ds[:maturity]
    growth = (1.0 + rate) ** np.arange(maturity + 1, dtype=float)
    # B_t = sum_{u>t} DS_u (1+r)^-(u-t) = (1+r)^t * sum_{u>t} DS_u (1+r)^-u
    pv_from = np.concatenate([np.cumsum((ds / growth[1:])[::-1])[::-1], [0.0]])  # sum_{u>=t+1}, t = 0..N
    balance = pv_from * growth
    balance[-1] = 0.0
    opening, closing = balance[:-1], balance[1:]
    return pd.DataFrame(
        {
            "year": np.arange(1, maturity + 1),
            "opening_balance": opening,
            "interest": rate * opening,
            "principal": opening - closing,
            "debt_service": ds,
            "closing_balance": closing,
        },
        columns=list(SCHEDULE_COLUMNS),
    )


def cover_ratios(
    cash_available: Mapping[str, Any],
    debt_service: Any,
    loan_rate: float,
    targets: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Cover ratios of a debt-service profile in each case: DSCR per year, minimum, average, LLCR.

    Parameters
    ----------
    cash_available : mapping of str to array-like, each shape (T,) [currency year^-1]
        Cash available for debt service per case and year 1..T.
    debt_service : array-like, shape (T,) [currency year^-1]
        The loan's debt service per year.
    loan_rate : float [year^-1]
        Loan interest rate, used to discount in the LLCR.
    targets : mapping of str to float, optional
        Each case's required DSCR, shown next to the achieved covers.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``dscr_target`` (when given), ``min_dscr``, ``min_dscr_year``,
        ``average_dscr``, ``llcr`` [-]. NaN when there is no debt service.

    Notes
    -----
    Over the years t = 1..N with debt service (N the final maturity):
    DSCR_c,t = CF_c,t / DS_t; the minimum and the simple average of DSCR_c,t are reported,
    with the first year of the minimum; LLCR_c = Σ_{t<=N} CF_c,t (1 + r)^-t / D, with
    D = Σ_t DS_t (1 + r)^-t the loan at drawdown.

    References
    ----------
    .. [1] Yescombe, E. R. (2002). *Principles of Project Finance*. Academic Press, §13.1.

    Examples
    --------
    >>> from sroi.finance import cover_ratios
    >>> cover_ratios({"P90": [120.0, 60.0]}, [100.0, 40.0], 0.0).round(3).to_dict("records")
    [{'min_dscr': 1.2, 'min_dscr_year': 1.0, 'average_dscr': 1.35, 'llcr': 1.286}]
    """
    ds, _ = cash_array(debt_service, "debt_service")
    rate = check_loan_rate(loan_rate, "loan_rate")
    paid = np.flatnonzero(ds > 0)
    maturity = int(paid[-1]) + 1 if paid.size else 0
    disc = discount_factors(rate, ds.size)
    amount = float(ds @ disc)
    rows = {}
    for case, values in cash_available.items():
        cf, _ = cash_array(values, f"cash_available[{case!r}]")
        if cf.shape != ds.shape:
            raise SROIError(f"expected {ds.size} years, got shape {cf.shape}", f"cash_available[{case!r}]")
        row: dict[str, float] = {}
        if targets is not None:
            row["dscr_target"] = float(targets[case])
        if paid.size:
            dscr = cf[paid] / ds[paid]
            i = int(np.argmin(dscr))
            row |= {
                "min_dscr": float(dscr[i]),
                "min_dscr_year": float(paid[i] + 1),
                "average_dscr": float(dscr.mean()),
                "llcr": float(cf[:maturity] @ disc[:maturity]) / amount,
            }
        else:
            row |= dict.fromkeys(("min_dscr", "min_dscr_year", "average_dscr", "llcr"), np.nan)
        rows[case] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("case")
