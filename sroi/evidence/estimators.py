"""Evidence from data: estimate incidence, deadweight, attribution and drop-off from surveys.

Each estimator takes a pandas DataFrame and column names, checks them (an
:class:`~sroi.exceptions.SROIError` names the column or argument and says what is needed), fits
a statsmodels model and returns an :class:`Estimate` (value, standard error, interval, n,
method, formula and the fitted results).

========================  =================================================================
:func:`incidence`         share achieving an outcome, binomial interval (Wilson, Clopper-
                          Pearson); survey weights through the Kish effective sample size
:func:`deadweight`        P(outcome | comparison, participants' X) / P(outcome | participants),
                          covariate-adjusted with a logistic model (HC1 robust)
:func:`diff_in_diff`      two-period difference in differences (cluster-robust by unit) and
                          the implied deadweight, as an :class:`EstimateSet`
:func:`attribution`       share due to OTHERS = 1 - mean answer to "how much of this change
                          is due to the programme?"
:func:`drop_off`          annual fade rate d from P(outcome | t) = p0 (1 - d)^t (log-binomial)
========================  =================================================================

Using an estimate in an analysis
--------------------------------
An :class:`Estimate` can be given directly for an outcome's ``deadweight``, ``attribution`` or
``drop_off``: the model converts it with :meth:`Estimate.to_distribution` (a logit-normal for
a share). A share of people achieving an outcome multiplies a count through
``quantity_factors``: ``Outcome(..., quantity="1000 person", quantity_factors=[share])``; a
share has no unit, so it cannot be the ``quantity`` itself.

Several estimates from one fitted model (e.g. :func:`diff_in_diff`) keep their covariance:
``params, corr = estimate_set.to_parameters()`` gives named distributions and rank
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
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from sroi.distributions import make_rng
from sroi.evidence.data import (
    binary_column,
    check_confidence_level,
    check_frame,
    check_full_rank,
    check_sample_size,
    column,
    covariate_matrix,
    fit_quietly,
    group_mask,
    kish_effective_size,
    logit_interval,
    normal_or_t_quantile,
    numeric_column,
    weights_column,
)
from sroi.evidence.estimates import MIN_OBSERVATIONS, MIN_PER_GROUP, Estimate, EstimateSet, Transform, joint
from sroi.exceptions import ConvergenceError, SROIError

__all__ = ["attribution", "deadweight", "diff_in_diff", "drop_off", "incidence"]


# -- estimators ----------------------------------------------------------------------------
def incidence(
    df: pd.DataFrame,
    outcome: str,
    weights: str | None = None,
    method: str = "wilson",
    level: float = 0.95,
) -> Estimate:
    """Share of respondents achieving an outcome, with a binomial interval.

    Parameters
    ----------
    df : DataFrame
        One row per respondent.
    outcome : str
        Binary column, 1 = achieved the outcome, 0 = not.
    weights : str, optional
        Column of survey weights (>= 0, not all zero).
    method : {"wilson", "clopper-pearson"}
        Interval: Wilson score (default; good coverage for all p) or Clopper-Pearson exact
        (conservative).
    level : float
        Confidence level, default 0.95.

    Returns
    -------
    Estimate
        ``scale="share"`` [fraction]; ``to_distribution()`` gives a logit-normal.

    Raises
    ------
    SROIError
        Missing column or values, non-binary outcome, bad weights, fewer than
        :data:`MIN_OBSERVATIONS` rows, unknown method.

    Notes
    -----
    p = x / n; se = sqrt(p (1 - p) / n). With weights w: p = sum(w y) / sum(w) and the interval
    uses the Kish effective sample size n_eff = (sum w)^2 / sum(w^2) in place of n (and p n_eff
    successes), which allows for the variance added by unequal weights (not for clustering
    or stratification). The logit-scale standard error is 1 / sqrt(n_eff p (1 - p)).

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. JASA 22(158), 209-212.
    .. [2] Clopper, C. J., Pearson, E. S. (1934). The use of confidence or fiducial limits
       illustrated in the case of the binomial. Biometrika 26(4), 404-413.
    .. [3] Kish, L. (1965). Survey Sampling. Wiley, §11.7 (effective sample size).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"online": [1] * 30 + [0] * 70})
    >>> e = incidence(df, "online")
    >>> round(e.value, 2), round(e.ci_low, 4), round(e.ci_high, 4)
    (0.3, 0.2189, 0.3958)
    """
    from statsmodels.stats.proportion import proportion_confint

    df = check_frame(df)
    level = check_confidence_level(level)
    methods = {"wilson": "wilson", "clopper-pearson": "beta"}
    if method not in methods:
        raise SROIError(f"expected one of {sorted(methods)}, got {method!r}", "method")
    y = binary_column(df, outcome, "outcome")
    check_sample_size(len(y), MIN_OBSERVATIONS, f"incidence of {outcome!r}", "outcome")
    w = weights_column(df, weights)
    if w is None:
        n_eff, p = float(len(y)), float(y.mean())
        how = ""
    else:
        n_eff, p = kish_effective_size(w), float(np.dot(w, y) / w.sum())
        how = f", weights {weights!r} with Kish effective sample size {n_eff:.1f}"
    lo, hi = proportion_confint(p * n_eff, n_eff, alpha=1 - level, method=methods[method])
    se = math.sqrt(p * (1 - p) / n_eff)
    name = "Wilson score" if method == "wilson" else "Clopper-Pearson exact"
    return Estimate(
        value=p,
        std_error=se,
        ci_low=float(lo),
        ci_high=float(hi),
        level=level,
        n=len(y),
        method=f"share with {name} interval{how}",
        formula=f"P({outcome} = 1)",
        scale="share",
        name="incidence",
    )


def deadweight(
    df: pd.DataFrame,
    outcome: str,
    group: str,
    covariates: Sequence[str] = (),
    treated_value: Any = 1,
    interval: str = "delta",
    n_boot: int = 1000,
    seed: Any = None,
    level: float = 0.95,
) -> Estimate:
    """Share of the participants' outcome that would have happened anyway.

    Parameters
    ----------
    df : DataFrame
        One row per person, participants and a comparison group.
    outcome : str
        Binary column, 1 = achieved the outcome.
    group : str
        Column with two values; ``treated_value`` marks participants, the other the
        comparison group.
    covariates : sequence of str
        Columns to adjust for (numeric as is; text or categorical as dummies).
    treated_value : optional
        Value of ``group`` for participants, default 1.
    interval : {"delta", "bootstrap"}
        Delta method on the logit scale with HC1 robust covariance (default), or a
        percentile bootstrap resampling rows within each group.
    n_boot : int
        Bootstrap replicates (``interval="bootstrap"``), default 1000.
    seed : int, Generator or SeedSequence, optional
        For the bootstrap.
    level : float
        Confidence level, default 0.95.

    Returns
    -------
    Estimate
        ``scale="share"`` [fraction], with the fitted GLM in ``results``.

    Raises
    ------
    SROIError
        Missing columns or values, non-binary outcome, no participant or no comparison rows,
        fewer than :data:`MIN_PER_GROUP` rows in a group, an outcome that never or always
        occurs in a group, perfect separation (naming the columns), collinear covariates, or
        a comparison group doing at least as well as the participants (deadweight >= 1).
    ConvergenceError
        If the logistic model does not converge.

    Notes
    -----
    A logistic model logit P(y = 1) = b0 + b1 T + c'X is fitted (GLM, binomial, robust
    sandwich covariance ``cov_type="HC1"``, which statsmodels computes for a GLM without the
    n / (n - k) factor). Over the n1 participants i:

        P1 = mean_i expit(b0 + b1 + c'x_i)       (= their observed rate, by the score equations)
        P0 = mean_i expit(b0 + c'x_i)            (the same people as if in the comparison group)
        deadweight = P0 / P1

    Without covariates this is the ratio of the raw rates. The delta-method interval is
    expit(logit(D) +- z se), se^2 = g' V g with g the gradient of logit(D) in the coefficients
    and V their robust covariance; it treats the participants' covariates as fixed. Without
    covariates it reduces to Var(log D) = (1 - p0)/(n0 p0) + (1 - p1)/(n1 p1) (Katz et al.
    1978).

    References
    ----------
    .. [1] Cabinet Office / SROI Network (2012). A Guide to Social Return on Investment,
       stage 4 (deadweight from a comparison group).
    .. [2] Austin, P. C. (2010). Absolute risk reductions, relative risks, relative risk
       reductions and numbers needed to treat can be obtained from a logistic regression
       model. J. Clin. Epidemiol. 63(1), 2-6 (marginal standardisation).
    .. [3] Katz, D., Baptista, J., Azen, S. P., Pike, M. C. (1978). Obtaining confidence
       intervals for the risk ratio in cohort studies. Biometrics 34(3), 469-474.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"user": [1] * 10 + [0] * 10,
    ...                    "online": [1] * 6 + [0] * 4 + [1] * 3 + [0] * 7})
    >>> round(deadweight(df, "online", "user").value, 6)  # (3/10) / (6/10)
    0.5
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    df = check_frame(df)
    level = check_confidence_level(level)
    if interval not in ("delta", "bootstrap"):
        raise SROIError(f"expected 'delta' or 'bootstrap', got {interval!r}", "interval")
    y = binary_column(df, outcome, "outcome")
    treated = group_mask(df, group, treated_value)
    for mask, label in ((treated, "participant"), (~treated, "comparison")):
        check_sample_size(int(mask.sum()), MIN_PER_GROUP, f"{label} group ({group!r})", "group")
        if y[mask].min() == y[mask].max():
            raise SROIError(
                f"perfect separation: {outcome!r} is {int(y[mask][0])} for every {label} row "
                f"({group!r}), so the ratio cannot be estimated; more data are needed",
                "outcome",
            )
    cov_names = [covariates] if isinstance(covariates, str) else list(covariates)
    x = covariate_matrix(df, cov_names)
    x.insert(0, "treated", treated.astype(float))
    x.insert(0, "const", 1.0)
    check_full_rank(x, "covariates")
    X = x.to_numpy()
    predictors = [group, *cov_names]
    advice = "check the covariates for sparse categories and scale continuous ones"

    def fit(Xf: np.ndarray, yf: np.ndarray, robust: bool) -> Any:
        kw = {"cov_type": "HC1"} if robust else {}
        return fit_quietly(
            lambda: GLM(yf, Xf, family=families.Binomial()).fit(**kw), outcome, predictors, advice
        )

    def ratio(beta: np.ndarray, X1: np.ndarray) -> tuple[float, float, float, np.ndarray]:
        X0 = X1.copy()
        X0[:, 1] = 0.0
        p1, p0 = special.expit(X1 @ beta), special.expit(X0 @ beta)
        P1, P0 = float(p1.mean()), float(p0.mean())
        d = P0 / P1
        dP0 = (p0 * (1 - p0)) @ X0 / len(X1)
        dP1 = (p1 * (1 - p1)) @ X1 / len(X1)
        grad_logit = (dP0 / P0 - dP1 / P1) / (1 - d)  # d logit(P0/P1) / d beta
        return d, P0, P1, grad_logit

    res = fit(X, y, robust=True)
    beta = np.asarray(res.params, dtype=float)
    if np.max(np.abs(X @ beta)) > 20:
        raise SROIError(
            f"quasi-complete separation: some fitted probabilities of {outcome!r} are 0 or 1 given "
            f"{predictors}; merge sparse categories or drop the covariate that separates",
            "covariates",
        )
    X1 = X[treated]
    d, P0, P1, grad = ratio(beta, X1)
    if not 0.0 < d < 1.0:
        raise SROIError(
            f"the comparison group's adjusted rate ({P0:.3g}) is at least the participants' ({P1:.3g}): "
            f"the data show no effect on {outcome!r} (deadweight {d:.3g} >= 1). Check the groups "
            "(treated_value) and the covariates; a deadweight of 1 means no impact",
            "outcome",
        )
    formula = (
        f"logit P({outcome} = 1) = b0 + b1 [{group} == {treated_value!r}]"
        + "".join(f" + {c}" for c in x.columns[2:])
        + "; deadweight = mean over participants of P(comparison, x) / P(participant, x)"
    )
    z = normal_or_t_quantile(level)
    V = np.asarray(res.cov_params(), dtype=float)
    se_logit = float(math.sqrt(grad @ V @ grad))
    n_rows = len(y)
    if interval == "delta":
        lo, hi = logit_interval(d, se_logit, z)
        method = "logistic regression (GLM binomial, HC1), marginal standardisation, delta method"
        gradient: np.ndarray | None = grad
    else:
        if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 50:
            raise SROIError(f"expected an integer n_boot >= 50, got {n_boot!r}", "n_boot")
        rng = make_rng(seed)
        idx_t, idx_c = np.flatnonzero(treated), np.flatnonzero(~treated)
        draws, failed = [], 0
        for _ in range(int(n_boot)):
            idx = np.concatenate([rng.choice(idx_t, len(idx_t)), rng.choice(idx_c, len(idx_c))])
            Xb, yb = X[idx], y[idx]
            try:
                rb = fit(Xb, yb, robust=False)
                db = ratio(np.asarray(rb.params, dtype=float), Xb[Xb[:, 1] == 1.0])[0]
            except SROIError:
                failed += 1
                continue
            if 0.0 < db < 1.0:
                draws.append(float(special.logit(db)))
            else:
                failed += 1
        if failed > 0.05 * n_boot:
            raise SROIError(
                f"{failed} of {n_boot} bootstrap replicates failed (separation or deadweight >= 1); "
                "use interval='delta' or collect more data",
                "interval",
            )
        draws_a = np.asarray(draws)
        alpha = 1 - level
        lo, hi = (float(v) for v in special.expit(np.quantile(draws_a, [alpha / 2, 1 - alpha / 2])))
        se_logit = float(draws_a.std(ddof=1))
        excluded = f"; {failed} failed and excluded" if failed else ""
        method = f"logistic regression, marginal standardisation, percentile bootstrap ({len(draws_a)} replicates by group{excluded})"
        gradient = None
    return Estimate(
        value=d,
        std_error=d * (1 - d) * se_logit,
        ci_low=lo,
        ci_high=hi,
        level=level,
        n=n_rows,
        method=method,
        formula=formula,
        scale="share",
        name="deadweight",
        transform=Transform("logit", float(special.logit(d)), se_logit),
        results=res,
        gradient=gradient,
    )


