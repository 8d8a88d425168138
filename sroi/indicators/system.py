"""Indicators, their system and its files; binding to an analysis (docs/method.md §12.1).

Re-exported by :mod:`sroi.indicators`, which documents the concepts.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pint

from sroi.exceptions import SROIError, UnitError, field_prefix
from sroi.safe_yaml import read_yaml_file
from sroi.units import parse_quantity, parse_unit, ureg
from sroi.validation import check_choice, check_whole_number

if TYPE_CHECKING:
    import os

    from sroi.compiler import AnalysisLike

__all__ = [
    "AGGREGATES",
    "CADENCES",
    "DIRECTIONS",
    "FRAMEWORKS",
    "IMP_DIMENSIONS",
    "MAX_PERIOD",
    "Baseline",
    "Indicator",
    "IndicatorSystem",
    "Measure",
    "as_indicators",
    "bind",
    "indicators_from_dict",
    "load_indicators",
    "system_of",
]

#: How often an indicator is measured; a period (a year) holds 1, 4 or 12 observations.
CADENCES = ("annual", "quarterly", "monthly")
#: Whether a higher or a lower value is better.
DIRECTIONS = ("higher", "lower")
#: How the observations within a period make the period's value: their mean (pooled over ``n``
#: for shares), their sum (flows such as visits), or the last one (stocks such as users).
AGGREGATES = ("mean", "sum", "last")
#: The Impact Management Project's five dimensions of impact (impactmanagementproject.com,
#: "What is impact?"): what, who, how much, contribution, risk.
IMP_DIMENSIONS = ("what", "who", "how_much", "contribution", "risk")
#: Framework tags: key -> (framework, pattern of a code, example). The codes' meanings (where
#: they could be verified) are in :data:`sroi.disclosure.FRAMEWORK_CODES`.
FRAMEWORKS: dict[str, tuple[str, str, str]] = {
    "gri": ("GRI Standards", r"\d{3}-\d{1,2}", "203-2"),
    "hkex": ("HKEX ESG Reporting Code", r"[AB]\d{1,2}(\.\d{1,2})?", "B8"),
    "esrs": ("ESRS", r"[ESG]\d(-\d{1,2})?", "S4"),
    "sdg": ("SDG target", r"\d{1,2}\.([1-9]\d?|[a-z])", "10.2"),
    "iris": ("IRIS+ metric", r"[A-Z]{2}\d{4}", "PI4060"),
}
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,79}$")
_FILTER_FIELDS = ("deadweight", "displacement", "attribution", "drop_off")
#: Largest analysis period an indicator may name.
MAX_PERIOD = 200


def _text(value: Any, name: str, *, required: bool = False, limit: int = 2000) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise SROIError(f"expected text, got {type(value).__name__} {value!r:.60}", name)
    value = value.strip()
    if required and not value:
        raise SROIError("must not be empty", name)
    if len(value) > limit:
        raise SROIError(f"at most {limit} characters, got {len(value):,}", name)
    return value


def _period(value: Any, name: str, first_year: int | None = None) -> int:
    """An analysis period 0..200, or a calendar year when ``first_year`` is known."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    p = check_whole_number(value, name, 0, None, what="a period (0 = baseline, 1..T the years)")
    if p >= 1900:
        if first_year is None:
            raise SROIError(
                f"{p} looks like a calendar year; give the system's first_year (the calendar year of "
                "period 1) or write the period number (1, 2, ...)",
                name,
            )
        p = p - first_year + 1
        if p < 0:
            raise SROIError(f"{value} is before the year before first_year ({first_year - 1})", name)
    if p > MAX_PERIOD:
        raise SROIError(f"expected a period in 0..{MAX_PERIOD}, got {value!r}", name)
    return p


def _in_unit(value: Any, unit: pint.Unit, name: str) -> float:
    """A number in ``unit``: a plain number (taken in ``unit``) or text with a unit ("15%")."""
    if isinstance(value, bool):
        raise SROIError(f"expected a number, got {value!r}", name)
    q = parse_quantity(value, name)
    if q.units == ureg.dimensionless and not isinstance(value, str):
        x = float(q.magnitude)
    else:
        try:
            x = float(q.to(unit).magnitude)
        except pint.errors.DimensionalityError:
            raise UnitError(
                f"{value!r} is not in a unit compatible with the indicator's ({unit})", name
            ) from None
    if not math.isfinite(x):
        raise SROIError(f"expected a finite number, got {value!r}", name)
    return x


