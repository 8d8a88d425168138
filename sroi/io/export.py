"""Result tables to CSV and Parquet, safe to open in a spreadsheet.

Every text cell written to a CSV file that a spreadsheet program would run as a formula (it
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with a single
quote ``'`` (OWASP guidance on CSV injection); :func:`unescape_formula` undoes exactly that
escaping, so :func:`sroi.io.csv.read_csv_value_map` reads back what
:func:`sroi.io.csv.write_csv_value_map` wrote.
Numbers are written as numbers (a negative number is not text and is not escaped). Lines end
with CRLF as RFC 4180 asks, so that a text holding a line break or a carriage return is quoted
and reads back whole.

References
----------
.. [1] OWASP Foundation, "CSV Injection".
   https://owasp.org/www-community/attacks/CSV_Injection

Examples
--------
>>> from sroi.io.export import escape_formula, unescape_formula
>>> escape_formula("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> unescape_formula(escape_formula("-5 bananas"))
'-5 bananas'
>>> escape_formula("Older people")
'Older people'
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sroi.exceptions import SROIError
from sroi.result import Result
from sroi.safe_yaml import write_file

__all__ = [
    "FORMULA_TRIGGERS",
    "RESULT_TABLES",
    "csv_bytes",
    "escape_formula",
    "escape_frame",
    "export_tables",
    "unescape_formula",
]

#: First characters that make a spreadsheet program treat a text cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: The tables of a :class:`~sroi.result.Result` that :func:`export_tables` writes.
RESULT_TABLES = (
    "summary",
    "by_outcome",
    "by_stakeholder",
    "per_year",
    "per_year_by_outcome",
    "value_by_tier",
    "conversions",
)

_FORMATS = ("csv", "parquet")
_NAME_RE = re.compile(r"[\w][\w.-]*")
_PREFIX_RE = re.compile(r"[\w.-]*")


def escape_formula(text: str) -> str:
    """Text a spreadsheet will show as text, never run as a formula.

    A text starting (after any single quotes) with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets one more leading single quote ``'``; other text is unchanged. The
    rule is one-to-one, so :func:`unescape_formula` restores the original exactly.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    References
    ----------
    .. [1] OWASP Foundation, "CSV Injection".

    Examples
    --------
    >>> escape_formula("@SUM(A1)"), escape_formula("'=1"), escape_formula("it's")
    ("'@SUM(A1)", "''=1", "it's")
    """
    if not isinstance(text, str):
        raise SROIError(f"expected text, got {type(text).__name__}", "text")
    rest = text.lstrip("'")
    return "'" + text if rest[:1] in FORMULA_TRIGGERS and rest else text


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula`: drop one leading ``'`` put there to stop a formula.

    Examples
    --------
    >>> unescape_formula("'=1+1"), unescape_formula("'tis"), unescape_formula("''=1")
    ('=1+1', "'tis", "'=1")
    """
    if not isinstance(text, str):
        raise SROIError(f"expected text, got {type(text).__name__}", "text")
    rest = text.lstrip("'")
    if text.startswith("'") and rest and rest[0] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _escape_value(v: Any) -> Any:
    return escape_formula(v) if isinstance(v, str) else v


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell, column label and index label escaped."""
    out = frame.copy()
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if _is_text(col.dtype):
            out.isetitem(j, col.map(_escape_value).to_numpy())
    out.columns = pd.Index([_escape_value(c) for c in out.columns], name=out.columns.name)
    if _is_text(out.index.dtype):
        out.index = pd.Index([_escape_value(v) for v in out.index], name=out.index.name)
    return out


def csv_bytes(frame: pd.DataFrame, index: bool = True) -> bytes:
    """A table as CSV bytes (UTF-8, CRLF lines), every text cell and label escaped against formulas.

    The one CSV writer of the package: :func:`export_tables`, the Value Map CSV and the command
    line's ``--out`` files all go through it.

    Parameters
    ----------
    frame : pandas.DataFrame
    index : bool
        Write a named or non-default index as the first column (as :func:`export_tables`
        does); False drops the index.

    Returns
    -------
    bytes

    Examples
    --------
    >>> import pandas as pd
    >>> csv_bytes(pd.DataFrame({"outcome": ["=1+1", "ok"], "value": [-1.5, 2.0]}), index=False)
    b"outcome,value\\r\\n'=1+1,-1.5\\r\\nok,2.0\\r\\n"
    """
    if not isinstance(frame, pd.DataFrame):
        raise SROIError(f"expected a DataFrame, got {type(frame).__name__}", "frame")
    table = _tidy(frame if index else frame.reset_index(drop=True), for_parquet=False)
    text = escape_frame(table).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8")


def _is_text(dtype: Any) -> bool:
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)


def _tidy(frame: pd.DataFrame, for_parquet: bool) -> pd.DataFrame:
    """Index into columns, unique text column labels, mixed object columns as text (Parquet)."""
    df = frame.copy()
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        name = df.index.name or "row"
        df = df.reset_index(names=name if name not in df.columns else f"{name}_")
    seen: dict[str, int] = {}
    labels = []
    for c in df.columns:
        label = str(c)
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        labels.append(label)
    df.columns = pd.Index(labels)
    if for_parquet:
        for j in range(df.shape[1]):
            col = df.iloc[:, j]
            if col.dtype == object and len({type(v) for v in col if v is not None}) > 1:
                df.isetitem(j, col.map(lambda v: v if v is None else str(v)).to_numpy())
    return df


def _tables_of(obj: Any) -> dict[str, pd.DataFrame]:
    tables = getattr(obj, "tables", None)
    if callable(tables):
        found = tables()
        if not isinstance(found, Mapping):
            raise SROIError(
                f"{type(obj).__name__}.tables() returned {type(found).__name__}, expected a dict of "
                "name -> DataFrame",
                "obj",
            )
        return dict(found)
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, Result):
        found = {name: getattr(obj, name) for name in RESULT_TABLES}
        if found["value_by_tier"].index.name is None:
            found["value_by_tier"] = found["value_by_tier"].rename_axis("period")
        return found
    raise SROIError(
        f"expected an sroi Result, a mapping of name -> DataFrame or an object with a tables() "
        f"method, got {type(obj).__name__}",
        "obj",
    )


def _check_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    fmts = (formats,) if isinstance(formats, str) else tuple(formats)
    if not fmts:
        raise SROIError(f"expected at least one format of {_FORMATS}", "formats")
    for f in fmts:
        if f not in _FORMATS:
            raise SROIError(f"unknown format {f!r}; expected one of {_FORMATS}", "formats")
    if "parquet" in fmts:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise SROIError(
                "writing Parquet needs pyarrow; install it with: pip install 'sroi[parquet]' "
                "(or write formats=('csv',))",
                "formats",
            ) from None
    return tuple(dict.fromkeys(fmts))


def export_tables(
    obj: Any,
    directory: str | os.PathLike[str],
    formats: str | Iterable[str] = ("csv",),
    prefix: str = "",
) -> list[Path]:
    """Write every table of a result to CSV and/or Parquet files, one file per table.

    Parameters
    ----------
    obj : Result, mapping or object with ``tables()``
        A :class:`~sroi.result.Result` (tables ``summary``, ``by_outcome``, ``by_stakeholder``,
        ``per_year``, ``per_year_by_outcome``, ``value_by_tier``, ``conversions``), a mapping of
        name -> DataFrame, or any object whose ``tables()`` method returns one (a simulation or
        a report may provide it).
    directory : path-like
        Created if missing.
    formats : {"csv", "parquet"} or a sequence of them
        Default CSV. Parquet needs pyarrow (``pip install 'sroi[parquet]'``).
    prefix : str
        Put before every file name, e.g. ``"elderly_"`` gives ``elderly_summary.csv``.

    Returns
    -------
    list of pathlib.Path
        The files written, in table order then format order.

    Raises
    ------
    SROIError
        Unknown format, pyarrow missing for Parquet, a table that is not a DataFrame, or a
        table name or prefix that is not a plain file name.

    Notes
    -----
    A named or non-default index becomes the first column (``period``, ``metric``...), and
    repeated column labels get `` (2)``, `` (3)``... so every file reads back as a plain table.
    In CSV files every text cell and label is escaped against formula injection
    (:func:`escape_formula`; so the summary's ``-0.03 GBP`` is written ``'-0.03 GBP``);
    Parquet files keep the values as they are (typed, never parsed as formulas).

    Examples
    --------
    >>> import tempfile, sroi
    >>> from sroi.io.export import export_tables
    >>> a = sroi.Analysis("Example", "GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person", duration=3)])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = export_tables(a.evaluate(), tmp, prefix="demo_")
    ...     [p.name for p in paths][:2]
    ['demo_summary.csv', 'demo_by_outcome.csv']
    """
    fmts = _check_formats(formats)
    if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
        raise SROIError(f"expected a prefix of letters, digits, '_', '.' or '-', got {prefix!r}", "prefix")
    tables = _tables_of(obj)
    for name, table in tables.items():
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise SROIError(f"a table name must be a plain file name, got {name!r}", "tables")
        if not isinstance(table, pd.DataFrame):
            raise SROIError(f"expected a DataFrame, got {type(table).__name__}", f"tables.{name}")
    out_dir = Path(directory)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SROIError(f"could not create {str(out_dir)!r}: {exc}", "directory") from None
    paths = []
    for name, table in tables.items():
        for fmt in fmts:
            path = out_dir / f"{prefix}{name}.{fmt}"
            if fmt == "csv":
                data = csv_bytes(table)
            else:
                df = _tidy(table, for_parquet=True)
                df.attrs = {}
                buffer = io.BytesIO()
                df.to_parquet(buffer, index=False, engine="pyarrow")
                data = buffer.getvalue()
            paths.append(write_file(path, data, "directory"))
    return paths
