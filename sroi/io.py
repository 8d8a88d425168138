"""Model files: YAML in and out, and the Value Map as a pandas table.

The model file (format 1) is documented in the README; :func:`load` returns an
:class:`~sroi.model.Analysis` and :func:`save` writes one back, losslessly (units, sources,
distributions and named parameters included). Values are parsed by strict rules, never
evaluated; unknown keys are errors (a typo such as ``deadwieght`` is never ignored).

Examples
--------
>>> import sroi
>>> from sroi.datasets import dataset_path
>>> a = sroi.load(dataset_path("example", "digital_inclusion.yaml"))
>>> a.currency
'GBP'
"""

from __future__ import annotations

import difflib
import io as _io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pint
import yaml

from sroi.distributions import Distribution
from sroi.exceptions import SROIError
from sroi.model import Analysis, Input, Outcome, Output, Ref, Stakeholder, _prefixed
from sroi.units import format_quantity

__all__ = [
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "analysis_from_dict",
    "analysis_to_dict",
    "dumps",
    "load",
    "loads",
    "outcomes_from_frame",
    "parse_yaml",
    "read_yaml_file",
    "read_csv_text",
    "read_value_map",
    "save",
    "to_frame",
]

FORMAT_VERSION = 1
#: Largest model file read, in bytes (a guard against accidental huge inputs).
MAX_FILE_BYTES = 20_000_000

_TOP_KEYS = (
    "sroi",
    "name",
    "description",
    "currency",
    "price_year",
    "discount_rate",
    "discount_timing",
    "drop_off_from_year",
    "reference_period",
    "stakeholders",
    "inputs",
    "outputs",
    "outcomes",
    "parameters",
    "parameters_from",
    "correlations",
)
_OUTCOME_KEYS = (
    "stakeholder",
    "outcome",
    "indicator",
    "source",
    "quantity",
    "proxy",
    "proxy_source",
    "duration",
    "start",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "quantity_factors",
    "proxy_price_year",
    "proxy_conversion",
    "cash_tier",
    "contracted",
    "payer",
)
_INPUT_KEYS = ("stakeholder", "description", "value", "year", "price_year", "source")
_OUTPUT_KEYS = ("stakeholder", "description", "quantity", "source")
_STAKEHOLDER_KEYS = ("name", "description")


def _check_keys(d: Any, allowed: Sequence[str], path: str, required: Sequence[str] = ()) -> None:
    if not isinstance(d, Mapping):
        raise SROIError(f"expected a mapping of field: value, got {type(d).__name__} {d!r:.80}", path)
    for key in d:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed keys: {', '.join(allowed)}"
            raise SROIError(f"unknown key {key!r}{hint}", f"{path}.{key}" if path else str(key))
    for key in required:
        if key not in d:
            raise SROIError(f"missing required key {key!r}", f"{path}.{key}" if path else key)


def _list(d: Mapping[str, Any], key: str) -> list[Any]:
    v = d.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        raise SROIError(f"expected a list, got {type(v).__name__}", key)
    return v


def _value(v: Any, path: str) -> Any:
    """Model-file value -> model value (mappings become distributions, param or proxy refs)."""
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
        from sroi.distributions import distribution_from_dict

        return distribution_from_dict(v, path)
    if isinstance(v, list):
        return [_value(x, f"{path}[{i}]") for i, x in enumerate(v)]
    return v


def _proxy_ref(spec: Mapping[str, Any], raw: dict[str, Any], path: str) -> None:
    """Resolve ``proxy: {ref: id}`` from the proxy library, filling source and price year."""
    extra = set(spec) - {"ref"}
    if extra:
        raise SROIError(f"a proxy reference takes only 'ref', got also {sorted(extra)}", path)
    from sroi.proxies import get_proxy

    rec = get_proxy(str(spec["ref"]))
    if rec.quantity is None:
        low, high = rec.low, rec.high
        raise SROIError(
            f"the library proxy {rec.id!r} publishes only a range ({low} to {high}), no central value; "
            "give the proxy as a distribution over that range, e.g. {distribution: uniform, low: ..., high: ...}, "
            "and cite the library id in proxy_source",
            path,
        )
    raw["proxy"] = rec.quantity
    raw.setdefault("proxy_source", rec.source)
    if not raw.get("proxy_source"):
        raw["proxy_source"] = rec.source
    if raw.get("proxy_price_year") is None and rec.price_year is not None:
        raw["proxy_price_year"] = int(rec.price_year)


