"""The parameter table of an analysis, and assembly of engine arrays from parameter values.

Every numeric estimate of an :class:`~sroi.model.Analysis` is a *slot* with a key: the name of
a named parameter (``{param: name}``, shared by every field that refers to it, so it is one
draw in a Monte Carlo) or else the field path (``outcomes[0].deadweight``). Callers supply a
value for each key (a scalar, or an array over samples) and :meth:`Compiled.arrays` turns them
into :class:`~sroi.engine.EngineArrays` in the analysis currency; a field path in the values
overrides that one field only (used by one-way sensitivity and break-even).

Units are checked once, here: each outcome's quantity x conversions x proxy must come out as
money (per year), else :class:`~sroi.exceptions.UnitError` names the field; the constant unit
and currency factors are folded into one multiplier per outcome.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pint

from sroi.distributions import Distribution
from sroi.engine import EngineArrays
from sroi.exceptions import ConversionError, SROIError, SROIWarning, UnitError
from sroi.units import count_dimensions, currency_of, ureg

if TYPE_CHECKING:
    from sroi.model import Analysis

__all__ = ["Compiled", "Slot", "compile_analysis", "estimates_table", "point_values"]

FILTERS = ("deadweight", "displacement", "attribution", "drop_off")


@dataclass
class Slot:
    """One estimate: its key, the fields using it, its kind, unit, point value and distribution."""

    key: str
    kind: str
    unit: pint.Unit | None
    base: float
    distribution: Distribution | None
    named: bool
    paths: list[str] = field(default_factory=list)


@dataclass
class _OutcomeSpec:
    quantity: list[tuple[str, str, float]]  # (key, path, scale to the common quantity unit)
    factors: list[tuple[str, str]]
    proxy: tuple[str, str]
    filters: dict[str, tuple[str, str]]
    duration: tuple[str, str]
    start: int
    unit_factor: float
    profile: bool
    reached_unit: str = ""
    reached_scale: float = 1.0


@dataclass
class Compiled:
    """An analysis turned into slots and the recipe to build engine arrays."""

    slots: dict[str, Slot]
    outcomes: list[_OutcomeSpec]
    inputs: list[tuple[str, str, float]]
    input_years: np.ndarray
    rates: list[tuple[str, str]]
    conversions: list[Any]
    reference_period: int = 0

    def arrays(self, values: Mapping[str, Any]) -> EngineArrays:
        """Engine arrays for parameter values (key or field path -> scalar or (S,) array).

        Keys missing from ``values`` take their point value. Products too large for a float
        become infinite (no warning); :class:`~sroi.model.Analysis` rejects a model whose point
        values overflow.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            return self._arrays(values)

    def _arrays(self, values: Mapping[str, Any]) -> EngineArrays:
        """See :meth:`arrays`."""
        arrays: dict[str, np.ndarray] = {}
        n = 1
        for v in values.values():
            a = np.asarray(v)
            if a.ndim > 1:
                raise SROIError(f"expected a scalar or a 1-D array of samples, got shape {a.shape}", "values")
            if a.ndim == 1:
                if n not in (1, a.shape[0]) and a.shape[0] != 1:
                    raise SROIError(f"sample arrays differ in length ({n} and {a.shape[0]})", "values")
                n = max(n, a.shape[0])

        def get(key: str, path: str) -> np.ndarray:
            if path in values:
                v = values[path]
            elif key in values:
                v = values[key]
            else:
                v = self.slots[key].base
            cache_key = path if path in values else key
            if cache_key not in arrays:
                arrays[cache_key] = np.broadcast_to(np.asarray(v, dtype=float).reshape(-1), (n,))
            return arrays[cache_key]

        n_out = len(self.outcomes)
        duration = np.empty((n, n_out), dtype=np.int64)
        filt = {name: np.empty((n, n_out)) for name in FILTERS}
        for i, spec in enumerate(self.outcomes):
            # whole years, halves rounded up (2.5 -> 3), as a reader would round
            duration[:, i] = np.clip(np.floor(get(*spec.duration) + 0.5), 1, 100)
            for name in FILTERS:
                filt[name][:, i] = get(*spec.filters[name])
        k_max = int(duration.max())
        any_profile = any(spec.profile for spec in self.outcomes)
        width = k_max if any_profile else 1
        gross = np.zeros((n, n_out, width))
        for i, spec in enumerate(self.outcomes):
            scale = get(*spec.proxy) * spec.unit_factor
            for fkey, fpath in spec.factors:
                scale = scale * get(fkey, fpath)
            if spec.profile:
                for k, (qkey, qpath, qscale) in enumerate(spec.quantity[:width]):
                    gross[:, i, k] = get(qkey, qpath) * qscale * scale
            else:
                qkey, qpath, qscale = spec.quantity[0]
                gross[:, i, :] = (get(qkey, qpath) * qscale * scale)[:, None]
        starts = np.array([spec.start for spec in self.outcomes], dtype=np.int64)
        n_periods = max(
            int(starts.max()) + k_max - 1,
            int(self.input_years.max(initial=0)),
            len(self.rates),
            self.reference_period,
            1,
        )
        rate_cols = [get(k, p) for k, p in self.rates]
        rate_cols += [rate_cols[-1]] * (n_periods - len(rate_cols))
        rates = np.stack(rate_cols, axis=-1)
        if all(c.shape[0] == 1 or np.all(c == c[0]) for c in rate_cols):
            rates = rates[:1]
        inputs = np.stack([get(k, p) * f for k, p, f in self.inputs], axis=-1)
        return EngineArrays(
            gross=gross,
            deadweight=filt["deadweight"],
            displacement=filt["displacement"],
            attribution=filt["attribution"],
            drop_off=filt["drop_off"],
            duration=duration,
            start=starts,
            rates=rates,
            inputs=inputs,
            input_years=self.input_years,
        )


