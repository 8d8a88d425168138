"""Bayesian updating of an uncertain estimate from monitoring data (docs/method.md §12.4).

Pure functions on :mod:`sroi.distributions`: the conjugate updates where the prior's form
allows them, and importance reweighting of Monte Carlo draws with a fitted posterior otherwise.
:mod:`sroi.monitoring` decides which applies to which estimate and builds the updated analysis.

Conjugate forms (exact):

- **beta-binomial**: a share with prior Beta(a, b) on [0, 1] (a uniform on [0, 1] is Beta(1, 1),
  a PERT on [0, 1] is a beta) observed as k successes in n trials (k = observed share x n, any
  real k in [0, n] for weighted surveys) has posterior Beta(a + sum k, b + sum (n - k));
- **normal-normal**: a quantity with prior Normal(m0, s0) (untruncated) observed as y_1..y_m
  with known measurement standard deviation sd has posterior Normal(m1, s1) with
  1 / s1^2 = 1 / s0^2 + m / sd^2 and m1 = s1^2 (m0 / s0^2 + sum y / sd^2);
- **lognormal**: a positive quantity with prior LogNormal(median M0, gsd G0) observed with a
  relative (multiplicative) error, log y ~ Normal(log theta, sigma), is the normal-normal update
  on the log scale: m0 = log M0, s0 = log G0; posterior LogNormal(exp(m1), exp(s1)).

Otherwise (any other prior, a product of several estimates, several indicators of one
estimate): importance reweighting of S joint prior draws theta_s,

    w_s proportional to prod_r L(y_r | v(theta_s)),   ESS = (sum w)^2 / sum w^2,

with v the indicator's value at the draw and L the binomial, normal or lognormal likelihood
above; the posterior of each estimate is its weighted draws, carried into the Monte Carlo by
a distribution fitted to their weighted moments (:func:`fit_posterior`): exact for a discrete
prior, a beta on the prior's range for a bounded one, a lognormal for a positive unbounded one,
a normal otherwise.

References
----------
.. [1] Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A., Rubin, D. B. (2013).
   Bayesian Data Analysis, 3rd ed. CRC Press, ch. 2 (beta-binomial; normal with known variance).
.. [2] Kong, A. (1992). A note on importance sampling using standardized weights. University of
   Chicago, Dept. of Statistics, Technical Report 348 (the effective sample size 1 / sum w^2);
   discussed in Elvira, V., Martino, L., Robert, C. P. (2022). Rethinking the effective sample
   size. International Statistical Review 90(3), 525-550 (arXiv:1809.04129).

Examples
--------
>>> from sroi.distributions import Beta
>>> post = beta_binomial(Beta(2, 8), successes=30, trials=100)
>>> post.alpha, post.beta
(32.0, 78.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sroi.distributions import Beta, Discrete, Distribution, LogNormal, Normal, Pert, Uniform
from sroi.exceptions import SROIError

__all__ = [
    "ERRORS",
    "Observation",
    "as_beta",
    "beta_binomial",
    "effective_sample_size",
    "fit_posterior",
    "importance_weights",
    "log_likelihood",
    "lognormal_update",
    "normal_normal",
    "weighted_quantile",
    "weighted_rank_correlation",
]

#: Kinds of measurement error an indicator can state: a share with a sample size uses the
#: binomial; ``relative`` is the standard deviation of log(observed / true) (lognormal);
#: ``absolute`` the standard deviation of observed - true in the indicator's unit (normal).
ERRORS = ("binomial", "relative", "absolute")

_EPS = 1e-12


@dataclass(frozen=True)
class Observation:
    """One observation of an indicator, on the model's scale.

    Parameters
    ----------
    value : float
        Observed value [unit of the estimate's product].
    error : {"binomial", "relative", "absolute"}
        Measurement model (see :data:`ERRORS`).
    size : float
        ``n`` for ``binomial`` (trials, > 0); the standard deviation for ``relative`` (of the
        log) and ``absolute`` (in the value's unit), > 0.
    """

    value: float
    error: str
    size: float

    def __post_init__(self) -> None:
        if self.error not in ERRORS:
            raise SROIError(f"expected one of {ERRORS}, got {self.error!r}", "error")
        if not (math.isfinite(self.value) and math.isfinite(self.size) and self.size > 0):
            raise SROIError(
                f"expected a finite value and a size > 0, got value={self.value!r}, size={self.size!r}",
                "observation",
            )
        if self.error == "binomial" and not 0 <= self.value <= 1:
            raise SROIError(f"a share must lie in [0, 1], got {self.value!r}", "value")
        if self.error == "relative" and self.value <= 0:
            raise SROIError(f"a relative error needs a value > 0, got {self.value!r}", "value")


def as_beta(prior: Distribution) -> Beta | None:
    """The prior as a Beta on [0, 1] when it is one (Beta on [0, 1], Uniform(0, 1), PERT on
    [0, 1]), else None: the forms for which the beta-binomial update is exact.

    Examples
    --------
    >>> as_beta(Uniform(0.0, 1.0))
    Beta(alpha=1.0, beta=1.0)
    >>> as_beta(Uniform(0.2, 0.6)) is None
    True
    """
    if prior.unit is not None:
        return None
    if isinstance(prior, Beta) and (prior.low, prior.high) == (0.0, 1.0):
        return prior
    if isinstance(prior, Uniform) and (prior.low, prior.high) == (0.0, 1.0):
        return Beta(1.0, 1.0)
    if isinstance(prior, Pert) and (prior.low, prior.high) == (0.0, 1.0):
        # PERT shape on [0, 1]: alpha = 1 + lamb mode, beta = 1 + lamb (1 - mode)
        return Beta(1.0 + prior.lamb * prior.mode, 1.0 + prior.lamb * (1.0 - prior.mode))
    return None


def beta_binomial(prior: Beta, successes: float | Sequence[float], trials: float | Sequence[float]) -> Beta:
    """Conjugate update of a share: Beta(a, b) and k successes in n trials -> Beta(a + k, b + n - k).

    Parameters
    ----------
    prior : Beta
        On [0, 1].
    successes, trials : float or sequence of float
        One or several observations (summed); k in [0, n], n > 0 (real numbers are allowed:
        a weighted survey's effective counts).

    Returns
    -------
    Beta

    Examples
    --------
    >>> beta_binomial(Beta(1, 1), [3, 4], [10, 10])
    Beta(alpha=8.0, beta=14.0)
    """
    if (prior.low, prior.high) != (0.0, 1.0):
        raise SROIError("the beta-binomial update needs a beta prior on [0, 1]", "prior")
    k = np.atleast_1d(np.asarray(successes, dtype=float))
    n = np.atleast_1d(np.asarray(trials, dtype=float))
    if k.shape != n.shape or not (np.isfinite(k).all() and np.isfinite(n).all()):
        raise SROIError("expected as many finite successes as trials", "successes")
    if (n <= 0).any() or (k < 0).any() or (k > n).any():
        raise SROIError("expected 0 <= successes <= trials and trials > 0", "successes")
    return Beta(float(prior.alpha + k.sum()), float(prior.beta + (n - k).sum()))


def _normal_update(m0: float, s0: float, values: np.ndarray, sd: float) -> tuple[float, float]:
    precision = 1.0 / s0**2 + values.size / sd**2
    s1 = math.sqrt(1.0 / precision)
    return s1**2 * (m0 / s0**2 + float(values.sum()) / sd**2), s1


def normal_normal(prior: Normal, values: float | Sequence[float], sd: float) -> Normal:
    """Conjugate update of a normal prior by observations with known standard deviation ``sd``.

    1 / s1^2 = 1 / s0^2 + m / sd^2;  m1 = s1^2 (m0 / s0^2 + sum y / sd^2).

    Examples
    --------
    >>> post = normal_normal(Normal(10.0, 2.0), [12.0], 2.0)
    >>> post.mean_, round(post.sd, 6)
    (11.0, 1.414214)
    """
    if prior.low is not None or prior.high is not None or prior.sd <= 0:
        raise SROIError("the normal-normal update needs an untruncated normal prior with sd > 0", "prior")
    y = np.atleast_1d(np.asarray(values, dtype=float))
    if not (math.isfinite(sd) and sd > 0) or not np.isfinite(y).all():
        raise SROIError(f"expected finite values and a measurement sd > 0, got sd={sd!r}", "sd")
    m1, s1 = _normal_update(prior.mean_, prior.sd, y, sd)
    return Normal(m1, s1, unit=prior.unit)


def lognormal_update(prior: LogNormal, values: float | Sequence[float], sigma: float) -> LogNormal:
    """Conjugate update of a lognormal prior by observations with a relative error: the
    normal-normal update of log theta with log y ~ Normal(log theta, sigma).

    Examples
    --------
    >>> post = lognormal_update(LogNormal(100.0, math.e), [100.0], 1.0)
    >>> round(post.median, 6), round(math.log(post.gsd) ** 2, 6)
    (100.0, 0.5)
    """
    if prior.gsd <= 1:
        raise SROIError("the lognormal update needs a prior with gsd > 1", "prior")
    y = np.atleast_1d(np.asarray(values, dtype=float))
    if not (math.isfinite(sigma) and sigma > 0) or not (np.isfinite(y).all() and (y > 0).all()):
        raise SROIError(f"expected values > 0 and a relative error > 0, got sigma={sigma!r}", "sigma")
    m1, s1 = _normal_update(math.log(prior.median), math.log(prior.gsd), np.log(y), sigma)
    return LogNormal(math.exp(m1), math.exp(s1), unit=prior.unit)


def log_likelihood(values: np.ndarray, observations: Sequence[Observation]) -> np.ndarray:
    """Log-likelihood of the observations at each draw of the indicator's value.

    Parameters
    ----------
    values : ndarray, shape (S,)
        The indicator's value at each prior draw (model scale).
    observations : sequence of Observation

    Returns
    -------
    ndarray, shape (S,)
        Up to a constant: binomial ``k log v + (n - k) log(1 - v)``; relative
        ``-(log y - log v)^2 / (2 sigma^2)``; absolute ``-(y - v)^2 / (2 sd^2)``.
    """
    v = np.asarray(values, dtype=float)
    out = np.zeros(v.shape)
    for obs in observations:
        if obs.error == "binomial":
            p = np.clip(v, _EPS, 1.0 - _EPS)
            k = obs.value * obs.size
            out += k * np.log(p) + (obs.size - k) * np.log1p(-p)
        elif obs.error == "relative":
            out -= (math.log(obs.value) - np.log(np.maximum(v, _EPS))) ** 2 / (2.0 * obs.size**2)
        else:
            out -= (obs.value - v) ** 2 / (2.0 * obs.size**2)
    return out


def importance_weights(log_lik: np.ndarray) -> np.ndarray:
    """Normalised importance weights ``w_s = exp(l_s - max l) / sum`` (they sum to 1).

    Examples
    --------
    >>> importance_weights(np.log([1.0, 3.0])).tolist()
    [0.25, 0.75]
    """
    ll = np.asarray(log_lik, dtype=float)
    if ll.size == 0 or not np.isfinite(ll).any():
        raise SROIError("no draw has a finite likelihood: the data are impossible under the prior", "weights")
    ll = np.where(np.isfinite(ll), ll, -np.inf)
    w = np.exp(ll - ll.max())
    return w / w.sum()


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish / Kong effective sample size of normalised weights, ``1 / sum w^2`` (1 to S).

    Examples
    --------
    >>> effective_sample_size(np.full(4, 0.25))
    4.0
    """
    w = np.asarray(weights, dtype=float)
    return float(1.0 / np.sum(w**2))


def weighted_quantile(x: np.ndarray, weights: np.ndarray, q: float | Sequence[float]) -> np.ndarray:
    """Quantiles of weighted draws (the weighted empirical CDF, interpolated at mid-points).

    Examples
    --------
    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0]), 0.5).tolist()
    [2.0]
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(weights, dtype=float)
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order]
    keep = ws > 0
    xs, ws = xs[keep], ws[keep]
    cdf = (np.cumsum(ws) - 0.5 * ws) / ws.sum()
    return np.interp(np.atleast_1d(np.asarray(q, dtype=float)), cdf, xs)


def _weighted_ranks(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    ranks = np.empty(x.size)
    ranks[order] = np.cumsum(w[order]) - 0.5 * w[order]
    return ranks / w.sum()


def weighted_rank_correlation(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    """Spearman rank correlation of weighted draws: the weighted Pearson correlation of the
    weighted-CDF values of ``x`` and ``y`` (NaN if either is constant).

    Examples
    --------
    >>> x = np.arange(5.0)
    >>> round(weighted_rank_correlation(x, -x, np.full(5, 0.2)), 6)
    -1.0
    """
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    rx, ry = _weighted_ranks(np.asarray(x, float), w), _weighted_ranks(np.asarray(y, float), w)
    mx, my = float(w @ rx), float(w @ ry)
    cov = float(w @ ((rx - mx) * (ry - my)))
    vx, vy = float(w @ (rx - mx) ** 2), float(w @ (ry - my) ** 2)
    if vx <= 0 or vy <= 0:
        return float("nan")
    return cov / math.sqrt(vx * vy)


def fit_posterior(prior: Distribution, draws: np.ndarray, weights: np.ndarray) -> Distribution:
    """A distribution for the weighted draws of an estimate, in the prior's unit.

    Parameters
    ----------
    prior : Distribution
        The estimate's prior (its family and support choose the form).
    draws : ndarray, shape (S,)
        The prior draws of the estimate.
    weights : ndarray, shape (S,)
        Normalised importance weights.

    Returns
    -------
    Distribution
        Discrete prior: the same values with their posterior probabilities (exact). Finite
        support [L, H]: Beta(alpha, beta) scaled to [L, H] with the weighted mean m and variance
        v of (x - L) / (H - L): alpha = m c, beta = (1 - m) c, c = m (1 - m) / v - 1. Support
        [0, inf): LogNormal with the weighted mean and standard deviation of log x. Otherwise a
        Normal with the weighted mean and sd, truncated to the prior's support.

    Raises
    ------
    SROIError
        When the weights leave (almost) no spread to fit.
    """
    x = np.asarray(draws, dtype=float)
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    if isinstance(prior, Discrete):
        values = np.asarray(prior.values)
        probs = np.array([w[np.isclose(x, v, rtol=0, atol=1e-9)].sum() for v in values])
        if probs.sum() <= 0:
            raise SROIError("no weight on any of the discrete values", "posterior")
        return Discrete(tuple(float(v) for v in values), tuple(float(p) for p in probs), unit=prior.unit)
    lo, hi = prior.support()
    if math.isfinite(lo) and math.isfinite(hi) and hi > lo:
        z = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
        m = float(w @ z)
        v = float(w @ (z - m) ** 2)
        if v <= 0 or not 0 < m < 1:
            raise SROIError("the weighted draws have no spread left to fit a distribution to", "posterior")
        c = m * (1 - m) / v - 1
        if c <= 0:
            raise SROIError("the weighted draws are too spread for a beta on the prior's range", "posterior")
        return Beta(m * c, (1 - m) * c, low=float(lo), high=float(hi), unit=prior.unit)
    if lo >= 0 and (x > 0).all():
        lx = np.log(x)
        m = float(w @ lx)
        s = math.sqrt(max(float(w @ (lx - m) ** 2), 0.0))
        if s <= 0:
            raise SROIError("the weighted draws have no spread left to fit a distribution to", "posterior")
        return LogNormal(math.exp(m), math.exp(s), unit=prior.unit)
    m = float(w @ x)
    s = math.sqrt(max(float(w @ (x - m) ** 2), 0.0))
    if s <= 0:
        raise SROIError("the weighted draws have no spread left to fit a distribution to", "posterior")
    return Normal(
        m,
        s,
        low=None if not math.isfinite(lo) else float(lo),
        high=None if not math.isfinite(hi) else float(hi),
        unit=prior.unit,
    )
