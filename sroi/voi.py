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
from collections.abc import Iterator, Sequence
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


def _bspline_basis(x: np.ndarray, knots: np.ndarray, degree: int = 3, block: int = 8192) -> np.ndarray:
    """Dense B-spline design matrix (n, len(knots) - degree - 1) at points ``x`` within the
    knots' range (the same matrix as ``scipy.interpolate.BSpline.design_matrix``).

    The ``degree + 1`` functions that are not zero at each point come from the Cox-de Boor
    recursion (Piegl & Tiller, The NURBS Book, algorithm A2.2), vectorised over blocks of
    ``block`` points (so that its temporaries stay in cache); the right end point belongs to
    the last knot interval (as in scipy and statsmodels: when that interval is empty, because
    interior knots tie with the largest value, its row is 0).
    """
    t = np.asarray(knots, dtype=float)
    k = degree
    m = t.size - k - 1
    out = np.zeros((x.size, m))
    distinct = bool(np.all(np.diff(t[k : m + 1]) > 0))  # no empty interval: no zero denominator
    for start in range(0, x.size, block):
        xb = x[start : start + block]
        n = xb.size
        span = np.clip(np.searchsorted(t, xb, side="right") - 1, k, m - 1)
        values = [np.ones(n)]  # the k + 1 functions not zero at each point, lowest first
        left: list[np.ndarray] = [xb]
        right: list[np.ndarray] = [xb]
        for j in range(1, k + 1):
            left.append(xb - t[span + 1 - j])
            right.append(t[span + j] - xb)
            saved: np.ndarray | float = 0.0
            nxt = []
            for r in range(j):
                denom = right[r + 1] + left[j - r]
                temp = values[r] / (denom if distinct else np.where(denom > 0, denom, np.inf))
                nxt.append(saved + right[r + 1] * temp)
                saved = left[j - r] * temp
            nxt.append(np.asarray(saved))
            values = nxt
        flat = out[start : start + n].reshape(-1)
        first = np.arange(n) * m + span - k
        for c in range(k + 1):
            flat[first + c] = values[c]
    return out


class _Bases:
    """Regressors of the draws, each built once per :func:`evppi` call and shared by every
    candidate design and group that uses it.

    For a column: its standardised values; indicators when it has at most ``_FEW_VALUES``
    distinct values (exact conditional means, e.g. whole-year durations), else cubic
    B-splines with ``d`` functions for d = 4, 6, ... ``df`` (knots as statsmodels' ``BSplines``
    and R's mgcv place them: boundary knots at the extremes, ``d - 4`` interior knots at
    equally spaced quantiles, all found in one pass), evaluated by :func:`_bspline_basis`.
    """

    def __init__(self, x: np.ndarray, df: int) -> None:
        self.x = x
        self.n = x.shape[0]
        self.sizes = list(range(4, df + 1, 2))
        self._z: dict[int, np.ndarray] = {}
        self._few: dict[int, np.ndarray | None] = {}
        self._knots: dict[int, dict[int, np.ndarray]] = {}
        self._splines: dict[tuple[int, int], np.ndarray] = {}

    def z(self, j: int) -> np.ndarray:
        if j not in self._z:
            col = self.x[:, j]
            self._z[j] = (col - col.mean()) / col.std()
        return self._z[j]

    def indicators(self, j: int) -> np.ndarray | None:
        """Indicator columns (n, u) of a column with few distinct values, else None."""
        if j not in self._few:
            col = self.x[:, j]
            self._few[j] = None
            if np.unique(col[:1024]).size <= _FEW_VALUES:  # else there are surely more
                u, inv = np.unique(col, return_inverse=True)
                if u.size <= _FEW_VALUES:
                    self._few[j] = np.eye(u.size)[inv]
        return self._few[j]

    def basis(self, j: int, d: int, intercept: bool) -> np.ndarray:
        """Basis of column ``j``; without the intercept its first function is dropped (a view)."""
        full = self.indicators(j)
        if full is None:
            if (j, d) not in self._splines:
                col = self.x[:, j]
                if j not in self._knots:
                    probs = [np.linspace(0.0, 1.0, k - 2)[1:-1] for k in self.sizes]
                    q = np.quantile(col, np.concatenate([[0.0, 1.0], *probs]))
                    lo, hi, at = q[0], q[1], 2
                    self._knots[j] = {}
                    for k, pr in zip(self.sizes, probs, strict=True):
                        self._knots[j][k] = np.concatenate([[lo] * 4, q[at : at + pr.size], [hi] * 4])
                        at += pr.size
                self._splines[j, d] = _bspline_basis(col, self._knots[j][d])
            full = self._splines[j, d]
        return full if intercept else full[:, 1:]

    def poly(self, cols: list[int], degree: int) -> np.ndarray:
        """All products of the standardised columns up to ``degree`` (interactions included)."""
        from itertools import combinations_with_replacement

        out = [np.ones(self.n)]
        for k in range(1, degree + 1):
            for combo in combinations_with_replacement(cols, k):
                term = self.z(combo[0])
                for c in combo[1:]:
                    term = term * self.z(c)
                out.append(term)
        return np.column_stack(out)


