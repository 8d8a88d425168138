"""The layout of the Value Map workbook: sheets, columns, labels, stages and cell conventions.

Shared by the writer (:mod:`sroi.io.workbook_write`) and the reader
(:mod:`sroi.io.workbook_read`), so that what is written is what is read. The columns follow
the Social Value UK Value Map template, stage by stage (docs/method.md §2).

References
----------
.. [1] Social Value UK, "The Value Map" (SROI Value Map template and guidance).
   https://socialvalueuk.org/resource/value-map/
"""

from __future__ import annotations

import hashlib
import math
import re
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from sroi.safe_yaml import dump_yaml

__all__ = [
    "BOLD",
    "CHUNK",
    "FILE_ERRORS",
    "FINGERPRINT_PREFIX",
    "HEADER_SEARCH",
    "HEAD_FILL",
    "INPUT_FILL",
    "MAX_CELL_TEXT",
    "MAX_COLUMNS",
    "MAX_OUTCOMES",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_XLSX_BYTES",
    "MODEL_MAX_ROWS",
    "MODEL_SHEET",
    "MONEY_FORMAT",
    "PV_YEAR_RE",
    "SOURCE_SHEETS",
    "STAGES",
    "TABLES",
    "TABLE_ALIASES",
    "TITLE_KINDS",
    "TITLE_LABELS",
    "TOTAL_LABELS",
    "VM_ALIASES",
    "VM_COLUMNS",
    "VM_DERIVED",
    "VM_KINDS",
    "VM_POSITIONAL",
    "XML_ILLEGAL",
    "BadCell",
    "canonical",
    "cell_ref",
    "digest",
    "fingerprint",
    "flow_text",
    "model_cell",
    "normalise_label",
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

MAX_CELL_TEXT = 32_767  # Excel's limit on the characters in a cell
CHUNK = 32_000
MODEL_MAX_ROWS = 1_048_576  # Excel's row limit
HEADER_SEARCH = 60
SOURCE_SHEETS = (
    "Value Map",
    "Inputs",
    "Outputs",
    "Stakeholders",
    "Parameters",
    "Correlations",
    "Negative outcomes considered",
    "Inputs not valued",
)
FINGERPRINT_PREFIX = "# visible-sheets-sha256: "
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# fmt: off
# Errors of a damaged or foreign file, raised inside zipfile or openpyxl while they read it. They
# are caught only around those calls (opening the archive, parsing a sheet), never around sroi's
# own parsing, so that a bug in sroi is never reported as a bad file. openpyxl's parser reports
# malformed XML content with the built-in errors of the second line (seen in fuzzing: a bad
# style attribute raises TypeError, a missing part KeyError).
FILE_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ParseError, InvalidFileException, OSError, EOFError,
    UnicodeError, KeyError, ValueError, TypeError, AttributeError, IndexError, OverflowError, RecursionError,
)
STAGES = {
    "1": "Stage 1: stakeholders", "2": "Stage 2: inputs and outputs", "3": "Stage 3: outcomes and evidence",
    "4": "Stage 4: establishing impact", "5": "Stage 5: calculating the SROI", "cash": "Cash tiers (credit)",
}
# Value Map columns: key, label, stage, kind (text, value, int, bool or derived: computed, not read).
VM_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("stakeholder", "Stakeholder", "1", "text"), ("inputs", "Inputs", "2", "derived"),
    ("outputs", "Outputs", "2", "derived"), ("outcome", "Outcome description", "3", "text"),
    ("id", "Outcome id", "3", "text"),
    ("indicator", "Indicator", "3", "text"), ("source", "Source", "3", "text"),
    ("quantity", "Quantity", "3", "value"), ("quantity_factors", "Quantity factors", "3", "value"),
    ("duration", "Duration", "3", "int"), ("start", "Outcome start", "3", "int"),
    ("proxy", "Financial proxy", "3", "value"), ("proxy_price_year", "Proxy price year", "3", "int"),
    ("proxy_conversion", "Proxy conversion", "3", "text"), ("income_elasticity", "Income elasticity", "3", "value"),
    ("value", "Value ({cur})", "3", "derived"),
    ("proxy_source", "Proxy source", "3", "text"), ("deadweight", "Deadweight", "4", "value"),
    ("displacement", "Displacement", "4", "value"), ("attribution", "Attribution", "4", "value"),
    ("drop_off", "Drop-off", "4", "value"), ("drop_off_from_year", "Drop-off from year", "4", "int"),
    ("overlaps", "Overlaps (share already counted)", "4", "value"),
    ("quantity_used", "Quantity used", "4", "derived"), ("deadweight_used", "Deadweight used", "4", "derived"),
    ("displacement_used", "Displacement used", "4", "derived"),
    ("attribution_used", "Attribution used", "4", "derived"), ("drop_off_used", "Drop-off used", "4", "derived"),
    ("overlap_used", "Overlap used", "4", "derived"), ("impact", "Impact ({cur})", "4", "derived"),
    ("pv_years", "PV year {t} ({cur})", "5", "derived"), ("total_pv", "Total PV ({cur})", "5", "derived"),
    ("cash_tier", "Cash tier", "cash", "text"), ("contracted", "Contracted", "cash", "bool"),
    ("payer", "Payer", "cash", "text"),
)
VM_ALIASES = {
    "stakeholders": "stakeholder", "outcome": "outcome", "outcomes": "outcome", "the outcome": "outcome",
    "indicators": "indicator", "indicator source": "source", "quantity factor": "quantity_factors",
    "duration of outcome": "duration", "duration of outcomes": "duration", "start": "start",
    "outcomes start": "start", "proxy": "proxy", "financial proxy source": "proxy_source",
    "dropoff": "drop_off",
    # the Social Value UK template's labels
    "deadweight %": "deadweight", "displacement %": "displacement", "attribution %": "attribution",
    "drop off %": "drop_off", "dropoff %": "drop_off", "drop off": "drop_off", "description": "outcome",
    "the outcomes": "outcome", "outcome start": "start", "duration years": "duration",
}
#: Template columns that depend on their place: a "Value" after "Financial proxy" is the proxy's
#: number; a "Value" after "Inputs" (before any outcome column) is the input's.
VM_POSITIONAL = {"value": ("proxy_value", "input_value")}
TITLE_LABELS = {
    "sector": "sector",
    "name": "name", "analysis name": "name", "project name": "name", "description": "description",
    "currency": "currency", "price year": "price_year", "discount rate": "discount_rate",
    "discount timing": "discount_timing", "drop off from year": "drop_off_from_year",
    "drop off convention": "drop_off_from_year", "reference period": "reference_period",
}
# Other sheets read: sheet -> (section, required keys, columns (key, label, kind), derived labels).
TABLES: dict[str, tuple[str, tuple[str, ...], tuple[tuple[str, str, str], ...], tuple[str, ...]]] = {
    "Inputs": ("inputs", ("stakeholder", "value"), (
        ("stakeholder", "Stakeholder", "text"), ("description", "Description", "text"),
        ("value", "Value", "value"), ("year", "Year", "int"), ("price_year", "Price year", "int"),
        ("source", "Source", "text")), ("value used", "discount factor", "present value")),
    "Outputs": ("outputs", ("stakeholder", "description"), (
        ("stakeholder", "Stakeholder", "text"), ("description", "Description", "text"),
        ("quantity", "Quantity", "value"), ("source", "Source", "text")), ()),
    "Stakeholders": ("stakeholders", ("name",), (
        ("name", "Name", "text"), ("description", "Description", "text")), ()),
    "Parameters": ("parameters", ("name", "value"), (
        ("name", "Name", "text"), ("value", "Value", "value")), ("point value", "unit", "used by")),
    "Correlations": ("correlations", ("a", "b", "rho"), (
        ("a", "Estimate A", "text"), ("b", "Estimate B", "text"), ("rho", "Rank correlation", "float")), ()),
    "Negative outcomes considered": ("negative_outcomes_considered", ("description", "reason"), (
        ("description", "Description", "text"), ("reason", "Reason not valued", "text"),
        ("stakeholder", "Stakeholder", "text")), ()),
    "Inputs not valued": ("inputs_not_valued", ("description", "reason"), (
        ("description", "Description", "text"), ("reason", "Reason not valued", "text"),
        ("stakeholder", "Stakeholder", "text")), ()),
}
# fmt: on
VM_KINDS = {k: kind for k, _, _, kind in VM_COLUMNS if kind != "derived"}
VM_DERIVED = {
    "inputs",
    "outputs",
    "impact",
    "total pv",
    "total present value",
    "present value",
    "quantity used",
    "deadweight used",
    "displacement used",
    "attribution used",
    "drop off used",
    "overlap used",
    "social return",
    "calculating social return",
}
PV_YEAR_RE = re.compile(r"(pv|present value) (year|period) \d+")
TOTAL_LABELS = ("total", "net present value", "npv", "sroi ratio", "social return")
TITLE_KINDS = {
    "price_year": "int",
    "drop_off_from_year": "int",
    "reference_period": "int",
    "discount_rate": "value",
}
TABLE_ALIASES = {"parameter a": "a", "parameter b": "b", "correlation": "rho", "rho": "rho"}

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
MONEY_FORMAT = "#,##0.00"
#: Fill of the cells holding the engine's point values that the formulas use (inputs to them).
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")


