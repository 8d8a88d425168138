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
from sroi.io.export import escape_frame, unescape_formula
from sroi.tabular import outcomes_from_frame, to_frame, to_frame_row

__all__ = ["read_csv_text", "read_csv_value_map", "read_value_map", "write_csv_value_map"]


def read_csv_text(source: str | os.PathLike[str] | _io.TextIOBase) -> pd.DataFrame:
    """Read a CSV table with every cell as text (nothing converted, nothing evaluated).

    Raises
    ------
    SROIError
        A missing file or a file that is not CSV, naming the value map.
    """
    try:
        return pd.read_csv(source, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise SROIError(f"no such file: {str(source)!r}", "value map") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise SROIError(f"could not read the CSV: {exc}", "value map") from None


def read_value_map(source: str | os.PathLike[str] | _io.TextIOBase | pd.DataFrame) -> pd.DataFrame:
    """Read and validate a Value Map table (CSV path, file object or DataFrame).

    Every row is checked by building its :class:`~sroi.valuemap.Outcome`, so an invalid cell is
    reported with its row and column. Numbers in cells are never evaluated as formulas.

    Returns
    -------
    pandas.DataFrame
        One row per outcome, glossary column names (as :func:`sroi.tabular.to_frame`).
    """
    frame = source.copy() if isinstance(source, pd.DataFrame) else read_csv_text(source)
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
    p = Path(path)
    try:
        escape_frame(to_frame(analysis)).to_csv(p, index=False, lineterminator="\r\n")
    except OSError as exc:
        raise SROIError(f"could not write {str(p)!r}: {exc}", "path") from None
    return p


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
