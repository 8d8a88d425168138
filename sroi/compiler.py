"""The compiled model: the one door to the engine.

:func:`compile_analysis` turns a Value Map with its conventions into a :class:`Compiled`
model. Every numeric estimate becomes a *slot* with a key: the name of a named parameter
(``{param: name}``, shared by every field that refers to it, so it is one draw in a Monte
Carlo) or else the field path (``outcomes[0].deadweight``). :meth:`Compiled.run` evaluates the
engine (:func:`sroi.engine.run`) for values given per key, with the conventions stored at
compile time; a field path in the values overrides that one field only (one-way sensitivity
and break-even rely on this). Every analysis of a model (results, Monte Carlo, sensitivity,
plots, reports) goes through :meth:`Compiled.run`.

Units are checked once, here: each outcome's quantity x conversions x proxy must come out as
money (per year), else :class:`~sroi.exceptions.UnitError` names the field. The constant unit
and currency factors are folded into two vectors: one turning each quantity into the count
the proxy is priced per ("units reached"), one turning each proxy into the analysis currency
per unit reached per year. What tables show (quantity reached, proxy in the analysis currency,
whole-year durations) is what the engine computes with.

Lower layers (results, sampling, sensitivity) type their argument as :class:`AnalysisLike`
instead of importing :class:`sroi.Analysis`.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pint

from sroi import money
from sroi.assembly import OutcomeSpec, Recipe, Slot, build_recipe
from sroi.distributions import Distribution
from sroi.engine import EngineArrays, EngineOutput, PeriodOutput, by_period, run
from sroi.exceptions import ConversionError, SROIError, SROIWarning, UnitError
from sroi.glossary import FILTERS, OUTPUTS
from sroi.rates import Rates
from sroi.units import count_dimensions, currency_of, ureg
from sroi.valuemap import Ref, as_amount, as_duration, as_elasticity, as_fraction, as_proxy, as_rate

__all__ = [
    "AnalysisLike",
    "Compiled",
    "OutcomeSpec",
    "Slot",
    "compile_analysis",
    "estimates_table",
]


class AnalysisLike(Protocol):
    """What the layers below :class:`sroi.Analysis` need from an analysis.

    An :class:`sroi.Analysis` satisfies it; so can any object with these attributes.
    """

    @property
    def name(self) -> str: ...

    @property
    def currency(self) -> str: ...

    @property
    def outcomes(self) -> Sequence[Any]: ...

    @property
    def inputs(self) -> Sequence[Any]: ...

    @property
    def compiled(self) -> Compiled: ...

    @property
    def outcome_ids(self) -> tuple[str, ...]: ...

    @property
    def active_correlations(self) -> tuple[tuple[str, str, float], ...]: ...


_PATH_RE = re.compile(r"^outcomes\[(\d+)\]\.(\w+)(?:\[(\d+)\])?$")
_ID_PATH_RE = re.compile(r"^outcomes\[id=([A-Za-z0-9][A-Za-z0-9_.-]*)\](.*)$")
_INPUT_RE = re.compile(r"^inputs\[(\d+)\]\.value$")


@dataclass
class Compiled:
    """An analysis turned into slots, with the recipe to build engine arrays and run the engine.

    Attributes
    ----------
    slots : dict of str to Slot
        Every estimate by key, in the order first used.
    outcomes : list of OutcomeSpec
    inputs : list of (key, path, factor)
        ``factor`` converts the input to the analysis currency.
    input_years : ndarray of int
        Period of each input.
    rates : list of (key, path)
        The discount rate, or one per period of a schedule.
    conversions : list of sroi.money.Conversion
        Every currency and price-year conversion made.
    recipe : sroi.assembly.Recipe
        Index arrays from slot values to engine arrays.
    timing : str
        Discount timing.
    drop_off_from_year : int
    reference_period : int
    labels : list of str
        ``stakeholder: outcome`` of each outcome.
    input_labels : list of str
        Description (or stakeholder) of each input.
    """

    slots: dict[str, Slot]
    outcomes: list[OutcomeSpec]
    inputs: list[tuple[str, str, float]]
    input_years: np.ndarray
    rates: list[tuple[str, str]]
    conversions: list[Any]
    recipe: Recipe
    timing: str = "end_of_year"
    drop_off_from_year: int = 2
    reference_period: int = 0
    labels: list[str] = field(default_factory=list)
    input_labels: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    _point: tuple[EngineArrays, EngineOutput] | None = field(default=None, repr=False)

    def canonical(self, name: Any) -> Any:
        """A field path naming its outcome by id (``outcomes[id=channel_shift].proxy``) as the
        positional path the slots use (``outcomes[4].proxy``); other names unchanged.

        Raises
        ------
        SROIError
            An id that no outcome has, listing the ids.
        """
        if not isinstance(name, str) or not name.startswith("outcomes[id="):
            return name
        m = _ID_PATH_RE.match(name)
        if not m or m.group(1) not in self.ids:
            raise SROIError(
                f"no outcome with id {name[12:].split(']')[0]!r}; ids: {', '.join(self.ids)}", name
            )
        return f"outcomes[{self.ids.index(m.group(1))}]{m.group(2)}"

    def _canonical_values(self, values: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        if not values or not any(isinstance(k, str) and k.startswith("outcomes[id=") for k in values):
            return values
        return {self.canonical(k): v for k, v in values.items()}

    # -- the slot table ---------------------------------------------------------------------------
    def point_values(self) -> dict[str, float]:
        """Point value of every slot key (the central value of each distribution)."""
        return {k: s.base for k, s in self.slots.items()}

    def uncertain(self) -> list[Slot]:
        """The slots with a distribution, in slot order."""
        return [s for s in self.slots.values() if s.distribution is not None]

    def estimates_used(self) -> list[Slot]:
        """The slots that are estimates of the analysis: all but income elasticities left at 0
        (no income adjustment asked for), which are not estimates anyone made."""
        return [
            s
            for s in self.slots.values()
            if not (s.kind == "elasticity" and s.base == 0 and s.distribution is None)
        ]

    def uncertain_keys(self) -> list[str]:
        """Keys of the slots with a distribution, in slot order."""
        return [s.key for s in self.uncertain()]

    def path_keys(self) -> dict[str, str]:
        """Field path -> slot key, for every field of the analysis."""
        return {p: s.key for s in self.slots.values() for p in s.paths}

    def resolve(self, name: Any, field: str) -> tuple[str, Slot]:
        """A key or field path -> (its slot key, the slot).

        Raises
        ------
        SROIError
            Naming ``field`` and listing the valid names when ``name`` is unknown.
        """
        if isinstance(name, str):
            if name in self.slots:
                return name, self.slots[name]
            paths = self.path_keys()
            if name in paths:
                return paths[name], self.slots[paths[name]]
        if isinstance(name, str) and name.startswith("outcomes[id="):
            return self.resolve(self.canonical(name), field)
        valid = sorted(set(self.slots) | set(self.path_keys()))
        raise SROIError(
            f"unknown estimate {name!r:.80}; expected a parameter name or field path, one of: "
            f"{', '.join(valid)}",
            field,
        )

    def describe_key(self, key: str) -> str:
        """A readable name for an estimate's key: named parameters keep their name; a field path
        becomes ``"<stakeholder>: <outcome>: <field>"`` or ``"input: <description>"``."""
        m = _PATH_RE.match(key)
        if m and int(m.group(1)) < len(self.labels):
            name = m.group(2).replace("_", " ")
            if name == "quantity factors":
                name = "quantity factor"
            if m.group(3) is not None:
                name = f"{name} {int(m.group(3)) + 1}"
            return f"{self.labels[int(m.group(1))]}: {name}"
        m = _INPUT_RE.match(key)
        if m and int(m.group(1)) < len(self.input_labels):
            return f"input: {self.input_labels[int(m.group(1))]}"
        return key

    def stack(self, settings: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
        """Stack settings (each a mapping key-or-path -> value) into per-name sample arrays.

        Sample ``s`` of the result reproduces ``settings[s]`` exactly: a path not set in a
        setting takes that setting's value for its key if given, else the point value.
        """
        paths = self.path_keys()
        settings = [self._canonical_values(s) or {} for s in settings]
        names: dict[str, None] = {}
        for s in settings:
            names.update(dict.fromkeys(s))
        out: dict[str, np.ndarray] = {}
        for name in names:
            if name in self.slots:
                base = self.slots[name].base
                out[name] = np.array([float(s.get(name, base)) for s in settings])
            else:
                key = paths[name]
                base = self.slots[key].base
                out[name] = np.array([float(s.get(name, s.get(key, base))) for s in settings])
        return out

    def upper_periods(self) -> tuple[int, int]:
        """Upper bounds of K (years of an outcome's life) and T (periods) over all draws."""
        k_max = 1
        for spec in self.outcomes:
            s = self.slots[spec.duration[0]]
            hi = s.base if s.distribution is None else s.distribution.support()[1]
            k_max = max(k_max, int(np.clip(np.floor(hi + 0.5), 1, 100)))
        starts = max(spec.start for spec in self.outcomes)
        t_max = max(
            starts + k_max - 1,
            int(self.input_years.max(initial=0)),
            len(self.rates),
            self.reference_period,
            1,
        )
        return k_max, t_max

    # -- the engine -------------------------------------------------------------------------------
    def arrays(
        self, values: Mapping[str, Any] | None = None, draws: tuple[Sequence[str], np.ndarray] | None = None
    ) -> EngineArrays:
        """Engine arrays for parameter values (key or field path -> scalar or (S,) array) and
        optionally a table of draws (keys, (k, S) array).

        Keys missing from ``values`` take their point value (see :class:`sroi.assembly.Recipe`).
        """
        if not values and draws is None:
            return self.point()[0]
        return self.recipe.assemble(self._canonical_values(values), draws)

    def point(self) -> tuple[EngineArrays, EngineOutput]:
        """The engine arrays and output at the point value of every estimate (computed once)."""
        if self._point is None:
            arrays = self.recipe.assemble()
            self._point = (arrays, run(arrays, self.timing, self.reference_period))
        return self._point

    def run(
        self, values: Mapping[str, Any] | None = None, draws: tuple[Sequence[str], np.ndarray] | None = None
    ) -> EngineOutput:
        """Run the engine for parameter values (key or field path -> scalar or (S,) array).

        Parameters
        ----------
        values : mapping, optional
            Values by slot key or field path; missing keys take their point value. Arrays give
            one sample each (S samples); scalars apply to every sample.
        draws : (keys, table), optional
            Slot keys and their values, one row of S samples per key (the Monte Carlo's draws).

        Returns
        -------
        sroi.engine.EngineOutput
            With the conventions (discount timing, reference period) fixed at compile time
            (docs/method.md §3-4).
        """
        if not values and draws is None:
            return self.point()[1]
        return run(
            self.recipe.assemble(self._canonical_values(values), draws), self.timing, self.reference_period
        )

    def by_period(
        self,
        values: Mapping[str, Any] | None = None,
        outcomes: Any = None,
        draws: tuple[Sequence[str], np.ndarray] | None = None,
    ) -> PeriodOutput:
        """Values period by period (see :func:`sroi.engine.by_period`), for the same values as
        :meth:`run`; ``outcomes`` selects some outcomes (indices or a boolean mask)."""
        return by_period(self.arrays(values, draws), self.timing, self.reference_period, outcomes)

    def run_batched(
        self,
        values: Mapping[str, Any],
        outputs: Sequence[str] = OUTPUTS,
        chunk_size: int = 1 << 15,
    ) -> dict[str, np.ndarray]:
        """:meth:`run` over many samples in chunks, keeping only some per-sample outputs.

        Memory stays bounded however many samples there are: a chunk's engine arrays are
        (outcomes x ``chunk_size``).

        Parameters
        ----------
        values : mapping
            Values by slot key or field path, each a scalar or an (S,) array.
        outputs : sequence of str
            Names of :class:`~sroi.engine.EngineOutput` fields with one value per sample
            (default :data:`sroi.glossary.OUTPUTS`), plus ``payback_months``.
        chunk_size : int
            Samples per engine call.

        Returns
        -------
        dict of str to ndarray (S,)
        """
        n = max((np.size(v) for v in values.values()), default=1)
        result = {name: np.empty(n) for name in outputs}
        for start in range(0, n, chunk_size):
            stop = min(n, start + chunk_size)
            part = {k: (v[start:stop] if np.ndim(v) else v) for k, v in values.items()}
            out = self.run(part)
            for name in outputs:
                result[name][start:stop] = np.broadcast_to(getattr(out, name), (stop - start,))
        return result

    def run_settings(self, settings: Sequence[Mapping[str, Any]]) -> EngineOutput:
        """One engine call for a list of settings; sample ``s`` is ``settings[s]``.

        Each setting maps keys or field paths to values; what it leaves out stays at its point
        value. The output has ``len(settings)`` samples (at least one).
        """
        values: dict[str, Any] = self.stack(settings) if settings else {}
        out = self.run(values)
        if len(settings) > 1 and out.ratio.shape[0] != len(settings):
            # every setting left every estimate at its point value: repeat the point values
            values = {k: np.full(len(settings), s.base) for k, s in self.slots.items()}
            out = self.run(values)
        return out

    def estimates_table(self) -> pd.DataFrame:
        """Every estimate, one row per key.

        Columns: ``key``, ``label``, ``fields`` (the field paths using it), ``kind``, ``unit``,
        ``point_value``, ``distribution`` (model-file text or empty), ``p10``, ``p90``.
        """
        rows = []
        for s in self.slots.values():
            d = s.distribution
            rows.append(
                {
                    "key": s.key,
                    "label": self.describe_key(s.key),
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


def estimates_table(analysis: AnalysisLike) -> pd.DataFrame:
    """Every numeric estimate of an analysis, one row per key (see :meth:`Compiled.estimates_table`).

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis("t", "GBP", [sroi.Outcome("Carers", "Respite", quantity="5 person",
    ...                    proxy="200 GBP/person", deadweight=sroi.Uniform(0.1, 0.3))],
    ...                    [sroi.Input("Funder", "Grant", "100 GBP")])
    >>> row = estimates_table(a).set_index("key").loc["outcomes[0].deadweight"]
    >>> row["kind"], float(row["point_value"])
    ('fraction', 0.2)
    """
    return analysis.compiled.estimates_table()


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


class _ValueMapSpec(Protocol):
    """The fields of an analysis that :func:`compile_analysis` reads."""

    @property
    def currency(self) -> str: ...

    @property
    def price_year(self) -> int | None: ...

    @property
    def outcomes(self) -> Sequence[Any]: ...

    @property
    def inputs(self) -> Sequence[Any]: ...

    @property
    def parameters(self) -> Mapping[str, Any]: ...

    @property
    def discount_rate(self) -> Any: ...

    @property
    def discount_timing(self) -> str: ...

    @property
    def drop_off_from_year(self) -> int: ...

    @property
    def reference_period(self) -> int: ...

    @property
    def rates(self) -> Any: ...


def compile_analysis(analysis: _ValueMapSpec) -> Compiled:
    """Resolve references, check units, fold unit and currency factors, list the slots.

    Parameters
    ----------
    analysis : Analysis
        Or any object with its Value Map fields and conventions.

    Returns
    -------
    Compiled

    Raises
    ------
    UnitError
        A quantity that does not match its proxy (e.g. a per-person proxy x devices), naming
        ``outcomes[i].proxy`` and saying which conversion is missing.
    ConversionError
        A foreign-currency proxy or input that cannot be converted.
    """
    slots: dict[str, Slot] = {}
    conversions: list[Any] = []

    def slot(raw: Any, path: str, kind: str, normalise: Any) -> tuple[str, str, pint.Unit]:
        if isinstance(raw, Ref):
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
        return lambda v, p: as_amount(v, p, what)

    def per_year(items: Any, name: str, pre: str, kind: str, read: Any) -> list[tuple[str, str, float]]:
        """Slots of a value or a per-year list, each year's unit scaled to the first year's."""
        listed = isinstance(items, tuple)
        entries = list(items) if listed else [items]
        paths = [f"{pre}.{name}[{k}]" for k in range(len(entries))] if listed else [f"{pre}.{name}"]
        out: list[tuple[str, str, float]] = []
        first = None
        for raw, path in zip(entries, paths, strict=True):
            key, path, unit = slot(raw, path, kind, read)
            if first is None:
                first, scale = unit, 1.0
            else:
                try:
                    scale = float(ureg.Quantity(1.0, unit).to(first).magnitude)
                except pint.errors.DimensionalityError:
                    raise UnitError(
                        f"every year of a {name} list needs the same unit ({first}), got {unit}", path
                    ) from None
            out.append((key, path, scale))
        units[(pre, name)] = first
        return out

    units: dict[tuple[str, str], Any] = {}
    specs: list[OutcomeSpec] = []
    for i, o in enumerate(analysis.outcomes):
        pre = f"outcomes[{i}]"
        quantity = per_year(o.quantity, "quantity", pre, "quantity", amount("a quantity"))
        factors = []
        reached = ureg.Quantity(1.0, units[(pre, "quantity")])
        for j, raw in enumerate(o.quantity_factors):
            key, path, unit = slot(
                raw, f"{pre}.quantity_factors[{j}]", "factor", amount("a conversion factor")
            )
            factors.append((key, path))
            reached = reached * ureg.Quantity(1.0, unit)
        proxies = per_year(o.proxy, "proxy", pre, "proxy", as_proxy)
        ppath = proxies[0][1].split("[")[0] if len(proxies) > 1 else proxies[0][1]
        p_unit = units[(pre, "proxy")]
        combined = reached * ureg.Quantity(1.0, p_unit)
        per_year_proxy = combined.dimensionality.get("[time]", 0) == -1
        if per_year_proxy:
            combined = combined * ureg.Quantity(1.0, "year")
        try:
            currency = currency_of(combined, ppath)
        except UnitError:
            currency = None
        if currency is None or combined.dimensionality != ureg.Unit(currency).dimensionality:
            raise UnitError(_mismatch_message(reached, p_unit), ppath)
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
        epath = f"{pre}.income_elasticity"
        elasticity = slot(o.income_elasticity, epath, "elasticity", as_elasticity)[:2]
        e_slot = slots[elasticity[0]]
        log_ratio = 0.0
        if currency != analysis.currency and (e_slot.base != 0 or e_slot.distribution is not None):
            log_ratio, record = _income_adjustment(analysis, currency, e_slot.base, epath)
            conversions.append(record)
        filters = {
            name: slot(getattr(o, name), f"{pre}.{name}", "fraction", as_fraction)[:2] for name in FILTERS
        }
        duration = slot(o.duration, f"{pre}.duration", "duration", as_duration)[:2]
        overlaps = tuple(
            slot(share, f"{pre}.overlaps.{other}", "fraction", as_fraction)[:2]
            for other, share in o.overlaps.items()
            if share is not None
        )
        reached_scale = float(reached.magnitude)
        shown = ureg.Unit(analysis.currency) / reached.units
        if per_year_proxy:
            shown = shown / ureg.year
        drop_from = analysis.drop_off_from_year if o.drop_off_from_year is None else o.drop_off_from_year
        specs.append(
            OutcomeSpec(
                quantity=tuple(quantity),
                factors=tuple(factors),
                proxy=tuple(proxies),
                filters=filters,
                duration=duration,
                overlaps=overlaps,
                elasticity=elasticity,
                log_income_ratio=log_ratio,
                start=o.start,
                drop_off_from=drop_from,
                reached_scale=reached_scale,
                reached_unit="" if reached.units == ureg.dimensionless else str(reached.units),
                proxy_factor=unit_factor / reached_scale,
                proxy_unit=str(shown),
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
    rates = [slot(r, p, "rate", as_rate)[:2] for r, p in zip(rate_items, rate_paths, strict=True)]
    years = np.array([inp.year for inp in analysis.inputs], dtype=np.int64)
    recipe = build_recipe(slots, specs, inputs, years, rates, analysis.reference_period)
    return Compiled(
        slots,
        specs,
        inputs,
        years,
        rates,
        conversions,
        recipe,
        timing=analysis.discount_timing,
        drop_off_from_year=analysis.drop_off_from_year,
        reference_period=analysis.reference_period,
        labels=[f"{o.stakeholder}: {o.outcome}" for o in analysis.outcomes],
        input_labels=[inp.description or inp.stakeholder for inp in analysis.inputs],
        ids=list(getattr(analysis, "outcome_ids", [f"outcome_{i}" for i in range(len(specs))])),
    )


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


def _convert(analysis: _ValueMapSpec, currency: str, from_year: int | None, basis: str, path: str) -> Any:
    return money.conversion_factor(
        currency,
        analysis.currency,
        from_year,
        analysis.price_year,
        basis=basis,
        rates=analysis.rates,
        field=path,
    )


def _income_adjustment(
    analysis: _ValueMapSpec, currency: str, elasticity: float, path: str
) -> tuple[float, Any]:
    """ln(Y_target / Y_source) for a proxy in ``currency``, and the record of the adjustment at
    the point elasticity (docs/method.md §5.3)."""
    if analysis.price_year is None:
        raise ConversionError(
            "an income adjustment needs the analysis price_year (incomes are compared in that year)", path
        )
    rates = analysis.rates if analysis.rates is not None else Rates.default()
    ratio, source = rates.income_ratio_between(currency, analysis.currency, analysis.price_year, path)
    record = money.Conversion(
        currency,
        analysis.price_year,
        analysis.currency,
        analysis.price_year,
        "income",
        ratio,
        1.0,
        ratio**elasticity,
        ratio**elasticity,
        f"income adjustment (Y_target / Y_source) ** e = {ratio:.6g} ** {elasticity:g} at the point "
        f"elasticity; {source}",
        path,
    )
    return math.log(ratio), record