#: A candidate regression: (with an intercept?, blocks of columns (n, k_b) side by side).
_Design = tuple[bool, list[np.ndarray]]


def _designs(bases: _Bases, cols: list[int], method: str) -> Iterator[_Design]:
    """Nested candidate regressions of NB on the estimates ``cols``, built as they are fitted
    from the shared bases (no design matrix is copied together)."""
    n, p = bases.n, len(cols)
    yield True, []
    yield True, [bases.z(j)[:, None] for j in cols]
    if method == "poly":
        yield False, [bases.poly(cols, 2)]
        yield False, [bases.poly(cols, 3)]
        return
    discrete = all(bases.indicators(j) is not None for j in cols)
    for d in bases.sizes:
        yield True, [bases.basis(j, d, intercept=False) for j in cols]  # additive
        if 1 < p <= 3:  # tensor product (interactions), as mgcv's te() in Strong et al.
            full = [bases.basis(j, d, intercept=True) for j in cols]
            if math.prod(b.shape[1] for b in full) <= min(_MAX_COLUMNS, n // 5):
                tensor = full[0]
                for b in full[1:]:
                    tensor = (tensor[:, :, None] * b[:, None, :]).reshape(n, -1)
                yield False, [tensor]
        if discrete:  # indicators do not change with d: one set of designs is enough
            break
    if p > 3:
        yield False, [bases.poly(cols, 2)]


#: Eigenvalues of the scaled normal matrix below this fraction of the largest are dropped.
_RCOND = 1e-10


def _least_squares(design: _Design, y: np.ndarray) -> tuple[np.ndarray, int]:
    """Least-squares fitted values and rank, from the normal equations (k x k).

    X'X and X'y are assembled block by block (one BLAS product per pair of blocks, the
    intercept's row from column sums), O(n k^2) without copying X; the small system is
    scaled to a unit diagonal and solved through its eigen-decomposition, dropping
    directions whose eigenvalue is below ``_RCOND`` of the largest (rank-revealing:
    collinear columns, such as indicators and an intercept, count once).
    """
    intercept, blocks = design
    n = y.shape[0]
    at = np.cumsum([int(intercept), *(b.shape[1] for b in blocks)])  # block a: columns at[a]:at[a + 1]
    k = int(at[-1])
    gram = np.empty((k, k))
    rhs = np.empty(k)
    if intercept:
        gram[0, 0] = n
        rhs[0] = y.sum()
    for a, block in enumerate(blocks):
        sa = slice(at[a], at[a + 1])
        rhs[sa] = y @ block
        if intercept:
            gram[0, sa] = gram[sa, 0] = block.sum(axis=0)
        for b in range(a, len(blocks)):
            sb = slice(at[b], at[b + 1])
            gram[sa, sb] = block.T @ blocks[b]
            gram[sb, sa] = gram[sa, sb].T
    scale = np.sqrt(np.diag(gram))
    scale[scale == 0] = 1.0
    w, v = np.linalg.eigh(gram / scale[:, None] / scale[None, :])
    keep = w > _RCOND * max(float(w[-1]), 0.0)
    vk = v[:, keep]
    coef = vk @ ((vk.T @ (rhs / scale)) / w[keep]) / scale
    fitted = np.full(n, coef[0]) if intercept else np.zeros(n)
    for a, block in enumerate(blocks):
        fitted += block @ coef[at[a] : at[a + 1]]
    return fitted, int(keep.sum())


def _fit(nb: np.ndarray, bases: _Bases, cols: list[int], method: str) -> np.ndarray:
    """Fitted E[NB | x] at each draw, the regression chosen by BIC among nested candidates."""
    n = len(nb)
    best, best_bic = nb, math.inf
    floor = 1e-24 * max(float(np.mean(nb**2)), 1e-300)
    for design in _designs(bases, cols, method):
        fitted, rank = _least_squares(design, nb)
        resid = np.subtract(nb, fitted)
        rss = max(float(resid @ resid) / n, floor)
        bic = n * math.log(rss) + rank * math.log(n)
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
        ``"gam"``: additive cubic regression B-splines (the basis of statsmodels' GAM
        ``BSplines``, up to ``df`` functions per estimate, fitted by least squares);
        ``"poly"``: cubic polynomial with interactions by least squares. Estimates with few
        distinct values (e.g. whole-year durations) use exact conditional means.
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
    learning theta. Each estimate's bases (standardised values, B-splines of each size,
    indicators) are built once and shared by every candidate design and group; each
    candidate is fitted through its normal equations (X'X and X'y, k x k for k basis
    functions, solved with a rank-revealing eigen-decomposition), so a fit costs a few
    passes over the n draws. Choosing the basis size by BIC (instead of Strong et al.'s penalised GAM
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
    used = list(dict.fromkeys(k for group in groups for k in group))
    x = draws[used].to_numpy(dtype=float)
    varying = np.ptp(x, axis=0) > 0
    bases = _Bases(x, df)
    rows = []
    for group in groups:
        at = [j for j in dict.fromkeys(used.index(k) for k in group) if varying[j]]
        if not at:
            value = 0.0
        else:
            g = _fit(nb, bases, at, method)
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
