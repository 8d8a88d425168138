"""Array assembly: from the values of a model's estimates to the engine's arrays, one gather per field.

A compiled model keeps a :class:`Recipe`: every estimate (slot) is a row of a value table,
with two constant rows (``1`` and ``0``) for padding; every field of the engine (quantity,
proxy, each filter, duration, inputs, rates...) is an index array into that table, outcome
by outcome, with the constant unit and currency factors folded in as vectors. Assembling the
arrays for some values is then a fixed number of numpy operations, whatever the number of
outcomes: a field whose rows do not vary is taken from the point values as an ``(O, 1)``
column that broadcasts; a field with varying rows is filled with one fancy-indexed copy.

Values are given per slot key (a named parameter, or the field path of an unnamed estimate)
or per field path (which overrides that one field only: a new row is added and the field's
index points at it). This module only moves numbers; the arithmetic is in :mod:`sroi.engine`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sroi.engine import EngineArrays
from sroi.exceptions import SROIError
from sroi.glossary import FILTERS

if TYPE_CHECKING:
    import pint

    from sroi.distributions import Distribution

__all__ = ["ONE", "ZERO", "OutcomeSpec", "Recipe", "Slot", "build_recipe"]

#: Row of the value table that always holds 1 (pads quantity factors).
ONE = 0
#: Row of the value table that always holds 0 (pads per-year profiles).
ZERO = 1


@dataclass
class Slot:
    """One estimate: its key, the fields using it, its kind, unit, point value and distribution.

    Attributes
    ----------
    key : str
        A named parameter's name, or the field path of an unnamed estimate.
    kind : {"quantity", "factor", "proxy", "fraction", "duration", "rate", "money"}
    unit : pint.Unit or None
        Unit of the values (None: dimensionless).
    base : float
        The point value (the central value of the distribution, if any).
    distribution : Distribution or None
        The estimate's distribution; None for a fixed value.
    named : bool
        True for a named parameter.
    paths : list of str
        Field paths using the estimate.
    """

    key: str
    kind: str
    unit: pint.Unit | None
    base: float
    distribution: Distribution | None
    named: bool
    paths: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OutcomeSpec:
    """How one outcome's engine inputs are assembled from slots.

    Attributes
    ----------
    quantity : tuple of (key, path, scale)
        One entry, or one per year of a quantity list; ``scale`` converts each year's unit
        to the first year's.
    factors : tuple of (key, path)
        Quantity factors, multiplied in.
    proxy : tuple of (key, path, scale)
        One entry, or one per year of a proxy list (``scale`` as for the quantity).
    filters : dict of str to (key, path)
        Deadweight, displacement, attribution, drop-off.
    duration : (key, path)
    overlaps : tuple of (key, path)
        Shares of the value already counted by other outcomes (taken out).
    elasticity : (key, path)
        The income elasticity of the benefit-transfer adjustment.
    log_income_ratio : float
        ln(Y_target / Y_source) for the proxy's currency (0 when the proxy is not transferred or
        the elasticity is 0).
    start : int
        Period of the outcome's first year.
    drop_off_from : int
        First year of life that drop-off applies to.
    reached_scale : float
        Turns quantity x factors (in their units) into units reached.
    reached_unit : str
        What one unit reached is (e.g. ``person``), empty if dimensionless.
    proxy_factor : float
        Turns the proxy (in its unit and currency) into the analysis currency per unit reached
        per year: unit conversion x currency and price-year conversion.
    proxy_unit : str
        Unit of the proxy so converted, e.g. ``CNY / person / year``.
    """

    quantity: tuple[tuple[str, str, float], ...]
    factors: tuple[tuple[str, str], ...]
    proxy: tuple[tuple[str, str, float], ...]
    filters: dict[str, tuple[str, str]]
    duration: tuple[str, str]
    overlaps: tuple[tuple[str, str], ...]
    elasticity: tuple[str, str]
    log_income_ratio: float
    start: int
    drop_off_from: int
    reached_scale: float
    reached_unit: str
    proxy_factor: float
    proxy_unit: str

    @property
    def profile(self) -> bool:
        """True when the value changes from year to year (a quantity or proxy list)."""
        return len(self.quantity) > 1 or len(self.proxy) > 1


@dataclass
class Recipe:
    """Index arrays into a value table, one per engine field (see the module docstring).

    Attributes
    ----------
    keys : list of str
        Slot keys; key ``keys[r - 2]`` is row ``r`` (rows 0 and 1 are the constants 1 and 0).
    base : ndarray (R,)
        Point value of every row.
    fields : dict of str to ndarray of int
        Row indices: ``quantity`` (O,), ``factors`` (O, F), ``proxy`` (O,), ``deadweight``,
        ``displacement``, ``attribution``, ``drop_off``, ``duration``, ``elasticity`` (O,),
        ``overlaps`` (O, M), ``inputs`` (J,), ``rates`` (R,), ``profile_quantity`` and
        ``profile_proxy`` (P, K).
    scales : dict of str to ndarray
        Constant multipliers folded in: ``quantity`` (O,), ``proxy`` (O,), ``inputs`` (J,),
        ``profile_quantity`` and ``profile_proxy`` (P, K); ``elasticity`` (O,) holds
        ln(Y_target / Y_source), the proxy being multiplied by exp(elasticity x that).
    start, drop_off_from : ndarray of int (O,)
    input_years : ndarray of int (J,)
    profile_outcomes : ndarray of int (P,)
    reference_period : int
    paths : dict of str to list of (field, position)
        Where each field path sits in the index arrays (a field path may feed two arrays: the
        first year of a per-year list is also the year-1 quantity or proxy).
    """

    keys: list[str]
    base: np.ndarray
    fields: dict[str, np.ndarray]
    scales: dict[str, np.ndarray]
    start: np.ndarray
    drop_off_from: np.ndarray
    input_years: np.ndarray
    profile_outcomes: np.ndarray
    reference_period: int = 0
    paths: dict[str, list[tuple[str, tuple[Any, ...]]]] = field(default_factory=dict)
    _row: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._row = {k: r + 2 for r, k in enumerate(self.keys)}
        # fields whose constant factors are all 1 (no unit or currency conversion): not multiplied
        self._unit_scale = {name: bool(np.all(np.asarray(sc) == 1.0)) for name, sc in self.scales.items()}

    def row(self, key: str) -> int:
        """Row of a slot key in the value table."""
        return self._row[key]

    def assemble(
        self,
        values: Mapping[str, Any] | None = None,
        draws: tuple[Sequence[str], np.ndarray] | None = None,
    ) -> EngineArrays:
        """Engine arrays for values by slot key or field path (scalars or (S,) arrays).

        Parameters
        ----------
        values : mapping, optional
            Values by slot key or field path. Keys missing take their point value.
        draws : (keys, table), optional
            Slot keys and a (k, S) table of their values, one row per key (the Monte Carlo's
            draws, used without copying row by row).

        Products too large for a float become infinite (no warning); :class:`sroi.Analysis`
        rejects a model whose point values overflow.
        """
        values = values or {}
        n = 1 if draws is None else int(draws[1].shape[1])
        for name, v in values.items():
            shape = np.shape(v)
            if len(shape) > 1:
                raise SROIError(f"expected a scalar or a 1-D array of samples, got shape {shape}", "values")
            if shape and shape[0] != 1:
                if n not in (1, shape[0]):
                    raise SROIError(f"sample arrays differ in length ({n} and {shape[0]})", str(name))
                n = shape[0]
        base = self.base
        fields = self.fields
        varying: list[np.ndarray] = []
        pos = None
        if values:
            base = base.copy()
            fields = dict(fields)
            extra: list[float] = []
            var_rows: list[int] = []
            for name, v in values.items():
                arr = np.asarray(v, dtype=float).reshape(-1)
                if name in self._row:
                    r = self._row[name]
                elif name in self.paths:
                    r = base.size + len(extra)
                    extra.append(0.0)
                    for group, at in self.paths[name]:
                        idx = fields[group].copy()
                        idx[at] = r
                        fields[group] = idx
                else:
                    raise SROIError(
                        f"unknown estimate {name!r:.80}; expected a slot key or a field path", "values"
                    )
                if arr.size == 1:
                    if r < base.size:
                        base[r] = arr[0]
                    else:
                        extra[r - base.size] = arr[0]
                else:
                    var_rows.append(r)
                    varying.append(arr)
            if extra:
                base = np.concatenate([base, extra])
            if var_rows:
                pos = np.full(base.size, -1, dtype=np.intp)
                pos[var_rows] = np.arange(len(var_rows))
        table = np.stack(varying) if varying else None
        if draws is not None and len(draws[0]):
            keys, drawn = draws
            if pos is None:
                pos = np.full(base.size, -1, dtype=np.intp)
            offset = 0 if table is None else table.shape[0]
            for q, key in enumerate(keys):
                if pos[self._row[key]] < 0:  # a value given for the key itself wins over its draw
                    pos[self._row[key]] = offset + q
            table = drawn if table is None else np.concatenate([table, drawn])

        def gather(name: str, scale: np.ndarray | None = None) -> np.ndarray:
            idx = fields[name]
            out = base[idx][..., None]
            if pos is not None and table is not None:
                p = pos[idx]
                hit = p >= 0
                if hit.size and hit.all():  # every element drawn: one gather, no base copy
                    out = _rows(table, p)
                elif hit.any():
                    out = np.repeat(out, n, axis=-1)
                    out[hit] = table[p[hit]]
            return out if scale is None or self._unit_scale[name] else out * scale[..., None]

        with np.errstate(over="ignore", invalid="ignore"):
            factors = gather("factors")
            reach = factors.prod(axis=1) if factors.shape[1] else np.ones((factors.shape[0], 1))
            quantity = gather("quantity", self.scales["quantity"])
            if factors.shape[1]:  # x * 1 is x: no pass when there are no quantity factors
                quantity = quantity * reach
            proxy = gather("proxy", self.scales["proxy"])
            log_income = self.scales["elasticity"]
            income = None
            if np.any(log_income != 0.0):  # benefit transfer: (Y_target / Y_source) ** e
                income = np.exp(gather("elasticity") * log_income[:, None])
                proxy = proxy * income
            shares = gather("overlaps")
            overlap = (
                1.0 - np.prod(1.0 - shares, axis=1) if shares.shape[1] else np.zeros((shares.shape[0], 1))
            )
            duration = np.clip(np.floor(gather("duration") + 0.5), 1.0, 100.0)  # halves round up
            filters = {k: gather(k) for k in ("deadweight", "displacement", "attribution", "drop_off")}
            inputs = gather("inputs", self.scales["inputs"])
            profile = None
            if self.profile_outcomes.size:
                p = self.profile_outcomes
                gross = gather("profile_quantity", self.scales["profile_quantity"]) * gather(
                    "profile_proxy", self.scales["profile_proxy"]
                )
                gross = gross * reach[p][:, None, :]
                if income is not None:
                    gross = gross * income[p][:, None, :]
                profile = np.moveaxis(gross, 1, 0)  # (K, P, S)
            starts = self.start
            n_periods = max(
                int(starts.max()) + int(duration.max()) - 1,
                int(self.input_years.max(initial=0)),
                fields["rates"].size,
                self.reference_period,
                1,
            )
            rates = gather("rates")
            if rates.shape[0] < n_periods:
                rates = np.concatenate([rates, np.repeat(rates[-1:], n_periods - rates.shape[0], axis=0)])
        return EngineArrays(
            quantity=quantity,
            proxy=proxy,
            deadweight=filters["deadweight"],
            displacement=filters["displacement"],
            attribution=filters["attribution"],
            drop_off=filters["drop_off"],
            overlap=overlap,
            duration=duration,
            start=self.start,
            drop_off_from=self.drop_off_from,
            rates=rates,
            inputs=inputs,
            input_years=self.input_years,
            profile_outcomes=self.profile_outcomes,
            profile=profile,
        )


def _rows(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``table[index]``; a view, without copying, when ``index`` is 1-D and evenly spaced upwards
    (e.g. the drawn quantities of an outcome-major model, one every five rows)."""
    if index.ndim == 1 and index.size:
        first = int(index[0])
        if index.size == 1:
            return table[first : first + 1]
        step = int(index[1]) - first
        if step > 0 and bool(np.all(np.diff(index) == step)):
            return table[first : int(index[-1]) + 1 : step]
    return table[index]


