"""The whole analysis in one call, and its report: tables, figures and one HTML file.

:func:`analyse` runs the point result, Monte Carlo, tornado, switching values, practice
benchmarks and credit-line scenarios; :class:`Report` holds them, writes every table and
figure to a folder (:meth:`Report.write`) and renders a self-contained HTML report
(:meth:`Report.to_html`, :func:`write_html`): one file, no network access, figures embedded.
It reads on a phone (responsive layout, wide tables scroll sideways) and prints cleanly.

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
from sroi.benchmarks import check_analysis
from sroi.finance import CreditScenario, apply_changes, credit_line, load_credit_scenarios
from sroi.finance.scenarios import check_scenarios
from sroi.formatting import format_number
from sroi.io.export import export_tables
from sroi.uncertainty import Simulation, simulate

if TYPE_CHECKING:
    from sroi.analysis import Analysis
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
            "tornado": (lambda ax: plot.plot_tornado(self.tornado.head(15), ax=ax), (9, 10)),
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
                r.by_outcome[
                    [
                        "stakeholder",
                        "outcome",
                        "quantity",
                        "quantity_unit",
                        "impact",
                        "present_value",
                        "share",
                    ]
                ].to_string(index=False, float_format=format_number)
            ),
            "",
            f"Present value {r.present_value.magnitude:,.0f} {cur}; inputs {r.total_inputs.magnitude:,.0f} {cur}; "
            f"NPV {r.net_present_value.magnitude:,.0f} {cur}",
            s.headline(),
            f"SROI ratio at the point values of every estimate: {r.ratio:.2f} : 1",
            "",
            f"Largest switching values (how far one estimate must move for the ratio to fall to {self.target:g}):",
            _indent(_top_break_even(self.break_even, top)),
        ]
        flagged = self.practice[self.practice["outside_p10_p90"]] if len(self.practice) else self.practice
        if len(flagged):
            lines += ["", "Outside the P10-P90 of 383 published SROI reports (justify these):"]
            lines += [f"  {row.field} = {row.value:.3g} ({row.band})" for row in flagged.itertuples()]
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


def _top_break_even(df: pd.DataFrame, top: int) -> str:
    """Rows whose switching value is closest to the base (smallest relative change) first."""
    finite = df[df["switching_value"].notna()].copy()
    finite["abs_change"] = finite["relative_change"].abs()
    finite = finite.sort_values("abs_change").head(top)
    cols = ["outcome", "parameter", "base", "switching_value", "relative_change"]
    return finite[cols].to_string(index=False, float_format=format_number)


def analyse(
    analysis: Analysis,
    *,
    n: int = defaults.DRAWS,
    seed: Any = defaults.SEED,
    target: float = 1.0,
    credit_scenarios: Sequence[CreditScenario] = (),
    progress: bool | None = None,
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
    return Report(analysis, result, sim, tornado, be, practice, credit, list(credit_scenarios), target)


# -- the HTML report ---------------------------------------------------------------------------
#: Section ids of the report, in order (the credit section appears when scenarios are given).
SECTIONS = (
    "summary",
    "value-map",
    "results",
    "monte-carlo",
    "tornado",
    "break-even",
    "conversions",
    "sources-and-assumptions",
    "practice",
    "credit-line",
)

_CSS = """
:root { --ink: #1b1f24; --muted: #5b6470; --line: #d7dce2; --accent: #1f5f8b; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .2rem 0 .4rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 2px solid var(--accent); padding-bottom: .2rem; }
p.meta, .note { color: var(--muted); font-size: .9rem; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .6rem; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; }
.kpi b { display: block; font-size: 1.3rem; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .85rem; min-width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; break-inside: avoid; } figure img { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .85rem; }
nav a { margin-right: .8rem; font-size: .9rem; }
.illustrative { background: #fff4d6; border-left: 4px solid #d9a400; padding: .4rem .6rem; }
pre { white-space: pre-wrap; font-size: .85rem; }
@media print { nav { display: none; } body { max-width: none; font-size: 11px; }
  h2 { break-after: avoid; } .table-wrap { overflow: visible; } }
"""


def _table(df: pd.DataFrame, index: bool = False, digits: int = 4) -> str:
    """A DataFrame as an escaped HTML table inside a horizontally scrolling wrapper."""

    def fmt(x: Any) -> str:
        if isinstance(x, float):
            if x != x:  # NaN
                return ""
            return f"{x:,.{digits}g}" if abs(x) < 1e6 else f"{x:,.0f}"
        return str(x)

    body = df.to_html(index=index, escape=True, border=0, na_rep="", float_format=fmt)
    return f'<div class="table-wrap">{body}</div>'


def _figure(fig: Any, caption: str, name: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure id="figure-{name}"><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _sources(report: Report) -> pd.DataFrame:
    a = report.analysis
    rows = []
    for j, inp in enumerate(a.inputs):
        rows.append(
            {"field": f"inputs[{j}]", "item": inp.description, "source": inp.source or "(none given)"}
        )
    for i, o in enumerate(a.outcomes):
        rows.append(
            {"field": f"outcomes[{i}].quantity", "item": o.label, "source": o.source or "(none given)"}
        )
        rows.append(
            {"field": f"outcomes[{i}].proxy", "item": o.label, "source": o.proxy_source or "(none given)"}
        )
    return pd.DataFrame(rows)


def render_html(report: Report, title: str | None = None) -> str:
    """The report as one HTML document (a string); see :func:`write_html`."""
    import matplotlib.pyplot as plt

    a, r, s = report.analysis, report.result, report.simulation
    cur = a.currency
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
    if s.uncertain_estimates[0]:
        lo, hi = s.interval(defaults.INTERVAL_LEVEL)
        kpis = [
            ("SROI ratio (median)", f"{float(np.median(s.ratio)):.2f} : 1"),
            (f"{defaults.INTERVAL_LEVEL:.0%} interval", f"{lo:.2f} to {hi:.2f}"),
            (f"P(ratio > {report.target:g})", f"{s.probability_ratio_exceeds(report.target):.3f}"),
            ("Ratio at point values", f"{r.ratio:.2f} : 1"),
        ]
    else:
        kpis = [("SROI ratio", f"{r.ratio:.2f} : 1"), ("Uncertainty", "none specified")]
    kpis += [
        ("Present value", f"{r.present_value.magnitude:,.0f} {cur}"),
        ("Inputs", f"{r.total_inputs.magnitude:,.0f} {cur}"),
        ("Net present value", f"{r.net_present_value.magnitude:,.0f} {cur}"),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">Currency {cur}'
        + (f", prices of {a.price_year}" if a.price_year else "")
        + f"; discount rate {a.discount_rate!s} ({a.discount_timing.replace('_', ' ')}); drop-off from year "
        + f"{a.drop_off_from_year}; {s.n:,} Monte Carlo draws. Made with sroi on {date.today().isoformat()}.</p>",
        "<nav>" + "".join(f'<a href="#{sid}">{sid.replace("-", " ")}</a>' for sid in SECTIONS) + "</nav>",
        '<section id="summary"><h2>Summary</h2>',
        f"<p>{html.escape(a.description)}</p>" if a.description else "",
        '<div class="kpis">'
        + "".join(f'<div class="kpi">{html.escape(k)}<b>{html.escape(v)}</b></div>' for k, v in kpis)
        + "</div></section>",
        '<section id="value-map"><h2>Value map</h2>',
        _table(a.to_frame().drop(columns=["source", "proxy_source"])),
        "</section>",
        '<section id="results"><h2>Results</h2>',
        _table(r.by_outcome),
        "<h3>By stakeholder</h3>",
        _table(r.by_stakeholder),
        fig_html["by_stakeholder"],
        "<h3>Per year</h3>",
        _table(r.per_year, index=True),
        fig_html["cumulative"],
        "<h3>By cash tier</h3>",
        _table(r.value_by_tier, index=True),
        fig_html["waterfall"],
        "</section>",
        '<section id="monte-carlo"><h2>Monte Carlo</h2>',
        _table(s.summary(), index=True),
        fig_html["ratio_distribution"],
        "</section>",
        '<section id="tornado"><h2>Tornado (one-way sensitivity)</h2>',
        _table(report.tornado),
        fig_html["tornado"],
        "</section>",
        '<section id="break-even"><h2>Switching values</h2>',
        f'<p class="note">How far each estimate alone must move for the ratio to reach {report.target:g} '
        "(SROI Guide, stage 5). Empty switching value: no value of that estimate alone reaches it.</p>",
        _table(report.break_even),
        "</section>",
        '<section id="conversions"><h2>Currency and price-year conversions</h2>',
        _table(r.conversions) if len(r.conversions) else "<p>No conversion was needed.</p>",
        "</section>",
        '<section id="sources-and-assumptions"><h2>Sources and assumptions</h2>',
        _table(_sources(report)),
        "<h3>Every estimate</h3>",
        _table(a.estimates()),
        "</section>",
        '<section id="practice"><h2>Against published practice</h2>',
        '<p class="note">Where each assumption sits among 383 published SROI reports ("SROI Practice at '
        'Scale", 2026). Outside P10-P90 is allowed but needs a justification.</p>',
        _table(report.practice),
        "</section>",
    ]
    if report.scenarios:
        parts.append('<section id="credit-line"><h2>Credit line</h2>')
        for sc in report.scenarios:
            line = report.credit[sc.name]
            amount = float(getattr(line.amount, "magnitude", line.amount))
            cls = ' class="illustrative"' if sc.illustrative else ""
            label = " (ILLUSTRATIVE, not a real contract)" if sc.illustrative else ""
            parts += [
                f"<h3>{html.escape(sc.name + label)}: {amount:,.0f} {cur}</h3>",
                f"<p{cls}>{html.escape(sc.description)}</p>",
                f"<pre>{html.escape(line.explanation)}</pre>",
                _table(line.steps),
                _table(line.assumptions),
            ]
        parts.append("</section>")
    else:
        parts.append(
            '<section id="credit-line"><h2>Credit line</h2><p>No credit scenario was configured '
            "(see sroi.report.CreditScenario).</p></section>"
        )
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def write_html(report: Report, path: str | os.PathLike[str], title: str | None = None) -> Path:
    """Write the report to one self-contained HTML file and return its path."""
    p = Path(path)
    p.write_text(render_html(report, title), encoding="utf-8")
    return p
