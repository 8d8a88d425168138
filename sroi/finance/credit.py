"""From SROI to a credit line: debt sizing a lender could follow.

Only cash that someone is bound to pay, and that can be verified, carries debt. The value of
each outcome (after deadweight, displacement, attribution and drop-off) falls in one tier:

* **A** cash to the borrower (contracted outcome payments, measured extra revenue);
* **B** savings to a named third party, counted only where that payer has signed an outcomes
  contract (otherwise shown as upside);
* **C** non-cash value (wellbeing, time, consumer surplus): never used in sizing; it supports
  social-loan eligibility and loan KPIs.

The eligible cash (tier A + contracted tier B) is sized twice, as in project finance: a central
(P50) case at a higher debt service cover ratio (DSCR) and a downside (P90) case at a lower one.
The line is the smaller of the two. A sustainability-linked margin ratchet prices the loan; it
does not add capacity (:func:`margin_ratchet`).

References
----------
.. [1] LMA, APLMA and LSTA (2021, 2023). *Social Loan Principles*.
.. [2] LMA, APLMA and LSTA (2023). *Sustainability-Linked Loan Principles*.
.. [3] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed. Academic Press.
.. [4] Office of the Comptroller of the Currency (2014). *Asset-Based Lending*, Comptroller's Handbook.
"""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pint

from sroi import defaults
from sroi.exceptions import SROIError
from sroi.finance.cashflows import (
    as_number,
    cash_array,
    check_currency,
    check_dscr,
    check_loan_rate,
    check_number_in,
    check_tenor,
    discount_factors,
    warn,
)
from sroi.finance.formatting import cell_value, format_amount, frame_html, records
from sroi.units import Q_

__all__ = ["DEFAULTS", "CreditLine", "credit_line", "debt_capacity"]

_TIER_NOTE = (
    "Only tier A cash to the borrower and tier B savings whose payer has signed an outcomes "
    "contract carry debt; non-cash value (tier C: wellbeing, time, consumer surplus) and tier B "
    "savings without a contract carry none."
)

_DEFAULT_ROWS = defaults.CREDIT
DEFAULTS: pd.DataFrame = pd.DataFrame(_DEFAULT_ROWS, columns=["name", "value", "range", "source"])
"""Default sizing parameters with their typical range and source (one row each)."""

_DEFAULT = {name: value for name, value, _, _ in _DEFAULT_ROWS}
_RANGE = {name: (rng, src) for name, _, rng, src in _DEFAULT_ROWS}


# ----------------------------------------------------------------------------------------------
# debt capacity


