"""Survey designs for the evidence estimators: weights, strata, clusters and a finite population.

A :class:`Design` names the columns that describe how a survey was drawn. Every estimator in
:mod:`sroi.evidence` accepts one (``design=Design(weights="w", clusters="village")``); the
older keyword arguments (``weights="w"``, ``unit="person"``) are shorthand for the same thing.
:func:`resolve_design` checks the columns against the data and returns a :class:`DesignData`,
whose :meth:`DesignData.variance` is the linearised (Taylor) variance of an estimator from its
influence values, with the design's degrees of freedom, and whose
:meth:`DesignData.replicate_weights` gives rescaled-bootstrap replicate weights.

Notes
-----
An estimator theta that solves weighted estimating equations is, to first order, a weighted
total of influence values z_i (Binder 1983): theta - theta_0 ~ sum_i z_i. Its variance under a
stratified multistage design, with primary sampling units (clusters, PSUs) drawn with
replacement within strata, is (Wolter 2007, §6.11; Lumley 2010, §2.3)

    V = sum_h (1 - f_h) n_h / (n_h - 1) sum_j (z_hj - mean_j z_hj)^2

with z_hj the sum of z_i over PSU j of stratum h, n_h the PSUs sampled in stratum h and f_h
the sampling fraction of PSUs (0 without a finite population correction). Without clusters
every row is its own PSU; without strata there is one stratum. The reference distribution is
Student's t with (number of PSUs - number of strata) degrees of freedom (Korn & Graubard 1999,
§5.2), which is t(G - 1) for G clusters: the few-cluster correction. For one stratum this is
the CR1 cluster-robust sandwich of Cameron & Miller (2015) without its (N - 1) / (N - K)
factor.

References
----------
.. [1] Binder, D. A. (1983). On the variances of asymptotically normal estimators from
   complex surveys. International Statistical Review 51(3), 279-292.
.. [2] Wolter, K. M. (2007). Introduction to Variance Estimation, 2nd ed. Springer.
.. [3] Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
.. [4] Korn, E. L., Graubard, B. I. (1999). Analysis of Health Surveys. Wiley.
.. [5] Rao, J. N. K., Wu, C. F. J., Yue, K. (1992). Some recent work on resampling methods for
   complex surveys. Survey Methodology 18(2), 209-217.
.. [6] Cameron, A. C., Miller, D. L. (2015). A practitioner's guide to cluster-robust
   inference. J. Human Resources 50(2), 317-372.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sroi.evidence.data import column, kish_effective_size, numeric_column, weights_column
from sroi.exceptions import SROIError

__all__ = [
    "MIN_CLUSTERS",
    "MIN_EFFECTIVE_SIZE",
    "Design",
    "DesignData",
    "check_effective_size",
    "check_nested",
    "glm_influence",
    "resolve_design",
    "wls_influence",
]

#: Fewest Kish effective observations, (sum w)^2 / sum w^2, for a share or a mean: below it one
#: or two weights dominate and no interval means what it says (the same as ``MIN_OBSERVATIONS``).
MIN_EFFECTIVE_SIZE = 10
#: Fewest clusters (PSUs) for a cluster-robust standard error: with G clusters it has G - 1
#: degrees of freedom, and below 5 the t(G - 1) interval is too wide to inform (and its coverage
#: depends on equal cluster sizes; Cameron & Miller 2015, §VI).
MIN_CLUSTERS = 5


@dataclass(frozen=True)
class Design:
    """How a survey was drawn: the columns holding weights, strata, clusters and the population.

    Parameters
    ----------
    weights : str, optional
        Column of survey (sampling) weights [persons represented per respondent], >= 0, not
        all zero: the inverse of each row's inclusion probability, or a calibrated version.
    strata : str, optional
        Column of strata: groups sampled independently of each other.
    clusters : str, optional
        Column of clusters (primary sampling units: villages, schools, or persons followed
        over several waves). Cluster ids are read within strata: id 1 in two strata is two
        clusters. Each cluster needs rows that may be correlated with each other and with no
        other cluster's rows.
    fpc : str, optional
        Finite population correction, one value per stratum (constant within it): either the
        number of clusters (or rows, without clusters) in the stratum's population (> 1), or
        the sampling fraction (in (0, 1]). Without it, sampling is treated as with replacement.

    Notes
    -----
    Variances are linearised (Taylor) with the degrees of freedom of the design, number of
    clusters minus number of strata (see :mod:`sroi.evidence.design`). The shorthand
    ``weights="w"`` of an estimator means ``design=Design(weights="w")``.

    Examples
    --------
    >>> Design(weights="weight", clusters="village")
    Design(weights='weight', strata=None, clusters='village', fpc=None)
    """

    weights: str | None = None
    strata: str | None = None
    clusters: str | None = None
    fpc: str | None = None

    def __post_init__(self) -> None:
        for k in ("weights", "strata", "clusters", "fpc"):
            v = getattr(self, k)
            if v is not None and (not isinstance(v, str) or not v):
                raise SROIError(f"expected a column name (str) or None, got {v!r}", f"design.{k}")

    @property
    def is_simple(self) -> bool:
        """True when no column is named: simple random sampling with replacement."""
        return self.weights is None and self.strata is None and self.clusters is None and self.fpc is None


@dataclass(frozen=True, eq=False)
class DesignData:
    """A :class:`Design` read from the data: arrays for the variance and the bootstrap.

    Made by :func:`resolve_design`; not usually built by hand.

    Attributes
    ----------
    weights : ndarray (n,)
        Survey weights (ones without weights).
    strata : ndarray of int (n,)
        Stratum code of every row (0..H-1).
    psu : ndarray of int (n,)
        Primary sampling unit code of every row, unique across strata (0..G-1).
    psu_stratum : ndarray of int (G,)
        Stratum of each PSU.
    keep : ndarray of float (H,)
        1 - f_h, the finite population correction of each stratum.
    design : Design
        The columns it was read from (after the shorthand was merged in).
    label : str
        A description for an estimate's ``method``, e.g. "weights 'w', 24 clusters 'village'".
    """

    weights: np.ndarray
    strata: np.ndarray
    psu: np.ndarray
    psu_stratum: np.ndarray
    keep: np.ndarray
    design: Design
    label: str

    @property
    def n_psu(self) -> int:
        """Number of primary sampling units (clusters; rows without clusters)."""
        return len(self.psu_stratum)

    @property
    def n_strata(self) -> int:
        """Number of strata (1 without strata)."""
        return len(self.keep)

    @property
    def df(self) -> int:
        """Degrees of freedom of the design: number of PSUs minus number of strata."""
        return self.n_psu - self.n_strata

    @property
    def weighted(self) -> bool:
        """True when the design has survey weights."""
        return self.design.weights is not None

    @property
    def clustered(self) -> bool:
        """True when the design has clusters."""
        return self.design.clusters is not None

    @property
    def kish_size(self) -> float:
        """Kish (1965) effective sample size (sum w)^2 / sum w^2 of the weights."""
        return kish_effective_size(self.weights)

    def variance(self, z: np.ndarray) -> np.ndarray:
        """Linearised variance (covariance) of a total of influence values.

        Parameters
        ----------
        z : ndarray (n,) or (n, k)
            Influence values of one estimator (or k estimators), one row per data row.

        Returns
        -------
        ndarray
            A 0-d array (variance) for ``z`` of shape (n,), else the (k, k) covariance.

        Notes
        -----
        V = sum_h (1 - f_h) n_h / (n_h - 1) sum_j (z_hj - zbar_h)(z_hj - zbar_h)' with z_hj the
        PSU totals (Wolter 2007, §6.11).

        Examples
        --------
        Simple random sampling: the variance of a mean is s^2 / n.

        >>> import pandas as pd
        >>> d = resolve_design(pd.DataFrame({"y": [1.0, 2, 3, 4]}), None)
        >>> y = np.array([1.0, 2, 3, 4])
        >>> float(d.variance((y - y.mean()) / 4))  # s^2 / n = (5/3) / 4
        0.4166666666666667
        """
        z = np.asarray(z, dtype=float)
        one = z.ndim == 1
        zz = z[:, None] if one else z
        totals = np.zeros((self.n_psu, zz.shape[1]))
        np.add.at(totals, self.psu, zz)
        h = self.psu_stratum
        count = np.bincount(h, minlength=self.n_strata).astype(float)
        sums = np.zeros((self.n_strata, zz.shape[1]))
        np.add.at(sums, h, totals)
        dev = totals - (sums / count[:, None])[h]
        factor = (self.keep * count / (count - 1.0))[h]
        v = (dev * factor[:, None]).T @ dev
        return np.asarray(v[0, 0]) if one else v

    def replicate_weights(self, n_rep: int, rng: np.random.Generator) -> np.ndarray:
        """Rescaled-bootstrap replicate weights (Rao, Wu & Yue 1992), shape (n_rep, n).

        In each replicate, n_h - 1 PSUs are drawn with replacement within stratum h; a PSU
        drawn r times has its weights multiplied by 1 - lam + lam r n_h / (n_h - 1), with
        lam = sqrt(1 - f_h). The variance of a replicate estimate then matches the linearised
        variance of a total, including the n_h / (n_h - 1) factor.
        """
        out = np.empty((n_rep, len(self.weights)))
        h = self.psu_stratum
        order = [np.flatnonzero(h == s) for s in range(self.n_strata)]
        lam = np.sqrt(self.keep)
        for r in range(n_rep):
            mult = np.empty(self.n_psu)
            for s, members in enumerate(order):
                nh = len(members)
                drawn = np.bincount(rng.integers(0, nh, nh - 1), minlength=nh)
                mult[members] = 1.0 - lam[s] + lam[s] * drawn * nh / (nh - 1.0)
            out[r] = self.weights * mult[self.psu]
        return out

    def with_group_strata(self, group: np.ndarray) -> DesignData:
        """The participant and comparison groups as two strata (two independent samples).

        Used by the two-group estimators when the design names neither strata nor clusters.
        """
        if self.design.strata is not None or self.design.clusters is not None:
            return self
        g = np.asarray(group, dtype=bool).astype(int)
        psu_stratum = np.zeros(self.n_psu, dtype=int)
        psu_stratum[self.psu] = g
        return DesignData(
            weights=self.weights,
            strata=g,
            psu=self.psu,
            psu_stratum=psu_stratum,
            keep=np.full(2, self.keep[0]),
            design=self.design,
            label=self.label,
        )


def _codes(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(codes, dtype=int), list(uniques)


def resolve_design(
    df: pd.DataFrame,
    design: Design | None,
    *,
    weights: str | None = None,
    clusters: str | None = None,
    clusters_arg: str = "unit",
) -> DesignData:
    """Check a :class:`Design` against the data and return its arrays.

    Parameters
    ----------
    df : DataFrame
        The rows the estimator uses.
    design : Design or None
        The survey design; None is simple random sampling (or the shorthand below).
    weights : str, optional
        Shorthand for ``Design(weights=...)`` (an estimator's ``weights=`` argument).
    clusters : str, optional
        Shorthand for ``Design(clusters=...)`` (e.g. ``drop_off``'s ``unit=``), used when the
        design names no clusters of its own; ``clusters_arg`` names it in messages.
    clusters_arg : str
        The argument that gave ``clusters``.

    Returns
    -------
    DesignData

    Raises
    ------
    SROIError
        A design that is not a :class:`Design`; weights given twice; a missing or invalid
        column (naming it); a stratum with a single cluster; an fpc that varies within a
        stratum or is smaller than the sample; fewer than :data:`MIN_CLUSTERS` clusters.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1, 0, 1, 1, 0, 0], "v": [1, 1, 2, 2, 3, 3]})
    >>> d = resolve_design(df, Design(clusters="v"))
    Traceback (most recent call last):
    ...
    sroi.exceptions.SROIError: design.clusters: 3 clusters in column 'v'; at least 5 are needed for a cluster-robust standard error
    """
    if design is None:
        design = Design()
    if not isinstance(design, Design):
        raise SROIError(
            f"expected sroi.evidence.Design(weights=..., strata=..., clusters=..., fpc=...), got "
            f"{type(design).__name__}",
            "design",
        )
    if weights is not None:
        if design.weights is not None and design.weights != weights:
            raise SROIError(
                f"weights given twice ({weights!r} and design.weights {design.weights!r}); give one",
                "weights",
            )
        design = Design(weights, design.strata, design.clusters, design.fpc)
    cluster_arg = "design.clusters"
    if design.clusters is None and clusters is not None:
        design = Design(design.weights, design.strata, clusters, design.fpc)
        cluster_arg = clusters_arg
    n = len(df)
    w = weights_column(df, design.weights)
    if w is None:
        w = np.ones(n)
    label = []
    if design.weights is not None:
        label.append(f"weights {design.weights!r}")
    if design.strata is not None:
        strata, strata_values = _codes(column(df, design.strata, "design.strata"))
    else:
        strata, strata_values = np.zeros(n, dtype=int), [None]
    n_strata = int(strata.max()) + 1 if n else 1
    if design.clusters is not None:
        cl = column(df, design.clusters, cluster_arg)
        psu = _codes(pd.Series(list(zip(strata, _codes(cl)[0], strict=True)), index=df.index))[0]
    else:
        psu = np.arange(n)
    n_psu = int(psu.max()) + 1 if n else 0
    psu_stratum = np.zeros(n_psu, dtype=int)
    psu_stratum[psu] = strata
    per_stratum = np.bincount(psu_stratum, minlength=n_strata)
    if design.clusters is not None and n_psu < MIN_CLUSTERS:
        raise SROIError(
            f"{n_psu} clusters in column {design.clusters!r}; at least {MIN_CLUSTERS} are needed for "
            "a cluster-robust standard error",
            cluster_arg,
        )
    if design.strata is not None:
        lonely = np.flatnonzero(per_stratum < 2)
        if lonely.size:
            what = "cluster" if design.clusters is not None else "row"
            raise SROIError(
                f"stratum {strata_values[int(lonely[0])]!r} of column {design.strata!r} has a single {what}, so "
                "its variance cannot be estimated; merge it with a similar stratum",
                "design.strata",
            )
        label.append(f"{n_strata} strata {design.strata!r}")
    if design.clusters is not None:
        label.append(f"{n_psu} clusters {design.clusters!r}")
    keep = np.ones(n_strata)
    if design.fpc is not None:
        f = numeric_column(df, design.fpc, "design.fpc")
        for s in range(n_strata):
            vals = np.unique(f[strata == s])
            if len(vals) > 1:
                raise SROIError(
                    f"column {design.fpc!r} varies within a stratum ({vals[:4].tolist()}); it must be one "
                    "population size (or sampling fraction) per stratum",
                    "design.fpc",
                )
            v, nh = float(vals[0]), int(per_stratum[s])
            if v <= 0:
                raise SROIError(f"column {design.fpc!r} has {v:g}; expected > 0", "design.fpc")
            frac = v if v <= 1 else nh / v
            if frac > 1:
                raise SROIError(
                    f"column {design.fpc!r} gives a population of {v:g} but {nh} units were sampled from "
                    "it; give the population size (>= the sample) or the sampling fraction",
                    "design.fpc",
                )
            keep[s] = 1.0 - frac
        label.append(f"fpc {design.fpc!r}")
    return DesignData(
        weights=w,
        strata=strata,
        psu=psu,
        psu_stratum=psu_stratum,
        keep=keep,
        design=design,
        label=", ".join(label),
    )


def check_nested(df: pd.DataFrame, inner: str, outer: np.ndarray, inner_arg: str, outer_arg: str) -> None:
    """SROIError unless every value of column ``inner`` lies within one value of ``outer``.

    Parameters
    ----------
    df : DataFrame
        The data.
    inner : str
        Column whose values must nest, e.g. the panel unit (a person).
    outer : ndarray (n,)
        Codes they must nest in, e.g. :attr:`DesignData.psu` (clusters) or strata.
    inner_arg, outer_arg : str
        Names for the message: the argument that gave ``inner`` and what ``outer`` is.

    Examples
    --------
    >>> df = pd.DataFrame({"person": [1, 1, 2, 2, 3, 3]})
    >>> check_nested(df, "person", np.array([0, 0, 1, 1, 1, 1]), "unit", "clusters")  # fine
    >>> check_nested(df, "person", np.array([0, 1, 1, 1, 1, 1]), "unit", "clusters")
    Traceback (most recent call last):
    ...
    sroi.exceptions.SROIError: unit: unit [1] of column 'person' span several clusters; each must lie within one of them (a person's rows in one cluster)
    """
    s = pd.Series(outer, index=df.index).groupby(df[inner].to_numpy()).nunique()
    bad = s[s > 1]
    if len(bad):
        raise SROIError(
            f"{inner_arg} {bad.index[:5].tolist()} of column {inner!r} span several {outer_arg}; each must lie "
            f"within one of them (a person's rows in one cluster)",
            inner_arg,
        )


def glm_influence(model: Any, params: np.ndarray) -> np.ndarray:
    """Influence values of a statsmodels GLM's coefficients, shape (n, k).

    Parameters
    ----------
    model : statsmodels GLM
        The fitted model's ``model`` (with its ``var_weights``, if any).
    params : ndarray (k,)
        The fitted coefficients.

    Returns
    -------
    ndarray (n, k)
        z_i = (-H)^{-1} s_i with s_i the (weighted) score of row i and H the observed Hessian
        (``model.score_obs``, ``model.hessian``), so that beta_hat - beta ~ sum_i z_i
        (Binder 1983); :meth:`DesignData.variance` of it is the design-based covariance.
    """
    score = np.asarray(model.score_obs(params), dtype=float)
    hess = np.asarray(model.hessian(params, observed=True), dtype=float)
    return np.asarray(score @ np.linalg.inv(-hess).T)


def wls_influence(x: np.ndarray, y: np.ndarray, w: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Influence values of (weighted) least-squares coefficients, shape (n, k).

    Parameters
    ----------
    x : ndarray (n, k)
        Design matrix.
    y : ndarray (n,)
        Outcome.
    w : ndarray (n,)
        Weights (ones for OLS).
    params : ndarray (k,)
        Fitted coefficients.

    Returns
    -------
    ndarray (n, k)
        z_i = (X' W X)^{-1} x_i w_i e_i, e_i the residual: the linearisation behind the
        cluster-robust (sandwich) covariance (Cameron & Miller 2015).
    """
    resid = y - x @ params
    bread = np.linalg.inv((x * w[:, None]).T @ x)
    return np.asarray((x * (w * resid)[:, None]) @ bread)


def check_effective_size(d: DesignData, name: str, arg: str, need: float = MIN_EFFECTIVE_SIZE) -> float:
    """Kish's effective sample size of the design's weights, or SROIError naming the column.

    Parameters
    ----------
    d : DesignData
        The design.
    name : str
        The column being estimated (named in the message).
    arg : str
        The argument that gave it.
    need : float
        Fewest effective observations, default :data:`MIN_EFFECTIVE_SIZE`: below it one or a
        few rows carry most of the weight and no interval means what it says.

    Returns
    -------
    float
        (sum w)^2 / sum w^2 (Kish 1965).
    """
    kish = d.kish_size
    if kish < need:
        raise SROIError(
            f"column {name!r} with weights {d.design.weights!r}: the Kish effective sample size "
            f"(sum w)^2 / sum w^2 is {kish:.2f}; at least {need:g} are needed. A few rows carry "
            "most of the weight: check the weights, or trim the largest",
            arg,
        )
    return kish
