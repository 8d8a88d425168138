"""The whole analysis in one call, and its report: tables, figures and one HTML file.

:func:`analyse` runs the point result, Monte Carlo, tornado, switching values, practice
benchmarks and credit-line scenarios; :class:`Report` holds them, writes every table and
figure to a folder (:meth:`Report.write`) and renders a self-contained HTML report
(:meth:`Report.to_html`, :func:`write_html`): one file, no network access, figures embedded.
It is written for a finance reader: every estimate as a value with its interval and source label
(:mod:`sroi.readable`), no model syntax or code names, the Monte Carlo median with its interval
and P(ratio > target) as the headline; its tables fit a 1200 px window (cells wrap, a phone
scrolls them sideways) and print on landscape A4 without losing a column.

:func:`analyse` is what ``make demo`` and ``sroi analyse MODEL`` run. It composes the other
modules and adds no arithmetic of its own: every number comes from the one engine through
:meth:`Analysis.evaluate`, :func:`sroi.uncertainty.simulate`, :mod:`sroi.sensitivity` and
:func:`sroi.finance.credit_line`.

Examples
--------
>>> import sroi
>>> from sroi.report import analyse
>>> rep = analyse(sroi.load(sroi.datasets.dataset_path("example", "digital_inclusion.yaml")),
...               n=2000, seed=1)
>>> round(rep.result.ratio, 2), rep.simulation.n
(4.88, 2000)
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi import defaults, plot
from sroi.audit import Audit
from sroi.audit import audit as audit_of
from sroi.benchmarks import check_analysis
from sroi.disclosure import html_section as disclosure_section
from sroi.display import (
    conversions_in_words,
    credit_assumptions_in_words,
    frame_in_words,
    html_table,
    practice_in_words,
    results_in_words,
    schedule_in_words,
    simulation_in_words,
    tornado_in_words,
)
from sroi.finance import CreditScenario, apply_changes, credit_line, load_credit_scenarios
from sroi.finance.scenarios import check_scenarios
from sroi.io.export import export_tables
from sroi.readable import (
    audit_in_words,
    break_even_in_words,
    estimates_in_words,
    money_words,
    percent,
    sources_in_words,
    value_map_in_words,
)
from sroi.uncertainty import Simulation, simulate

if TYPE_CHECKING:
    from sroi.analysis import Analysis
    from sroi.indicators import IndicatorSystem
    from sroi.monitoring import Monitoring
    from sroi.result import Result

__all__ = [
    "SECTIONS",
    "CreditScenario",
    "Report",
    "analyse",
    "apply_changes",
    "load_credit_scenarios",
    "render_html",
    "write_html",
]


@dataclass
class Report:
    """Everything :func:`analyse` computed, with its tables, figures and a printed summary."""

    analysis: Analysis
    result: Result
    simulation: Simulation
    tornado: pd.DataFrame
    break_even: pd.DataFrame
    practice: pd.DataFrame
    credit: dict[str, Any]
    scenarios: list[CreditScenario]
    target: float = 1.0
    audit: Audit | None = None
    indicators: IndicatorSystem | None = None
    monitoring: Monitoring | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by name (value map, breakdowns, Monte Carlo, sensitivity, credit)."""
        r, s = self.result, self.simulation
        tables = {
            "value_map": r.by_outcome,
            "by_stakeholder": r.by_stakeholder,
            "per_year": r.per_year.reset_index(),
            "value_by_tier": r.value_by_tier.reset_index(),
            "conversions": r.conversions,
            "estimates": self.analysis.estimates(),
            "monte_carlo_summary": s.summary().reset_index(),
            "tornado": self.tornado,
            "break_even": self.break_even,
            "practice_benchmarks": self.practice,
        }
        rows = []
        for sc in self.scenarios:
            line = self.credit[sc.name]
            rows.append(
                {
                    "scenario": sc.name,
                    "illustrative": sc.illustrative,
                    "amount": _magnitude(line.amount),
                    "currency": self.analysis.currency,
                    "binding_case": line.binding_case,
                    "description": sc.description,
                }
            )
            tables[f"credit_steps_{_slug(sc.name)}"] = line.steps
        if rows:
            tables["credit_lines"] = pd.DataFrame(rows)
        return tables

    def figures(self) -> dict[str, Any]:
        """Figures by name (matplotlib Figures): tornado, ratio distribution, waterfall,
        PV by stakeholder, cumulative value against inputs."""
        import matplotlib.pyplot as plt

        draw: dict[str, tuple[Any, tuple[float, float]]] = {
            "tornado": (lambda ax: plot.plot_tornado(self._tornado_labelled().head(15), ax=ax), (9, 10)),
            "ratio_distribution": (
                lambda ax: plot.plot_ratio_distribution(self.simulation, target=self.target, ax=ax),
                (7, 4),
            ),
            "waterfall": (lambda ax: plot.plot_waterfall(self.result, ax=ax), (8, 4.5)),
            "by_stakeholder": (lambda ax: plot.plot_by_stakeholder(self.result, ax=ax), (7, 4)),
            "cumulative": (lambda ax: plot.plot_cumulative(self.result, ax=ax), (7, 4)),
        }
        figs = {}
        for name, (fn, size) in draw.items():
            fig, ax = plt.subplots(figsize=size)
            fn(ax)
            fig.tight_layout()
            figs[name] = fig
        return figs

    def _tornado_labelled(self) -> pd.DataFrame:
        """The tornado with each estimate's label in words (for the figure)."""
        t = self.tornado.copy()
        t["label"] = tornado_in_words(t, self.analysis)["estimate"].to_numpy()
        return t

    def write(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write every table (CSV) and figure (PNG) into ``directory``; return the paths."""
        import matplotlib.pyplot as plt

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = list(export_tables(_TablesOf(self.tables()), out, formats=("csv",)))
        for name, fig in self.figures().items():
            path = out / f"{name}.png"
            fig.savefig(path, dpi=120)
            plt.close(fig)
            paths.append(path)
        (out / "summary.txt").write_text(self.summary_text() + "\n", encoding="utf-8")
        paths.append(out / "summary.txt")
        return paths

    def summary_text(self, top: int = 5) -> str:
        """The headline numbers in plain text (what ``make demo`` prints)."""
        r, s, cur = self.result, self.simulation, self.analysis.currency
        lines = [
            f"{self.analysis.name}",
            "",
            "Value map (point values):",
            _indent(
                results_in_words(r)[
                    [
                        "id",
                        "quantity",
                        f"impact, first year ({cur})",
                        f"present value ({cur})",
                        "share of present value",
                    ]
                ].to_string(index=False)
            ),
            "",
            f"Present value {r.present_value.magnitude:,.0f} {cur}; inputs {r.total_inputs.magnitude:,.0f} {cur}; "
            f"NPV {r.net_present_value.magnitude:,.0f} {cur}",
            s.headline(),
            f"SROI ratio at the point values of every estimate: {r.ratio:.2f} : 1",
            "",
            f"Switching values: the estimates that, changed alone by the smallest amount, bring the ratio "
            f"to {self.target:g}:",
            _indent(_top_break_even(self.break_even, self.analysis, top)),
        ]
        practice = practice_in_words(self.practice, self.analysis) if len(self.practice) else self.practice
        flagged = practice[practice["outside P10-P90"] == "yes"] if len(practice) else practice
        if len(flagged):
            lines += ["", "Outside the P10-P90 of 383 published SROI reports (justify these):"]
            lines += [
                f"  {r['applies to']} {r['estimate']} = {r['value']} ({r['band among published reports']})"
                for r in flagged.to_dict("records")
            ]
        for sc in self.scenarios:
            line = self.credit[sc.name]
            label = " [ILLUSTRATIVE]" if sc.illustrative else ""
            lines += [
                "",
                f"Credit line, {sc.name}{label}: {_magnitude(line.amount):,.0f} {cur}",
                _indent(line.explanation),
            ]
        return "\n".join(lines)

    def to_html(self, path: str | os.PathLike[str], title: str | None = None) -> Path:
        """Write a self-contained HTML report (see :func:`write_html`)."""
        return write_html(self, path, title)

    def __repr__(self) -> str:
        return self.summary_text()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary_text())}</pre>"


class _TablesOf:
    """Adapter giving a dict of tables the ``tables()`` interface of :func:`sroi.io.export.export_tables`."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self._tables = dict(tables)

    def tables(self) -> dict[str, pd.DataFrame]:
        return self._tables


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _indent(text: str, pad: str = "  ") -> str:
    return "\n".join(pad + line for line in text.splitlines())


def _magnitude(x: Any) -> float:
    return float(getattr(x, "magnitude", x))


def _top_break_even(df: pd.DataFrame, analysis: Analysis, top: int) -> str:
    """The ``top`` switching values with the smallest relative change, in words."""
    change = df["relative_change"].abs().to_numpy(dtype=float)
    finite = np.flatnonzero(np.isfinite(change))
    rows = finite[np.argsort(change[finite], kind="stable")][:top]
    words = break_even_in_words(df.iloc[rows], analysis)
    cols = ["id", "estimate", "point value", "switching value", "change"]
    return words[cols].to_string(index=False)


def analyse(
    analysis: Analysis,
    *,
    n: int = defaults.DRAWS,
    seed: Any = defaults.SEED,
    target: float = 1.0,
    credit_scenarios: Sequence[CreditScenario] = (),
    progress: bool | None = None,
    indicators: IndicatorSystem | None = None,
    monitoring: Monitoring | None = None,
) -> Report:
    """Run the whole SROI analysis of a model.

    Parameters
    ----------
    analysis : Analysis
    n : int
        Monte Carlo draws (default :data:`sroi.defaults.DRAWS`).
    seed : int, Generator or SeedSequence
        Seed of the Monte Carlo (default fixed, so reports are reproducible).
    target : float
        Ratio target of the switching values and of P(ratio > target) (default 1, the Guide's 1:1).
    credit_scenarios : sequence of CreditScenario
        Cases for the credit line; each changes only who is bound to pay (docs/method.md §9).
    progress : bool, optional
        Show a progress bar for long simulations.
    indicators : IndicatorSystem, optional
        Indicators for the report's "Indicators and disclosure" section (default: the analysis's
        own, if any; the section is left out when there are none).
    monitoring : Monitoring, optional
        Monitoring data (:func:`sroi.monitoring.monitor`): forecast against actual, updated
        estimates and the evaluative SROI in that section.

    Returns
    -------
    Report

    Notes
    -----
    The credit line of each scenario is sized on the simulation of that scenario's analysis with
    the same seed, so the draws, and the social value, are the same in every scenario.
    """
    result = analysis.evaluate()
    sim = simulate(analysis, n, seed=seed, progress=progress, targets=(target,))
    uncertain = bool(analysis.compiled.uncertain())
    # without distributions, the tornado moves every estimate by +-20% (sroi.sensitivity.tornado)
    tornado = analysis.tornado(include="uncertain" if uncertain else "all")
    be = analysis.break_even(target=target)
    practice = check_analysis(analysis, warn=False)
    credit = {}
    credit_scenarios = check_scenarios(credit_scenarios)  # names key the credit lines: unique
    for sc in credit_scenarios:
        scenario_analysis = apply_changes(analysis, sc.changes) if sc.changes else analysis
        scenario_sim = sim if not sc.changes else simulate(scenario_analysis, n, seed=seed, progress=progress)
        credit[sc.name] = credit_line(scenario_sim, **dict(sc.credit))
    checks = audit_of(analysis, sim)  # the over-claim audit on the same draws (docs/method.md §10.2)
    return Report(
        analysis,
        result,
        sim,
        tornado,
        be,
        practice,
        credit,
        list(credit_scenarios),
        target,
        audit=checks,
        indicators=indicators,
        monitoring=monitoring,
    )


# -- the HTML report ---------------------------------------------------------------------------
#: Section ids of the report, in order. "audit" appears when the report has an audit (always from
#: :func:`analyse`), "indicators-and-disclosure" when the analysis has indicators or monitoring
#: data were given; the navigation lists only the sections present.
SECTIONS = (
    "summary",
    "value-map",
    "results",
    "monte-carlo",
    "tornado",
    "break-even",
    "audit",
    "conversions",
    "sources-and-assumptions",
    "practice",
    "indicators-and-disclosure",
    "credit-line",
)

_NAV = {
    "summary": "Summary",
    "value-map": "Value map",
    "results": "Results",
    "monte-carlo": "Uncertainty",
    "tornado": "Sensitivity",
    "break-even": "Switching values",
    "audit": "Audit",
    "conversions": "Conversions",
    "sources-and-assumptions": "Sources",
    "practice": "Practice",
    "indicators-and-disclosure": "Indicators",
    "credit-line": "Credit line",
}

# Fits a 1200 px window (content at most 1150 px wide; cells wrap anywhere rather than push a
# table wider than its column) and prints on landscape A4 with every column of every table.
_CSS = """
:root { --ink: #1b1f24; --muted: #5b6470; --line: #d7dce2; --accent: #1f5f8b; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1150px; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .2rem 0 .4rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 2px solid var(--accent); padding-bottom: .2rem; } h3 { font-size: 1.05rem; }
p.meta, .note { color: var(--muted); font-size: .9rem; }
p.headline { font-size: 1.1rem; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .6rem; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; }
.kpi b { display: block; font-size: 1.3rem; } .kpi.secondary b { font-size: 1rem; font-weight: 600; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: .5rem 0 1rem; max-width: 100%; }
table { border-collapse: collapse; font-size: .82rem; width: auto; max-width: 100%; }
table.wide { width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .4rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f3f5f7; font-weight: 600; overflow-wrap: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
td.num { white-space: nowrap; }
td.pass { color: #1a7f37; font-weight: 600; } td.warn { color: #9a6700; font-weight: 600; }
td.fail { color: #cf222e; font-weight: 600; }
table.terms td:first-child, table.terms th:first-child { width: 13rem; }
figure { margin: 1rem 0; break-inside: avoid; } figure img { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .85rem; }
nav a { margin-right: .8rem; font-size: .9rem; white-space: nowrap; }
.illustrative { background: #fff4d6; border-left: 4px solid #d9a400; padding: .4rem .6rem; }
.no-line { background: #f3f5f7; border-left: 4px solid var(--muted); padding: .4rem .6rem; }
"""

# Printing: landscape A4, smaller type, tables never clipped (wrapped to the page instead).
_PRINT_CSS = """
@page { size: A4 landscape; margin: 12mm; }
nav { display: none; }
body { max-width: none; padding: 0; font-size: 9.5pt; }
h2 { break-after: avoid; margin-top: 1.2rem; } h3 { break-after: avoid; }
.table-wrap { overflow: visible; }
table { font-size: 7.5pt; width: 100%; }
thead { display: table-header-group; } tr { break-inside: avoid; }
th, td { padding: .15rem .25rem; }
td.num { white-space: normal; }
figure img { max-height: 160mm; width: auto; }
"""


def _figure(fig: Any, caption: str, name: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure id="figure-{name}"><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _discount_words(a: Analysis) -> str:
    rate = a.discount_rate
    try:
        text = f"{percent(float(rate))} a year"
    except (TypeError, ValueError):
        text = "a schedule of rates by year"
    return f"{text}, {a.discount_timing.replace('_', ' ')}"


def _headline(report: Report) -> tuple[str, list[tuple[str, str, bool]]]:
    """The headline sentence and the key figures (label, value, secondary) of the summary.

    With uncertainty the Monte Carlo median leads, with its interval and P(ratio > target); the
    ratio at point values comes after it (docs/method.md §6.3).
    """
    r, s, cur = report.result, report.simulation, report.analysis.currency
    level = defaults.INTERVAL_LEVEL
    k, m = s.uncertain_estimates
    if k == 0:
        sentence = (
            f"SROI ratio {r.ratio:.2f} : 1 at the values given. No uncertainty is specified: every estimate "
            "is a single value, so there is no interval and no probability."
        )
        kpis = [("SROI ratio", f"{r.ratio:.2f} : 1", False), ("Uncertainty", "none specified", False)]
    else:
        lo, hi = s.interval(level)
        median = float(np.median(s.ratio))
        p = s.probability_ratio_exceeds(report.target)
        article = "an" if f"{level:.0%}".startswith(("8", "11", "18")) else "a"
        sentence = (
            f"The SROI ratio is most likely about {median:.2f} : 1 (the median of {s.n:,} Monte Carlo draws), "
            f"with {article} {level:.0%} interval of {lo:.2f} to {hi:.2f}; the probability that it exceeds "
            f"{report.target:g} : 1 is {p:.0%}. At the point value of every estimate it is {r.ratio:.2f} : 1."
        )
        if k < m:
            sentence += f" {k} of {m} estimates carry a distribution; the others are held at their values."
        quantiles = s.summary().loc["present_value", ["p10", "p50", "p90"]].to_numpy(dtype=float)
        pv = dict(zip(("p10", "p50", "p90"), (float(v) for v in quantiles), strict=True))
        kpis = [
            ("SROI ratio, most likely (median)", f"{median:.2f} : 1", False),
            (f"{level:.0%} interval", f"{lo:.2f} to {hi:.2f}", False),
            (f"Probability ratio > {report.target:g}", f"{p:.0%}", False),
            ("Ratio at point values", f"{r.ratio:.2f} : 1", True),
            (
                "Present value, median",
                f"{money_words(pv['p50'], cur)} ({money_words(pv['p10'])} to {money_words(pv['p90'])})",
                True,
            ),
        ]
    kpis += [
        ("Present value at point values", money_words(r.present_value.magnitude, cur), True),
        ("Inputs (present value)", money_words(r.total_inputs.magnitude, cur), True),
        ("Net present value at point values", money_words(r.net_present_value.magnitude, cur), True),
    ]
    return sentence, kpis


def _break_even_table(report: Report) -> pd.DataFrame:
    words = break_even_in_words(report.break_even, report.analysis)
    change = report.break_even["relative_change"].abs().to_numpy(dtype=float)
    order = np.argsort(np.where(np.isfinite(change), change, np.inf), kind="stable")
    return words.iloc[order].reset_index(drop=True)


def _terms(sheet: str) -> list[tuple[str, str]]:
    """A term sheet (``CreditLine.term_sheet()``: a heading, then one ``term: words`` line each) as
    (term, words) pairs."""
    pairs = []
    for line in sheet.splitlines()[1:]:
        term, _, words = line.partition(": ")
        pairs.append((term, words))
    return pairs


def _credit_section(report: Report) -> list[str]:
    cur = report.analysis.currency
    parts = ['<section id="credit-line"><h2>Credit line</h2>']
    if not report.scenarios:
        parts.append(
            "<p>No credit scenario was given: a credit scenario states who is bound to pay for which "
            "outcome, and only such cash can carry debt.</p></section>"
        )
        return parts
    for sc in report.scenarios:
        line = report.credit[sc.name]
        amount = float(getattr(line.amount, "magnitude", line.amount))
        label = " (ILLUSTRATIVE, not a real contract)" if sc.illustrative else ""
        cls = ' class="illustrative"' if sc.illustrative else ""
        terms = _terms(line.term_sheet())
        if amount == 0:
            facility = dict(terms).get("Facility", "")
            reason = (
                facility.split("because", 1)[1].strip().rstrip(".") if "because" in facility else facility
            )
            parts += [
                f"<h3>{html.escape(sc.name + label)}: no credit line</h3>",
                f"<p{cls}>{html.escape(sc.description)}</p>",
                f'<p class="no-line"><b>No line.</b> No loan can be sized: {html.escape(reason)}.</p>',
                html_table(
                    pd.DataFrame([(k, v) for k, v in terms if k != "Facility"], columns=["term", "in words"]),
                    classes="terms wide",
                ),
            ]
            continue
        schedule = schedule_in_words(line.schedule, cur)
        parts += [
            f"<h3>{html.escape(sc.name + label)}: {amount:,.0f} {cur}</h3>",
            f"<p{cls}>{html.escape(sc.description)}</p>",
            f'<p class="note">{html.escape(line.term_sheet().splitlines()[0])}.</p>',
            html_table(pd.DataFrame(terms, columns=["term", "in words"]), classes="terms wide"),
            "<h4>Debt schedule</h4>",
            html_table(
                schedule,
                numeric=[c for c in schedule.columns if c not in ("year", "case that sets debt service")],
            ),
            "<h4>Assumptions</h4>",
            html_table(
                credit_assumptions_in_words(line.assumptions),
                classes="wide",
                widths={"assumption": "20%", "value": "16%", "usual range": "14%"},
            ),
        ]
    parts.append("</section>")
    return parts


def _uncertainty_part(s: Simulation, figure: str) -> list[str]:
    """The Monte Carlo summary and the ratio's distribution; without any uncertain estimate, a
    sentence instead of a zero-width interval (docs/method.md §6.3)."""
    note = s.uncertainty_note()
    note = html.escape(note[:1].upper() + note[1:])
    if not s.uncertain_estimates[0]:
        return [f"<p>{note}.</p>"]
    table = simulation_in_words(s)
    return [
        f"<p>{note}.</p>",
        html_table(table, index=True, numeric=list(table.columns)),
        figure,
    ]


def _audit_section(report: Report) -> list[str]:
    audit = report.audit
    if audit is None:
        return []
    c = audit.counts()
    return [
        '<section id="audit"><h2>Audit: does the account over-claim?</h2>',
        f'<p class="headline">{c["fail"]} check(s) fail, {c["warn"]} ask for a justification, {c["pass"]} pass.</p>',
        '<p class="note">Checks against the Principles of Social Value and 383 published SROI reports. '
        '"fail": the account over-claims or leaves out what a reader needs; "warn": a justification is '
        "needed. A pass is not an assurance: the audit reads the account, it cannot see outcomes or "
        "stakeholders that are absent.</p>",
        html_table(
            audit_in_words(audit.table, report.analysis),
            cell_class={"result": lambda text: text if text in ("pass", "warn", "fail") else ""},
            classes="wide",
            widths={"principle": "16%", "check": "17%", "result": "6%", "where": "16%"},
        ),
        "</section>",
    ]


def _indicators_section(report: Report) -> list[str]:
    if report.monitoring is None and not _has_indicators(report):
        return []
    return [disclosure_section(report.analysis, report.monitoring, indicators=report.indicators)]


def _has_indicators(report: Report) -> bool:
    if report.indicators is not None and len(report.indicators):
        return True
    own = getattr(report.analysis, "indicators", None)
    return own is not None and bool(len(own))


def render_html(report: Report, title: str | None = None) -> str:
    """The report as one HTML document (a string); see :func:`write_html`.

    Written for a finance reader: values and intervals in numbers and words (no model syntax or
    code names), the Monte Carlo median with its interval and P(ratio > target) as the headline
    and the point value after it (docs/method.md §6.3), tables that fit a 1200 px window and print
    on landscape A4 without losing a column.
    """
    import matplotlib.pyplot as plt

    a, r, s = report.analysis, report.result, report.simulation
    cur = a.currency
    level = defaults.INTERVAL_LEVEL
    title = title or f"SROI report: {a.name}"
    figs = report.figures()
    captions = {
        "tornado": "One-way sensitivity: the 15 estimates with the largest swing, each from its P10 to its P90.",
        "ratio_distribution": "Distribution of the SROI ratio over the Monte Carlo draws.",
        "waterfall": "From gross value to present value: what each filter and discounting remove.",
        "by_stakeholder": "Present value by stakeholder.",
        "cumulative": "Cumulative present value against inputs over the years.",
    }
    fig_html = {name: _figure(fig, captions[name], name) for name, fig in figs.items()}
    for fig in figs.values():
        plt.close(fig)
    sentence, kpis = _headline(report)
    audit_part = _audit_section(report)
    indicator_part = _indicators_section(report)
    present = [
        sid
        for sid in SECTIONS
        if not (sid == "audit" and not audit_part)
        and not (sid == "indicators-and-disclosure" and not indicator_part)
    ]
    be_note = (
        f"How far each estimate alone must move for the ratio at point values to reach {report.target:g} : 1 "
        "(SROI Guide, stage 5), smallest change first. No switching value: no value of that estimate alone "
        "reaches it; the last column says why."
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>",
        f'<style media="print" id="print-css">{_PRINT_CSS}</style></head><body>',
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">Currency {cur}'
        + (f", prices of {a.price_year}" if a.price_year else "")
        + f"; discount rate {_discount_words(a)}; drop-off from year {a.drop_off_from_year}; "
        + f"{s.n:,} Monte Carlo draws; intervals are {level:.0%} (P{(1 - level) / 2 * 100:g} to "
        + f"P{(1 + level) / 2 * 100:g}). Made with sroi on {date.today().isoformat()}.</p>",
        "<nav>" + "".join(f'<a href="#{sid}">{_NAV[sid]}</a>' for sid in present) + "</nav>",
        '<section id="summary"><h2>Summary</h2>',
        f'<p class="headline">{html.escape(sentence)}</p>',
        '<div class="kpis">'
        + "".join(
            f'<div class="kpi{" secondary" if secondary else ""}">{html.escape(k)}<b>{html.escape(v)}</b></div>'
            for k, v, secondary in kpis
        )
        + "</div>",
        f"<p>{html.escape(a.description)}</p>" if a.description else "",
        "</section>",
        '<section id="value-map"><h2>Value map</h2>',
        f'<p class="note">Each estimate is its point value (the value used at point values) and, in brackets, '
        f"the {level:.0%} interval of its distribution; one without brackets is a fixed value. Shares and "
        "filters are percentages; an estimate shared by several outcomes is named. The quantity is the "
        "first figure times each factor below it. Sources: the assumption labels (A1, A2, ...) named in "
        "the source of the quantity and of the value; the full texts are under Sources.</p>",
        html_table(
            value_map_in_words(a, level),
            classes="wide",
            widths={
                "outcome": "13%",
                "quantity": "22%",
                "value of one unit": "12%",
                "deadweight": "8%",
                "displacement": "8%",
                "attribution": "8%",
                "drop-off": "8%",
                "duration": "7%",
            },
        ),
        "</section>",
        '<section id="results"><h2>Results</h2>',
        f'<p class="note">At point values. Value of one unit in {cur} after any currency and price-year '
        "conversion; impact is the first year's value after deadweight, displacement and attribution.</p>",
        html_table(
            results_in_words(r),
            numeric=[f"impact, first year ({cur})", f"present value ({cur})", "share of present value"],
        ),
        "<h3>By stakeholder</h3>",
        html_table(
            frame_in_words(r.by_stakeholder, {"present_value": f"present value ({cur})"})
            .assign(share=[percent(v) for v in r.by_stakeholder["share"]])
            .rename(columns={"share": "share of present value"}),
            numeric=[f"present value ({cur})", "share of present value"],
        ),
        fig_html["by_stakeholder"],
        "<h3>Per year</h3>",
        html_table(
            frame_in_words(
                r.per_year,
                {
                    "value": f"value ({cur})",
                    "discount_factor": "discount factor",
                    "present_value": f"present value ({cur})",
                    "inputs": f"inputs ({cur})",
                    "inputs_present_value": f"inputs, present value ({cur})",
                    "cumulative_net_present_value": f"cumulative net present value ({cur})",
                },
                index_name="year",
            ),
            index=True,
            numeric=[
                f"value ({cur})",
                "discount factor",
                f"present value ({cur})",
                f"inputs ({cur})",
                f"inputs, present value ({cur})",
                f"cumulative net present value ({cur})",
            ],
        ),
        fig_html["cumulative"],
        "<h3>By cash tier</h3>",
        '<p class="note">Tier A: cash to the borrower; B: savings to a payer, contracted or not; C: non-cash '
        "value (docs/method.md §9.1).</p>",
        html_table(
            frame_in_words(
                r.value_by_tier, {c: f"tier {c} ({cur})" for c in r.value_by_tier.columns}, "year"
            ),
            index=True,
            numeric=[f"tier {c} ({cur})" for c in r.value_by_tier.columns],
        ),
        fig_html["waterfall"],
        "</section>",
        '<section id="monte-carlo"><h2>Uncertainty (Monte Carlo)</h2>',
        *_uncertainty_part(s, fig_html["ratio_distribution"]),
        "</section>",
        '<section id="tornado"><h2>Sensitivity (one estimate at a time)</h2>',
        '<p class="note">The ratio with each estimate at the low and high end of its distribution (P10 and '
        "P90), or 20% below and above a fixed value, all others at their point values.</p>",
        html_table(
            tornado_in_words(report.tornado, a),
            numeric=["point value", "low", "high", "ratio at low", "ratio at high", "swing"],
        ),
        fig_html["tornado"],
        "</section>",
        '<section id="break-even"><h2>Switching values</h2>',
        f'<p class="note">{html.escape(be_note)}</p>',
        html_table(
            _break_even_table(report),
            numeric=["point value", "switching value", "change"],
            classes="wide",
            widths={"id": "9%", "outcome": "15%", "estimate": "11%", "switching value": "8%"},
        ),
        "</section>",
        *audit_part,
        '<section id="conversions"><h2>Currency and price-year conversions</h2>',
        html_table(
            conversions_in_words(r.conversions, a),
            numeric=["factor"],
            classes="wide",
            widths={"applies to": "16%", "from": "7%", "to": "7%", "basis": "9%"},
        )
        if len(r.conversions)
        else "<p>No conversion was needed.</p>",
        "</section>",
        '<section id="sources-and-assumptions"><h2>Sources and assumptions</h2>',
        html_table(
            sources_in_words(a), classes="wide", widths={"item": "14%", "what": "18%", "labels": "8%"}
        ),
        "<h3>Every estimate</h3>",
        f'<p class="note">Point value and {level:.0%} interval; the range is the smallest and largest value '
        "the distribution allows.</p>",
        html_table(
            estimates_in_words(a, level),
            classes="wide",
            widths={"estimate": "18%", "value": "17%", "distribution": "9%", "range": "14%"},
        ),
        "</section>",
        '<section id="practice"><h2>Against published practice</h2>',
        '<p class="note">Where each assumption sits among 383 published SROI reports ("SROI Practice at '
        'Scale", 2026). Outside P10-P90 is allowed but needs a justification.</p>',
        html_table(
            practice_in_words(report.practice, a),
            classes="wide",
            widths={"applies to": "14%", "estimate": "11%", "value": "7%", "outside P10-P90": "8%"},
        ),
        "</section>",
        *indicator_part,
        *_credit_section(report),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write_html(report: Report, path: str | os.PathLike[str], title: str | None = None) -> Path:
    """Write the report to one self-contained HTML file and return its path."""
    p = Path(path)
    p.write_text(render_html(report, title), encoding="utf-8")
    return p
