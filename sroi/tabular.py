"""The Value Map as a table, and the text form of an estimate.

:func:`to_frame` lays an analysis's outcomes out as a pandas DataFrame, one row per outcome,
with the glossary's column names (:data:`sroi.glossary.OUTCOME_FIELDS`);
:func:`outcomes_from_frame` reads such a table back. Cells hold numbers, unit strings
(``"120 person"``) or, for distributions, references and quantity profiles, YAML flow text
(``"{distribution: uniform, low: 0.1, high: 0.3}"``).

:func:`value_from_file` and :func:`value_to_file` convert one estimate between its model-file
form (a number, a unit string, ``{param: name}``, ``{distribution: ...}``, a list) and the
model's objects; the model file, the CSV value map and the workbook all use them.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pint

from sroi.distributions import Distribution, distribution_from_dict
from sroi.exceptions import SROIError
from sroi.glossary import OUTCOME_FIELDS, OUTCOME_TEXT_FIELDS
from sroi.proxies import reference_from_file, reference_to_file
from sroi.safe_yaml import dump_yaml, parse_yaml
from sroi.units import format_quantity
from sroi.valuemap import Outcome, Ref

__all__ = [
    "overlaps_from_file",
    "overlaps_to_file",
    "outcomes_from_frame",
    "parse_cell",
    "to_frame",
    "to_frame_row",
    "value_from_file",
    "value_to_file",
]

_REQUIRED = ("stakeholder", "outcome", "quantity", "proxy")


def value_from_file(v: Any, path: str) -> Any:
    """A model-file value -> a model value (mappings become distributions or references).

    Raises
    ------
    SROIError
        A mapping that is neither ``{param: name}`` nor ``{distribution: ...}``, naming ``path``.

    Examples
    --------
    >>> value_from_file({"param": "share"}, "outcomes[0].deadweight")
    Ref('share')
    >>> value_from_file({"distribution": "uniform", "low": 0.1, "high": 0.3}, "x")
    Uniform(low=0.1, high=0.3)
    """
    if isinstance(v, Mapping):
        if set(v) == {"param"}:
            return Ref(str(v["param"]))
        if "ref" in v:
            raise SROIError("a library reference {ref: id} is only allowed for an outcome's proxy", path)
        if "distribution" not in v:
            raise SROIError(
                f"expected a number, a unit string, {{param: name}} or {{distribution: ...}}, got {dict(v)}",
                path,
            )
        return distribution_from_dict(v, path)
    if isinstance(v, list):
        return [value_from_file(x, f"{path}[{i}]") for i, x in enumerate(v)]
    return v


def value_to_file(v: Any) -> Any:
    """A model value -> its model-file form (the inverse of :func:`value_from_file`).

    Examples
    --------
    >>> from sroi.units import Q_
    >>> value_to_file(Q_("120 person")), value_to_file(Ref("share"))
    ('120 person', {'param': 'share'})
    """
    if isinstance(v, Distribution):
        return v.to_dict()
    if isinstance(v, Ref):
        return {"param": v.name}
    if isinstance(v, pint.Quantity):
        return format_quantity(v, digits=None)
    if isinstance(v, tuple):
        return [value_to_file(x) for x in v]
    return v


def overlaps_from_file(v: Any, path: str) -> Any:
    """``overlaps`` in file form (a list of ids, or a mapping id -> share) -> the model's form."""
    if isinstance(v, Mapping):
        return {k: None if x is None else value_from_file(x, f"{path}.{k}") for k, x in v.items()}
    return v


def overlaps_to_file(v: Mapping[str, Any]) -> Any:
    """The model's ``overlaps`` -> file form: a list of ids when no share is given, else a mapping."""
    if all(x is None for x in v.values()):
        return list(v)
    return {k: None if x is None else value_to_file(x) for k, x in v.items()}


def _cell(v: Any) -> Any:
    out = value_to_file(v)
    if isinstance(out, (dict, list)):
        return dump_yaml(out, flow=True)
    return out


def _library_reference(outcome: Outcome) -> dict[str, Any] | None:
    """The outcome's proxy in library-reference form (``{ref: id}``, or with the user's override),
    or None when the proxy was not taken from the library."""
    return reference_to_file(outcome.proxy_ref, outcome.proxy)


def to_frame_row(outcome: Outcome) -> dict[str, Any]:
    """One outcome as a Value Map row (see :func:`to_frame`); a proxy from the library is written
    as its reference ``{ref: id}``."""
    row: dict[str, Any] = {}
    ref = _library_reference(outcome)
    for key in OUTCOME_FIELDS:
        v = getattr(outcome, key)
        if key == "proxy" and ref is not None:
            row[key] = dump_yaml(ref, flow=True)
            continue
        if key == "overlaps":
            row[key] = _cell(overlaps_to_file(v)) if v else ""
            continue
        row[key] = "" if v is None or (key == "quantity_factors" and not v) else _cell(v)
    return row


