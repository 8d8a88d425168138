"""The Value Map as an Excel workbook, written like the Social Value UK template.

:func:`write_value_map_xlsx` lays an analysis out as the Value Map (docs/method.md §2): title
block, stage labels, header, one row per outcome (stakeholder ... drop-off, impact, present
value per year, total), totals; then sheets of inputs, outputs, stakeholders, parameters,
correlations, sources, conversions, distributions and (hidden) the model file itself.
:func:`sroi.io.workbook_read.read_value_map_xlsx` reads it back exactly.

Computed columns are live formulas that follow docs/method.md §3 (§15 lists them), each with the
engine's value stored as its cached value, so that Excel (which recalculates on opening) and a
reader that does not calculate (openpyxl ``data_only``, pandas) show the engine's numbers.

Safety: text a spreadsheet would run as a formula is written with a leading ``'`` as a string
cell (:func:`sroi.io.export.escape_formula`, OWASP); the only formulas are the writer's own.

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
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pint
from openpyxl.utils import get_column_letter

from sroi.analysis import Analysis
from sroi.distributions import distribution_from_dict
from sroi.engine import discount_factors
from sroi.exceptions import SROIError
from sroi.io.export import escape_formula
from sroi.io.modelfile import FORMAT_VERSION, analysis_to_dict, dumps
from sroi.io.workbook_layout import (
    BOLD,
    CHUNK,
    FINGERPRINT_PREFIX,
    HEAD_FILL,
    INPUT_FILL,
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
    BadCell,
    canonical,
    digest,
    flow_text,
    model_cell,
)
from sroi.safe_yaml import write_file
from sroi.tabular import to_frame
from sroi.valuemap import central_value

__all__ = ["computed_cells", "write_value_map_xlsx"]


class _Book:
    """An openpyxl workbook plus the fingerprint of what is written in the visible source sheets."""

    def __init__(self) -> None:
        self.wb = openpyxl.Workbook()
        self.entries: list[str] = []
        #: (sheet, cell) -> (formula or None, the engine's value) of every computed cell
        self.computed: dict[tuple[str, str], tuple[str | None, float]] = {}

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
            # a cell stores a carriage return as a line feed (XML end-of-line handling): write what
            # will be read back, so the formula escape is decided on the same text
            value = value.replace("\r\n", "\n").replace("\r", "\n")
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

    def computed_cell(
        self, ws: Any, row: int, col: int, value: float, formula: str | None = None, fmt: str | None = None
    ) -> None:
        """A computed cell: a live formula with the engine's value as its cached value, or (no
        formula) the engine's point value that formulas use, marked as an input."""
        cell = ws.cell(row=row, column=col)
        value = float(value)
        if formula is None:
            self.put(ws, row, col, value, fmt=fmt)
            cell.fill = INPUT_FILL
        else:
            cell.value = "=" + formula
            if fmt:
                cell.number_format = fmt
            if ws.title in SOURCE_SHEETS:
                self.entries.append(
                    f"{ws.title}\x1f{row}\x1f{col}\x1f{canonical(BadCell('formula', cell.value))}"
                )
        self.computed[(ws.title, cell.coordinate)] = (cell.value if formula is not None else None, value)

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


