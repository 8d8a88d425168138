"""Disclosure: the indicator system's figures in the frameworks the company reports to (docs/method.md §12.7).

:func:`disclosure` returns a tidy table, one row per framework code, indicator and period:
framework, code, metric, value, unit, period, the interval and how it was measured, as
IFRS S1 asks of amounts subject to measurement uncertainty; :func:`write_disclosure` exports it
to CSV or xlsx (text cells escaped against formula injection). :func:`html_section` is the
report's "Indicators and disclosure" section, and :func:`monitor_command` the body of the
``sroi monitor MODEL.yaml ACTUALS.csv`` command.

The meaning of a framework code is given only where it was checked against a published source
(:data:`FRAMEWORK_CODES`, with the source); others are left blank rather than guessed.

References
----------
.. [1] IFRS Foundation (2023). IFRS S1 General Requirements for Disclosure of
   Sustainability-related Financial Information, "Measurement uncertainty" (paragraphs 77-78 in
   the AASB S1 text, standards.aasb.gov.au/node/3823): identify the amounts subject to a high
   level of measurement uncertainty and disclose its sources.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi import defaults
from sroi.display import html_table
from sroi.exceptions import SROIError
from sroi.indicators import FRAMEWORKS, IndicatorSystem, forecast_draws, load_indicators, system_of
from sroi.io import load
from sroi.io.export import csv_bytes, escape_frame
from sroi.monitoring import Monitoring, monitor
from sroi.readable import number, plain_text, significant, unit_text
from sroi.safe_yaml import write_file
from sroi.uncertainty import simulate
from sroi.validation import check_level

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike
    from sroi.sampling import Seed

__all__ = ["COLUMNS", "FRAMEWORK_CODES", "disclosure", "html_section", "monitor_command", "write_disclosure"]

#: Columns of the disclosure table.
COLUMNS = (
    "framework",
    "code",
    "code_title",
    "metric",
    "indicator",
    "period",
    "value",
    "unit",
    "interval_low",
    "interval_high",
    "interval",
    "basis",
    "target",
    "target_met",
    "status",
    "measurement_uncertainty",
    "method_note",
    "data_source",
)

#: (framework key, code) -> (title, source), only for codes checked against a published text.
FRAMEWORK_CODES: dict[tuple[str, str], tuple[str, str]] = {
    ("gri", "203-2"): (
        "Significant indirect economic impacts",
        "GRI 203: Indirect Economic Impacts 2016, Disclosure 203-2 (globalreporting.org)",
    ),
    ("gri", "413-1"): (
        "Operations with local community engagement, impact assessments, and development programs",
        "GRI 413: Local Communities 2016, Disclosure 413-1 (globalreporting.org)",
    ),
    ("esrs", "S4"): (
        "Consumers and end-users",
        "ESRS S4, Commission Delegated Regulation (EU) 2023/2772",
    ),
    ("sdg", "10.2"): (
        "By 2030, empower and promote the social, economic and political inclusion of all, irrespective "
        "of age, sex, disability, race, ethnicity, origin, religion or economic or other status",
        "United Nations, SDG target 10.2",
    ),
    ("sdg", "9.c"): (
        "Significantly increase access to information and communications technology and strive to provide "
        "universal and affordable access to the Internet in least developed countries by 2020",
        "United Nations, SDG target 9.c (as quoted by ITU (2018), ICTs, LDCs and the SDGs)",
    ),
    ("iris", "PI4060"): ("Client Individuals", "IRIS+ (Global Impact Investing Network), metric PI4060"),
    ("imp", "what"): (
        "What outcomes the enterprise contributes to and how important they are to stakeholders",
        "Impact Management Project, five dimensions of impact (impactmanagementproject.com)",
    ),
    ("imp", "who"): (
        "Which stakeholders experience the outcome and how underserved they were",
        "Impact Management Project, five dimensions of impact",
    ),
    ("imp", "how_much"): (
        "How many experienced the outcome, how much change, for how long",
        "Impact Management Project, five dimensions of impact",
    ),
    ("imp", "contribution"): (
        "Whether the efforts resulted in outcomes likely better than what would have occurred otherwise",
        "Impact Management Project, five dimensions of impact",
    ),
    ("imp", "risk"): (
        "The likelihood that impact will be different than expected",
        "Impact Management Project, five dimensions of impact",
    ),
}
_FRAMEWORK_NAMES = {**{k: v[0] for k, v in FRAMEWORKS.items()}, "imp": "Impact Management Project"}


def _uncertainty(row: Mapping[Any, Any], ind: Any, level: float) -> str:
    err = ind.measurement_error
    if not math.isnan(row.get("n", math.nan)):
        return (
            f"sample survey, n = {row['n']:,.0f}: {level:.0%} interval of the share (Jeffreys); "
            "sampling error only"
        )
    if err is not None:
        what = f"{err[1]:.0%} relative" if err[0] == "relative" else f"{err[1]:g} {ind.unit} absolute"
        return f"stated measurement error ({what}): {level:.0%} interval"
    return "no measurement uncertainty stated for this indicator"


def disclosure(
    analysis: AnalysisLike,
    monitoring: Monitoring | None = None,
    *,
    indicators: IndicatorSystem | None = None,
    n: int = defaults.DRAWS,
    seed: Seed = defaults.SEED,
    level: float = defaults.INTERVAL_LEVEL,
) -> pd.DataFrame:
    """A tidy disclosure table of the indicator system (docs/method.md §12.7).

    Parameters
    ----------
    analysis : Analysis
    monitoring : Monitoring, optional
        With monitoring, each period's actual is disclosed (with its measurement interval, its
        target and status) and the SROI rows add the evaluative ratio to date; without, each
        indicator's forecast (Monte Carlo median and interval).
    indicators : IndicatorSystem, optional
        Default the monitoring's, else the analysis's own.
    n, seed : Monte Carlo draws and seed of the forecast (without monitoring).
    level : float
        Interval level (default 80%).

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`: one row per framework code (GRI, HKEX, ESRS, SDG, IRIS+ and the
        Impact Management Project's dimensions) x indicator x period, then the SROI ratio rows
        (framework "SROI"). ``code_title`` is filled only for codes in :data:`FRAMEWORK_CODES`.
        An indicator with neither data nor forecast is listed with an empty value, never left out.

    Notes
    -----
    IFRS S1 (measurement uncertainty) asks to identify amounts subject to a high level of
    measurement uncertainty and to disclose its sources: ``measurement_uncertainty`` states
    the survey sample size or stated error behind each actual, ``interval`` its range, and the
    forecast rows say that their interval spans the model's stated assumption ranges.
    """
    level = check_level(level)
    system = (
        monitoring.indicators
        if monitoring is not None and indicators is None
        else system_of(analysis, indicators)
    )
    measures = {m.id: m for m in system.bind(analysis)}
    table = monitoring.table if monitoring is not None else None
    if monitoring is None:
        sim = simulate(analysis, n, seed, keep_draws=True)
        forecasts = forecast_draws(list(measures.values()), sim)
        ratio = sim.ratio
    else:
        forecasts, ratio = monitoring.forecasts, monitoring.simulation.ratio
        sim = monitoring.simulation
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    rows = []
    for ind in system:
        tags = [(k, c) for k, codes in ind.frameworks for c in codes] + [("imp", d) for d in ind.imp]
        figures: list[dict[str, Any]] = []
        got = table[(table["indicator"] == ind.id) & table["actual"].notna()] if table is not None else None
        if got is not None and len(got):
            for r in got.to_dict("records"):
                figures.append(
                    {
                        "period": str(r["period"]),
                        "value": r["actual"],
                        "interval_low": r["actual_low"],
                        "interval_high": r["actual_high"],
                        "basis": "actual (monitoring data)",
                        "target": r["target"],
                        "target_met": r["target_met"],
                        "status": r["status"],
                        "measurement_uncertainty": _uncertainty(r, ind, level),
                    }
                )
        elif ind.id in forecasts:
            fc = forecasts[ind.id]
            lo, mid, hi = np.quantile(fc, [lo_q, 0.5, hi_q])
            figures.append(
                {
                    "period": "forecast, each year",
                    "value": float(mid),
                    "interval_low": float(lo),
                    "interval_high": float(hi),
                    "basis": f"forecast (Monte Carlo median of {len(fc):,} draws)",
                    "target": np.nan,
                    "target_met": None,
                    "status": "",
                    "measurement_uncertainty": "a forecast: its interval spans the model's stated assumption ranges",
                }
            )
        else:
            figures.append(
                {
                    "period": "",
                    "value": np.nan,
                    "interval_low": np.nan,
                    "interval_high": np.nan,
                    "basis": "not yet measured, not forecast by the model",
                    "target": np.nan,
                    "target_met": None,
                    "status": "",
                    "measurement_uncertainty": "",
                }
            )
        m = measures[ind.id]
        note = (
            f"measures {' x '.join(ind.measures)} of the SROI model"
            if m.keys
            else "tracked against its targets; not valued in the SROI model"
        )
        for key, code in tags or [("", "")]:
            for f in figures:
                lo, hi = f["interval_low"], f["interval_high"]
                rows.append(
                    {
                        "framework": _FRAMEWORK_NAMES.get(key, "(untagged)"),
                        "code": code,
                        "code_title": FRAMEWORK_CODES.get((key, code), ("", ""))[0],
                        "metric": ind.name,
                        "indicator": ind.id,
                        "unit": ind.unit,
                        **f,
                        "interval": "" if math.isnan(lo) else f"{level:.0%} interval {lo:,.4g} to {hi:,.4g}",
                        "method_note": note,
                        "data_source": ind.source,
                    }
                )
    rows += _sroi_rows(analysis, ratio, monitoring, level, sim.n)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _sroi_rows(
    analysis: AnalysisLike, ratio: np.ndarray, monitoring: Monitoring | None, level: float, n: int
) -> list[dict[str, Any]]:
    lo, mid, hi = np.quantile(ratio, [(1 - level) / 2, 0.5, (1 + level) / 2])
    base = {
        "framework": "SROI",
        "code": "ratio",
        "code_title": "present value of outcomes per unit of inputs (SROI Guide)",
        "indicator": "",
        "unit": "ratio",
        "target": np.nan,
        "target_met": None,
        "status": "",
        "data_source": analysis.name,
    }
    rows = [
        {
            **base,
            "metric": "SROI ratio, forecast",
            "period": "whole life",
            "value": float(mid),
            "interval_low": float(lo),
            "interval_high": float(hi),
            "interval": f"{level:.0%} interval {lo:.2f} to {hi:.2f}",
            "basis": f"forecast (Monte Carlo median of {n:,} draws)",
            "measurement_uncertainty": "spans the stated ranges of every uncertain estimate",
            "method_note": "docs/method.md §3 and §6",
        }
    ]
    if monitoring is not None:
        ev = monitoring.evaluation()
        for r in ev.table.to_dict("records")[2:]:
            rows.append(
                {
                    **base,
                    "metric": f"SROI ratio, {r['figure']}",
                    "period": f"periods {r['periods']}",
                    "value": r["ratio_p50"],
                    "interval_low": r["ratio_low"],
                    "interval_high": r["ratio_high"],
                    "interval": r["interval"],
                    "basis": "evaluative: past periods at the actuals"
                    if "to date" in r["figure"]
                    else "evaluative and forecast",
                    "measurement_uncertainty": "the estimates not monitored keep their stated ranges",
                    "method_note": "docs/method.md §12.5",
                }
            )
    return rows


def write_disclosure(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a disclosure table to ``.csv`` or ``.xlsx`` (text escaped against formulas).

    Raises
    ------
    SROIError
        Another file type, or a file that cannot be written.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return write_file(p, csv_bytes(table, index=False), "path")
    if suffix == ".xlsx":
        buffer = io.BytesIO()
        escape_frame(table).to_excel(buffer, index=False, sheet_name="disclosure", engine="openpyxl")
        return write_file(p, buffer.getvalue(), "path")
    raise SROIError(f"expected a .csv or .xlsx file name, got {p.name!r}", "path")


# -- the report section and the command line ----------------------------------------------------
def _range(low: Any, high: Any) -> str:
    lo, hi = number(low), number(high)
    return f"{lo} to {hi}" if lo and hi else ""


def _targets(text: Any) -> str:
    """``'1: 1.39277e+06; 2: 1.39277e+06'`` as ``'each period: 1,390,000'`` (or period by period)."""
    pairs = [p.split(":", 1) for p in str(text or "").split(";") if ":" in p]
    if not pairs:
        return ""
    values = [significant(float(v), 3) for _, v in pairs]
    if len(set(values)) == 1:
        return f"each period: {values[0]}"
    return "; ".join(f"period {k.strip()}: {v}" for (k, _), v in zip(pairs, values, strict=True))


def _indicator_table(system: IndicatorSystem, analysis: AnalysisLike) -> pd.DataFrame:
    t = system.table()
    return pd.DataFrame(
        {
            "indicator": [f"{n}\n({i})" for i, n in zip(t["id"], t["name"], strict=True)],
            "measures": [plain_text(str(m), analysis) for m in t["measures"]],
            "unit": [unit_text(u) if str(u) else "" for u in t["unit"]],
            "target": [_targets(x) for x in t["targets"]],
            "cadence": t["cadence"],
            "better when": t["direction"],
            "frameworks": t["frameworks"],
            "source and owner": [
                f"{src}\nowner: {own}" if str(own).strip() else str(src)
                for src, own in zip(t["source"], t["owner"], strict=True)
            ],
        }
    )


def _monitoring_tables(monitoring: Monitoring, analysis: AnalysisLike) -> tuple[pd.DataFrame, ...]:
    m = monitoring.table
    against = pd.DataFrame(
        {
            "indicator": m["indicator"],
            "period": m["period"],
            "unit": [unit_text(u) if str(u) else "" for u in m["unit"]],
            "target": [number(v) for v in m["target"]],
            "forecast, median": [number(v) for v in m["forecast_p50"]],
            "forecast interval": [
                _range(lo, hi) for lo, hi in zip(m["forecast_low"], m["forecast_high"], strict=True)
            ],
            "actual": [number(v) for v in m["actual"]],
            "actual interval": [
                _range(lo, hi) for lo, hi in zip(m["actual_low"], m["actual_high"], strict=True)
            ],
            "status": m["status"],
        }
    )
    u = monitoring.updates
    updates = pd.DataFrame(
        {
            "estimate": [plain_text(str(x), analysis) for x in u["label"]],
            "measured by": u["indicator"],
            "method": u["method"],
            "before, interval": [
                _range(lo, hi) for lo, hi in zip(u["prior_low"], u["prior_high"], strict=True)
            ],
            "after, median": [number(v) for v in u["posterior_p50"]],
            "after, interval": [
                _range(lo, hi) for lo, hi in zip(u["posterior_low"], u["posterior_high"], strict=True)
            ],
        }
    )
    e = monitoring.evaluation().table
    evaluation = pd.DataFrame(
        {
            "figure": e["figure"],
            "periods": e["periods"],
            "SROI ratio, median": [f"{float(v):.2f}" for v in e["ratio_p50"]],
            "interval": [
                f"{float(lo):.2f} to {float(hi):.2f}"
                for lo, hi in zip(e["ratio_low"], e["ratio_high"], strict=True)
            ],
        }
    )
    return against, updates, evaluation


def _disclosure_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per figure and period, its framework codes joined (the full table is exported)."""
    rows = []
    for _, group in table.groupby(["metric", "period"], sort=False, dropna=False):
        first = group.iloc[0]
        codes = "; ".join(
            dict.fromkeys(f"{f} {c}".strip() for f, c in zip(group["framework"], group["code"], strict=True))
        )
        target = "" if first["target"] != first["target"] else number(first["target"])
        rows.append(
            {
                "figure": first["metric"],
                "period": first["period"],
                "value": f"{number(first['value'])} {unit_text(first['unit']) if str(first['unit']) != 'ratio' else ''}".strip(),
                "interval": _range(first["interval_low"], first["interval_high"]),
                "frameworks": codes,
                "target": target,
                "status": first["status"] or "",
                "basis": first["basis"],
                "measurement uncertainty": first["measurement_uncertainty"],
            }
        )
    return pd.DataFrame(rows)


def _figure(monitoring: Monitoring) -> str:
    import matplotlib.pyplot as plt

    ids = [
        i
        for i in monitoring.indicators.ids
        if i in monitoring.forecasts or i in set(monitoring.periods["indicator"])
    ]
    cols = 3
    rows = max(1, math.ceil(len(ids) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.2 * rows), squeeze=False)
    for ax, ind in zip(axes.flat, ids, strict=False):
        monitoring.plot(ind, ax=ax)
    for ax in list(axes.flat)[len(ids) :]:
        ax.axis("off")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    caption = (
        "Each indicator: forecast interval and median, targets, and actuals with their measurement intervals."
    )
    return (
        f'<figure id="figure-indicators"><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def html_section(
    analysis: AnalysisLike,
    monitoring: Monitoring | None = None,
    *,
    indicators: IndicatorSystem | None = None,
    table: pd.DataFrame | None = None,
) -> str:
    """The report's "Indicators and disclosure" section (an HTML fragment, ``<section
    id="indicators-and-disclosure">``): the indicators; with monitoring, forecast against actual
    (table and charts), the updated estimates and the evaluative SROI; the disclosure table.
    Returns a short note when the analysis has no indicators."""
    try:
        system = monitoring.indicators if monitoring is not None else system_of(analysis, indicators)
    except SROIError:
        return (
            '<section id="indicators-and-disclosure"><h2>Indicators and disclosure</h2><p>No indicator '
            "system was given: an indicators block in the model file, or an indicators file, names what "
            "is measured.</p></section>"
        )
    parts = [
        '<section id="indicators-and-disclosure"><h2>Indicators and disclosure</h2>',
        f'<p class="note">{len(system)} indicators. Each measures an estimate of the model, so monitoring data '
        "test the forecast and update it (docs/method.md §12).</p>",
        html_table(
            _indicator_table(system, analysis),
            classes="wide",
            widths={"indicator": "17%", "measures": "15%", "target": "10%", "frameworks": "14%"},
        ),
    ]
    if monitoring is not None:
        against, updates, evaluation = _monitoring_tables(monitoring, analysis)
        parts += [
            "<h3>Forecast against actual</h3>",
            f'<p class="note">Status by where the actual falls in the forecast: off track below the forecast\'s '
            f"P{defaults.STATUS_THRESHOLDS[0] * 100:g}, at risk below its P{defaults.STATUS_THRESHOLDS[1] * 100:g} "
            "(the reverse for indicators where lower is better).</p>",
            html_table(
                against,
                numeric=["target", "forecast, median", "actual"],
                classes="wide",
                widths={"indicator": "16%", "forecast interval": "16%", "actual interval": "16%"},
            ),
            _figure(monitoring),
            "<h3>Estimates updated by the monitoring data</h3>",
            html_table(updates, numeric=["after, median"], classes="wide"),
            "<h3>Evaluative SROI</h3>",
            html_table(evaluation, numeric=["SROI ratio, median"]),
        ]
    shown = table if table is not None else disclosure(analysis, monitoring, indicators=indicators)
    parts += [
        "<h3>Disclosure</h3>",
        '<p class="note">Each figure with its interval and what its uncertainty comes from (IFRS S1, measurement '
        "uncertainty), with the framework codes it is tagged with. The exported disclosure table has one row "
        "per framework code.</p>",
        html_table(
            _disclosure_summary(shown),
            numeric=["target"],
            classes="wide",
            widths={"figure": "18%", "value": "9%", "interval": "12%", "frameworks": "14%"},
        ),
        "</section>",
    ]
    return "\n".join(parts)


def monitor_command(
    model: str | os.PathLike[str],
    actuals: str | os.PathLike[str],
    *,
    indicators: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    n: int = defaults.DRAWS,
    seed: Seed = defaults.SEED,
) -> str:
    """The body of ``sroi monitor MODEL.yaml ACTUALS.csv``: the text it prints.

    Indicators come from ``indicators`` (a file), else the model file's ``indicators:`` block,
    else ``indicators.yaml`` beside the model file. With ``out``, writes ``monitoring.csv``,
    ``updates.csv``, ``evaluation.csv``, ``moved_by.csv`` and ``disclosure.csv`` there.

    Raises
    ------
    SROIError
        No indicators found, or any bad input (naming the file, row and column).
    """
    analysis = load(model)
    if indicators is not None:
        system = load_indicators(indicators, analysis)
    elif len(analysis.indicators):
        system = analysis.indicators
    else:
        beside = Path(model).resolve().parent / "indicators.yaml"
        if not beside.is_file():
            raise SROIError(
                "the model file has no indicators: block and there is no indicators.yaml beside it; give "
                "--indicators FILE",
                "indicators",
            )
        system = load_indicators(beside, analysis)
    mon = monitor(analysis, actuals, system, n=n, seed=seed)
    ev = mon.evaluation()
    table = disclosure(analysis, mon)
    lines = [mon.summary(), "", "Estimates updated by the data:"]
    for r in mon.updates.to_dict("records"):
        if r["estimate"]:
            lines.append(
                f"  {r['label']} ({r['method']}): {r['prior_low']:.4g}-{r['prior_high']:.4g} -> "
                f"{r['posterior_low']:.4g}-{r['posterior_high']:.4g}"
            )
        else:
            lines.append(f"  {r['indicator']}: {r['method']}: {r['note']}")
    lines += ["", repr(ev), "", "Change of the whole-life ratio median by indicator:"]
    for r in ev.moved_by.to_dict("records"):
        lines.append(f"  {r['indicator']}: {r['change']:+.2f} ({r['relative_change']:+.1%})")
    lines.append(f"\nDisclosure: {len(table)} rows ({table['framework'].nunique()} frameworks)")
    if out is not None:
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SROIError(f"could not create {str(folder)!r}: {exc.strerror}", "--out") from None
        tables = {
            "monitoring": mon.table,
            "updates": mon.updates,
            "evaluation": ev.table,
            "moved_by": ev.moved_by,
            "disclosure": table,
        }
        for name, frame in tables.items():
            write_file(folder / f"{name}.csv", csv_bytes(frame, index=False), "--out")
        lines.append(f"Wrote {len(tables)} tables (CSV) to {folder}/")
    return "\n".join(lines)