def debt_capacity(cash_flows: Any, dscr: float, interest_rate: float) -> float | np.ndarray | pint.Quantity:
    """Sculpted debt capacity: the loan the cash flows can service at a cover ratio.

    Parameters
    ----------
    cash_flows : array-like or pint.Quantity [currency]
        Cash available for debt service in years 1..T: a 1-D sequence of floats or money
        quantities, a money Quantity array, or a 2-D array (samples x years).
    dscr : float [-]
        Debt service cover ratio: cash available / debt service, > 0 (typically 1.2-1.5).
    interest_rate : float [year^-1]
        Loan interest rate as a fraction (0.04 for 4%), > -1.

    Returns
    -------
    float, numpy.ndarray or pint.Quantity [currency]
        One capacity for 1-D flows, one per sample for 2-D flows; a Quantity in the flows'
        currency when they carry one.

    Raises
    ------
    SROIError
        If ``dscr`` <= 0, ``interest_rate`` <= -1, or the cash flows hold NaN or mix currencies.

    Notes
    -----
    Debt is sculpted to the cash flow, debt service in year t being CF_t / DSCR:

    .. math:: D = \\sum_{t=1}^{T} \\frac{CF_t / DSCR}{(1 + r)^t}

    Level flows give the annuity form D = CF / DSCR * (1 - (1 + r)^{-T}) / r, and
    D = T CF / DSCR when r = 0. Flows are used as given (negative years reduce D);
    :func:`credit_line` floors them at 0 first. A DSCR below 1 warns (SROIWarning).

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
    cover = check_dscr(dscr, "dscr")
    rate = check_loan_rate(interest_rate, "interest_rate")
    cap = (arr / cover) @ discount_factors(rate, arr.shape[-1])
    out: Any = float(cap) if arr.ndim == 1 else np.asarray(cap, dtype=float)
    return Q_(out, code) if code else out


# ----------------------------------------------------------------------------------------------
# credit line


@dataclass(frozen=True, eq=False)
class CreditLine:
    """A credit line sized on eligible cash, with every step shown.

    Attributes
    ----------
    amount : float or pint.Quantity [currency]
        The line: min(capacity in the P50 case, capacity in the P90 case).
    binding_case : str
        ``'P50'`` or ``'P90'``: the case that sets the line (``'P90'`` on a tie). ``'P90'``
        names the downside case whatever ``percentile`` was used.
    cases : pandas.DataFrame
        One row per case: cash-flow percentile, method, dscr, haircut, loan rate, tenor, PV of
        the case's eligible cash at the loan rate, capacity, binding.
    steps : pandas.DataFrame
        The figure after each step, per year (``year 1`` ...) and in ``total``.
    assumptions : pandas.DataFrame
        Columns name, value, range, source.
    explanation : str
        Plain-language text for a credit committee.
    currency : str or None
        ISO code of the amounts, None when the cash flows were bare numbers.
    sources : pandas.DataFrame or None
        The source's ``cash_flow_sources()`` table, when it has one.
    """

    amount: float | pint.Quantity
    binding_case: str
    cases: pd.DataFrame
    steps: pd.DataFrame
    assumptions: pd.DataFrame
    explanation: str
    currency: str | None = None
    sources: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def value(self) -> float:
        """The line as a plain float [currency]."""
        return float(self.amount.magnitude if isinstance(self.amount, pint.Quantity) else self.amount)

    @property
    def summary(self) -> pd.DataFrame:
        """One-column table (``value``) of the headline figures."""
        rows: dict[str, Any] = {
            "amount": self.value,
            "currency": self.currency or "",
            "binding_case": self.binding_case,
        }
        for col in ("capacity", "pv_eligible_cash", "dscr"):
            rows |= {f"{col}_{case}": cell_value(self.cases[col], case) for case in ("P50", "P90")}
        rows |= {col: cell_value(self.cases[col], "P50") for col in ("loan_rate", "haircut")}
        rows["tenor"] = int(cell_value(self.cases["tenor"], "P50"))
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready dictionary of the line, its cases, steps and assumptions."""
        return {
            "amount": self.value,
            "currency": self.currency,
            "binding_case": self.binding_case,
            "cases": records(self.cases.reset_index()),
            "steps": records(self.steps),
            "assumptions": records(self.assumptions),
            "explanation": self.explanation,
        }

    def __repr__(self) -> str:
        lines = [f"CreditLine: {format_amount(self.value, self.currency)} ({self.binding_case} binding)"]
        for case in ("P50", "P90"):
            c = {
                k: cell_value(self.cases[k], case)
                for k in ("capacity", "cash_flow_percentile", "haircut", "dscr", "loan_rate", "tenor")
            }
            lines.append(
                f"  {case}: capacity {format_amount(c['capacity'])} (cash at percentile {c['cash_flow_percentile']:.2f}, "
                f"haircut {c['haircut']:.2f}, DSCR {c['dscr']:.2f}, loan rate {c['loan_rate']:.2%}, "
                f"{int(c['tenor'])} years)"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in self.explanation.split("\n") if p.strip())
        return (
            f"<div><h4>Credit line: {html.escape(format_amount(self.value, self.currency))} "
            f"({self.binding_case} binding)</h4>{paras}<h5>Cases</h5>{frame_html(self.cases)}"
            f"<h5>Steps</h5>{frame_html(self.steps)}"
            f"<h5>Assumptions</h5>{frame_html(self.assumptions)}</div>"
        )


