"""Deprecated location of the table export functions; use :mod:`sroi.io`."""

import warnings

from sroi.io.csv import read_csv_value_map, write_csv_value_map
from sroi.io.export import FORMULA_TRIGGERS, RESULT_TABLES, escape_formula, export_tables, unescape_formula

__all__ = [
    "FORMULA_TRIGGERS",
    "RESULT_TABLES",
    "escape_formula",
    "export_tables",
    "read_csv_value_map",
    "unescape_formula",
    "write_csv_value_map",
]

warnings.warn(
    "sroi.export is deprecated and will be removed in sroi 0.3: import from sroi.io",
    DeprecationWarning,
    stacklevel=2,
)
