"""The Value Map as an Excel workbook: written like the Social Value UK template, read back losslessly.

:func:`write_value_map_xlsx` lays an analysis out as the Value Map (SROI_METHOD.md §1): title
block, stage labels, header, one row per outcome (stakeholder ... drop-off, impact, present
value per year, total), totals; then sheets of inputs, outputs, stakeholders, parameters,
correlations, sources, conversions, distributions and (hidden) the model file itself.
:func:`read_value_map_xlsx` reads it back exactly, or reads a Value Map filled in by hand,
naming the cell of anything wrong (``Value Map!F7``).

Safety: text a spreadsheet would run as a formula is written with a leading ``'`` as a string
cell (:func:`sroi.export.escape_formula`, OWASP), and reading undoes exactly that. Cells are
never evaluated: a formula in a cell that is read is an error (the workbook is opened with
``data_only=False`` so that formulas are seen and refused rather than replaced by whatever
value another program cached). File size, unpacked size, rows and columns are bounded; a
sheet declaring too many rows or columns is refused before its rows are read.

References
----------
.. [1] Social Value UK, "The Value Map" (SROI Value Map template and guidance).
   https://socialvalueuk.org/resource/value-map/
.. [2] Cabinet Office / SROI Network (2012). A Guide to Social Return on Investment, stages 1-5.
.. [3] OWASP Foundation, "CSV Injection". https://owasp.org/www-community/attacks/CSV_Injection

Examples
--------
>>> import os, tempfile, sroi
>>> from sroi.excel import read_value_map_xlsx, write_value_map_xlsx
>>> a = sroi.Analysis("Example", "GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
...                            proxy="500 GBP/person", duration=3, drop_off=0.1)])
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = write_value_map_xlsx(a, os.path.join(tmp, "value_map.xlsx"))
...     read_value_map_xlsx(path) == a
True
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
import warnings
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
import pint
import yaml
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from sroi.distributions import distribution_from_dict
from sroi.exceptions import SROIError
from sroi.export import escape_formula, unescape_formula
from sroi.io import FORMAT_VERSION, analysis_from_dict, analysis_to_dict, dumps, loads, to_frame
from sroi.model import Analysis, central_value
from sroi.units import CURRENCIES

__all__ = [
    "MAX_COLUMNS",
    "MAX_OUTCOMES",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_XLSX_BYTES",
    "MODEL_SHEET",
    "read_value_map_xlsx",
    "write_value_map_xlsx",
]

#: Largest workbook read, in bytes.
MAX_XLSX_BYTES = 20_000_000
#: Largest total unpacked size of the workbook's parts, in bytes (a zip-bomb guard).
MAX_UNCOMPRESSED_BYTES = 200_000_000
#: Most rows read in a table (outcomes, inputs, outputs...).
MAX_OUTCOMES = 10_000
#: Most columns read in a sheet.
MAX_COLUMNS = 256
#: Name of the sheet holding the model file.
MODEL_SHEET = "sroi model"

_MAX_CELL_TEXT = 32_767  # Excel's limit on the characters in a cell
_CHUNK = 32_000
_MODEL_MAX_ROWS = 1_048_576  # Excel's row limit
_HEADER_SEARCH = 60
_SOURCE_SHEETS = ("Value Map", "Inputs", "Outputs", "Stakeholders", "Parameters", "Correlations")
_FINGERPRINT = "# visible-sheets-sha256: "
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# fmt: off
_FILE_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ParseError, InvalidFileException, KeyError,
    IndexError, TypeError, AttributeError, ValueError, OSError, EOFError, UnicodeError, OverflowError,
    RecursionError, NotImplementedError, AssertionError,
)
_STAGES = {
    "1": "Stage 1: stakeholders", "2": "Stage 2: inputs and outputs", "3": "Stage 3: outcomes and evidence",
    "4": "Stage 4: establishing impact", "5": "Stage 5: calculating the SROI", "cash": "Cash tiers (credit)",
}
# Value Map columns: key, label, stage, kind (text, value, int, bool or derived: computed, not read).
_VM_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("stakeholder", "Stakeholder", "1", "text"), ("inputs", "Inputs", "2", "derived"),
    ("outputs", "Outputs", "2", "derived"), ("outcome", "Outcome description", "3", "text"),
    ("indicator", "Indicator", "3", "text"), ("source", "Source", "3", "text"),
    ("quantity", "Quantity", "3", "value"), ("quantity_factors", "Quantity factors", "3", "value"),
    ("duration", "Duration", "3", "int"), ("start", "Outcome start", "3", "int"),
    ("proxy", "Financial proxy", "3", "value"), ("proxy_price_year", "Proxy price year", "3", "int"),
    ("proxy_conversion", "Proxy conversion", "3", "text"), ("value", "Value ({cur})", "3", "derived"),
    ("proxy_source", "Proxy source", "3", "text"), ("deadweight", "Deadweight", "4", "value"),
    ("displacement", "Displacement", "4", "value"), ("attribution", "Attribution", "4", "value"),
    ("drop_off", "Drop-off", "4", "value"), ("impact", "Impact ({cur})", "4", "derived"),
    ("pv_years", "PV year {t} ({cur})", "5", "derived"), ("total_pv", "Total PV ({cur})", "5", "derived"),
    ("cash_tier", "Cash tier", "cash", "text"), ("contracted", "Contracted", "cash", "bool"),
    ("payer", "Payer", "cash", "text"),
)
_VM_ALIASES = {
    "stakeholders": "stakeholder", "outcome": "outcome", "outcomes": "outcome", "the outcome": "outcome",
    "indicators": "indicator", "indicator source": "source", "quantity factor": "quantity_factors",
    "duration of outcome": "duration", "duration of outcomes": "duration", "start": "start",
    "outcomes start": "start", "proxy": "proxy", "financial proxy source": "proxy_source",
    "dropoff": "drop_off",
}
_TITLE = {
    "name": "name", "analysis name": "name", "project name": "name", "description": "description",
    "currency": "currency", "price year": "price_year", "discount rate": "discount_rate",
    "discount timing": "discount_timing", "drop off from year": "drop_off_from_year",
    "drop off convention": "drop_off_from_year", "reference period": "reference_period",
}
# Other sheets read: sheet -> (section, required keys, columns (key, label, kind), derived labels).
_TABLES: dict[str, tuple[str, tuple[str, ...], tuple[tuple[str, str, str], ...], tuple[str, ...]]] = {
    "Inputs": ("inputs", ("stakeholder", "value"), (
        ("stakeholder", "Stakeholder", "text"), ("description", "Description", "text"),
        ("value", "Value", "value"), ("year", "Year", "int"), ("price_year", "Price year", "int"),
        ("source", "Source", "text")), ()),
    "Outputs": ("outputs", ("stakeholder", "description"), (
        ("stakeholder", "Stakeholder", "text"), ("description", "Description", "text"),
        ("quantity", "Quantity", "value"), ("source", "Source", "text")), ()),
    "Stakeholders": ("stakeholders", ("name",), (
        ("name", "Name", "text"), ("description", "Description", "text")), ()),
    "Parameters": ("parameters", ("name", "value"), (
        ("name", "Name", "text"), ("value", "Value", "value")), ("point value", "unit", "used by")),
    "Correlations": ("correlations", ("a", "b", "rho"), (
        ("a", "Estimate A", "text"), ("b", "Estimate B", "text"), ("rho", "Rank correlation", "float")), ()),
}
# fmt: on
_VM_KINDS = {k: kind for k, _, _, kind in _VM_COLUMNS if kind != "derived"}
_VM_DERIVED = {"inputs", "outputs", "value", "impact", "total pv", "total present value", "present value"}
_PV_YEAR_RE = re.compile(r"(pv|present value) (year|period) \d+")
_TOTAL_LABELS = ("total", "net present value", "npv", "sroi ratio", "social return")
_TITLE_KINDS = {
    "price_year": "int",
    "drop_off_from_year": "int",
    "reference_period": "int",
    "discount_rate": "value",
}
_TABLE_ALIASES = {"parameter a": "a", "parameter b": "b", "correlation": "rho", "rho": "rho"}

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_MONEY = "#,##0.00"


class _Bad:
    """A cell that is never read as a value: a formula or a spreadsheet error value."""

    def __init__(self, what: str, text: str) -> None:
        self.what, self.text = what, text


def _norm(label: Any) -> str:
    """Header label -> lower case words, without a bracketed suffix (``'Value (GBP)'`` -> ``'value'``)."""
    text = re.sub(r"\([^)]*\)", " ", str(label)).casefold()
    return " ".join(re.sub(r"[-_/:]", " ", text).split())


def _flow(v: Any) -> str:
    return str(yaml.safe_dump(v, default_flow_style=True, width=1_000_000, allow_unicode=True)).strip()


def _model_cell(v: Any) -> Any:
    """A model-file value as a cell: numbers (as text when a cell would round them), text, YAML."""
    if isinstance(v, (dict, list, tuple)):
        return _flow(list(v) if isinstance(v, tuple) else v)
    if isinstance(v, float) and math.isfinite(v) and float(f"{v:.16g}") != v:
        return repr(v)  # a spreadsheet keeps 16 digits; text keeps all 17
    if v == "" or v is None:
        return None
    return v


def _canon(v: Any) -> str | None:
    """A cell value as a spreadsheet gives it back (16 digits, CR as LF), for the fingerprint."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return f"b:{v}"
    if isinstance(v, (int, float)):
        f = float(f"{v:.16g}") if math.isfinite(v) else 0.0
        return "n:" + repr(f if f != 0 else 0.0)
    if isinstance(v, _Bad):
        return f"x:{v.text}"
    if isinstance(v, str):
        return "s:" + v.replace("\r\n", "\n").replace("\r", "\n")
    return f"o:{v}"


