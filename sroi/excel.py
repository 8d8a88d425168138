"""Deprecated location of the Value Map workbook functions; use :mod:`sroi.io` (or ``sroi``)."""

import warnings

from sroi.io.workbook_layout import (
    MAX_COLUMNS,
    MAX_OUTCOMES,
    MAX_UNCOMPRESSED_BYTES,
    MAX_XLSX_BYTES,
    MODEL_SHEET,
)
from sroi.io.workbook_read import read_value_map_xlsx
from sroi.io.workbook_write import write_value_map_xlsx

__all__ = [
    "MAX_COLUMNS",
    "MAX_OUTCOMES",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_XLSX_BYTES",
    "MODEL_SHEET",
    "read_value_map_xlsx",
    "write_value_map_xlsx",
]

warnings.warn(
    "sroi.excel is deprecated and will be removed in sroi 0.3: import read_value_map_xlsx and "
    "write_value_map_xlsx from sroi (or sroi.io)",
    DeprecationWarning,
    stacklevel=2,
)
