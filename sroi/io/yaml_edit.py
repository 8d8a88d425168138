"""Edit YAML text in place: the smallest change of text that gives new values.

:func:`sroi.save` writes a model file that was loaded and not edited as the text it was read
from, byte for byte; when some values were edited, :func:`edit_yaml` changes only the text of
those values (a changed deadweight changes one line), keeping every comment, blank line, key
order and layout of the rest. The edited text is always read back and checked by the caller;
when an edit cannot be placed (a changed structure at the top level, say), :func:`edit_yaml`
returns None and the caller writes the whole file afresh.

The text is read as a tree of nodes with their positions (PyYAML's composer: nothing is
constructed or evaluated) only after :func:`sroi.safe_yaml.check_yaml_size` has bounded it.

Examples
--------
>>> text = "a: 1  # kept\\nb:\\n  c: 0.5\\n  d: [x, y]\\n"
>>> print(edit_yaml(text, {"a": 1, "b": {"c": 0.5, "d": ["x", "y"]}},
...                 {"a": 1, "b": {"c": 0.25, "d": ["x", "y"]}}), end="")
a: 1  # kept
b:
  c: 0.25
  d: [x, y]
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from sroi.exceptions import SROIError
from sroi.safe_yaml import check_yaml_size, dump_yaml

__all__ = ["changed_paths", "edit_yaml"]

_Loader: Any = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader

Path = tuple[Any, ...]


def changed_paths(old: Any, new: Any, path: Path = ()) -> list[Path]:
    """The paths (keys and list positions) at which ``new`` differs from ``old``.

    Mappings are compared key by key, lists of equal length item by item; anything else that
    differs (a value, a type, a list's length) is one change at its own path. A key only in
    ``old`` is reported too (its path, to be deleted).

    Examples
    --------
    >>> changed_paths({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3], "c": 0})
    [('b', 1), ('c',)]
    """
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: list[Path] = []
        for key in new:
            if key not in old:
                out.append((*path, key))
            else:
                out += changed_paths(old[key], new[key], (*path, key))
        out += [(*path, key) for key in old if key not in new]
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            p for i, (a, b) in enumerate(zip(old, new, strict=True)) for p in changed_paths(a, b, (*path, i))
        ]
    if type(old) is type(new) and old == new:
        return []
    return [path]


_MISSING = object()


def _get(data: Any, path: Path) -> Any:
    for key in path:
        if isinstance(data, Mapping) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return _MISSING
    return data


def _child(node: yaml.Node, key: Any) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of ``key`` in a mapping node, or (item, item) in a sequence node."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                return k, v
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        item = node.value[key]
        return item, item
    return None


def _content_end(node: yaml.Node) -> int:
    """Index just after the last character of a node's own text (a block collection's end mark
    lies after trailing comments and blank lines; its last value's does not)."""
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _content_end(last[1] if isinstance(last, tuple) else last)
    end = int(node.end_mark.index)
    return end


def _inline(value: Any, flow: bool) -> str:
    """``value`` as YAML text on one line: in a flow collection (``flow``) as a flow item, else
    as a block value (which needs fewer quotes: ``a, b`` is plain there)."""
    if flow or isinstance(value, (Mapping, list)):
        return dump_yaml([value], flow=True)[1:-1]
    text = dump_yaml({"k": value}, width=1_000_000).removeprefix("k: ").rstrip("\n")
    return text if "\n" not in text else dump_yaml([value], flow=True)[1:-1]


def _block(value: Any, column: int) -> str:
    """``value`` as block YAML whose first line starts at ``column`` (later lines indented)."""
    if not isinstance(value, (Mapping, list)) or not value:
        return _inline(value, False)
    lines = dump_yaml(value).rstrip("\n").split("\n")
    return "\n".join([lines[0], *(" " * column + line for line in lines[1:])])


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str
    path: Path


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _rest_is_blank(text: str, index: int) -> bool:
    rest = text[index : _line_end(text, index)].strip()
    return rest == "" or rest.startswith("#")


def _is_block(node: yaml.Node) -> bool:
    return isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style


