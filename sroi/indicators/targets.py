"""Forecasts of indicators and sustainability performance targets (docs/method.md §12.6).

Re-exported by :mod:`sroi.indicators`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi import defaults
from sroi.exceptions import SROIError
from sroi.indicators.system import MAX_PERIOD, Indicator, IndicatorSystem, Measure, bind, system_of
from sroi.uncertainty import simulate
from sroi.validation import check_level, check_whole_number

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike
    from sroi.sampling import Seed
    from sroi.uncertainty import Simulation

__all__ = ["Targets", "calibrate_targets", "forecast_draws"]


def forecast_draws(measures: Sequence[Measure], simulation: Simulation) -> dict[str, np.ndarray]:
    """The forecast of each linked indicator at every Monte Carlo draw [indicator unit].

    Raises
    ------
    SROIError
        When the simulation kept no draws (``keep_draws=False``) and an indicator measures an
        uncertain estimate.
    """
    out = {}
    for m in measures:
        if not m.keys:
            continue
        if m.uncertain and simulation.draws is None:
            raise SROIError("the simulation kept no draws: simulate with keep_draws=True", "simulation")
        draws: Any = simulation.draws if simulation.draws is not None else {}
        out[m.id] = np.array(m.values(draws, simulation.n), dtype=float)
    return out


@dataclass(frozen=True, eq=False)
class Targets:
    """Proposed sustainability performance targets of one indicator (:func:`calibrate_targets`).

    Attributes
    ----------
    indicator : Indicator
    table : DataFrame
        One row per period: business_as_usual (median), forecast_p10/p50/p90, ambition,
        target, p_meet (share of the Monte Carlo draws meeting it), p_beyond_bau (share of draws
        in which the target is better than business as usual).
    draws : ndarray
        The forecast draws [indicator unit].
    business_as_usual : ndarray
        The counterfactual draws [indicator unit].
    basis : str
        How business as usual was set.
    """

    indicator: Indicator
    table: pd.DataFrame
    draws: np.ndarray = field(repr=False)
    business_as_usual: np.ndarray = field(repr=False)
    basis: str = ""

    @property
    def targets(self) -> dict[int, float]:
        """Period -> proposed target."""
        periods = self.table["period"].to_numpy(dtype=int)
        return {
            int(p): float(t) for p, t in zip(periods, self.table["target"].to_numpy(dtype=float), strict=True)
        }

    def kpi(self, period: int, actual: float | None = None) -> dict[str, Any]:
        """The fields of a :class:`sroi.finance.KPI` for one period: name, target, draws (the
        forecast), direction and the actual if known."""
        if period not in self.targets:
            raise SROIError(f"no target for period {period}; periods: {sorted(self.targets)}", "period")
        out: dict[str, Any] = {
            "name": f"{self.indicator.name} (period {period})",
            "target": self.targets[period],
            "draws": self.draws,
            "direction": self.indicator.direction,
        }
        if actual is not None:
            out["actual"] = float(actual)
        return out

    def apply(self, system: IndicatorSystem) -> IndicatorSystem:
        """``system`` with this indicator's targets replaced by the proposed ones."""
        return system.with_targets(self.indicator.id, self.targets)

    def __repr__(self) -> str:
        parts = ", ".join(
            f"period {r['period']}: {r['target']:,.4g} (P(meet) {r['p_meet']:.2f})"
            for r in self.table.to_dict("records")
        )
        return f"Targets for {self.indicator.label}: {parts}; business as usual: {self.basis}"

    def _repr_html_(self) -> str:
        return f"<div><p>{html.escape(repr(self))}</p>{self.table.to_html(index=False, border=0)}</div>"


