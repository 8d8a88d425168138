"""Intervals for a share: Wilson, Jeffreys and Clopper-Pearson, on an effective sample size.

:func:`share_interval` is the interval every share estimator uses (incidence, attribution),
with the rule that picks one by default; :func:`effective_count` turns a design-based
(linearised) variance into the effective sample size those intervals need; :func:`beta_through`
finds the beta distribution whose quantiles are an interval's ends, so that
:meth:`sroi.evidence.Estimate.to_distribution` reproduces the interval it came from.

References
----------
.. [1] Brown, L. D., Cai, T. T., DasGupta, A. (2001). Interval estimation for a binomial
   proportion. Statistical Science 16(2), 101-133.
.. [2] Korn, E. L., Graubard, B. I. (1998). Confidence intervals for proportions with small
   expected number of positive counts estimated from survey data. Survey Methodology 24(2),
   193-201.
.. [3] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. JASA 22(158), 209-212.
.. [4] Clopper, C. J., Pearson, E. S. (1934). The use of confidence or fiducial limits
   illustrated in the case of the binomial. Biometrika 26(4), 404-413.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sroi.exceptions import SROIError

__all__ = [
    "MIN_EXPECTED_COUNT",
    "SHARE_METHODS",
    "ShareInterval",
    "beta_through",
    "effective_count",
    "share_interval",
]

#: Below this many (effective) successes or failures the default interval is Clopper-Pearson
#: instead of Wilson: there Wilson's coverage dips to 0.84-0.92 (Brown, Cai & DasGupta 2001,
#: fig. 5) and no interval that does not randomise holds 95% without over-covering.
MIN_EXPECTED_COUNT = 5.0

#: Interval methods for a share.
SHARE_METHODS = ("auto", "wilson", "jeffreys", "clopper-pearson")


@dataclass(frozen=True)
class ShareInterval:
    """An interval for a share and the distribution that reproduces it.

    Attributes
    ----------
    low, high : float
        The interval's ends [fraction].
    method : str
        The method used: "wilson", "jeffreys" or "clopper-pearson".
    se_logit : float or None
        For a Wilson interval strictly inside (0, 1): its half-width on the logit scale over the
        normal quantile. Wilson's ends satisfy logit(low) + logit(high) = 2 logit(p), so
        ``LogitNormal(logit(p), se_logit)`` has exactly these ends as its quantiles.
    beta : tuple of float or None
        Otherwise, Beta(alpha, beta) whose level quantiles are the ends (exact for Jeffreys,
        fitted for the others).
    """

    low: float
    high: float
    method: str
    se_logit: float | None
    beta: tuple[float, float] | None


def effective_count(
    p: float,
    variance: float,
    n: int,
    df: float | None = None,
    fallback: float | None = None,
    dispersion: bool = False,
) -> float:
    """Effective sample size of a share estimated with a linearised (design) variance.

    Parameters
    ----------
    p : float
        The (weighted) share or mean of answers in [0, 1].
    variance : float
        Its linearised variance (:meth:`sroi.evidence.DesignData.variance`).
    n : int
        Rows used.
    df : float, optional
        Degrees of freedom of the design; the count is shrunk so that a z-based interval on
        it is as wide as a t(df)-based one (Korn & Graubard 1998).
    fallback : float, optional
        Used when p(1 - p) or the variance is 0 (identical answers): default n. The
        estimators pass the Kish effective sample size.
    dispersion : bool
        True for answers in [0, 1] that are not 0/1: their spread is estimated, not implied by
        p, so the count is shrunk by (z / t_df)^2 (a t interval's width) instead.

    Returns
    -------
    float
        n_eff = n / (n - 1) p (1 - p) / V, times (t_{n-1} / t_df)^2 when df is given, or
        (z / t_df)^2 with ``dispersion``.

    Notes
    -----
    For a 0/1 outcome this is n / deff, with deff = V / (p (1 - p) / (n - 1)) Kish's design
    effect (the variance over that of a simple random sample of n, estimated the same way), so
    equal weights give n. For answers in [0, 1] that are not all 0 or 1 it is the quasi-binomial
    count: the variance of their mean is p (1 - p) / n_eff.

    Examples
    --------
    >>> effective_count(0.3, 0.3 * 0.7 / 99, 100)  # simple random sample
    100.0
    """
    from scipy import stats

    pq = p * (1.0 - p)
    if pq > 0 and variance > 0:
        out = n / (n - 1.0) * pq / variance
    else:
        out = float(n if fallback is None else fallback)
    if df is not None and n > 1:
        q = 0.975
        ref = stats.norm.ppf(q) if dispersion else stats.t.ppf(q, n - 1)
        out *= (ref / stats.t.ppf(q, max(df, 1e-9))) ** 2
    return float(out)


def beta_through(low: float, high: float, level: float) -> tuple[float, float]:
    """Beta(alpha, beta) whose (1 - level)/2 and (1 + level)/2 quantiles are ``low`` and ``high``.

    An end at 0 (or 1) is matched as 0.1% of the width above 0 (below 1), since no beta
    quantile is 0 exactly; the distribution then reproduces the interval to 0.1% of its width.

    Examples
    --------
    >>> a, b = beta_through(0.2189, 0.3958, 0.95)
    >>> from scipy import stats
    >>> [round(float(v), 4) for v in stats.beta.ppf([0.025, 0.975], a, b)]
    [0.2189, 0.3958]
    """
    from scipy import optimize, special

    if not 0.0 <= low < high <= 1.0:
        raise SROIError(f"expected 0 <= low < high <= 1, got {low}, {high}", "interval")
    eps = 1e-3 * (high - low)
    lo, hi = max(low, eps), min(high, 1.0 - eps)
    a2, b2 = (1 - level) / 2, (1 + level) / 2
    z = float(special.ndtri(b2))
    mean = min(max((lo + hi) / 2, 1e-6), 1 - 1e-6)
    sd = (hi - lo) / (2 * z)
    k = max(mean * (1 - mean) / sd**2 - 1, 1e-3)
    start = np.log([max(mean * k, 1e-3), max((1 - mean) * k, 1e-3)])

    def resid(v: np.ndarray) -> np.ndarray:
        a, b = np.exp(v)
        return np.array([special.betainc(a, b, lo) - a2, special.betainc(a, b, hi) - b2])

    sol = optimize.least_squares(resid, start, xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=2000)
    a, b = (float(x) for x in np.exp(sol.x))
    if np.max(np.abs(resid(sol.x))) > 1e-6:
        raise SROIError(f"no beta distribution has the interval {low:.4g} to {high:.4g}", "interval")
    return a, b


def share_interval(p: float, n_eff: float, level: float = 0.95, method: str = "auto") -> ShareInterval:
    """A binomial interval for a share ``p`` observed on ``n_eff`` (effective) trials.

    Parameters
    ----------
    p : float
        The share [fraction], in [0, 1].
    n_eff : float
        Trials (the sample size, or an effective sample size from :func:`effective_count`).
    level : float
        Confidence level, default 0.95.
    method : {"auto", "wilson", "jeffreys", "clopper-pearson"}
        ``auto`` (default) is Wilson when both p n_eff and (1 - p) n_eff are at least
        :data:`MIN_EXPECTED_COUNT` (5), else Clopper-Pearson.

    Returns
    -------
    ShareInterval

    Notes
    -----
    With x = p n_eff (not necessarily whole): Wilson solves (p - pi)^2 = z^2 pi (1 - pi) / n_eff;
    Jeffreys takes the quantiles of Beta(x + 1/2, n_eff - x + 1/2); Clopper-Pearson those of
    Beta(x, n_eff - x + 1) and Beta(x + 1, n_eff - x), with 0 (1) at x = 0 (x = n_eff).

    Exact coverage of the 95% interval for a simple random sample (computed from the binomial
    distribution, Brown, Cai & DasGupta 2001): Wilson averages 0.95 once n p >= 5 and dips to
    0.84-0.92 below (0.92 at p = 0.02, n = 50); Jeffreys dips to 0.88 near n p = 3;
    Clopper-Pearson never falls below 0.95 and gives 0.975-0.99 for n p < 5. The ``auto``
    rule keeps Wilson where it holds its level and the exact interval where nothing else
    does. Every interval has positive width, also when all answers are the same.

    Examples
    --------
    >>> s = share_interval(0.3, 100)
    >>> s.method, round(s.low, 4), round(s.high, 4)
    ('wilson', 0.2189, 0.3958)
    >>> s = share_interval(0.0, 40)
    >>> s.method, s.low, round(s.high, 4)
    ('clopper-pearson', 0.0, 0.0881)
    """
    from scipy import special, stats

    if method not in SHARE_METHODS:
        raise SROIError(f"expected one of {SHARE_METHODS}, got {method!r}", "method")
    if not (0.0 <= p <= 1.0 and n_eff > 0 and math.isfinite(n_eff)):
        raise SROIError(f"expected a share in [0, 1] and n > 0, got {p!r}, {n_eff!r}", "p")
    x = p * n_eff
    if method == "auto":
        method = "wilson" if min(x, n_eff - x) >= MIN_EXPECTED_COUNT else "clopper-pearson"
    alpha = 1.0 - level
    z = float(special.ndtri(1 - alpha / 2))
    if method == "wilson":
        c = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
        h = z / (1 + z * z / n_eff) * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff))
        lo, hi = max(0.0, c - h), min(1.0, c + h)
        if 0.0 < p < 1.0:
            return ShareInterval(lo, hi, method, (special.logit(hi) - special.logit(lo)) / (2 * z), None)
        return ShareInterval(lo, hi, method, None, beta_through(lo, hi, level))
    if method == "jeffreys":
        a, b = x + 0.5, n_eff - x + 0.5
        lo, hi = (float(v) for v in stats.beta.ppf([alpha / 2, 1 - alpha / 2], a, b))
        return ShareInterval(lo, hi, method, None, (a, b))
    lo = 0.0 if x <= 0 else float(stats.beta.ppf(alpha / 2, x, n_eff - x + 1))
    hi = 1.0 if x >= n_eff else float(stats.beta.ppf(1 - alpha / 2, x + 1, n_eff - x))
    return ShareInterval(lo, hi, method, None, beta_through(lo, hi, level))