def _unit_of(value: Any) -> Any:
    if isinstance(value, pint.Quantity):
        return value.units
    if isinstance(value, Distribution):
        return value.unit if value.unit is not None else ureg.dimensionless
    return ureg.dimensionless


def _magnitude(value: Any) -> tuple[float, Distribution | None]:
    if isinstance(value, Distribution):
        return float(value.central()), value
    if isinstance(value, pint.Quantity):
        return float(value.magnitude), None
    return float(value), None


def compile_analysis(analysis: Analysis) -> Compiled:
    """Resolve references, check units, fold unit and currency factors, list the slots.

    Raises
    ------
    UnitError
        A quantity that does not match its proxy (e.g. a per-person proxy x devices), naming
        ``outcomes[i].proxy`` and saying which conversion is missing.
    ConversionError
        A foreign-currency proxy or input that cannot be converted.
    """
    from sroi import model as m

    slots: dict[str, Slot] = {}
    conversions: list[Any] = []

    def slot(raw: Any, path: str, kind: str, normalise: Any) -> tuple[str, str, pint.Unit]:
        if isinstance(raw, m.Ref):
            if raw.name not in analysis.parameters:
                avail = sorted(analysis.parameters) or "none defined"
                raise SROIError(f"refers to unknown parameter {raw.name!r}; parameters: {avail}", path)
            value = normalise(analysis.parameters[raw.name], path)
            key, named = raw.name, True
        else:
            value, key, named = raw, path, False
        unit = _unit_of(value)
        base, dist = _magnitude(value)
        if key in slots:
            s = slots[key]
            if s.kind != kind and {s.kind, kind} != {"quantity", "factor"}:
                raise SROIError(f"parameter {key!r} is used as a {s.kind} and as a {kind}", path)
            s.paths.append(path)
        else:
            slots[key] = Slot(
                key, kind, None if unit == ureg.dimensionless else unit, base, dist, named, [path]
            )
        return key, path, unit

    def amount(what: str) -> Any:
        return lambda v, p: m._norm_amount(v, p, what)

    specs: list[_OutcomeSpec] = []
    for i, o in enumerate(analysis.outcomes):
        pre = f"outcomes[{i}]"
        profile = o.quantity_profile
        q_items = list(profile) if profile is not None else [o.quantity]
        q_paths = [f"{pre}.quantity[{k}]" for k in range(len(q_items))] if profile else [f"{pre}.quantity"]
        quantity = []
        q_unit = None
        for raw, path in zip(q_items, q_paths, strict=True):
            key, path, unit = slot(raw, path, "quantity", amount("a quantity"))
            if q_unit is None:
                q_unit = unit
                scale = 1.0
            else:
                try:
                    scale = float(ureg.Quantity(1.0, unit).to(q_unit).magnitude)
                except pint.errors.DimensionalityError:
                    raise UnitError(
                        f"every year of a quantity profile needs the same unit ({q_unit}), got {unit}", path
                    ) from None
            quantity.append((key, path, scale))
        assert q_unit is not None
        factors = []
        combined = ureg.Quantity(1.0, q_unit)
        for j, raw in enumerate(o.quantity_factors):
            key, path, unit = slot(
                raw, f"{pre}.quantity_factors[{j}]", "factor", amount("a conversion factor")
            )
            factors.append((key, path))
            combined = combined * ureg.Quantity(1.0, unit)
        people = combined
        pkey, ppath, p_unit = slot(o.proxy, f"{pre}.proxy", "proxy", amount("a financial proxy"))
        combined = combined * ureg.Quantity(1.0, p_unit)
        if combined.dimensionality.get("[time]", 0) == -1:
            combined = combined * ureg.Quantity(1.0, "year")
        try:
            currency = currency_of(combined, ppath)
        except UnitError:
            currency = None
        if currency is None or combined.dimensionality != ureg.Unit(currency).dimensionality:
            raise UnitError(_mismatch_message(people, p_unit), ppath)
        unit_factor = float(combined.to(currency).magnitude)
        if currency != analysis.currency or (
            o.proxy_price_year is not None
            and analysis.price_year is not None
            and o.proxy_price_year != analysis.price_year
        ):
            conv = _convert(analysis, currency, o.proxy_price_year, o.proxy_conversion, ppath)
            conversions.append(conv)
            unit_factor *= float(conv.factor)
        elif o.proxy_price_year is not None and analysis.price_year is None:
            warnings.warn(
                f"{ppath}: the proxy is at {o.proxy_price_year} prices but the analysis has no price_year, "
                "so it is not uprated; give the analysis a price_year to bring every value to one price base",
                SROIWarning,
                stacklevel=4,
            )
        filters = {}
        for name in FILTERS:
            filters[name] = slot(getattr(o, name), f"{pre}.{name}", "fraction", m._norm_fraction)[:2]
        duration = slot(o.duration, f"{pre}.duration", "duration", m._norm_duration)[:2]
        specs.append(
            _OutcomeSpec(
                quantity,
                factors,
                (pkey, ppath),
                filters,
                duration,
                o.start,
                unit_factor,
                profile is not None,
                reached_unit="" if people.units == ureg.dimensionless else str(people.units),
                reached_scale=float(people.magnitude),
            )
        )
    inputs = []
    for j, inp in enumerate(analysis.inputs):
        path = f"inputs[{j}].value"
        key, path, unit = slot(inp.value, path, "money", amount("an input value"))
        cur = currency_of(unit, path)
        if cur is None or ureg.Quantity(1.0, unit).dimensionality != ureg.Unit(cur).dimensionality:
            raise UnitError(
                f"expected an amount of money such as '1000 {analysis.currency}', got unit {unit}", path
            )
        factor = float(ureg.Quantity(1.0, unit).to(cur).magnitude)
        if cur != analysis.currency or (
            inp.price_year is not None
            and analysis.price_year is not None
            and inp.price_year != analysis.price_year
        ):
            conv = _convert(analysis, cur, inp.price_year, "market", path)
            conversions.append(conv)
            factor *= float(conv.factor)
        inputs.append((key, path, factor))
    dr = analysis.discount_rate
    rate_items = list(dr) if isinstance(dr, tuple) else [dr]
    rate_paths = (
        [f"discount_rate[{t}]" for t in range(len(rate_items))]
        if isinstance(dr, tuple)
        else ["discount_rate"]
    )
    rates = [slot(r, p, "rate", m._norm_rate)[:2] for r, p in zip(rate_items, rate_paths, strict=True)]
    years = np.array([inp.year for inp in analysis.inputs], dtype=np.int64)
    return Compiled(slots, specs, inputs, years, rates, conversions, analysis.reference_period)


