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
from typing import Any

import numpy as np

from sroi.engine import EngineArrays
from sroi.exceptions import SROIError

__all__ = ["ONE", "ZERO", "Recipe"]

#: Row of the value table that always holds 1 (pads quantity factors).
ONE = 0
#: Row of the value table that always holds 0 (pads per-year profiles).
ZERO = 1


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
                if hit.any():
                    out = np.repeat(out, n, axis=-1)
                    out[hit] = table[p[hit]]
            return out if scale is None else out * scale[..., None]

        with np.errstate(over="ignore", invalid="ignore"):
            factors = gather("factors")
            reach = factors.prod(axis=1) if factors.shape[1] else np.ones((factors.shape[0], 1))
            quantity = gather("quantity", self.scales["quantity"]) * reach
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
