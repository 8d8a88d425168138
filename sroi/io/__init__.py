"""File formats: the model file (YAML), the Value Map as CSV and as an Excel workbook, and the
export of result tables to CSV and Parquet.

Modules: :mod:`sroi.io.modelfile` (``load``, ``save``), :mod:`sroi.io.csv` (the Value Map
CSV), :mod:`sroi.io.workbook_layout`, :mod:`sroi.io.workbook_write` and
:mod:`sroi.io.workbook_read` (the Value Map workbook, with live formulas;
:mod:`sroi.io.workbook_template` reads the Social Value UK template's conventions),
:mod:`sroi.io.export` (result tables),
:mod:`sroi.io.yaml_edit` (a saved model file changed only where it was edited).
Every name below is importable from ``sroi.io`` directly.

Examples
--------
>>> import sroi
>>> from sroi.datasets import dataset_path
>>> a = sroi.io.load(dataset_path("example", "digital_inclusion.yaml"))
>>> a.currency
'GBP'

The names are imported from their modules on first use (PEP 562): reading a model file does
not load openpyxl, and ``sroi.io.csv``-style submodule access imports the submodule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sroi.lazy import attach

if TYPE_CHECKING:
    from sroi.io.csv import read_csv_text, read_csv_value_map, read_value_map, write_csv_value_map
    from sroi.io.export import (
        FORMULA_TRIGGERS,
        RESULT_TABLES,
        escape_formula,
        export_tables,
        unescape_formula,
    )
    from sroi.io.modelfile import (
        FORMAT_VERSION,
        analysis_from_dict,
        analysis_to_dict,
        dumps,
        load,
        loads,
        save,
    )
    from sroi.io.workbook_layout import MODEL_SHEET
    from sroi.io.workbook_read import read_value_map_xlsx
    from sroi.io.workbook_write import computed_cells, write_value_map_xlsx
    from sroi.safe_yaml import MAX_FILE_BYTES, parse_yaml, read_yaml_file
    from sroi.tabular import outcomes_from_frame, to_frame, to_frame_row

#: Public name -> the module that defines it (imported on first use).
_LAZY: dict[str, str] = {
    "FORMAT_VERSION": "sroi.io.modelfile",
    "FORMULA_TRIGGERS": "sroi.io.export",
    "MAX_FILE_BYTES": "sroi.safe_yaml",
    "MODEL_SHEET": "sroi.io.workbook_layout",
    "RESULT_TABLES": "sroi.io.export",
    "analysis_from_dict": "sroi.io.modelfile",
    "analysis_to_dict": "sroi.io.modelfile",
    "computed_cells": "sroi.io.workbook_write",
    "dumps": "sroi.io.modelfile",
    "escape_formula": "sroi.io.export",
    "export_tables": "sroi.io.export",
    "load": "sroi.io.modelfile",
    "loads": "sroi.io.modelfile",
    "outcomes_from_frame": "sroi.tabular",
    "parse_yaml": "sroi.safe_yaml",
    "read_csv_text": "sroi.io.csv",
    "read_csv_value_map": "sroi.io.csv",
    "read_value_map": "sroi.io.csv",
    "read_value_map_xlsx": "sroi.io.workbook_read",
    "read_yaml_file": "sroi.safe_yaml",
    "save": "sroi.io.modelfile",
    "to_frame": "sroi.tabular",
    "to_frame_row": "sroi.tabular",
    "unescape_formula": "sroi.io.export",
    "write_csv_value_map": "sroi.io.csv",
    "write_value_map_xlsx": "sroi.io.workbook_write",
}

__all__ = [
    "FORMAT_VERSION",
    "FORMULA_TRIGGERS",
    "MAX_FILE_BYTES",
    "MODEL_SHEET",
    "RESULT_TABLES",
    "analysis_from_dict",
    "analysis_to_dict",
    "computed_cells",
    "dumps",
    "escape_formula",
    "export_tables",
    "load",
    "loads",
    "outcomes_from_frame",
    "parse_yaml",
    "read_csv_text",
    "read_csv_value_map",
    "read_value_map",
    "read_value_map_xlsx",
    "read_yaml_file",
    "save",
    "to_frame",
    "to_frame_row",
    "unescape_formula",
    "write_csv_value_map",
    "write_value_map_xlsx",
]


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