def _write_value_map(book: _Book, a: Analysis, result: Any, doc: dict[str, Any]) -> tuple[int, int]:
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
    has_overlaps = any(
        share is not None
        for o in a.outcomes
        if isinstance(o.overlaps, Mapping)
        for share in o.overlaps.values()
    )
    for key, label, stage, _ in VM_COLUMNS:
        if key == "overlap_used" and not has_overlaps:
            continue
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
    arrays = a.compiled.arrays()
    col = {key: c for c, (key, _, _) in enumerate(columns, 1) if key != "pv_years"}
    pv_cols = [c for c, (key, _, _) in enumerate(columns, 1) if key == "pv_years"]
    letter = {key: get_column_letter(c) for key, c in col.items()}
    drow = _discount_rows(
        book, ws, a, doc, arrays, pv_cols, title_rows={lab: r for r, (lab, _, _) in enumerate(title, 2)}
    )
    summaries: dict[str, dict[str, list[str]]] = {"inputs": {}, "outputs": {}}
    for d in doc["inputs"]:
        text = f"{d['description']}: {_money_text(d['value'])}".strip(": ")
        summaries["inputs"].setdefault(d["stakeholder"], []).append(text)
    for d in doc.get("outputs", []):
        qty = f": {_money_text(d['quantity'])}" if "quantity" in d else ""
        summaries["outputs"].setdefault(d["stakeholder"], []).append(f"{d['description']}{qty}")
    seen: set[str] = set()
    filters = ("deadweight", "displacement", "attribution", "drop_off")
    profiles = {int(i) for i in arrays.profile_outcomes}
    for i, rec in enumerate(to_frame(a).to_dict("records")):
        r = head + 1 + i
        first = rec["stakeholder"] not in seen
        seen.add(rec["stakeholder"])
        for part in ("inputs", "outputs"):
            summary = "; ".join(summaries[part].get(rec["stakeholder"], [])) if first else None
            book.put(ws, r, col[part], summary)
        for key in col:
            if key in rec:
                v = rec[key].item() if hasattr(rec[key], "item") else rec[key]
                book.put(ws, r, col[key], model_cell(v), fmt="0%" if key in filters else None)
        # the calculation (docs/method.md §3.1-3.5, §15): inputs of the formulas, then formulas
        q_unit, p_unit = by["quantity_unit"].iloc[i], by["proxy_unit"].iloc[i]
        book.computed_cell(
            ws, r, col["quantity_used"], by["quantity"].iloc[i], fmt=_with_unit(_NUMBER_FORMAT, q_unit)
        )
        book.computed_cell(ws, r, col["value"], by["proxy"].iloc[i], fmt=_with_unit(MONEY_FORMAT, p_unit))
        for name in filters:
            model = model_cell(rec[name].item() if hasattr(rec[name], "item") else rec[name])
            plain = isinstance(model, (int, float)) and not isinstance(model, bool)  # a number cell
            formula = f"{letter[name]}{r}" if plain else None
            book.computed_cell(ws, r, col[f"{name}_used"], by[name].iloc[i], formula, fmt="0.00%")
        factors = [f"{letter['quantity_used']}{r}", f"{letter['value']}{r}"]
        factors += [f"(1-{letter[f'{name}_used']}{r})" for name in filters[:3]]
        if "overlap_used" in col:  # the share already counted by other outcomes, 1 - product(1 - s)
            book.computed_cell(ws, r, col["overlap_used"], by["overlap"].iloc[i], fmt="0.00%")
            factors.append(f"(1-{letter['overlap_used']}{r})")
        book.computed_cell(ws, r, col["impact"], by["impact"].iloc[i], "*".join(factors), fmt=MONEY_FORMAT)
        start, duration = int(by["start"].iloc[i]), int(by["duration"].iloc[i])
        f_year = int(arrays.drop_off_from[i])
        for t, c in enumerate(pv_cols, 1):
            k = t - start + 1
            value = float(pv_years[t - 1, i])
            if i in profiles:  # a quantity or proxy profile: the engine's values, as inputs
                book.computed_cell(ws, r, c, value, fmt=MONEY_FORMAT)
            elif 1 <= k <= duration:
                e = max(0, k - f_year + 1)
                kept = f"*(1-{letter['drop_off_used']}{r})^{e}" if e else ""
                d_ref = f"{get_column_letter(c)}${drow}"
                book.computed_cell(ws, r, c, value, f"{letter['impact']}{r}{kept}*{d_ref}", fmt=MONEY_FORMAT)
            else:
                book.put(ws, r, c, 0.0, fmt=MONEY_FORMAT)
        first_pv, last_pv = get_column_letter(pv_cols[0]), get_column_letter(pv_cols[-1])
        book.computed_cell(
            ws,
            r,
            col["total_pv"],
            by["present_value"].iloc[i],
            f"SUM({first_pv}{r}:{last_pv}{r})",
            MONEY_FORMAT,
        )
    total_col = col["total_pv"]
    tl = letter["total_pv"]
    r = head + len(a.outcomes) + 2
    last_row = head + len(a.outcomes)
    n_inputs = len(a.inputs)
    totals = [
        (
            "Total present value",
            result.present_value.magnitude,
            f"SUM({tl}{head + 1}:{tl}{last_row})",
            MONEY_FORMAT,
        ),
        ("Total inputs", result.total_inputs.magnitude, f"SUM(Inputs!I2:I{n_inputs + 1})", MONEY_FORMAT),
        ("Net present value", result.net_present_value.magnitude, f"{tl}{r}-{tl}{r + 1}", MONEY_FORMAT),
        ("SROI ratio", result.ratio, f"{tl}{r}/{tl}{r + 1}", "0.00"),
    ]
    for k, (label, value, formula, fmt) in enumerate(totals):
        book.put(ws, r + k, 1, label, bold=True)
        book.computed_cell(ws, r + k, total_col, float(value), formula, fmt)
        ws.cell(r + k, total_col).font = BOLD
    book.put(ws, r + len(totals) + 1, 1, _INPUT_NOTE)
    ws.freeze_panes = ws.cell(row=head + 1, column=2).coordinate
    return drow, pv_cols[0]