class BadCell:
    """A cell that is never read as a value: a formula or a spreadsheet error value.

    Attributes
    ----------
    what : str
        ``"formula"`` or ``"spreadsheet error value"``.
    text : str
        The formula or error text.
    cached : number, str, bool or None
        A formula's value as cached by the program that saved the file (None: none cached).
    """

    def __init__(self, what: str, text: str, cached: Any = None) -> None:
        self.what, self.text, self.cached = what, text, cached


def normalise_label(label: Any) -> str:
    """Header label -> lower case words, without a bracketed suffix (``'Value (GBP)'`` -> ``'value'``)."""
    text = re.sub(r"\([^)]*\)|[£$€¥]", " ", str(label)).casefold()
    return " ".join(re.sub(r"[-_/:]", " ", text).split())


def flow_text(v: Any) -> str:
    """YAML flow text of a model-file value, as written in a cell (``{distribution: ...}``)."""
    return dump_yaml(v, flow=True)


def model_cell(v: Any) -> Any:
    """A model-file value as a cell: numbers (as text when a cell would round them), text, YAML."""
    if isinstance(v, (dict, list, tuple)):
        return flow_text(list(v) if isinstance(v, tuple) else v)
    if isinstance(v, float) and math.isfinite(v) and float(f"{v:.16g}") != v:
        return repr(v)  # a spreadsheet keeps 16 digits; text keeps all 17
    if v == "" or v is None:
        return None
    return v


