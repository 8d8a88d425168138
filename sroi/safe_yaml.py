"""The one safe YAML reader and writer of the package.

Every YAML file :mod:`sroi` reads (model files, credit scenarios, stored estimates,
indicators, the model sheet of a workbook, YAML text in a table cell) goes through
:func:`parse_yaml`: PyYAML's safe loader (no object is ever constructed, nothing is
evaluated) that also refuses a key given twice in one mapping, which YAML itself would
silently resolve by keeping the last one.

The reader is bounded before it builds anything: the text is first read as a stream of
parser events (libyaml's C parser when PyYAML has it) and refused, at the first event past a
limit, when it nests deeper than :data:`MAX_DEPTH`, holds a list or mapping longer than
:data:`MAX_LIST_LENGTH`, or expands to more than :data:`MAX_NODES` values or
:data:`MAX_EXPANDED_CHARS` characters once its aliases (``*name``) are expanded (the "billion
laughs" attack). An alias inside the node it names (a recursive document) is refused too.
Files are read only when they are regular files, at most :data:`MAX_FILE_BYTES` bytes.

References
----------
.. [1] OWASP Foundation, "XML Entity Expansion" (the "billion laughs" attack; YAML aliases
   expand the same way).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sroi.exceptions import SROIError

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_CHARS",
    "MAX_FILE_BYTES",
    "MAX_LIST_LENGTH",
    "MAX_NODES",
    "check_yaml_size",
    "dump_yaml",
    "parse_yaml",
    "read_file_bytes",
    "read_text_file",
    "read_yaml_file",
    "write_file",
]

#: Largest YAML file read, in bytes (a guard against accidental huge inputs).
MAX_FILE_BYTES = 20_000_000
#: Most values (scalars, lists and mappings) in one YAML document, counted with every alias
#: expanded: a model of 1,000 outcomes with a distribution in every field holds about 60,000.
MAX_NODES = 200_000
#: Most characters of text in one YAML document, counted with every alias expanded.
MAX_EXPANDED_CHARS = MAX_FILE_BYTES
#: Most items in one list, or entries in one mapping (the Value Map workbook reads at most
#: 10,000 rows; a quantity profile has at most 100 years).
MAX_LIST_LENGTH = 10_000
#: Deepest nesting of lists and mappings.
MAX_DEPTH = 50

_HAS_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
_BaseLoader: Any = yaml.CSafeLoader if _HAS_LIBYAML else yaml.SafeLoader


class _UniqueKeyLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that refuses a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the constructor below reports it
                continue
            if duplicate:
                mark = key_node.start_mark
                raise SROIError(
                    f"the key {_short(key)} is given twice (line {mark.line + 1}); YAML would silently "
                    "keep the last one: remove one of them",
                    "model file",
                )
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _short(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass
class _Open:
    """A list or mapping being read: its anchor, size so far (nodes, characters) and item count."""

    anchor: str | None
    line: int
    nodes: int = 1
    chars: int = 0
    items: int = 0
    is_mapping: bool = False
    sizes: list[int] = field(default_factory=list)


def check_yaml_size(
    text: str,
    field: str = "model file",
    *,
    max_nodes: int = MAX_NODES,
    max_chars: int = MAX_EXPANDED_CHARS,
    max_items: int = MAX_LIST_LENGTH,
    max_depth: int = MAX_DEPTH,
) -> int:
    """Check, before anything is built, that a YAML document stays within the size limits.

    The text is read as a stream of parser events only; the check stops at the first event
    past a limit, so its cost is bounded by the limits, not by the document.

    Parameters
    ----------
    text : str
        The YAML document.
    field : str
        What the text is, for error messages.
    max_nodes, max_chars : int
        Most values and characters of text, counted with every alias expanded.
    max_items : int
        Most items in one list or entries in one mapping.
    max_depth : int
        Deepest nesting of lists and mappings.

    Returns
    -------
    int
        The number of values, aliases expanded.

    Raises
    ------
    SROIError
        Naming ``field``, the line and the limit passed; or a recursive alias. Syntax errors
        are left to :func:`parse_yaml`, which names their line and column.

    Examples
    --------
    >>> check_yaml_size("a: &x [1, 2]\\nb: [*x, *x]")
    13
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\\n" for i in range(8))
    >>> check_yaml_size(bomb)
    Traceback (most recent call last):
    ...
    sroi.exceptions.SROIError: model file: the YAML expands to more than 200,000 values at line 6 (an alias, *e, repeats a large part of the document); write the values out, or use fewer aliases
    """
    if not isinstance(text, str):
        raise SROIError(f"expected YAML text, got {type(text).__name__}", field)
    parser = _BaseLoader(text)
    done: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, characters) of its value
    stack: list[_Open] = []
    total_nodes = total_chars = 0

    def add(nodes: int, chars: int, line: int, alias: str | None) -> None:
        nonlocal total_nodes, total_chars
        total_nodes += nodes
        total_chars += chars
        why = f" (an alias, *{alias}, repeats a large part of the document)" if alias else ""
        fix = "write the values out, or use fewer aliases" if alias else "split the document"
        if total_nodes > max_nodes:
            raise SROIError(
                f"the YAML expands to more than {max_nodes:,} values at line {line}{why}; {fix}", field
            )
        if total_chars > max_chars:
            raise SROIError(
                f"the YAML expands to more than {max_chars:,} characters of text at line {line}{why}; {fix}",
                field,
            )
        if stack:
            top = stack[-1]
            top.nodes += nodes
            top.chars += chars
            top.items += 1
            if top.items > max_items * (2 if top.is_mapping else 1):
                what = "mapping" if top.is_mapping else "list"
                items = "entries" if top.is_mapping else "items"
                raise SROIError(f"the {what} at line {top.line} has more than {max_items:,} {items}", field)

    try:
        while parser.check_event():
            event = parser.get_event()
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            if isinstance(event, yaml.AliasEvent):
                anchor = event.anchor
                if any(o.anchor == anchor for o in stack):
                    raise SROIError(
                        f"the alias *{anchor} at line {line} is inside the value it names (a recursive "
                        "document); write the values out",
                        field,
                    )
                nodes, chars = done.get(anchor or "", (1, 0))
                add(nodes, chars, line, anchor)
            elif isinstance(event, yaml.ScalarEvent):
                add(1, len(event.value), line, None)
                if event.anchor is not None:
                    done[event.anchor] = (1, len(event.value))
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                add(1, 0, line, None)
                if stack:  # its own node is counted in the parent when it ends
                    stack[-1].nodes -= 1
                stack.append(_Open(event.anchor, line, is_mapping=isinstance(event, yaml.MappingStartEvent)))
                if len(stack) > max_depth:
                    raise SROIError(
                        f"lists and mappings nest more than {max_depth} deep at line {line}", field
                    )
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                closed = stack.pop()
                if closed.anchor is not None:
                    done[closed.anchor] = (closed.nodes, closed.chars)
                if stack:
                    stack[-1].nodes += closed.nodes
                    stack[-1].chars += closed.chars
            elif isinstance(event, yaml.DocumentStartEvent):
                done.clear()  # anchors are local to a document
    except yaml.YAMLError:
        pass  # a syntax error: parse_yaml reports it with its line and column
    finally:
        parser.dispose()
    return total_nodes


def parse_yaml(text: str, field: str = "model file") -> Any:
    """Parse YAML text safely (PyYAML's safe loader: no object construction, nothing evaluated).

    The size of the document is checked first (:func:`check_yaml_size`), so that no YAML text,
    however built, makes the reader work or allocate beyond the module's limits.

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
        Naming ``field`` and the line and column of a syntax error, a key given twice, or a
        size limit passed (see :func:`check_yaml_size`).

    Examples
    --------
    >>> parse_yaml("a: 1\\nb: [x, y]")
    {'a': 1, 'b': ['x', 'y']}
    >>> parse_yaml("{low: 0.1, low: 0.5}", "outcomes[0].deadweight")
    Traceback (most recent call last):
    ...
    sroi.exceptions.SROIError: outcomes[0].deadweight: the key 'low' is given twice (line 1); YAML would silently keep the last one: remove one of them
    """
    if not isinstance(text, str):
        raise SROIError(f"expected YAML text, got {type(text).__name__}", field)
    try:
        check_yaml_size(text, field)
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except SROIError as exc:
        raise SROIError(str(exc).removeprefix("model file: "), field) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SROIError(f"not valid YAML{where}: {str(problem)[:200]}", field) from None
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:
        raise SROIError(f"not valid YAML: {type(exc).__name__}: {str(exc)[:200]}", field) from None


def read_file_bytes(path: str | os.PathLike[str], field: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` bytes.

    Devices, pipes, sockets and folders are refused before they are read (a pipe or a device
    such as ``/dev/zero`` would block or never end); a file that grows past ``max_bytes``
    while it is read is refused after ``max_bytes + 1`` bytes.

    Parameters
    ----------
    path : str or path-like
    field : str
        What the file is, for error messages.
    max_bytes : int
        Largest size read.

    Returns
    -------
    bytes

    Raises
    ------
    SROIError
        A missing file, not a regular file, too large, or unreadable; the message names the
        file and the reason, never its content.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise SROIError(f"expected a file path, got {type(path).__name__}", field)
    p = Path(path)
    name = _short(str(p), 120)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise SROIError(f"no such file: {name}", field) from None
    except OSError as exc:
        raise SROIError(f"could not open {name}: {exc.strerror or type(exc).__name__}", field) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise SROIError(f"{name} is {what}, not a regular file", field)
        if info.st_size > max_bytes:
            raise SROIError(f"{p.name} is {info.st_size:,} bytes; at most {max_bytes:,} are read", field)
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise SROIError(f"{p.name} is larger than {max_bytes:,} bytes", field)
        return b"".join(chunks)
    except OSError as exc:
        raise SROIError(f"could not read {name}: {exc.strerror or type(exc).__name__}", field) from None
    finally:
        os.close(fd)


def read_text_file(path: str | os.PathLike[str], field: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a regular UTF-8 file of at most ``max_bytes`` bytes (see :func:`read_file_bytes`).

    Raises
    ------
    SROIError
        As :func:`read_file_bytes`, or text that is not UTF-8 (the message gives the byte
        position, never the content).
    """
    data = read_file_bytes(path, field, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SROIError(
            f"{Path(path).name} is not UTF-8 text ({exc.reason} at byte {exc.start})", field
        ) from None
    return text.removeprefix("\ufeff")


def write_file(path: str | os.PathLike[str], data: bytes, field: str = "path") -> Path:
    """Write ``data`` to a file in one call, reporting any failure as an :class:`SROIError`.

    Writers build their whole output in memory first, then call this, so that a failure (a
    full disk, no permission, a missing folder) is one clear message naming the file and the
    reason, never a half-closed archive or an internal traceback.

    Parameters
    ----------
    path : str or path-like
    data : bytes
    field : str
        The argument that named the file, for error messages.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    SROIError
        The file could not be written, e.g. ``path: could not write 'out.csv': No space left
        on device``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise SROIError(f"expected a file path, got {type(path).__name__}", field)
    p = Path(path)
    try:
        with open(p, "wb") as handle:
            handle.write(data)
            handle.flush()
    except OSError as exc:
        raise SROIError(
            f"could not write {_short(str(p), 120)}: {exc.strerror or type(exc).__name__}", field
        ) from None
    return p


def read_yaml_file(path: str | os.PathLike[str], field: str = "model file") -> Any:
    """Read and parse a YAML file (a regular UTF-8 file of at most :data:`MAX_FILE_BYTES` bytes).

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
        A missing, unreadable or too large file, a device or pipe, text that is not UTF-8, or
        invalid YAML, naming ``field``.
    """
    return parse_yaml(read_text_file(path, field), field)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that double-quotes (and so escapes) strings with characters YAML would
    otherwise read back as line breaks (NEL U+0085, LS U+2028, PS U+2029)."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


class _CompactDumper(_Dumper):
    """_Dumper that writes estimates (``{distribution: ...}``, ``{param: name}``, ``{ref: id}``)
    and lists of plain values on one line (flow style), and long text folded, as people write
    model files by hand."""


_FLOW_KEYS = ("distribution", "param", "ref")


def _is_leaf(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _represent_compact(dumper: yaml.SafeDumper, data: Any) -> yaml.Node:
    if isinstance(data, dict):
        node: yaml.MappingNode | yaml.SequenceNode = dumper.represent_dict(data.items())
        flow = any(k in data for k in _FLOW_KEYS) and all(
            _is_leaf(v) or (isinstance(v, list) and all(map(_is_leaf, v))) for v in data.values()
        )
    else:
        node = dumper.represent_list(data)
        flow = bool(data) and all(map(_is_leaf, data)) and len(dump_yaml(data, flow=True)) <= 100
    if flow:
        node.flow_style = True
    return node


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    long_line = len(text) > 100 and "\n" not in text and text == text.strip() and "  " not in text
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else (">" if long_line else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_CompactDumper.add_representer(dict, _represent_compact)
_CompactDumper.add_representer(list, _represent_compact)
_CompactDumper.add_representer(str, _represent_text)


def dump_yaml(data: Any, *, flow: bool = False, width: int = 100, compact: bool = False) -> str:
    """YAML text of plain data, keys in the order given, Unicode kept.

    Parameters
    ----------
    data : object
        Dicts, lists, strings, numbers, booleans, None.
    flow : bool
        Write everything in flow style on one line (``{a: 1, b: [x, y]}``), as in a table cell.
    width : int
        Preferred line width.
    compact : bool
        Write each estimate (a distribution, ``{param: name}``, ``{ref: id}``) and each list of
        plain values (a correlation ``[a, b, rho]``) on one line, long text folded (``>-``),
        the rest in block style: the layout of a hand-written model file.

    Examples
    --------
    >>> dump_yaml({"distribution": "uniform", "low": 0.1, "high": 0.3}, flow=True)
    '{distribution: uniform, low: 0.1, high: 0.3}'
    """
    text = yaml.dump(
        data,
        Dumper=_CompactDumper if compact and not flow else _Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10_000 if flow else width,
        default_flow_style=True if flow else False,
    )
    return text.strip() if flow else text