def to_frame(analysis: Any) -> pd.DataFrame:
    """The Value Map as a DataFrame: one row per outcome, glossary column names.

    Parameters
    ----------
    analysis : Analysis
        Or anything with an ``outcomes`` sequence.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`sroi.glossary.OUTCOME_FIELDS`. :func:`outcomes_from_frame` reads it back.

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis("t", "GBP", [sroi.Outcome("Carers", "Respite", quantity="5 person",
    ...                    proxy="200 GBP/person")], [sroi.Input("Funder", "Grant", "100 GBP")])
    >>> to_frame(a)[["stakeholder", "quantity", "proxy"]]
      stakeholder  quantity           proxy
    0      Carers  5 person  200 GBP / person
    """
    return pd.DataFrame([to_frame_row(o) for o in analysis.outcomes], columns=list(OUTCOME_FIELDS))


def parse_cell(v: Any, path: str, text: bool = False) -> Any:
    """Read one table cell: None for an empty cell; free text verbatim when ``text``; YAML flow
    text (``{...}`` or ``[...]``) as a distribution, reference or list; anything else as is."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if text:
        return None if isinstance(v, str) and v == "" else v
    if isinstance(v, str):
        s = v.strip()
        if s == "":
            return None
        if s[0] in "{[":
            parsed = parse_yaml(s, path)
            if not isinstance(parsed, (list, Mapping)):
                raise SROIError(f"could not read {s!r} as a list or a {{distribution: ...}} mapping", path)
            return value_from_file(parsed, path)
        return s
    return v


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _int_cell(v: Any) -> Any:
    """Whole numbers read from a table cell (``"3"``, ``3.0``) as int; anything else unchanged."""
    if isinstance(v, str):
        try:
            f = float(v.strip())
        except ValueError:
            return v
        v = f
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def outcomes_from_frame(frame: pd.DataFrame) -> list[Outcome]:
    """Outcomes from a Value Map table (the inverse of :func:`to_frame`).

    Raises
    ------
    SROIError
        Unknown columns, or an invalid cell, naming ``row N`` (1-based, as in a spreadsheet
        after the header) and the column.
    """
    if not isinstance(frame, pd.DataFrame):
        raise SROIError(f"expected a pandas DataFrame, got {type(frame).__name__}", "value map")
    columns = list(OUTCOME_FIELDS)
    unknown = [c for c in frame.columns if c not in columns]
    if unknown:
        close = {c: difflib.get_close_matches(str(c), columns, n=1) for c in unknown}
        hints = ", ".join(f"{c!r}" + (f" (did you mean {m[0]!r}?)" if m else "") for c, m in close.items())
        raise SROIError(f"unknown column(s) {hints}; expected {columns}", "value map")
    for req in _REQUIRED:
        if req not in frame.columns:
            raise SROIError(f"missing required column {req!r}", "value map")
    outcomes = []
    for r, (_, row) in enumerate(frame.iterrows()):
        path = f"value map row {r + 2}"
        kwargs: dict[str, Any] = {}
        for col in frame.columns:
            cell = row[col]
            if col == "proxy" and isinstance(cell, str) and cell.strip().startswith("{"):
                spec = parse_yaml(cell.strip(), f"{path}, column proxy")
                if isinstance(spec, Mapping) and "ref" in spec:
                    for k, x in reference_from_file(spec, f"{path}, column proxy").items():
                        if k in ("proxy", "proxy_ref") or k not in frame.columns or _empty(row[k]):
                            kwargs[k] = x
                    continue
            if col == "overlaps" and isinstance(row[col], str) and row[col].strip()[:1] in "{[":
                v = overlaps_from_file(
                    parse_yaml(row[col].strip(), f"{path}, column {col}"), f"{path}, column {col}"
                )
            else:
                v = parse_cell(row[col], f"{path}, column {col}", text=col in OUTCOME_TEXT_FIELDS)
            if v is None:
                if col in kwargs:  # filled by a library reference
                    continue
                if col in _REQUIRED:
                    raise SROIError("this cell is required and is empty", f"{path}, column {col}")
                continue
            if col in ("start", "duration", "proxy_price_year", "drop_off_from_year"):
                v = _int_cell(v)
            if col == "contracted" and isinstance(v, str):
                if v.lower() not in ("true", "false"):
                    raise SROIError(f"expected true or false, got {v!r}", f"{path}, column contracted")
                v = v.lower() == "true"
            if col in ("quantity", "proxy") and isinstance(v, list):
                v = tuple(v)
            if col == "overlaps" and isinstance(v, str):
                v = [v]
            if col == "quantity_factors" and not isinstance(v, list):
                v = [v]
            kwargs[col] = v
        try:
            outcomes.append(Outcome(**kwargs))
        except SROIError as exc:
            msg = str(exc)
            if exc.field and msg.startswith(f"{exc.field}: "):
                msg = msg[len(exc.field) + 2 :]
            raise type(exc)(msg, f"{path}, column {exc.field or '?'}") from None
    return outcomes