def canonical(v: Any) -> str | None:
    """A cell value as a spreadsheet gives it back (16 digits, CR as LF), for the fingerprint."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return f"b:{v}"
    if isinstance(v, (int, float)):
        f = float(f"{v:.16g}") if math.isfinite(v) else 0.0
        return "n:" + repr(f if f != 0 else 0.0)
    if isinstance(v, BadCell):
        return f"x:{v.text}"
    if isinstance(v, str):
        return "s:" + v.replace("\r\n", "\n").replace("\r", "\n")
    return f"o:{v}"


def digest(entries: list[str]) -> str:
    """SHA-256 of the fingerprint entries of a workbook's visible source sheets."""
    return hashlib.sha256("\x1e".join(sorted(entries)).encode("utf-8", "surrogatepass")).hexdigest()


def cell_ref(sheet: str, row: int, col: int) -> str:
    """A cell's address as a spreadsheet shows it, e.g. ``Value Map!F7``."""
    return f"{sheet}!{get_column_letter(max(col, 1))}{row}"


def fingerprint(sheets: Mapping[str, list[tuple[Any, ...]]]) -> str:
    """The digest of what the visible source sheets show (cell by cell, as canonical text)."""
    entries = []
    for name, rows in sheets.items():
        for r, row in enumerate(rows, 1):
            for c, v in enumerate(row, 1):
                canon = canonical(v)
                if canon is not None:
                    entries.append(f"{name}\x1f{r}\x1f{c}\x1f{canon}")
    return digest(entries)
