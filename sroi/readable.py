"""The model in words and numbers for a reader: estimates with their intervals, field paths as outcomes.

A finance reader of a report wants "0.13 person/device (0.09-0.17)", not the model-file text
``{distribution: pert, low: 0.06 person/device, ...}``, and "channel_shift: deadweight", not
``outcomes[3].deadweight``. This module turns the estimates of a compiled model, switching
values, audit rows and sources into such text. It only formats: every number comes from the
compiled model (point values and quantiles of its distributions) or from the tables the engine
returned (docs/method.md §6.3: the interval reported is the central one at
:data:`sroi.defaults.INTERVAL_LEVEL`).

Examples
--------
>>> from sroi.readable import significant, in_words
>>> significant(0.14432), significant(120_000_000), significant(532.04)
('0.14', '120,000,000', '532')
>>> in_words("older_users_per_device")
'older users per device'
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from sroi import defaults
from sroi.formatting import format_number

if TYPE_CHECKING:
    from sroi.assembly import Slot
    from sroi.compiler import AnalysisLike

__all__ = [
    "assumption_labels",
    "audit_in_words",
    "break_even_in_words",
    "describe_estimate",
    "estimates_in_words",
    "field_in_words",
    "in_words",
    "money_words",
    "number",
    "percent",
    "plain_text",
    "significant",
    "sources_in_words",
    "unit_text",
    "value_map_in_words",
]

_PATH = re.compile(r"outcomes\[(\d+)\]\.(\w+)(?:\[(\d+)\]|\.([A-Za-z0-9][A-Za-z0-9_-]*))?")
_ID_PATH = re.compile(
    r"outcomes\[id=([A-Za-z0-9][A-Za-z0-9_.-]*)\]\.(\w+)(?:\[(\d+)\]|\.([A-Za-z0-9][A-Za-z0-9_-]*))?"
)
_INPUT = re.compile(r"inputs\[(\d+)\](?:\.value)?")
_LABELS = re.compile(r"\bA\d+(?:\s*[-\u2013]\s*A?\d+)?\b")
_DASH = "\u2013"  # en dash between the ends of a range
_FAMILY = {
    "uniform": "uniform",
    "triangular": "triangular",
    "pert": "PERT",
    "normal": "normal",
    "lognormal": "lognormal",
    "beta": "beta",
    "logitnormal": "logit-normal",
    "discrete": "discrete",
}
_FIELD_WORDS = {
    "quantity": "quantity",
    "quantity_factors": "quantity factor",
    "proxy": "value of one unit (proxy)",
    "deadweight": "deadweight",
    "displacement": "displacement",
    "attribution": "attribution",
    "drop_off": "drop-off",
    "duration": "duration",
    "income_elasticity": "income elasticity",
    "overlaps": "share already counted",
    "discount_rate": "discount rate",
    "inputs": "inputs",
}


def significant(x: float, digits: int = 2) -> str:
    """A number as a reader writes it: ``digits`` significant figures, whole numbers of 100 or more
    to three significant figures with thousands separators, no exponent.

    Parameters
    ----------
    x : float
    digits : int
        Significant figures below 100 (default 2).

    Returns
    -------
    str
        ``''`` for NaN; ``'inf'`` for infinities.

    Examples
    --------
    >>> [significant(v) for v in (0.0, 0.05, 0.1447, 17.085, 991.0, 29_667_828.15, -1234.5)]
    ['0', '0.05', '0.14', '17', '991', '29,700,000', '-1,230']
    """
    if x != x:
        return ""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        exponent = math.floor(math.log10(abs(x)))
        rounded = round(x, -(exponent - 2))
        return f"{rounded:,.0f}"
    exponent = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - exponent)
    text = f"{round(x, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def in_words(name: str) -> str:
    """A parameter or column name in words: underscores to spaces (``drop_off`` -> ``drop-off``)."""
    return _FIELD_WORDS.get(name, name.replace("_", " "))


def unit_text(unit: Any) -> str:
    """A unit as short text, ``person/device``; '' for none or dimensionless."""
    if unit is None:
        return ""
    text = str(unit)
    if text in ("dimensionless", ""):
        return ""
    return text.replace(" / ", "/").replace(" * ", " ").replace(" ** ", "^")


def _percent(x: float) -> str:
    return f"{significant(100 * x)}%"


def describe_estimate(slot: Slot, level: float = defaults.INTERVAL_LEVEL, *, percent: bool = False) -> str:
    """One estimate as ``'0.13 person/device (0.09-0.17)'``: its point value, unit and the central
    interval of its distribution at ``level`` (docs/method.md §6.3), or the point value alone.

    Parameters
    ----------
    slot : sroi.assembly.Slot
        The estimate (a slot of ``analysis.compiled``).
    level : float
        Level of the interval (default :data:`sroi.defaults.INTERVAL_LEVEL`, 80%: P10 to P90).
    percent : bool
        Show the values as percentages (filters and shares).

    Returns
    -------
    str
    """
    show = _percent if percent else significant
    unit = "" if percent else unit_text(slot.unit)
    if slot.kind == "duration":
        unit = "years" if slot.base != 1 else "year"
    head = show(slot.base) + (f" {unit}" if unit else "")
    d = slot.distribution
    if d is None:
        return head
    lo, hi = d.quantile((1 - level) / 2), d.quantile((1 + level) / 2)
    if lo == hi:
        return head
    low = show(lo).rstrip("%") if lo >= 0 else show(lo)
    return f"{head} ({low}{_DASH if lo >= 0 else ' to '}{show(hi)})"


def assumption_labels(text: str) -> str:
    """Assumption labels (``A1``, ``A14-A22``) named in a source text, in order, joined by commas.

    Examples
    --------
    >>> assumption_labels("devices x share in use (A1) x users per device (A2) x A3; A14-A22, A5")
    'A1-A3, A14-A22, A5'
    """
    seen: dict[str, None] = {}
    for m in _LABELS.finditer(str(text or "")):
        seen[re.sub(r"\s+", "", m.group(0)).replace(_DASH, "-")] = None
    out: list[str] = []
    for label in seen:  # runs of single labels (A1, A2, A3) become A1-A3
        prev = out[-1] if out else ""
        first, _, last = prev.partition("-")
        if (
            re.fullmatch(r"A\d+", label)
            and re.fullmatch(r"A\d+", last or first or "x")
            and int(label[1:]) == int((last or first)[1:]) + 1
        ):
            out[-1] = f"{first}-{label}"
        else:
            out.append(label)
    return ", ".join(out)


def _source_label(text: str) -> str:
    labels = assumption_labels(text)
    if labels:
        return labels
    return "cited" if str(text or "").strip() else "none given"


def _outcome_ids(analysis: AnalysisLike) -> Sequence[str]:
    return list(analysis.outcome_ids)


def field_in_words(analysis: AnalysisLike, path: str) -> tuple[str, str]:
    """A field path as (outcome id, field in words); ``('', path in words)`` outside outcomes.

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis("t", "GBP", [sroi.Outcome("Carers", "Respite", quantity="5 person",
    ...     proxy="200 GBP/person", id="respite")], [sroi.Input("Funder", "Grant", "100 GBP")])
    >>> field_in_words(a, "outcomes[0].drop_off"), field_in_words(a, "inputs[0].value")
    (('respite', 'drop-off'), ('', 'input 1 (Funder: Grant)'))
    >>> field_in_words(a, "outcomes[id=respite].attribution")
    ('respite', 'attribution')
    """
    ids = _outcome_ids(analysis)
    m = _PATH.fullmatch(path.strip())
    if m and int(m.group(1)) < len(ids):
        return ids[int(m.group(1))], _path_words(m)
    m = _ID_PATH.fullmatch(path.strip())
    if m and m.group(1) in ids:
        return m.group(1), _path_words(m)
    m = _INPUT.fullmatch(path.strip())
    inputs = list(getattr(analysis, "inputs", ()))
    if m and int(m.group(1)) < len(inputs):
        j = int(m.group(1))
        return "", f"input {j + 1} ({inputs[j].stakeholder}: {inputs[j].description})"
    return "", in_words(path)


def _path_words(m: re.Match[str]) -> str:
    """The field of an outcome path match in words: ``quantity factor 2``, ``share already counted
    by independent_use``."""
    words = in_words(m.group(2))
    if m.group(3) is not None:
        words += f" {int(m.group(3)) + 1}"
    if m.group(4) is not None:
        words += f" by {m.group(4)}"
    return words


def plain_text(text: str, analysis: AnalysisLike) -> str:
    """Text with field paths and quoted parameter names put in words.

    ``outcomes[3].deadweight`` becomes ``channel_shift deadweight`` (the outcome id and the field)
    and ``'active_share'`` becomes ``active share``.
    """
    ids = _outcome_ids(analysis)

    def outcome(m: re.Match[str]) -> str:
        i = int(m.group(1))
        return f"{ids[i]} {_path_words(m)}" if i < len(ids) else m.group(0)

    def inputs(m: re.Match[str]) -> str:
        return f"input {int(m.group(1)) + 1}"

    out = _PATH.sub(outcome, str(text))
    out = _ID_PATH.sub(lambda m: f"{m.group(1)} {_path_words(m)}", out)
    out = _INPUT.sub(inputs, out)
    params = {k for k, slot in analysis.compiled.slots.items() if slot.named}
    out = re.sub(
        r"'([a-z][a-z0-9_]*)'", lambda m: in_words(m.group(1)) if m.group(1) in params else m.group(0), out
    )
    names = sorted(
        (k for k, slot in analysis.compiled.slots.items() if slot.named and "_" in k), key=len, reverse=True
    )
    for name in names:
        out = re.sub(rf"(?<![\w\[.]){re.escape(name)}(?![\w\]])", in_words(name), out)
    return out


def _round_numbers(text: str) -> str:
    """Long numbers in a sentence to a reader's precision: ``7.06334e+07`` -> ``70,600,000``,
    ``0.282267`` -> ``0.282``, ``308,990,086.96`` -> ``308,990,087``."""

    def exp(m: re.Match[str]) -> str:
        return significant(float(m.group(0)), 3)

    def long(m: re.Match[str]) -> str:
        v = float(m.group(0).replace(",", ""))
        return f"{v:,.0f}" if abs(v) >= 1000 else significant(v, 3)

    out = re.sub(r"-?\d+(?:\.\d+)?e[+-]\d+", exp, text)
    return re.sub(r"(?<![\w.,])-?\d{1,3}(?:,\d{3})+\.\d+|(?<![\w.,])-?\d+\.\d{4,}", long, out)


def _cell(slot: Slot, level: float, named_label: bool = True, percent: bool = False) -> str:
    text = describe_estimate(slot, level, percent=percent)
    return f"{in_words(slot.key)}: {text}" if named_label and slot.named else text


def value_map_in_words(analysis: AnalysisLike, level: float = defaults.INTERVAL_LEVEL) -> pd.DataFrame:
    """The value map as a reader reads it: one row per outcome, every estimate as its value and interval.

    Parameters
    ----------
    analysis : Analysis
    level : float
        Level of the intervals shown (default :data:`sroi.defaults.INTERVAL_LEVEL`).

    Returns
    -------
    DataFrame
        Columns ``outcome`` (stakeholder: outcome, and its id), ``quantity`` (the quantity and each factor
        multiplied in, one per line), ``value of one unit`` (the proxy as given, before any
        currency conversion), ``deadweight``, ``displacement``, ``attribution``, ``drop-off``
        (percentages), ``duration`` and ``sources`` (the assumption labels named in the
        quantity's and the proxy's source, ``cited`` for a source without one). Strings only.

    Notes
    -----
    A value is ``point (low-high)``: the point value used by ``Analysis.evaluate()`` and the
    central interval of its distribution (docs/method.md §6.1, §6.3). A named parameter is
    prefixed by its name in words.
    """
    comp = analysis.compiled
    slots = comp.slots
    ids = _outcome_ids(analysis)
    rows = []
    for i, (o, spec) in enumerate(zip(analysis.outcomes, comp.outcomes, strict=True)):
        quantity = [_cell(slots[k], level) for k, _, _ in spec.quantity]
        if len(quantity) > 1:
            quantity = [f"year {t + 1}: {q}" for t, q in enumerate(quantity)]
        factors = [f"\u00d7 {_cell(slots[k], level, percent=_is_share(slots[k]))}" for k, _ in spec.factors]
        proxy = [_cell(slots[k], level) for k, _, _ in spec.proxy]
        if len(proxy) > 1:
            proxy = [f"year {t + 1}: {p}" for t, p in enumerate(proxy)]
        row: dict[str, str] = {
            "outcome": f"{o.stakeholder}: {o.outcome}\n({ids[i]})",
            "quantity": "\n".join(quantity + factors),
            "value of one unit": "\n".join(proxy),
        }
        for name in ("deadweight", "displacement", "attribution", "drop_off"):
            key, _ = spec.filters[name]
            row[in_words(name)] = _cell(slots[key], level, named_label=False, percent=True)
        row["duration"] = _cell(slots[spec.duration[0]], level, named_label=False)
        row["sources"] = (
            f"quantity: {_source_label(o.source)}; value: {_source_label(getattr(o, 'proxy_source', ''))}"
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _is_share(slot: Slot) -> bool:
    """A dimensionless factor within [0, 1] (a share) is shown as a percentage."""
    if slot.kind not in ("factor", "fraction") or unit_text(slot.unit):
        return False
    lo, hi = slot.distribution.support() if slot.distribution is not None else (slot.base, slot.base)
    return 0.0 <= lo and hi <= 1.0


def estimates_in_words(analysis: AnalysisLike, level: float = defaults.INTERVAL_LEVEL) -> pd.DataFrame:
    """Every estimate of the model in words: what it is, its value and interval, its distribution.

    Returns
    -------
    DataFrame
        Columns ``estimate`` (a named parameter's name in words, or the outcome id and field),
        ``used by`` (outcome ids and inputs), ``value`` (point and interval at ``level``),
        ``distribution`` (family in words, ``fixed`` when none) and ``range`` (the smallest and
        largest value the distribution can take; '' when unbounded).
    """
    comp = analysis.compiled
    rows = []
    for slot in comp.estimates_used():
        places = [field_in_words(analysis, p) for p in slot.paths]
        used = ", ".join(dict.fromkeys(f"{o} {f}" if o else f for o, f in places))
        if slot.named:
            name = in_words(slot.key)
        else:
            name = used
            used = ""
        d = slot.distribution
        family, span = "fixed", ""
        if d is not None:
            family = _FAMILY.get(d.family, d.family)
            lo, hi = d.support()
            unit = unit_text(slot.unit)
            if math.isfinite(lo) and math.isfinite(hi):
                span = f"{significant(lo)}{_DASH}{significant(hi)}" + (f" {unit}" if unit else "")
        rows.append(
            {
                "estimate": name,
                "used by": used,
                "value": describe_estimate(slot, level, percent=slot.kind == "fraction"),
                "distribution": family,
                "range": span,
            }
        )
    return pd.DataFrame(rows)


def sources_in_words(analysis: AnalysisLike) -> pd.DataFrame:
    """The source of every input, quantity and proxy: ``item``, ``what``, ``labels`` and ``source``."""
    rows = []
    for j, inp in enumerate(analysis.inputs):
        rows.append(
            {
                "item": f"input {j + 1}",
                "what": f"{inp.stakeholder}: {inp.description}",
                "labels": _source_label(inp.source),
                "source": inp.source or "none given",
            }
        )
    for oid, o in zip(_outcome_ids(analysis), analysis.outcomes, strict=True):
        for what, text in (("quantity", o.source), ("value of one unit", o.proxy_source)):
            rows.append(
                {
                    "item": f"{oid}: {what}",
                    "what": f"{o.stakeholder}: {o.outcome}",
                    "labels": _source_label(text),
                    "source": text or "none given",
                }
            )
    return pd.DataFrame(rows)


def break_even_in_words(table: pd.DataFrame, analysis: AnalysisLike) -> pd.DataFrame:
    """Switching values for a reader: outcome id and label, the estimate in words, the change.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`sroi.switching.break_even`.
    analysis : Analysis

    Returns
    -------
    DataFrame
        Columns ``id``, ``outcome``, ``estimate``, ``point value``, ``switching value``,
        ``change`` (relative, as a signed percentage; '' where no value reaches the target) and
        ``why`` (the explanation, with field paths and parameter names in words). Rows in the
        order of the table; numbers to two significant figures (three from 100).
    """
    ids = _outcome_ids(analysis)
    slots = analysis.compiled.slots
    labels = {f"{o.stakeholder}: {o.outcome}": oid for oid, o in zip(ids, analysis.outcomes, strict=True)}
    rows = []
    for r in table.to_dict("records"):
        label = str(r["outcome"])
        oid = labels.get(label, "")
        parameter = str(r["parameter"])
        if not label:
            label = "all outcomes"
        elif label.startswith("("):  # a named parameter, changed in every field using it
            label = "every outcome using it"
        slot = slots.get(parameter)
        percent = parameter in ("deadweight", "displacement", "attribution", "drop_off", "discount_rate") or (
            slot is not None and slot.kind == "fraction"
        )
        show = _percent if percent else significant
        change = r["relative_change"]
        rows.append(
            {
                "id": oid,
                "outcome": label,
                "estimate": in_words(parameter),
                "point value": show(float(r["base"])),
                "switching value": show(float(r["switching_value"]))
                if r["switching_value"] == r["switching_value"]
                else "",
                "change": f"{change:+.0%}" if change == change else "",
                "why": _round_numbers(plain_text(str(r["explanation"]), analysis)),
            }
        )
    return pd.DataFrame(rows)


def audit_in_words(table: pd.DataFrame, analysis: AnalysisLike) -> pd.DataFrame:
    """The audit table for a reader: ``principle``, ``check``, ``result``, ``where`` and ``why``;
    failures first, then warnings, then passes (each in the audit's order).

    ``where`` is the outcome id and field in words (``channel_shift deadweight``) or '' for the
    whole analysis; ``why`` is the check's message with field paths put in words.
    """
    rows = []
    order = {"fail": 0, "warn": 1, "pass": 2}
    records = sorted(table.to_dict("records"), key=lambda r: order.get(str(r["status"]), 3))
    for r in records:
        where = str(r.get("field") or "")
        if where:
            oid, words = field_in_words(analysis, where)
            where = f"{oid} {words}" if oid else (words if where not in _outcome_ids(analysis) else where)
        rows.append(
            {
                "principle": r["principle"],
                "check": r["check"],
                "result": r["status"],
                "where": where,
                "why": plain_text(str(r["detail"]), analysis),
            }
        )
    return pd.DataFrame(rows)


# -- engine tables in words -----------------------------------------------------------------------
def number(x: Any, digits: int = 3) -> str:
    """A number in a table: whole with thousands separators from 1,000, else ``digits``
    significant figures; '' for NaN or None; text unchanged.

    Examples
    --------
    >>> number(308990086.96), number(0.96618), number(float("nan"))
    ('308,990,087', '0.966', '')
    """
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "" if x is None else str(x)
    return format_number(v, digits)  # the one number format of the package (sroi.formatting)


def percent(x: Any) -> str:
    """A fraction as a percentage to three significant figures (``0.573178`` -> ``57.3%``)."""
    v = float(x)
    return "" if v != v else f"{significant(100 * v, 3)}%"


def money_words(x: float, currency: str = "") -> str:
    """An amount for a headline: ``309 million CNY``, ``1.2 billion``, ``95,000 CNY``."""
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(x) >= size:
            return f"{significant(x / size, 3)} {word} {currency}".strip()
    return f"{x:,.0f} {currency}".strip()
