"""The one safe YAML reader and writer of the package.

Every YAML file :mod:`sroi` reads (model files, credit scenarios, stored estimates,
indicators) goes through :func:`parse_yaml`: PyYAML's safe loader (no object is ever
constructed, nothing is evaluated) that also refuses a key given twice in one mapping, which
YAML itself would silently resolve by keeping the last one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from sroi.exceptions import SROIError

__all__ = ["MAX_FILE_BYTES", "dump_yaml", "parse_yaml", "read_yaml_file"]

#: Largest YAML file read, in bytes (a guard against accidental huge inputs).
MAX_FILE_BYTES = 20_000_000


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the constructor below reports it
                continue
            if duplicate:
                mark = key_node.start_mark
                raise SROIError(
                    f"the key {key!r} is given twice (line {mark.line + 1}); YAML would silently keep the "
                    "last one: remove one of them",
                    "model file",
                )
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, field: str = "model file") -> Any:
    """Parse YAML text safely (PyYAML's safe loader: no object construction, nothing evaluated).

    Parameters
    ----------
    text : str
        The YAML document.
    field : str
        What the text is, for error messages (e.g. ``"model file"``).

    Returns
    -------
    object
        Plain Python data: dicts, lists, strings, numbers, booleans and None.

    Raises
    ------
    SROIError
        Naming ``field`` and the line and column of a syntax error, or a key given twice.

    Examples
    --------
    >>> parse_yaml("a: 1\\nb: [x, y]")
    {'a': 1, 'b': ['x', 'y']}
    """
    if not isinstance(text, str):
        raise SROIError(f"expected YAML text, got {type(text).__name__}", field)
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except SROIError as exc:
        raise SROIError(str(exc).removeprefix("model file: "), field) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SROIError(f"not valid YAML{where}: {problem}", field) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise SROIError(f"not valid YAML: {exc}", field) from None


def read_yaml_file(path: str | os.PathLike[str], field: str = "model file") -> Any:
    """Read and parse a YAML file (UTF-8, at most :data:`MAX_FILE_BYTES`).

    Parameters
    ----------
    path : str or path-like
    field : str
        What the file is, for error messages.

    Returns
    -------
    object
        As :func:`parse_yaml`.

    Raises
    ------
    SROIError
        A missing or too large file, text that is not UTF-8, or invalid YAML, naming ``field``.
    """
    p = Path(path)
    if not p.is_file():
        raise SROIError(f"no such file: {str(p)!r}", field)
    if p.stat().st_size > MAX_FILE_BYTES:
        raise SROIError(f"{p.name} is larger than {MAX_FILE_BYTES:,} bytes", field)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SROIError(f"{p.name} is not UTF-8 text ({exc.reason})", field) from None
    return parse_yaml(text, field)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that double-quotes (and so escapes) strings with characters YAML would
    otherwise read back as line breaks (NEL U+0085, LS U+2028, PS U+2029)."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, *, flow: bool = False, width: int = 100) -> str:
    """YAML text of plain data, keys in the order given, Unicode kept.

    Parameters
    ----------
    data : object
        Dicts, lists, strings, numbers, booleans, None.
    flow : bool
        Write everything in flow style on one line (``{a: 1, b: [x, y]}``), as in a table cell.
    width : int
        Preferred line width.

    Examples
    --------
    >>> dump_yaml({"distribution": "uniform", "low": 0.1, "high": 0.3}, flow=True)
    '{distribution: uniform, low: 0.1, high: 0.3}'
    """
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10_000 if flow else width,
        default_flow_style=True if flow else False,
    )
    return text.strip() if flow else text
