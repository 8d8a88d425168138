"""Evidence that updates: the estimates an indicator measures, updated from monitoring data
(docs/method.md §12.4). Re-exported by :mod:`sroi.monitoring`."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import pandas as pd

from sroi import defaults
from sroi.distributions import Distribution, LogNormal, Normal
from sroi.exceptions import SROIError
from sroi.indicators import IndicatorSystem, Measure, system_of
from sroi.monitoring.actuals import aggregate, checked_rows, observation
from sroi.quantiles import BatchQuantile
from sroi.sampling import Sampler, correlation_matrices
from sroi.updating import (
    Observation,
    as_beta,
    beta_binomial,
    effective_sample_size,
    fit_posterior,
    importance_weights,
    log_likelihood,
    lognormal_update,
    normal_normal,
    weighted_quantile,
    weighted_rank_correlation,
)
from sroi.validation import check_whole_number

if TYPE_CHECKING:
    from sroi.analysis import Analysis
    from sroi.compiler import AnalysisLike
    from sroi.sampling import Seed

__all__ = ["Updatable", "components", "prior_draws", "update_estimates", "with_actuals"]


class Updatable(Protocol):
    """An analysis that can be copied with changed fields (what :func:`with_actuals` needs)."""

    @property
    def name(self) -> str: ...

    @property
    def currency(self) -> str: ...

    @property
    def outcomes(self) -> Sequence[Any]: ...

    @property
    def inputs(self) -> Sequence[Any]: ...

    @property
    def compiled(self) -> Any: ...

    @property
    def outcome_ids(self) -> tuple[str, ...]: ...

    @property
    def active_correlations(self) -> tuple[tuple[str, str, float], ...]: ...

    @property
    def parameters(self) -> Mapping[str, Any]: ...

    @property
    def correlations(self) -> Sequence[tuple[str, str, float]]: ...

    @property
    def indicators(self) -> Any: ...

    def replace(self, **changes: Any) -> Analysis: ...


def prior_draws(analysis: AnalysisLike, n: int, seed: Seed) -> pd.DataFrame:
    """``n`` joint prior draws of every uncertain estimate (the Monte Carlo\'s sampler: per-key
    streams and the rank correlations), without running the engine; columns are slot keys."""
    comp = analysis.compiled
    sampler = Sampler(comp.slots, seed, analysis.active_correlations)
    quantile = BatchQuantile([cast("Distribution", comp.slots[k].distribution) for k in sampler.keys])
    return pd.DataFrame(quantile(sampler.uniforms(n)).T, columns=sampler.keys)


def components(
    measures: Sequence[Measure], neighbours: Mapping[str, set[str]] | None = None
) -> list[list[Measure]]:
    """Indicators linked through the uncertain estimates they share, or through estimates
    rank-correlated with them in the prior (``neighbours``: key -> correlated keys); union-find."""
    groups: list[tuple[set[str], list[Measure]]] = []
    near = neighbours or {}
    for m in measures:
        keys = set(m.uncertain).union(*(near.get(k, set()) for k in m.uncertain))
        joined = [g for g in groups if g[0] & keys]
        for g in joined:
            groups.remove(g)
            keys |= g[0]
        groups.append((keys, [x for g in joined for x in g[1]] + [m]))
    return [g[1] for g in groups]


def _set_estimate(analysis: Updatable, changes: dict[str, Any], key: str, dist: Distribution) -> None:
    """Record the posterior of slot ``key`` in ``changes`` (parameters or outcome fields)."""
    if key in analysis.parameters:
        changes.setdefault("parameters", dict(analysis.parameters))[key] = dist
        return
    m = re.match(r"^outcomes\[(\d+)\]\.(\w+)(?:\[(\d+)\])?$", key)
    if not m:
        raise SROIError(f"cannot update the estimate {key!r} from monitoring data", key)
    outs = changes.setdefault("outcomes", list(analysis.outcomes))
    i, name = int(m.group(1)), m.group(2)
    value = (
        dist
        if m.group(3) is None
        else tuple(dist if j == int(m.group(3)) else v for j, v in enumerate(getattr(outs[i], name)))
    )
    outs[i] = outs[i].replace(**{name: value})


def _quantiles(dist: Distribution, level: float) -> tuple[float, float, float]:
    lo, hi = (1 - level) / 2, (1 + level) / 2
    return dist.quantile(lo), dist.quantile(0.5), dist.quantile(hi)


def update_estimates(
    analysis: Updatable,
    measures: Sequence[Measure],
    periods: pd.DataFrame,
    n: int,
    seed: Seed,
    level: float = defaults.INTERVAL_LEVEL,
    draws_of: Callable[[], pd.DataFrame] | None = None,
) -> tuple[Analysis, pd.DataFrame]:
    """The updated analysis and one row per estimate updated (or indicator not used).

    ``draws_of`` returns the joint prior draws for importance reweighting (default
    :func:`prior_draws` with ``n`` and ``seed``, drawn only if some estimate needs them), so that
    several updates of one analysis share one set of draws.
    """
    comp = analysis.compiled
    by_id = {m.id: m for m in measures}
    linked = [by_id[i] for i in dict.fromkeys(periods["indicator"]) if by_id[i].keys]
    rows: list[dict[str, Any]] = []
    changes: dict[str, Any] = {}
    new_corr: list[tuple[str, str, float]] = []
    replaced: set[frozenset[str]] = set()
    draws: pd.DataFrame | None = None
    obs_of: dict[str, list[Observation]] = {}
    for m in linked:
        got = [observation(m, r) for r in periods[periods["indicator"] == m.id].to_dict("records")]
        obs_of[m.id] = [o for o in got if o is not None]
        unused = len(got) - len(obs_of[m.id])
        if not m.uncertain:
            rows.append(
                {
                    "indicator": m.id,
                    "estimate": "",
                    "method": "not updated",
                    "note": "the measured estimates are point values (no distribution to update)",
                }
            )
        elif unused:
            rows.append(
                {
                    "indicator": m.id,
                    "estimate": "",
                    "method": "not updated" if not obs_of[m.id] else "partly used",
                    "note": f"{unused} of {len(got)} periods state no sample size n and the indicator no "
                    "measurement_error: those periods do not update the estimate",
                }
            )
    usable = [m for m in linked if m.uncertain and obs_of[m.id]]
    neighbours: dict[str, set[str]] = {}
    for c in analysis.active_correlations:
        ka, kb = comp.resolve(c[0], "correlations")[0], comp.resolve(c[1], "correlations")[0]
        neighbours.setdefault(ka, set()).add(kb)
        neighbours.setdefault(kb, set()).add(ka)
    for group in components(usable, neighbours):
        measured = list(dict.fromkeys(k for m in group for k in m.uncertain))
        keys = measured + sorted({k for key in measured for k in neighbours.get(key, set())} - set(measured))
        names = ", ".join(m.id for m in group)
        if len(group) == 1 and len(keys) == 1:
            m, key = group[0], keys[0]
            prior = comp.slots[key].distribution
            const = float(np.prod([b for k, b in zip(m.keys, m.base, strict=True) if k != key]))
            obs = obs_of[m.id]
            kinds = {o.error for o in obs}
            post: Distribution | None = None
            method = ""
            beta = as_beta(prior) if kinds == {"binomial"} and const == 1.0 else None
            if beta is not None:
                post, method = (
                    beta_binomial(beta, [o.value * o.size for o in obs], [o.size for o in obs]),
                    "beta-binomial",
                )
            elif (
                kinds == {"absolute"}
                and isinstance(prior, Normal)
                and prior.low is None
                and prior.high is None
            ):
                post = normal_normal(prior, [o.value / const for o in obs], obs[0].size / const)
                method = "normal-normal"
            elif kinds == {"relative"} and isinstance(prior, LogNormal) and const > 0:
                post, method = (
                    lognormal_update(prior, [o.value / const for o in obs], obs[0].size),
                    "lognormal",
                )
            if post is not None:
                _set_estimate(analysis, changes, key, post)
                p_lo, _, p_hi = _quantiles(prior, level)
                q_lo, q_50, q_hi = _quantiles(post, level)
                rows.append(
                    {
                        "indicator": names,
                        "estimate": key,
                        "label": comp.describe_key(key),
                        "method": method + " (conjugate)",
                        "prior": repr(prior),
                        "prior_low": p_lo,
                        "prior_high": p_hi,
                        "posterior": repr(post),
                        "posterior_low": q_lo,
                        "posterior_p50": q_50,
                        "posterior_high": q_hi,
                        "ess": np.nan,
                        "note": "",
                    }
                )
                continue
        if draws is None:
            draws = draws_of() if draws_of is not None else prior_draws(analysis, n, seed)
        ll = np.zeros(len(draws))
        for m in group:
            ll += log_likelihood(m.values(draws, len(draws)) / m.factor, obs_of[m.id])
        w = importance_weights(ll)
        ess = effective_sample_size(w)
        if ess < defaults.MIN_EFFECTIVE_DRAWS:
            raise SROIError(
                f"the monitoring data lie where the forecast put almost no probability (effective sample "
                f"{ess:.0f} of {len(draws):,} prior draws): check the values and units; if they are right, the "
                "prior is too narrow for them: widen it, or give more draws (n)",
                f"indicators {names}",
            )
        for key in keys:
            prior = comp.slots[key].distribution
            post = fit_posterior(prior, draws[key].to_numpy(), w)
            lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
            wq = weighted_quantile(draws[key].to_numpy(), w, [lo_q, hi_q])
            s_lo, s_hi = prior.support()
            note = f"weighted draws' interval {wq[0]:.4g} to {wq[1]:.4g}"
            if key not in measured:
                note = (
                    "not measured: updated through its prior rank correlation with a measured estimate; "
                    + note
                )
            single = [m for m in group if m.keys == (key,)]
            if single and any(not s_lo <= o.value <= s_hi for m in single for o in obs_of[m.id]):
                note += f"; the actuals lie outside the prior's range [{s_lo:g}, {s_hi:g}]: the posterior cannot follow them (widen the prior)"
            _set_estimate(analysis, changes, key, post)
            p_lo, _, p_hi = _quantiles(prior, level)
            q_lo, q_50, q_hi = _quantiles(post, level)
            rows.append(
                {
                    "indicator": names,
                    "estimate": key,
                    "label": comp.describe_key(key),
                    "method": "importance reweighting",
                    "prior": repr(prior),
                    "prior_low": p_lo,
                    "prior_high": p_hi,
                    "posterior": repr(post),
                    "posterior_low": q_lo,
                    "posterior_p50": q_50,
                    "posterior_high": q_hi,
                    "ess": ess,
                    "note": note,
                }
            )
        # rank correlations of the weighted draws between the updated estimates and every estimate
        # correlated with them (the prior draws hold every estimate): one weighted correlation
        # matrix, so it stays positive semi-definite
        involved = keys + sorted({k for key in keys for k in neighbours.get(key, set())} - set(keys))
        for i, a in enumerate(involved):
            for b in involved[i + 1 :]:
                if a not in keys and b not in keys:
                    continue
                rho = weighted_rank_correlation(draws[a].to_numpy(), draws[b].to_numpy(), w)
                replaced.add(frozenset((a, b)))
                if math.isfinite(rho) and abs(rho) >= 0.01:
                    new_corr.append((a, b, round(float(np.clip(rho, -0.99, 0.99)), 4)))
    if new_corr or replaced:
        kept = []
        for c in analysis.correlations:
            ka, kb = comp.resolve(c[0], "correlations")[0], comp.resolve(c[1], "correlations")[0]
            if frozenset((ka, kb)) not in replaced:
                kept.append(c)
        corr = kept + new_corr
        try:
            correlation_matrices(comp.slots, corr)
        except SROIError:
            corr = list(analysis.correlations)
            rows.append(
                {
                    "indicator": "",
                    "estimate": "",
                    "method": "correlations",
                    "note": "the posterior rank correlations do not form a valid matrix with the others: the "
                    "prior's correlations are kept",
                }
            )
        changes["correlations"] = tuple(corr)
    now = int(periods["period"].max()) if len(periods) else 0
    updated = analysis.replace(**changes, reference_period=now)
    table = pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "estimate",
            "label",
            "method",
            "prior",
            "prior_low",
            "prior_high",
            "posterior",
            "posterior_low",
            "posterior_p50",
            "posterior_high",
            "ess",
            "note",
        ],
    )
    return updated, table


def with_actuals(
    analysis: Updatable,
    actuals: Any,
    indicators: IndicatorSystem | None = None,
    *,
    n: int = defaults.UPDATE_DRAWS,
    seed: Seed = defaults.SEED,
) -> Analysis:
    """The analysis updated by the monitoring data (docs/method.md §12.4-10.5).

    Parameters
    ----------
    analysis : Analysis
    actuals : path, DataFrame or Actuals
        Monitoring data (see :func:`read_actuals`).
    indicators : IndicatorSystem, optional
        Default the analysis's own ``indicators``.
    n : int
        Prior draws for importance reweighting (default :data:`sroi.defaults.UPDATE_DRAWS`).
    seed : int, Generator or SeedSequence

    Returns
    -------
    Analysis
        Every uncertain estimate measured by an indicator with data replaced by its posterior
        (conjugate or fitted, see :mod:`sroi.updating`); posterior rank correlations between
        estimates updated together; ``reference_period`` the last monitored period (results in
        that period's money). Its ``simulate()`` is the updated forecast.

    Raises
    ------
    SROIError
        Bad monitoring rows (naming row and column); data the prior makes nearly impossible
        (an effective sample below :data:`sroi.defaults.MIN_EFFECTIVE_DRAWS`).
    """
    system = system_of(analysis, indicators)
    measures = system.bind(analysis)
    rows = checked_rows(analysis, actuals, system, measures)
    periods = aggregate(rows, system, {m.id: m for m in measures})
    return update_estimates(analysis, measures, periods, check_whole_number(n, "n", 100), seed)[0]