def calibrate_targets(
    analysis: AnalysisLike,
    indicator: str | Indicator,
    periods: Sequence[int],
    ambition: float | Sequence[float] = 1.0,
    *,
    indicators: IndicatorSystem | None = None,
    n: int = defaults.DRAWS,
    seed: Seed = defaults.SEED,
    level: float = defaults.INTERVAL_LEVEL,
) -> Targets:
    """Sustainability performance targets beyond business as usual, with P(meet) (docs/method.md §12.6).

    Parameters
    ----------
    analysis : Analysis
    indicator : str or Indicator
        The indicator (by id, from ``indicators`` or the analysis's own).
    periods : sequence of int
        Analysis periods to set targets for (>= 1).
    ambition : float or sequence of float
        Share of the forecast's additional change (forecast median minus business as usual) the
        target commits to, per period or one for all: 1 (default) targets the forecast median,
        0.5 half-way, above 1 beyond the forecast. In (0, 3].
    indicators : IndicatorSystem, optional
    n, seed : Monte Carlo draws and seed (defaults :data:`sroi.defaults.DRAWS`, ``SEED``).
    level : float
        Forecast interval shown (default 80%).

    Returns
    -------
    Targets

    Raises
    ------
    SROIError
        An indicator that measures no estimate (no forecast); one that measures a filter or no
        outcome (business as usual unknown) and has no baseline; an ambition
        outside (0, 3]; a period < 1.

    Notes
    -----
    Business as usual is the counterfactual the model already states: the share of the
    indicator that would have happened anyway, value x deadweight of the indicator's outcome
    (per draw), or, for an indicator without one, its baseline. With medians B (business as
    usual) and F (forecast), the target for period t is ``B + ambition_t (F - B)``; P(meet) is the
    share of forecast draws at or beyond it. The Sustainability-Linked Loan Principles (LMA,
    APLMA, LSTA) ask for targets "beyond a Business as Usual trajectory"; a target at the
    forecast median is met about half the time by construction.

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis("t", "GBP", [sroi.Outcome("People", "Better", quantity="100 person",
    ...     proxy="10 GBP/person", quantity_factors=(sroi.Ref("share"),), deadweight=0.25)],
    ...     [sroi.Input("Funder", "Grant", "100 GBP")], parameters={"share": sroi.Beta(40, 60)})
    >>> from sroi.indicators import indicators_from_dict
    >>> system = indicators_from_dict([{"id": "share", "name": "Share better", "measures": "share"}], a)
    >>> t = calibrate_targets(a, "share", [1, 2], ambition=[0.8, 1.0], indicators=system, n=4000, seed=1)
    >>> t.table[["period", "target"]].round(3).to_dict("list")
    {'period': [1, 2], 'target': [0.34, 0.399]}
    """
    system = indicators if indicators is not None else system_of(analysis)
    ind = indicator if isinstance(indicator, Indicator) else system[indicator]
    measure = bind(ind, list(system.ids).index(ind.id) if ind.id in system.ids else 0, analysis)
    level = check_level(level)
    periods = [check_whole_number(p, f"periods[{j}]", 1, MAX_PERIOD) for j, p in enumerate(periods)]
    if not periods:
        raise SROIError("give at least one period", "periods")
    amb = [ambition] * len(periods) if isinstance(ambition, (int, float)) else list(ambition)
    if len(amb) != len(periods):
        raise SROIError(f"expected one ambition per period ({len(periods)}), got {len(amb)}", "ambition")
    for j, x in enumerate(amb):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < x <= 3:
            raise SROIError(f"expected an ambition in (0, 3] such as 1.0, got {x!r}", f"ambition[{j}]")
    base = ind.baseline
    if not measure.keys:
        raise SROIError(
            "the indicator measures no estimate of the model, so there is no forecast to calibrate against; "
            "set its targets by hand, from its baseline",
            ind.id,
        )
    sim = simulate(analysis, n, seed, keep_draws=True)
    draws = forecast_draws([measure], sim)[ind.id]
    if measure.filters or not measure.outcomes:
        if base is None:
            raise SROIError(
                "business as usual is unknown for this indicator (it measures a counterfactual, or no outcome): "
                "give it a baseline",
                ind.id,
            )
        bau = np.full(draws.shape, base.value)
        basis = f"the baseline {base.value:g} (period {base.period}), held flat"
    else:
        oid = measure.outcomes[0]
        comp = analysis.compiled
        key, slot = comp.resolve(f"outcomes[id={oid}].deadweight", "deadweight")
        dw = (
            np.asarray(sim.draws[key], dtype=float)
            if sim.draws is not None and key in sim.draws
            else np.full(draws.shape, slot.base)
        )
        bau = draws * dw
        basis = f"forecast x deadweight of outcome {oid!r} (what would have happened anyway)"
    b50, f50 = float(np.median(bau)), float(np.median(draws))
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    higher = ind.direction == "higher"
    rows = []
    for p, a_t in zip(periods, amb, strict=True):
        target = b50 + float(a_t) * (f50 - b50)
        met = draws >= target if higher else draws <= target
        beyond = target > bau if higher else target < bau
        rows.append(
            {
                "period": p,
                "business_as_usual": b50,
                f"forecast_p{lo_q * 100:g}": float(np.quantile(draws, lo_q)),
                "forecast_p50": f50,
                f"forecast_p{hi_q * 100:g}": float(np.quantile(draws, hi_q)),
                "ambition": float(a_t),
                "target": target,
                "p_meet": float(met.mean()),
                "p_beyond_bau": float(beyond.mean()),
                "unit": ind.unit,
            }
        )
    return Targets(ind, pd.DataFrame(rows), draws, bau, basis)