_INPUT_NOTE = (
    "Computed columns are live formulas (docs/method.md §15). Shaded cells hold the engine's point "
    "values that the formulas use (a unit or currency conversion, a distribution's central value, a "
    "reference or a profile): edit the model cells (quantity, proxy, filters), not these."
)
_NUMBER_FORMAT = "#,##0.####"


def _with_unit(fmt: str, unit: str) -> str:
    """A number format showing the unit after the number (``50,400 WELLBY``), the value a number."""
    text = unit.replace('"', "").replace("\\", "")
    return f'{fmt} "{text}"' if text else fmt


def _discount_rows(
    book: _Book,
    ws: Any,
    a: Analysis,
    doc: dict[str, Any],
    arrays: Any,
    pv_cols: list[int],
    title_rows: dict[str, int],
) -> int:
    """Period, rate, end-of-year factor and discount factor rows above the PV columns
    (docs/method.md §3.4, §3.7); returns the row of the factor the present values use."""
    label_col = pv_cols[0] - 1
    rows = {"period": 2, "rate": 3, "end": 4, "factor": 5, "rebased": 6}
    labels = {
        "period": "Period t",
        "rate": "Rate r(t)",
        "end": "End-of-year factor E(t)",
        "factor": f"Discount factor D(t), {a.discount_timing}",
        "rebased": f"D(t) / D({a.reference_period}), in period-{a.reference_period} money",
    }
    k = a.reference_period
    if not k:
        del rows["rebased"]
    for key, r in rows.items():
        book.put(ws, r, label_col, labels[key], bold=True)
    rates = arrays.rates[:, 0]
    shown = model_cell(doc["discount_rate"])  # the title block's cell: a number, or text
    scalar = isinstance(shown, (int, float)) and not isinstance(shown, bool)
    plain = discount_factors(rates, a.discount_timing)
    end = discount_factors(rates, "end_of_year")
    ref = f"$B${title_rows['Discount rate']}"
    for t, c in enumerate(pv_cols, 1):
        L, P = get_column_letter(c), get_column_letter(c - 1)
        book.put(ws, rows["period"], c, t)
        book.computed_cell(ws, rows["rate"], c, rates[t - 1], ref if scalar else None, fmt="0.00%")
        prev_end = f"{P}{rows['end']}" if t > 1 else "1"
        book.computed_cell(ws, rows["end"], c, end[t], f"{prev_end}/(1+{L}{rows['rate']})", fmt="0.000000")
        timing = a.discount_timing
        formula = {
            "end_of_year": f"{L}{rows['end']}",
            "start_of_year": prev_end,
            "mid_year": f"{prev_end}*(1+{L}{rows['rate']})^-0.5",
            "none": "1",
        }[timing]
        book.computed_cell(ws, rows["factor"], c, plain[t], formula, fmt="0.000000")
        if k:
            dk = f"${get_column_letter(pv_cols[k - 1])}${rows['factor']}"
            book.computed_cell(
                ws, rows["rebased"], c, plain[t] / plain[k], f"{L}{rows['factor']}/{dk}", fmt="0.000000"
            )
    return rows["rebased"] if k else rows["factor"]


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
    text for distributions, references and lists. The computed columns (impact, present value
    per period, totals, the SROI ratio, the inputs' present values) are live Excel formulas,
    each with the engine's value stored as its cached value; the engine's point values that
    the formulas use where a feature is no simple formula (a unit conversion, a distribution, a
    profile) are shaded as inputs (docs/method.md §15). :func:`computed_cells` lists them.

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
    return write_file(path, _with_cached_values(_build(analysis, result)), "path")


def computed_cells(analysis: Analysis, result: Any = None) -> dict[tuple[str, str], tuple[str | None, float]]:
    """The computed cells :func:`write_value_map_xlsx` writes for an analysis.

    Parameters
    ----------
    analysis : Analysis
    result : Result, optional
        Default ``analysis.evaluate()``.

    Returns
    -------
    dict
        ``(sheet, cell) -> (formula, value)``: the live formula (``'=G14*H14'``), or None for a
        cell holding the engine's point value that formulas use; ``value`` is the engine's number
        (docs/method.md §15). :func:`sroi.read_value_map_xlsx` checks a workbook against it.

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis("Example", "GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person", duration=3, drop_off=0.1)])
    >>> cells = computed_cells(a)
    >>> cells[("Value Map", "AC14")]  # impact: quantity x value x (1 - each filter)
    ('=X14*P14*(1-Y14)*(1-Z14)*(1-AA14)', 5000.0)
    >>> cells[("Value Map", "AE14")]  # year 2: drop-off once, discounted by D(2)
    ('=AC14*(1-AB14)^1*AE$5', 4200.7981516488135)
    >>> cells[("Value Map", "AG19")]  # the SROI ratio, docs/method.md §3.9
    ('=AG16/AG17', 12.684583984000437)
    """
    if result is None:
        result = analysis.evaluate()
    return _build(analysis, result).computed


def _build(analysis: Analysis, result: Any) -> _Book:
    a, doc = analysis, analysis_to_dict(analysis)
    book = _Book()
    drow, first_pv = _write_value_map(book, a, result, doc)
    inputs = [
        [d["stakeholder"], d["description"], model_cell(d["value"]), inp.year, inp.price_year, inp.source]
        for d, inp in zip(doc["inputs"], a.inputs, strict=True)
    ]
    wi = book.sheet("Inputs")
    book.table(wi, [c[1] for c in TABLES["Inputs"][2]], inputs)
    _input_present_values(book, wi, a, result, drow, first_pv)
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
    return book


def _input_present_values(book: _Book, ws: Any, a: Analysis, result: Any, drow: int, first_pv: int) -> None:
    """Each input's point value, discount factor and present value (docs/method.md §3.5), as
    columns G-I of the Inputs sheet, the factor a formula on the Value Map's discount row."""
    cur = a.currency
    for c, label in enumerate((f"Value used ({cur})", "Discount factor", f"Present value ({cur})"), 7):
        book.put(ws, 1, c, label, bold=True)
        ws.cell(row=1, column=c).fill = HEAD_FILL
        ws.column_dimensions[get_column_letter(c)].width = 18
    values = a.compiled.arrays().inputs[:, 0]
    factors = result.per_year["discount_factor"].to_numpy()
    k = a.reference_period

    def vm_factor(period: int, row: int) -> str:  # a discount factor on the Value Map's rows
        return f"'Value Map'!${get_column_letter(first_pv + period - 1)}${row}"

    for j, inp in enumerate(a.inputs):
        r, year = j + 2, int(inp.year)
        book.computed_cell(ws, r, 7, values[j], fmt=MONEY_FORMAT)
        if year == 0 and not k:
            book.put(ws, r, 8, 1.0)  # D(0) = 1 (docs/method.md §3.4)
        elif year == 0:  # D(0) / D(k) = 1 / D(k), D(k) on the row above the rebased one (§3.7)
            book.computed_cell(ws, r, 8, factors[0], f"1/{vm_factor(k, drow - 1)}", fmt="0.000000")
        else:
            book.computed_cell(ws, r, 8, factors[year], vm_factor(year, drow), fmt="0.000000")
        book.computed_cell(ws, r, 9, values[j] * factors[year], f"G{r}*H{r}", fmt=MONEY_FORMAT)


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/>')


def _with_cached_values(book: _Book) -> bytes:
    """The workbook's bytes, each formula cell carrying the engine's value as its cached value.

    openpyxl writes a formula with an empty cached value; the value is put in the sheet's XML
    (``<v>``) so that a reader that does not calculate (openpyxl's ``data_only``, pandas, a
    viewer) sees the engine's numbers, while Excel and LibreOffice recalculate on opening
    (``fullCalcOnLoad``) and get the same numbers from the formulas (docs/method.md §15)."""
    buffer = io.BytesIO()  # built in memory, written in one call: a full disk is one clear error
    book.wb.save(buffer)
    parts = {f"xl/worksheets/sheet{n}.xml": ws.title for n, ws in enumerate(book.wb.worksheets, 1)}
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            title = parts.get(info.filename)
            if title is not None:

                def cached(m: re.Match[bytes], title: str = title) -> bytes:
                    entry = book.computed.get((title, m.group(1).decode()))
                    if entry is None or not math.isfinite(entry[1]):
                        return m.group(0)
                    return m.group(0)[: -len(m.group(0).split(b"</f>")[-1])] + f"<v>{entry[1]!r}</v>".encode()

                data = _FORMULA_CELL.sub(cached, data)
            zout.writestr(info, data)
    return out.getvalue()