def _read_source(source: Any) -> tuple[np.ndarray, str | None, int | None, pd.DataFrame | None, str]:
    """Cash flows (S x T), currency, tenor cap, sources table and a description."""
    if hasattr(source, "eligible_cash_flows"):
        missing = [m for m in ("currency", "tenor_cap") if not hasattr(source, m)]
        if missing:
            raise SROIError(
                f"has eligible_cash_flows but no {missing}; see sroi.finance.CashFlowSource", "source"
            )
        getter = source.eligible_cash_flows
        flows, code = cash_array(getter() if callable(getter) else getter, "source.eligible_cash_flows")
        src_code = check_currency(source.currency, "source.currency")
        if code and code != src_code:
            raise SROIError(f"cash flows are in {code} but source.currency is {src_code}", field="currency")
        cap = source.tenor_cap
        if isinstance(cap, bool) or not isinstance(cap, numbers.Integral) or cap < 0:
            raise SROIError(f"expected a whole number of years >= 0, got {cap!r}", field="source.tenor_cap")
        table = None
        if hasattr(source, "cash_flow_sources"):
            getter = source.cash_flow_sources
            table = getter() if callable(getter) else getter
            if not isinstance(table, pd.DataFrame):
                raise SROIError(
                    f"expected a DataFrame, got {type(table).__name__}", field="source.cash_flow_sources"
                )
        flows = flows if flows.ndim == 2 else flows[None, :]
        kind = f"{type(source).__name__}: {flows.shape[0]} sample(s) x {flows.shape[1]} years"
        return flows, src_code, int(cap), table, kind
    flows, code = cash_array(source, "source")
    if flows.ndim == 1:
        return flows[None, :], code, None, None, f"deterministic (P50) cash flow, {flows.size} years"
    return flows, code, None, None, f"simulation: {flows.shape[0]} samples x {flows.shape[1]} years"


def _cv(cv: Any, years: int, total_years: int) -> np.ndarray:
    if isinstance(cv, pint.Quantity):
        cv = (
            as_number(cv, "cv")
            if np.ndim(cv.magnitude) == 0
            else np.asarray(cv.to("dimensionless").magnitude)
        )
    items = [cv] if isinstance(cv, str) else np.ravel(np.asarray(cv, dtype=object)).tolist()
    arr = np.array([as_number(c, "cv") for c in items], dtype=float)
    if (arr < 0).any():
        raise SROIError(f"expected a coefficient of variation >= 0 (0.2 for 20%), got {cv!r}", field="cv")
    if arr.size == 1:
        return np.full(years, float(arr[0]))
    if arr.size not in (years, total_years):
        raise SROIError(f"expected one CV or one per year ({total_years}), got {arr.size}", field="cv")
    return arr[:years].astype(float)


