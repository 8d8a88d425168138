"""A self-contained HTML report of an analysis: one file, no network access, figures embedded.

The report holds the value map, the results, the Monte Carlo summary, the tornado and
break-even tables, the conversions, the sources and assumptions, the comparison with published
practice and, when configured, the credit lines. It reads on a phone (responsive layout, wide
tables scroll sideways) and prints cleanly (print stylesheet, no page-breaking inside figures).

Examples
--------
>>> import sroi, tempfile, pathlib
>>> from sroi.report import analyse
>>> rep = analyse(sroi.load(sroi.datasets.dataset_path("example", "digital_inclusion.yaml")), n=1000, seed=1)
>>> path = write_html(rep, pathlib.Path(tempfile.mkdtemp()) / "report.html")
>>> "<section id=\\"monte-carlo\\">" in path.read_text()
True
"""

from __future__ import annotations

import base64
import html
import io
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from sroi.report import Report

__all__ = ["SECTIONS", "render_html", "write_html"]

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
    lo, hi = s.interval(0.8)
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
    kpis = [
        ("SROI ratio", f"{r.ratio:.2f} : 1"),
        ("Present value", f"{r.present_value.magnitude:,.0f} {cur}"),
        ("Inputs", f"{r.total_inputs.magnitude:,.0f} {cur}"),
        ("Net present value", f"{r.net_present_value.magnitude:,.0f} {cur}"),
        ("Ratio, 80% interval", f"{lo:.2f} to {hi:.2f}"),
        (f"P(ratio > {report.target:g})", f"{s.probability_ratio_exceeds(report.target):.3f}"),
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