@dataclass(frozen=True)
class Baseline:
    """An indicator's value before the change (or at the start of monitoring).

    Parameters
    ----------
    value : float [indicator unit]
    period : int
        Analysis period of the baseline (0: before the programme's first year).
    source : str
    """

    value: float
    period: int = 0
    source: str = ""


@dataclass(frozen=True)
class Indicator:
    """One indicator of an SROI indicator system (docs/method.md §12.1).

    Parameters
    ----------
    id : str
        Stable identifier (letters, digits, ``_ . -``; starts with a letter).
    name : str
        What is measured, in words (shown in tables and disclosures).
    measures : str or sequence of str
        The estimate(s) it measures: named parameters or field paths (outcomes by id). Several
        are multiplied. Empty: tracked against its targets only, not linked to the model.
    unit : str
        Unit of the indicator's values (pint; ``""`` for a share or a count-free number).
    baseline : Baseline or mapping, optional
        ``{value, period, source}``.
    targets : mapping of period to value
        Target per analysis period (after the baseline's period).
    cadence : {"annual", "quarterly", "monthly"}
    direction : {"higher", "lower"}
        Which way is better (default higher).
    aggregate : {"mean", "sum", "last"}
        How the observations within a period combine (default mean).
    source, owner, description : str
        Data source, who reports it, and a longer description.
    frameworks : mapping of str to str or list of str
        Tags by framework key of :data:`FRAMEWORKS`: ``{gri: [203-2], esrs: [S4], sdg: [10.2]}``.
    imp : str or sequence of str
        Impact Management Project dimensions (:data:`IMP_DIMENSIONS`).
    measurement_error : mapping, optional
        ``{relative: 0.05}`` (standard deviation of log(observed / true)) or ``{sd: value}``
        (in the indicator's unit). Shares observed with a sample size ``n`` need none.
    outcome : str, optional
        Outcome id whose deadweight gives business as usual in :func:`calibrate_targets`
        (default the first outcome the measured estimates belong to).

    Raises
    ------
    SROIError
        Naming the field: an empty id or name, an unknown cadence, direction or framework, a
        malformed code, a target at or before the baseline's period.
    """

    id: str
    name: str
    measures: tuple[str, ...] = ()
    unit: str = ""
    baseline: Baseline | None = None
    targets: tuple[tuple[int, float], ...] = ()
    cadence: str = "annual"
    direction: str = "higher"
    aggregate: str = "mean"
    source: str = ""
    owner: str = ""
    description: str = ""
    frameworks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    imp: tuple[str, ...] = ()
    measurement_error: tuple[str, float] | None = None
    outcome: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        ident = _text(self.id, "id", required=True, limit=80)
        if not _ID_RE.match(ident):
            raise SROIError(
                f"expected an id of letters, digits, '_', '.' or '-' starting with a letter, got {ident!r}",
                "id",
            )
        set_(self, "id", ident)
        set_(self, "name", _text(self.name, "name", required=True, limit=300))
        for key in ("source", "owner", "description", "outcome"):
            set_(self, key, _text(getattr(self, key), key))
        measures = self.measures
        if isinstance(measures, str):
            measures = (measures,) if measures.strip() else ()
        if not isinstance(measures, (list, tuple)) or not all(
            isinstance(m, str) and m.strip() for m in measures
        ):
            raise SROIError(
                f"expected a field path or parameter name, or a list of them, got {measures!r:.80}",
                "measures",
            )
        if len(set(measures)) != len(measures):
            raise SROIError("a field is listed twice", "measures")
        set_(self, "measures", tuple(m.strip() for m in measures))
        unit_text = self.unit if isinstance(self.unit, str) else str(self.unit)
        unit = parse_unit(unit_text, "unit")
        set_(self, "unit", unit_text.strip())
        check_choice(self.cadence, "cadence", CADENCES)
        check_choice(self.direction, "direction", DIRECTIONS)
        check_choice(self.aggregate, "aggregate", AGGREGATES)
        base = self.baseline
        if isinstance(base, Mapping):
            extra = set(base) - {"value", "period", "source"}
            if extra or "value" not in base:
                raise SROIError(
                    f"expected {{value, period, source}}, got keys {sorted(map(str, base))}", "baseline"
                )
            base = Baseline(
                _in_unit(base["value"], unit, "baseline.value"),
                _period(base.get("period", 0), "baseline.period"),
                _text(base.get("source", ""), "baseline.source"),
            )
        elif base is not None and not isinstance(base, Baseline):
            raise SROIError(f"expected {{value, period, source}}, got {base!r:.60}", "baseline")
        set_(self, "baseline", base)
        targets = self.targets
        items = targets.items() if isinstance(targets, Mapping) else targets
        out: dict[int, float] = {}
        for item in items or ():
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise SROIError(f"expected period: value pairs, got {item!r:.60}", "targets")
            p = _period(item[0], f"targets[{item[0]}]")
            if p in out:
                raise SROIError(f"two targets for period {p}", f"targets[{item[0]}]")
            out[p] = _in_unit(item[1], unit, f"targets[{item[0]}]")
        if base is not None:
            early = [p for p in out if p <= base.period]
            if early:
                raise SROIError(
                    f"a target for period {min(early)} is not after the baseline (period {base.period}); "
                    "targets come after the baseline",
                    f"targets[{min(early)}]",
                )
        set_(self, "targets", tuple(sorted(out.items())))
        set_(self, "frameworks", _frameworks(self.frameworks))
        imp = self.imp
        imp = (imp,) if isinstance(imp, str) else tuple(imp or ())
        for j, d in enumerate(imp):
            check_choice(
                d.replace(" ", "_").lower() if isinstance(d, str) else d, f"imp[{j}]", IMP_DIMENSIONS
            )
        set_(self, "imp", tuple(d.replace(" ", "_").lower() for d in imp))
        set_(self, "measurement_error", _error(self.measurement_error, unit))

    @property
    def label(self) -> str:
        """``name (unit)`` for tables and charts."""
        return f"{self.name} ({self.unit})" if self.unit else self.name

    def target(self, period: int) -> float:
        """The target of ``period`` (NaN when there is none)."""
        return dict(self.targets).get(period, float("nan"))

    def to_dict(self) -> dict[str, Any]:
        """The file form (defaults omitted)."""
        d: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.measures:
            d["measures"] = list(self.measures) if len(self.measures) > 1 else self.measures[0]
        if self.unit:
            d["unit"] = self.unit
        if self.baseline is not None:
            b = self.baseline
            d["baseline"] = {
                "value": b.value,
                "period": b.period,
                **({"source": b.source} if b.source else {}),
            }
        if self.targets:
            d["targets"] = dict(self.targets)
        for key, default in (("cadence", "annual"), ("direction", "higher"), ("aggregate", "mean")):
            if getattr(self, key) != default:
                d[key] = getattr(self, key)
        for key in ("source", "owner", "description", "outcome"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        if self.frameworks:
            d["frameworks"] = {k: list(v) for k, v in self.frameworks}
        if self.imp:
            d["imp"] = list(self.imp)
        if self.measurement_error is not None:
            kind, size = self.measurement_error
            d["measurement_error"] = {"relative" if kind == "relative" else "sd": size}
        return d


def _frameworks(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    out: dict[str, tuple[str, ...]] = {}
    for item in items or ():
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise SROIError(f"expected framework: codes pairs, got {item!r:.60}", "frameworks")
        key, codes = str(item[0]).lower(), item[1]
        if key not in FRAMEWORKS:
            raise SROIError(
                f"unknown framework {item[0]!r}; expected one of {sorted(FRAMEWORKS)}", "frameworks"
            )
        codes = [codes] if isinstance(codes, (str, int, float)) else list(codes or ())
        name, pattern, example = FRAMEWORKS[key]
        clean = []
        for j, code in enumerate(codes):
            text = str(code).strip()
            if key == "esrs":
                text = text.removeprefix("ESRS").strip()
            if not re.fullmatch(pattern, text):
                raise SROIError(
                    f"{code!r} is not a {name} code such as {example!r}", f"frameworks.{key}[{j}]"
                )
            clean.append(text)
        out[key] = tuple(dict.fromkeys(clean))
    return tuple((k, out[k]) for k in FRAMEWORKS if k in out)


def _error(value: Any, unit: pint.Unit) -> tuple[str, float] | None:
    if value is None or (
        isinstance(value, tuple) and len(value) == 2 and value[0] in ("relative", "absolute")
    ):
        if value is not None and not (math.isfinite(value[1]) and value[1] > 0):
            raise SROIError(f"expected a size > 0, got {value[1]!r}", "measurement_error")
        return value
    if not isinstance(value, Mapping) or len(value) != 1 or next(iter(value)) not in ("relative", "sd"):
        raise SROIError(
            f"expected {{relative: 0.05}} or {{sd: <value in the indicator's unit>}}, got {value!r:.60}",
            "measurement_error",
        )
    kind, raw = next(iter(value.items()))
    size = _in_unit(raw, unit if kind == "sd" else ureg.dimensionless, f"measurement_error.{kind}")
    if not size > 0:
        raise SROIError(f"expected a size > 0, got {raw!r}", f"measurement_error.{kind}")
    return ("relative" if kind == "relative" else "absolute", size)


@dataclass(frozen=True)
class Measure:
    """An indicator bound to an analysis: the slots it multiplies and its unit factor.

    Attributes
    ----------
    indicator : Indicator
    keys : tuple of str
        Slot keys of the measured estimates (empty: tracked only).
    uncertain : tuple of str
        Those with a distribution.
    base : tuple of float
        Point value of each key [its unit].
    factor : float
        Converts the product of the slots (in their units) to the indicator's unit.
    share : bool
        The value is a share in [0, 1] (a product of fractions); observed with ``n`` it is
        binomial.
    outcomes : tuple of str
        Ids of the outcomes every measured estimate belongs to.
    filters : bool
        The indicator measures a filter (deadweight, attribution...): a counterfactual.
    """

    indicator: Indicator
    keys: tuple[str, ...]
    uncertain: tuple[str, ...]
    base: tuple[float, ...]
    factor: float
    share: bool
    outcomes: tuple[str, ...]
    filters: bool

    @property
    def id(self) -> str:
        """The indicator's id."""
        return self.indicator.id

    def point(self) -> float:
        """The indicator at the point value of every estimate [indicator unit] (NaN if tracked only)."""
        if not self.keys:
            return float("nan")
        return float(np.prod(self.base)) * self.factor

    def values(self, draws: Mapping[str, Any] | pd.DataFrame, n: int | None = None) -> np.ndarray:
        """The indicator at each draw [indicator unit]: the product of the measured estimates.

        Parameters
        ----------
        draws : mapping or DataFrame
            Draws by slot key (a simulation's ``draws``); keys not given keep their point value.
        n : int, optional
            Number of draws when no key is drawn.
        """
        if not self.keys:
            raise SROIError("the indicator measures no estimate of the model (tracked only)", self.id)
        out: np.ndarray | float = 1.0
        for key, base in zip(self.keys, self.base, strict=True):
            out = out * (np.asarray(draws[key], dtype=float) if key in draws else base)
        arr = np.asarray(out, dtype=float) * self.factor
        size = n if n is not None else max((len(draws[k]) for k in self.keys if k in draws), default=1)
        return np.broadcast_to(arr, (size,)) if arr.ndim == 0 else arr


@dataclass(frozen=True)
class IndicatorSystem:
    """The indicators of an analysis (docs/method.md §12.1).

    Parameters
    ----------
    indicators : sequence of Indicator
        Unique ids.
    first_year : int, optional
        Calendar year of period 1 (so that files may give years).
    name, description : str
    """

    indicators: tuple[Indicator, ...] = ()
    first_year: int | None = None
    name: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        items = tuple(self.indicators)
        for i, ind in enumerate(items):
            if not isinstance(ind, Indicator):
                raise SROIError(f"expected an Indicator, got {type(ind).__name__}", f"indicators[{i}]")
        seen: dict[str, int] = {}
        for i, ind in enumerate(items):
            if ind.id in seen:
                raise SROIError(
                    f"the id {ind.id!r} is used by indicators[{seen[ind.id]}] and indicators[{i}]",
                    f"indicators[{i}].id",
                )
            seen[ind.id] = i
        object.__setattr__(self, "indicators", items)
        if self.first_year is not None:
            object.__setattr__(
                self,
                "first_year",
                check_whole_number(self.first_year, "first_year", 1900, 2200, what="a year"),
            )
        object.__setattr__(self, "name", _text(self.name, "name"))
        object.__setattr__(self, "description", _text(self.description, "description"))

    def __len__(self) -> int:
        return len(self.indicators)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    @property
    def ids(self) -> tuple[str, ...]:
        """The indicators' ids, in order."""
        return tuple(i.id for i in self.indicators)

    def __getitem__(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise SROIError(f"no indicator with id {indicator_id!r:.80}; ids: {', '.join(self.ids)}", "indicator")

    def period(self, value: Any, name: str = "period") -> int:
        """An analysis period from a period number or (with ``first_year``) a calendar year."""
        return _period(value, name, self.first_year)

    def bind(self, analysis: AnalysisLike) -> tuple[Measure, ...]:
        """Check every indicator against ``analysis`` and return its :class:`Measure`.

        Raises
        ------
        SROIError
            ``indicators[i].measures[j]``: an unknown parameter, field path or outcome id (the
            message lists the valid names); ``indicators[i].unit``: a unit incompatible with
            the measured estimates' (a :class:`UnitError`); ``indicators[i].outcome``: an
            unknown outcome id.
        """
        return tuple(bind(ind, i, analysis) for i, ind in enumerate(self.indicators))

    def with_targets(self, indicator_id: str, targets: Mapping[int, float]) -> IndicatorSystem:
        """A copy in which one indicator's targets are replaced."""
        ind = self[indicator_id]
        new = replace(ind, targets=tuple(sorted((int(p), float(v)) for p, v in targets.items())))
        return replace(self, indicators=tuple(new if i.id == indicator_id else i for i in self.indicators))

    def table(self) -> pd.DataFrame:
        """One row per indicator: id, name, measures, unit, baseline, targets, cadence,
        direction, frameworks, IMP dimensions, data source, owner."""
        rows = []
        for ind in self.indicators:
            rows.append(
                {
                    "id": ind.id,
                    "name": ind.name,
                    "measures": " x ".join(ind.measures) if ind.measures else "(tracked only)",
                    "unit": ind.unit,
                    "baseline": np.nan if ind.baseline is None else ind.baseline.value,
                    "baseline_period": np.nan if ind.baseline is None else ind.baseline.period,
                    "targets": "; ".join(f"{p}: {v:g}" for p, v in ind.targets),
                    "cadence": ind.cadence,
                    "direction": ind.direction,
                    "frameworks": "; ".join(
                        f"{FRAMEWORKS[k][0]} {', '.join(codes)}" for k, codes in ind.frameworks
                    ),
                    "imp": ", ".join(ind.imp),
                    "source": ind.source,
                    "owner": ind.owner,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The file form (what :func:`load_indicators` reads; also the model file's block)."""
        d: dict[str, Any] = {}
        if self.name:
            d["name"] = self.name
        if self.description:
            d["description"] = self.description
        if self.first_year is not None:
            d["first_year"] = self.first_year
        d["indicators"] = [ind.to_dict() for ind in self.indicators]
        return d

    def __repr__(self) -> str:
        return f"IndicatorSystem({len(self)} indicators: {', '.join(self.ids)})"

    def _repr_html_(self) -> str:
        return f"<div><p>{html.escape(repr(self))}</p>{self.table().to_html(index=False, border=0)}</div>"


def bind(ind: Indicator, i: int, analysis: AnalysisLike) -> Measure:
    """One indicator (``indicators[i]``) bound to ``analysis`` (see :meth:`IndicatorSystem.bind`)."""
    comp = analysis.compiled
    keys, bases, units, uncertain = [], [], [], []
    share = True
    filters = False
    outcome_sets: list[set[int]] = []
    for j, name in enumerate(ind.measures):
        try:
            key, slot = comp.resolve(name, f"indicators[{i}].measures[{j}]")
        except SROIError as exc:
            raise SROIError(str(exc).split(": ", 1)[-1], f"indicators[{i}].measures[{j}]") from None
        if key in keys:
            raise SROIError(
                f"{name!r} is the same estimate as another field listed", f"indicators[{i}].measures[{j}]"
            )
        keys.append(key)
        bases.append(float(slot.base))
        units.append(slot.unit)
        if slot.distribution is not None:
            uncertain.append(key)
        lo, hi = (slot.base, slot.base) if slot.distribution is None else slot.distribution.support()
        share = share and slot.unit is None and slot.kind in ("fraction", "factor") and 0 <= lo and hi <= 1
        filters = filters or any(p.rsplit(".", 1)[-1] in _FILTER_FIELDS for p in slot.paths)
        idx = {int(m.group(1)) for p in slot.paths if (m := re.match(r"outcomes\[(\d+)\]", p))}
        outcome_sets.append(idx)
    unit = parse_unit(ind.unit, f"indicators[{i}].unit")
    factor = 1.0
    if keys:
        product = ureg.Quantity(1.0, "dimensionless")
        for u in units:
            if u is not None:
                product = product * ureg.Quantity(1.0, u)
        try:
            factor = float(product.to(unit).magnitude)
        except pint.errors.DimensionalityError:
            raise UnitError(
                f"the measured estimates ({' x '.join(ind.measures)}) are in {product.units}, which cannot be "
                f"expressed in the indicator's unit {ind.unit or 'dimensionless'!r}",
                f"indicators[{i}].unit",
            ) from None
    share = bool(keys) and share and unit.dimensionless
    common = set.intersection(*outcome_sets) if outcome_sets else set()
    ids = analysis.outcome_ids
    outcomes = tuple(ids[k] for k in sorted(common))
    if ind.outcome:
        if ind.outcome not in ids:
            raise SROIError(
                f"no outcome with id {ind.outcome!r}; ids: {', '.join(ids)}", f"indicators[{i}].outcome"
            )
        outcomes = (ind.outcome, *[o for o in outcomes if o != ind.outcome])
    return Measure(ind, tuple(keys), tuple(uncertain), tuple(bases), factor, share, outcomes, filters)


# -- reading ---------------------------------------------------------------------------------------
_SYSTEM_KEYS = ("name", "description", "first_year", "measures", "indicators")
_INDICATOR_KEYS = (
    "id",
    "name",
    "measures",
    "unit",
    "baseline",
    "targets",
    "cadence",
    "direction",
    "aggregate",
    "source",
    "owner",
    "description",
    "frameworks",
    "imp",
    "measurement_error",
    "outcome",
)


def _keys(d: Any, allowed: Sequence[str], path: str) -> None:
    if not isinstance(d, Mapping):
        raise SROIError(f"expected a mapping of field: value, got {type(d).__name__}", path or "indicators")
    for key in d:
        if key not in allowed:
            raise SROIError(
                f"unknown key {key!r}; allowed keys: {', '.join(allowed)}",
                f"{path}.{key}" if path else str(key),
            )


def indicators_from_dict(
    doc: Any, analysis: AnalysisLike | None = None, *, base: Path | None = None
) -> IndicatorSystem:
    """An :class:`IndicatorSystem` from its file form, checked against ``analysis`` if given.

    Parameters
    ----------
    doc : mapping or list
        ``{name, description, first_year, measures, indicators: [...]}``, or just the list of
        indicators. ``measures`` (optional) maps indicator ids to what they measure, in one
        place that is easy to update when the model changes; it may name a YAML file beside
        the indicators file (``base``).
    analysis : Analysis, optional
    base : pathlib.Path, optional
        Folder of the indicators file, for a ``measures`` file name.

    Raises
    ------
    SROIError
        Naming the field (``indicators[2].targets[1]``, ``measures.active_users``...).
    """
    if isinstance(doc, IndicatorSystem):
        system = doc
    else:
        if isinstance(doc, list):
            doc = {"indicators": doc}
        _keys(doc, _SYSTEM_KEYS, "")
        first_year = doc.get("first_year")
        if first_year is not None:
            first_year = check_whole_number(first_year, "first_year", 1900, 2200, what="a calendar year")
        mapping = _measures_block(doc.get("measures"), base)
        raw = doc.get("indicators")
        if not isinstance(raw, list):
            raise SROIError(f"expected a list of indicators, got {type(raw).__name__}", "indicators")
        ids = [d.get("id") if isinstance(d, Mapping) else None for d in raw]
        unknown = [k for k in mapping if k not in ids]
        if unknown:
            raise SROIError(
                f"names no indicator ({', '.join(map(str, ids))} are defined)", f"measures.{unknown[0]}"
            )
        items = []
        for i, d in enumerate(raw):
            _keys(d, _INDICATOR_KEYS, f"indicators[{i}]")
            kw = dict(d)
            if kw.get("id") in mapping:
                if "measures" in kw:
                    raise SROIError(
                        "measures is given here and in the measures block; give it once",
                        f"indicators[{i}].measures",
                    )
                kw["measures"] = mapping[kw["id"]]
            with field_prefix(f"indicators[{i}]"):
                if isinstance(kw.get("targets"), Mapping):
                    kw["targets"] = {
                        _period(p, f"targets[{p}]", first_year): v for p, v in kw["targets"].items()
                    }
                if isinstance(kw.get("baseline"), Mapping) and "period" in kw["baseline"]:
                    kw["baseline"] = {
                        **kw["baseline"],
                        "period": _period(kw["baseline"]["period"], "baseline.period", first_year),
                    }
                if "measures" in kw and isinstance(kw["measures"], list):
                    kw["measures"] = tuple(kw["measures"])
                if "imp" in kw and isinstance(kw["imp"], list):
                    kw["imp"] = tuple(kw["imp"])
                kw.setdefault("name", "")
                items.append(Indicator(**kw))
        system = IndicatorSystem(
            tuple(items), first_year, doc.get("name") or "", doc.get("description") or ""
        )
    if analysis is not None:
        system.bind(analysis)
    return system


def _measures_block(value: Any, base: Path | None) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):
        if base is None:
            raise SROIError(
                "a measures file is read relative to the indicators file: use load_indicators(path)",
                "measures",
            )
        path = (base / value).resolve()
        if not path.is_relative_to(base.resolve()):
            raise SROIError(f"{value!r} is outside the indicators file's folder", "measures")
        value = read_yaml_file(path, "measures")
        if isinstance(value, Mapping) and set(value) == {"measures"}:
            value = value["measures"]
    if not isinstance(value, Mapping):
        raise SROIError(
            f"expected a mapping of indicator id: field(s), got {type(value).__name__}", "measures"
        )
    out = {}
    for k, v in value.items():
        if v is None:
            v = []
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise SROIError(f"expected a field path or a list of them, got {v!r:.60}", f"measures.{k}")
        out[str(k)] = tuple(v)
    return out


def load_indicators(path: str | os.PathLike[str], analysis: AnalysisLike | None = None) -> IndicatorSystem:
    """Read an indicators file (YAML) and check it against ``analysis`` (docs/method.md §12.1).

    Parameters
    ----------
    path : str or path-like
        ``{name, description, first_year, measures, indicators}``; ``measures`` may name a
        file in the same folder.
    analysis : Analysis, optional
        When given, every indicator is bound to it (see :meth:`IndicatorSystem.bind`).

    Returns
    -------
    IndicatorSystem

    Examples
    --------
    >>> import sroi
    >>> from sroi.datasets import dataset_path
    >>> a = sroi.load(dataset_path("elderly_mode", "elderly_mode.yaml"))
    >>> system = load_indicators(dataset_path("elderly_mode", "indicators.yaml"), a)
    >>> len(system) >= 8
    True
    """
    doc = read_yaml_file(path, "indicators file")
    return indicators_from_dict(doc, analysis, base=Path(path).resolve().parent)


def as_indicators(value: Any, analysis: AnalysisLike) -> IndicatorSystem:
    """The ``indicators`` field of an analysis as a checked :class:`IndicatorSystem` (empty for
    None or an empty list)."""
    if value is None or (isinstance(value, (list, tuple)) and not value):
        return IndicatorSystem()
    if isinstance(value, (list, tuple)) and all(isinstance(v, Indicator) for v in value):
        value = IndicatorSystem(tuple(value))
    return indicators_from_dict(value, analysis)


def system_of(analysis: AnalysisLike, indicators: Any = None) -> IndicatorSystem:
    """The indicator system to use: ``indicators`` if given, else the analysis's own (SROIError
    when it has none)."""
    if indicators is None:
        indicators = getattr(analysis, "indicators", None)
    if indicators is None or (isinstance(indicators, IndicatorSystem) and not len(indicators)):
        raise SROIError(
            "the analysis has no indicators: give indicators=sroi.indicators.load_indicators(path, analysis) "
            "or an indicators: block in the model file",
            "indicators",
        )
    return (
        indicators if isinstance(indicators, IndicatorSystem) else indicators_from_dict(indicators, analysis)
    )
