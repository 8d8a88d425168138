"""The over-claim audit: where an analysis does not meet the principles of social value.

:func:`audit` checks an analysis against the Principles of Social Value of Social Value
International (2022) and against published practice, and returns an :class:`Audit` whose
table says, check by check, ``pass``, ``warn`` or ``fail`` with the reason and the field. A
``fail`` means the account over-claims or leaves out what a reader needs (a negative outcome
nobody considered, a change valued twice, a ratio above nine in ten published reports); a
``warn`` asks for a justification. The checks and their thresholds are in docs/method.md §10.2.

References
----------
.. [1] Social Value International. The Principles of Social Value (principles 1-8: involve
   stakeholders; understand what changes; value the things that matter; only include what is
   material; do not over-claim; be transparent; verify the result; be responsive).
   https://socialvalueint.org/principles
.. [2] "SROI Practice at Scale", jcmunozmora/sroi-meta-analysis (2026): 383 reports of the
   Social Value International database (docs/method.md §10).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi import defaults
from sroi.benchmarks import check_analysis, practice_benchmarks, sector_benchmarks
from sroi.distributions import Distribution
from sroi.exceptions import SROIError
from sroi.rates import Rates
from sroi.result import evaluate
from sroi.switching import break_even
from sroi.uncertainty import Simulation, simulate
from sroi.units import ureg

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike

__all__ = ["MATERIALITY", "STATUSES", "TRANSFER_SHARE", "Audit", "audit", "practice_break_even"]

#: Statuses of a check, from best to worst.
STATUSES = ("pass", "warn", "fail")
#: An outcome below this share of the present value is listed as possibly immaterial.
MATERIALITY = 0.01
#: A transferred proxy above this share of income per head in the target country is flagged.
TRANSFER_SHARE = 0.25
#: The point ratio and the Monte Carlo median differing by more than this share is flagged.
POINT_VERSUS_MEDIAN = 0.25

_P = {
    2: "2. Understand what changes",
    3: "3. Value the things that matter",
    4: "4. Only include what is material",
    5: "5. Do not over-claim",
    6: "6. Be transparent",
    7: "7. Verify the result",
}


@dataclass
class Audit:
    """The result of :func:`audit`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per check: ``principle``, ``check``, ``status`` (``pass``, ``warn`` or
        ``fail``), ``detail`` and ``field`` (the field or outcome concerned, '' for the whole
        analysis).
    name : str
        The analysis's name.
    """

    table: pd.DataFrame
    name: str

    @property
    def status(self) -> str:
        """The worst status of any check."""
        return max(self.table["status"], key=STATUSES.index) if len(self.table) else "pass"

    def counts(self) -> dict[str, int]:
        """How many checks pass, warn and fail."""
        return {s: int((self.table["status"] == s).sum()) for s in STATUSES}

    def failures(self) -> pd.DataFrame:
        """The checks that fail."""
        return self.table[self.table["status"] == "fail"].reset_index(drop=True)

    def warnings(self) -> pd.DataFrame:
        """The checks that warn."""
        return self.table[self.table["status"] == "warn"].reset_index(drop=True)

    def __repr__(self) -> str:
        c = self.counts()
        lines = [f"SROI audit: {self.name}: {c['fail']} fail, {c['warn']} warn, {c['pass']} pass"]
        for r in self.table.to_dict("records"):
            if r["status"] != "pass":
                where = f" [{r['field']}]" if r["field"] else ""
                lines.append(f"  {str(r['status']).upper():4}  {r['check']}{where}: {r['detail']}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}
        c = self.counts()
        rows = "".join(
            f"<tr><td>{html.escape(str(r['principle']))}</td><td>{html.escape(str(r['check']))}</td>"
            f"<td style='color:{colour[str(r['status'])]};font-weight:bold'>{r['status']}</td>"
            f"<td>{html.escape(str(r['detail']))}</td><td>{html.escape(str(r['field']))}</td></tr>"
            for r in self.table.to_dict("records")
        )
        return (
            f"<div class='sroi-audit'><h4>SROI audit: {html.escape(self.name)}</h4>"
            f"<p>{c['fail']} fail, {c['warn']} warn, {c['pass']} pass</p><table>"
            "<tr><th>principle</th><th>check</th><th>status</th><th>detail</th><th>field</th></tr>"
            f"{rows}</table></div>"
        )


class _Rows:
    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []

    def add(self, principle: int, check: str, status: str, detail: str, field: str = "") -> None:
        self.rows.append(
            {"principle": _P[principle], "check": check, "status": status, "detail": detail, "field": field}
        )


def _can_be_negative(value: Any, parameters: Any) -> bool:
    if hasattr(value, "name") and not isinstance(value, Distribution) and value.name in parameters:
        value = parameters[value.name]
    if isinstance(value, tuple):
        return any(_can_be_negative(v, parameters) for v in value)
    if isinstance(value, Distribution):
        return value.support()[0] < 0
    magnitude = getattr(value, "magnitude", value)
    try:
        return float(magnitude) < 0
    except (TypeError, ValueError):
        return False


def audit(
    analysis: AnalysisLike,
    simulation: Simulation | None = None,
    *,
    n: int = defaults.DRAWS,
    seed: Any = defaults.SEED,
) -> Audit:
    """Check an analysis for over-claiming, against the principles of social value and practice.

    Parameters
    ----------
    analysis : Analysis
    simulation : Simulation, optional
        A Monte Carlo of the analysis, for the uncertainty checks; default a new one of ``n``
        draws with ``seed`` (only when some estimate has a distribution).
    n : int
        Draws of that simulation (default :data:`sroi.defaults.DRAWS`, the library's one
        default).
    seed : int
        Its seed (default :data:`sroi.defaults.SEED`).

    Returns
    -------
    Audit
        ``audit.table`` has one row per check; ``audit.status`` is the worst.

    Notes
    -----
    The checks (docs/method.md §10.2):

    * sources: every outcome names the source of its indicator and of its proxy (warn);
    * negative outcomes: at least one disbenefit is valued, or ``negative_outcomes_considered``
      says which were considered and why they are not valued (warn otherwise);
    * materiality: outcomes under 1% of the present value are listed (warn); outcomes declared
      to ``overlaps`` another without a share taken out value the same change twice (fail);
    * practice: each filter and the discount rate against the P10-P90 of 383 published reports,
      with the sector's medians when ``sector`` is one of the breakdown's (warn outside);
    * the ratio against practice: above P90 fails, above P75 warns, with the switching values
      that bring it to the practice P90 and to 1:1;
    * benefit transfer: a proxy moved from another currency, per person and year, above 25% of
      the target country's income per head (warn), or transferred by PPP only (warn);
    * inputs complete: where outcomes value a stakeholder's time, the time that stakeholder
      spends appears among the inputs or in ``inputs_not_valued`` (warn otherwise);
    * uncertainty: the share of estimates with a distribution (warn when none or under half),
      and the point ratio against the Monte Carlo median (warn beyond 25%).

    References
    ----------
    .. [1] Social Value International. The Principles of Social Value.
       https://socialvalueint.org/principles

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis("Befriending", "GBP", [sroi.Outcome("Older people", "Less isolated",
    ...     quantity="120 person", proxy="500 GBP/person", duration=3, deadweight=0.2,
    ...     attribution=0.25, drop_off=0.1)], [sroi.Input("Funder", "Grant", "100000 GBP")])
    >>> result = audit(a)
    >>> result.status
    'warn'
    >>> result.warnings()["check"].tolist()
    ['sources given', 'sources given', 'negative outcomes considered', 'uncertainty stated']
    """
    rows = _Rows()
    result = evaluate(analysis)
    by = result.by_outcome
    ids = analysis.outcome_ids
    outcomes = analysis.outcomes
    parameters = getattr(analysis, "parameters", {})

    # 6. transparency: sources
    missing = [
        (ids[i], what)
        for i, o in enumerate(outcomes)
        for what, text in (("indicator source", o.source), ("proxy source", o.proxy_source))
        if not str(text).strip()
    ]
    if missing:
        for oid, what in missing:
            rows.add(6, "sources given", "warn", f"no {what}: say where the figure comes from", oid)
    else:
        rows.add(
            6, "sources given", "pass", f"all {len(outcomes)} outcomes cite an indicator and a proxy source"
        )

    # 2. negative outcomes
    negative = [ids[i] for i, o in enumerate(outcomes) if _can_be_negative(o.proxy, parameters)]
    considered = list(getattr(analysis, "negative_outcomes_considered", ()))
    if negative:
        rows.add(
            2,
            "negative outcomes considered",
            "pass",
            f"{len(negative)} disbenefit(s) valued: {', '.join(negative)}",
        )
    elif considered:
        listed = "; ".join(f"{x.description} ({x.reason})" for x in considered)
        rows.add(2, "negative outcomes considered", "pass", f"considered and not valued: {listed}")
    else:
        rows.add(
            2,
            "negative outcomes considered",
            "warn",
            "no negative or unintended outcome is valued or listed as considered; value disbenefits "
            "(a negative proxy) or list them under negative_outcomes_considered with the reason",
        )

    # 4. materiality and 5. overlaps
    total = float(np.abs(by["present_value"]).sum())
    small = [
        (ids[i], pv)
        for i, pv in enumerate(by["present_value"])
        if total > 0 and abs(pv) / total < MATERIALITY
    ]
    if small:
        for oid, pv in small:
            share = abs(pv) / total
            rows.add(
                4,
                "material outcomes",
                "warn",
                f"{share:.2%} of the present value: material, or drop it?",
                oid,
            )
    else:
        rows.add(
            4,
            "material outcomes",
            "pass",
            f"every outcome is at least {MATERIALITY:.0%} of the present value",
        )
    declared = [(ids[i], other, share) for i, o in enumerate(outcomes) for other, share in o.overlaps.items()]
    for oid, other, share in declared:
        if share is None:
            rows.add(
                5,
                "no double counting",
                "fail",
                f"declared to overlap {other!r} with no share taken out: the same change is valued twice; "
                f"give the share already counted (overlaps: {{{other}: 0.5}})",
                oid,
            )
        else:
            rows.add(
                5, "no double counting", "pass", f"the share already counted by {other!r} is taken out", oid
            )
    if not declared:
        rows.add(5, "no double counting", "pass", "no overlap between outcomes is declared")

    # 5. practice: filters and discount rate (and the sector's medians)
    practice = check_analysis(analysis, warn=False, ratio=False)
    sector = getattr(analysis, "sector", "")
    by_sector = sector_benchmarks(sector) if sector else pd.DataFrame()
    medians = {r["factor"]: (float(r["median"]), int(r["n"])) for r in by_sector.to_dict("records")}
    if sector and by_sector.empty:
        known = ", ".join(sorted(set(sector_benchmarks()["sector"])))
        rows.add(5, "sector benchmarks", "warn", f"sector {sector!r} is not in the breakdown ({known})")
    for r in practice.to_dict("records"):
        extra = ""
        if r["factor"] in medians:
            med, count = medians[r["factor"]]
            extra = f"; {sector} reports' median {med:.1%} (n = {count})"
        status = "warn" if r["outside_p10_p90"] else "pass"
        rows.add(
            5,
            f"{r['factor'].replace('_', ' ')} against practice",
            status,
            f"{r['value']:.3g}: {r['band']}{extra}",
            r["field"],
        )

    # 5. the ratio against practice
    bench = practice_benchmarks().set_index("factor")
    ratio = result.ratio
    p75, p90 = (
        float(bench[q].to_numpy(dtype=float)[list(bench.index).index("sroi_ratio")]) for q in ("p75", "p90")
    )
    if ratio > p75:
        status = "fail" if ratio > p90 else "warn"
        detail = (
            f"point ratio {ratio:.2f} is above the practice {'P90' if ratio > p90 else 'P75'} "
            f"({p90 if ratio > p90 else p75:.2f}; 383 published reports)"
        )
        for target, label in ((p90, "the practice P90"), (1.0, "1:1")):
            moves = _switching(analysis, target)
            if moves:
                detail += f"; to reach {label} ({target:.2f}): {moves}"
        rows.add(5, "ratio against practice", status, detail, "ratio")
    else:
        rows.add(
            5,
            "ratio against practice",
            "pass",
            f"point ratio {ratio:.2f} is at or below the practice P75 ({p75:.2f})",
            "ratio",
        )

    # 3. benefit transfer
    _transfer_checks(analysis, result, rows)

    # 6. price years beyond the packaged data: an assumed inflation is stated, so say so
    _extrapolation_checks(result, rows)

    # 5. inputs complete: time valued but not spent
    _time_input_checks(analysis, rows)

    # 7. uncertainty stated
    comp = analysis.compiled
    uncertain, slots = len(comp.uncertain()), len(comp.estimates_used())
    if uncertain == 0:
        rows.add(
            7,
            "uncertainty stated",
            "warn",
            "no estimate has a distribution: no uncertainty is specified, so no interval can be given",
        )
    else:
        share = uncertain / slots
        status = "warn" if share < 0.5 else "pass"
        rows.add(
            7,
            "uncertainty stated",
            status,
            f"{uncertain} of {slots} estimates carry a distribution ({share:.0%})",
        )
        sim = simulation if simulation is not None else simulate(analysis, n, seed=seed, keep_draws=False)
        median = float(np.median(sim.ratio))
        gap = ratio / median - 1.0 if median else math.inf
        status = "warn" if abs(gap) > POINT_VERSUS_MEDIAN else "pass"
        lo, hi = sim.interval(defaults.INTERVAL_LEVEL)
        rows.add(
            7,
            "point value representative",
            status,
            f"point ratio {ratio:.2f}, Monte Carlo median {median:.2f} ({gap:+.0%}), 80% interval {lo:.2f} to {hi:.2f}"
            + ("; lead with the median and its interval" if status == "warn" else ""),
            "ratio",
        )
    table = pd.DataFrame(rows.rows, columns=["principle", "check", "status", "detail", "field"])
    return Audit(table=table, name=analysis.name)


def practice_break_even(analysis: AnalysisLike) -> pd.DataFrame:
    """Switching values against 1:1 and published practice: how far each estimate must move, alone.

    The relative change of each estimate that, alone, brings the point ratio to three targets:
    1:1, the median and the P90 of the SROI ratios of 383 published reports
    (:func:`sroi.benchmarks.practice_benchmarks`; docs/method.md §7.2 and §10.1).

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    pandas.DataFrame
        Index (``outcome``, ``parameter``); one column per target, labelled ``1:1``,
        ``practice median 3.2``... holding ``switching_value / base - 1`` [fraction]. Only the
        estimates that can reach all three targets alone are listed, the smallest change to
        1:1 first; ``attrs["not_listed"]`` counts the others and ``attrs["targets"]`` maps each
        column to its target ratio.

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis("Befriending", "GBP", [sroi.Outcome("Older people", "Less isolated",
    ...     quantity="120 person", proxy="500 GBP/person", duration=3)],
    ...     [sroi.Input("Funder", "Grant", "100000 GBP")])
    >>> table = practice_break_even(a)
    >>> list(table.columns)[0], round(float(table.loc[("Older people: Less isolated", "quantity"), "1:1"]), 3)
    ('1:1', -0.405)
    """
    practice = practice_benchmarks().set_index("factor")
    median, p90 = np.asarray(practice.loc["sroi_ratio", ["median", "p90"]], dtype=float).tolist()
    targets = {"1:1": 1.0, f"practice median {median:g}": median, f"practice P90 {p90:g}": p90}
    columns = {}
    total = 0
    for name, target in targets.items():
        be = break_even(analysis, target)
        total = len(be)
        be = be[np.isfinite(be["relative_change"])]
        columns[name] = be.set_index(["outcome", "parameter"])["relative_change"]
    table = pd.DataFrame(columns).dropna()
    table = table.reindex(table["1:1"].abs().sort_values(kind="stable").index)
    table.attrs["not_listed"] = total - len(table)
    table.attrs["targets"] = targets
    return table


def _switching(analysis: AnalysisLike, target: float) -> str:
    """The three estimates whose smallest change alone brings the ratio to ``target``."""
    try:
        be = break_even(analysis, target)
    except SROIError:
        return ""
    found = be[np.isfinite(be["relative_change"])].copy()
    found["size"] = found["relative_change"].abs()
    found = found.sort_values("size").head(3)
    parts = [
        f"{(r['outcome'] + ': ') if r['outcome'] and not r['outcome'].startswith('(') else ''}"
        f"{r['parameter']} {r['relative_change']:+.0%}"
        for r in found.to_dict("records")
    ]
    return ", ".join(parts)


def _transfer_checks(analysis: AnalysisLike, result: Any, rows: _Rows) -> None:
    conv = result.conversions
    if conv.empty:
        rows.add(3, "benefit transfer", "pass", "no proxy is moved from another currency")
        return
    moved = conv[
        (conv["basis"] != "none") & (conv["basis"] != "income") & conv["field"].str.endswith(".proxy")
    ]
    if moved.empty:
        rows.add(3, "benefit transfer", "pass", "no proxy is moved from another currency")
        return
    rates = getattr(analysis, "rates", None)
    rates = rates if isinstance(rates, Rates) else Rates.default()
    year = getattr(analysis, "price_year", None)
    income = None
    if year is not None:
        try:
            per_head_ppp, _ = rates.income_per_head(analysis.currency, year, "price_year")
            ppp, _ = rates.ppp_of(analysis.currency, year, "price_year")
            income = per_head_ppp * ppp  # GDP per head in the analysis currency
        except SROIError:
            income = None
    by = result.by_outcome
    ids = analysis.outcome_ids
    adjusted = set(
        conv.loc[conv["basis"] == "income", "field"].str.replace(".income_elasticity", "", regex=False)
    )
    for path in moved["field"]:
        i = int(path.split("[")[1].split("]")[0])
        oid = ids[i]
        if f"outcomes[{i}]" not in adjusted:
            rows.add(
                3,
                "benefit transfer adjusted for income",
                "warn",
                "moved by PPP only: a value from a richer country stays at that country's share of income; "
                "give income_elasticity (0.8-1.0 is usual, 1 for countries of very different income: "
                "docs/method.md §5.3)",
                oid,
            )
        else:
            rows.add(3, "benefit transfer adjusted for income", "pass", "income elasticity applied", oid)
        unit = str(by.loc[i, "proxy_unit"])
        per_person_year = (
            ureg.Unit(unit) == ureg.Unit(f"{analysis.currency} / person / year") if unit else False
        )
        if income and per_person_year:
            proxy = float(by["proxy"].iloc[i])
            share = proxy / income
            status = "warn" if share > TRANSFER_SHARE else "pass"
            rows.add(
                3,
                "transferred value against income",
                status,
                f"{proxy:,.0f} {analysis.currency} a person a year is {share:.0%} of income per head "
                f"({income:,.0f} {analysis.currency}, {year})"
                + ("; a value this large needs local evidence" if status == "warn" else ""),
                oid,
            )


def _extrapolation_checks(result: Any, rows: _Rows) -> None:
    """Warn for every conversion that uprates past the packaged price data (docs/method.md §5.6)."""
    conv = result.conversions
    if conv.empty or "extrapolation" not in conv:
        rows.add(
            6, "price years within the data", "pass", "no conversion goes beyond the packaged price data"
        )
        return
    stated = conv[conv["extrapolation"].astype(str) != ""]
    if stated.empty:
        rows.add(
            6, "price years within the data", "pass", "no conversion goes beyond the packaged price data"
        )
        return
    for r in stated.to_dict("records"):
        rows.add(
            6,
            "price years within the data",
            "warn",
            f"uprated with an assumed inflation past the data ({r['extrapolation']}): report it beside the result",
            str(r["field"]),
        )


def _time_input_checks(analysis: AnalysisLike, rows: _Rows) -> None:
    comp = analysis.compiled
    ids = analysis.outcome_ids
    spenders = {i.stakeholder for i in analysis.inputs}
    excused = {x.stakeholder for x in getattr(analysis, "inputs_not_valued", ()) if x.stakeholder}
    found = False
    for i, (o, spec) in enumerate(zip(analysis.outcomes, comp.outcomes, strict=True)):
        if "hour" not in spec.proxy_unit and "hour" not in spec.reached_unit:
            continue
        found = True
        if o.stakeholder in spenders or o.stakeholder in excused:
            rows.add(
                5,
                "inputs complete",
                "pass",
                f"the own time of {o.stakeholder} is an input or explained",
                ids[i],
            )
        else:
            rows.add(
                5,
                "inputs complete",
                "warn",
                f"time saved by {o.stakeholder} is valued, but the time {o.stakeholder} spends (learning, "
                "setting up) is not an input: add it, or say why under inputs_not_valued",
                ids[i],
            )
    if not found:
        rows.add(5, "inputs complete", "pass", "no outcome values a stakeholder's time")
