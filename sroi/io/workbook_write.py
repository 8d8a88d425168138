"""The Value Map as an Excel workbook, written like the Social Value UK template.

:func:`write_value_map_xlsx` lays an analysis out as the Value Map (docs/method.md §2): title
block, stage labels, header, one row per outcome (stakeholder ... drop-off, impact, present
value per year, total), totals; then sheets of inputs, outputs, stakeholders, parameters,
correlations, sources, conversions, distributions and (hidden) the model file itself.
:func:`sroi.io.workbook_read.read_value_map_xlsx` reads it back exactly.

Safety: text a spreadsheet would run as a formula is written with a leading ``'`` as a string
cell (:func:`sroi.io.export.escape_formula`, OWASP).

References
----------
.. [1] Social Value UK, "The Value Map" (SROI Value Map template and guidance).
   https://socialvalueuk.org/resource/value-map/
.. [2] Cabinet Office / SROI Network (2012). A Guide to Social Return on Investment, stages 1-5.
.. [3] OWASP Foundation, "CSV Injection". https://owasp.org/www-community/attacks/CSV_Injection

Examples
--------
>>> import os, tempfile, sroi
>>> a = sroi.Analysis("Example", "GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
...                            proxy="500 GBP/person", duration=3, drop_off=0.1)])
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = sroi.write_value_map_xlsx(a, os.path.join(tmp, "value_map.xlsx"))
...     sroi.read_value_map_xlsx(path) == a
True
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pint
from openpyxl.utils import get_column_letter

from sroi.analysis import Analysis
from sroi.distributions import distribution_from_dict
from sroi.exceptions import SROIError
from sroi.io.export import escape_formula
from sroi.io.modelfile import FORMAT_VERSION, analysis_to_dict, dumps
from sroi.io.workbook_layout import (
    BOLD,
    CHUNK,
    FINGERPRINT_PREFIX,
    HEAD_FILL,
    MAX_CELL_TEXT,
    MAX_COLUMNS,
    MAX_OUTCOMES,
    MODEL_SHEET,
    MONEY_FORMAT,
    SOURCE_SHEETS,
    STAGES,
    TABLES,
    VM_COLUMNS,
    XML_ILLEGAL,
    canonical,
    digest,
    flow_text,
    model_cell,
)
from sroi.safe_yaml import write_file
from sroi.tabular import to_frame
from sroi.valuemap import central_value

__all__ = ["write_value_map_xlsx"]


class _Book:
    """An openpyxl workbook plus the fingerprint of what is written in the visible source sheets."""

    def __init__(self) -> None:
        self.wb = openpyxl.Workbook()
        self.entries: list[str] = []

    def sheet(self, title: str) -> Any:
        return self.wb.create_sheet(title)

    def put(
        self, ws: Any, row: int, col: int, value: Any, fmt: str | None = None, bold: bool = False
    ) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        if isinstance(value, str):
            bad = XML_ILLEGAL.search(value)
            if bad or len(value) > MAX_CELL_TEXT:
                what = f"the control character {bad.group()!r}" if bad else f"{len(value):,} characters"
                raise SROIError(
                    f"the text {value[:60]!r} has {what}; a spreadsheet cell cannot hold it (at most "
                    f"{MAX_CELL_TEXT:,} characters, no control characters)",
                    f"{ws.title}!{get_column_letter(col)}{row}",
                )
            value = escape_formula(value) if value else None
        if value is None:
            return
        cell = ws.cell(row=row, column=col)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
        if fmt:
            cell.number_format = fmt
        if bold:
            cell.font = BOLD
        if ws.title in SOURCE_SHEETS:
            self.entries.append(f"{ws.title}\x1f{row}\x1f{col}\x1f{canonical(value)}")

    def table(self, ws: Any, labels: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        for c, label in enumerate(labels, 1):
            self.put(ws, 1, c, label, bold=True)
            ws.cell(row=1, column=c).fill = HEAD_FILL
            ws.column_dimensions[get_column_letter(c)].width = 18 if c < len(labels) else 50
        for r, row in enumerate(rows, 2):
            for c, v in enumerate(row, 1):
                self.put(ws, r, c, v)
        ws.freeze_panes = "A2"


def _money_text(v: Any) -> str:
    return v if isinstance(v, str) else flow_text(v)


def _write_value_map(book: _Book, a: Analysis, result: Any, doc: dict[str, Any]) -> None:
    ws = book.wb.active
    ws.title = "Value Map"
    cur = a.currency
    book.put(ws, 1, 1, "SROI Value Map", bold=True)
    title = [
        ("Name", a.name, None),
        ("Description", a.description, None),
        ("Currency", cur, "ISO 4217"),
        ("Price year", a.price_year, "price base of every value"),
        ("Discount rate", model_cell(doc["discount_rate"]), "default 3.5%, HM Treasury Green Book"),
        ("Discount timing", a.discount_timing, "end_of_year, mid_year, start_of_year or none"),
        ("Drop-off from year", a.drop_off_from_year, "2: year 1 has no drop-off (100, 90, 81)"),
        (
            "Reference period",
            a.reference_period,
            "0: present values; k: evaluative, stated in period-k money",
        ),
        ("Sector", a.sector, "matched against the practice benchmarks' sectors"),
    ]
    for r, (label, value, note) in enumerate(title, 2):
        book.put(ws, r, 1, label, bold=True)
        book.put(ws, r, 2, value, fmt="0.0%" if label == "Discount rate" else None)
        book.put(ws, r, 3, note)
    stage_row = len(title) + 3
    head = stage_row + 1
    n_periods = len(result.per_year) - 1
    columns: list[tuple[str, str, str]] = []
    for key, label, stage, _ in VM_COLUMNS:
        if key == "pv_years":
            columns += [(key, label.format(t=t, cur=cur), stage) for t in range(1, n_periods + 1)]
        else:
            columns.append((key, label.format(cur=cur), stage))
    if len(columns) > MAX_COLUMNS:
        raise SROIError(
            f"the Value Map would need {len(columns)} columns ({n_periods} periods); at most "
            f"{MAX_COLUMNS} are written",
            "discount_rate",
        )
    last_stage = None
    for c, (key, label, stage) in enumerate(columns, 1):
        if stage != last_stage:
            book.put(ws, stage_row, c, STAGES[stage], bold=True)
            last_stage = stage
        book.put(ws, head, c, label, bold=True)
        ws.cell(row=head, column=c).fill = HEAD_FILL
        ws.column_dimensions[get_column_letter(c)].width = 14 if key in ("pv_years", "start") else 22
    by = result.by_outcome
    pv_years = result.present_value_by_period.to_numpy()
    summaries: dict[str, dict[str, list[str]]] = {"inputs": {}, "outputs": {}}
    for d in doc["inputs"]:
        text = f"{d['description']}: {_money_text(d['value'])}".strip(": ")
        summaries["inputs"].setdefault(d["stakeholder"], []).append(text)
    for d in doc.get("outputs", []):
        qty = f": {_money_text(d['quantity'])}" if "quantity" in d else ""
        summaries["outputs"].setdefault(d["stakeholder"], []).append(f"{d['description']}{qty}")
    seen: set[str] = set()
    filters = ("deadweight", "displacement", "attribution", "drop_off")
    for i, rec in enumerate(to_frame(a).to_dict("records")):
        r = head + 1 + i
        first = rec["stakeholder"] not in seen
        seen.add(rec["stakeholder"])
        derived: dict[str, Any] = {
            "value": float(by["proxy"].iloc[i]),  # the engine's proxy, in the analysis currency per year
            "impact": float(by["impact"].iloc[i]),
            "total_pv": float(by["present_value"].iloc[i]),
        }
        for part in ("inputs", "outputs"):
            derived[part] = "; ".join(summaries[part].get(rec["stakeholder"], [])) if first else None
        t = 0
        for c, (key, _, _) in enumerate(columns, 1):
            if key == "pv_years":
                book.put(ws, r, c, float(pv_years[t, i]), fmt=MONEY_FORMAT)
                t += 1
            elif key in derived:
                money = key in ("value", "impact", "total_pv")
                book.put(ws, r, c, derived[key], fmt=MONEY_FORMAT if money else None)
            else:
                v = rec[key].item() if hasattr(rec[key], "item") else rec[key]
                book.put(ws, r, c, model_cell(v), fmt="0%" if key in filters else None)
    total_col = next(c for c, (key, _, _) in enumerate(columns, 1) if key == "total_pv")
    r = head + len(a.outcomes) + 2
    totals = [
        ("Total present value", result.present_value.magnitude, MONEY_FORMAT),
        ("Total inputs", result.total_inputs.magnitude, MONEY_FORMAT),
        ("Net present value", result.net_present_value.magnitude, MONEY_FORMAT),
        ("SROI ratio", result.ratio, "0.00"),
    ]
    for k, (label, value, fmt) in enumerate(totals):
        book.put(ws, r + k, 1, label, bold=True)
        book.put(ws, r + k, total_col, float(value), fmt=fmt, bold=True)
    ws.freeze_panes = ws.cell(row=head + 1, column=2).coordinate


def _distribution_rows(doc: Any, path: str = "") -> list[list[Any]]:
    """One row per distribution in a model-file dict: field path, model-file form, summary."""
    if isinstance(doc, dict) and "distribution" in doc:
        d = distribution_from_dict(doc, path)
        unit = "" if d.unit is None else str(d.unit)
        return [[path, flow_text(doc), d.family, d.central(), unit, d.quantile(0.1), d.quantile(0.9)]]
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    rows = []
    for k, v in items:
        rows += _distribution_rows(v, f"{path}[{k}]" if isinstance(k, int) else f"{path}.{k}".lstrip("."))
    return rows


def _point(v: Any) -> tuple[float, str]:
    unit = v.units if isinstance(v, pint.Quantity) else getattr(v, "unit", None)
    return central_value(v), "" if unit is None else str(unit)


def write_value_map_xlsx(analysis: Analysis, path: str | os.PathLike[str], result: Any = None) -> Path:
    """Write an analysis as a Value Map workbook (``.xlsx``).

    Parameters
    ----------
    analysis : Analysis
    path : path-like
        The workbook to write (overwritten).
    result : Result, optional
        The evaluation shown in the value, impact and present-value columns, the totals and the
        ``Conversions`` sheet; default ``analysis.evaluate()``.

    Returns
    -------
    pathlib.Path
        The path written; :func:`sroi.read_value_map_xlsx` reads it back identically.

    Raises
    ------
    SROIError
        A result of another analysis, more than :data:`MAX_OUTCOMES` outcomes, or a text that a
        spreadsheet cannot hold (a control character, or more than 32,767 characters).

    Notes
    -----
    Sheets: ``Value Map``, ``Inputs``, ``Outputs``, ``Stakeholders``, ``Parameters``,
    ``Correlations`` (read back), ``Assumptions and sources``, ``Conversions``, ``Distributions``
    (for people) and the hidden ``sroi model`` (the model file, one YAML line per row). Estimates
    are in model-file form: numbers, unit strings (``1064 GBP / person / year``) and YAML flow
    text for distributions, references and lists. No formula is written.

    References
    ----------
    .. [1] Social Value UK, "The Value Map" (template).
    .. [2] OWASP Foundation, "CSV Injection".
    """
    if not isinstance(analysis, Analysis):
        raise SROIError(f"expected an sroi.Analysis, got {type(analysis).__name__}", "analysis")
    if len(analysis.outcomes) > MAX_OUTCOMES:
        raise SROIError(
            f"{len(analysis.outcomes):,} outcomes; at most {MAX_OUTCOMES:,} are written", "outcomes"
        )
    if result is None:
        result = analysis.evaluate()
    elif getattr(result, "analysis", None) is not analysis and getattr(result, "analysis", None) != analysis:
        raise SROIError(
            "the result is not an evaluation of this analysis; pass analysis.evaluate()", "result"
        )
    a, doc = analysis, analysis_to_dict(analysis)
    book = _Book()
    _write_value_map(book, a, result, doc)
    inputs = [
        [d["stakeholder"], d["description"], model_cell(d["value"]), inp.year, inp.price_year, inp.source]
        for d, inp in zip(doc["inputs"], a.inputs, strict=True)
    ]
    book.table(book.sheet("Inputs"), [c[1] for c in TABLES["Inputs"][2]], inputs)
    outputs = [
        [o.stakeholder, o.description, model_cell(d.get("quantity")), o.source]
        for d, o in zip(doc.get("outputs", []), a.outputs, strict=True)
    ]
    book.table(book.sheet("Outputs"), [c[1] for c in TABLES["Outputs"][2]], outputs)
    book.table(
        book.sheet("Stakeholders"), ["Name", "Description"], [[s.name, s.description] for s in a.stakeholders]
    )
    est = a.estimates()
    used = {} if est.empty else dict(zip(est["key"], est["fields"], strict=True))
    params = [
        [name, model_cell(doc["parameters"][name]), *_point(v), used.get(name, "")]
        for name, v in a.parameters.items()
    ]
    book.table(book.sheet("Parameters"), ["Name", "Value", "Point value", "Unit", "Used by"], params)
    corr = [[x, y, model_cell(rho)] for x, y, rho in a.correlations]
    book.table(book.sheet("Correlations"), ["Estimate A", "Estimate B", "Rank correlation"], corr)
    for sheet in ("Negative outcomes considered", "Inputs not valued"):
        section, _, spec, _ = TABLES[sheet]
        rows = [[x.description, x.reason, x.stakeholder] for x in getattr(a, section)]
        if rows:
            book.table(book.sheet(sheet), [c[1] for c in spec], rows)
    groups: tuple[tuple[str, Sequence[Any]], ...] = (("inputs", a.inputs), ("outputs", a.outputs))
    sources = [[f"{s}[{j}].source", f"{x.stakeholder}: {x.description}", x.source]
               for s, xs in groups for j, x in enumerate(xs)]  # fmt: skip
    sources += [[f"outcomes[{i}].{k}", o.label, getattr(o, k)]
                for i, o in enumerate(a.outcomes) for k in ("source", "proxy_source")]  # fmt: skip
    book.table(book.sheet("Assumptions and sources"), ["Field", "About", "Source"], sources)
    conv = result.conversions
    if conv.empty:
        book.table(book.sheet("Conversions"), ["Conversions"], [["no currency or price-year conversion"]])
    else:
        rows = [[v.item() if hasattr(v, "item") else v for v in rec] for rec in conv.itertuples(index=False)]
        book.table(book.sheet("Conversions"), [str(c) for c in conv.columns], rows)
    dist_labels = ["Field", "Distribution", "Family", "Point value", "Unit", "P10", "P90"]
    book.table(book.sheet("Distributions"), dist_labels, _distribution_rows(doc))
    ws = book.sheet(MODEL_SHEET)
    ws.sheet_state = "hidden"
    header = [
        f"# sroi model file (format {FORMAT_VERSION}) written by sroi.write_value_map_xlsx.",
        "# Read instead of the visible sheets while they are as written; edit those, not this.",
        FINGERPRINT_PREFIX + digest(book.entries),
    ]
    lines = header + dumps(a).split("\n")
    ws.column_dimensions["A"].width = 120
    for r, line in enumerate(lines, 1):
        for k in range(0, len(line), CHUNK):
            book.put(ws, r, k // CHUNK + 1, line[k : k + CHUNK])
    buffer = io.BytesIO()  # built in memory, written in one call: a full disk is one clear error
    book.wb.save(buffer)
    return write_file(path, buffer.getvalue(), "path")
