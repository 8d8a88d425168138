"""Evidence from data: estimate incidence, attribution and drop-off from surveys.

Each estimator takes a pandas DataFrame and column names, checks them (an
:class:`~sroi.exceptions.SROIError` names the column or argument and says what is needed), fits
a statsmodels model where there is one and returns an :class:`Estimate` (value, standard
error, interval, n, method, formula and the fitted results). The comparison-group estimators,
:func:`~sroi.evidence.deadweight` and :func:`~sroi.evidence.diff_in_diff`, are in
:mod:`sroi.evidence.comparison`.

========================  =================================================================
:func:`incidence`         share achieving an outcome: Wilson, or Clopper-Pearson for small
                          counts, on the effective sample size of the survey design
:func:`attribution`       share due to OTHERS = 1 - mean answer to "how much of this change
                          is due to the programme?", same intervals
:func:`drop_off`          annual fade rate d from P(outcome | t) = p0 (1 - d)^t (log-binomial)
========================  =================================================================

Survey designs
--------------
Every estimator takes ``design=Design(weights=, strata=, clusters=, fpc=)``
(:mod:`sroi.evidence.design`). Standard errors are then linearised (Taylor) for the design and
intervals use Student's t with (clusters - strata) degrees of freedom; ``weights="w"`` is
shorthand for ``design=Design(weights="w")``. Fewer than :data:`MIN_EFFECTIVE_SIZE` Kish
effective observations, or :data:`MIN_CLUSTERS` clusters, is an error.

Using an estimate in an analysis
--------------------------------
An :class:`Estimate` can be given directly for an outcome's ``deadweight``, ``attribution`` or
``drop_off``: the model converts it with :meth:`Estimate.to_distribution`, whose quantiles at
the interval's level are the interval's ends. A share of people achieving an outcome
multiplies a count through ``quantity_factors``:
``Outcome(..., quantity="1000 person", quantity_factors=[share])``; a share has no unit, so it
cannot be the ``quantity`` itself.

Several estimates from one fitted model (e.g. :func:`~sroi.evidence.diff_in_diff`) keep their
covariance: ``params, corr = estimate_set.to_parameters()`` gives named distributions and rank
correlations for ``Analysis(parameters=params, correlations=corr)``; fields then refer to
them with ``sroi.Ref(name)`` and the Monte Carlo draws them jointly.

Storing estimates for a model file
----------------------------------
:func:`save_estimates` writes the estimates as model-file ``parameters:`` entries
(distribution dicts, with the value, interval, n, method and formula as comments) and
``correlations:``. A model file references the stored file with a top-level
``parameters_from: estimates.yaml`` (a path relative to the model file, or a list of them) and
refers to the estimates from outcomes with ``{param: name}``; or in Python::

    save_estimates({"deadweight_online": dw, "attribution_others": att}, "estimates.yaml")
    a = sroi.load("model.yaml")   # the model file has the same names under parameters:
    a = a.replace(parameters={**a.parameters, **load_estimates("estimates.yaml")},
                  correlations=[*a.correlations, *load_correlations("estimates.yaml")])

Expected statsmodels warnings are handled deliberately: perfect separation becomes an
SROIError naming the columns; non-convergence a :class:`~sroi.exceptions.ConvergenceError`
with advice; the log-link domain warning of the log-binomial model is expected and ignored.

Examples
--------
>>> import pandas as pd
>>> from sroi.datasets import dataset_path
>>> df = pd.read_csv(dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_survey.csv"))
>>> users = df[df.elderly_mode_user == 1]
>>> incidence(users, "online_independently")
Estimate(incidence = 0.71, 95% CI 0.6837 to 0.735, se 0.0131, n = 1200)

References
----------
.. [1] Cabinet Office / SROI Network (2012). A Guide to Social Return on Investment, stage 4.
.. [2] Seabold, S., Perktold, J. (2010). statsmodels: Econometric and statistical modeling
   with Python. Proc. 9th Python in Science Conference.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sroi.evidence.data import (
    binary_column,
    check_confidence_level,
    check_frame,
    check_sample_size,
    column,
    fit_quietly,
    normal_or_t_quantile,
    numeric_column,
)
from sroi.evidence.design import (
    Design,
    DesignData,
    check_effective_size,
    check_nested,
    glm_influence,
    resolve_design,
)
from sroi.evidence.estimates import MIN_OBSERVATIONS, Estimate, Transform
from sroi.evidence.intervals import SHARE_METHODS, effective_count, share_interval
from sroi.exceptions import ConvergenceError, SROIError
from sroi.validation import check_whole_number

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["attribution", "drop_off", "incidence"]


def _share_of(
    x: np.ndarray, d: DesignData, name: str, arg: str, level: float, method: str
) -> tuple[float, float, Any, float, str]:
    """(share, std_error, ShareInterval, n_eff, description) for values x in [0, 1]."""
    from scipy import stats

    n = len(x)
    binary = bool(np.all((x == 0) | (x == 1)))
    if d.design.is_simple:
        p, kish = float(x.mean()), float(n)
        var = p * (1 - p) / n if binary else float(np.var(x, ddof=1) / n)
    else:
        kish = check_effective_size(d, name, arg)
        total = d.weights.sum()
        p = float(d.weights @ x / total)
        var = float(d.variance(d.weights * (x - p) / total))
    if d.design.is_simple and binary:
        n_eff = float(n)
    else:
        n_eff = effective_count(p, var, n, df=d.df, fallback=kish, dispersion=not binary)
    si = share_interval(p, n_eff, level, method)
    if var > 0 and 0 < p < 1:
        se = math.sqrt(var)
    elif si.beta is not None:
        se = float(stats.beta.std(*si.beta))
    else:
        se = math.sqrt(p * (1 - p) / n_eff)
    names = {"wilson": "Wilson score", "jeffreys": "Jeffreys", "clopper-pearson": "Clopper-Pearson exact"}
    how = f"{names[si.method]} interval"
    if not d.design.is_simple:
        what = "effective sample size" if binary else "quasi-binomial effective count"
        how += f"; {d.label}; {what} {n_eff:.1f} (linearised, t({d.df}))"
    elif not binary:
        how += f"; quasi-binomial effective count {n_eff:.1f}, t({d.df})"
    if var == 0:
        how += "; every answer is the same, so the interval assumes the largest spread"
    return p, se, si, n_eff, how


def _logit_transform(p: float, si: Any, n_eff: float) -> Transform | None:
    """Normal scale of a share: Wilson's own half-width, else the delta method on n_eff."""
    from scipy import special

    if not 0.0 < p < 1.0:
        return None
    if si.se_logit is not None:
        return Transform("logit", float(special.logit(p)), float(si.se_logit))
    return Transform("logit", float(special.logit(p)), 1.0 / math.sqrt(n_eff * p * (1 - p)))


