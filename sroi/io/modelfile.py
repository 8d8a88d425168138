"""Model files (format 1): YAML in and out.

The model file is documented in the README; :func:`load` returns an
:class:`~sroi.analysis.Analysis` and :func:`save` writes one back, losslessly (units, sources,
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
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sroi import defaults
from sroi.analysis import Analysis
from sroi.evidence import load_correlations, load_estimates
from sroi.exceptions import SROIError, SROIWarning, field_prefix
from sroi.glossary import ANALYSIS_FIELDS, INPUT_FIELDS, OUTCOME_FIELDS, OUTPUT_FIELDS, STAKEHOLDER_FIELDS
from sroi.io.yaml_edit import edit_yaml
from sroi.money import Rates
from sroi.proxies import library_fields, reference_from_file, reference_to_file
from sroi.safe_yaml import dump_yaml, parse_yaml, read_text_file, write_file
from sroi.tabular import overlaps_from_file, overlaps_to_file, value_from_file, value_to_file
from sroi.valuemap import Input, Outcome, Output, Stakeholder

__all__ = [
    "FORMAT_VERSION",
    "analysis_from_dict",
    "analysis_to_dict",
    "dumps",
    "load",
    "loads",
    "save",
]

#: Version of the model-file format this module reads and writes.
FORMAT_VERSION = 1

_TOP_KEYS = ("sroi", *ANALYSIS_FIELDS, "extrapolate_inflation", "parameters_from")


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


def _proxy_ref(spec: Mapping[str, Any], raw: dict[str, Any], path: str) -> None:
    """Resolve ``proxy: {ref: id}`` (or ``{ref: id, value: ...}`` / ``{ref: id, distribution:
    ...}``) from the proxy library: the proxy becomes the library's published range as a
    distribution unless overridden, and source and price year are filled unless the outcome
    gives its own."""
    fields = reference_from_file(spec, path)
    raw["proxy"] = fields["proxy"]
    raw["proxy_ref"] = fields["proxy_ref"]
    for key in ("proxy_source", "proxy_price_year"):
        if raw.get(key) in (None, "") and key in fields:
            raw[key] = fields[key]


_VALUE_KEYS = (
    "quantity",
    "proxy",
    "duration",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "income_elasticity",
)


def _outcome(d: Any, i: int) -> Outcome:
    path = f"outcomes[{i}]"
    _check_keys(d, OUTCOME_FIELDS, path, required=("stakeholder", "outcome", "quantity", "proxy"))
    raw = dict(d)
    with field_prefix(path):
        proxy = raw.get("proxy")
        if isinstance(proxy, Mapping) and "ref" in proxy:
            _proxy_ref(proxy, raw, "proxy")
        kwargs: dict[str, Any] = {}
        for key, value in raw.items():
            if key in _VALUE_KEYS:
                value = value_from_file(value, key)
                if key in ("quantity", "proxy") and isinstance(value, list):
                    value = tuple(value)
            elif key == "quantity_factors":
                if not isinstance(value, list):
                    raise SROIError(f"expected a list such as ['0.3 person/device'], got {value!r}", key)
                value = tuple(value_from_file(x, f"{key}[{j}]") for j, x in enumerate(value))
            elif key == "overlaps":
                value = overlaps_from_file(value, key)
            kwargs[key] = value
        return Outcome(**kwargs)


def _warn_unsourced_proxies(outcomes: Sequence[Any]) -> None:
    """One SROIWarning naming the outcomes whose proxy is given inline (not a library reference
    or a named parameter) with neither ``proxy_source`` nor ``source``."""
    missing = []
    for i, d in enumerate(outcomes):
        proxy = d.get("proxy") if isinstance(d, Mapping) else None
        if isinstance(proxy, Mapping) and ("ref" in proxy or set(proxy) == {"param"}):
            continue
        if not (d.get("proxy_source") or d.get("source")):
            missing.append(f"outcomes[{i}]")
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        warnings.warn(
            f"no source for the financial proxy of {shown}: cite where each value comes from in "
            "proxy_source, or take it from the proxy library with proxy: {ref: id}",
            SROIWarning,
            stacklevel=4,
        )


def _inflation(value: Any, field: str) -> dict[str, float]:
    """``extrapolate_inflation:`` (currency -> inflation a year after the data, docs/method.md
    §5.6) as a dict; checked again, with the currency, by ``Rates.with_extrapolated_inflation``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SROIError(
            f"expected a mapping of currency: inflation a year, e.g. {{GBP: 0.02}}, got {value!r:.80}", field
        )
    out = {}
    for currency, rate in value.items():
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise SROIError(
                f"expected an inflation rate a year such as 0.02, got {rate!r:.40}", f"{field}.{currency}"
            )
        out[str(currency)] = float(rate)
    return out


