"""File formats: the model file (YAML), the Value Map as CSV and as an Excel workbook, and the
export of result tables to CSV and Parquet.

Modules: :mod:`sroi.io.modelfile` (``load``, ``save``), :mod:`sroi.io.csv` (the Value Map
CSV), :mod:`sroi.io.workbook_layout`, :mod:`sroi.io.workbook_write` and
:mod:`sroi.io.workbook_read` (the Value Map workbook), :mod:`sroi.io.export` (result tables).
Every name below is importable from ``sroi.io`` directly.

Examples
--------
>>> import sroi
>>> from sroi.datasets import dataset_path
>>> a = sroi.io.load(dataset_path("example", "digital_inclusion.yaml"))
>>> a.currency
'GBP'
"""

from sroi.io.csv import read_csv_text, read_csv_value_map, read_value_map, write_csv_value_map
from sroi.io.export import FORMULA_TRIGGERS, RESULT_TABLES, escape_formula, export_tables, unescape_formula
from sroi.io.modelfile import FORMAT_VERSION, analysis_from_dict, analysis_to_dict, dumps, load, loads, save
from sroi.io.workbook_layout import MODEL_SHEET
from sroi.io.workbook_read import read_value_map_xlsx
from sroi.io.workbook_write import write_value_map_xlsx
from sroi.safe_yaml import MAX_FILE_BYTES, parse_yaml, read_yaml_file
from sroi.tabular import outcomes_from_frame, to_frame, to_frame_row

__all__ = [
    "FORMAT_VERSION",
    "FORMULA_TRIGGERS",
    "MAX_FILE_BYTES",
    "MODEL_SHEET",
    "RESULT_TABLES",
    "analysis_from_dict",
    "analysis_to_dict",
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