def build_recipe(
    slots: Mapping[str, Slot],
    specs: Sequence[OutcomeSpec],
    inputs: Sequence[tuple[str, str, float]],
    input_years: np.ndarray,
    rates: Sequence[tuple[str, str]],
    reference_period: int,
) -> Recipe:
    """The recipe of a compiled model: index arrays from slot values to engine arrays."""
    keys = list(slots)
    row = {k: r + 2 for r, k in enumerate(keys)}
    base = np.array([1.0, 0.0, *(slots[k].base for k in keys)])
    n_out = len(specs)
    paths: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}

    def point(path: str, group: str, at: tuple[Any, ...]) -> None:
        paths.setdefault(path, []).append((group, at))

    n_fac = max((len(sp.factors) for sp in specs), default=0)
    factors = np.full((n_out, n_fac), ONE, dtype=np.intp)
    n_ovl = max((len(sp.overlaps) for sp in specs), default=0)
    overlaps = np.full((n_out, n_ovl), ZERO, dtype=np.intp)
    profiled = [i for i, sp in enumerate(specs) if sp.profile]
    k_prof = max((max(len(specs[i].quantity), len(specs[i].proxy)) for i in profiled), default=0)
    prof = {g: np.full((len(profiled), k_prof), ZERO, dtype=np.intp) for g in ("quantity", "proxy")}
    prof_scale = {g: np.zeros((len(profiled), k_prof)) for g in ("quantity", "proxy")}
    fields: dict[str, np.ndarray] = {
        name: np.empty(n_out, dtype=np.intp)
        for name in ("quantity", "proxy", "duration", "elasticity", *FILTERS)
    }
    scales = {name: np.empty(n_out) for name in ("quantity", "proxy", "elasticity")}
    for i, sp in enumerate(specs):
        for group, entries, unit in (
            ("quantity", sp.quantity, sp.reached_scale),
            ("proxy", sp.proxy, sp.proxy_factor),
        ):
            key, path, sc = entries[0]
            fields[group][i] = row[key]
            scales[group][i] = sc * unit
            point(path, group, (i,))
        for j, (fkey, fpath) in enumerate(sp.factors):
            factors[i, j] = row[fkey]
            point(fpath, "factors", (i, j))
        for j, (okey, opath) in enumerate(sp.overlaps):
            overlaps[i, j] = row[okey]
            point(opath, "overlaps", (i, j))
        for name in ("duration", "elasticity", *FILTERS):
            key, path = {"duration": sp.duration, "elasticity": sp.elasticity}.get(name) or sp.filters[name]
            fields[name][i] = row[key]
            point(path, name, (i,))
        scales["elasticity"][i] = sp.log_income_ratio
    for p, i in enumerate(profiled):
        sp = specs[i]
        years = max(len(sp.quantity), len(sp.proxy))
        for group, entries, unit in (
            ("quantity", sp.quantity, sp.reached_scale),
            ("proxy", sp.proxy, sp.proxy_factor),
        ):
            for k in range(years):
                key, path, sc = entries[k] if len(entries) > 1 else entries[0]
                prof[group][p, k] = row[key]
                prof_scale[group][p, k] = sc * unit
                if len(entries) > 1:
                    point(path, f"profile_{group}", (p, k))
            if len(entries) == 1:
                point(entries[0][1], f"profile_{group}", (p, slice(0, years)))
    fields["factors"] = factors
    fields["overlaps"] = overlaps
    fields["inputs"] = np.array([row[k] for k, _, _ in inputs], dtype=np.intp)
    for j, (_, path, _) in enumerate(inputs):
        point(path, "inputs", (j,))
    fields["rates"] = np.array([row[k] for k, _ in rates], dtype=np.intp)
    for t, (_, path) in enumerate(rates):
        point(path, "rates", (t,))
    fields["profile_quantity"], fields["profile_proxy"] = prof["quantity"], prof["proxy"]
    return Recipe(
        keys=keys,
        base=base,
        fields=fields,
        scales={
            **scales,
            "inputs": np.array([f for _, _, f in inputs]),
            "profile_quantity": prof_scale["quantity"],
            "profile_proxy": prof_scale["proxy"],
        },
        start=np.array([sp.start for sp in specs], dtype=np.int64),
        drop_off_from=np.array([sp.drop_off_from for sp in specs], dtype=np.int64),
        input_years=input_years,
        profile_outcomes=np.array(profiled, dtype=np.intp),
        reference_period=reference_period,
        paths=paths,
    )
