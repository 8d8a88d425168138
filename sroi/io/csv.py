"""The Value Map as a CSV file: read, validated, written safe to open in a spreadsheet.

:func:`read_value_map` reads a Value Map table (a CSV file or a DataFrame, glossary column
names) and checks every row by building its outcome. :func:`write_csv_value_map` writes one
escaped against formula injection (:func:`sroi.io.export.escape_formula`) and
:func:`read_csv_value_map` reads it back exactly.

References
----------
.. [1] Social Value UK, "The Value Map" (SROI Value Map template and guidance).
   https://socialvalueuk.org/resource/value-map/
"""

from __future__ import annotations

import io as _io
import os
from pathlib import Path
from typing import Any

import pandas as pd

from sroi.analysis import Analysis
from sroi.exceptions import SROIError
from sroi.glossary import OUTCOME_FIELDS
from sroi.io.export import csv_bytes, unescape_formula
from sroi.safe_yaml import MAX_FILE_BYTES, read_text_file, write_file
from sroi.tabular import outcomes_from_frame, to_frame, to_frame_row

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_YAML_CELL_CHARS",
    "check_table_size",
    "read_csv_text",
    "read_csv_value_map",
    "read_value_map",
    "write_csv_value_map",
]


#: Most rows read from a Value Map table (as the workbook reader).
MAX_ROWS = 10_000
#: Most columns read from a Value Map table.
MAX_COLUMNS = 256
#: Most characters of YAML text (cells starting with ``{`` or ``[``) read from one table.
MAX_YAML_CELL_CHARS = 1_000_000


def read_csv_text(source: str | os.PathLike[str] | _io.TextIOBase) -> pd.DataFrame:
    """Read a CSV table with every cell as text (nothing converted, nothing evaluated).

    A path must name a regular UTF-8 file of at most :data:`sroi.safe_yaml.MAX_FILE_BYTES`
    bytes; a file object is read up to that many characters. The table may have at most
    :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns.

    Raises
    ------
    SROIError
        A missing, unreadable or too large file, a file that is not CSV, or a table too large,
        naming the value map.
    """
    if isinstance(source, (str, os.PathLike)):
        text = read_text_file(source, "value map")
    elif hasattr(source, "read"):
        try:
            text = source.read(MAX_FILE_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise SROIError(f"could not read the CSV: {type(exc).__name__}", "value map") from None
        if not isinstance(text, str):
            raise SROIError(f"expected a text file object, got {type(text).__name__}", "value map")
        if len(text) > MAX_FILE_BYTES:
            raise SROIError(f"the CSV is longer than {MAX_FILE_BYTES:,} characters", "value map")
    else:
        raise SROIError(
            f"expected a CSV path or a text file object, got {type(source).__name__}", "value map"
        )
    try:
        frame = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, ValueError) as exc:
        raise SROIError(f"could not read the CSV: {str(exc)[:200]}", "value map") from None
    check_table_size(frame)
    return frame


def check_table_size(frame: pd.DataFrame) -> None:
    """Refuse a Value Map table too large to read quickly, before any cell is read.

    Raises
    ------
    SROIError
        More than :data:`MAX_ROWS` rows or :data:`MAX_COLUMNS` columns, or more than
        :data:`MAX_YAML_CELL_CHARS` characters of YAML text in its cells.
    """
    rows, cols = frame.shape
    if rows > MAX_ROWS:
        raise SROIError(f"the table has {rows:,} rows; at most {MAX_ROWS:,} are read", "value map")
    if cols > MAX_COLUMNS:
        raise SROIError(f"the table has {cols:,} columns; at most {MAX_COLUMNS:,} are read", "value map")
    total = 0
    for j in range(cols):
        for v in frame.iloc[:, j]:
            if isinstance(v, str) and v.lstrip("'").lstrip()[:1] in ("{", "["):
                total += len(v)
    if total > MAX_YAML_CELL_CHARS:
        raise SROIError(
            f"the cells hold {total:,} characters of YAML text; at most {MAX_YAML_CELL_CHARS:,} are read",
            "value map",
        )


def read_value_map(source: str | os.PathLike[str] | _io.TextIOBase | pd.DataFrame) -> pd.DataFrame:
    """Read and validate a Value Map table (CSV path, file object or DataFrame).

    Every row is checked by building its :class:`~sroi.valuemap.Outcome`, so an invalid cell is
    reported with its row and column. Numbers in cells are never evaluated as formulas. The
    table's size is checked first (:func:`check_table_size`).

    Returns
    -------
    pandas.DataFrame
        One row per outcome, glossary column names (as :func:`sroi.tabular.to_frame`).
    """
    if isinstance(source, pd.DataFrame):
        check_table_size(source)
        frame = source.copy()
    else:
        frame = read_csv_text(source)
    outcomes = outcomes_from_frame(frame)
    return pd.DataFrame([to_frame_row(o) for o in outcomes], columns=list(OUTCOME_FIELDS))


def write_csv_value_map(analysis: Any, path: str | os.PathLike[str]) -> Path:
    """Write the Value Map table (:func:`sroi.tabular.to_frame`) to a CSV file, escaped against formulas.

    :func:`read_value_map` reads the file; :func:`read_csv_value_map` also undoes the
    formula escaping, so text such as ``"=HYPERLINK(...)"`` comes back exactly.

    Parameters
    ----------
    analysis : Analysis
    path : path-like

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, os, sroi
    >>> a = sroi.Analysis("Example", "GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("=cmd", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person")])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_csv_value_map(a, os.path.join(tmp, "vm.csv"))
    ...     p.read_text().splitlines()[1][:6], read_csv_value_map(p)["stakeholder"][0]
    ("'=cmd,", '=cmd')
    """
    if not isinstance(analysis, Analysis):
        raise SROIError(f"expected an sroi.Analysis, got {type(analysis).__name__}", "analysis")
    return write_file(path, csv_bytes(to_frame(analysis), index=False), "path")


def read_csv_value_map(source: str | os.PathLike[str] | _io.TextIOBase) -> pd.DataFrame:
    """Read a Value Map CSV written by :func:`write_csv_value_map` (formula escaping undone).

    The cells are read as text, unescaped with :func:`unescape_formula` and validated by
    :func:`read_value_map` (which names the row and column of an invalid cell).

    Returns
    -------
    pandas.DataFrame
        One row per outcome, glossary column names; :func:`sroi.tabular.outcomes_from_frame` turns
        it into outcomes.
    """
    frame = read_csv_text(source)
    frame.columns = pd.Index([unescape_formula(str(c)) for c in frame.columns])
    frame = frame.map(lambda v: unescape_formula(v) if isinstance(v, str) else v)
    return read_value_map(frame)