# -- estimators ----------------------------------------------------------------------------
def incidence(
    df: pd.DataFrame,
    outcome: str,
    weights: str | None = None,
    method: str = "auto",
    level: float = 0.95,
    design: Design | None = None,
) -> Estimate:
    """Share of respondents achieving an outcome, with a binomial interval.

    Parameters
    ----------
    df : DataFrame
        One row per respondent.
    outcome : str
        Binary column, 1 = achieved the outcome, 0 = not.
    weights : str, optional
        Column of survey weights (>= 0, not all zero); shorthand for ``Design(weights=...)``.
    method : {"auto", "wilson", "jeffreys", "clopper-pearson"}
        Interval. ``auto`` (default): Wilson score when at least 5 effective successes and 5
        failures are observed, else Clopper-Pearson (see
        :func:`~sroi.evidence.intervals.share_interval` for the coverage behind the rule).
    level : float
        Confidence level, default 0.95.
    design : Design, optional
        Survey design: weights, strata, clusters, finite population correction.

    Returns
    -------
    Estimate
        ``scale="share"`` [fraction]; ``to_distribution()`` reproduces the interval (a
        logit-normal for Wilson, a beta otherwise).

    Raises
    ------
    SROIError
        Missing column or values, non-binary outcome, bad weights or design columns, fewer
        than :data:`MIN_OBSERVATIONS` rows, a Kish effective sample size below
        :data:`MIN_EFFECTIVE_SIZE` (naming the column and the size), unknown method.

    Notes
    -----
    Without a design, p = x / n and the interval is the binomial one for x of n. With a design,
    p = sum(w y) / sum(w), its variance V is linearised (Taylor) for the weights, strata,
    clusters and fpc (:meth:`~sroi.evidence.DesignData.variance`), and the interval is the
    binomial one on the effective sample size n_eff = n / deff = n / (n - 1) p (1 - p) / V,
    shrunk by (t_{n-1} / t_df)^2 for the design's degrees of freedom (Korn & Graubard 1998).
    This allows for weights that are correlated with the outcome, which Kish's (sum w)^2 /
    sum w^2 does not. When all answers are the same (V = 0) n_eff is Kish's effective size.

    Wilson's interval does not hold its level for every p: with fewer than about 5 expected
    successes (or failures) its coverage dips to 0.84-0.92 (0.92 at p = 0.02, n = 50; Brown,
    Cai & DasGupta 2001), which is why ``auto`` switches to Clopper-Pearson there; that one
    never under-covers but gives 0.975-0.99. Jeffreys is offered as the middle way (its
    coverage averages 0.95 but dips to 0.88 near n p = 3).

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. JASA 22(158), 209-212.
    .. [2] Clopper, C. J., Pearson, E. S. (1934). The use of confidence or fiducial limits
       illustrated in the case of the binomial. Biometrika 26(4), 404-413.
    .. [3] Brown, L. D., Cai, T. T., DasGupta, A. (2001). Interval estimation for a binomial
       proportion. Statistical Science 16(2), 101-133.
    .. [4] Korn, E. L., Graubard, B. I. (1998). Confidence intervals for proportions with
       small expected number of positive counts estimated from survey data. Survey
       Methodology 24(2), 193-201.
    .. [5] Kish, L. (1965). Survey Sampling. Wiley, §8.2 (design effect).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"online": [1] * 30 + [0] * 70})
    >>> e = incidence(df, "online")
    >>> round(e.value, 2), round(e.ci_low, 4), round(e.ci_high, 4)
    (0.3, 0.2189, 0.3958)
    >>> round(incidence(pd.DataFrame({"online": [0] * 40}), "online").ci_high, 4)  # never zero width
    0.0881
    """
    df = check_frame(df)
    level = check_confidence_level(level)
    if method not in SHARE_METHODS:
        raise SROIError(f"expected one of {SHARE_METHODS}, got {method!r}", "method")
    y = binary_column(df, outcome, "outcome")
    check_sample_size(len(y), MIN_OBSERVATIONS, f"incidence of {outcome!r}", "outcome")
    d = resolve_design(df, design, weights=weights)
    p, se, si, n_eff, how = _share_of(y, d, outcome, "outcome", level, method)
    return Estimate(
        value=p,
        std_error=se,
        ci_low=si.low,
        ci_high=si.high,
        level=level,
        n=len(y),
        method=f"share with {how}",
        formula=f"P({outcome} = 1)",
        scale="share",
        name="incidence",
        transform=_logit_transform(p, si, n_eff),
        beta=si.beta,
        n_effective=n_eff,
    )