def diff_in_diff(
    df: pd.DataFrame,
    outcome: str,
    group: str,
    period: str,
    unit: str,
    covariates: Sequence[str] = (),
    treated_value: Any = 1,
    post_value: Any = None,
    level: float = 0.95,
) -> EstimateSet:
    """Two-period difference in differences, and the deadweight it implies.

    Parameters
    ----------
    df : DataFrame
        One row per unit and period (long format), participants and comparison units.
    outcome : str
        Numeric column (binary 0/1 gives effects in shares, i.e. percentage points / 100).
    group : str
        Column with two values; ``treated_value`` marks participants.
    period : str
        Column with two values; ``post_value`` (default the larger) marks "after".
    unit : str
        Column identifying units; standard errors are cluster-robust by unit.
    covariates : sequence of str
        Further columns to adjust for.
    treated_value, post_value : optional
        Values of ``group`` and ``period`` for participants and for the later period.
    level : float
        Confidence level, default 0.95.

    Returns
    -------
    EstimateSet
        ``"effect"``: the DiD coefficient [outcome unit], ``scale="effect"`` (normal);
        ``"deadweight"``: (change in comparison) / (change in participants), ``scale="share"``;
        with their joint covariance (``to_parameters()`` keeps it).

    Raises
    ------
    SROIError
        Missing columns or values, not exactly two periods, no participant or comparison
        rows, a unit in both groups, fewer than :data:`MIN_PER_GROUP` units in a group, a
        group missing a period, collinear covariates.

    Notes
    -----
    OLS of y = b0 + b1 T + b2 Post + b3 T x Post + c'X with cluster-robust covariance by unit
    (with the small-sample correction); intervals use the t distribution with G - 1 degrees
    of freedom (G units). effect = b3. The implied deadweight is D = b2 / (b2 + b3), the
    comparison group's change over the participants' change; its interval is
    expit(logit(D) +- t se), se from the delta method with the coefficient covariance. When
    D is outside (0, 1) (the comparison group changed more, or in the other direction) the
    deadweight estimate carries a note and cannot become a distribution.

    References
    ----------
    .. [1] Angrist, J. D., Pischke, J.-S. (2009). Mostly Harmless Econometrics. Princeton,
       ch. 5.2 (difference in differences).
    .. [2] Cameron, A. C., Miller, D. L. (2015). A practitioner's guide to cluster-robust
       inference. J. Human Resources 50(2), 317-372.

    Examples
    --------
    >>> import pandas as pd
    >>> from sroi.datasets import dataset_path
    >>> df = pd.read_csv(dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_before_after.csv"))
    >>> res = diff_in_diff(df, "online_payment", "elderly_mode_user", "year", "unit_id")
    >>> round(res["effect"].value, 4), round(res["deadweight"].value, 4)
    (0.195, 0.4265)
    """
    from statsmodels.regression.linear_model import OLS

    df = check_frame(df)
    level = check_confidence_level(level)
    y = numeric_column(df, outcome, "outcome")
    treated = group_mask(df, group, treated_value)
    per = column(df, period, "period")
    periods = sorted(pd.unique(per).tolist())
    if len(periods) != 2:
        raise SROIError(
            f"column {period!r} must have exactly two values (before and after), found {periods[:6]}",
            "period",
        )
    post_value = periods[1] if post_value is None else post_value
    if post_value not in periods:
        raise SROIError(f"post_value {post_value!r} is not a value of {period!r} ({periods})", "post_value")
    post = (per == post_value).to_numpy()
    units = column(df, unit, "unit")
    both = pd.Series(treated, index=df.index).groupby(units.to_numpy()).nunique()
    if (both > 1).any():
        raise SROIError(
            f"unit(s) {both[both > 1].index[:5].tolist()} appear in both groups of {group!r}; each unit "
            "must be a participant or a comparison unit",
            "unit",
        )
    for mask, label in ((treated, "participant"), (~treated, "comparison")):
        check_sample_size(int(units[mask].nunique()), MIN_PER_GROUP, f"{label} units ({unit!r})", "unit")
        for flag, when in ((True, "after"), (False, "before")):
            if not np.any(mask & (post == flag)):
                raise SROIError(f"the {label} group has no rows in the {when} period of {period!r}", "period")
    cov_names = [covariates] if isinstance(covariates, str) else list(covariates)
    x = covariate_matrix(df, cov_names)
    for name, col in (("treated_x_post", treated & post), ("post", post), ("treated", treated)):
        x.insert(0, name, col.astype(float))
    x.insert(0, "const", 1.0)
    check_full_rank(x, "covariates")
    codes = pd.factorize(units)[0]
    n_units = int(codes.max()) + 1
    res = fit_quietly(
        lambda: OLS(y, x.to_numpy()).fit(cov_type="cluster", cov_kwds={"groups": codes}),
        outcome,
        [group, period, *cov_names],
        "check the covariates",
    )
    b = np.asarray(res.params, dtype=float)
    V = np.asarray(res.cov_params(), dtype=float)
    q = normal_or_t_quantile(level, n_units - 1)
    k = len(b)
    g_eff = np.eye(k)[3]
    se_eff = float(math.sqrt(V[3, 3]))
    formula = (
        f"{outcome} = b0 + b1 [{group} == {treated_value!r}] + b2 [{period} == {post_value!r}] + b3 "
        "(both)" + "".join(f" + {c}" for c in x.columns[4:])
    )
    effect = Estimate(
        value=float(b[3]),
        std_error=se_eff,
        ci_low=float(b[3] - q * se_eff),
        ci_high=float(b[3] + q * se_eff),
        level=level,
        n=n_units,
        method=f"difference in differences, OLS, cluster-robust by {unit!r} ({n_units} units), t({n_units - 1})",
        formula=formula + "; effect = b3",
        scale="effect",
        name="effect",
        transform=Transform("identity", float(b[3]), se_eff),
        results=res,
        gradient=g_eff,
    )
    change_c, change_p = float(b[2]), float(b[2] + b[3])
    if change_p == 0:
        raise SROIError(
            f"the participants' {outcome!r} did not change; no deadweight can be implied", "outcome"
        )
    d = change_c / change_p
    g_d = np.zeros(k)
    g_d[2], g_d[3] = b[3] / change_p**2, -b[2] / change_p**2
    se_d = float(math.sqrt(g_d @ V @ g_d))
    if 0.0 < d < 1.0:  # interval and normal scale on the logit of D
        jac = 1.0 / (d * (1 - d))
        lo, hi = logit_interval(d, se_d * jac, q)
        transform, note = Transform("logit", float(special.logit(d)), se_d * jac), ""
    else:
        jac, lo, hi = 1.0, d - q * se_d, d + q * se_d
        transform = Transform("identity", d, se_d)
        note = (
            f"the comparison group changed by {change_c:.3g} and the participants by {change_p:.3g}, so "
            "the implied deadweight is outside (0, 1) and cannot be read from these data"
        )
    dw = Estimate(
        value=d,
        std_error=se_d,
        ci_low=lo,
        ci_high=hi,
        level=level,
        n=n_units,
        method="implied by difference in differences, delta method with the cluster-robust covariance",
        formula=formula + "; deadweight = b2 / (b2 + b3)",
        scale="share",
        name="deadweight",
        transform=transform,
        note=note,
        results=res,
        gradient=g_d * jac,
    )
    return joint(effect=effect, deadweight=dw)


