"""Value of information: how much would it be worth to know the uncertain estimates exactly?

The decision is "fund the programme if its SROI ratio exceeds the target R", equivalent to a
positive net benefit NB = PV - R x inputs. With a Monte Carlo sample of NB (from
:func:`sroi.uncertainty.simulate`, or any object with the same attributes):

* EVPI, the expected value of perfect information about every estimate, is what a decision
  maker would gain by learning all of them before deciding;
* EVPPI, the partial EVPI of one estimate (or a group), what learning just that one is worth.

Both are in the analysis currency per decision; multiply by the number of decisions the
evidence would inform for a population value. They bound what further research (a survey, a
trial) on those estimates is worth.

References
----------
.. [1] Strong, M., Oakley, J. E., Brennan, A. (2014). Estimating multiparameter partial
   expected value of perfect information from a probabilistic sensitivity analysis sample: a
   nonparametric regression approach. Medical Decision Making 34(3), 311-326.
.. [2] Claxton, K. (1999). The irrelevance of inference: a decision-making approach to the
   stochastic evaluation of health care technologies. Journal of Health Economics 18(3),
   341-364.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sroi.exceptions import SROIError
from sroi.validation import check_target_ratio

__all__ = ["evpi", "evppi", "net_benefit"]

_VOI_OUTPUTS = ("net_present_value", "ratio")
_FEW_VALUES = 10  # estimates with this many distinct values or fewer are treated as discrete
_MAX_COLUMNS = 512  # largest tensor-product basis tried


def net_benefit(simulation: Any, target: float = 1.0, output: str = "net_present_value") -> np.ndarray:
    """Net benefit of funding, per Monte Carlo draw.

    Parameters
    ----------
    simulation : Simulation
        Any object with arrays ``present_value`` and ``total_inputs`` (or, for ``target`` = 1,
        ``net_present_value``), and ``ratio`` for ``output="ratio"``.
    target : float
        Target SROI ratio R (default 1).
    output : {"net_present_value", "ratio"}
        ``"net_present_value"``: NB = PV - R x inputs [currency]; ``"ratio"``: NB = ratio - R
        [ratio points; not a money value].

    Returns
    -------
    ndarray (n,)

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> sim = SimpleNamespace(present_value=np.array([150.0, 80.0]), total_inputs=np.array([100.0, 100.0]))
    >>> net_benefit(sim, target=1.2)
    array([ 30., -40.])
    """
    R = check_target_ratio(target)
    if output not in _VOI_OUTPUTS:
        raise SROIError(f"unknown output {output!r}; expected one of {_VOI_OUTPUTS}", "output")
    if output == "ratio":
        ratio = getattr(simulation, "ratio", None)
        if ratio is None:
            raise SROIError("the simulation has no 'ratio' array", "simulation")
        nb = np.asarray(ratio, dtype=float) - R
    elif hasattr(simulation, "present_value") and hasattr(simulation, "total_inputs"):
        nb = np.asarray(simulation.present_value, dtype=float) - R * np.asarray(
            simulation.total_inputs, dtype=float
        )
    elif R == 1.0 and hasattr(simulation, "net_present_value"):
        nb = np.asarray(simulation.net_present_value, dtype=float)
    else:
        raise SROIError(
            "expected a simulation with 'present_value' and 'total_inputs' arrays (or "
            "'net_present_value' for target 1)",
            "simulation",
        )
    nb = nb.reshape(-1)
    if nb.size < 2 or not np.all(np.isfinite(nb)):
        raise SROIError(f"expected at least 2 finite Monte Carlo values, got {nb.size}", "simulation")
    return nb


def evpi(simulation: Any, target: float = 1.0, output: str = "net_present_value") -> float:
    """Expected value of perfect information about every uncertain estimate.

    Parameters
    ----------
    simulation : Simulation
        Monte Carlo result (see :func:`net_benefit` for the attributes used).
    target : float
        Target SROI ratio R: fund when the ratio exceeds it (default 1).
    output : {"net_present_value", "ratio"}
        Scale of the net benefit (see :func:`net_benefit`); default money.

    Returns
    -------
    float
        EVPI [analysis currency per decision] (ratio points for ``output="ratio"``).

    Notes
    -----
    With NB = PV - R x inputs per draw::

        EVPI = E[max(NB, 0)] - max(E[NB], 0)

    the expected gain from choosing, draw by draw, between funding (NB) and not funding (0)
    instead of once on the expected NB. It is 0 when every draw agrees on the decision.

    References
    ----------
    .. [1] Claxton, K. (1999). Journal of Health Economics 18(3), 341-364.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> sim = SimpleNamespace(present_value=np.array([150.0, 80.0]), total_inputs=np.array([100.0, 100.0]))
    >>> evpi(sim)
    10.0
    """
    nb = net_benefit(simulation, target, output)
    return float(np.mean(np.maximum(nb, 0.0)) - max(float(np.mean(nb)), 0.0))


def _design_poly(x: np.ndarray, degree: int) -> np.ndarray:
    """Polynomial design with all terms up to ``degree`` (interactions included), standardised."""
    from itertools import combinations_with_replacement

    z = (x - x.mean(axis=0)) / x.std(axis=0)
    cols = [np.ones(len(z))]
    for d in range(1, degree + 1):
        for combo in combinations_with_replacement(range(z.shape[1]), d):
            cols.append(np.prod(z[:, list(combo)], axis=1))
    return np.column_stack(cols)


def _basis(col: np.ndarray, d: int, intercept: bool) -> np.ndarray:
    """Basis of one estimate: indicators when it has few distinct values (e.g. whole-year
    durations), else cubic B-splines with ``d`` functions (statsmodels' GAM basis)."""
    u, inv = np.unique(col, return_inverse=True)
    if u.size <= _FEW_VALUES:
        dummies = np.eye(u.size)[inv]
        return dummies if intercept else dummies[:, 1:]
    from statsmodels.gam.api import BSplines

    return np.asarray(BSplines(col[:, None], df=[d], degree=[3], include_intercept=intercept).basis)


def _designs(x: np.ndarray, method: str, df: int) -> list[np.ndarray]:
    """Nested candidate regressions of NB on the estimates ``x`` (n, p)."""
    n, p = x.shape
    one = np.ones((n, 1))
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    designs = [one, np.column_stack([one, z])]
    if method == "poly":
        return [*designs, _design_poly(x, 2), _design_poly(x, 3)]
    for d in range(4, df + 1, 2):
        parts = [_basis(x[:, j], d, intercept=False) for j in range(p)]
        designs.append(np.column_stack([one, *parts]))  # additive
        if 1 < p <= 3:  # tensor product (interactions), as mgcv's te() in Strong et al.
            full = [_basis(x[:, j], d, intercept=True) for j in range(p)]
            if math.prod(b.shape[1] for b in full) <= min(_MAX_COLUMNS, n // 5):
                tensor = full[0]
                for b in full[1:]:
                    tensor = (tensor[:, :, None] * b[:, None, :]).reshape(n, -1)
                designs.append(tensor)
    if p > 3:
        designs.append(_design_poly(x, 2))
    return designs


def _fit(nb: np.ndarray, x: np.ndarray, method: str, df: int) -> np.ndarray:
    """Fitted E[NB | x] at each draw, the regression chosen by BIC among nested candidates."""
    n = len(nb)
    best, best_bic = nb, math.inf
    floor = 1e-24 * max(float(np.mean(nb**2)), 1e-300)
    for design in _designs(x, method, df):
        coef, _, rank, _ = np.linalg.lstsq(design, nb, rcond=None)
        fitted = design @ coef
        rss = max(float(np.mean((nb - fitted) ** 2)), floor)
        bic = n * math.log(rss) + int(rank) * math.log(n)
        if bic < best_bic:
            best, best_bic = fitted, bic
    return np.asarray(best, dtype=float)


def evppi(
    simulation: Any,
    keys: Sequence[str | Sequence[str]] | None = None,
    target: float = 1.0,
    method: str = "gam",
    output: str = "net_present_value",
    df: int = 8,
) -> pd.DataFrame:
    """Partial EVPI of each uncertain estimate (or group), by nonparametric regression.

    Parameters
    ----------
    simulation : Simulation
        Monte Carlo result with ``.draws`` (a DataFrame, one column per estimate key) and the
        arrays used by :func:`net_benefit`.
    keys : sequence, optional
        Estimates to value: each item a key (one estimate) or a list of keys (a group, valued
        jointly). Default: every column of ``draws``, one at a time.
    target : float
        Target SROI ratio R (default 1).
    method : {"gam", "poly"}
        ``"gam"``: additive cubic regression B-splines (statsmodels' GAM basis ``BSplines``,
        ``df`` per estimate, fitted by least squares); ``"poly"``: cubic polynomial with interactions by least squares.
        Estimates with few distinct values (e.g. whole-year durations) use exact conditional
        means.
    output : {"net_present_value", "ratio"}
        Scale of the net benefit (see :func:`net_benefit`).
    df : int
        Spline basis size per estimate for ``"gam"`` (default 8).

    Returns
    -------
    DataFrame
        ``key`` (groups joined with ``" + "``), ``evppi`` [analysis currency per decision],
        ``share_of_evpi`` (NaN when EVPI is 0), largest first. ``attrs["evpi"]`` holds EVPI.

    Notes
    -----
    Strong, Oakley & Brennan (2014): regress NB on the estimate(s) theta to get
    g(theta) ~ E[NB | theta]; then::

        EVPPI(theta) = mean(max(g, 0)) - max(mean(g), 0)

    The regression smooths out the other estimates' noise; what is left is the value of
    learning theta. Choosing the basis size by BIC (instead of Strong et al.'s penalised GAM
    from R's mgcv) keeps the estimator's upward bias small: an estimate with no effect is
    usually fitted by a constant, so its EVPPI is 0. The estimate is still a Monte Carlo
    estimate; compare with EVPI and between estimates rather than reading small differences. An additive GAM ignores interactions inside a group; use
    ``method="poly"`` for small groups that interact.

    References
    ----------
    .. [1] Strong, M., Oakley, J. E., Brennan, A. (2014). Estimating multiparameter partial
       expected value of perfect information from a probabilistic sensitivity analysis
       sample: a nonparametric regression approach. Medical Decision Making 34(3), 311-326.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> rng = np.random.default_rng(0)
    >>> draws = pd.DataFrame({"q": rng.uniform(0, 2, 2000), "noise": rng.random(2000)})
    >>> sim = SimpleNamespace(draws=draws, present_value=100 * draws["q"].to_numpy(),
    ...                       total_inputs=np.full(2000, 100.0))
    >>> res = evppi(sim)
    >>> res["key"].tolist(), round(res.attrs["evpi"], 0), round(float(res["share_of_evpi"].iloc[0]), 2)
    (['q', 'noise'], 25.0, 1.0)
    """
    draws = getattr(simulation, "draws", None)
    if not isinstance(draws, pd.DataFrame):
        raise SROIError(
            "expected a Simulation with a .draws DataFrame (run simulate with keep_draws=True)", "simulation"
        )
    if method not in ("gam", "poly"):
        raise SROIError(f"expected 'gam' or 'poly', got {method!r}", "method")
    if isinstance(df, bool) or not isinstance(df, (int, np.integer)) or df < 4:
        raise SROIError(f"expected a whole number of basis functions >= 4, got {df!r}", "df")
    nb = net_benefit(simulation, target, output)
    if len(draws) != nb.size:
        raise SROIError(f"draws has {len(draws)} rows but the output has {nb.size} values", "simulation")
    cols = [str(c) for c in draws.columns]
    groups: list[list[str]] = []
    for item in [[c] for c in cols] if keys is None else list(keys):
        group = [item] if isinstance(item, str) else [str(k) for k in item]
        missing = [k for k in group if k not in cols]
        if not group or missing:
            raise SROIError(
                f"unknown key(s) {missing or item!r}; the draws have columns: {', '.join(cols)}", "keys"
            )
        groups.append(group)
    total = evpi(simulation, target, output)
    rows = []
    for group in groups:
        x = draws[group].to_numpy(dtype=float)
        x = x[:, np.ptp(x, axis=0) > 0]
        if x.shape[1] == 0:
            value = 0.0
        else:
            g = _fit(nb, x, method, df)
            value = float(np.mean(np.maximum(g, 0.0)) - max(float(np.mean(g)), 0.0))
        rows.append(
            {
                "key": " + ".join(group),
                "evppi": value,
                "share_of_evpi": value / total if total > 0 else math.nan,
            }
        )
    out = pd.DataFrame(rows).sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs["evpi"] = total
    out.attrs["target"] = float(target)
    return out