def _replace(text: str, node: yaml.Node, value: Any, path: Path, flow: bool) -> _Edit:
    start, end = int(node.start_mark.index), _content_end(node)
    if _is_block(node):
        new = _block(value, int(node.start_mark.column))
    else:
        folded = _folded(text, node, value)
        new = folded if folded is not None else _inline(value, flow)
        if text[start:end].endswith("\n"):  # a block scalar (| or >) ends with its line break
            new += "\n"
    return _Edit(start, end, new, path)


def _folded(text: str, node: yaml.Node, value: Any, width: int = 80) -> str | None:
    """A new text for a folded block scalar (``>-``) in the same style, wrapped as the file's
    lines are (at their longest line, at least ``width`` characters):
    only for one-line text that folding gives back exactly (no line breaks, no runs of
    spaces, no space at either end); None otherwise."""
    if not (isinstance(node, yaml.ScalarNode) and node.style == ">" and isinstance(value, str) and value):
        return None
    if "\n" in value or "  " in value or value != value.strip() or "\t" in value:
        return None
    start = int(node.start_mark.index)
    header = text[start : _line_end(text, start)].rstrip("\n")
    if header.strip() != ">-":
        return None
    first = _line_end(text, start)
    indent = len(text[first : _line_end(text, first)]) - len(text[first : _line_end(text, first)].lstrip(" "))
    if indent == 0:  # (the read-back check of the caller catches any other mistake)
        return None
    body = text[first : _content_end(node)].rstrip("\n").split("\n")
    width = max([width, *(len(line) for line in body)])  # the file's own width: unchanged lines stay
    kept = [line.strip() for line in body]
    while kept and not (value == " ".join(kept) or value.startswith(" ".join(kept) + " ")):
        kept.pop()  # the file's own lines, as far as the new text begins with them
    rest = value[len(" ".join(kept)) :].strip()
    lines: list[str] = []
    for word in rest.split(" ") if rest else ():
        if lines and len(lines[-1]) + 1 + len(word) <= width - indent:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return header + "\n" + "\n".join(" " * indent + line for line in [*kept, *lines])


def _whole_lines(text: str, start: int, end: int, lead: str) -> tuple[int, int] | None:
    """The span of the lines from ``start`` to ``end`` when nothing else is on them (only
    ``lead``, e.g. ``-``, before ``start``; only a comment after ``end``)."""
    if text[_line_start(text, start) : start].strip() != lead or not _rest_is_blank(text, end):
        return None
    return _line_start(text, start), _line_end(text, end)


def _list_edits(
    text: str, node: yaml.SequenceNode, old: list[Any], new: list[Any], path: Path
) -> list[_Edit] | None:
    """Items removed from or added to a block list, each on its own lines; None when the
    change is not a set of removals, additions and same-length rewrites."""
    items = node.value
    if not items or len(items) != len(old):
        return None
    first = int(items[0].start_mark.index)
    dash = first - _line_start(text, first) - len(text[_line_start(text, first) : first].lstrip(" "))
    matcher = difflib.SequenceMatcher(a=[repr(x) for x in old], b=[repr(x) for x in new], autojunk=False)
    edits: list[_Edit] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                for sub in changed_paths(old[i], new[j]):
                    found = _edit_for(text, items[i], sub, old[i], new[j], (*path, i), False)
                    if found is None:
                        return None
                    edits += found
            continue
        if op in ("delete", "replace"):
            for i in range(i1, i2):
                span = _whole_lines(text, int(items[i].start_mark.index), _content_end(items[i]), "-")
                if span is None:
                    return None
                edits.append(_Edit(*span, "", (*path, i)))
        if op in ("insert", "replace"):
            at = _line_end(text, _content_end(items[i1 - 1])) if i1 > 0 else _line_start(text, first)
            if i1 > 0 and text[at - 1 : at] != "\n":
                return None
            lines = "".join(" " * dash + "- " + _block(new[j], dash + 2) + "\n" for j in range(j1, j2))
            edits.append(_Edit(at, at, lines, (*path, f"+{i1}")))
    return edits


