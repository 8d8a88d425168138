"""Reading survey data for the evidence estimators: columns, groups, weights and fits.

Every check raises an :class:`~sroi.exceptions.SROIError` naming the column or argument and
saying what to do; :func:`fit_quietly` turns statsmodels' warnings into errors with advice.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sroi.exceptions import ConvergenceError, SROIError

__all__ = [
    "binary_column",
    "check_confidence_level",
    "check_frame",
    "check_full_rank",
    "check_sample_size",
    "column",
    "covariate_matrix",
    "fit_quietly",
    "group_mask",
    "kish_effective_size",
    "logit_interval",
    "normal_or_t_quantile",
    "numeric_column",
    "weights_column",
]


def check_frame(df: Any) -> pd.DataFrame:
    """The data as a DataFrame, else SROIError."""
    if not isinstance(df, pd.DataFrame):
        raise SROIError(f"expected a pandas DataFrame, got {type(df).__name__}", "df")
    return df


def column(df: pd.DataFrame, name: Any, arg: str) -> pd.Series:
    """A column of the data with no missing values, else SROIError naming it (and a close name)."""
    if not isinstance(name, str):
        raise SROIError(f"expected a column name (str), got {name!r}", arg)
    if name not in df.columns:
        cols = [str(c) for c in df.columns]
        close = difflib.get_close_matches(name, cols, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; columns are {cols}"
        raise SROIError(f"no column {name!r} in the data{hint}", arg)
    s = df[name]
    missing = int(s.isna().sum())
    if missing:
        raise SROIError(
            f"column {name!r} has {missing} missing value(s); drop or impute them first, "
            f"e.g. df.dropna(subset=[{name!r}])",
            arg,
        )
    return s


def binary_column(df: pd.DataFrame, name: str, arg: str) -> np.ndarray:
    """A 0/1 column as floats, else SROIError saying how to recode it."""
    s = column(df, name, arg)
    values = set(pd.unique(s).tolist())
    if not values <= {0, 1}:
        shown = sorted(map(repr, values))[:6]
        raise SROIError(
            f"column {name!r} must be binary, 1 = achieved the outcome and 0 = not; found values "
            f"{', '.join(shown)}. Recode it, e.g. (df[{name!r}] == 'yes').astype(int)",
            arg,
        )
    return s.to_numpy(dtype=float)


def numeric_column(df: pd.DataFrame, name: str, arg: str) -> np.ndarray:
    """A finite numeric column as floats."""
    s = column(df, name, arg)
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        raise SROIError(f"column {name!r} must be numeric, got dtype {s.dtype}", arg)
    x = s.to_numpy(dtype=float)
    if not np.all(np.isfinite(x)):
        raise SROIError(f"column {name!r} has infinite values", arg)
    return x


def weights_column(df: pd.DataFrame, name: str | None) -> np.ndarray | None:
    """Survey weights (>= 0, not all zero), or None when no column is named."""
    if name is None:
        return None
    w = numeric_column(df, name, "weights")
    if np.any(w < 0):
        raise SROIError(f"column {name!r} has negative weights (min {w.min():g}); need >= 0", "weights")
    if not w.sum() > 0:
        raise SROIError(f"the weights in column {name!r} are all zero; need one > 0", "weights")
    return w


def check_sample_size(n: int, need: int, what: str, arg: str) -> None:
    """SROIError naming ``arg`` when fewer than ``need`` observations are usable."""
    if n < need:
        raise SROIError(f"{what}: {n} observation(s); at least {need} are needed", arg)


def check_confidence_level(level: float) -> float:
    """A confidence level in (0, 1)."""
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise SROIError(f"expected a confidence level in (0, 1) such as 0.95, got {level!r}", "level")
    return float(level)


def kish_effective_size(w: np.ndarray) -> float:
    """Kish (1965) effective sample size (sum w)^2 / sum w^2."""
    return float(w.sum() ** 2 / np.sum(w**2))


def group_mask(df: pd.DataFrame, group: str, treated_value: Any) -> np.ndarray:
    """True for the participants' rows; SROIError unless the column has exactly two groups."""
    s = column(df, group, "group")
    values = pd.unique(s).tolist()
    treated = (s == treated_value).to_numpy()
    if not treated.any():
        raise SROIError(
            f"no participant rows: no row has {group} == {treated_value!r} (values found: {values[:6]}); "
            "set treated_value to the participants' value",
            "treated_value",
        )
    if treated.all():
        raise SROIError(
            f"no comparison-group rows: every row has {group} == {treated_value!r}; the estimator "
            "needs people who did not take part",
            "group",
        )
    if len(values) > 2:
        raise SROIError(
            f"column {group!r} has {len(values)} values {values[:6]}; expected two (participants and "
            "comparison). Filter the rows or recode the column",
            "group",
        )
    return treated


def covariate_matrix(df: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Numeric covariates as they are; text or categorical ones as 0/1 dummies (first dropped)."""
    cols = []
    for c in covariates:
        s = column(df, c, "covariates")
        if pd.api.types.is_numeric_dtype(s) and s.dtype != bool:
            cols.append(s.astype(float).rename(c))
        else:
            d = pd.get_dummies(s.astype("category"), prefix=c, drop_first=True, dtype=float)
            cols.extend(d[k] for k in d.columns)
    if not cols:
        return pd.DataFrame(index=df.index)
    return pd.concat(cols, axis=1)


def check_full_rank(x: pd.DataFrame, arg: str) -> None:
    """SROIError naming collinear predictors."""
    if np.linalg.matrix_rank(x.to_numpy()) < x.shape[1]:
        const = [c for c in x.columns if c != "const" and x[c].nunique() <= 1]
        hint = f"; {const} do not vary" if const else ""
        raise SROIError(
            f"the predictors {list(x.columns)} are collinear{hint}; drop a covariate or merge categories",
            arg,
        )


def fit_quietly(fit: Callable[[], Any], outcome: str, predictors: Sequence[str], advice: str) -> Any:
    """Run a statsmodels fit, turning its warnings into errors that say what to do."""
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        DomainWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    sep = (
        f"perfect separation: {outcome!r} is perfectly predicted by {list(predictors)}, so the "
        "effect is not identified; merge sparse categories, drop the covariate that separates, or "
        "collect more data"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = fit()
        except PerfectSeparationError:
            raise SROIError(sep, "outcome") from None
        except np.linalg.LinAlgError as exc:
            raise ConvergenceError(f"the model could not be fitted ({exc}); {advice}", "outcome") from None
    for w in caught:
        if issubclass(w.category, PerfectSeparationWarning):
            raise SROIError(sep, "outcome")
    for w in caught:
        if issubclass(w.category, (ConvergenceWarning, RuntimeWarning)):
            raise ConvergenceError(f"the fit did not converge ({w.message}); {advice}", "outcome")
    for w in caught:
        if not issubclass(w.category, DomainWarning):  # log link with binomial: expected
            warnings.warn(w.message, w.category, stacklevel=3)
    return res


def normal_or_t_quantile(level: float, df: float | None = None) -> float:
    """The two-sided ``level`` quantile of the normal, or of Student's t with ``df`` degrees of freedom."""
    from scipy import stats

    q = 0.5 + level / 2
    return float(stats.norm.ppf(q) if df is None else stats.t.ppf(q, df))


def logit_interval(p: float, se_logit: float, z: float) -> tuple[float, float]:
    """Interval for a share from its standard error on the logit scale."""
    from scipy import special

    lg = float(special.logit(p))
    return float(special.expit(lg - z * se_logit)), float(special.expit(lg + z * se_logit))
