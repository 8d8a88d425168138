"""Sustainability-linked loan overlay: the two-way margin ratchet.

A margin ratchet lowers a loan's interest margin by a few basis points for each social KPI
target met (typically 1-10 bp per KPI) and, in a two-way ratchet, raises it for each target
missed. A KPI can be a point value or Monte Carlo draws (:class:`KPI`); with draws, the
probability of each step is reported. The targets should be ambitious, beyond business as
usual (the Principles' calibration of targets), not the forecast's own values. A ratchet
prices the loan; it does not add debt capacity, which comes only from contracted, verifiable
cash (:func:`sroi.finance.credit_line`).

References
----------
.. [1] LMA / APLMA / LSTA (2023). Sustainability-Linked Loan Principles.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pint

from sroi.exceptions import SROIError
from sroi.finance.cashflows import as_number, money_magnitude, warn
from sroi.finance.formatting import format_amount, frame_html, records
from sroi.units import Q_

__all__ = ["KPI", "MarginRatchet", "margin_ratchet"]

_DIRECTIONS = ("higher", "lower")


@dataclass(frozen=True)
class KPI:
    """A sustainability KPI and its target: an observed value, or Monte Carlo draws of it.

    Parameters
    ----------
    name : str
    target : float [KPI unit]
        Sustainability performance target: the margin steps down when it is met.
    draws : array-like, shape (S,) [KPI unit], optional
        Monte Carlo draws of the KPI (e.g. from a simulation's draws); the probability of each
        step is the share of draws in which it happens.
    actual : float [KPI unit], optional
        An observed value; default the median of the draws.
    direction : {'higher', 'lower'}
        Whether a higher or a lower value is better; default ``'higher'``.
    step_up_threshold : float [KPI unit], optional
        The margin steps up when the KPI is worse than this; default the target (no neutral
        band between the two steps).

    Raises
    ------
    SROIError
        Naming the field: no draws and no actual, NaN, a threshold on the wrong side of the
        target, an unknown direction.

    Examples
    --------
    >>> from sroi.finance import KPI
    >>> kpi = KPI("users (million)", target=7.4, draws=[6.5, 7.0, 7.5, 8.0])
    >>> kpi.actual
    7.25
    """

    name: str
    target: float
    draws: Any = field(default=None, repr=False)
    actual: float | None = None
    direction: str = "higher"
    step_up_threshold: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SROIError(f"expected a KPI name, got {self.name!r}", "name")
        object.__setattr__(self, "target", as_number(self.target, f"{self.name}.target"))
        if self.direction not in _DIRECTIONS:
            raise SROIError(
                f"direction must be 'higher' or 'lower', got {self.direction!r}", f"{self.name}.direction"
            )
        if self.draws is not None:
            arr = np.asarray(self.draws, dtype=float).ravel()
            if arr.size == 0 or not np.isfinite(arr).all():
                raise SROIError(
                    "expected finite Monte Carlo draws, got none, NaN or infinite ones", f"{self.name}.draws"
                )
            object.__setattr__(self, "draws", arr)
            if self.actual is None:
                object.__setattr__(self, "actual", float(np.median(arr)))
        if self.actual is None:
            raise SROIError("give an actual value or Monte Carlo draws", f"{self.name}.actual")
        object.__setattr__(self, "actual", as_number(self.actual, f"{self.name}.actual"))
        if self.step_up_threshold is not None:
            t = as_number(self.step_up_threshold, f"{self.name}.step_up_threshold")
            if (t > self.target) if self.direction == "higher" else (t < self.target):
                raise SROIError(
                    f"the step-up threshold {t:g} is better than the target {self.target:g}; it must be "
                    "at or below it (at or above for 'lower is better')",
                    f"{self.name}.step_up_threshold",
                )
            object.__setattr__(self, "step_up_threshold", t)

    @classmethod
    def from_targets(
        cls, targets: Any, period: int, *, actual: float | None = None, step_up_threshold: float | None = None
    ) -> KPI:
        """A KPI from an indicator's calibrated targets (:func:`sroi.indicators.calibrate_targets`):
        the period's target, the forecast draws, the indicator's direction, and the monitored
        ``actual`` when known (e.g. ``monitoring.actual(indicator, period)``).

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> t = SimpleNamespace(kpi=lambda period, actual=None: {"name": "users", "target": 7.0,
        ...                     "draws": [6.0, 7.5, 8.0], "direction": "higher"})
        >>> KPI.from_targets(t, 1).actual
        7.5
        """
        fields = dict(targets.kpi(period, actual))
        return cls(**fields, step_up_threshold=step_up_threshold)

    def _met(self, x: np.ndarray) -> np.ndarray:
        return x >= self.target if self.direction == "higher" else x <= self.target

    def _missed(self, x: np.ndarray) -> np.ndarray:
        t = self.target if self.step_up_threshold is None else self.step_up_threshold
        return x < t if self.direction == "higher" else x > t


@dataclass(frozen=True, eq=False)
class MarginRatchet:
    """Interest saved by a sustainability-linked margin ratchet.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per KPI: kpi, target, actual, direction, met, bps, saving [currency year^-1].
    total_saving : float or pint.Quantity [currency year^-1]
        Annual interest saving, net of any step-up (negative when the margin rises).
    total_bps : float [bp]
        Margin reduction earned, in basis points.
    total_step_up_bps : float [bp]
        Margin increase for targets missed (two-way ratchet).
    expected_change_bps : float [bp]
        Expected change of the margin from the step probabilities (negative: lower margin).
    p_margin_lower, p_margin_higher : float [-]
        Probability that the margin ends lower, or higher, than without the ratchet, over the
        joint Monte Carlo draws (NaN unless every KPI has draws of the same length).
    drawn_balance : float [currency]
        Drawn balance the margin applies to.
    currency : str or None
        ISO code when the balance was a money quantity.
    """

    table: pd.DataFrame
    total_saving: float | pint.Quantity
    total_bps: float
    drawn_balance: float
    currency: str | None = None
    total_step_up_bps: float = 0.0
    expected_change_bps: float = float("nan")
    p_margin_lower: float = float("nan")
    p_margin_higher: float = float("nan")

    @property
    def summary(self) -> pd.DataFrame:
        """Headline figures in one ``value`` column."""
        saving = self.total_saving
        rows: dict[str, Any] = {"kpis_met": int(self.table["met"].sum()), "kpis": len(self.table)}
        rows |= {
            "total_bps": self.total_bps,
            "total_step_up_bps": self.total_step_up_bps,
            "expected_change_bps": self.expected_change_bps,
            "p_margin_lower": self.p_margin_lower,
            "p_margin_higher": self.p_margin_higher,
            "drawn_balance": self.drawn_balance,
            "currency": self.currency or "",
        }
        rows["annual_saving"] = float(saving.magnitude if isinstance(saving, pint.Quantity) else saving)
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of the ratchet."""
        return {str(k): v for k, v in self.summary["value"].items()} | {"table": records(self.table)}

    def __repr__(self) -> str:
        s = self.summary["value"]
        up = f", {self.total_step_up_bps:g} bp on for targets missed" if self.total_step_up_bps else ""
        odds = (
            f"; over the draws the margin ends lower with probability {self.p_margin_lower:.2f}, higher "
            f"with {self.p_margin_higher:.2f}"
            if np.isfinite(self.p_margin_lower)
            else ""
        )
        return (
            f"MarginRatchet: {s['kpis_met']} of {s['kpis']} KPI targets met, {self.total_bps:g} bp off the "
            f"margin{up}, saving {format_amount(float(s['annual_saving']), self.currency)} a year{odds} "
            "(prices the loan; adds no capacity)"
        )

    def _repr_html_(self) -> str:
        return f"<div><p>{html.escape(repr(self))}</p>{frame_html(self.table)}</div>"


def _bps(value: Any, names: list[str], name: str) -> np.ndarray:
    """Basis points per KPI, one for all or one per KPI name, each >= 0."""
    if isinstance(value, Mapping):
        unknown = set(map(str, value)) - set(names)
        absent = set(names) - set(map(str, value))
        if unknown or absent:
            raise SROIError(
                f"needs one bps per KPI: unknown {sorted(unknown)}, missing {sorted(absent)}", field=name
            )
        by_name = {str(k): as_number(v, f"{name}[{k!r}]") for k, v in value.items()}
        bps = np.array([by_name[k] for k in names], dtype=float)
    else:
        bps = np.full(len(names), as_number(value, name))
    if (bps < 0).any():
        raise SROIError(f"expected basis points >= 0 (typically 1-10), got {bps.min():g}", field=name)
    if (bps > 25).any():
        warn(f"{name} up to {bps.max():g} bp: published ratchets are typically 1-10 bp per KPI")
    return bps


def margin_ratchet(
    drawn_balance: float | pint.Quantity,
    bps_per_kpi: float | Mapping[str, float],
    kpis: Mapping[str, bool] | pd.DataFrame | Sequence[KPI],
    *,
    step_up_bps: float | Mapping[str, float] = 0.0,
) -> MarginRatchet:
    """Interest saved (or added) by a two-way sustainability-linked margin ratchet.

    Parameters
    ----------
    drawn_balance : float or pint.Quantity [currency]
        Average drawn balance the margin applies to, >= 0.
    bps_per_kpi : float or mapping of str to float [bp]
        Margin reduction per KPI target met (step-down), in basis points (1 bp = 0.01%), one
        for all KPIs or one per KPI name. Typically 1-10 bp per KPI; above 25 bp warns.
    kpis : mapping of str to bool, pandas.DataFrame, or sequence of KPI
        KPI name -> target met; or a table with columns ``kpi``, ``target``, ``actual`` and
        optionally ``direction`` ('higher', the default, or 'lower' is better) and
        ``step_up_threshold``; or :class:`KPI` objects, which may carry Monte Carlo draws. A
        KPI with no actual (NaN) counts as not met, and as missed.
    step_up_bps : float or mapping of str to float [bp]
        Margin increase per KPI missed (step-up), as ``bps_per_kpi``. Default 0: a one-way
        ratchet, as before; a two-way ratchet gives it.

    Returns
    -------
    MarginRatchet
        ``table`` per KPI (met, missed, the probability of each step, the margin change and
        the saving) and ``total_saving`` [currency year^-1].

    Raises
    ------
    SROIError
        If the balance is negative, a bps is negative, a KPI flag is not a bool, a column is
        missing, a direction is unknown or a KPI is invalid.

    Notes
    -----
    Margin change Δ_k = up_k missed_k - down_k met_k [bp], where met_k means the target is
    met and missed_k means the KPI is worse than its step-up threshold (the target by
    default); saving = -drawn_balance x Σ_k Δ_k / 10,000. With draws, P(step down) and
    P(step up) are the shares of draws in which each happens, the expected change is
    Σ_k (up_k P(up)_k - down_k P(down)_k), and, when every KPI has draws of one length (joint
    draws of one simulation), the probability that the margin ends lower or higher is taken
    over the draws' summed changes. Targets should be ambitious, beyond business as usual
    [1]_: a target at the forecast's own value steps down about half the time by construction.
    A ratchet prices the loan: it never adds capacity to :func:`credit_line`.

    References
    ----------
    .. [1] LMA, APLMA and LSTA (2023). *Sustainability-Linked Loan Principles* (calibration
       of sustainability performance targets; margin adjustments).

    Examples
    --------
    >>> from sroi.finance import margin_ratchet
    >>> r = margin_ratchet(1_000_000, 5, {"jobs created": True, "CO2 cut": False})
    >>> r.total_saving
    500.0
    >>> r = margin_ratchet(1_000_000, 5, {"jobs created": True, "CO2 cut": False}, step_up_bps=5)
    >>> r.total_saving, r.total_step_up_bps
    (0.0, 5.0)

    A KPI given as Monte Carlo draws, with a target above its median forecast:

    >>> from sroi.finance import KPI
    >>> kpi = KPI("users (million)", target=7.4, draws=[6.5, 7.0, 7.5, 8.0, 8.5])
    >>> r = margin_ratchet(1_000_000, 5, [kpi], step_up_bps=5)
    >>> r.table[["p_step_down", "p_step_up", "expected_change_bps"]].to_dict("records")
    [{'p_step_down': 0.6, 'p_step_up': 0.4, 'expected_change_bps': -1.0}]
    """
    if isinstance(drawn_balance, pint.Quantity):
        mag, code = money_magnitude(drawn_balance, "drawn_balance")
        balance = as_number(float(mag), "drawn_balance")
    else:
        balance, code = as_number(drawn_balance, "drawn_balance"), None
    if balance < 0:
        raise SROIError(f"expected a balance >= 0, got {balance}", field="drawn_balance")

    draws: list[np.ndarray | None] = []
    kpi_list: list[KPI] = []
    if isinstance(kpis, pd.DataFrame):
        missing = {"kpi", "target", "actual"} - set(kpis.columns)
        if missing:
            raise SROIError(
                f"missing column(s) {sorted(missing)}; expected kpi, target, actual", field="kpis"
            )
        table = kpis.reset_index(drop=True).copy()
        if "direction" not in table:
            table["direction"] = "higher"
        table["direction"] = table["direction"].fillna("higher").astype(str).str.lower()
        bad = sorted(set(table["direction"]) - set(_DIRECTIONS))
        if bad:
            raise SROIError(f"direction must be 'higher' or 'lower', got {bad}", field="kpis.direction")
        target = pd.to_numeric(table["target"], errors="coerce")
        actual = pd.to_numeric(table["actual"], errors="coerce")
        if target.isna().any():
            raise SROIError("every KPI needs a numeric target", field="kpis.target")
        threshold = (
            pd.to_numeric(table["step_up_threshold"], errors="coerce").fillna(target)
            if "step_up_threshold" in table
            else target
        )
        higher = (table["direction"] == "higher").to_numpy()
        met = np.where(higher, actual >= target, actual <= target) & actual.notna().to_numpy()
        missed = np.where(higher, actual < threshold, actual > threshold) | actual.isna().to_numpy()
        table = table.assign(target=target, actual=actual, met=met.astype(bool), missed=missed.astype(bool))
        draws = [None] * len(table)
    elif isinstance(kpis, Mapping):
        for k, v in kpis.items():
            if not isinstance(v, (bool, np.bool_)):
                raise SROIError(f"expected True/False (target met), got {v!r}", field=f"kpis[{k!r}]")
        flags = [bool(v) for v in kpis.values()]
        table = pd.DataFrame(
            {"kpi": [str(k) for k in kpis], "met": flags, "missed": [not f for f in flags]}
        ).assign(target=np.nan, actual=np.nan, direction="")
        draws = [None] * len(table)
    elif isinstance(kpis, Sequence) and not isinstance(kpis, str) and all(isinstance(k, KPI) for k in kpis):
        kpi_list = [item for item in kpis if isinstance(item, KPI)]
        rows = []
        for item in kpi_list:
            point = np.array([float(item.actual or 0.0)])
            rows.append(
                {
                    "kpi": item.name,
                    "target": item.target,
                    "actual": item.actual,
                    "direction": item.direction,
                    "met": bool(item._met(point)[0]),
                    "missed": bool(item._missed(point)[0]),
                }
            )
            draws.append(item.draws)
        table = pd.DataFrame(rows, columns=["kpi", "target", "actual", "direction", "met", "missed"])
    else:
        raise SROIError(
            f"expected a mapping name -> bool, a DataFrame or a list of KPI, got {type(kpis).__name__}",
            field="kpis",
        )
    if table["kpi"].duplicated().any():
        raise SROIError("duplicate KPI names", field="kpis")
    names = [str(k) for k in table["kpi"]]
    down = _bps(bps_per_kpi, names, "bps_per_kpi")
    up = _bps(step_up_bps, names, "step_up_bps")
    met_arr = table["met"].to_numpy(dtype=bool)
    missed_arr = table["missed"].to_numpy(dtype=bool)
    p_down = met_arr.astype(float)
    p_up = missed_arr.astype(float)
    changes = []
    for i, d in enumerate(draws):
        if d is None:
            continue
        met_s, missed_s = kpi_list[i]._met(d), kpi_list[i]._missed(d)
        p_down[i], p_up[i] = float(met_s.mean()), float(missed_s.mean())
        changes.append(up[i] * missed_s - down[i] * met_s)
    earned = np.where(met_arr, down, 0.0)
    charged = np.where(missed_arr, up, 0.0)
    table = table[["kpi", "target", "actual", "direction", "met", "missed"]].assign(
        bps=down,
        step_up_bps=up,
        p_step_down=p_down,
        p_step_up=p_up,
        margin_change_bps=charged - earned,
        expected_change_bps=up * p_up - down * p_down,
        saving=balance * (earned - charged) / 10_000,
    )
    p_lower = p_higher = float("nan")
    if changes and len(changes) == len(table) and len({c.size for c in changes}) == 1:
        total_change = np.sum(changes, axis=0)
        p_lower, p_higher = float((total_change < 0).mean()), float((total_change > 0).mean())
    total = float(table["saving"].sum())
    return MarginRatchet(
        table=table,
        total_saving=Q_(total, f"{code}/year") if code else total,
        total_bps=float(earned.sum()),
        drawn_balance=balance,
        currency=code,
        total_step_up_bps=float(charged.sum()),
        expected_change_bps=float(table["expected_change_bps"].sum()),
        p_margin_lower=p_lower,
        p_margin_higher=p_higher,
    )