def _outcome(d: Any, i: int) -> Outcome:
    path = f"outcomes[{i}]"
    _check_keys(d, _OUTCOME_KEYS, path, required=("stakeholder", "outcome", "quantity", "proxy"))
    raw = dict(d)
    with _prefixed(path):
        proxy = raw.get("proxy")
        if isinstance(proxy, Mapping) and "ref" in proxy:
            _proxy_ref(proxy, raw, "proxy")
        kwargs: dict[str, Any] = {}
        for key, value in raw.items():
            if key in (
                "quantity",
                "proxy",
                "duration",
                "deadweight",
                "displacement",
                "attribution",
                "drop_off",
            ):
                value = _value(value, key)
                if key == "quantity" and isinstance(value, list):
                    value = tuple(value)
            elif key == "quantity_factors":
                if not isinstance(value, list):
                    raise SROIError(f"expected a list such as ['0.3 person/device'], got {value!r}", key)
                value = tuple(_value(x, f"{key}[{j}]") for j, x in enumerate(value))
            kwargs[key] = value
        return Outcome(**kwargs)


def analysis_from_dict(doc: Any) -> Analysis:
    """Build an :class:`Analysis` from a parsed model file (format 1).

    Raises
    ------
    SROIError
        Naming the field path of anything malformed.
    """
    _check_keys(doc, _TOP_KEYS, "", required=("name", "currency", "outcomes", "inputs"))
    version = doc.get("sroi", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise SROIError(f"unsupported model file format {version!r}; this version reads format 1", "sroi")
    stakeholders = []
    for i, s in enumerate(_list(doc, "stakeholders")):
        _check_keys(s, _STAKEHOLDER_KEYS, f"stakeholders[{i}]", required=("name",))
        with _prefixed(f"stakeholders[{i}]"):
            stakeholders.append(Stakeholder(**s))
    inputs = []
    for i, s in enumerate(_list(doc, "inputs")):
        _check_keys(s, _INPUT_KEYS, f"inputs[{i}]", required=("stakeholder", "value"))
        with _prefixed(f"inputs[{i}]"):
            kw = dict(s)
            kw["value"] = _value(kw["value"], "value")
            kw.setdefault("description", "")
            inputs.append(Input(**kw))
    outputs = []
    for i, s in enumerate(_list(doc, "outputs")):
        _check_keys(s, _OUTPUT_KEYS, f"outputs[{i}]", required=("stakeholder",))
        with _prefixed(f"outputs[{i}]"):
            kw = dict(s)
            kw.setdefault("description", "")
            if "quantity" in kw:
                kw["quantity"] = _value(kw["quantity"], "quantity")
            outputs.append(Output(**kw))
    outcomes = [_outcome(d, i) for i, d in enumerate(_list(doc, "outcomes"))]
    params = doc.get("parameters") or {}
    if not isinstance(params, Mapping):
        raise SROIError(f"expected a mapping of name: value, got {type(params).__name__}", "parameters")
    parameters = {str(k): _value(v, f"parameters.{k}") for k, v in params.items()}
    dr = doc.get("discount_rate", 0.035)
    dr = tuple(_value(dr, "discount_rate")) if isinstance(dr, list) else _value(dr, "discount_rate")
    kwargs = {
        k: doc[k]
        for k in ("description", "price_year", "discount_timing", "drop_off_from_year", "reference_period")
        if k in doc
    }
    return Analysis(
        name=doc["name"],
        currency=doc["currency"],
        outcomes=outcomes,
        inputs=inputs,
        outputs=outputs,
        stakeholders=stakeholders,
        discount_rate=dr,
        parameters=parameters,
        correlations=tuple(tuple(c) if isinstance(c, list) else c for c in _list(doc, "correlations")),
        **kwargs,
    )


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
    """Parse YAML text safely (``yaml.safe_load``: no object construction, nothing evaluated).

    Raises
    ------
    SROIError
        Naming ``field`` and the line and column of a syntax error.
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
    """Read and parse a YAML file (UTF-8, at most :data:`MAX_FILE_BYTES`), errors naming ``field``."""
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


def loads(text: str) -> Analysis:
    """Parse a model file from a YAML string (see :func:`load`)."""
    doc = parse_yaml(text)
    if isinstance(doc, Mapping) and "parameters_from" in doc:
        raise SROIError(
            "parameters_from names files relative to the model file: read the model with sroi.load(path)",
            "parameters_from",
        )
    if not isinstance(doc, Mapping):
        raise SROIError(
            f"expected a mapping at the top level (name:, currency:, ...), got {type(doc).__name__}",
            "model file",
        )
    return analysis_from_dict(doc)


def _merge_parameter_files(doc: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """Resolve ``parameters_from:`` (files of stored estimates, relative to the model file).

    Each file holds ``parameters:`` and optionally ``correlations:`` (as written by
    :func:`sroi.evidence.save_estimates`); they are added to the model's own. A name defined in
    two places is an error.
    """
    files = doc.get("parameters_from")
    if files is None:
        return dict(doc)
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise SROIError(f"expected a file name or a list of file names, got {files!r}", "parameters_from")
    from sroi.evidence_models import load_correlations, load_estimates

    out = {k: v for k, v in doc.items() if k != "parameters_from"}
    params = dict(out.get("parameters") or {})
    correlations = list(out.get("correlations") or [])
    for i, name in enumerate(files):
        path = (base / name).resolve()
        with _prefixed(f"parameters_from[{i}]"):
            stored = load_estimates(path)
            for key, dist in stored.items():
                if key in params:
                    raise SROIError(
                        f"parameter {key!r} is defined twice (in the model file and in {name})", ""
                    )
                params[key] = dist.to_dict()
            correlations += [list(c) for c in load_correlations(path)]
    out["parameters"] = params
    if correlations:
        out["correlations"] = correlations
    return out


def load(path: str | os.PathLike[str]) -> Analysis:
    """Read a model file (YAML, format 1) into an :class:`Analysis`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    Analysis

    Raises
    ------
    SROIError
        If the file is missing, too large, not YAML, or any field is invalid (the message names
        the field path, the value and what was expected).
    """
    doc = read_yaml_file(path)
    if not isinstance(doc, Mapping):
        raise SROIError(
            f"expected a mapping at the top level (name:, currency:, ...), got {type(doc).__name__}",
            "model file",
        )
    return analysis_from_dict(_merge_parameter_files(doc, Path(path).resolve().parent))


def _out_value(v: Any) -> Any:
    if isinstance(v, Distribution):
        return v.to_dict()
    if isinstance(v, Ref):
        return {"param": v.name}
    if isinstance(v, pint.Quantity):
        return format_quantity(v)
    if isinstance(v, tuple):
        return [_out_value(x) for x in v]
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return v
    return v


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """The model-file form of an analysis (what :func:`save` writes); defaults are omitted."""
    a = analysis
    doc: dict[str, Any] = {"sroi": FORMAT_VERSION, "name": a.name}
    if a.description:
        doc["description"] = a.description
    doc["currency"] = a.currency
    if a.price_year is not None:
        doc["price_year"] = a.price_year
    doc["discount_rate"] = _out_value(a.discount_rate)
    doc["discount_timing"] = a.discount_timing
    doc["drop_off_from_year"] = a.drop_off_from_year
    if a.reference_period:
        doc["reference_period"] = a.reference_period
    if a.stakeholders:
        doc["stakeholders"] = [
            {"name": s.name, **({"description": s.description} if s.description else {})}
            for s in a.stakeholders
        ]
    if a.parameters:
        doc["parameters"] = {k: _out_value(v) for k, v in a.parameters.items()}
    doc["inputs"] = []
    for inp in a.inputs:
        d: dict[str, Any] = {
            "stakeholder": inp.stakeholder,
            "description": inp.description,
            "value": _out_value(inp.value),
        }
        if inp.year:
            d["year"] = inp.year
        if inp.price_year is not None:
            d["price_year"] = inp.price_year
        if inp.source:
            d["source"] = inp.source
        doc["inputs"].append(d)
    if a.outputs:
        doc["outputs"] = []
        for out in a.outputs:
            d = {"stakeholder": out.stakeholder, "description": out.description}
            if out.quantity is not None:
                d["quantity"] = _out_value(out.quantity)
            if out.source:
                d["source"] = out.source
            doc["outputs"].append(d)
    defaults = Outcome("s", "o")
    doc["outcomes"] = []
    for o in a.outcomes:
        d = {"stakeholder": o.stakeholder, "outcome": o.outcome}
        for key in _OUTCOME_KEYS[2:]:
            v = getattr(o, key)
            if key in ("quantity", "proxy") or v != getattr(defaults, key):
                if key == "duration" and o.quantity_profile is not None:
                    continue
                d[key] = _out_value(v)
        doc["outcomes"].append(d)
    if a.correlations:
        doc["correlations"] = [list(c) for c in a.correlations]
    return doc


class _Dumper(yaml.SafeDumper):
    """SafeDumper that double-quotes (and so escapes) strings with characters YAML would
    otherwise read back as line breaks (NEL U+0085, LS U+2028, PS U+2029)."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def dumps(analysis: Analysis) -> str:
    """The model file of an analysis as YAML text."""
    return yaml.dump(
        analysis_to_dict(analysis), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )


def save(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write an analysis to a model file (YAML, format 1); :func:`load` reads it back identically.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    if not isinstance(analysis, Analysis):
        raise SROIError(f"expected an sroi.Analysis, got {type(analysis).__name__}", "analysis")
    p = Path(path)
    p.write_text(dumps(analysis), encoding="utf-8")
    return p


# -- the value map as a table --------------------------------------------------------------
_FRAME_COLUMNS = list(_OUTCOME_KEYS)


def _cell(v: Any) -> Any:
    out = _out_value(v)
    if isinstance(out, (dict, list)):
        return yaml.safe_dump(out, default_flow_style=True, width=10_000).strip()
    return out


def to_frame(analysis: Analysis) -> pd.DataFrame:
    """The Value Map as a DataFrame: one row per outcome, glossary column names.

    Cells hold numbers, unit strings (``"120 person"``) or, for distributions and quantity
    profiles, YAML flow text (``"{distribution: uniform, low: 0.1, high: 0.3}"``);
    :func:`outcomes_from_frame` reads them back.
    """
    rows = []
    for o in analysis.outcomes:
        row = {}
        for key in _FRAME_COLUMNS:
            v = getattr(o, key)
            if key == "quantity_factors":
                row[key] = _cell(v) if v else ""
            elif v is None:
                row[key] = ""
            else:
                row[key] = _cell(v)
        rows.append(row)
    return pd.DataFrame(rows, columns=_FRAME_COLUMNS)


#: Value-map columns holding free text: read verbatim (never stripped or parsed).
_TEXT_COLUMNS = ("stakeholder", "outcome", "indicator", "source", "proxy_source", "payer")


def _parse_cell(v: Any, path: str, text: bool = False) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if text:
        return None if isinstance(v, str) and v == "" else v
    if isinstance(v, str):
        s = v.strip()
        if s == "":
            return None
        if s[0] in "{[":
            try:
                parsed = yaml.safe_load(s)
            except yaml.YAMLError:
                raise SROIError(
                    f"could not read {s!r} as a list or a {{distribution: ...}} mapping", path
                ) from None
            return _value(parsed, path)
        return s
    return v


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
    unknown = [c for c in frame.columns if c not in _FRAME_COLUMNS]
    if unknown:
        close = {c: difflib.get_close_matches(str(c), _FRAME_COLUMNS, n=1) for c in unknown}
        hints = ", ".join(f"{c!r}" + (f" (did you mean {m[0]!r}?)" if m else "") for c, m in close.items())
        raise SROIError(f"unknown column(s) {hints}; expected {_FRAME_COLUMNS}", "value map")
    for req in ("stakeholder", "outcome", "quantity", "proxy"):
        if req not in frame.columns:
            raise SROIError(f"missing required column {req!r}", "value map")
    outcomes = []
    for r, (_, row) in enumerate(frame.iterrows()):
        path = f"value map row {r + 2}"
        kwargs: dict[str, Any] = {}
        for col in frame.columns:
            v = _parse_cell(row[col], f"{path}, column {col}", text=col in _TEXT_COLUMNS)
            if v is None:
                if col in ("stakeholder", "outcome", "quantity", "proxy"):
                    raise SROIError("this cell is required and is empty", f"{path}, column {col}")
                continue
            if col in ("start", "duration", "proxy_price_year"):
                v = _int_cell(v)
            if col == "contracted" and isinstance(v, str):
                if v.lower() not in ("true", "false"):
                    raise SROIError(f"expected true or false, got {v!r}", f"{path}, column contracted")
                v = v.lower() == "true"
            if col == "quantity" and isinstance(v, list):
                v = tuple(v)
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

    Every row is checked by building its :class:`~sroi.model.Outcome`, so an invalid cell is
    reported with its row and column. Numbers in cells are never evaluated as formulas.

    Returns
    -------
    pandas.DataFrame
        One row per outcome, glossary column names (as :func:`to_frame`).
    """
    frame = source.copy() if isinstance(source, pd.DataFrame) else read_csv_text(source)
    outcomes = outcomes_from_frame(frame)
    return pd.DataFrame([to_frame_row(o) for o in outcomes], columns=_FRAME_COLUMNS)


def to_frame_row(outcome: Outcome) -> dict[str, Any]:
    """One outcome as a Value Map row (see :func:`to_frame`)."""
    row: dict[str, Any] = {}
    for key in _FRAME_COLUMNS:
        v = getattr(outcome, key)
        row[key] = "" if v is None or (key == "quantity_factors" and not v) else _cell(v)
    return row