def _with_inflation(doc: Mapping[str, Any], extra: Mapping[str, float] | None) -> Mapping[str, Any]:
    """The model file with the stated inflation after the data given by the caller (the CLI's
    ``--extrapolate-inflation``) added to, or replacing, the file's own."""
    if not extra:
        return doc
    if not isinstance(extra, Mapping):
        raise SROIError(
            f"expected a mapping of currency to inflation a year, got {type(extra).__name__}",
            "extrapolate_inflation",
        )
    own = doc.get("extrapolate_inflation")
    merged = {**(own if isinstance(own, Mapping) else {}), **extra}
    return {**doc, "extrapolate_inflation": merged}


def analysis_from_dict(doc: Any) -> Analysis:
    """Build an :class:`Analysis` from a parsed model file (format 1).

    Raises
    ------
    SROIError
        Naming the field path of anything malformed.
    """
    _check_keys(doc, _TOP_KEYS, "", required=("name", "currency", "outcomes", "inputs"))
    if "parameters_from" in doc:
        raise SROIError(
            "parameters_from names files relative to the model file: read the model with sroi.load(path)",
            "parameters_from",
        )
    version = doc.get("sroi", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise SROIError(f"unsupported model file format {version!r}; this version reads format 1", "sroi")
    stakeholders = []
    for i, s in enumerate(_list(doc, "stakeholders")):
        _check_keys(s, STAKEHOLDER_FIELDS, f"stakeholders[{i}]", required=("name",))
        with field_prefix(f"stakeholders[{i}]"):
            stakeholders.append(Stakeholder(**s))
    inputs = []
    for i, s in enumerate(_list(doc, "inputs")):
        _check_keys(s, INPUT_FIELDS, f"inputs[{i}]", required=("stakeholder", "value"))
        with field_prefix(f"inputs[{i}]"):
            kw = dict(s)
            kw["value"] = value_from_file(kw["value"], "value")
            kw.setdefault("description", "")
            inputs.append(Input(**kw))
    outputs = []
    for i, s in enumerate(_list(doc, "outputs")):
        _check_keys(s, OUTPUT_FIELDS, f"outputs[{i}]", required=("stakeholder",))
        with field_prefix(f"outputs[{i}]"):
            kw = dict(s)
            kw.setdefault("description", "")
            if "quantity" in kw:
                kw["quantity"] = value_from_file(kw["quantity"], "quantity")
            outputs.append(Output(**kw))
    outcomes = [_outcome(d, i) for i, d in enumerate(_list(doc, "outcomes"))]
    _warn_unsourced_proxies(_list(doc, "outcomes"))
    params = doc.get("parameters") or {}
    if not isinstance(params, Mapping):
        raise SROIError(f"expected a mapping of name: value, got {type(params).__name__}", "parameters")
    parameters = {str(k): value_from_file(v, f"parameters.{k}") for k, v in params.items()}
    dr = doc.get("discount_rate", defaults.DISCOUNT_RATE)
    dr = (
        tuple(value_from_file(dr, "discount_rate"))
        if isinstance(dr, list)
        else value_from_file(dr, "discount_rate")
    )
    kwargs = {
        k: doc[k]
        for k in (
            "description",
            "price_year",
            "discount_timing",
            "drop_off_from_year",
            "reference_period",
            "negative_outcomes_considered",
            "inputs_not_valued",
            "sector",
            "indicators",
        )
        if k in doc
    }
    inflation = _inflation(doc.get("extrapolate_inflation"), "extrapolate_inflation")
    if inflation:
        rates = Rates.default()
        for currency, rate in inflation.items():
            rates = rates.with_extrapolated_inflation(currency, rate)
        kwargs["rates"] = rates
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


def loads(text: str, *, extrapolate_inflation: Mapping[str, float] | None = None) -> Analysis:
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
    analysis = analysis_from_dict(_with_inflation(doc, extrapolate_inflation))
    return _with_source(analysis, text, None, doc, bool(extrapolate_inflation))


_POSITION_RE = re.compile(r"line \d+(?:, column \d+)?")


def _reference(name: Any, i: int, base: Path, root: Path) -> Path:
    """The file named by ``parameters_from[i]``: relative to the model file, inside ``root``,
    an existing regular file."""
    field = f"parameters_from[{i}]"
    if not isinstance(name, str) or not name.strip() or "\x00" in name or len(name) > 1000:
        raise SROIError(f"expected a file name such as 'estimates.yaml', got {name!r:.80}", field)
    shown = name if len(name) <= 80 else name[:77] + "..."
    try:
        path = (base / name).resolve(strict=True)  # symbolic links followed, then checked
    except (OSError, RuntimeError):
        raise SROIError(f"no such file next to the model file: {shown!r}", field) from None
    if not path.is_relative_to(root):
        raise SROIError(
            f"{shown!r} is outside the model file's folder; a model file may reference only files in "
            "its own folder or below it (to allow another folder, pass root=... to sroi.load)",
            field,
        )
    if not path.is_file():
        raise SROIError(f"{shown!r} is not a regular file", field)
    return path


def _stored_estimates_error(exc: Exception, name: str) -> str:
    """What went wrong in a file of stored estimates, without repeating anything it holds."""
    where = ""
    if isinstance(exc, SROIError):
        m = _POSITION_RE.search(str(exc))
        if m:
            where = f" (at {m.group(0)})"
        elif exc.field and exc.field.startswith(("parameters", "correlations")):
            where = f" (at {exc.field[:80]})"
    shown = name if len(name) <= 80 else name[:77] + "..."
    return (
        f"{shown!r} is not a valid file of stored estimates{where}; its content is not repeated "
        "here: check it against what sroi.evidence.save_estimates writes (parameters: name -> "
        "distribution; correlations: [name_a, name_b, rho])"
    )


def _merge_parameter_files(doc: Mapping[str, Any], base: Path, root: Path) -> dict[str, Any]:
    """Resolve ``parameters_from:`` (files of stored estimates, relative to the model file).

    Each file holds ``parameters:`` and optionally ``correlations:`` (as written by
    :func:`sroi.evidence.save_estimates`); they are added to the model's own. A name defined in
    two places is an error. Each file must be a regular file inside ``root``; an error in one
    names the file and the place, never its content.
    """
    files = doc.get("parameters_from")
    if files is None:
        return dict(doc)
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise SROIError(f"expected a file name or a list of file names, got {files!r:.80}", "parameters_from")
    if len(files) > 100:
        raise SROIError(f"at most 100 files of stored estimates, got {len(files)}", "parameters_from")
    out = {k: v for k, v in doc.items() if k != "parameters_from"}
    params = dict(out.get("parameters") or {})
    correlations = list(out.get("correlations") or [])
    for i, name in enumerate(files):
        path = _reference(name, i, base, root)
        try:
            stored = load_estimates(path)
            stored_correlations = load_correlations(path)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            raise SROIError(_stored_estimates_error(exc, name), f"parameters_from[{i}]") from None
        for key, dist in stored.items():
            if key in params:
                raise SROIError(
                    f"parameter {key[:80]!r} is defined twice (in the model file and in {name[:80]})",
                    f"parameters_from[{i}]",
                )
            params[key] = dist.to_dict()
        correlations += [list(c) for c in stored_correlations]
    out["parameters"] = params
    if correlations:
        out["correlations"] = correlations
    return out


def load(
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    extrapolate_inflation: Mapping[str, float] | None = None,
) -> Analysis:
    """Read a model file (YAML, format 1) into an :class:`Analysis`.

    Parameters
    ----------
    path : str or path-like
        A regular file of at most :data:`sroi.safe_yaml.MAX_FILE_BYTES` bytes.
    root : str or path-like, optional
        The folder that files named in ``parameters_from:`` must be in (after following symbolic
        links). Default: the model file's own folder, so that a model file never makes
        :func:`load` read a file elsewhere on the computer. Give a wider folder explicitly to
        allow, e.g., a shared folder of estimates above the model's.
    extrapolate_inflation : mapping of str to float, optional
        Inflation a year to assume after the packaged price index, by currency (e.g.
        ``{"GBP": 0.02}``), added to (or replacing) the file's ``extrapolate_inflation:``;
        what the command line's ``--extrapolate-inflation GBP=0.02`` passes (docs/method.md
        §5.6). Each conversion using it warns and is recorded.

    Returns
    -------
    Analysis

    Raises
    ------
    SROIError
        If the file is missing, too large, not a regular file, not YAML, or any field is invalid
        (the message names the field path, the value and what was expected); or a file named in
        ``parameters_from:`` is outside ``root``, not a regular file or invalid (the message
        names it and the place, never its content).
    """
    text = read_text_file(path, "model file")
    doc = parse_yaml(text, "model file")
    if not isinstance(doc, Mapping):
        raise SROIError(
            f"expected a mapping at the top level (name:, currency:, ...), got {type(doc).__name__}",
            "model file",
        )
    base = Path(path).resolve().parent
    if root is None:
        top = base
    elif isinstance(root, (str, os.PathLike)):
        try:
            top = Path(root).resolve(strict=True)
        except (OSError, RuntimeError):
            raise SROIError(f"no such folder: {str(root)[:120]!r}", "root") from None
        if not top.is_dir():
            raise SROIError(f"expected a folder, got {str(root)[:120]!r}", "root")
    else:
        raise SROIError(f"expected a folder path or None, got {type(root).__name__}", "root")
    analysis = analysis_from_dict(
        _with_inflation(_merge_parameter_files(doc, base, top), extrapolate_inflation)
    )
    folder = base if "parameters_from" in doc else None
    return _with_source(analysis, text, folder, doc, bool(extrapolate_inflation))


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """The model-file form of an analysis (what :func:`save` writes); defaults are omitted."""
    a = analysis
    doc: dict[str, Any] = {"sroi": FORMAT_VERSION, "name": a.name}
    if a.description:
        doc["description"] = a.description
    doc["currency"] = a.currency
    if a.price_year is not None:
        doc["price_year"] = a.price_year
    if a.rates is not None and a.rates.extrapolated_inflation:
        doc["extrapolate_inflation"] = a.rates.extrapolated_inflation
    doc["discount_rate"] = value_to_file(a.discount_rate)
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
        doc["parameters"] = {k: value_to_file(v) for k, v in a.parameters.items()}
    doc["inputs"] = []
    for inp in a.inputs:
        d: dict[str, Any] = {
            "stakeholder": inp.stakeholder,
            "description": inp.description,
            "value": value_to_file(inp.value),
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
                d["quantity"] = value_to_file(out.quantity)
            if out.source:
                d["source"] = out.source
            doc["outputs"].append(d)
    defaults = Outcome("s", "o")
    doc["outcomes"] = [_outcome_to_dict(o, defaults) for o in a.outcomes]
    if a.correlations:
        doc["correlations"] = [list(c) for c in a.correlations]
    for key in ("negative_outcomes_considered", "inputs_not_valued"):
        items = getattr(a, key)
        if items:
            doc[key] = [
                {
                    "description": x.description,
                    "reason": x.reason,
                    **({"stakeholder": x.stakeholder} if x.stakeholder else {}),
                }
                for x in items
            ]
    if a.sector:
        doc["sector"] = a.sector
    if len(a.indicators):
        block = a.indicators.to_dict()
        doc["indicators"] = block["indicators"] if set(block) == {"indicators"} else block
    return doc


def _outcome_to_dict(o: Outcome, defaults: Outcome) -> dict[str, Any]:
    """One outcome in model-file form; defaults omitted, a library proxy written as its reference."""
    d: dict[str, Any] = {"id": o.id} if o.id else {}
    d.update(stakeholder=o.stakeholder, outcome=o.outcome)
    reference = reference_to_file(o.proxy_ref, o.proxy)
    library: dict[str, Any] = {}
    if reference is not None:
        library = library_fields(o.proxy_ref, "proxy")
    for key in OUTCOME_FIELDS:
        if key in ("id", "stakeholder", "outcome"):
            continue
        v = getattr(o, key)
        if key == "proxy" and reference is not None:
            d[key] = reference
            continue
        if key in ("proxy_source", "proxy_price_year") and library and library.get(key) == v:
            continue  # the reference gives it
        if key not in ("quantity", "proxy") and v == getattr(defaults, key):
            continue
        if key == "duration" and (o.quantity_profile is not None or o.proxy_profile is not None):
            continue
        if key == "overlaps":
            d[key] = overlaps_to_file(v)
            continue
        d[key] = value_to_file(v)
    return d


@dataclass(frozen=True)
class _Source:
    """The text an analysis was read from (``folder``: the model file's folder when the text
    names other files with ``parameters_from:``, which are then relative to it)."""

    text: str
    folder: Path | None
    analysis: Analysis
    overridden: bool = False  # the caller added to the file's extrapolate_inflation
    inflation: Any = None  # the file's own, then

    def old(self) -> dict[str, Any]:
        """What the text stands for, in :func:`analysis_to_dict` form."""
        doc = analysis_to_dict(self.analysis)
        if self.overridden:
            doc.pop("extrapolate_inflation", None)
            if self.inflation is not None:
                doc = _insert_after(doc, "price_year", "extrapolate_inflation", self.inflation)
        return doc

    def __repr__(self) -> str:  # never the whole text (an analysis's repr stays short)
        return f"_Source({len(self.text)} characters)"


def _insert_after(doc: dict[str, Any], after: str, key: str, value: Any) -> dict[str, Any]:
    """``doc`` with ``key: value`` placed after ``after`` (or after ``currency``)."""
    out: dict[str, Any] = {}
    anchor = after if after in doc else "currency"
    for k, v in doc.items():
        out[k] = v
        if k == anchor:
            out[key] = value
    return out


def _with_source(
    analysis: Analysis, text: str, folder: Path | None, doc: Mapping[str, Any], overridden: bool
) -> Analysis:
    """The analysis carrying the text it was read from (kept by :meth:`Analysis.replace`)."""
    own = doc.get("extrapolate_inflation")
    object.__setattr__(analysis, "_source", _Source(text, folder, analysis, overridden, own))
    return analysis


def _text(analysis: Analysis, folder: Path | None) -> str:
    """The model-file text of an analysis (docs/method.md §2): the text it was read from when
    unedited; that text with only the edited values changed when edited; else written afresh.

    ``folder`` is where the text will be saved (None: a string, :func:`dumps`); text naming
    other files (``parameters_from:``) is reused only in the folder it was read from.
    """
    new = analysis_to_dict(analysis)
    source = analysis.__dict__.get("_source")
    if not isinstance(source, _Source):
        return dump_yaml(new, compact=True)
    if source.folder is not None and (folder is None or folder.resolve() != source.folder):
        return dump_yaml(new, compact=True)  # parameters_from: relative names would point elsewhere
    old = source.old()
    if new == old:
        return source.text
    if source.folder is not None:
        return dump_yaml(new, compact=True)  # the stored estimates live in other files: write them in
    edited = edit_yaml(source.text, old, new)
    if edited is not None and edited != source.text:
        try:
            with warnings.catch_warnings():  # the analysis warned when it was made; a save does not
                warnings.simplefilter("ignore")
                if analysis_to_dict(loads(edited)) == new:
                    return edited
        except SROIError:
            pass  # the edit did not read back: write the file afresh
    return dump_yaml(new, compact=True)


def dumps(analysis: Analysis) -> str:
    """The model file of an analysis as YAML text.

    An analysis read with :func:`load` or :func:`loads` and not edited gives back the text it
    was read from, byte for byte; an edited one, that text with only the edited values
    rewritten (comments, order and layout kept); any other analysis, a fresh file in which
    numbers are the shortest text that reads back to the same float and distributions keep
    the form they were given in (``lognormal`` as ``low``/``high`` or ``median``/``gsd``).
    """
    if not isinstance(analysis, Analysis):
        raise SROIError(f"expected an sroi.Analysis, got {type(analysis).__name__}", "analysis")
    return _text(analysis, None)


def save(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write an analysis to a model file (YAML, format 1); :func:`load` reads it back identically.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    SROIError
        Not an analysis, or the file could not be written (a full disk, no permission...),
        naming the file and the reason.
    """
    if not isinstance(analysis, Analysis):
        raise SROIError(f"expected an sroi.Analysis, got {type(analysis).__name__}", "analysis")
    if not isinstance(path, (str, os.PathLike)):
        raise SROIError(f"expected a file path, got {type(path).__name__}", "path")
    return write_file(path, _text(analysis, Path(path).parent).encode("utf-8"), "path")