def attribution(
    df: pd.DataFrame,
    share_column: str,
    weights: str | None = None,
    level: float = 0.95,
    design: Design | None = None,
    method: str = "auto",
) -> Estimate:
    """Attribution (share of the change due to OTHERS) from survey answers.

    Parameters
    ----------
    df : DataFrame
        One row per respondent who experienced the outcome.
    share_column : str
        Answers to "how much of this change is due to the programme?" as fractions in
        [0, 1] (1 = all of it).
    weights : str, optional
        Column of survey weights (>= 0, not all zero); shorthand for ``Design(weights=...)``.
    level : float
        Confidence level, default 0.95.
    design : Design, optional
        Survey design: weights, strata, clusters, finite population correction.
    method : {"auto", "wilson", "jeffreys", "clopper-pearson"}
        Interval for the mean answer on its effective sample size, as for :func:`incidence`.

    Returns
    -------
    Estimate
        ``attribution = 1 - (weighted) mean share due to the programme``, i.e. the share of
        the outcome due to other people and organisations, as the SROI Guide's attribution
        filter; ``scale="share"`` [fraction].

    Raises
    ------
    SROIError
        Missing column or values, answers outside [0, 1] (with a hint when they look like
        percentages), bad weights or design columns, fewer than :data:`MIN_OBSERVATIONS`
        answers or a Kish effective sample size below :data:`MIN_EFFECTIVE_SIZE`.

    Notes
    -----
    m = sum(w s) / sum(w) with linearised variance V (:mod:`sroi.evidence.design`; s^2 / n for
    a simple random sample); attribution = 1 - m. The interval treats m as a quasi-binomial
    mean: on the effective count n_eff = n / (n - 1) m (1 - m) / V times (z / t_df)^2 (the
    spread is estimated, so the interval is as wide as a t interval's; df = n - 1 without a
    design, clusters - strata with one), the Wilson (or, below 5 effective successes or
    failures, Clopper-Pearson) interval for m becomes (1 - upper, 1 - lower). Unlike a t interval this stays inside
    [0, 1] and keeps its level when most answers are near 0 or 1. When every answer is the
    same the data carry no estimate of spread: n_eff is then n (or Kish's size), the
    largest variance answers in [0, 1] with that mean can have, so the interval is not of
    zero width.

    References
    ----------
    .. [1] Cabinet Office / SROI Network (2012). A Guide to Social Return on Investment,
       stage 4 (attribution: asking stakeholders how much of the change is due to others).
    .. [2] Papke, L. E., Wooldridge, J. M. (1996). Econometric methods for fractional response
       variables. J. Applied Econometrics 11(6), 619-632 (quasi-binomial mean of fractions).
    .. [3] Korn, E. L., Graubard, B. I. (1998). Survey Methodology 24(2), 193-201.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"due_to_programme": [0.5, 0.8, 0.7, 0.6, 0.9, 0.4, 0.7, 0.8, 0.6, 0.5]})
    >>> round(attribution(df, "due_to_programme").value, 4)
    0.35
    """
    df = check_frame(df)
    level = check_confidence_level(level)
    if method not in SHARE_METHODS:
        raise SROIError(f"expected one of {SHARE_METHODS}, got {method!r}", "method")
    s = numeric_column(df, share_column, "share_column")
    if s.min() < 0 or s.max() > 1:
        hint = (
            f"; they look like percentages: divide by 100 (df[{share_column!r}] / 100)"
            if s.min() >= 0 and s.max() <= 100
            else ""
        )
        raise SROIError(
            f"answers in {share_column!r} must be fractions in [0, 1], found {s.min():g} to {s.max():g}{hint}",
            "share_column",
        )
    check_sample_size(len(s), MIN_OBSERVATIONS, f"answers in {share_column!r}", "share_column")
    d = resolve_design(df, design, weights=weights)
    m, se, si, n_eff, how = _share_of(s, d, share_column, "share_column", level, method)
    t = _logit_transform(m, si, n_eff)
    return Estimate(
        value=1.0 - m,
        std_error=se,
        ci_low=1.0 - si.high,
        ci_high=1.0 - si.low,
        level=level,
        n=len(s),
        method=f"1 - weighted mean of answers, {how}",
        formula=f"attribution = 1 - mean({share_column}) (share due to others)",
        scale="share",
        name="attribution",
        transform=None if t is None else Transform("logit", -t.value, t.std_error),
        beta=None if si.beta is None else (si.beta[1], si.beta[0]),
        n_effective=n_eff,
    )


