"""Forecast against actual: :func:`monitor` and :class:`Monitoring` (docs/method.md §12.3).
Re-exported by :mod:`sroi.monitoring`."""

from __future__ import annotations

import html
import math
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi import defaults
from sroi.exceptions import SROIError
from sroi.indicators import IndicatorSystem, Measure, forecast_draws, system_of
from sroi.monitoring.actuals import aggregate, checked_rows, observation
from sroi.monitoring.evaluate import Evaluation
from sroi.monitoring.update import Updatable, prior_draws, update_estimates
from sroi.uncertainty import simulate
from sroi.validation import check_level, check_whole_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sroi.analysis import Analysis
    from sroi.sampling import Seed
    from sroi.uncertainty import Simulation
    from sroi.updating import Observation

__all__ = ["STATUSES", "Monitoring", "evaluation", "monitor"]

#: Status of an indicator in a period (docs/method.md §12.3).
STATUSES = ("on track", "at risk", "off track")


def _percentile(draws: np.ndarray, obs: Observation | None, actual: float, factor: float) -> float:
    """P(observation < actual) + P(= actual) / 2 under the forecast (with its measurement noise)."""
    from scipy import special, stats

    v = draws / factor
    y = actual / factor
    if obs is None:
        return float(np.mean(v < y) + 0.5 * np.mean(v == y))
    if obs.error == "binomial":
        n = max(round(obs.size), 1)
        k = round(y * n)
        p = np.clip(v, 0.0, 1.0)
        return float(np.mean(stats.binom.cdf(k - 1, n, p) + 0.5 * stats.binom.pmf(k, n, p)))
    if obs.error == "relative":
        return float(np.mean(special.ndtr((math.log(y) - np.log(np.maximum(v, 1e-300))) / obs.size)))
    return float(np.mean(special.ndtr((y - v) / obs.size)))


def _status(tail: float, met: Any) -> tuple[str, str]:
    if not math.isnan(tail):
        if tail < defaults.STATUS_THRESHOLDS[0]:
            return "off track", "forecast"
        if tail < defaults.STATUS_THRESHOLDS[1]:
            return "at risk", "forecast"
        return "on track", "forecast"
    if met is None:
        return "no forecast or target", "none"
    return ("on track" if met else "off track"), "target"


def _interval(obs: Observation | None, actual: float, factor: float, level: float) -> tuple[float, float]:
    """The measurement interval of an actual (Jeffreys for a share with n)."""
    from scipy import special

    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    if obs is None:
        return math.nan, math.nan
    if obs.error == "binomial":
        k = obs.value * obs.size
        lo, hi = special.betaincinv(k + 0.5, obs.size - k + 0.5, [lo_q, hi_q])
        return float(lo) * factor, float(hi) * factor
    z = float(special.ndtri(hi_q))
    if obs.error == "relative":
        return actual * math.exp(-z * obs.size), actual * math.exp(z * obs.size)
    return actual - z * obs.size * factor, actual + z * obs.size * factor


def evaluation(
    analysis: Updatable,
    actuals: Any,
    indicators: IndicatorSystem | None = None,
    *,
    n: int = defaults.DRAWS,
    seed: Seed = defaults.SEED,
    level: float = defaults.INTERVAL_LEVEL,
) -> Evaluation:
    """The evaluative SROI to date, the whole-life ratio, and how much each indicator moved it
    (docs/method.md §12.5); the same as ``analysis.monitor(actuals).evaluation()``."""
    return monitor(analysis, actuals, indicators, n=n, seed=seed, level=level).evaluation()