def attribution(
    df: pd.DataFrame,
    share_column: str,
    weights: str | None = None,
    level: float = 0.95,
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
        Column of survey weights (>= 0, not all zero).
    level : float
        Confidence level, default 0.95.

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
        percentages), bad weights, fewer than :data:`MIN_OBSERVATIONS` answers.

    Notes
    -----
    m = sum(w s) / sum(w); attribution = 1 - m. Weights are rescaled to sum to the Kish
    effective sample size n_eff = (sum w)^2 / sum(w^2) (n without weights), so se(m) = sd_w /
    sqrt(n_eff - 1) and the interval is a t interval with n_eff - 1 degrees of freedom
    (statsmodels DescrStatsW), clipped to [0, 1].

    References
    ----------
    .. [1] Cabinet Office / SROI Network (2012). A Guide to Social Return on Investment,
       stage 4 (attribution: asking stakeholders how much of the change is due to others).
    .. [2] Kish, L. (1965). Survey Sampling. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"due_to_programme": [0.5, 0.8, 0.7, 0.6, 0.9, 0.4, 0.7, 0.8, 0.6, 0.5]})
    >>> round(attribution(df, "due_to_programme").value, 4)
    0.35
    """
    from statsmodels.stats.weightstats import DescrStatsW

    df = check_frame(df)
    level = check_confidence_level(level)
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
    w = weights_column(df, weights)
    n_eff = float(len(s)) if w is None else kish_effective_size(w)
    if n_eff <= 2:
        raise SROIError(f"the Kish effective sample size is {n_eff:.2f}; more than 2 is needed", "weights")
    wn = np.ones_like(s) if w is None else w * n_eff / w.sum()
    d = DescrStatsW(s, weights=wn)
    m = float(d.mean)
    lo_m, hi_m = (float(v) for v in d.tconfint_mean(alpha=1 - level))
    value = 1.0 - m
    how = "" if w is None else f", weights {weights!r} with Kish effective sample size {n_eff:.1f}"
    return Estimate(
        value=value,
        std_error=float(d.std_mean),
        ci_low=max(0.0, 1.0 - hi_m),
        ci_high=min(1.0, 1.0 - lo_m),
        level=level,
        n=len(s),
        method=f"1 - weighted mean of answers, t interval (DescrStatsW){how}",
        formula=f"attribution = 1 - mean({share_column}) (share due to others)",
        scale="share",
        name="attribution",
    )


def drop_off(
    df: pd.DataFrame,
    outcome: str,
    time: str,
    unit: str | None = None,
    level: float = 0.95,
    maxiter: int = 100,
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
        Column identifying people followed repeatedly; standard errors are then
        cluster-robust by unit (else HC1).
    level : float
        Confidence level, default 0.95.
    maxiter : int
        Iterations of the fit, default 100.

    Returns
    -------
    Estimate
        drop-off d [fraction per year], ``scale="rate"``.

    Raises
    ------
    SROIError
        Missing columns or values, non-binary outcome, negative times, fewer than two
        distinct times or :data:`MIN_OBSERVATIONS` rows, an outcome that never or always
        occurs.
    ConvergenceError
        The log-binomial model does not converge or predicts a share above 1; the message
        says what to try.

    Notes
    -----
    P(y = 1 | t) = p0 (1 - d)^t, so log P = log p0 + t log(1 - d): a binomial GLM with log
    link, d = 1 - exp(b_t). The interval transforms the (z, or t(G - 1) when clustered by G
    units) interval of b_t: (1 - exp(b_hi), 1 - exp(b_lo)). On the logit scale of d the
    standard error is se(b_t) / d (delta method), used by ``to_distribution()``. A negative
    d means the outcome grows; the estimate then carries a note and cannot be a drop-off
    distribution. The statsmodels domain warning for the log link is expected.

    References
    ----------
    .. [1] Cabinet Office / SROI Network (2012). A Guide to Social Return on Investment,
       stage 4 (drop-off).
    .. [2] Wacholder, S. (1986). Binomial regression in GLIM: estimating risk ratios and risk
       differences. Am. J. Epidemiol. 123(1), 174-184 (log-binomial model).

    Examples
    --------
    >>> import pandas as pd
    >>> from sroi.datasets import dataset_path
    >>> df = pd.read_csv(dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_followup.csv"))
    >>> round(drop_off(df, "online_independently", "years_since_start", unit="unit_id").value, 4)
    0.1985
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    df = check_frame(df)
    level = check_confidence_level(level)
    if isinstance(maxiter, bool) or not isinstance(maxiter, (int, np.integer)) or maxiter < 1:
        raise SROIError(f"expected a positive integer, got {maxiter!r}", "maxiter")
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
    X = np.column_stack([np.ones_like(t), t])
    fit_kw: dict[str, Any] = {"maxiter": int(maxiter), "start_params": np.array([math.log(y.mean()), 0.0])}
    n_units = None
    if unit is not None:
        codes = pd.factorize(column(df, unit, "unit"))[0]
        n_units = int(codes.max()) + 1
        check_sample_size(n_units, MIN_PER_GROUP, f"units ({unit!r})", "unit")
        fit_kw.update(cov_type="cluster", cov_kwds={"groups": codes})
    else:
        fit_kw.update(cov_type="HC1")
    advice = (
        f"try a larger maxiter (now {maxiter}), check that {outcome!r} varies at each time of {time!r}, "
        "and that time is in years; a share near 1 at early times can defeat the log-binomial model"
    )
    family = families.Binomial(link=families.links.Log())
    res = fit_quietly(lambda: GLM(y, X, family=family).fit(**fit_kw), outcome, [time], advice)
    beta = np.asarray(res.params, dtype=float)
    if not getattr(res, "converged", True) or not np.all(np.isfinite(beta)):
        raise ConvergenceError(f"the log-binomial model did not converge; {advice}", "outcome")
    if np.max(X @ beta) > 0:
        raise ConvergenceError(
            f"the fitted share of {outcome!r} exceeds 1 at some times, so the log-binomial fit is "
            f"invalid; {advice}",
            "outcome",
        )
    se_b = float(math.sqrt(np.asarray(res.cov_params(), dtype=float)[1, 1]))
    q = normal_or_t_quantile(level, None if n_units is None else n_units - 1)
    b = float(beta[1])
    d = 1.0 - math.exp(b)
    robust = "HC1" if n_units is None else f"cluster-robust by {unit!r} ({n_units} units), t({n_units - 1})"
    inside = 0.0 < d < 1.0  # normal scale: logit(d), se = se_b / d by the delta method
    return Estimate(
        value=d,
        std_error=math.exp(b) * se_b,
        ci_low=1.0 - math.exp(b + q * se_b),
        ci_high=1.0 - math.exp(b - q * se_b),
        level=level,
        n=len(y) if n_units is None else n_units,
        method=f"log-binomial GLM, {robust}",
        formula=f"P({outcome} = 1 | {time}) = p0 (1 - drop_off) ** {time}; drop_off = 1 - exp(b_{time})",
        scale="rate",
        name="drop_off",
        transform=Transform("logit", float(special.logit(d)), se_b / d)
        if inside
        else Transform("identity", d, math.exp(b) * se_b),
        note="" if inside else f"the estimated drop-off {d:.3g} is not positive: {outcome!r} does not fade",
        results=res,
        gradient=np.array([0.0, -1.0 / d]) if inside else np.array([0.0, -math.exp(b)]),
    )
