"""Results of the evidence estimators: :class:`Estimate`, :class:`EstimateSet` and their stored form.

An :class:`Estimate` is one number estimated from data (a share, an effect, a rate) with its
standard error, interval, sample size, method and the fitted statsmodels results. Its
:meth:`Estimate.to_distribution` turns it into an :mod:`sroi.distributions` family so it can be
used directly for an outcome's ``deadweight``, ``attribution``, ``drop_off`` or as a quantity
factor. :func:`joint` keeps the covariance of several estimates from one fitted model, and
:meth:`EstimateSet.to_parameters` hands them to :class:`sroi.Analysis` as named ``parameters``
with rank ``correlations``. :func:`save_estimates` / :func:`load_estimates` store them as the
``parameters:`` (and ``correlations:``) entries of a model file.

The estimators themselves are in :mod:`sroi.evidence.estimators`; :mod:`sroi.evidence`
re-exports everything.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sroi.distributions import Beta, Distribution, LogitNormal, LogNormal, Normal, distribution_from_dict
from sroi.exceptions import SROIError
from sroi.safe_yaml import read_yaml_file
from sroi.units import ureg

__all__ = [
    "MIN_OBSERVATIONS",
    "MIN_PER_GROUP",
    "SCALES",
    "Estimate",
    "EstimateSet",
    "Transform",
    "joint",
    "load_correlations",
    "load_estimates",
    "normal_to_rank",
    "rank_to_normal",
    "save_estimates",
]

#: Fewest usable rows for any estimator.
MIN_OBSERVATIONS = 10
#: Fewest rows (or, for diff_in_diff, units) in each of the participant and comparison groups.
MIN_PER_GROUP = 5

#: Scales of an estimate and the interval its values must lie in for a distribution.
SCALES: dict[str, tuple[float, float]] = {
    "share": (0.0, 1.0),  # a fraction: incidence, deadweight, attribution
    "rate": (0.0, 1.0),  # a fraction per year: drop-off
    "effect": (-math.inf, math.inf),  # an unbounded effect, e.g. a difference in differences
    "positive": (0.0, math.inf),  # a positive-only amount
}
_LINKS = ("logit", "log", "identity")
_DEFAULT_LINK = {"share": "logit", "rate": "logit", "effect": "identity", "positive": "log"}


def normal_to_rank(r: float | np.ndarray) -> float | np.ndarray:
    """Spearman rank correlation of a bivariate normal with Pearson correlation ``r``.

    Notes
    -----
    rho_s = (6 / pi) arcsin(r / 2) (Pearson 1907; Kruskal 1958). A Gaussian copula given rho_s
    (as :mod:`sroi.uncertainty` is) uses r = 2 sin(pi rho_s / 6), the inverse.

    Examples
    --------
    >>> round(normal_to_rank(0.5), 6)
    0.482584
    """
    out = 6.0 / np.pi * np.arcsin(np.asarray(r, dtype=float) / 2.0)
    return float(out) if np.ndim(out) == 0 else out


def rank_to_normal(rho_s: float | np.ndarray) -> float | np.ndarray:
    """Pearson correlation of the normal copula for a Spearman rank correlation ``rho_s``.

    Examples
    --------
    >>> round(rank_to_normal(normal_to_rank(0.5)), 12)
    0.5
    """
    out = 2.0 * np.sin(np.pi * np.asarray(rho_s, dtype=float) / 6.0)
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class Transform:
    """The scale on which an estimate is (approximately) normal.

    ``link(estimate) ~ Normal(value, std_error)``: ``logit`` for shares, ``log`` for
    positive amounts, ``identity`` for unbounded effects.

    Parameters
    ----------
    link : {"logit", "log", "identity"}
    value : float
        The estimate on the transformed scale.
    std_error : float
        Its standard error on the transformed scale.
    """

    link: str
    value: float
    std_error: float

    def __post_init__(self) -> None:
        if self.link not in _LINKS:
            raise SROIError(f"expected one of {_LINKS}, got {self.link!r}", "transform.link")
        if not (math.isfinite(self.value) and math.isfinite(self.std_error) and self.std_error >= 0):
            raise SROIError(
                f"expected a finite value and a non-negative standard error, got {self.value}, "
                f"{self.std_error}",
                "transform",
            )


def _default_transform(value: float, std_error: float, scale: str) -> Transform | None:
    """Delta-method transform: se_logit = se / (p (1 - p)), se_log = se / x."""
    from scipy import special

    link = _DEFAULT_LINK[scale]
    if link == "logit":
        if not 0.0 < value < 1.0:
            return None
        return Transform("logit", float(special.logit(value)), std_error / (value * (1.0 - value)))
    if link == "log":
        if not value > 0.0:
            return None
        return Transform("log", math.log(value), std_error / value)
    return Transform("identity", value, std_error)


@dataclass(frozen=True, repr=False)
class Estimate:
    """One estimate from data, with its uncertainty and provenance.

    Parameters
    ----------
    value : float
        The point estimate, in the unit of ``scale`` (a fraction for ``share`` and ``rate``).
    std_error : float
        Standard error on the estimate's own scale.
    ci_low, ci_high : float
        The ``level`` confidence interval.
    level : float
        Confidence level of the interval, default 0.95.
    n : int
        Observations used (rows, or units for panel estimators).
    method : str
        The estimator and interval method, e.g. ``"Wilson score interval"``.
    formula : str
        What was estimated, e.g. ``"P(online_independently = 1)"``.
    scale : {"share", "rate", "effect", "positive"}
        ``share`` and ``rate`` are fractions in [0, 1]; ``effect`` is unbounded;
        ``positive`` is a positive-only amount.
    name : str
        What the estimate is, e.g. ``"deadweight"`` (the default parameter name).
    transform : Transform, optional
        Scale on which the estimate is normal; defaults to the delta method on the logit
        (shares), log (positive) or identity (effects) scale.
    note : str
        A caveat to read before using the estimate (e.g. a value outside [0, 1]).
    results : statsmodels results, optional
        The fitted model (excluded from comparison and repr).
    gradient : ndarray, optional
        Gradient of the transformed value with respect to ``results.params``; with the
        coefficients' covariance it gives the covariance between estimates (:func:`joint`).
    df : float, optional
        Degrees of freedom of the Student t quantile the interval uses (cluster-robust and
        survey-design intervals: clusters minus strata); None for a normal quantile.
    beta : tuple of float, optional
        Beta(alpha, beta) whose quantiles are the interval's ends (a Jeffreys, Clopper-Pearson
        or boundary interval of a share); :meth:`to_distribution` then returns it.
    n_effective : float, optional
        Effective sample size behind a share's interval (Kish's, or n over the design effect).
    coef_cov : ndarray, optional
        Covariance of ``results.params`` the estimate used (linearised for the survey design);
        :func:`joint` prefers it to ``results.cov_params()``.

    Examples
    --------
    >>> e = Estimate(0.4, 0.05, 0.31, 0.5, n=100, name="deadweight")
    >>> e
    Estimate(deadweight = 0.4, 95% CI 0.31 to 0.5, se 0.05, n = 100)
    >>> e.to_distribution()
    LogitNormal(mu=-0.4054651081081643, sigma=0.20833333333333334)
    """

    value: float
    std_error: float
    ci_low: float
    ci_high: float
    level: float = 0.95
    n: int = 0
    method: str = ""
    formula: str = ""
    scale: str = "share"
    name: str = "estimate"
    transform: Transform | None = None
    note: str = ""
    results: Any = field(default=None, compare=False)
    gradient: np.ndarray | None = field(default=None, compare=False)
    df: float | None = None
    beta: tuple[float, float] | None = None
    n_effective: float | None = None
    coef_cov: np.ndarray | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise SROIError(f"expected one of {sorted(SCALES)}, got {self.scale!r}", "scale")
        for k in ("value", "std_error", "ci_low", "ci_high", "level"):
            v = getattr(self, k)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise SROIError(f"expected a number, got {v!r}", k)
            if not math.isfinite(v):
                raise SROIError(f"expected a finite number, got {v!r}", k)
            object.__setattr__(self, k, float(v))
        if self.std_error < 0:
            raise SROIError(f"expected a standard error >= 0, got {self.std_error}", "std_error")
        if not 0 < self.level < 1:
            raise SROIError(f"expected a confidence level in (0, 1) such as 0.95, got {self.level}", "level")
        if not self.ci_low <= self.ci_high:
            raise SROIError(f"expected ci_low <= ci_high, got {self.ci_low}, {self.ci_high}", "ci_low")
        if self.transform is None:
            object.__setattr__(self, "transform", _default_transform(self.value, self.std_error, self.scale))
        object.__setattr__(self, "n", int(self.n))
        if self.df is not None:
            if isinstance(self.df, bool) or not isinstance(self.df, (int, float, np.integer, np.floating)):
                raise SROIError(f"expected degrees of freedom (a number > 0) or None, got {self.df!r}", "df")
            if not (self.df > 0 and math.isfinite(self.df)):
                raise SROIError(f"expected degrees of freedom > 0, got {self.df!r}", "df")
            object.__setattr__(self, "df", float(self.df))
        if self.beta is not None:
            ab = tuple(float(v) for v in self.beta)
            if len(ab) != 2 or not all(v > 0 and math.isfinite(v) for v in ab):
                raise SROIError(f"expected (alpha, beta), both > 0, got {self.beta!r}", "beta")
            if self.scale not in ("share", "rate"):
                raise SROIError(f"a beta distribution needs a share or rate, this is a {self.scale}", "beta")
            object.__setattr__(self, "beta", ab)
        if self.n_effective is not None:
            object.__setattr__(self, "n_effective", float(self.n_effective))

    @property
    def spread(self) -> float:
        """Factor by which :meth:`to_distribution` widens the normal scale: t_df / z at the level.

        1 for a normal interval. With it the distribution's (1 - level)/2 and (1 + level)/2
        quantiles are the interval's ends although the family is normal on its scale.
        """
        from scipy import stats

        if self.df is None:
            return 1.0
        q = 0.5 + self.level / 2
        return float(stats.t.ppf(q, self.df) / stats.norm.ppf(q))

    # -- conversion -----------------------------------------------------------------------
    def to_distribution(self, family: str | None = None, unit: Any = None) -> Distribution:
        """The estimate as an uncertain value for an analysis, reproducing its interval.

        Parameters
        ----------
        family : {None, "logitnormal", "beta", "normal", "lognormal"}
            None (default) gives the distribution whose (1 - level)/2 and (1 + level)/2
            quantiles are the interval's ends: :attr:`beta` when the estimator set one (a
            Jeffreys, Clopper-Pearson or boundary interval of a share); else by the link of
            :attr:`transform`: ``logit`` -> ``LogitNormal(logit(value), s)``; ``identity`` ->
            ``Normal(value, s)``, truncated to [0, 1] for a share or rate (a difference in
            differences' deadweight); ``log`` -> ``LogNormal(value, exp(s))``, with s the
            standard error on the transformed scale times :attr:`spread`. ``beta`` is
            :attr:`beta` or else moment-matched to the value and standard error; ``normal``
            on a bounded scale is truncated to it.
        unit : str or pint.Unit, optional
            Unit of the distribution (e.g. ``"person"`` for a count); default none.

        Returns
        -------
        Distribution
            The median of the logit-normal and log-normal and the mean of the normal are
            :attr:`value`. A beta's mean is not: for a Clopper-Pearson or Jeffreys interval of a
            small count it lies between x/n and 1/2 (e.g. 0.028 for 1 of 50), and for 0 of n
            (or n of n) no distribution centred on 0 (or 1) could carry the interval.

        Raises
        ------
        SROIError
            A share or rate outside (0, 1) without a :attr:`beta`, or a positive amount <= 0,
            that the family cannot represent; the message says why and what to do.

        Notes
        -----
        An interval on a normal scale with a Student t quantile, link(value) +- t_df se, is
        reproduced by the normal on that scale with its standard deviation widened to
        se t_df / z (at the interval's level): the two agree at the interval's ends and the
        median, and the t has the heavier far tails. Delta method for hand-made estimates:
        se_logit = se / (p (1 - p)); se_log = se / x (Casella & Berger 2002, §5.5.4).
        Estimators set :attr:`transform` from their own (linearised) variance.

        Examples
        --------
        >>> e = Estimate(0.4, 0.05, 0.3, 0.51, df=11, transform=Transform("logit", -0.405, 0.2))
        >>> d = e.to_distribution()
        >>> round(d.sigma / 0.2, 4)  # t(11) / z at 97.5%
        1.123
        """
        u = None if unit is None else ureg.Unit(unit) if isinstance(unit, str) else unit
        lo, hi = SCALES[self.scale]
        if family is None and self.beta is not None:
            fam = "beta"
        else:
            link = self.transform.link if self.transform is not None else _DEFAULT_LINK[self.scale]
            fam = (family or {"logit": "logitnormal", "log": "lognormal", "identity": "normal"}[link]).lower()
        where = self.name
        bounded = self.scale in ("share", "rate")
        k = self.spread
        if fam == "beta" and self.beta is not None:
            return Beta(*self.beta, unit=u)
        if bounded and not 0.0 < self.value < 1.0 and fam in ("logitnormal", "beta"):
            raise SROIError(
                f"the estimate is {self.value:.4g}, outside (0, 1), so no {fam} distribution can "
                f"represent it. {self.note + ' ' if self.note else ''}Check the data, or give a distribution by hand "
                "(e.g. sroi.Beta(x + 0.5, n - x + 0.5) for x successes of n)",
                where,
            )
        t = self.transform
        if fam == "logitnormal":
            if not bounded:
                raise SROIError(f"a logit-normal needs a share or rate, this is a {self.scale}", where)
            if t is None or t.link != "logit":
                t = _default_transform(self.value, self.std_error, "share")
                assert t is not None  # 0 < value < 1 checked above
            return LogitNormal(t.value, t.std_error * k, unit=u)
        if fam == "beta":
            if not bounded:
                raise SROIError(f"a beta distribution needs a share or rate, this is a {self.scale}", where)
            b = Beta.from_mean_sd(self.value, self.std_error * k)
            return Beta(b.alpha, b.beta, unit=u)
        if fam == "lognormal":
            if not self.value > 0:
                raise SROIError(f"a log-normal needs a positive estimate, got {self.value:.4g}", where)
            if t is None or t.link != "log":
                t = Transform("log", math.log(self.value), self.std_error / self.value)
            return LogNormal(math.exp(t.value), math.exp(t.std_error * k), unit=u)
        if fam == "normal":
            if bounded and not lo <= self.value <= hi:
                raise SROIError(
                    f"the estimate {self.value:.4g} is outside [0, 1]. {self.note}".strip(), where
                )
            low = None if math.isinf(lo) else lo
            high = None if math.isinf(hi) else hi
            return Normal(self.value, self.std_error * k, low=low, high=high, unit=u)
        raise SROIError(
            f"unknown family {family!r}; expected None, 'logitnormal', 'beta', 'normal' or 'lognormal'",
            "family",
        )

    # -- display --------------------------------------------------------------------------
    @property
    def summary(self) -> pd.DataFrame:
        """One-row table: value, std_error, ci_low, ci_high, level, n, n_effective, df, scale, method, formula."""
        row = {
            "value": self.value,
            "std_error": self.std_error,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "level": self.level,
            "n": self.n,
            "n_effective": np.nan if self.n_effective is None else self.n_effective,
            "df": np.nan if self.df is None else self.df,
            "scale": self.scale,
            "method": self.method,
            "formula": self.formula,
        }
        if self.note:
            row["note"] = self.note
        return pd.DataFrame([row], index=pd.Index([self.name], name="estimate"))

    def __repr__(self) -> str:
        return (
            f"Estimate({self.name} = {self.value:.4g}, {self.level:.0%} CI {self.ci_low:.4g} to "
            f"{self.ci_high:.4g}, se {self.std_error:.4g}, n = {self.n})"
        )

    def _repr_html_(self) -> str:
        table = self.summary.drop(columns=["method", "formula"]).to_html(
            border=0, float_format=lambda x: f"{x:.4g}"
        )
        parts = [f"<h4>Estimate: {html.escape(self.name)}</h4>", table]
        for label, text in (("method", self.method), ("formula", self.formula)):
            if text:
                parts.append(f"<p><b>{label}</b>: {html.escape(text)}</p>")
        return "<div class='sroi-estimate'>" + "".join(parts) + "</div>"


class EstimateSet(Mapping[str, Estimate]):
    """Several estimates with their covariance on the transformed (normal) scale.

    Made by :func:`joint` and returned by :func:`sroi.evidence.diff_in_diff`. A read-only
    mapping of name to :class:`Estimate`.

    Parameters
    ----------
    estimates : mapping of str to Estimate
    covariance : ndarray (k, k)
        Covariance of the transformed values (``Estimate.transform``), in the order of
        ``estimates``.
    """

    def __init__(self, estimates: Mapping[str, Estimate], covariance: np.ndarray) -> None:
        self._estimates = dict(estimates)
        cov = np.asarray(covariance, dtype=float)
        k = len(self._estimates)
        if cov.shape != (k, k):
            raise SROIError(f"expected a {k} x {k} covariance, got shape {cov.shape}", "covariance")
        self.covariance = cov

    def __getitem__(self, key: str) -> Estimate:
        return self._estimates[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._estimates)

    def __len__(self) -> int:
        return len(self._estimates)

    @property
    def correlation(self) -> pd.DataFrame:
        """Pearson correlation of the transformed values (the normal scale)."""
        sd = np.sqrt(np.diag(self.covariance))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = self.covariance / np.outer(sd, sd)
        corr = np.where(np.isfinite(corr), corr, 0.0)
        np.fill_diagonal(corr, 1.0)
        names = list(self._estimates)
        return pd.DataFrame(np.clip(corr, -1.0, 1.0), index=names, columns=names)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per estimate (see :attr:`Estimate.summary`), indexed by name."""
        frames = [e.summary.set_axis([k]) for k, e in self._estimates.items()]
        out = pd.concat(frames)
        out.index.name = "estimate"
        return out

    def to_parameters(
        self, prefix: str = "", family: str | None = None
    ) -> tuple[dict[str, Distribution], list[tuple[str, str, float]]]:
        """Named distributions and rank correlations for :class:`sroi.Analysis`.

        Parameters
        ----------
        prefix : str
            Prepended to every name (e.g. ``"did_"``).
        family : str, optional
            Distribution family for every estimate (see :meth:`Estimate.to_distribution`).

        Returns
        -------
        parameters : dict of str to Distribution
        correlations : list of (str, str, float)
            Spearman rank correlations rho_s = (6/pi) arcsin(r/2) for every pair with a
            nonzero correlation r on the transformed scale, so the Gaussian copula of
            :mod:`sroi.uncertainty` (r = 2 sin(pi rho_s/6)) makes the transformed values
            jointly normal with the fitted model's covariance (exact for the default
            logit-normal, log-normal and normal families).

        Examples
        --------
        >>> a = Estimate(0.4, 0.05, 0.31, 0.5, name="deadweight")
        >>> b = Estimate(0.2, 0.04, 0.13, 0.29, name="drop_off", scale="rate")
        >>> s = EstimateSet({"deadweight": a, "drop_off": b}, [[0.0434, 0.01], [0.01, 0.0625]])
        >>> params, corr = s.to_parameters()
        >>> sorted(params), [(x, y, round(r, 3)) for x, y, r in corr]
        (['deadweight', 'drop_off'], [('deadweight', 'drop_off', 0.184)])
        """
        params = {prefix + k: e.to_distribution(family) for k, e in self._estimates.items()}
        corr = self.correlation.to_numpy()
        names = list(self._estimates)
        pairs = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                r = float(corr[i, j])
                if abs(r) > 1e-12:
                    pairs.append((prefix + names[i], prefix + names[j], float(normal_to_rank(r))))
        return params, pairs

    def __repr__(self) -> str:
        lines = ["EstimateSet("] + [f"  {k}: {e!r}," for k, e in self._estimates.items()] + [")"]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        table = self.summary.drop(columns=["method", "formula"]).to_html(
            border=0, float_format=lambda x: f"{x:.4g}"
        )
        corr = self.correlation.to_html(border=0, float_format=lambda x: f"{x:.3f}")
        return (
            f"<div class='sroi-estimate-set'><h4>Estimates</h4>{table}"
            f"<h5>Correlation (transformed scale)</h5>{corr}</div>"
        )


def joint(*estimates: Estimate | Mapping[str, Estimate], **named: Estimate) -> EstimateSet:
    """Combine estimates, keeping the covariance of those from one fitted model.

    Parameters
    ----------
    *estimates : Estimate or mapping of str to Estimate
        Positional estimates are named by their :attr:`Estimate.name`.
    **named : Estimate
        Estimates under the given names.

    Returns
    -------
    EstimateSet

    Raises
    ------
    SROIError
        A name used twice, or something that is not an Estimate.

    Notes
    -----
    For estimates i, j with transformed values h_i(beta), h_j(beta) of the same fitted model
    (the same ``results`` object), cov(h_i, h_j) = g_i' V g_j, with g the gradients and V the
    covariance of beta the estimates used (``coef_cov``, else the model's ``cov_params()``;
    the multivariate delta method). Estimates from different fits are treated as independent
    (covariance 0): right for different samples, an approximation for different models of one
    sample. An estimate with no normal scale (a share of 0 or 1) gets NaN as its variance.

    Examples
    --------
    >>> a = Estimate(0.4, 0.05, 0.31, 0.5, name="deadweight")
    >>> b = Estimate(0.3, 0.04, 0.22, 0.38, name="attribution")
    >>> s = joint(a, b)
    >>> list(s), float(s.correlation.loc["deadweight", "attribution"])
    (['deadweight', 'attribution'], 0.0)
    """
    items: list[tuple[str, Any]] = []
    for i, e in enumerate(estimates):
        if isinstance(e, Estimate):
            items.append((e.name, e))
        elif isinstance(e, Mapping):
            items.extend((str(k), v) for k, v in e.items())
        else:
            raise SROIError(f"expected an Estimate or a mapping of them, got {type(e).__name__}", f"[{i}]")
    items.extend(named.items())
    out: dict[str, Estimate] = {}
    for k, e in items:
        if not isinstance(e, Estimate):
            raise SROIError(f"expected an Estimate, got {type(e).__name__}", k)
        if k in out:
            raise SROIError(f"the name {k!r} is used twice; pass estimates as name=estimate", k)
        out[k] = e
    ests = list(out.values())
    cov = np.zeros((len(ests), len(ests)))
    for i, a in enumerate(ests):
        cov[i, i] = np.nan if a.transform is None else a.transform.std_error**2
        for j in range(i):
            b = ests[j]
            if (
                a.results is not None
                and a.results is b.results
                and a.gradient is not None
                and b.gradient is not None
            ):
                if a.transform is None or b.transform is None:
                    bad = list(out)[i if a.transform is None else j]
                    raise SROIError(
                        f"{out[bad]!r} has no normal scale (its value is on the boundary), so its "
                        "covariance with the other estimates of its model is not defined",
                        bad,
                    )
                v = a.coef_cov if a.coef_cov is not None else a.results.cov_params()
                v = np.asarray(v, dtype=float)
                cov[i, j] = cov[j, i] = float(np.asarray(a.gradient) @ v @ np.asarray(b.gradient))
    return EstimateSet(out, cov)


# -- stored form ---------------------------------------------------------------------------
def _comment(text: str) -> str:
    return " ".join(str(text).split())


def save_estimates(
    estimates: Mapping[str, Estimate | Distribution],
    path: str | Path,
    correlations: Sequence[tuple[str, str, float]] = (),
) -> Path:
    """Write estimates as the ``parameters:`` (and ``correlations:``) entries of a model file.

    Parameters
    ----------
    estimates : mapping of str to Estimate or Distribution, or an EstimateSet
        Names become parameter names. Estimates from one fitted model keep their
        correlation (:func:`joint`).
    path : str or Path
        YAML file to write.
    correlations : sequence of (str, str, float), optional
        Further rank correlations to store.

    Returns
    -------
    Path

    Notes
    -----
    Each estimate is stored as its :meth:`Estimate.to_distribution` dict, with its value,
    interval, sample size, method and formula as a YAML comment above it, so the file is both
    provenance and a block to paste into (or reference from) a model file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "estimates.yaml"
    >>> _ = save_estimates({"deadweight_online": Estimate(0.4, 0.05, 0.31, 0.5, name="deadweight")}, p)
    >>> load_estimates(p)
    {'deadweight_online': LogitNormal(mu=-0.4054651081081643, sigma=0.20833333333333334)}
    """
    import yaml

    if not isinstance(estimates, Mapping):
        raise SROIError(
            f"expected a mapping of name to Estimate, got {type(estimates).__name__}", "estimates"
        )
    params: dict[str, Any] = {}
    comments = []
    ests: dict[str, Estimate] = {}
    for k, v in estimates.items():
        if not isinstance(k, str) or not k.strip() or any(c.isspace() for c in k):
            raise SROIError(f"expected a parameter name without spaces, got {k!r}", "estimates")
        if isinstance(v, Estimate):
            ests[k] = v
            params[k] = v.to_distribution().to_dict()
            comments.append(
                f"# {k}: {v.name} = {v.value:.6g} ({v.level:.0%} CI {v.ci_low:.6g} to {v.ci_high:.6g}), "
                f"se {v.std_error:.4g}, n = {v.n}; {_comment(v.method)}; {_comment(v.formula)}"
            )
            if v.note:
                comments.append(f"#   note: {_comment(v.note)}")
        elif isinstance(v, Distribution):
            params[k] = v.to_dict()
        else:
            raise SROIError(f"expected an Estimate or a Distribution, got {type(v).__name__}", k)
    corr = []
    if isinstance(estimates, EstimateSet):
        corr.extend(estimates.to_parameters()[1])
    elif len(ests) > 1:
        corr.extend(joint(ests).to_parameters()[1])
    for i, c in enumerate(correlations):
        if len(c) != 3:
            raise SROIError(f"expected (name_a, name_b, rho), got {c!r}", f"correlations[{i}]")
        corr.append((str(c[0]), str(c[1]), float(c[2])))
    doc: dict[str, Any] = {"parameters": params}
    if corr:
        doc["correlations"] = [[a, b, float(r)] for a, b, r in corr]
    header = [
        "# Estimates written by sroi.evidence.save_estimates.",
        "# Paste these entries into a model file (or pass load_estimates(path) as parameters=)",
        "# and refer to them from outcomes with {param: name}.",
        *comments,
    ]
    p = Path(path)
    text = "\n".join(header) + "\n" + yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)
    p.write_text(text, encoding="utf-8")
    return p


def _read_store(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    doc = read_yaml_file(p, "path")
    if not isinstance(doc, Mapping) or not isinstance(doc.get("parameters"), Mapping):
        raise SROIError(f"{p.name} needs a 'parameters:' mapping of name to distribution", "parameters")
    extra = set(doc) - {"parameters", "correlations"}
    if extra:
        raise SROIError(f"unknown key(s) {sorted(extra)}; expected parameters and correlations", str(p.name))
    return dict(doc)


def load_estimates(path: str | Path) -> dict[str, Distribution]:
    """Read the ``parameters:`` written by :func:`save_estimates` (or any model file's).

    Returns
    -------
    dict of str to Distribution
        Ready for ``sroi.Analysis(parameters=...)``; fields refer to them with ``Ref(name)``.

    Raises
    ------
    SROIError
        Missing file, invalid YAML, or an entry that is not a distribution.
    """
    doc = _read_store(path)
    out: dict[str, Distribution] = {}
    for k, v in doc["parameters"].items():
        if not isinstance(v, Mapping):
            raise SROIError(f"expected a distribution mapping, got {v!r}", f"parameters.{k}")
        out[str(k)] = distribution_from_dict(v, f"parameters.{k}")
    return out


def load_correlations(path: str | Path) -> list[tuple[str, str, float]]:
    """Read the ``correlations:`` written by :func:`save_estimates` (empty if none)."""
    doc = _read_store(path)
    out = []
    for i, c in enumerate(doc.get("correlations") or []):
        if not isinstance(c, Sequence) or isinstance(c, str) or len(c) != 3:
            raise SROIError(f"expected [name_a, name_b, rho], got {c!r}", f"correlations[{i}]")
        out.append((str(c[0]), str(c[1]), float(c[2])))
    return out
