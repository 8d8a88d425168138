"""The credit line as a result object: figures, tables and a term-sheet summary in words.

:class:`CreditLine` is what :func:`sroi.finance.credit_line` returns. Its text
(:meth:`CreditLine.term_sheet`, also :attr:`CreditLine.explanation`) and its HTML view read as
a term-sheet summary for a credit committee: amount, tenor, amortisation, covers, the binding
case, what the cash is and who pays it, and the risks not modelled. They only format numbers
computed by :func:`~sroi.finance.credit_line` (STYLE.md 4b).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pint

from sroi.finance.formatting import cell_value, format_amount, frame_html, records

if TYPE_CHECKING:
    from sroi.finance.contract import ContractTerms

__all__ = ["CASE_WORDS", "CreditLine"]

#: The two cases in words.
CASE_WORDS = {"P50": "central case (P50)", "P90": "downside case (P90)"}


def _years(years: list[int]) -> str:
    """[1, 2, 3, 5] -> 'years 1-3 and 5'."""
    if not years:
        return "no year"
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs]
    word = "year" if len(years) == 1 else "years"
    return f"{word} {', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else f"{word} {parts[0]}"


def _percent(x: float) -> str:
    return f"{x:.0%}" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x:.1%}"


@dataclass(frozen=True, eq=False)
class CreditLine:
    """A credit line sized on eligible cash, with its debt schedule and every step shown.

    Attributes
    ----------
    amount : float or pint.Quantity [currency]
        The line: the present value at the loan rate of the one debt-service profile that
        meets every case's cover every year (after any gearing limit).
    binding_case : str
        ``'P50'`` or ``'P90'``: the case that sets the larger part of the line (by present
        value of the debt service it limits; ``'P90'`` on a tie or when nothing is sized).
    binding_years : dict of str to list of int
        The years in which each case sets the debt service.
    binding_year : int or None
        The year in which the binding case cuts debt service furthest below what the other
        case would allow (the year the choice of case matters most).
    schedule : pandas.DataFrame
        One row per year to the final maturity: ``year``, ``opening_balance``, ``interest``,
        ``principal``, ``debt_service``, ``closing_balance`` [currency], ``reserve_balance``
        (with a reserve), ``cash_available_p50``, ``cash_available_p90`` [currency] and
        ``dscr_p50``, ``dscr_p90`` [-] (the chosen line's cover in each case), ``binding_case``.
    covers : pandas.DataFrame
        One row per case: ``dscr_target``, ``min_dscr``, ``min_dscr_year``, ``average_dscr``,
        ``llcr``, ``min_cover_on_modelled_cash``, ``average_cover_on_modelled_cash`` [-].
    cases : pandas.DataFrame
        One row per case: cash percentile, method, dscr, haircut, loan rate, tenor, PV of the
        case's cash available, ``capacity`` (the case's own sculpted capacity, kept as
        information), binding.
    cash : pandas.DataFrame
        Per year (all years of cash): each case's payments, the costs, the cash available for
        debt service (after the haircut and the costs), and the debt service.
    steps : pandas.DataFrame
        The figure after each sizing step, per year (``year 1`` ...) and in ``total``.
    contract_steps : pandas.DataFrame or None
        With contract terms: how the valued outcomes become payments, step by step.
    basis_comparison : pandas.DataFrame or None
        With Monte Carlo samples: per case, the present value of the cash available on the
        year-by-year and on the whole-stream percentile basis, how much lower the first is,
        and the line on each basis.
    assumptions : pandas.DataFrame
        Columns name, value, range, source.
    currency : str or None
        ISO code of the amounts, None when the cash flows were bare numbers.
    sources : pandas.DataFrame or None
        The source's ``cash_flow_sources()`` table, when it has one.
    contract : ContractTerms or None
    """

    amount: float | pint.Quantity
    binding_case: str
    cases: pd.DataFrame
    steps: pd.DataFrame
    assumptions: pd.DataFrame
    schedule: pd.DataFrame
    covers: pd.DataFrame
    cash: pd.DataFrame
    binding_years: dict[str, list[int]] = field(default_factory=dict)
    binding_year: int | None = None
    contract_steps: pd.DataFrame | None = None
    basis_comparison: pd.DataFrame | None = None
    currency: str | None = None
    sources: pd.DataFrame | None = field(default=None, repr=False)
    contract: ContractTerms | None = None
    options: dict[str, Any] = field(default_factory=dict)

    # -- figures ---------------------------------------------------------------------------
    @property
    def value(self) -> float:
        """The line as a plain float [currency]."""
        return float(self.amount.magnitude if isinstance(self.amount, pint.Quantity) else self.amount)

    @property
    def tenor(self) -> int:
        """Final maturity in years: the last year with debt service (0 when nothing is sized)."""
        return len(self.schedule)

    @property
    def min_dscr(self) -> pd.Series:
        """Lowest DSCR of the chosen line in each case over the years with debt service [-]."""
        return self.covers["min_dscr"]

    @property
    def average_dscr(self) -> pd.Series:
        """Simple average of the chosen line's yearly DSCR in each case [-]."""
        return self.covers["average_dscr"]

    @property
    def llcr(self) -> pd.Series:
        """Loan life cover ratio of each case at drawdown [-]."""
        return self.covers["llcr"]

    @property
    def explanation(self) -> str:
        """The term-sheet summary as plain text (:meth:`term_sheet`)."""
        return self.term_sheet()

    @property
    def summary(self) -> pd.DataFrame:
        """One-column table (``value``) of the headline figures."""
        rows: dict[str, Any] = {
            "amount": self.value,
            "currency": self.currency or "",
            "tenor": self.tenor,
            "binding_case": self.binding_case,
            "binding_year": self.binding_year,
        }
        for col in ("capacity", "pv_eligible_cash", "dscr"):
            rows |= {f"{col}_{case}": cell_value(self.cases[col], case) for case in ("P50", "P90")}
        for col in ("min_dscr", "average_dscr", "llcr", "min_cover_on_modelled_cash"):
            rows |= {f"{col}_{case}": cell_value(self.covers[col], case) for case in ("P50", "P90")}
        rows |= {col: cell_value(self.cases[col], "P50") for col in ("loan_rate", "haircut")}
        rows |= {k: self.options.get(k) for k in ("reserve_at_close", "gearing_limit", "percentile_basis")}
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready dictionary of the line and its tables."""
        out: dict[str, Any] = {
            "amount": self.value,
            "currency": self.currency,
            "tenor": self.tenor,
            "binding_case": self.binding_case,
            "binding_year": self.binding_year,
            "binding_years": {k: list(v) for k, v in self.binding_years.items()},
            "cases": records(self.cases.reset_index()),
            "covers": records(self.covers.reset_index()),
            "schedule": records(self.schedule),
            "steps": records(self.steps),
            "assumptions": records(self.assumptions),
            "options": {k: (v.item() if isinstance(v, np.generic) else v) for k, v in self.options.items()},
            "explanation": self.explanation,
        }
        if self.contract is not None:
            out["contract"] = self.contract.to_dict()
        if self.basis_comparison is not None:
            out["basis_comparison"] = records(self.basis_comparison.reset_index())
        return out

    # -- words ------------------------------------------------------------------------------
    def _money(self, x: float) -> str:
        return format_amount(x, self.currency)

    def _payers(self) -> str:
        if self.contract is not None:
            return self.contract.payer
        if self.sources is None or "eligible" not in self.sources:
            return ""
        rows = self.sources[self.sources["eligible"].eq(True)]
        payers = [
            str(p) for p in rows.get("payer", pd.Series(dtype=object)).dropna().unique() if str(p).strip()
        ]
        return "; ".join(payers)

    def _outcome_lists(self) -> tuple[str, str, str]:
        """Outcomes that carry debt, non-cash ones, uncontracted savings (each as a phrase)."""
        table = self.sources
        if table is None or table.empty or "eligible" not in table:
            return "", "", ""

        def names(mask: pd.Series) -> str:
            rows = table[mask]
            who = (
                rows["stakeholder"].fillna("").astype(str)
                if "stakeholder" in rows
                else pd.Series("", index=rows.index)
            )
            outs = rows["outcome"] if "outcome" in rows else pd.Series(rows.index, index=rows.index)
            return "; ".join(f"{o} ({w})" if w else str(o) for o, w in zip(outs, who, strict=True))

        tier = table.get("cash_tier", pd.Series("", index=table.index)).astype(str).str.upper()
        contracted = table.get("contracted", pd.Series(False, index=table.index)).eq(True)
        eligible = table["eligible"].eq(True)
        return (
            names(eligible),
            names(~eligible & (tier == "C")),
            names(~eligible & (tier == "B") & ~contracted),
        )

    def _contract_words(self) -> str:
        c = self.contract
        if c is None:
            return ""
        d = c.to_dict()
        what = (
            f"{_percent(float(c.rate_card))} of the value of the verified outcomes"
            if c.rate_card is not None
            else f"{self._money(float(d['price_per_unit']))} per {c.unit_name}"
        )
        parts = [f"{c.payer} pays {what}"]
        if d["payment_cap"] is not None:
            parts.append(f"at most {self._money(float(d['payment_cap']))} a year")
        lag = c.payment_lag
        parts.append(
            "in the year of the outcome"
            if lag == 0
            else f"{lag} year{'s' if lag > 1 else ''} after the outcome"
        )
        if c.contract_years is not None:
            parts.append(f"for the outcomes of contract years 1-{c.contract_years}")
        text = ", ".join(parts) + "."
        if c.payer_haircut < 1:
            text += f" Payments are counted at {_percent(c.payer_haircut)} for the payer's credit quality."
        costs = []
        for key, word in (("delivery_costs", "delivery"), ("verification_costs", "verification")):
            v = np.atleast_1d(np.asarray(d[key], dtype=float))
            if v.any():
                amount = self._money(float(v[0])) + " a year" if np.all(v == v[0]) else "amounts set per year"
                costs.append(f"{word} costs of {amount}")
        if costs:
            text += " The provider's " + " and ".join(costs) + " are netted before debt service, in full."
        if c.description:
            text += f" {c.description}"
        return text

    def _rows(self) -> list[tuple[str, str]]:
        """The term sheet as (heading, text) pairs."""
        opts = self.options
        h = float(cell_value(self.cases["haircut"], "P50"))
        rate = float(cell_value(self.cases["loan_rate"], "P50"))
        dscr = {c: float(cell_value(self.cases["dscr"], c)) for c in ("P50", "P90")}
        pct = float(cell_value(self.cases["cash_flow_percentile"], "P90"))
        carry, noncash, upside = self._outcome_lists()
        payer = self._payers()
        cash_rows: list[tuple[str, str]] = []
        if self.contract is not None:
            cash_rows.append(("Cash that repays the loan", self._contract_words()))
        elif carry:
            cash_rows.append(
                ("Cash that repays the loan", f"{carry}" + (f", paid by {payer}." if payer else "."))
            )
        if self.contract is not None and carry:
            cash_rows.append(("Outcomes paid for", carry + "."))
        not_counted = []
        if noncash:
            not_counted.append(f"non-cash value, which no one pays to the borrower: {noncash}")
        if upside:
            not_counted.append(f"savings to others who have not signed an outcomes contract: {upside}")
        if not_counted:
            cash_rows.append(("Not counted", "; ".join(not_counted) + "."))

        if self.value == 0:
            reason = str(opts.get("zero_reason", "no case leaves cash for debt service in any year"))
            rows = [
                ("Facility", f"none: no loan can be sized, because {reason}."),
                *cash_rows,
                (
                    "What would change this",
                    "cash that someone is bound to pay and that can be verified: a signed outcomes "
                    "contract, or revenue to the borrower, large enough to exceed its costs.",
                ),
            ]
            return rows

        sched = self.schedule
        ds = sched["debt_service"].to_numpy(float)
        groups: list[tuple[float, list[int]]] = []
        for y, d in zip(sched["year"], ds, strict=True):
            if groups and np.isclose(d, groups[-1][0], rtol=1e-6, atol=0) and d > 0:
                groups[-1][1].append(int(y))
            elif d > 0:
                groups.append((float(d), [int(y)]))
        if len(groups) <= 6:
            profile = ", ".join(f"{self._money(d)} in {_years(ys)}" for d, ys in groups)
        else:
            profile = (
                f"from {self._money(ds[ds > 0].min())} to {self._money(ds.max())} a year (see the schedule)"
            )
        grace = [int(y) for y, d in zip(sched["year"], ds, strict=True) if d == 0]
        interest = f"{rate:.2%} a year, fixed, paid at each year end"
        if grace:
            interest += (
                f"; no debt service is due in {_years(grace)}, when the interest is added to the balance"
            )
        cov: dict[Any, dict[Any, Any]] = self.covers.to_dict("index")
        achieved = []
        for c in ("P50", "P90"):
            r = cov[c]
            achieved.append(
                f"{CASE_WORDS[c]}: lowest {r['min_dscr']:.2f}x (year {int(r['min_dscr_year'])}), "
                f"average {r['average_dscr']:.2f}x, loan life cover {r['llcr']:.2f}x"
            )
        weak = [CASE_WORDS[c].split(" (")[0] for c in ("P50", "P90") if float(cov[c]["llcr"]) < 1]
        low_llcr = (
            f" A loan life cover below 1 in the {' and the '.join(weak)} means that, over the life of the "
            "loan, its cash after costs, counting the years of shortfall, does not repay the loan: those "
            "years need funding from elsewhere."
            if weak
            else ""
        )
        modelled = ", ".join(
            f"{float(cov[c]['min_cover_on_modelled_cash']):.2f}x in the {CASE_WORDS[c].split(' (')[0]}"
            for c in ("P50", "P90")
        )
        by_case = [
            f"the {CASE_WORDS[c].split(' (')[0]} in {_years(ys)}"
            for c, ys in self.binding_years.items()
            if ys
        ]
        cap = {c: float(cell_value(self.cases["capacity"], c)) for c in ("P50", "P90")}
        binding = "Debt service is set by " + " and by ".join(by_case) + "."
        if self.binding_year is not None and len(by_case) > 1:
            binding += f" The choice of case matters most in year {self.binding_year}."
        binding += (
            f" Sized on one case alone the line would be {self._money(cap['P50'])} (central) or "
            f"{self._money(cap['P90'])} (downside); one repayment profile must meet both."
        )
        rows = [
            ("Facility", f"amortising term loan of {self._money(self.value)}, drawn at the start of year 1."),
            ("Final maturity", f"end of year {self.tenor} (the last year with debt service)."),
            ("Interest", interest + "."),
            ("Repayment", f"sculpted to the cash: debt service of {profile}."),
            (
                "Covers required",
                f"{dscr['P50']:.2f}x in the central case (P50, median cash) and {dscr['P90']:.2f}x in the "
                f"downside case (P90, cash at its {pct * 100:g}th percentile), every year, on {_percent(h)} of the "
                f"cash (verification haircut of {_percent(1 - h)})"
                + (", after the provider's costs" if self.contract is not None else "")
                + ".",
            ),
            (
                "Covers achieved",
                "; ".join(achieved) + f". On the modelled cash before the haircut: {modelled}." + low_llcr,
            ),
            ("Binding case", binding),
            ("Downside percentile", str(opts.get("basis_words", ""))),
        ]
        reserve = float(opts.get("reserve_months") or 0)
        if reserve > 0:
            at_close = float(opts.get("reserve_at_close") or 0)
            rows.append(
                (
                    "Debt service reserve",
                    f"{reserve:g} months of the largest year's debt service, {self._money(at_close)} at drawdown, "
                    "released as debt service falls; if it is funded from the loan, "
                    f"{self._money(self.value - at_close)} is left for the project. The reserve is not used in sizing.",
                )
            )
        tail = int(opts.get("tail_years") or 0)
        if tail:
            rows.append(("Tail", f"{tail} year{'s' if tail > 1 else ''} of cash after the final maturity."))
        if opts.get("gearing_limit") is not None:
            limit = float(opts["gearing_limit"])
            words = (
                f"binds: the covers alone would allow {self._money(float(opts['cover_amount']))}"
                if opts.get("limited_by_gearing")
                else "does not bind"
            )
            rows.append(
                (
                    "Gearing",
                    f"at most {_percent(float(opts['max_gearing']))} of the stated project cost of "
                    f"{self._money(float(opts['project_cost']))}, a limit of {self._money(limit)}, which {words}.",
                )
            )
        rows += cash_rows
        rows.append(("Risks not modelled", str(opts.get("risks_words", ""))))
        return rows

    def term_sheet(self) -> str:
        """The line as a term-sheet summary in words, for a credit committee.

        Returns
        -------
        str
            One paragraph per term: facility, final maturity, interest, repayment, covers
            required and achieved, the binding case, the percentile basis, reserve, tail and
            gearing when set, the cash that repays the loan and who pays it, what is not
            counted, and the risks not modelled. A line of zero is explained in words.
        """
        head = "Indicative term sheet summary, sized on the social value analysis (not a credit approval)"
        return "\n".join([head, *(f"{k}: {v}" for k, v in self._rows())])

    def to_text(self) -> str:
        """Same as :meth:`term_sheet`."""
        return self.term_sheet()

    def __repr__(self) -> str:
        if self.value == 0:
            return (
                f"CreditLine: {format_amount(0.0, self.currency)} (nothing can be sized; see .term_sheet())"
            )
        lines = [
            f"CreditLine: {format_amount(self.value, self.currency)}, {self.tenor} years ({self.binding_case} binding)"
        ]
        for case in ("P50", "P90"):
            c = {k: cell_value(self.cases[k], case) for k in ("capacity", "cash_flow_percentile", "dscr")}
            lines.append(
                f"  {case}: cash at percentile {c['cash_flow_percentile']:.2f}, DSCR target {c['dscr']:.2f}, "
                f"lowest {cell_value(self.covers['min_dscr'], case):.2f}, LLCR {cell_value(self.covers['llcr'], case):.2f}; "
                f"alone it would allow {format_amount(c['capacity'])}; sets {_years(self.binding_years.get(case, []))}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title = (
            f"Credit line: {format_amount(self.value, self.currency)}"
            if self.value
            else "Credit line: none can be sized"
        )
        terms = "".join(
            f"<tr><th style='text-align:left;vertical-align:top'>{html.escape(k)}</th><td style='text-align:left'>"
            f"{html.escape(v)}</td></tr>"
            for k, v in self._rows()
        )
        parts = [f"<div><h4>{html.escape(title)}</h4><table>{terms}</table>"]

        def pretty(df: pd.DataFrame) -> str:
            return frame_html(df.rename(columns=lambda c: str(c).replace("_", " ")))

        if self.value:
            parts.append(f"<h5>Debt schedule</h5>{pretty(self.schedule.set_index('year'))}")
            parts.append(f"<h5>Covers</h5>{pretty(self.covers)}")
        details = (
            [("Cash by year", self.cash), ("Cases", self.cases), ("Sizing steps", self.steps)]
            if self.value
            else []
        )
        if self.contract_steps is not None:
            details.insert(0, ("From outcomes to payments", self.contract_steps))
        if self.basis_comparison is not None:
            details.append(("Year-by-year and whole-stream percentiles", self.basis_comparison))
        details.append(("Assumptions", self.assumptions))
        for name, df in details:
            parts.append(f"<details><summary>{html.escape(name)}</summary>{pretty(df)}</details>")
        parts.append("</div>")
        return "".join(parts)