def _digest(entries: list[str]) -> str:
    return hashlib.sha256("\x1e".join(sorted(entries)).encode("utf-8", "surrogatepass")).hexdigest()


# -- writing ----------------------------------------------------------------------------------
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
            bad = _XML_ILLEGAL.search(value)
            if bad or len(value) > _MAX_CELL_TEXT:
                what = f"the control character {bad.group()!r}" if bad else f"{len(value):,} characters"
                raise SROIError(
                    f"the text {value[:60]!r} has {what}; a spreadsheet cell cannot hold it (at most "
                    f"{_MAX_CELL_TEXT:,} characters, no control characters)",
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
            cell.font = _BOLD
        if ws.title in _SOURCE_SHEETS:
            self.entries.append(f"{ws.title}\x1f{row}\x1f{col}\x1f{_canon(value)}")

    def table(self, ws: Any, labels: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        for c, label in enumerate(labels, 1):
            self.put(ws, 1, c, label, bold=True)
            ws.cell(row=1, column=c).fill = _HEAD_FILL
            ws.column_dimensions[get_column_letter(c)].width = 18 if c < len(labels) else 50
        for r, row in enumerate(rows, 2):
            for c, v in enumerate(row, 1):
                self.put(ws, r, c, v)
        ws.freeze_panes = "A2"


def _money_text(v: Any) -> str:
    return v if isinstance(v, str) else _flow(v)


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
        ("Discount rate", _model_cell(doc["discount_rate"]), "default 3.5%, HM Treasury Green Book"),
        ("Discount timing", a.discount_timing, "end_of_year, mid_year, start_of_year or none"),
        ("Drop-off from year", a.drop_off_from_year, "2: year 1 has no drop-off (100, 90, 81)"),
        (
            "Reference period",
            a.reference_period,
            "0: present values; k: evaluative, stated in period-k money",
        ),
    ]
    for r, (label, value, note) in enumerate(title, 2):
        book.put(ws, r, 1, label, bold=True)
        book.put(ws, r, 2, value, fmt="0.0%" if label == "Discount rate" else None)
        book.put(ws, r, 3, note)
    stage_row = len(title) + 3
    head = stage_row + 1
    n_periods = len(result.per_year) - 1
    columns: list[tuple[str, str, str]] = []
    for key, label, stage, _ in _VM_COLUMNS:
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
            book.put(ws, stage_row, c, _STAGES[stage], bold=True)
            last_stage = stage
        book.put(ws, head, c, label, bold=True)
        ws.cell(row=head, column=c).fill = _HEAD_FILL
        ws.column_dimensions[get_column_letter(c)].width = 14 if key in ("pv_years", "start") else 22
    by = result.by_outcome
    per = result.per_year_by_outcome.to_numpy()
    disc = result.per_year["discount_factor"].to_numpy()[1:]
    conv = result.conversions
    factors = {}
    if not conv.empty and "field" in conv.columns:
        factors = {str(f): float(x) for f, x in zip(conv["field"], conv["factor"], strict=True)}
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
            "value": float(by["proxy"].iloc[i]) * factors.get(f"outcomes[{i}].proxy", 1.0),
            "impact": float(by["impact"].iloc[i]),
            "total_pv": float(by["present_value"].iloc[i]),
        }
        for part in ("inputs", "outputs"):
            derived[part] = "; ".join(summaries[part].get(rec["stakeholder"], [])) if first else None
        t = 0
        for c, (key, _, _) in enumerate(columns, 1):
            if key == "pv_years":
                book.put(ws, r, c, float(per[t, i] * disc[t]), fmt=_MONEY)
                t += 1
            elif key in derived:
                money = key in ("value", "impact", "total_pv")
                book.put(ws, r, c, derived[key], fmt=_MONEY if money else None)
            else:
                v = rec[key].item() if hasattr(rec[key], "item") else rec[key]
                book.put(ws, r, c, _model_cell(v), fmt="0%" if key in filters else None)
    total_col = next(c for c, (key, _, _) in enumerate(columns, 1) if key == "total_pv")
    r = head + len(a.outcomes) + 2
    totals = [
        ("Total present value", result.present_value.magnitude, _MONEY),
        ("Total inputs", result.total_inputs.magnitude, _MONEY),
        ("Net present value", result.net_present_value.magnitude, _MONEY),
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
        return [[path, _flow(doc), d.family, d.central(), unit, d.quantile(0.1), d.quantile(0.9)]]
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
        The path written; :func:`read_value_map_xlsx` reads it back identically.

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
        [d["stakeholder"], d["description"], _model_cell(d["value"]), inp.year, inp.price_year, inp.source]
        for d, inp in zip(doc["inputs"], a.inputs, strict=True)
    ]
    book.table(book.sheet("Inputs"), [c[1] for c in _TABLES["Inputs"][2]], inputs)
    outputs = [
        [o.stakeholder, o.description, _model_cell(d.get("quantity")), o.source]
        for d, o in zip(doc.get("outputs", []), a.outputs, strict=True)
    ]
    book.table(book.sheet("Outputs"), [c[1] for c in _TABLES["Outputs"][2]], outputs)
    book.table(
        book.sheet("Stakeholders"), ["Name", "Description"], [[s.name, s.description] for s in a.stakeholders]
    )
    est = a.estimates()
    used = {} if est.empty else dict(zip(est["key"], est["fields"], strict=True))
    params = [
        [name, _model_cell(doc["parameters"][name]), *_point(v), used.get(name, "")]
        for name, v in a.parameters.items()
    ]
    book.table(book.sheet("Parameters"), ["Name", "Value", "Point value", "Unit", "Used by"], params)
    corr = [[x, y, _model_cell(rho)] for x, y, rho in a.correlations]
    book.table(book.sheet("Correlations"), ["Estimate A", "Estimate B", "Rank correlation"], corr)
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
        f"# sroi model file (format {FORMAT_VERSION}) written by sroi.excel.write_value_map_xlsx.",
        "# Read instead of the visible sheets while they are as written; edit those, not this.",
        _FINGERPRINT + _digest(book.entries),
    ]
    lines = header + dumps(a).split("\n")
    ws.column_dimensions["A"].width = 120
    for r, line in enumerate(lines, 1):
        for k in range(0, len(line), _CHUNK):
            book.put(ws, r, k // _CHUNK + 1, line[k : k + _CHUNK])
    p = Path(path)
    try:
        book.wb.save(p)
    except OSError as exc:
        raise SROIError(f"could not write {str(p)!r}: {exc}", "path") from None
    return p


# -- reading ----------------------------------------------------------------------------------
def _ref(sheet: str, row: int, col: int) -> str:
    return f"{sheet}!{get_column_letter(max(col, 1))}{row}"


def _check_file(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise SROIError(f"expected a path to an .xlsx file, got {type(path).__name__}", "workbook")
    p = Path(path)
    if not p.is_file():
        raise SROIError(f"no such file: {str(p)!r}", "workbook")
    size = p.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise SROIError(f"{p.name} is {size:,} bytes; at most {MAX_XLSX_BYTES:,} are read", "workbook")
    try:
        with zipfile.ZipFile(p) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except _FILE_ERRORS as exc:
        raise SROIError(f"{p.name} is not an .xlsx workbook (not a zip archive: {exc})", "workbook") from None
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise SROIError(
            f"{p.name} unpacks to {unpacked:,} bytes; at most {MAX_UNCOMPRESSED_BYTES:,} are read",
            "workbook",
        )
    return p


def _raw(cell: Any) -> Any:
    v = cell.value
    if getattr(cell, "data_type", None) == "f" or isinstance(v, (ArrayFormula, DataTableFormula)):
        return _Bad("formula", str(getattr(v, "text", v)))
    if getattr(cell, "data_type", None) == "e":
        return _Bad("spreadsheet error value", str(v))
    return v


def _load_rows(ws: Any, sheet: str, max_rows: int, trust_width: bool = False) -> list[tuple[Any, ...]]:
    """The cell values of a sheet (formulas as :class:`_Bad`), refusing oversized sheets first."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it does not read
            declared_rows, declared_cols = ws.max_row, ws.max_column
            for n, limit, what in (
                (declared_rows, max_rows, "rows"),
                (declared_cols, MAX_COLUMNS, "columns"),
            ):
                if isinstance(n, int) and n > limit:
                    raise SROIError(f"the sheet declares {n:,} {what}; at most {limit:,} are read", sheet)
            # Some programs declare too small a size: read all MAX_COLUMNS unless told to trust it.
            width = declared_cols if trust_width and isinstance(declared_cols, int) else MAX_COLUMNS
            rows: list[tuple[Any, ...]] = []
            for r, row in enumerate(ws.iter_rows(min_row=1, max_row=max_rows + 1, max_col=width), 1):
                values = [_raw(c) for c in row]
                while values and values[-1] is None:
                    values.pop()
                if r > max_rows:
                    if values:
                        raise SROIError(f"the sheet has more than {max_rows:,} rows", sheet)
                    break
                rows.append(tuple(values))
    except SROIError:
        raise
    except _FILE_ERRORS as exc:
        raise SROIError(f"could not read the sheet ({type(exc).__name__}: {exc})", sheet) from None
    return rows


def _convert(v: Any, kind: str, where: str) -> Any:
    """A cell value as a model-file value (text, number, YAML flow text parsed, int, bool)."""
    if isinstance(v, _Bad):
        raise SROIError(
            f"the cell holds a {v.what} ({v.text[:80]!r}); cells are read as values and never "
            "evaluated: type the value itself (copy, then paste values)",
            where,
        )
    if isinstance(v, str):
        v = unescape_formula(v)
        if v == "" or (kind != "text" and not v.strip()):
            return None
    if v is None:
        return None
    if not isinstance(v, (str, int, float, bool)):
        raise SROIError(f"expected a number or text, got a {type(v).__name__} ({v!s:.40})", where)
    if kind == "text":
        if isinstance(v, bool):
            raise SROIError(f"expected text, got {v!r}", where)
        if isinstance(v, (int, float)):
            return str(int(v)) if float(v).is_integer() else repr(v)
        return v
    if kind == "bool":
        if isinstance(v, str) and v.strip().lower() in ("true", "yes", "false", "no"):
            return v.strip().lower() in ("true", "yes")
        return v
    if isinstance(v, str) and v.strip()[:1] in ("{", "["):
        try:
            v = yaml.safe_load(v)
        except (yaml.YAMLError, RecursionError, ValueError, TypeError):
            raise SROIError(
                f"could not read {v[:80]!r} as a list or a {{distribution: ...}} mapping", where
            ) from None
    if kind in ("int", "float") and isinstance(v, str):
        try:
            v = float(v.strip())
        except ValueError:
            return v
    if kind == "int" and isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _labels(columns: Sequence[tuple[str, str]], aliases: Mapping[str, str]) -> dict[str, str]:
    out = {_norm(label): key for key, label in columns}
    out.update({_norm(key): key for key, _ in columns})
    out.update(aliases)
    return out


def _find_header(
    rows: list[tuple[Any, ...]], labels: Mapping[str, str], required: Sequence[str], sheet: str
) -> int:
    for idx, row in enumerate(rows[:_HEADER_SEARCH]):
        keys = {labels.get(_norm(unescape_formula(v))) for v in row if isinstance(v, str)}
        if all(k in keys for k in required):
            return idx
    names = ", ".join(repr(next(lab for lab, k in labels.items() if k == key)) for key in required)
    raise SROIError(f"no header row with the labels {names} in the first {_HEADER_SEARCH} rows", sheet)


def _columns(
    row: tuple[Any, ...], r: int, sheet: str, labels: Mapping[str, str], derived: set[str], vm: bool
) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, v in enumerate(row, 1):
        if not isinstance(v, str) or not v.strip():
            continue
        label = _norm(unescape_formula(v))
        key = labels.get(label)
        if key is None:
            if label in derived or _PV_YEAR_RE.fullmatch(label):
                continue
            close = difflib.get_close_matches(label, list(labels), n=1, cutoff=0.85)
            if close:
                raise SROIError(f"unknown column {v!r}; did you mean {close[0]!r}?", _ref(sheet, r, c))
            continue
        if key == "source" and vm and key in cols and "proxy_source" not in cols:
            key = "proxy_source"  # the template's second "Source" column is the proxy's
        if key in cols:
            raise SROIError(
                f"the column {key!r} appears twice ({_ref(sheet, r, cols[key])} and {_ref(sheet, r, c)})",
                _ref(sheet, r, c),
            )
        cols[key] = c
    return cols


def _records(
    rows: list[tuple[Any, ...]], head: int, cols: Mapping[str, int], sheet: str, vm: bool
) -> list[tuple[int, dict[str, Any]]]:
    """Data rows under the header (blank rows skipped; the Value Map ends at its totals rows)."""
    out: list[tuple[int, dict[str, Any]]] = []
    for idx in range(head + 1, len(rows)):
        row = rows[idx]
        cells = {k: row[c - 1] if c - 1 < len(row) else None for k, c in cols.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        first, outcome = cells.get("stakeholder"), cells.get("outcome")
        if vm and isinstance(first, str) and _norm(first).startswith(_TOTAL_LABELS) and outcome in (None, ""):
            break
        if len(out) >= MAX_OUTCOMES:
            raise SROIError(f"more than {MAX_OUTCOMES:,} rows; at most {MAX_OUTCOMES:,} are read", sheet)
        out.append((idx + 1, cells))
    return out


def _with_currency(v: Any, currency: Any) -> Any:
    """A bare number typed as money (a proxy or an input) is in the analysis currency."""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and currency in CURRENCIES:
        return f"{v!r} {currency}"
    return v


def _relocate(exc: SROIError, loc: Mapping[str, str], default: str) -> SROIError:
    """The same error, its field now the cell (``Value Map!F7``) of the model path it named."""
    cand = exc.field or ""
    while cand and cand not in loc:
        cut = max(cand.rfind("."), cand.rfind("["))
        cand = cand[:cut] if cut > 0 else ""
    return type(exc)(str(exc), loc.get(cand, default))


def _parse_visible(sheets: Mapping[str, list[tuple[Any, ...]]], titles: Mapping[str, str]) -> Analysis:
    """The model-file dict built from the visible sheets, checked by :func:`analysis_from_dict`."""
    vm, rows = titles["Value Map"], sheets["Value Map"]
    labels = _labels([(k, lab) for k, lab, _, kind in _VM_COLUMNS if kind != "derived"], _VM_ALIASES)
    head = _find_header(rows, labels, ("stakeholder", "outcome"), vm)
    cols = _columns(rows[head], head + 1, vm, labels, _VM_DERIVED, vm=True)
    missing = [k for k in ("quantity", "proxy") if k not in cols]
    if missing:
        raise SROIError(f"the header row has no {missing[0]!r} column", _ref(vm, head + 1, 1))
    doc: dict[str, Any] = {"sroi": FORMAT_VERSION}
    loc: dict[str, str] = {"outcomes": _ref(vm, head + 1, 1)}
    for idx, row in enumerate(rows[:head]):  # the title block: a label, its value to the right
        c = next((j for j, v in enumerate(row) if v is not None), -1)
        key = _TITLE.get(_norm(unescape_formula(row[c]))) if c >= 0 and isinstance(row[c], str) else None
        if key is None:
            continue
        where = _ref(vm, idx + 1, c + 2)
        if key in loc:
            raise SROIError(f"{row[c]!r} appears twice in the title block (also {loc[key]})", where)
        loc[key] = where
        value = _convert(row[c + 1] if c + 1 < len(row) else None, _TITLE_KINDS.get(key, "text"), where)
        doc.update({} if value is None else {key: value})
    for key in ("name", "currency"):
        if key not in doc:
            raise SROIError(
                f"the title block above the header row has no {key.title()!r}: put the label in a cell "
                "and the value in the cell to its right",
                loc.get(key, _ref(vm, 1, 1)),
            )
    currency = doc["currency"]
    specs = {"Value Map": ("outcomes", (), (), ())} | _TABLES
    for sheet, (section, required, spec, derived) in specs.items():
        title = titles.get(sheet, sheet)
        if sheet not in sheets:
            if section == "inputs":
                raise SROIError(
                    "no 'Inputs' sheet: add one with the columns Stakeholder, Description, Value, "
                    "Year, Price year, Source (one row per input)",
                    "Inputs",
                )
            continue
        if section == "outcomes":
            t_rows, t_head, t_cols, kinds = rows, head, cols, _VM_KINDS
        else:
            t_labels = _labels([(k, lab) for k, lab, _ in spec], _TABLE_ALIASES)
            t_rows = sheets[sheet]
            t_head = _find_header(t_rows, t_labels, required, title)
            t_cols = _columns(t_rows[t_head], t_head + 1, title, t_labels, set(derived), vm=False)
            kinds = {k: kind for k, _, kind in spec}
            loc[section] = _ref(title, t_head + 1, 1)
        items: list[tuple[dict[str, Any], dict[str, str]]] = []
        for n, (r, cells) in enumerate(_records(t_rows, t_head, t_cols, title, vm=section == "outcomes")):
            at = {k: _ref(title, r, t_cols[k]) for k in cells}
            d = {k: _convert(raw, kinds[k], at[k]) for k, raw in cells.items()}
            d = {k: v for k, v in d.items() if v is not None}
            money = {"outcomes": "proxy", "inputs": "value"}.get(section, "")
            if money in d:
                d[money] = _with_currency(d[money], currency)
            if "quantity_factors" in d and not isinstance(d["quantity_factors"], list):
                d["quantity_factors"] = [d["quantity_factors"]]
            loc[f"{section}[{n}]"] = _ref(title, r, 1)
            loc.update({f"{section}[{n}].{k}": w for k, w in at.items()})
            items.append((d, at))
        if section == "parameters":
            params: dict[str, Any] = {}
            for d, at in items:
                name = d.get("name")
                if name is None or name in params:
                    what = "a name" if name is None else f"a name used only once ({name!r} is repeated)"
                    raise SROIError(f"each parameter needs {what}", at["name"])
                params[name] = d.get("value")
                loc[f"parameters.{name}"] = at["value"]
            doc["parameters"] = params
        elif section == "correlations":
            doc[section] = [[d.get("a"), d.get("b"), d.get("rho")] for d, _ in items]
        else:
            doc[section] = [d for d, _ in items]
    try:
        return analysis_from_dict(doc)
    except SROIError as exc:
        raise _relocate(exc, loc, vm) from None


def _fingerprint(sheets: Mapping[str, list[tuple[Any, ...]]]) -> str:
    entries = []
    for name, rows in sheets.items():
        for r, row in enumerate(rows, 1):
            for c, v in enumerate(row, 1):
                canon = _canon(v)
                if canon is not None:
                    entries.append(f"{name}\x1f{r}\x1f{c}\x1f{canon}")
    return _digest(entries)


def _model_text(rows: list[tuple[Any, ...]]) -> str:
    lines = []
    for r, row in enumerate(rows, 1):
        parts = []
        for c, v in enumerate(row, 1):
            if isinstance(v, _Bad):
                _convert(v, "text", _ref(MODEL_SHEET, r, c))
            parts.append("" if v is None else unescape_formula(v) if isinstance(v, str) else str(v))
        lines.append("".join(parts))
    return "\n".join(lines)


def read_value_map_xlsx(path: str | os.PathLike[str]) -> Analysis:
    """Read a Value Map workbook: one written by :func:`write_value_map_xlsx`, or filled in by hand.

    Parameters
    ----------
    path : path-like
        An ``.xlsx`` workbook (any file name; the content decides).

    Returns
    -------
    Analysis

    Raises
    ------
    SROIError
        A file that is missing, too large (:data:`MAX_XLSX_BYTES`, unpacked
        :data:`MAX_UNCOMPRESSED_BYTES`), not a workbook, with too many rows or columns, or any
        invalid cell: the error's field is the cell, e.g. ``Value Map!F7``, and its message
        names the model field (``outcomes[2].deadweight``), the value and what was expected.

    Notes
    -----
    A workbook written by :func:`write_value_map_xlsx` whose visible sheets are unchanged is
    read from its ``sroi model`` sheet (exact). Otherwise (edited, or no ``sroi model`` sheet)
    the visible sheets are the source of truth. ``Value Map`` (or the only sheet): a title block
    (``Name`` and ``Currency`` required; ``Description``, ``Price year``, ``Discount rate``,
    ``Discount timing``, ``Drop-off from year``), each value in the cell right of its label;
    a header row found by its labels (case-insensitive: ``Stakeholder``, ``Outcome``,
    ``Quantity``, ``Financial proxy``..., or glossary names such as ``drop_off``); one row per
    outcome until a ``Total...`` row. Computed columns (inputs and outputs summaries, value,
    impact, present values) are not read, so formulas there are ignored. ``Inputs`` (required),
    ``Outputs``, ``Stakeholders``, ``Parameters``, ``Correlations``: a header row, one row per
    item. Blank rows are skipped. Cells hold numbers, text (``20%``, ``500 GBP/person``) or
    YAML flow text (``{distribution: pert, low: 0.1, mode: 0.2, high: 0.4}``, ``{param:
    name}``); a bare number as a proxy or an input value is in the analysis currency.

    References
    ----------
    .. [1] Social Value UK, "The Value Map" (template).
    .. [2] OWASP Foundation, "CSV Injection".
    """
    p = _check_file(path)
    try:
        handle = p.open("rb")
    except OSError as exc:
        raise SROIError(f"could not open {str(p)!r}: {exc}", "workbook") from None
    with handle:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about features it does not read
                wb = openpyxl.load_workbook(handle, read_only=True, data_only=False, keep_links=False)
        except _FILE_ERRORS as exc:
            raise SROIError(
                f"{p.name} is not a readable .xlsx workbook ({type(exc).__name__}: {exc})", "workbook"
            ) from None
        try:
            return _read_workbook(wb)
        finally:
            wb.close()


def _read_workbook(wb: Any) -> Analysis:
    by_name = {str(n).strip().casefold(): n for n in wb.sheetnames}
    titles = {s: by_name[s.casefold()] for s in _SOURCE_SHEETS if s.casefold() in by_name}
    model = by_name.get(MODEL_SHEET)
    if "Value Map" not in titles:
        others = [n for n in wb.sheetnames if n != model]
        if len(others) == 1:
            titles["Value Map"] = others[0]
        elif model is None:
            raise SROIError(f"no 'Value Map' sheet; the workbook has {list(wb.sheetnames)}", "workbook")
    sheets = {s: _load_rows(wb[t], t, MAX_OUTCOMES + 200) for s, t in titles.items()}
    if model is not None:
        text = _model_text(_load_rows(wb[model], model, _MODEL_MAX_ROWS, trust_width=True))
        stored: str | None = None
        for line in text.split("\n"):
            if not line.startswith("#"):
                break
            if line.startswith(_FINGERPRINT):
                stored = line[len(_FINGERPRINT) :].strip()
        if stored is None or stored == _fingerprint(sheets) or "Value Map" not in sheets:
            try:
                analysis = loads(text)
            except SROIError as exc:
                raise type(exc)(str(exc), model) from None
            if len(analysis.outcomes) > MAX_OUTCOMES:
                raise SROIError(
                    f"{len(analysis.outcomes):,} outcomes; at most {MAX_OUTCOMES:,} are read", model
                )
            return analysis
    return _parse_visible(sheets, titles)
