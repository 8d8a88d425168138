"""The Value Map workbook read back: losslessly when it is as written, or filled in by hand.

:func:`read_value_map_xlsx` reads a workbook written by
:func:`sroi.io.workbook_write.write_value_map_xlsx` exactly, or a Value Map filled in by hand,
naming the cell of anything wrong (``Value Map!F7``).

Template layout: the Social Value UK Value Map's labels (``Deadweight %``...), percentages
typed as 20, 0.2 or ``20%``, a ``Financial proxy`` description with its number under ``Value``,
inputs in the Value Map, continuation rows with a blank stakeholder, bare quantities next to a
proxy priced per unit (docs/method.md §15.4).

Safety: cells are never evaluated. A formula in a model cell is read from the value that the
program which saved the file stored for it, with an :class:`~sroi.exceptions.SROIWarning`
naming the cell (the workbook is opened twice, with ``data_only=False`` to see formulas and
``data_only=True`` for their stored values); with no stored value it is an error naming the
cell. Computed cells of a workbook written by :func:`write_value_map_xlsx` are checked against
the engine (docs/method.md §15.3). Text escaped against formula injection is unescaped exactly.
File size, unpacked size, rows and columns are bounded; a sheet declaring too many rows or
columns is refused before its rows are read.

References
----------
.. [1] Social Value UK, "The Value Map" (SROI Value Map template and guidance).
   https://socialvalueuk.org/resource/value-map/
.. [2] OWASP Foundation, "CSV Injection". https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import difflib
import io
import math
import os
import re
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from sroi.exceptions import SROIError, SROIWarning
from sroi.io.csv import MAX_YAML_CELL_CHARS
from sroi.io.export import unescape_formula
from sroi.io.modelfile import FORMAT_VERSION, analysis_from_dict, analysis_to_dict, loads
from sroi.io.workbook_layout import (
    FILE_ERRORS,
    FINGERPRINT_PREFIX,
    HEADER_SEARCH,
    MAX_COLUMNS,
    MAX_OUTCOMES,
    MAX_UNCOMPRESSED_BYTES,
    MAX_XLSX_BYTES,
    MODEL_MAX_ROWS,
    MODEL_SHEET,
    PV_YEAR_RE,
    SOURCE_SHEETS,
    TABLE_ALIASES,
    TABLES,
    TITLE_KINDS,
    TITLE_LABELS,
    TOTAL_LABELS,
    VM_ALIASES,
    VM_COLUMNS,
    VM_DERIVED,
    VM_KINDS,
    VM_POSITIONAL,
    BadCell,
    cell_ref,
    fingerprint,
    normalise_label,
)
from sroi.io.workbook_template import bare_quantity, is_number, template_outcomes, with_currency
from sroi.io.workbook_write import computed_cells
from sroi.safe_yaml import MAX_FILE_BYTES, parse_yaml, read_file_bytes

if TYPE_CHECKING:
    from sroi.analysis import Analysis

__all__ = ["read_value_map_xlsx"]


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: an encrypted or an old .xls workbook


def _read_file(path: Any) -> io.BytesIO:
    """The workbook's bytes, checked before any XML is parsed: a regular file within the size
    limits, a zip archive with no encrypted or unusually compressed part."""
    if not isinstance(path, (str, os.PathLike)):
        raise SROIError(f"expected a path to an .xlsx file, got {type(path).__name__}", "workbook")
    p = Path(path)
    data = read_file_bytes(p, "workbook", MAX_XLSX_BYTES)
    if data.startswith(_OLE_MAGIC):
        raise SROIError(
            f"{p.name} is a password-protected (encrypted) workbook or an old .xls file; save it "
            "without a password as an .xlsx workbook",
            "workbook",
        )
    buffer = io.BytesIO(data)
    try:
        with zipfile.ZipFile(buffer) as archive:
            infos = archive.infolist()
    except FILE_ERRORS as exc:
        raise SROIError(f"{p.name} is not an .xlsx workbook (not a zip archive: {exc})", "workbook") from None
    for info in infos:
        if info.flag_bits & 0x1:
            raise SROIError(
                f"{p.name} has encrypted parts ({info.filename[:60]!r}); save it without a password",
                "workbook",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SROIError(
                f"{p.name} uses a compression method an .xlsx workbook does not use "
                f"({info.compress_type} in {info.filename[:60]!r})",
                "workbook",
            )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise SROIError(
            f"{p.name} unpacks to {unpacked:,} bytes; at most {MAX_UNCOMPRESSED_BYTES:,} are read",
            "workbook",
        )
    buffer.seek(0)
    return buffer


def _raw(cell: Any, cached: Any = None) -> Any:
    """A cell's value; a formula or an error value as :class:`BadCell` (a formula keeps the value
    the program that saved the file cached for it, from ``cached``, the same cell read with
    ``data_only=True``)."""
    v = cell.value
    if getattr(cell, "data_type", None) == "f" or isinstance(v, (ArrayFormula, DataTableFormula)):
        bad = BadCell("formula", str(getattr(v, "text", v)))
        value = getattr(cached, "value", None)
        if getattr(cached, "data_type", None) != "e" and isinstance(value, (int, float, str, bool)):
            bad.cached = value
        return bad
    if getattr(cell, "data_type", None) == "e":
        return BadCell("spreadsheet error value", str(v))
    return v


def _is_percent_format(cell: Any) -> bool:
    fmt = getattr(cell, "number_format", None)
    return isinstance(fmt, str) and "%" in fmt.replace("\\%", "").split(";")[0]


def _load_rows(
    ws: Any,
    sheet: str,
    max_rows: int,
    trust_width: bool = False,
    cached_ws: Any = None,
    percent: set[tuple[int, int]] | None = None,
) -> list[tuple[Any, ...]]:
    """The cell values of a sheet (formulas as :class:`BadCell`, with the value cached in
    ``cached_ws`` if given), refusing oversized sheets first; ``percent`` collects the (row,
    column) of numbers shown as percentages (number format ``0%``)."""
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
            rows_iter = ws.iter_rows(min_row=1, max_row=max_rows + 1, max_col=width)
            cached_iter = (
                cached_ws.iter_rows(min_row=1, max_row=max_rows + 1, max_col=width)
                if cached_ws is not None
                else None
            )
            for r, row in enumerate(rows_iter, 1):
                cached_row = next(cached_iter, ()) if cached_iter is not None else ()
                cached_cells = dict(enumerate(cached_row))
                values = [_raw(c, cached_cells.get(j)) for j, c in enumerate(row)]
                if percent is not None:
                    percent.update(
                        (r, j + 1)
                        for j, c in enumerate(row)
                        if isinstance(values[j], (int, float)) and _is_percent_format(c)
                    )
                while values and values[-1] is None:
                    values.pop()
                if r > max_rows:
                    if values:
                        raise SROIError(f"the sheet has more than {max_rows:,} rows", sheet)
                    break
                rows.append(tuple(values))
    except SROIError:
        raise
    except FILE_ERRORS as exc:
        raise SROIError(f"could not read the sheet ({type(exc).__name__}: {exc})", sheet) from None
    return rows


_BOOLEANS = {"=TRUE()": True, "=FALSE()": False}


def _convert(v: Any, kind: str, where: str) -> Any:
    """A cell value as a model-file value (text, number, YAML flow text parsed, int, bool).

    A formula is never evaluated: the value its program cached is read, with an
    :class:`~sroi.exceptions.SROIWarning` naming the cell; a formula with no cached value is an
    error naming the cell."""
    if isinstance(v, BadCell) and v.what == "formula" and v.text.replace(" ", "").upper() in _BOOLEANS:
        v = _BOOLEANS[v.text.replace(" ", "").upper()]  # LibreOffice saves a boolean as =TRUE()
    if isinstance(v, BadCell):
        if v.what == "formula" and v.cached is not None:
            warnings.warn(
                f"{where}: the cell holds the formula {v.text[:80]!r}; its cached value {v.cached!r} (as "
                "last calculated by the program that saved the file) is read, not the formula",
                SROIWarning,
                stacklevel=2,
            )
            v = v.cached
        elif v.what == "formula":
            raise SROIError(
                f"the cell holds the formula {v.text[:80]!r} with no cached value (the program that "
                "saved the file did not calculate it); cells are read as values and never evaluated: "
                "open and save the workbook in Excel or LibreOffice, or type the value itself "
                "(copy, then paste values)",
                where,
            )
        else:
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
        v = parse_yaml(v, where)
    if kind in ("int", "float") and isinstance(v, str):
        try:
            v = float(v.strip())
        except ValueError:
            return v
    if kind == "int" and isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _labels(columns: Sequence[tuple[str, str]], aliases: Mapping[str, str]) -> dict[str, str]:
    out = {normalise_label(label): key for key, label in columns}
    out.update({normalise_label(key): key for key, _ in columns})
    out.update(aliases)
    return out


def _find_header(
    rows: list[tuple[Any, ...]], labels: Mapping[str, str], required: Sequence[str], sheet: str
) -> int:
    for idx, row in enumerate(rows[:HEADER_SEARCH]):
        keys = {labels.get(normalise_label(unescape_formula(v))) for v in row if isinstance(v, str)}
        if all(k in keys for k in required):
            return idx
    names = ", ".join(repr(next(lab for lab, k in labels.items() if k == key)) for key in required)
    raise SROIError(f"no header row with the labels {names} in the first {HEADER_SEARCH} rows", sheet)


def _columns(
    row: tuple[Any, ...], r: int, sheet: str, labels: Mapping[str, str], derived: set[str], vm: bool
) -> dict[str, int]:
    cols: dict[str, int] = {}
    seen_inputs = False
    for c, v in enumerate(row, 1):
        if not isinstance(v, str) or not v.strip():
            continue
        label = normalise_label(unescape_formula(v))
        key = labels.get(label)
        seen_inputs = seen_inputs or (vm and label == "inputs")
        if vm and label == "inputs" and "outcome" not in cols and "input_description" not in cols:
            cols["input_description"] = c
            continue
        if vm and key is None and label in VM_POSITIONAL:
            proxy_key, input_key = VM_POSITIONAL[label]
            if "proxy" in cols and proxy_key not in cols:
                cols[proxy_key] = c
            elif "proxy" not in cols and "outcome" not in cols and seen_inputs and input_key not in cols:
                cols[input_key] = c
            continue
        if key is None:
            if label in derived or PV_YEAR_RE.fullmatch(label):
                continue
            close = difflib.get_close_matches(label, list(labels), n=1, cutoff=0.85)
            if close:
                raise SROIError(f"unknown column {v!r}; did you mean {close[0]!r}?", cell_ref(sheet, r, c))
            continue
        if key == "source" and vm and key in cols and "proxy_source" not in cols:
            key = "proxy_source"  # the template's second "Source" column is the proxy's
        if key in cols:
            raise SROIError(
                f"the column {key!r} appears twice ({cell_ref(sheet, r, cols[key])} and {cell_ref(sheet, r, c)})",
                cell_ref(sheet, r, c),
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
        if (
            vm
            and isinstance(first, str)
            and normalise_label(first).startswith(TOTAL_LABELS)
            and outcome in (None, "")
        ):
            break
        if len(out) >= MAX_OUTCOMES:
            raise SROIError(f"more than {MAX_OUTCOMES:,} rows; at most {MAX_OUTCOMES:,} are read", sheet)
        out.append((idx + 1, cells))
    return out


def _relocate(exc: SROIError, loc: Mapping[str, str], default: str) -> SROIError:
    """The same error, its field now the cell (``Value Map!F7``) of the model path it named."""
    cand = exc.field or ""
    while cand and cand not in loc:
        cut = max(cand.rfind("."), cand.rfind("["))
        cand = cand[:cut] if cut > 0 else ""
    return type(exc)(str(exc), loc.get(cand, default))


def _visible_doc(
    sheets: Mapping[str, list[tuple[Any, ...]]],
    titles: Mapping[str, str],
    percent: set[tuple[int, int]] | None = None,
) -> tuple[dict[str, Any], dict[str, str], str]:
    """The model-file dict of the visible sheets, the cell of each model path, the Value Map's title
    (``percent``: the (row, column) of the Value Map's cells shown as percentages)."""
    vm, rows = titles["Value Map"], sheets["Value Map"]
    labels = _labels([(k, lab) for k, lab, _, kind in VM_COLUMNS if kind != "derived"], VM_ALIASES)
    head = _find_header(rows, labels, ("stakeholder", "outcome"), vm)
    cols = _columns(rows[head], head + 1, vm, labels, VM_DERIVED, vm=True)
    missing = [k for k in ("quantity", "proxy") if k not in cols]
    if missing:
        raise SROIError(f"the header row has no {missing[0]!r} column", cell_ref(vm, head + 1, 1))
    doc: dict[str, Any] = {"sroi": FORMAT_VERSION}
    loc: dict[str, str] = {"outcomes": cell_ref(vm, head + 1, 1)}
    for idx, row in enumerate(rows[:head]):  # the title block: a label, its value to the right
        c = next((j for j, v in enumerate(row) if v is not None), -1)
        key = (
            TITLE_LABELS.get(normalise_label(unescape_formula(row[c])))
            if c >= 0 and isinstance(row[c], str)
            else None
        )
        if key is None:
            continue
        where = cell_ref(vm, idx + 1, c + 2)
        if key in loc:
            raise SROIError(f"{row[c]!r} appears twice in the title block (also {loc[key]})", where)
        loc[key] = where
        value = _convert(row[c + 1] if c + 1 < len(row) else None, TITLE_KINDS.get(key, "text"), where)
        doc.update({} if value is None else {key: value})
    for key in ("name", "currency"):
        if key not in doc:
            raise SROIError(
                f"the title block above the header row has no {key.title()!r}: put the label in a cell "
                "and the value in the cell to its right",
                loc.get(key, cell_ref(vm, 1, 1)),
            )
    currency = doc["currency"]
    specs = {"Value Map": ("outcomes", (), (), ())} | TABLES
    vm_inputs: list[tuple[dict[str, Any], dict[str, str]]] = []
    for sheet, (section, required, spec, derived) in specs.items():
        title = titles.get(sheet, sheet)
        if sheet not in sheets:
            if section == "inputs" and vm_inputs:
                doc["inputs"] = [d for d, _ in vm_inputs]
                for n, (_, at) in enumerate(vm_inputs):
                    loc[f"inputs[{n}]"] = at["value"]
                    loc.update({f"inputs[{n}].{k}": w for k, w in at.items()})
                continue
            if section == "inputs":
                raise SROIError(
                    "no 'Inputs' sheet: add one with the columns Stakeholder, Description, Value, "
                    "Year, Price year, Source (one row per input), or give each stakeholder's inputs "
                    "in the Value Map's 'Inputs' and 'Value' columns",
                    "Inputs",
                )
            continue
        if section == "inputs" and vm_inputs:
            raise SROIError(
                "the inputs are given twice: in the Value Map's 'Value' column after 'Inputs' and on the "
                "'Inputs' sheet; keep one of them",
                vm_inputs[0][1]["value"],
            )
        if section == "outcomes":
            t_rows, t_head, t_cols = rows, head, cols
            kinds = VM_KINDS | {"proxy_value": "value", "input_value": "value", "input_description": "text"}
        else:
            t_labels = _labels([(k, lab) for k, lab, _ in spec], TABLE_ALIASES)
            t_rows = sheets[sheet]
            t_head = _find_header(t_rows, t_labels, required, title)
            t_cols = _columns(t_rows[t_head], t_head + 1, title, t_labels, set(derived), vm=False)
            kinds = {k: kind for k, _, kind in spec}
            loc[section] = cell_ref(title, t_head + 1, 1)
        records = _records(t_rows, t_head, t_cols, title, vm=section == "outcomes")
        rows_read: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        for r, cells in records:
            at = {k: cell_ref(title, r, t_cols[k]) for k in cells}
            d = {k: _convert(raw, kinds[k], at[k]) for k, raw in cells.items()}
            rows_read.append((r, {k: v for k, v in d.items() if v is not None}, at))
        if section == "outcomes":
            vm_inputs = template_outcomes(rows_read, t_cols, rows[head], title, percent or set(), currency)
        items: list[tuple[dict[str, Any], dict[str, str]]] = []
        for n, (_, d, at) in enumerate(rows_read):
            money = {"outcomes": "proxy", "inputs": "value"}.get(section, "")
            if money in d:
                d[money] = with_currency(d[money], currency)
            if section == "outcomes":
                bare_quantity(d, at)
            if "quantity_factors" in d and not isinstance(d["quantity_factors"], list):
                d["quantity_factors"] = [d["quantity_factors"]]
            loc[f"{section}[{n}]"] = cell_ref(title, rows_read[n][0], 1)
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
    return doc, loc, vm


def _parse_visible(
    sheets: Mapping[str, list[tuple[Any, ...]]], titles: Mapping[str, str], percent: set[tuple[int, int]]
) -> Analysis:
    """The analysis the visible sheets show, checked by :func:`analysis_from_dict`."""
    doc, loc, vm = _visible_doc(sheets, titles, percent)
    try:
        return analysis_from_dict(doc)
    except SROIError as exc:
        raise _relocate(exc, loc, vm) from None


def _plain(v: Any) -> Any:
    """A model-file value as a cell shows it (a carriage return is stored as a line feed)."""
    if isinstance(v, str):
        return v.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _differences(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Model paths where two model-file dicts differ: (path, value in a, value in b)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        out = []
        for k in dict.fromkeys([*a, *b]):
            sub = f"{path}.{k}" if path else str(k)
            out += _differences(a.get(k), b.get(k), sub)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [(path, a, b)]


def _cell_of(path: str, loc: Mapping[str, str], default: str) -> str:
    cand = path
    while cand and cand not in loc:
        cut = max(cand.rfind("."), cand.rfind("["))
        cand = cand[:cut] if cut > 0 else ""
    return loc.get(cand, default)


def _check_agreement(
    hidden: Analysis,
    sheets: Mapping[str, list[tuple[Any, ...]]],
    titles: Mapping[str, str],
    model: str,
    percent: set[tuple[int, int]],
) -> None:
    """Refuse a hidden model sheet that says something other than the visible sheets."""
    doc, loc, vm = _visible_doc(sheets, titles, percent)
    try:
        visible = analysis_from_dict(doc)
    except SROIError as exc:
        raise _relocate(exc, loc, vm) from None
    diffs = _differences(_plain(analysis_to_dict(visible)), _plain(analysis_to_dict(hidden)))
    if not diffs:
        return
    shown = [
        f"{_cell_of(path, loc, vm)} ({path}: visible {_brief(v)}, hidden {_brief(h)})"
        for path, v, h in diffs[:5]
    ]
    more = f" and {len(diffs) - 5} more" if len(diffs) > 5 else ""
    raise SROIError(
        f"the hidden sheet {model!r} disagrees with the visible sheets at {'; '.join(shown)}{more}. The "
        "visible sheets are what people read and check, so the workbook is not read: delete the "
        f"{model!r} sheet to read the visible values, or write the workbook again from the model file",
        "workbook",
    )


def _brief(v: Any) -> str:
    text = "(none)" if v is None else repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _model_text(rows: list[tuple[Any, ...]]) -> str:
    lines = []
    for r, row in enumerate(rows, 1):
        parts = []
        for c, v in enumerate(row, 1):
            if isinstance(v, BadCell):
                _convert(v, "text", cell_ref(MODEL_SHEET, r, c))
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

    Warns
    -----
    SROIWarning
        A formula's stored value read, a bare quantity read in the proxy's unit, a percentage
        column's reading, computed cells that differ from the engine; each names its cells.

    Raises
    ------
    SROIError
        A file that is missing, not a regular file, too large (:data:`MAX_XLSX_BYTES`, unpacked
        :data:`MAX_UNCOMPRESSED_BYTES`), encrypted, not a workbook, with too many rows or
        columns, a hidden model sheet that disagrees with the visible sheets, or any invalid
        cell: the error's field is the cell, e.g. ``Value Map!F7``, and its message
        names the model field (``outcomes[2].deadweight``), the value and what was expected.

    Notes
    -----
    The visible sheets are the source of truth. A workbook written by
    :func:`write_value_map_xlsx` whose visible sheets are unchanged is read from its hidden
    ``sroi model`` sheet (exact: it keeps what a cell would round), after checking that it says
    what the visible sheets say; if the two disagree (the hidden sheet was edited), the workbook
    is refused and the message names the cells that differ. An edited workbook, or one with no
    ``sroi model`` sheet, is read from its visible sheets. ``Value Map`` (or the only sheet): a title block
    (``Name`` and ``Currency`` required; ``Description``, ``Price year``, ``Discount rate``,
    ``Discount timing``, ``Drop-off from year``), each value in the cell right of its label;
    a header row found by its labels (case-insensitive: ``Stakeholder``, ``Outcome``,
    ``Quantity``, ``Financial proxy``..., or glossary names such as ``drop_off``); one row per
    outcome until a ``Total...`` row. Computed columns (inputs and outputs summaries, value,
    impact, present values) are not read as the model; in a workbook written by
    :func:`write_value_map_xlsx` they are checked against the engine, and a cell that differs
    (typed over, an edited formula, a stale stored value) gives an SROIWarning naming the cell
    and both values (docs/method.md §15.3). ``Inputs`` (required unless the Value Map has input values),
    ``Outputs``, ``Stakeholders``, ``Parameters``, ``Correlations``: a header row, one row per
    item. Blank rows are skipped. Cells hold numbers, text (``20%``, ``500 GBP/person``) or
    YAML flow text (``{distribution: pert, low: 0.1, mode: 0.2, high: 0.4}``, ``{param:
    name}``); a bare number as a proxy or an input value is in the analysis currency.

    References
    ----------
    .. [1] Social Value UK, "The Value Map" (template).
    .. [2] OWASP Foundation, "CSV Injection".
    """
    handle = _read_file(path)
    name = Path(path).name
    books = []
    try:
        for data_only in (False, True):  # formulas; the values cached for them
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about features it does not read
                books.append(
                    openpyxl.load_workbook(
                        io.BytesIO(handle.getvalue()), read_only=True, data_only=data_only, keep_links=False
                    )
                )
    except FILE_ERRORS as exc:
        for wb in books:
            wb.close()
        raise SROIError(
            f"{name} is not a readable .xlsx workbook ({type(exc).__name__}: {str(exc)[:200]})", "workbook"
        ) from None
    try:
        return _read_workbook(*books)
    finally:
        for wb in books:
            wb.close()


def _read_workbook(wb: Any, cached: Any) -> Analysis:
    by_name = {str(n).strip().casefold(): n for n in wb.sheetnames}
    titles = {s: by_name[s.casefold()] for s in SOURCE_SHEETS if s.casefold() in by_name}
    model = by_name.get(MODEL_SHEET)
    if "Value Map" not in titles:
        others = [n for n in wb.sheetnames if n != model]
        if len(others) == 1:
            titles["Value Map"] = others[0]
        elif model is None:
            raise SROIError(f"no 'Value Map' sheet; the workbook has {list(wb.sheetnames)}", "workbook")
    percent: set[tuple[int, int]] = set()
    sheets = {
        s: _load_rows(
            wb[t], t, MAX_OUTCOMES + 200, cached_ws=cached[t], percent=percent if s == "Value Map" else None
        )
        for s, t in titles.items()
    }
    yaml_chars = sum(
        len(v)
        for rows in sheets.values()
        for row in rows
        for v in row
        if isinstance(v, str) and unescape_formula(v).lstrip()[:1] in ("{", "[")
    )
    if yaml_chars > MAX_YAML_CELL_CHARS:
        raise SROIError(
            f"the cells hold {yaml_chars:,} characters of YAML text; at most {MAX_YAML_CELL_CHARS:,} are read",
            "workbook",
        )
    if model is not None:
        text = _model_text(_load_rows(wb[model], model, MODEL_MAX_ROWS, trust_width=True))
        stored: str | None = None
        for line in text.split("\n"):
            if not line.startswith("#"):
                break
            if line.startswith(FINGERPRINT_PREFIX):
                stored = line[len(FINGERPRINT_PREFIX) :].strip()
        if stored is None or stored == fingerprint(sheets) or "Value Map" not in sheets:
            if len(text) > MAX_FILE_BYTES:
                raise SROIError(f"the model text is longer than {MAX_FILE_BYTES:,} characters", model)
            try:
                analysis = loads(text)
            except SROIError as exc:
                raise type(exc)(str(exc).removeprefix("model file: "), model) from None
            if len(analysis.outcomes) > MAX_OUTCOMES:
                raise SROIError(
                    f"{len(analysis.outcomes):,} outcomes; at most {MAX_OUTCOMES:,} are read", model
                )
            if "Value Map" in sheets:
                _check_agreement(analysis, sheets, titles, model, percent)
                _check_computed(analysis, sheets, titles)
            return analysis
    analysis = _parse_visible(sheets, titles, percent)
    _check_computed(analysis, sheets, titles)
    return analysis


#: Tolerance of the check of computed cells against the engine: Excel and the engine compute in
#: IEEE double precision in a different order, so they agree to about 1e-15 relative.
COMPUTED_RTOL = 1e-9
COMPUTED_ATOL = 1e-6


def _formula_text(text: str) -> str:
    """A formula as spreadsheets respell it: no spaces, upper case, no quotes around a sheet name
    that needs none."""
    return re.sub(r"'([A-Za-z_][A-Za-z0-9_]*)'!", r"\1!", text).replace(" ", "").upper()


def _check_computed(
    analysis: Analysis, sheets: Mapping[str, list[tuple[Any, ...]]], titles: Mapping[str, str]
) -> None:
    """Report computed cells of a workbook written by :func:`write_value_map_xlsx` that differ from
    the engine's evaluation of the model read: a cell typed over, a formula edited, a cached value
    another program calculated differently, a shaded input left stale after a model cell was edited
    (an SROIWarning naming each cell and both values; docs/method.md §15)."""
    rows = sheets.get("Value Map", [])
    if not any(v == "Quantity used" for row in rows[:HEADER_SEARCH] for v in row):
        return  # not the writer's layout: its computed columns are not read
    problems = []
    for (sheet, coord), (formula, value) in computed_cells(analysis).items():
        if sheet not in sheets:
            continue
        letters, r = coordinate_from_string(coord)
        c = column_index_from_string(letters)
        table = sheets[sheet]
        got = table[r - 1][c - 1] if r - 1 < len(table) and c - 1 < len(table[r - 1]) else None
        where = cell_ref(titles.get(sheet, sheet), r, c)
        if isinstance(got, BadCell) and got.what == "formula":
            if got.cached is None:  # saved by a program that does not calculate: check the text
                if formula is None or _formula_text(got.text) != _formula_text(formula):
                    problems.append(f"{where} holds the formula {got.text!r}, written as {formula!r}")
                continue
            got = got.cached  # calculated by a spreadsheet, which may also have respelled the formula
        if not is_number(got):
            problems.append(f"{where} holds {got!r}, the engine gives {value!r}")
        elif not math.isclose(float(got), value, rel_tol=COMPUTED_RTOL, abs_tol=COMPUTED_ATOL):  # type: ignore[arg-type]
            problems.append(f"{where} holds {got!r}, the engine gives {value!r}")
    if problems:
        more = f" and {len(problems) - 8} more" if len(problems) > 8 else ""
        warnings.warn(
            f"{len(problems)} computed cell(s) differ from the engine's evaluation of the model cells "
            f"(relative tolerance {COMPUTED_RTOL:g}, absolute {COMPUTED_ATOL:g}): "
            f"{'; '.join(problems[:8])}{more}. Computed cells are never read: edit the model cells "
            "(quantity, proxy, filters...) and write the workbook again",
            SROIWarning,
            stacklevel=3,
        )
