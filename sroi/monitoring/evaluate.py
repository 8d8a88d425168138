"""The evaluative re-run: past periods at the actuals, the updated forecast after
(docs/method.md §12.5). Re-exported by :mod:`sroi.monitoring`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi.monitoring.update import Updatable, update_estimates
from sroi.uncertainty import simulate

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike
    from sroi.indicators import Measure
    from sroi.sampling import Seed
    from sroi.uncertainty import Simulation

__all__ = ["Evaluation", "evaluate_ratios", "past_values", "summary_row"]


def past_values(
    measures: Sequence[Measure], periods: pd.DataFrame, t: int, draws: pd.DataFrame
) -> dict[str, Any]:
    """Slot values of period ``t``: the draws, with measured estimates set so each indicator equals
    its actual (single estimates first; a product scales its last estimate not already set)."""
    values: dict[str, Any] = {k: draws[k].to_numpy() for k in draws.columns}
    sub = periods[periods["period"] == t]
    actual = dict(zip(sub["indicator"].astype(str), sub["value"].to_numpy(dtype=float), strict=True))
    fixed: set[str] = set()
    order = sorted((m for m in measures if m.keys and m.id in actual), key=lambda m: len(m.keys))
    for m in order:
        y = actual[m.id] / m.factor
        free = [k for k in m.keys if k not in fixed]
        if not free:
            continue
        key = free[-1]
        others = np.ones(len(draws))
        for k, b in zip(m.keys, m.base, strict=True):
            if k != key:
                others = others * (values[k] if k in values else b)
        values[key] = y / others
        fixed.add(key)
    return values


def evaluate_ratios(
    updated: AnalysisLike, measures: Sequence[Measure], periods: pd.DataFrame, n: int, seed: Seed
) -> dict[str, np.ndarray]:
    """Ratios of the updated analysis: its forecast, to date with the actuals, and whole life."""
    sim = simulate(updated, n, seed, keep_draws=True)
    draws = sim.draws if sim.draws is not None else pd.DataFrame(index=range(n))
    comp = updated.compiled
    now = int(periods["period"].max())
    future = comp.by_period({k: draws[k].to_numpy() for k in draws.columns})
    inputs_pv = np.broadcast_to(future.inputs * future.discount, (future.inputs.shape[0], n))
    to_date = np.zeros(n)
    for t in range(1, now + 1):
        past = comp.by_period(past_values(measures, periods, t, draws))
        to_date = to_date + past.present_values[t - 1].sum(axis=0)
    after = np.broadcast_to(future.present_values[now:].sum(axis=(0, 1)), (n,))
    return {
        "updated": sim.ratio,
        "to_date": to_date / inputs_pv[: now + 1].sum(axis=0),
        "whole_life": (to_date + after) / inputs_pv.sum(axis=0),
    }


class Evaluation:
    """The evaluative re-run (:func:`evaluation`, ``Monitoring.evaluation()``).

    Attributes
    ----------
    table : DataFrame
        Rows: forecast before monitoring, updated forecast (posterior estimates), evaluative SROI
        to date (past periods at the actuals), whole life (actuals to date, updated forecast
        after); columns figure, periods, ratio_p50, ratio_low, ratio_high, interval.
    ratio_to_date, whole_life : ndarray
        Monte Carlo draws of the two evaluative ratios.
    updated : Analysis
        The analysis with the posterior estimates (:func:`with_actuals`).
    now : int
        Last monitored period.
    """

    def __init__(
        self,
        analysis: Updatable,
        measures: tuple[Measure, ...],
        periods: pd.DataFrame,
        prior: Simulation,
        updated: Any,
        n: int,
        seed: Seed,
        level: float,
        update_n: int,
        draws: Callable[[], pd.DataFrame] | None = None,
    ) -> None:
        self._args = (analysis, measures, periods, n, seed, level, update_n, draws)
        self._base = float(np.median(prior.ratio))
        self.updated = updated
        self.now = int(periods["period"].max())
        last = analysis.compiled.upper_periods()[1]
        res = evaluate_ratios(updated, measures, periods, n, seed)
        self.ratio_to_date, self.whole_life = res["to_date"], res["whole_life"]
        self.table = pd.DataFrame(
            [
                summary_row("forecast before monitoring", prior.ratio, level, f"1-{last}"),
                summary_row("updated forecast (posterior estimates)", res["updated"], level, f"1-{last}"),
                summary_row("evaluative SROI to date (actuals)", res["to_date"], level, f"1-{self.now}"),
                summary_row(
                    "whole life: actuals to date, updated forecast after",
                    res["whole_life"],
                    level,
                    f"1-{last}",
                ),
            ]
        )

    @cached_property
    def moved_by(self) -> pd.DataFrame:
        """For each indicator alone (its actuals and updates only), then all together: the
        whole-life ratio median and its change from the forecast before monitoring (computed on
        first use: one update and Monte Carlo per indicator, with common random numbers)."""
        analysis, measures, periods, n, seed, level, update_n, draws = self._args
        ids = [i for i in dict.fromkeys(periods["indicator"]) if any(m.id == i and m.keys for m in measures)]
        moved = []
        for ind in [*ids, None]:
            if ind is None:
                x = self.whole_life
            else:
                part = periods[periods["indicator"] == ind]
                upd = update_estimates(analysis, measures, part, update_n, seed, level, draws_of=draws)[0]
                x = evaluate_ratios(upd, measures, part, n, seed)["whole_life"]
            med = float(np.median(x))
            moved.append(
                {
                    "indicator": "all together" if ind is None else ind,
                    "whole_life_p50": med,
                    "change": med - self._base,
                    "relative_change": med / self._base - 1,
                }
            )
        return pd.DataFrame(moved)

    def __repr__(self) -> str:
        lines = [f"Evaluation to period {self.now}:"]
        for r in self.table.itertuples():
            lines.append(f"  {r.figure}: {r.ratio_p50:.2f} : 1 ({r.interval})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<div><p>Evaluation to period {self.now}</p>{self.table.to_html(index=False, border=0)}</div>"


def summary_row(figure: str, x: np.ndarray, level: float, periods: str) -> dict[str, Any]:
    """One row of :attr:`Evaluation.table`: median and interval of the ratio draws ``x``."""
    lo, hi = np.quantile(x, [(1 - level) / 2, (1 + level) / 2])
    return {
        "figure": figure,
        "periods": periods,
        "ratio_p50": float(np.median(x)),
        "ratio_low": float(lo),
        "ratio_high": float(hi),
        "interval": f"{level:.0%} interval {lo:.2f} to {hi:.2f}",
    }
