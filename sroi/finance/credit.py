"""From SROI to a credit line: debt sizing a lender could follow (docs/method.md §9).

Only cash that someone is bound to pay, and that can be verified, carries debt. The value of
each outcome (after deadweight, displacement, attribution and drop-off) falls in one tier:

* **A** cash to the borrower (contracted outcome payments, measured extra revenue);
* **B** savings to a named third party, counted only where that payer has signed an outcomes
  contract (otherwise shown as upside);
* **C** non-cash value (wellbeing, time, consumer surplus): never used in sizing; it supports
  social-loan eligibility and loan KPIs.

The eligible cash (tier A + contracted tier B), or the payments an outcomes contract makes for
it (:class:`~sroi.finance.ContractTerms`), is looked at in two cases, as in project finance: a
central (P50) case at a higher debt service cover ratio (DSCR) and a downside (P90) case at a
lower one. A loan has one repayment profile: debt service in each year is the smallest any
case allows, and the line is its present value at the loan rate. A sustainability-linked
margin ratchet prices the loan; it does not add capacity (:func:`margin_ratchet`).

References
----------
.. [1] LMA, APLMA and LSTA (2021, 2023). *Social Loan Principles*.
.. [2] LMA, APLMA and LSTA (2023). *Sustainability-Linked Loan Principles*.
.. [3] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed. Academic Press.
.. [4] Office of the Comptroller of the Currency (2014). *Asset-Based Lending*, Comptroller's Handbook.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi import defaults
from sroi.exceptions import SROIError
from sroi.finance.cashflows import (
    cash_array,
    check_currency,
    check_dscr,
    check_loan_rate,
    check_number_in,
    check_tenor,
    discount_factors,
    warn,
)
from sroi.finance.contract import ContractTerms, contract_cash
from sroi.finance.formatting import format_amount
from sroi.finance.inputs import check_some_cash, contract_terms, cv_per_year, gearing_terms, read_source
from sroi.finance.line import CASE_WORDS, CreditLine
from sroi.finance.options import OPTIONS, PERCENTILE_BASES
from sroi.finance.schedule import cover_ratios, debt_schedule, sculpt
from sroi.units import Q_
from sroi.validation import check_choice, check_whole_number

if TYPE_CHECKING:
    import pint

__all__ = ["DEFAULTS", "credit_line", "debt_capacity"]

_CASES = ("P50", "P90")
_DEFAULT_ROWS = (*defaults.CREDIT, *OPTIONS)
DEFAULTS: pd.DataFrame = pd.DataFrame(_DEFAULT_ROWS, columns=["name", "value", "range", "source"])
"""Default sizing parameters and options with their typical range and source (one row each)."""

_DEFAULT = {name: value for name, value, _, _ in _DEFAULT_ROWS}
_RANGE = {name: (rng, src) for name, _, rng, src in _DEFAULT_ROWS}


# ----------------------------------------------------------------------------------------------
# debt capacity of one case


def debt_capacity(
    cash_flows: Any, dscr: float, interest_rate: float, *, allow_dscr_below_one: bool = False
) -> float | np.ndarray | pint.Quantity:
    """Sculpted debt capacity of one case: the loan its cash flows can service at a cover ratio.

    Parameters
    ----------
    cash_flows : array-like or pint.Quantity [currency]
        Cash available for debt service in years 1..T: a 1-D sequence of floats or money
        quantities, a money Quantity array, or a 2-D array (samples x years). Some year must
        have cash.
    dscr : float [-]
        Debt service cover ratio: cash available / debt service, >= 1 (typically 1.2-1.5).
    interest_rate : float [year^-1]
        Loan interest rate as a fraction in [0, 1) (0.04 for 4%).
    allow_dscr_below_one : bool
        Accept a DSCR in (0, 1), with a warning; refused by default.

    Returns
    -------
    float, numpy.ndarray or pint.Quantity [currency]
        One capacity for 1-D flows, one per sample for 2-D flows; a Quantity in the flows'
        currency when they carry one.

    Raises
    ------
    SROIError
        Naming the argument: a DSCR below 1 (unless allowed), an interest rate of 1 or more
        (a percentage such as 4 for 4%) or below 0, cash flows that are empty, all zero, hold
        NaN or mix currencies.

    Notes
    -----
    Debt is sculpted to the cash flow, debt service in year t being CF_t / DSCR:

    .. math:: D = \\sum_{t=1}^{T} \\frac{CF_t / DSCR}{(1 + r)^t}

    Level flows give the annuity form D = CF / DSCR * (1 - (1 + r)^{-T}) / r, and
    D = T CF / DSCR when r = 0. Flows are used as given (negative years reduce D). This is one
    case; a line that must meet several cases with one repayment profile is
    :func:`credit_line`.

    References
    ----------
    .. [1] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed., ch. 12.

    Examples
    --------
    >>> from sroi.finance import debt_capacity
    >>> round(debt_capacity([100.0] * 5, dscr=1.2, interest_rate=0.04), 2)
    370.98
    >>> from sroi.units import Q_
    >>> debt_capacity(Q_([60.0, 60.0], "GBP"), dscr=1.2, interest_rate=0.0)
    <Quantity(100.0, 'GBP')>
    >>> debt_capacity([[100.0, 100.0], [50.0, 50.0]], dscr=1.0, interest_rate=0.0)
    array([200., 100.])
    """
    arr, code = cash_array(cash_flows, "cash_flows")
    check_some_cash(arr, "cash_flows")
    cover = check_dscr(dscr, "dscr", allow_dscr_below_one)
    rate = check_loan_rate(interest_rate, "interest_rate")
    cap = (arr / cover) @ discount_factors(rate, arr.shape[-1])
    out: Any = float(cap) if arr.ndim == 1 else np.asarray(cap, dtype=float)
    return Q_(out, code) if code else out


def _percentile_words(pct: float) -> str:
    return f"{pct * 100:g}th"


# ----------------------------------------------------------------------------------------------
# the credit line


def credit_line(
    source: Any,
    *,
    cv: float | Any | None = None,
    percentile: float = 0.10,
    haircut: float = 0.8,
    dscr_p50: float = 1.40,
    dscr_p90: float = 1.20,
    loan_rate: float = 0.04,
    tenor: int | None = None,
    currency: str | None = None,
    contract: ContractTerms | Mapping[str, Any] | None = None,
    percentile_basis: str = "year_by_year",
    reserve_months: float = 0.0,
    tail_years: int = 0,
    max_gearing: float | None = None,
    project_cost: float | pint.Quantity | None = None,
    allow_dscr_below_one: bool = False,
) -> CreditLine:
    """Size a credit line on the eligible cash of an SROI analysis: one repayment profile
    that meets the central (P50) and the downside (P90) cover every year.

    Parameters
    ----------
    source : CashFlowSource or array-like [currency]
        A ``Result``/``Simulation`` (see :class:`CashFlowSource`); or a 1-D sequence of
        deterministic P50 cash flows for years 1..T (floats or money quantities); or a 2-D
        array (samples x years) of simulated eligible cash flows. An array must have some
        positive cash; a source with no eligible cash gives a line of zero, explained.
    cv : float or array-like [-], optional
        Coefficient of variation of the yearly cash flow (one, or one per year). Needed for a
        deterministic source, where P90 = P50 x (1 - z CV); ignored (with a warning) when
        there are samples.
    percentile : float [-]
        Percentile of the downside case, default 0.10 (the "P90": cash exceeded with 90%
        probability), in (0, 1).
    haircut : float [-]
        Share of the cash (of the payments, with a contract) that counts after verification
        risk, in (0, 1]; default 0.8 (range 0.5-0.9, asset-based lending advance rates).
    dscr_p50, dscr_p90 : float [-]
        Debt service cover ratios of the two cases, >= 1 and ``dscr_p50 >= dscr_p90``;
        defaults 1.40 (range 1.35-1.50) and 1.20 (range 1.20-1.30), project-finance P50/P90
        sizing practice.
    loan_rate : float [year^-1]
        Loan interest rate as a fraction in [0, 1). The default 0.04 (4%) is the illustrative
        rate of the method's worked examples: give the lender's own all-in rate.
    tenor : int [year], optional
        Longest tenor allowed, at most the years of cash; the tenor reported is the last year
        with debt service.
    currency : str, optional
        ISO code of the amounts when the cash flows are bare numbers; must agree with the
        source's currency otherwise.
    contract : ContractTerms or mapping, optional
        The outcomes contract that turns the valued outcomes into payments (rate card or price
        per unit, cap, lag, costs, payer credit quality, contract years).
    percentile_basis : {'year_by_year', 'whole_stream'}
        How the cases' cash is taken from Monte Carlo samples: each year's percentile (the
        default: the cover is tested every year), or the median yearly profile scaled so that
        its present value is the percentile of the samples' discounted streams.
    reserve_months : float [month]
        Debt service reserve in months of the largest year's debt service, in [0, 24];
        default 0 (six months is typical). Reported; it does not change the size.
    tail_years : int [year]
        Years of central-case cash required after the final maturity; default 0.
    max_gearing : float [-], optional
        Largest line as a share of ``project_cost``, in (0, 1]; give both or neither.
    project_cost : float or pint.Quantity [currency], optional
        The stated project cost or value the gearing limit applies to, > 0.
    allow_dscr_below_one : bool
        Accept a DSCR in (0, 1), with a warning; refused by default.

    Returns
    -------
    CreditLine
        ``amount``, ``schedule``, ``covers`` (``min_dscr``, ``average_dscr``, ``llcr``),
        ``binding_case``, ``binding_years``, ``binding_year``, ``cases``, ``cash``, ``steps``,
        ``contract_steps``, ``basis_comparison``, ``assumptions`` and a term sheet in words.

    Raises
    ------
    SROIError
        Naming the argument: a DSCR below 1 (unless allowed), ``dscr_p50 < dscr_p90``, a loan
        rate of 1 or more (a percentage) or below 0, a haircut outside (0, 1], a percentile
        outside (0, 1), a tenor longer than the cash, a tail that leaves no year for debt
        service, empty or all-zero cash flows, NaN anywhere, mixed currencies, a deterministic
        source with cash and no ``cv``, the whole-stream basis without samples.

    Notes
    -----
    With S samples of eligible cash (tier A + contracted tier B), or the payments P of a
    contract on them (:func:`~sroi.finance.contract_cash`), and costs K_t:

    * CF_P50,t = median of the samples (S > 1), or the deterministic flow; CF_P90,t = the
      ``percentile`` quantile (linear interpolation), or CF_P50,t max(0, 1 - z CV_t) with
      z = -Φ^{-1}(percentile) = 1.2816 at 0.10; negative cash counts as 0;
    * cash available A_c,t = h CF_c,t - K_t (the haircut applies to the payments; the costs
      are netted in full);
    * debt service DS_t = max(0, min_c A_c,t / DSCR_c) for t <= N, N = min(tenor, last year
      of central-case cash - tail) (:func:`~sroi.finance.sculpted_debt_service`);
    * line D = Σ_t DS_t (1 + r)^-t, scaled down to ``max_gearing x project_cost`` if larger;
    * each case's own capacity Σ_t max(A_c,t, 0) / DSCR_c (1 + r)^-t is kept as information.

    The schedule follows :func:`~sroi.finance.debt_schedule`, the covers
    :func:`~sroi.finance.cover_ratios`. Tier C (non-cash) value and uncontracted tier B
    savings never enter the cash: they support social-loan eligibility [1]_ and loan KPIs
    [2]_, not sizing.

    References
    ----------
    .. [1] LMA, APLMA and LSTA (2021, 2023). *Social Loan Principles*.
    .. [2] LMA, APLMA and LSTA (2023). *Sustainability-Linked Loan Principles*.
    .. [3] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed. Academic Press.
    .. [4] Office of the Comptroller of the Currency (2014). *Asset-Based Lending*.
    .. [5] Bodmer, E. (2014). *Corporate and Project Finance Modeling*. Wiley, ch. 43 (debt
       service reserve accounts).

    Examples
    --------
    Cash of 100 a year for 5 years, uncertain in the last year (docs/method.md §9.7):

    >>> from sroi.finance import credit_line
    >>> line = credit_line([100.0] * 5, cv=[0.01, 0.01, 0.01, 0.01, 0.5], haircut=0.8, loan_rate=0.04)
    >>> round(line.value, 1), line.tenor, line.binding_years
    (227.1, 5, {'P50': [1, 2, 3, 4], 'P90': [5]})
    >>> line.cases["capacity"].round(1).to_dict()  # each case alone
    {'P50': 254.4, 'P90': 258.6}
    >>> round(float(line.schedule["closing_balance"].iloc[-1]), 12)
    0.0
    """
    pct = check_number_in(
        percentile, "percentile", lambda x: 0 < x < 1, "a fraction in (0, 1), e.g. 0.10 for P90"
    )
    if pct > 0.5:
        warn(f"percentile={pct} is above the median: the P90 case is the optimistic one")
    h = check_number_in(haircut, "haircut", lambda x: 0 < x <= 1, "a fraction in (0, 1] (typically 0.5-0.9)")
    if not isinstance(allow_dscr_below_one, (bool, np.bool_)):
        raise SROIError(f"expected True or False, got {allow_dscr_below_one!r}", "allow_dscr_below_one")
    allow = bool(allow_dscr_below_one)
    dscr = {"P50": check_dscr(dscr_p50, "dscr_p50", allow), "P90": check_dscr(dscr_p90, "dscr_p90", allow)}
    if dscr["P50"] < dscr["P90"]:
        raise SROIError(
            f"the central case's cover ({dscr['P50']:g}) is below the downside case's (dscr_p90={dscr['P90']:g}); "
            "the central case is sized at the higher cover (e.g. 1.40 and 1.20)",
            "dscr_p50",
        )
    rate = check_loan_rate(loan_rate, "loan_rate")
    tenor_req = check_tenor(tenor)
    basis = check_choice(percentile_basis, "percentile_basis", PERCENTILE_BASES)
    months = check_number_in(
        reserve_months,
        "reserve_months",
        lambda x: 0 <= x <= 24,
        "months of debt service in [0, 24], such as 6",
    )
    tail = check_whole_number(tail_years, "tail_years", 0, what="a whole number of years")
    gearing, cost, cost_code = gearing_terms(max_gearing, project_cost)
    terms = contract_terms(contract)
    flows, src_code, tenor_cap, table, kind = read_source(source)
    code = src_code
    if currency is not None:
        code = check_currency(currency, "currency")
        if src_code and src_code != code:
            raise SROIError(f"currency={code!r} disagrees with the source's {src_code}", field="currency")
    for other, name in ((terms.currency if terms else None, "contract"), (cost_code, "project_cost")):
        if other and code and other != code:
            raise SROIError(f"amounts in {other}, but the cash is in {code}; give one currency", name)
        code = code or other
    n_samples, n_years = flows.shape
    if n_samples == 0:
        raise SROIError("has no samples (shape 0 x years)", field="source")
    value_years = n_years if tenor_cap is None else min(tenor_cap, n_years)
    value = flows[:, :value_years]
    has_value = bool((value > 0).any())
    z = -NormalDist().inv_cdf(pct)

    # -- the cases' cash ----------------------------------------------------------------------
    contract_steps = None
    samples: np.ndarray | None = None
    cv_shown: Any = None
    if n_samples > 1:
        if cv is not None:
            warn("cv is ignored: the percentiles come from the samples")
        if n_samples < 100:
            warn(f"only {n_samples} samples: the empirical percentile is imprecise; use 1000 or more")
        if terms is not None:
            cc = contract_cash(terms, value)
            samples, costs, contract_steps = cc.payments, cc.costs, cc.steps
        else:
            samples = np.maximum(value, 0.0)
            costs = np.zeros(value_years)
        cf = {
            case: np.percentile(samples, q, axis=0) if samples.shape[1] else np.zeros(0)
            for case, q in (("P50", 50.0), ("P90", 100 * pct))
        }
        method = {
            "P50": f"median of {n_samples} samples",
            "P90": f"empirical {pct:g} quantile of {n_samples}",
        }
        start, start_label = value.mean(axis=0), f"valued eligible outcomes, mean of {n_samples} samples"
    else:
        if cv is None and has_value:
            raise SROIError(
                "a deterministic source needs cv (coefficient of variation of the yearly cash flow, "
                "e.g. cv=0.2) for the P90 case, or give a simulation (samples x years)",
                field="cv",
            )
        if basis == "whole_stream" and has_value:
            raise SROIError(
                "the whole-stream basis needs Monte Carlo samples (a simulation); a deterministic "
                "flow with a cv is sized year by year",
                "percentile_basis",
            )
        cv_arr = cv_per_year(0.0 if cv is None else cv, value_years, n_years)
        cv_shown = float(cv_arr[0]) if np.unique(cv_arr).size == 1 else cv_arr.tolist()
        v50 = np.maximum(value[0], 0.0)
        factor = np.maximum(1.0 - z * cv_arr, 0.0)
        if terms is not None:
            units = None
            if terms.price_per_unit is not None:
                u, _ = cash_array(terms.units, "contract.units")
                u = np.atleast_2d(u)
                if u.shape[0] != 1:
                    raise SROIError(
                        "a deterministic source needs one row of units (one per year)", "contract.units"
                    )
                fu = np.ones(u.shape[1])
                k = min(u.shape[1], factor.size)
                fu[:k] = factor[:k]
                if u.shape[1] > factor.size and factor.size:
                    fu[factor.size :] = factor[-1]
                units = np.vstack([u[0], u[0] * fu])
            cc = contract_cash(terms, np.vstack([v50, v50 * factor]), units=units, labels=list(_CASES))
            cf = {"P50": cc.payments[0], "P90": cc.payments[1]}
            costs, contract_steps = cc.costs, cc.steps
        else:
            cf = {"P50": v50, "P90": v50 * factor}
            costs = np.zeros(value_years)
        method = {"P50": "deterministic flow", "P90": f"normal approximation P50 x (1 - {z:.4f} CV)"}
        start, start_label = value[0], "valued eligible outcomes (deterministic, P50)"

    # -- the window of debt service -------------------------------------------------------------
    n_cash = cf["P50"].size
    positive = np.flatnonzero(cf["P50"] > 0)
    cash_end = int(positive[-1]) + 1 if positive.size else 0
    if tenor_req is not None and has_value and tenor_req > n_cash:
        raise SROIError(
            f"{tenor_req} years is longer than the {n_cash} years of cash; give tenor <= {n_cash}", "tenor"
        )
    window = 0
    if cash_end:
        if cash_end - tail < 1:
            raise SROIError(
                f"a tail of {tail} years leaves no year for debt service: the central case's cash ends "
                f"in year {cash_end}",
                "tail_years",
            )
        window = min(tenor_req or n_cash, cash_end - tail)
    disc = discount_factors(rate, n_cash)
    cover = np.array([dscr[c] for c in _CASES])

    def size(case_cash: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        avail = {c: h * case_cash[c] - costs for c in _CASES}
        stacked = np.vstack([avail[c] for c in _CASES]) if n_cash else np.zeros((2, 0))
        return avail, sculpt(stacked, cover, window)

    comparison = None
    if samples is not None and window:
        v = disc[:window]
        pv_samples = (h * samples[:, :window] - costs[:window]) @ v
        quant = {
            "P50": float(np.percentile(pv_samples, 50.0)),
            "P90": float(np.percentile(pv_samples, 100 * pct)),
        }
        denom = float(h * cf["P50"][:window] @ v)
        costs_pv = float(costs[:window] @ v)
        cf_ws = {
            c: (max((quant[c] + costs_pv) / denom, 0.0) if denom > 0 else 0.0) * cf["P50"] for c in _CASES
        }
        lines = {b: float(size(x)[1] @ disc) for b, x in (("year_by_year", cf), ("whole_stream", cf_ws))}
        avail_yby = size(cf)[0]
        comp_rows: dict[str, dict[str, float]] = {}
        for c in _CASES:
            pv_yby = float(avail_yby[c][:window] @ v)
            comp_rows[c] = {
                "pv_year_by_year": pv_yby,
                "pv_whole_stream": quant[c],
                "difference": quant[c] - pv_yby,
                "year_by_year_below_whole_stream": 1 - pv_yby / quant[c] if quant[c] > 0 else np.nan,
                "line_year_by_year": lines["year_by_year"],
                "line_whole_stream": lines["whole_stream"],
            }
        comparison = pd.DataFrame.from_dict(comp_rows, orient="index").rename_axis("case")
        if basis == "whole_stream":
            cf = cf_ws
    available, service = size(cf)
    cover_amount = float(service @ disc)
    limited, limit = False, None
    if gearing is not None and cost is not None:
        limit = gearing * cost
        if cover_amount > limit:
            service = service * (limit / cover_amount)
            limited = True
    amount = float(service @ disc)
    modelled = {c: cf[c] - costs for c in _CASES}
    limits = {c: available[c] / dscr[c] for c in _CASES}

    # -- schedule, covers, binding ------------------------------------------------------------
    schedule = debt_schedule(service, rate)
    maturity = len(schedule)
    paid = np.flatnonzero(service > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for c in _CASES:
            schedule[f"cash_available_{c.lower()}"] = available[c][:maturity]
            schedule[f"dscr_{c.lower()}"] = np.where(
                service[:maturity] > 0, available[c][:maturity] / service[:maturity], np.nan
            )
    per_year = np.where(limits["P90"] <= limits["P50"], "P90", "P50") if n_cash else np.array([], dtype=str)
    schedule["binding_case"] = np.where(service[:maturity] > 0, per_year[:maturity], "")
    reserve_at_close = 0.0
    if months > 0 and maturity:
        ahead = np.maximum.accumulate(service[:maturity][::-1])[::-1]  # largest debt service still to come
        schedule["reserve_balance"] = months / 12 * ahead
        reserve_at_close = float(months / 12 * ahead[0])
    covers = cover_ratios({c: available[c] for c in _CASES}, service, rate, targets=dscr)
    for c in _CASES:
        on_modelled = modelled[c][paid] / service[paid] if paid.size else np.array([np.nan])
        covers.loc[c, "min_cover_on_modelled_cash"] = float(on_modelled.min())
        covers.loc[c, "average_cover_on_modelled_cash"] = float(on_modelled.mean())
    binding_years = {c: [int(t) + 1 for t in paid if per_year[t] == c] for c in _CASES}
    weight = {c: float(sum(service[t] * disc[t] for t in paid if per_year[t] == c)) for c in _CASES}
    capacity = {c: float(np.maximum(available[c][:window], 0.0) / dscr[c] @ disc[:window]) for c in _CASES}
    if paid.size:
        binding = "P50" if weight["P50"] > weight["P90"] else "P90"
        low = np.minimum(limits["P50"][paid], limits["P90"][paid])
        high = np.maximum(limits["P50"][paid], limits["P90"][paid])
        gap = np.where(high > 0, 1 - low / np.where(high > 0, high, 1.0), 0.0)
        binding_year: int | None = int(paid[int(np.argmax(gap))]) + 1
    else:
        binding = "P50" if capacity["P50"] < capacity["P90"] else "P90"
        binding_year = None
    pv_cash = {c: float(modelled[c][:window] @ disc[:window]) for c in _CASES}
    cases = pd.DataFrame(
        {"cash_flow_percentile": [0.5, pct], "method": method, "dscr": dscr, "haircut": h, "loan_rate": rate}
        | {
            "tenor": maturity,
            "pv_eligible_cash": pv_cash,
            "capacity": capacity,
            "binding": [c == binding for c in _CASES],
            "binding_years": {c: ", ".join(map(str, binding_years[c])) for c in _CASES},
        },
        index=pd.Index(list(_CASES), name="case"),
    )

    # -- tables -------------------------------------------------------------------------------
    cols = [f"year {t}" for t in range(1, n_cash + 1)]
    nan = np.full(n_cash, np.nan)
    shown_start = np.zeros(n_cash)
    shown_start[: min(n_cash, start.size)] = start[:n_cash]
    rows: list[tuple[str, int, str, str, np.ndarray, float]] = [
        ("all", 1, start_label, "V_t", shown_start, float(shown_start.sum()))
    ]
    first = "payments under the contract" if terms is not None else "cash, negatives floored at 0"
    for c in _CASES:
        rows += [
            (c, 2, f"{c} {first}", "CF_c,t", cf[c], float(cf[c].sum())),
            (c, 3, f"x haircut {h:g}", "h CF_c,t", h * cf[c], float(h * cf[c].sum())),
        ]
        if terms is not None:
            rows.append(
                (
                    c,
                    4,
                    "less delivery and verification costs",
                    "A_c,t = h CF_c,t - K_t",
                    available[c],
                    float(available[c].sum()),
                )
            )
        rows.append(
            (
                c,
                5,
                f"/ DSCR {dscr[c]:g}: most debt service the case allows",
                "A_c,t / DSCR_c",
                limits[c],
                float(limits[c].sum()),
            )
        )
    before = np.maximum(np.vstack([limits[c] for c in _CASES]).min(axis=0), 0.0) if n_cash else np.zeros(0)
    before[window:] = 0.0
    rows.append(
        (
            "line",
            6,
            f"debt service: smallest over the cases, >= 0, years 1-{window}",
            "DS_t",
            before,
            float(before.sum()),
        )
    )
    if limited:
        rows.append(
            (
                "line",
                7,
                f"scaled to the gearing limit {format_amount(float(limit or 0))}",
                "DS_t x limit / D",
                service,
                float(service.sum()),
            )
        )
    rows += [
        ("line", 8, f"discounted at {rate:.2%}", "DS_t / (1 + r)^t", service * disc, amount),
        ("line", 9, "credit line (sum)", "D = sum_t", nan, amount),
    ]
    steps = pd.DataFrame(
        [[c, n, d, f, *v.tolist(), float(tot)] for c, n, d, f, v, tot in rows],
        columns=["case", "step", "description", "formula", *cols, "total"],
    )
    cash = pd.DataFrame(
        {
            "payments_p50": cf["P50"],
            "payments_p90": cf["P90"],
            "costs": costs,
            "cash_available_p50": available["P50"],
            "cash_available_p90": available["P90"],
            "debt_service": service,
        },
        index=pd.RangeIndex(1, n_cash + 1, name="year"),
    )

    def assumption(name: str, val: Any) -> tuple[str, Any, str, str]:
        rng, src = _RANGE[name]
        return (name, val, rng, ("user input; default " if val != _DEFAULT[name] else "default: ") + src)

    count = ""
    if table is not None and not table.empty and "eligible" in table:
        count = f"{int(table['eligible'].eq(True).sum())} of {len(table)} outcomes"
    cap_text = "-" if tenor_cap is None else tenor_cap
    arows: list[tuple[str, Any, str, str]] = [
        ("cash flows", kind, "", "tier A + contracted tier B, after all SROI filters, undiscounted"),
        ("tiers", "A: yes; B: if contracted; C: never", "", "LMA/APLMA/LSTA Social Loan Principles"),
        *(
            [("eligible outcomes", count, "", "the cash tier, contract and payer of each outcome")]
            if count
            else []
        ),
        *([("contract", terms.to_dict(), "", "user input: ContractTerms")] if terms is not None else []),
        assumption("dscr_p50", dscr["P50"]),
        assumption("dscr_p90", dscr["P90"]),
        assumption("haircut", h),
        assumption("percentile", pct),
        *([("cv", cv_shown, "", f"user input; z = {z:.4f}")] if n_samples == 1 and cv is not None else []),
        assumption("loan_rate", rate),
        (
            "tenor",
            maturity,
            "",
            f"last year with debt service; at most requested {tenor_req or '-'}, "
            f"source cap {cap_text}, years of cash {n_cash}, less tail {tail}",
        ),
        assumption("percentile_basis", basis),
        assumption("reserve_months", months),
        assumption("tail_years", tail),
        assumption("max_gearing", gearing),
        *([("project_cost", cost, "", "user input")] if cost is not None else []),
        assumption("allow_dscr_below_one", allow),
        ("discounting", "end of year, (1 + r)^-t", "", "debt service paid at each year end"),
        ("negative cash", "no debt service in that year", "", "a year of net outflow services no debt"),
    ]
    assumptions = pd.DataFrame(arows, columns=["name", "value", "range", "source"])

    # -- words ----------------------------------------------------------------------------------
    if not has_value:
        zero_reason = (
            "none of the value is cash that someone is bound to pay and that can be verified "
            "(cash to the borrower, or savings whose payer has signed an outcomes contract)"
        )
    elif not cash_end:
        zero_reason = "the contract pays nothing in the central case"
    else:
        short = ["the " + CASE_WORDS[c] for c in _CASES if not (available[c][:window] > 0).any()]
        after = "after the haircut and the provider's costs" if terms is not None else "after the haircut"
        zero_reason = f"{' and '.join(short) or 'one of the cases'} leaves no cash for debt service in any year, {after}"
    if samples is not None and comparison is not None:
        row: dict[Any, Any] = comparison.loc["P90"].to_dict()
        diff = float(row["difference"])
        share = float(row["year_by_year_below_whole_stream"])
        share_text = f" ({abs(share):.0%})" if np.isfinite(share) else ""
        basis_words = (
            f"taken {'year by year' if basis == 'year_by_year' else 'on the whole discounted stream'} "
            "(the default is year by year, because the cover is tested every year). In the downside case "
            f"the yearly {_percentile_words(pct)} percentiles of the cash available, discounted, sum to "
            f"{format_amount(float(row['pv_year_by_year']), code)}; the {_percentile_words(pct)} percentile of the "
            f"discounted whole stream is {format_amount(float(row['pv_whole_stream']), code)}, so the year-by-year "
            f"basis counts {format_amount(abs(diff), code)}{share_text} {'less' if diff >= 0 else 'more'}. The line is "
            f"{format_amount(float(row['line_year_by_year']), code)} year by year and would be "
            f"{format_amount(float(row['line_whole_stream']), code)} on the whole stream."
        )
    elif n_samples > 1:
        basis_words = "taken year by year from the Monte Carlo samples."
    else:
        basis_words = (
            "taken year by year from one deterministic cash flow and a coefficient of variation, with a "
            "normal approximation in each year; comparing with the whole stream needs Monte Carlo samples."
        )
    risks = [
        "the payer failing to pay beyond the deduction for its credit quality, or ending the contract early"
        if terms is not None
        else "the credit of whoever pays (no deduction is made for it beyond the haircut)",
        "uncertainty beyond the ranges given to the model's estimates"
        if n_samples > 1
        else "the shape of the uncertainty (a normal approximation from one coefficient of variation)",
        "interest rate changes, fees, taxes and currency movements",
        "costs other than those stated",
    ]
    if terms is not None and terms.contract_years is not None:
        risks.append(f"renewal of the contract after year {terms.contract_years}")
    short_years = [int(t) + 1 for t in range(window) if available["P90"][t] < 0]
    if short_years:
        risks.append(
            f"the shortfall in year(s) {', '.join(map(str, short_years))}, when costs exceed the downside "
            "case's payments, must be funded by the borrower"
        )
    if months > 0:
        risks.append("the debt service reserve is not drawn in sizing")
    options = {
        "zero_reason": zero_reason,
        "basis_words": basis_words,
        "risks_words": "; ".join(risks) + ".",
        "percentile_basis": basis,
        "reserve_months": months,
        "reserve_at_close": reserve_at_close,
        "tail_years": tail,
        "max_gearing": gearing,
        "project_cost": cost,
        "gearing_limit": limit,
        "limited_by_gearing": limited,
        "cover_amount": cover_amount,
    }
    return CreditLine(
        amount=Q_(amount, code) if code else amount,
        binding_case=binding,
        cases=cases,
        steps=steps,
        assumptions=assumptions,
        schedule=schedule,
        covers=covers,
        cash=cash,
        binding_years=binding_years,
        binding_year=binding_year,
        contract_steps=contract_steps,
        basis_comparison=comparison,
        currency=code,
        sources=table,
        contract=terms,
        options=options,
    )