def _edit_for(
    text: str, root: yaml.Node, path: Path, old: Any, new: Any, prefix: Path = (), flow: bool = False
) -> list[_Edit] | None:
    """The text edits that give ``new``'s value at ``path`` below ``root`` (``old`` and ``new``
    are the values ``root`` stands for and should); None when they cannot be placed."""
    node: yaml.Node = root
    parent: yaml.Node | None = None
    key_node: yaml.Node | None = None
    depth = 0
    for key in path:
        found = _child(node, key)
        if found is None:
            break
        flow = flow or (isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and bool(node.flow_style))
        parent = node
        key_node, node = found
        depth += 1
    here = (*prefix, *path[:depth])
    target = _get(new, path[:depth])
    if depth == len(path) and target is _MISSING:  # a key removed from the mapping above
        if parent is None or key_node is None:
            return None
        span = None
        if _is_block(parent):
            span = _whole_lines(text, int(key_node.start_mark.index), _content_end(node), "")
        if span is not None:
            return [_Edit(*span, "", here)]
        return _edit_for(text, root, path[:-1], old, new, prefix, flow) if len(path) > 1 else None
    if depth == len(path):
        before = _get(old, path)
        if isinstance(node, yaml.SequenceNode) and _is_block(node) and isinstance(target, list):
            edits = _list_edits(text, node, before, target, here) if isinstance(before, list) else None
            if edits is not None:
                return edits
        return [_replace(text, node, target, here, flow)]
    if depth == len(path) - 1 and isinstance(node, yaml.MappingNode):
        key = path[-1]
        value = _get(new, path)
        if _is_block(node) and node.value:
            column = int(node.value[0][0].start_mark.column)
            entry = _block({key: value}, column)
            at = _content_end(_after(node, _get(new, path[:-1]), key))
            if text[at - 1 : at] == "\n":
                return [_Edit(at, at, " " * column + entry + "\n", (*here, key))]
            return [_Edit(at, at, "\n" + " " * column + entry, (*here, key))]
        end = int(node.end_mark.index)
        if node.flow_style and text[end - 1 : end] == "}":
            sep = ", " if node.value else ""
            entry = dump_yaml([{key: value}], flow=True)[2:-2]
            return [_Edit(end - 1, end - 1, sep + entry, (*here, key))]
    if depth == 0 and not prefix:
        return None  # the document itself changed shape
    return [_replace(text, node, target, here, flow)]


def _after(node: yaml.MappingNode, mapping: Any, key: Any) -> yaml.Node:
    """The node after which a new ``key`` goes: the value of the key before it in ``mapping``
    (the new order) when the text has that key, else the mapping's last value."""
    before = None
    if isinstance(mapping, Mapping):
        for k in mapping:
            if k == key:
                break
            if _child(node, k) is not None:
                before = k
    found = _child(node, before) if before is not None else None
    return found[1] if found is not None else node


def edit_yaml(text: str, old: Any, new: Any) -> str | None:
    """The text ``text`` (which reads as ``old``) changed only where ``new`` differs from ``old``.

    Parameters
    ----------
    text : str
        A YAML document whose structure follows ``old`` (keys and list positions).
    old, new : object
        Plain data (mappings, lists, scalars): what ``text`` stands for and what it should.

    Returns
    -------
    str or None
        The edited text: each changed value rewritten where it stands (a scalar on its line, a
        collection in its own style), a new key appended to its mapping, a removed key's
        lines removed; everything else unchanged, comments included. None when a change
        cannot be placed in the text (the caller then writes the document afresh). The
        result is not checked here: the caller reads it back.

    Raises
    ------
    SROIError
        ``text`` past the size limits of :func:`sroi.safe_yaml.check_yaml_size`.
    """
    paths = changed_paths(old, new)
    if not paths:
        return text
    check_yaml_size(text)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    edits: list[_Edit] = []
    for path in paths:
        try:
            found = _edit_for(text, root, path, old, new)
        except (TypeError, AttributeError, ValueError, yaml.YAMLError, SROIError):
            found = None
        if found is None:
            return None
        edits += found
    # An edit that rewrote a whole collection covers the edits inside it.
    kept = [e for e in edits if not any(o.path != e.path and e.path[: len(o.path)] == o.path for o in edits)]
    kept = list({(e.start, e.end, e.path): e for e in kept}.values())
    kept.sort(key=lambda e: (e.start, e.end))
    for a, b in itertools.pairwise(kept):
        if b.start < a.end:
            return None  # overlapping edits: write afresh
    for e in reversed(kept):
        text = text[: e.start] + e.text + text[e.end :]
    return text