def _mismatch_message(quantity: pint.Quantity, proxy_unit: pint.Unit) -> str:
    have = count_dimensions(quantity)
    want = {k: -v for k, v in count_dimensions(ureg.Quantity(1.0, proxy_unit)).items()}
    text = f"the proxy is in {proxy_unit} but the quantity (after conversions) is in {quantity.units}; "
    if want and have and set(want) != set(have):
        w, h = next(iter(want)), next(iter(have))
        return text + (
            f"a proxy priced per {w} cannot multiply a count of {h}. Add an explicit conversion to "
            f"quantity_factors, e.g. '0.5 {w}/{h}' (with its source), so the quantity counts {w}"
        )
    return (
        text + "their product must be an amount of money (per year), e.g. quantity '120 person' with proxy "
        "'500 GBP/person'"
    )


def _convert(analysis: Analysis, currency: str, from_year: int | None, basis: str, path: str) -> Any:
    try:
        from sroi import money
    except ImportError:  # pragma: no cover - money arrives with the conversion module
        raise ConversionError(
            f"{currency} cannot be converted to {analysis.currency}: no conversion module available", path
        ) from None
    return money.conversion_factor(
        currency,
        analysis.currency,
        from_year,
        analysis.price_year,
        basis=basis,
        rates=analysis.rates,
        field=path,
    )


def point_values(analysis: Analysis) -> dict[str, float]:
    """Point value of every slot key (the central value of each distribution)."""
    return {k: s.base for k, s in analysis._compiled.slots.items()}


def estimates_table(analysis: Analysis) -> pd.DataFrame:
    """Every estimate of the analysis, one row per key.

    Columns: ``key``, ``fields`` (the field paths using it), ``kind``, ``unit``,
    ``point_value``, ``distribution`` (model-file text or empty), ``p10``, ``p90``.
    """
    rows = []
    for s in analysis._compiled.slots.values():
        d = s.distribution
        rows.append(
            {
                "key": s.key,
                "fields": ", ".join(s.paths),
                "kind": s.kind,
                "unit": "" if s.unit is None else str(s.unit),
                "point_value": s.base,
                "distribution": "" if d is None else str(d.to_dict()),
                "p10": np.nan if d is None else d.quantile(0.10),
                "p90": np.nan if d is None else d.quantile(0.90),
            }
        )
    return pd.DataFrame(rows)