def _tier_text(table: pd.DataFrame | None) -> tuple[str, str]:
    """Sentence naming the outcomes that carry debt and those that do not; short count."""
    if table is None or table.empty or "eligible" not in table:
        return "", ""

    def names(mask: pd.Series) -> str:
        rows = table[mask]
        who = (
            rows["stakeholder"].fillna("").astype(str)
            if "stakeholder" in rows
            else pd.Series("", index=rows.index)
        )
        return "; ".join(
            f"{o} ({w})" if w else str(o) for o, w in zip(rows.get("outcome", rows.index), who, strict=True)
        )

    tier = table.get("cash_tier", pd.Series("", index=table.index)).astype(str).str.upper()
    contracted = table.get("contracted", pd.Series(False, index=table.index)).eq(True)
    eligible = table["eligible"].eq(True)
    parts = []
    for label, mask in (
        ("Cash that carries debt", eligible),
        ("Non-cash value (tier C), zero in sizing", ~eligible & (tier == "C")),
        ("Tier B savings without a signed contract, upside only", ~eligible & (tier == "B") & ~contracted),
        ("Other outcomes not counted", ~eligible & ~(tier == "C") & ~((tier == "B") & ~contracted)),
    ):
        if mask.any():
            parts.append(f"{label}: {names(mask)}.")
    return " ".join(parts), f"{int(eligible.sum())} of {len(table)} outcomes"


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
) -> CreditLine:
    """Size a credit line on the eligible cash of an SROI analysis (P50/P90, DSCR, haircut).

    Parameters
    ----------
    source : CashFlowSource or array-like [currency]
        A ``Result``/``Simulation`` (see :class:`CashFlowSource`); or a 1-D sequence of
        deterministic P50 cash flows for years 1..T (floats or money quantities); or a 2-D
        array (samples x years) of simulated eligible cash flows.
    cv : float or array-like [-], optional
        Coefficient of variation of the yearly cash flow (one, or one per year). Needed for a
        deterministic source, where P90 = P50 x (1 - z CV); ignored (with a warning) when
        there are samples.
    percentile : float [-]
        Percentile of the downside case, default 0.10 (the "P90": cash exceeded with 90%
        probability), in (0, 1).
    haircut : float [-]
        Share of the cash that counts after verification and counterparty risk, in (0, 1];
        default 0.8 (range 0.5-0.9, asset-based lending advance rates).
    dscr_p50, dscr_p90 : float [-]
        Debt service cover ratios of the two cases, > 0; defaults 1.40 (range 1.35-1.50) and
        1.20 (range 1.20-1.30), project-finance P50/P90 sizing practice.
    loan_rate : float [year^-1]
        Loan interest rate used to discount debt service, > -1. The default 0.04 (4%) is the
        illustrative rate of the method's worked check: give the lender's own all-in rate.
    tenor : int [year], optional
        Loan tenor; the sizing uses T = min(tenor, source tenor cap, years of cash).
    currency : str, optional
        ISO code of the amounts when the cash flows are bare numbers; must agree with the
        source's currency otherwise.

    Returns
    -------
    CreditLine
        ``amount``, ``binding_case``, ``cases``, ``steps``, ``assumptions``, ``explanation``.

    Raises
    ------
    SROIError
        Naming the argument: dscr <= 0, haircut outside (0, 1], percentile outside (0, 1),
        tenor < 1 or not a whole number, loan_rate <= -1, NaN cash flows, mixed currencies,
        or a deterministic source with positive cash and no ``cv``.

    Notes
    -----
    Per year t = 1..T, with S samples of eligible cash (tier A + contracted tier B):

    * CF_P50,t = median over samples (S > 1) or the deterministic flow;
    * CF_P90,t = ``percentile`` quantile over samples (S > 1, empirical, linear
      interpolation as :func:`numpy.percentile`), or CF_P50,t (1 - z CV_t) with
      z = -Φ^{-1}(percentile) = 1.2816 at 0.10 (normal approximation);
    * negative cash in a year counts as 0 (there is nothing to service debt), as does a
      negative factor 1 - z CV_t;
    * D_case = Σ_t (h CF_case,t / DSCR_case) / (1 + r)^t (:func:`debt_capacity`);
    * line = min(D_P50, D_P90).

    Tier C (non-cash) value and uncontracted tier B savings never enter the flows: they support
    social-loan eligibility [1]_ and loan KPIs [2]_, not sizing. With no eligible cash the line is
    0 and the explanation says why.

    References
    ----------
    .. [1] LMA, APLMA and LSTA (2021, 2023). *Social Loan Principles*.
    .. [2] LMA, APLMA and LSTA (2023). *Sustainability-Linked Loan Principles*.
    .. [3] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed. Academic Press.
    .. [4] Office of the Comptroller of the Currency (2014). *Asset-Based Lending*.

    Examples
    --------
    The worked check of the method (P50 = 100 a year for 5 years, CV 20%):

    >>> from sroi.finance import credit_line
    >>> line = credit_line([100.0] * 5, cv=0.2, currency="GBP")
    >>> round(line.value, 1), line.binding_case
    (220.7, 'P90')
    >>> line.cases["capacity"].round(1).to_dict()
    {'P50': 254.4, 'P90': 220.7}
    """
    pct = check_number_in(
        percentile, "percentile", lambda x: 0 < x < 1, "a fraction in (0, 1), e.g. 0.10 for P90"
    )
    if pct > 0.5:
        warn(f"percentile={pct} is above the median: the P90 case is the optimistic one")
    h = check_number_in(haircut, "haircut", lambda x: 0 < x <= 1, "a fraction in (0, 1] (typically 0.5-0.9)")
    dscr = {"P50": check_dscr(dscr_p50, "dscr_p50"), "P90": check_dscr(dscr_p90, "dscr_p90")}
    rate = check_loan_rate(loan_rate, "loan_rate")
    tenor_req = check_tenor(tenor)
    flows, src_code, tenor_cap, table, kind = _read_source(source)
    code = src_code
    if currency is not None:
        code = check_currency(currency, "currency")
        if src_code and src_code != code:
            raise SROIError(f"currency={code!r} disagrees with the source's {src_code}", field="currency")
    n_samples, n_years = flows.shape
    if n_samples == 0:
        raise SROIError("has no samples (shape 0 x years)", field="source")
    years = min(tenor_req or n_years, n_years if tenor_cap is None else tenor_cap, n_years)
    window = flows[:, :years]
    has_cash = bool((window > 0).any())
    z = -NormalDist().inv_cdf(pct)
    cf: dict[str, np.ndarray] = {}
    method: dict[str, str] = {}
    if n_samples > 1:
        if cv is not None:
            warn("cv is ignored: the percentiles come from the samples")
        if n_samples < 100:
            warn(f"only {n_samples} samples: the empirical percentile is imprecise; use 1000 or more")
        for case, q in (("P50", 50.0), ("P90", 100 * pct)):
            cf[case] = np.maximum(np.percentile(window, q, axis=0), 0.0) if years else np.zeros(0)
        method = {
            "P50": f"median of {n_samples} samples",
            "P90": f"empirical {pct:g} quantile of {n_samples}",
        }
        start, start_label = window.mean(axis=0), f"eligible cash, mean of {n_samples} samples"
    else:
        if cv is None and has_cash:
            raise SROIError(
                "a deterministic source needs cv (coefficient of variation of the yearly cash flow, "
                "e.g. cv=0.2) for the P90 case, or give a simulation (samples x years)",
                field="cv",
            )
        start, start_label = window[0], "eligible cash (deterministic, P50)"
        cf["P50"] = np.maximum(start, 0.0)
        cv_arr = _cv(0.0 if cv is None else cv, years, n_years)
        cf["P90"] = cf["P50"] * np.maximum(1.0 - z * cv_arr, 0.0)
        cv_shown = float(cv_arr[0]) if np.unique(cv_arr).size == 1 else cv_arr.tolist()
        method = {"P50": "deterministic flow", "P90": f"normal approximation P50 x (1 - {z:.4f} CV)"}

    disc = discount_factors(rate, years)
    service = {case: h * cf[case] / dscr[case] for case in cf}
    cap = {case: float(service[case] @ disc) for case in cf}
    pv = {case: float(cf[case] @ disc) for case in cf}
    binding = "P90" if cap["P90"] <= cap["P50"] else "P50"
    amount = cap[binding]
    cases = pd.DataFrame(
        {"cash_flow_percentile": [0.5, pct], "method": method, "dscr": dscr, "haircut": h, "loan_rate": rate}
        | {
            "tenor": years,
            "pv_eligible_cash": pv,
            "capacity": cap,
            "binding": [c == binding for c in ("P50", "P90")],
        },
        index=pd.Index(["P50", "P90"], name="case"),
    )

    nan = np.full(years, np.nan)
    rows: list[tuple[str, int, str, str, np.ndarray, float]] = [
        ("all", 1, start_label, "CF_t", start, start.sum())
    ]
    for case in ("P50", "P90"):
        rows += [
            (case, 2, f"{case} cash, negatives floored at 0", "CF_case,t", cf[case], cf[case].sum()),
            (case, 3, f"after haircut {h:g}", "h CF_case,t", h * cf[case], h * cf[case].sum()),
            (case, 4, f"/ DSCR {dscr[case]:g}", "h CF_case,t / DSCR", service[case], service[case].sum()),
            (case, 5, f"discounted at {rate:.2%}", "... / (1 + r)^t", service[case] * disc, cap[case]),
            (case, 6, "capacity (sum)", "D_case = sum_t", nan, cap[case]),
        ]
    rows.append(("line", 7, f"min(D_P50, D_P90): {binding} binding", "min", nan, amount))
    cols = [f"year {t}" for t in range(1, years + 1)]
    steps = pd.DataFrame(
        [[c, n, d, f, *v.tolist(), float(tot)] for c, n, d, f, v, tot in rows],
        columns=["case", "step", "description", "formula", *cols, "total"],
    )

    def assumption(name: str, value: float) -> tuple[str, Any, str, str]:
        rng, src = _RANGE[name]
        return (name, value, rng, ("user input; default " if value != _DEFAULT[name] else "default: ") + src)

    tier_sentence, tier_count = _tier_text(table)
    cap_text = "-" if tenor_cap is None else tenor_cap
    arows: list[tuple[str, Any, str, str]] = [
        ("cash flows", kind, "", "tier A + contracted tier B, after all SROI filters, undiscounted"),
        ("tiers", "A: yes; B: if contracted; C: never", "", "LMA/APLMA/LSTA Social Loan Principles"),
        *([("eligible outcomes", tier_count, "", "source.cash_flow_sources()")] if tier_count else []),
        assumption("dscr_p50", dscr["P50"]),
        assumption("dscr_p90", dscr["P90"]),
        assumption("haircut", h),
        assumption("percentile", pct),
        *([("cv", cv_shown, "", f"user input; z = {z:.4f}")] if n_samples == 1 and cv is not None else []),
        assumption("loan_rate", rate),
        ("tenor", years, "", f"min(requested {tenor_req or '-'}, source cap {cap_text}, years {n_years})"),
        ("discounting", "end of year, (1 + r)^-t", "", "debt service paid at each year end"),
        ("negative cash", "floored at 0 per year", "", "a year of net outflow services no debt"),
    ]
    assumptions = pd.DataFrame(arows, columns=["name", "value", "range", "source"])

    if amount == 0:
        why = (
            (
                "There is no eligible cash (tier A, or tier B under a signed outcomes contract)"
                + (f" in the {years}-year tenor" if years else " in any year")
            )
            if not has_cash
            else f"The {binding} case leaves no cash to service debt"
        )
        text = [
            f"Credit line: {format_amount(0.0, code)}. {why}, so no debt can be sized on this analysis.",
            _TIER_NOTE,
        ]
    else:
        other = "P90" if binding == "P50" else "P50"
        text = [
            f"Credit line: {format_amount(amount, code)}, set by the {binding} case "
            f"({'downside' if binding == 'P90' else 'central'}), the smaller of the two; "
            f"the {other} case would allow {format_amount(cap[other], code)}.",
            _TIER_NOTE,
        ]
        for case in ("P50", "P90"):
            text.append(
                f"{case} case ({method[case]}): {format_amount(float(cf[case].sum()), code)} of eligible cash over "
                f"{years} years, present value {format_amount(pv[case], code)} at {rate:.2%}; counting {h:.0%} of it "
                f"(haircut) at a cover of {dscr[case]:.2f}x gives {format_amount(cap[case], code)}."
            )
        text.append(
            "Years with negative cash count as zero. A margin ratchet on social KPIs changes the price "
            "of the loan, not its size."
        )
    if tier_sentence:
        text.insert(2, tier_sentence)
    return CreditLine(
        amount=Q_(amount, code) if code else amount,
        binding_case=binding,
        cases=cases,
        steps=steps,
        assumptions=assumptions,
        explanation="\n".join(text),
        currency=code,
        sources=table,
    )