class Monitoring:
    """Forecast against actual, per indicator and period (:func:`monitor`).

    Attributes
    ----------
    analysis : Analysis
    indicators : IndicatorSystem
    table : DataFrame
        One row per indicator and period with a target or an actual: indicator, name, period,
        unit, target, forecast_low / forecast_p50 / forecast_high (the interval at ``level``),
        actual, n, actual_low / actual_high (its measurement interval), percentile (where the
        actual falls in the forecast, measurement noise included), status, status_basis,
        target_met, direction.
    rows : DataFrame
        The checked monitoring rows.
    periods : DataFrame
        One value per indicator and period (sub-periods aggregated).
    simulation : Simulation
        The forecast (prior) Monte Carlo.
    forecasts : dict of str to ndarray
        Each linked indicator's forecast draws [its unit].
    """

    def __init__(
        self,
        analysis: Updatable,
        system: IndicatorSystem,
        measures: tuple[Measure, ...],
        rows: pd.DataFrame,
        periods: pd.DataFrame,
        simulation: Simulation,
        n: int,
        seed: Seed,
        level: float,
    ) -> None:
        self.analysis = analysis
        self.indicators = system
        self.measures = measures
        self.rows = rows
        self.periods = periods
        self.simulation = simulation
        self.forecasts = forecast_draws(measures, simulation)
        self.n, self.seed, self.level = n, seed, level
        self.table = self._table()

    def _table(self) -> pd.DataFrame:
        lo_q, hi_q = (1 - self.level) / 2, (1 + self.level) / 2
        out = []
        for m in self.measures:
            ind = m.indicator
            data = self.periods[self.periods["indicator"] == ind.id]
            records = {int(r["period"]): r for r in data.to_dict("records")}
            for p in sorted(set(dict(ind.targets)) | set(records)):
                fc = self.forecasts.get(ind.id)
                row: dict[str, Any] = {
                    "indicator": ind.id,
                    "name": ind.name,
                    "period": int(p),
                    "unit": ind.unit,
                    "target": ind.target(p),
                }
                row["forecast_low"], row["forecast_p50"], row["forecast_high"] = (
                    np.quantile(fc, [lo_q, 0.5, hi_q]) if fc is not None else (np.nan,) * 3
                )
                rec = records.get(p)
                actual = float(rec["value"]) if rec is not None else math.nan
                obs = observation(m, rec) if rec is not None and m.keys else None
                row.update(actual=actual, n=float(rec["n"]) if rec is not None else math.nan)
                row["actual_low"], row["actual_high"] = _interval(obs, actual, m.factor, self.level)
                pct = (
                    _percentile(fc, obs, actual, m.factor)
                    if fc is not None and not math.isnan(actual)
                    else math.nan
                )
                higher = ind.direction == "higher"
                met = None
                if not (math.isnan(actual) or math.isnan(row["target"])):
                    met = actual >= row["target"] if higher else actual <= row["target"]
                tail = pct if higher else 1 - pct
                status, basis = _status(tail, met) if not math.isnan(actual) else ("no data yet", "none")
                row.update(
                    percentile=pct, status=status, status_basis=basis, target_met=met, direction=ind.direction
                )
                out.append(row)
        return pd.DataFrame(out)

    @cached_property
    def _prior(self) -> pd.DataFrame:
        return prior_draws(self.analysis, defaults.UPDATE_DRAWS, self.seed)

    def _prior_draws(self) -> pd.DataFrame:
        return self._prior

    @cached_property
    def _updated(self) -> tuple[Analysis, pd.DataFrame]:
        return update_estimates(
            self.analysis,
            self.measures,
            self.periods,
            defaults.UPDATE_DRAWS,
            self.seed,
            self.level,
            draws_of=self._prior_draws,
        )

    @property
    def updated(self) -> Analysis:
        """The analysis with posterior estimates (:func:`with_actuals`)."""
        return self._updated[0]

    @property
    def updates(self) -> pd.DataFrame:
        """One row per estimate updated: method (conjugate or importance reweighting), prior and
        posterior intervals, effective sample size, notes (and indicators that did not update)."""
        return self._updated[1]

    @cached_property
    def _evaluation(self) -> Evaluation:
        return Evaluation(
            self.analysis,
            self.measures,
            self.periods,
            self.simulation,
            self.updated,
            self.n,
            self.seed,
            self.level,
            defaults.UPDATE_DRAWS,
            draws=self._prior_draws,
        )

    def evaluation(self) -> Evaluation:
        """The evaluative re-run (computed once): see :class:`Evaluation`."""
        return self._evaluation

    def actual(self, indicator: str, period: int) -> float:
        """The actual of an indicator in a period [its unit]; SROIError when there is none."""
        hit = self.periods[(self.periods["indicator"] == indicator) & (self.periods["period"] == period)]
        if hit.empty:
            raise SROIError(f"no actual for {indicator!r} in period {period}", "indicator")
        return float(hit["value"].iloc[0])

    def status_counts(self) -> dict[str, int]:
        """Number of indicator-periods by status."""
        return {str(k): int(v) for k, v in self.table["status"].value_counts().items()}

    def to_frame(self) -> pd.DataFrame:
        """The forecast-against-actual table (a copy)."""
        return self.table.copy()

    def plot(self, indicator: str, ax: Axes | None = None) -> Axes:
        """Forecast band (the interval at ``level``), median, targets and actuals (with their
        measurement intervals) of one indicator over the periods."""
        import matplotlib.pyplot as plt

        ind = self.indicators[indicator]
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 3.8))
        t = self.table[self.table["indicator"] == indicator]
        last = self.analysis.compiled.upper_periods()[1]
        periods = np.arange(1, max([last, *t["period"].tolist()]) + 1)
        fc = self.forecasts.get(indicator)
        if fc is not None:
            lo, mid, hi = np.quantile(fc, [(1 - self.level) / 2, 0.5, (1 + self.level) / 2])
            ax.fill_between(
                periods, lo, hi, alpha=0.2, color="C0", label=f"forecast, {self.level:.0%} interval"
            )
            ax.plot(periods, np.full(periods.shape, mid), color="C0", lw=1, label="forecast median")
        if ind.targets:
            tp, tv = zip(*ind.targets, strict=True)
            ax.plot(tp, tv, "D", color="C2", label="target")
        if ind.baseline is not None:
            ax.axhline(ind.baseline.value, color="grey", ls=":", lw=1, label="baseline")
        got = t[t["actual"].notna()]
        if len(got):
            err = np.vstack([got["actual"] - got["actual_low"], got["actual_high"] - got["actual"]])
            ax.errorbar(
                got["period"],
                got["actual"],
                yerr=np.nan_to_num(err),
                fmt="o",
                color="C3",
                capsize=3,
                label="actual",
            )
        ax.set_xticks(periods)
        ax.set_xlabel("period")
        ax.set_ylabel(ind.unit or "share")
        ax.set_title(ind.name.replace("$", r"\$"), fontsize=10)
        ax.legend(fontsize=7)
        return ax

    def summary(self) -> str:
        """Plain text: one line per indicator and period with an actual."""
        lines = [
            f"Monitoring of {self.analysis.name}: {len(self.rows)} rows, periods "
            f"{', '.join(str(p) for p in sorted(set(self.periods['period'])))}"
        ]
        for r in self.table[self.table["actual"].notna()].to_dict("records"):
            fc = (
                ""
                if math.isnan(r["forecast_p50"])
                else f"; forecast {r['forecast_p50']:,.4g} ({r['forecast_low']:,.4g} to {r['forecast_high']:,.4g})"
            )
            tg = "" if math.isnan(r["target"]) else f"; target {r['target']:,.4g}"
            lines.append(
                f"  {r['indicator']} period {r['period']}: actual {r['actual']:,.4g}"
                f"{' ' + r['unit'] if r['unit'] else ''}{fc}{tg}: "
                f"{r['status']}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.status_counts().items())
        return f"Monitoring({len(self.indicators)} indicators; {counts})"

    def _repr_html_(self) -> str:
        colours = {"on track": "#d9f2d9", "at risk": "#fff4d6", "off track": "#f8d7da"}
        cols = [
            "indicator",
            "period",
            "unit",
            "target",
            "forecast_low",
            "forecast_p50",
            "forecast_high",
            "actual",
            "status",
        ]
        body = []
        for r in self.table[cols].to_dict("records"):
            cells = "".join(
                f"<td>{html.escape(f'{v:,.4g}' if isinstance(v, float) and not math.isnan(v) else ('' if isinstance(v, float) else str(v)))}</td>"
                for k, v in r.items()
                if k != "status"
            )
            st = str(r["status"])
            body.append(
                f"<tr>{cells}<td style='background:{colours.get(st, '')}'>{html.escape(st)}</td></tr>"
            )
        head = "".join(f"<th>{c}</th>" for c in cols)
        return (
            f"<div><p>{html.escape(repr(self))}</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )


def monitor(
    analysis: Updatable,
    actuals: Any,
    indicators: IndicatorSystem | None = None,
    *,
    n: int = defaults.DRAWS,
    seed: Seed = defaults.SEED,
    level: float = defaults.INTERVAL_LEVEL,
) -> Monitoring:
    """Forecast against actual for every indicator and period (docs/method.md §12.3).

    Parameters
    ----------
    analysis : Analysis
    actuals : path, DataFrame or Actuals
        Monitoring data (:func:`read_actuals`).
    indicators : IndicatorSystem, optional
        Default the analysis's own ``indicators``.
    n : int
        Monte Carlo draws of the forecast (default :data:`sroi.defaults.DRAWS`).
    seed : int, Generator or SeedSequence
    level : float
        Interval of the forecast and of the actuals (default 80%).

    Returns
    -------
    Monitoring
        ``table`` (forecast, target, actual, status per indicator and period), ``plot()``,
        ``updates`` and ``updated`` (the posterior), ``evaluation()`` (the evaluative re-run).

    Notes
    -----
    The percentile of an actual is P(Y < y) + P(Y = y) / 2 under the forecast's predictive
    distribution: the indicator at each Monte Carlo draw with the measurement noise of the
    observation (binomial with the row's n for a share; the stated relative or absolute error).
    With direction "higher" the lower tail is the bad one (the upper for "lower"): below
    :data:`sroi.defaults.STATUS_THRESHOLDS` (0.10, 0.25) the status is off track, then at risk,
    else on track. An indicator the model does not forecast is on track when it meets its target.
    """
    level = check_level(level)
    n = check_whole_number(n, "n", 1)
    system = system_of(analysis, indicators)
    measures = system.bind(analysis)
    rows = checked_rows(analysis, actuals, system, measures)
    periods = aggregate(rows, system, {m.id: m for m in measures})
    sim = simulate(analysis, n, seed, keep_draws=True)
    return Monitoring(analysis, system, measures, rows, periods, sim, n, seed, level)