def drop_off(
    df: pd.DataFrame,
    outcome: str,
    time: str,
    unit: str | None = None,
    level: float = 0.95,
    maxiter: int = 100,
    design: Design | None = None,
    weights: str | None = None,
) -> Estimate:
    """Annual rate at which an outcome fades, from follow-up data.

    Parameters
    ----------
    df : DataFrame
        One row per person (and follow-up wave).
    outcome : str
        Binary column, 1 = the outcome is still present.
    time : str
        Numeric column: years since the programme (>= 0), at least two distinct values.
    unit : str, optional
        Column identifying people followed repeatedly: the clusters of the design unless
        ``design`` names its own (which must then contain each person's rows).
    level : float
        Confidence level, default 0.95.
    maxiter : int
        Iterations of the fit, default 100.
    design : Design, optional
        Survey design: weights, strata, clusters, finite population correction.
    weights : str, optional
        Column of survey weights; shorthand for ``Design(weights=...)``.

    Returns
    -------
    Estimate
        drop-off d [fraction per year], ``scale="rate"``.

    Raises
    ------
    SROIError
        Missing columns or values, non-binary outcome, negative times, fewer than two
        distinct times or :data:`MIN_OBSERVATIONS` rows, an outcome that never or always
        occurs, bad design columns, fewer than :data:`MIN_CLUSTERS` persons (clusters), a
        person's rows in two clusters.
    ConvergenceError
        The log-binomial model does not converge or predicts a share above 1; the message
        says what to try.

    Notes
    -----
    P(y = 1 | t) = p0 (1 - d)^t, so log P = log p0 + t log(1 - d): a binomial GLM with log
    link (weighted by the survey weights), d = 1 - exp(b_t). The variance of b_t is linearised
    for the design from the model's scores (a cluster-robust sandwich with clusters), with t
    quantiles on (clusters - strata) degrees of freedom, t(G - 1) for G persons followed.
    The interval is symmetric on the logit scale of d, logit(d) +- t se(b_t) / d (the delta
    method: d logit(d) / d b_t = -1 / d), so ``to_distribution()`` reproduces it. A negative
    d means the outcome grows; the estimate then carries a note and cannot be a drop-off
    distribution. The statsmodels domain warning for the log link is expected.

    References
    ----------
    .. [1] Cabinet Office / SROI Network (2012). A Guide to Social Return on Investment,
       stage 4 (drop-off).
    .. [2] Wacholder, S. (1986). Binomial regression in GLIM: estimating risk ratios and risk
       differences. Am. J. Epidemiol. 123(1), 174-184 (log-binomial model).
    .. [3] Binder, D. A. (1983). International Statistical Review 51(3), 279-292.

    Examples
    --------
    >>> import pandas as pd
    >>> from sroi.datasets import dataset_path
    >>> df = pd.read_csv(dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_followup.csv"))
    >>> round(drop_off(df, "online_independently", "years_since_start", unit="unit_id").value, 4)
    0.1985
    """
    from scipy import special
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    df = check_frame(df)
    level = check_confidence_level(level)
    maxiter = check_whole_number(maxiter, "maxiter", 1, what="a positive integer")
    y = binary_column(df, outcome, "outcome")
    t = numeric_column(df, time, "time")
    if t.min() < 0:
        raise SROIError(
            f"column {time!r} must be years since the programme (>= 0), found {t.min():g}", "time"
        )
    check_sample_size(len(y), MIN_OBSERVATIONS, f"follow-up rows of {outcome!r}", "outcome")
    if len(np.unique(t)) < 2:
        raise SROIError(
            f"column {time!r} needs at least two distinct times, found {np.unique(t).tolist()}", "time"
        )
    if y.min() == y.max():
        raise SROIError(
            f"{outcome!r} is {int(y[0])} in every row, so no rate of decline can be estimated", "outcome"
        )
    if unit is not None:
        column(df, unit, "unit")
    d = resolve_design(df, design, weights=weights, clusters=unit, clusters_arg="unit")
    if unit is not None and d.design.strata is not None:
        check_nested(df, unit, d.strata, "unit", "strata")
    if unit is not None and d.design.clusters != unit:
        check_nested(df, unit, d.psu, "unit", "clusters")
    if d.weighted:
        check_effective_size(d, outcome, "outcome")
        if len(np.unique(t[d.weights > 0])) < 2:
            raise SROIError(
                f"the rows with weight > 0 in column {d.design.weights!r} cover fewer than two times of "
                f"{time!r}; a rate of decline needs two",
                "weights",
            )
    X = np.column_stack([np.ones_like(t), t])
    fit_kw: dict[str, Any] = {"maxiter": int(maxiter), "start_params": np.array([math.log(y.mean()), 0.0])}
    advice = (
        f"try a larger maxiter (now {maxiter}), check that {outcome!r} varies at each time of {time!r}, "
        "and that time is in years; a share near 1 at early times can defeat the log-binomial model"
    )
    family = families.Binomial(link=families.links.Log())
    var_w = d.weights if d.weighted else None
    res = fit_quietly(
        lambda: GLM(y, X, family=family, var_weights=var_w).fit(**fit_kw), outcome, [time], advice
    )
    beta = np.asarray(res.params, dtype=float)
    if not getattr(res, "converged", True) or not np.all(np.isfinite(beta)):
        raise ConvergenceError(f"the log-binomial model did not converge; {advice}", "outcome")
    if np.max(X @ beta) > 0:
        raise ConvergenceError(
            f"the fitted share of {outcome!r} exceeds 1 at some times, so the log-binomial fit is "
            f"invalid; {advice}",
            "outcome",
        )
    cov = d.variance(glm_influence(res.model, beta))
    se_b = float(math.sqrt(cov[1, 1]))
    q = normal_or_t_quantile(level, d.df)
    b = float(beta[1])
    dv = 1.0 - math.exp(b)
    robust = f"linearised for {d.label}" if d.label else "linearised (HC0 x n/(n-1))"
    method = f"log-binomial GLM, {robust}, t({d.df})"
    formula = f"P({outcome} = 1 | {time}) = p0 (1 - drop_off) ** {time}; drop_off = 1 - exp(b_{time})"
    common: dict[str, Any] = {
        "level": level,
        "n": d.n_psu if d.clustered else len(y),
        "method": method,
        "formula": formula,
        "scale": "rate",
        "name": "drop_off",
        "results": res,
        "df": float(d.df),
        "coef_cov": cov,
    }
    if 0.0 < dv < 1.0:  # normal scale: logit(d), se = se_b / d by the delta method
        se_logit = se_b / dv
        lo, hi = (float(v) for v in special.expit(special.logit(dv) + np.array([-q, q]) * se_logit))
        return Estimate(
            value=dv,
            std_error=math.exp(b) * se_b,
            ci_low=lo,
            ci_high=hi,
            transform=Transform("logit", float(special.logit(dv)), se_logit),
            gradient=np.array([0.0, -1.0 / dv]),
            **common,
        )
    se = math.exp(b) * se_b
    return Estimate(
        value=dv,
        std_error=se,
        ci_low=dv - q * se,
        ci_high=dv + q * se,
        transform=Transform("identity", dv, se),
        note=f"the estimated drop-off {dv:.3g} is not positive: {outcome!r} does not fade",
        gradient=np.array([0.0, -math.exp(b)]),
        **common,
    )
