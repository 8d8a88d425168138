"""Result tables for display: the engine's tables with readable names, numbers and an HTML table.

Each function takes a table the engine returned (``Result.by_outcome``, ``Simulation.summary()``,
a tornado, conversions, practice benchmarks, a credit line's assumptions and schedule) and returns
strings for a reader: columns named in words with their currency, amounts in whole units with
thousands separators, ratios to two decimals, fractions as percentages, field paths as outcome ids
(:mod:`sroi.readable`). Nothing is recomputed (docs/method.md §6.3 for what is reported).
:func:`html_table` renders such a table as escaped HTML for the report.

Examples
--------
>>> import pandas as pd
>>> from sroi.display import html_table
>>> html_table(pd.DataFrame({"item": ["a<b"], "value": ["1,234"]}), numeric=["value"])[:60]
'<div class="table-wrap"><table><thead><tr><th>item</th><th c'
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from sroi.readable import field_in_words, in_words, number, percent, plain_text, significant, unit_text

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike

__all__ = [
    "conversions_in_words",
    "credit_assumptions_in_words",
    "frame_in_words",
    "html_table",
    "practice_in_words",
    "results_in_words",
    "schedule_in_words",
    "simulation_in_words",
    "tornado_in_words",
]


def results_in_words(result: Any) -> pd.DataFrame:
    """The results by outcome for a reader (``Result.by_outcome`` formatted; no arithmetic).

    Columns ``id``, ``stakeholder``, ``outcome``, ``quantity`` (with its unit), ``value of one unit
    (CUR)`` (the proxy after conversion), ``impact, first year (CUR)``, ``present value (CUR)`` and
    ``share of present value``. Strings only.
    """
    by, cur = result.by_outcome, result.currency

    def with_unit(values: Any, units: Any) -> list[str]:
        return [f"{number(v)} {unit_text(u)}".strip() for v, u in zip(values, units, strict=True)]

    return pd.DataFrame(
        {
            "id": by["id"],
            "stakeholder": by["stakeholder"],
            "outcome": by["outcome"],
            "quantity": with_unit(by["quantity"], by["quantity_unit"]),
            f"value of one unit ({cur})": with_unit(by["proxy"], by["proxy_unit"]),
            f"impact, first year ({cur})": [number(v) for v in by["impact"]],
            f"present value ({cur})": [number(v) for v in by["present_value"]],
            "share of present value": [percent(v) for v in by["share"]],
        }
    )


def frame_in_words(
    df: pd.DataFrame,
    rename: Mapping[str, str],
    index_name: str = "",
    percent_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """A table of numbers with readable column names and numbers (:func:`number`), the columns of
    ``percent_columns`` (names after renaming) as percentages; the index named ``index_name``."""
    out = df.rename(columns=dict(rename)).copy()
    for c in out.columns:
        if c in percent_columns:
            out[c] = [percent(v) for v in out[c]]
        elif pd.api.types.is_numeric_dtype(out[c]):
            out[c] = [number(v) for v in out[c]]
    if index_name:
        out.index = pd.Index([in_words(str(i)) for i in out.index], name=index_name)
    return out


def simulation_in_words(simulation: Any) -> pd.DataFrame:
    """The Monte Carlo summary (``Simulation.summary()``) for a reader: the ratio to two decimals,
    amounts in whole currency units, probabilities as percentages."""
    summary = simulation.summary()
    cur = simulation.currency
    rows = {
        "ratio": "SROI ratio",
        "present_value": f"present value ({cur})",
        "net_present_value": f"net present value ({cur})",
    }
    cols = {
        "mean": "mean",
        "sd": "standard deviation",
        "p5": "P5",
        "p10": "P10",
        "p50": "median (P50)",
        "p90": "P90",
        "p95": "P95",
    }
    keys = [k for k in summary.index if k in rows]
    out = pd.DataFrame(index=pd.Index([rows[k] for k in keys], name=""))
    for key, name in cols.items():
        out[name] = [
            f"{float(summary.loc[k, key]):.2f}" if k == "ratio" else number(summary.loc[k, key]) for k in keys
        ]
    for c in summary.columns:
        if str(c).startswith("P(ratio"):
            out[str(c).replace("P(ratio >", "probability ratio >").rstrip(")")] = [
                "" if v != v else f"{float(v):.0%}" for v in summary.loc[keys, c]
            ]
    return out


def tornado_in_words(tornado: pd.DataFrame, analysis: AnalysisLike) -> pd.DataFrame:
    """A tornado table (:func:`sroi.sensitivity.tornado`) for a reader: each estimate in words, its
    point, low and high values, the ratio at each end and the swing."""
    named = {k for k, slot in analysis.compiled.slots.items() if slot.named}
    label = [
        in_words(str(k)) if k in named else plain_text(str(lbl), analysis)
        for k, lbl in zip(tornado["key"], tornado["label"], strict=True)
    ]
    return pd.DataFrame(
        {
            "estimate": label,
            "point value": [significant(float(v)) for v in tornado["base"]],
            "low": [significant(float(v)) for v in tornado["low_value"]],
            "high": [significant(float(v)) for v in tornado["high_value"]],
            "ratio at low": [f"{float(v):.2f}" for v in tornado["ratio_low"]],
            "ratio at high": [f"{float(v):.2f}" for v in tornado["ratio_high"]],
            "swing": [f"{float(v):.2f}" for v in tornado["swing"]],
        }
    )


def conversions_in_words(conversions: pd.DataFrame, analysis: AnalysisLike) -> pd.DataFrame:
    """Currency and price-year conversions (``Result.conversions``) for a reader: what each
    applies to, from and to (currency and year), the basis, the factor and its source."""
    places = [field_in_words(analysis, str(f)) for f in conversions["field"]]
    return pd.DataFrame(
        {
            "applies to": [f"{o} {w}".strip() for o, w in places],
            "from": [
                f"{c} {y}"
                for c, y in zip(conversions["from_currency"], conversions["from_year"], strict=True)
            ],
            "to": [
                f"{c} {y}" for c, y in zip(conversions["to_currency"], conversions["to_year"], strict=True)
            ],
            "basis": [in_words(str(b)) for b in conversions["basis"]],
            "factor": [significant(float(f), 4) for f in conversions["factor"]],
            "source": conversions["source"],
        }
    )


def practice_in_words(practice: pd.DataFrame, analysis: AnalysisLike) -> pd.DataFrame:
    """Assumptions against published practice (:func:`sroi.benchmarks.check_analysis`) for a
    reader: where each applies (outcome id), the estimate, its value, its band, whether it is
    outside the P10-P90 of practice, and the note."""
    if practice.empty:
        return practice
    places = [field_in_words(analysis, str(f)) for f in practice["field"]]
    return pd.DataFrame(
        {
            "applies to": [o or "the analysis" for o, _ in places],
            "estimate": [in_words("ratio" if f == "sroi_ratio" else str(f)) for f in practice["factor"]],
            "value": [
                f"{float(v):.2f}" if f == "sroi_ratio" else percent(v)
                for f, v in zip(practice["factor"], practice["value"], strict=True)
            ],
            "band among published reports": practice["band"],
            "outside P10-P90": ["yes" if flag else "no" for flag in practice["outside_p10_p90"]],
            "note": practice["note"],
        }
    )


_CREDIT_NAMES = {
    "cash flows": "cash flows",
    "tiers": "cash tiers counted",
    "eligible outcomes": "outcomes that carry debt",
    "contract": "outcomes contract",
    "dscr_p50": "debt service cover, central case (P50)",
    "dscr_p90": "debt service cover, downside case (P90)",
    "haircut": "share of cash counted (haircut)",
    "percentile": "downside percentile",
    "cv": "coefficient of variation",
    "loan_rate": "loan interest rate",
    "tenor": "tenor (years)",
    "percentile_basis": "percentile basis",
    "reserve_months": "debt service reserve (months)",
    "tail_years": "tail (years)",
    "max_gearing": "largest share of project cost",
    "project_cost": "project cost",
    "allow_dscr_below_one": "cover below 1 allowed",
    "discounting": "discounting",
    "negative cash": "negative cash",
}


def _credit_value(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, Mapping):
        return "; ".join(f"{in_words(str(k))}: {_credit_value(x)}" for k, x in v.items())
    if isinstance(v, float):
        return significant(v, 3)
    return in_words(str(v)) if re.fullmatch(r"[a-z]+(_[a-z]+)+", str(v)) else str(v)


def credit_assumptions_in_words(assumptions: pd.DataFrame) -> pd.DataFrame:
    """The assumptions of a credit line (``CreditLine.assumptions``) for a reader: each named in
    words, its value (yes/no, none, numbers to three significant figures), usual range and source."""
    df = assumptions
    return pd.DataFrame(
        {
            "assumption": [_CREDIT_NAMES.get(str(n), in_words(str(n))) for n in df["name"]],
            "value": [_credit_value(v) for v in df["value"]],
            "usual range": [in_words(str(v)) if "_" in str(v) else str(v) for v in df["range"]],
            "source": [str(s) for s in df["source"]],
        }
    )


def schedule_in_words(schedule: pd.DataFrame, cur: str) -> pd.DataFrame:
    """A debt schedule (``CreditLine.schedule``) for a reader: columns named in words with the
    currency, amounts in whole units, covers to two decimals."""
    s = schedule
    names = {
        "year": "year",
        "opening_balance": f"opening balance ({cur})",
        "interest": f"interest ({cur})",
        "principal": f"principal ({cur})",
        "debt_service": f"debt service ({cur})",
        "closing_balance": f"closing balance ({cur})",
        "cash_available_p50": f"cash available, central ({cur})",
        "dscr_p50": "cover, central",
        "cash_available_p90": f"cash available, downside ({cur})",
        "dscr_p90": "cover, downside",
        "binding_case": "case that sets debt service",
    }
    out = pd.DataFrame({names.get(c, in_words(c)): s[c] for c in s.columns})
    if "binding_case" in s:
        cases = {"P50": "central (P50)", "P90": "downside (P90)"}
        out[names["binding_case"]] = [cases.get(str(c), str(c)) for c in s["binding_case"]]
    for c in out.columns:
        if c.startswith("cover"):
            out[c] = [f"{float(v):.2f}" for v in out[c]]
        elif pd.api.types.is_float_dtype(out[c]):
            out[c] = [number(v) for v in out[c]]
    return out


def html_table(
    df: pd.DataFrame,
    *,
    numeric: Sequence[str] = (),
    index: bool = False,
    classes: str = "",
    cell_class: Mapping[str, Any] | None = None,
    widths: Mapping[str, str] | None = None,
) -> str:
    """A table of preformatted values as HTML: escaped, line breaks kept, numeric columns right-aligned.

    Parameters
    ----------
    df : DataFrame
        Values already formatted (strings); NaN and None are shown empty.
    numeric : sequence of str
        Columns given the class ``num`` (right-aligned).
    index : bool
        Show the index as the first column.
    classes : str
        CSS classes of the table (the report's stylesheet knows ``wide`` and ``terms``).
    cell_class : mapping of str to callable, optional
        Column -> function of the cell's text giving its CSS class (e.g. ``pass``, ``fail``).
    widths : mapping of str to str, optional
        Column -> CSS width (``"20%"``).

    Returns
    -------
    str
        ``<div class="table-wrap"><table>...</table></div>``.
    """
    frame = df.reset_index() if index else df
    right = set(numeric)
    cell_class = dict(cell_class or {})

    def th(c: Any) -> str:
        return f"<th{' class=num' if c in right else ''}>{html.escape(str(c))}</th>"

    def td(c: Any, v: Any) -> str:
        text = "" if v is None or (isinstance(v, float) and v != v) else str(v)
        cls = "num" if c in right else (cell_class[c](text) if c in cell_class else "")
        attr = f' class="{cls}"' if cls else ""
        return f"<td{attr}>{html.escape(text).replace(chr(10), '<br>')}</td>"

    head = "".join(th(c) for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(td(c, v) for c, v in zip(frame.columns, row, strict=True)) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    cls = f' class="{classes}"' if classes else ""
    cols = ""
    if widths:
        cols = (
            "<colgroup>"
            + "".join(f'<col style="width:{widths[c]}">' if c in widths else "<col>" for c in frame.columns)
            + "</colgroup>"
        )
    return (
        f'<div class="table-wrap"><table{cls}>{cols}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></div>"
    )
