"""Global sensitivity on the one engine: Sobol indices, and sample-based measures on any
Monte Carlo output (standardised rank regression, delta indices).

Sobol indices evaluate a Saltelli design through the compiled model's engine in bounded-memory
chunks (:meth:`~sroi.compiler.Compiled.run_batched`);
the sample-based measures read the draws and outputs of an existing
:class:`~sroi.uncertainty.Simulation` (or any draws table), so no extra model runs are needed.

References
----------
.. [1] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010).
   Variance based sensitivity analysis of model output. Design and estimator for the total
   sensitivity index. Computer Physics Communications 181(2), 259-270.
.. [2] Iman, R. L., Conover, W. J. (1979). The use of the rank transform in regression.
   Technometrics 21(4), 499-509 (standardised rank regression coefficients).
.. [3] Plischke, E., Borgonovo, E., Smith, C. L. (2013). Global sensitivity measures from given
   data. European Journal of Operational Research 226(3), 536-550 (delta indices).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from sroi.distributions import make_rng
from sroi.exceptions import SROIError, SROIWarning
from sroi.quantiles import BatchQuantile
from sroi.sensitivity import check_output
from sroi.validation import check_level, check_whole_number

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike, Slot
    from sroi.distributions import Distribution
    from sroi.sampling import Seed

__all__ = ["DELTA_DRAWS", "delta_indices", "rank_regression", "sobol"]

#: Default number of draws delta indices are estimated from (SALib's ``y_resamples``): the
#: estimate and each bootstrap resample use this many draws, so the cost does not grow with
#: the simulation (see :func:`delta_indices`).
DELTA_DRAWS = 5_000


# -- global sensitivity -----------------------------------------------------------------------
#: Uniforms per block of the Saltelli design (2 MB of float64): the design is built, mapped
#: through the inverse CDFs and evaluated block by block, so memory does not grow with N.
_DESIGN_BLOCK = 1 << 18


def _saltelli_design(base: np.ndarray, calc_second_order: bool) -> np.ndarray:
    """Saltelli's design from rows of a (b, 2D) base sequence, in SALib's layout.

    Row i of the base gives A = base[i, :D] and B = base[i, D:], and the design rows
    A, AB_1 .. AB_D, (BA_1 .. BA_D,) B, where AB_k is A with its column k taken from B (BA_k:
    B with column k from A): D + 2 rows per base row (2D + 2 with second order), as
    ``SALib.sample.sobol.sample`` lays them out and ``SALib.analyze.sobol.analyze`` reads them.

    Examples
    --------
    >>> _saltelli_design(np.array([[0.1, 0.2, 0.7, 0.8]]), calc_second_order=False)
    array([[0.1, 0.2],
           [0.7, 0.2],
           [0.1, 0.8],
           [0.7, 0.8]])
    """
    b, d = base.shape[0], base.shape[1] // 2
    a_rows, b_rows = base[:, :d], base[:, d:]
    per = 2 * d + 2 if calc_second_order else d + 2
    out = np.empty((b, per, d))
    out[:] = a_rows[:, None, :]
    k = np.arange(d)
    out[:, 1 + k, k] = b_rows
    if calc_second_order:
        out[:, 1 + d : 1 + 2 * d, :] = b_rows[:, None, :]
        out[:, 1 + d + k, k] = a_rows
    out[:, -1, :] = b_rows
    return out.reshape(b * per, d)


def _saltelli_outputs(
    analysis: AnalysisLike,
    unc: list[Slot],
    n: int,
    calc_second_order: bool,
    output: str,
    rng: np.random.Generator,
) -> np.ndarray:
    """The output at every point of Saltelli's design on a scrambled Sobol sequence.

    The base sequence is ``scipy.stats.qmc.Sobol(2D, scramble=True)`` drawn from ``rng``
    (what SALib's sampler does, so the design is the same as SALib's for the same
    generator); the design is built, mapped through each estimate's inverse CDF (uniforms
    clipped to [1e-12, 1 - 1e-12]) and evaluated through
    :meth:`~sroi.compiler.Compiled.run_batched`, block by block.
    """
    from scipy.stats import qmc

    d = len(unc)
    base = qmc.Sobol(d=2 * d, scramble=True, rng=rng).random(n)
    per = 2 * d + 2 if calc_second_order else d + 2
    rows = max(1, _DESIGN_BLOCK // (per * d))
    quantile = BatchQuantile([cast("Distribution", s.distribution) for s in unc])
    keys = [s.key for s in unc]
    comp = analysis.compiled
    y = np.empty(n * per)
    for start in range(0, n, rows):
        u = _saltelli_design(base[start : start + rows], calc_second_order)
        values = quantile(np.clip(u.T, 1e-12, 1.0 - 1e-12))
        part = comp.run_batched(dict(zip(keys, values, strict=True)), (output,))[output]
        y[start * per : start * per + part.size] = part
    return y


def sobol(
    analysis: AnalysisLike,
    n: int = 1024,
    seed: Seed = None,
    calc_second_order: bool = False,
    output: str = "ratio",
    conf_level: float = 0.95,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """Sobol first-order and total-effect indices of every uncertain estimate.

    Parameters
    ----------
    analysis : Analysis
    n : int
        Base sample size N, a power of 2 (default 1024); the model is evaluated
        N (D + 2) times for D uncertain estimates, N (2D + 2) with second order.
    seed : int, Generator, SeedSequence or None
        Seeds the Sobol sequence scrambling and the bootstrap (same seed, same result).
    calc_second_order : bool
        Also estimate second-order indices (``attrs["S2"]``, ``attrs["S2_conf"]``).
    output : str
        One of :data:`OUTPUTS` (default the SROI ratio).
    conf_level : float
        Confidence level of the bootstrap intervals (default 0.95).
    num_resamples : int
        Bootstrap resamples (default 100, SALib's).

    Returns
    -------
    DataFrame
        ``key``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (``*_conf``: half-width of the
        bootstrap confidence interval), one row per uncertain estimate, largest ST first.

    Raises
    ------
    SROIError
        No uncertain estimates, ``n`` not a power of 2, or a constant output.

    Warns
    -----
    SROIWarning
        When the analysis declares correlations: Sobol indices assume independent inputs, so
        they are computed with the correlations ignored.

    Notes
    -----
    S1_i = Var(E[Y | X_i]) / Var(Y) (the share of the output variance due to estimate i
    alone) and ST_i = E[Var(Y | X_-i)] / Var(Y) (including its interactions), estimated with
    Saltelli's scheme on a scrambled Sobol sequence: uniform [0, 1] points per estimate are
    mapped through each distribution's inverse CDF, then evaluated by the engine block by
    block (memory does not grow with N). The design is built here, vectorised, from a
    scrambled Sobol base sequence (``scipy.stats.qmc.Sobol``), in the layout of SALib's
    ``sample.sobol`` (the same points for the same seed); SALib's ``analyze.sobol``
    computes the indices and their bootstrap intervals. The decomposition assumes independent
    inputs; correlations declared on the analysis are ignored here.

    References
    ----------
    .. [1] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S.
       (2010). Variance based sensitivity analysis of model output. Computer Physics
       Communications 181(2), 259-270.
    .. [2] Herman, J., Usher, W. (2017). SALib: an open-source Python library for sensitivity
       analysis. Journal of Open Source Software 2(9), 97.

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP",
    ...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated",
    ...                            quantity=sroi.Uniform(5, 15, unit=sroi.ureg.person),
    ...                            proxy="500 GBP/person", deadweight=sroi.Uniform(0.1, 0.3))],
    ...     discount_rate=0.0,
    ... )
    >>> sobol(a, n=256, seed=1)[["key", "S1", "ST"]].round(1)
                          key   S1   ST
    0    outcomes[0].quantity  0.9  0.9
    1  outcomes[0].deadweight  0.1  0.1
    """
    from SALib.analyze import sobol as sobol_analyze

    check_output(output)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2 or n & (n - 1):
        raise SROIError(f"expected a power of 2 such as 1024 (Sobol sequences need one), got {n!r}", "n")
    check_level(conf_level, "conf_level")
    unc = analysis.compiled.uncertain()
    if not unc:
        raise SROIError(
            "the analysis has no uncertain estimates; give some estimates a distribution", "analysis"
        )
    if analysis.active_correlations:
        warnings.warn(
            "Sobol indices assume independent estimates; the analysis's correlations "
            f"({len(analysis.active_correlations)}) are ignored here",
            SROIWarning,
            stacklevel=2,
        )
    rng = make_rng(seed)
    problem = {"num_vars": len(unc), "names": [s.key for s in unc], "bounds": [[0.0, 1.0]] * len(unc)}
    y = _saltelli_outputs(analysis, unc, int(n), calc_second_order, output, rng)
    if not np.all(np.isfinite(y)):
        raise SROIError(f"the {output} is not finite for some samples; check inputs can be zero", "output")
    if np.ptp(y) == 0:
        raise SROIError(
            f"the {output} does not vary over the uncertain estimates; indices are undefined", "output"
        )
    s_i = sobol_analyze.analyze(
        problem,
        y,
        calc_second_order=calc_second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=int(rng.integers(1, 2**31 - 1)),
    )
    df = pd.DataFrame(
        {
            "key": problem["names"],
            "S1": s_i["S1"],
            "S1_conf": s_i["S1_conf"],
            "ST": s_i["ST"],
            "ST_conf": s_i["ST_conf"],
        }
    )
    if calc_second_order:
        names = [s.key for s in unc]
        df.attrs["S2"] = pd.DataFrame(np.asarray(s_i["S2"]), index=names, columns=names)
        df.attrs["S2_conf"] = pd.DataFrame(np.asarray(s_i["S2_conf"]), index=names, columns=names)
    df.attrs["output"] = output
    df.attrs["n_evaluations"] = int(y.size)
    return df.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


def _draws_and_output(simulation_or_draws: Any, output: Any) -> tuple[pd.DataFrame, np.ndarray, str]:
    """(draws, output array, output name) from a Simulation-like object or a DataFrame + array."""
    if isinstance(simulation_or_draws, pd.DataFrame):
        draws = simulation_or_draws
        if isinstance(output, str) or output is None:
            raise SROIError(
                "with a DataFrame of draws, give the output as an array of the same length", "output"
            )
        y, name = np.asarray(output, dtype=float).reshape(-1), "output"
    else:
        found = getattr(simulation_or_draws, "draws", None)
        if not isinstance(found, pd.DataFrame):
            raise SROIError(
                "expected a Simulation with .draws (simulate with keep_draws=True) or a DataFrame "
                f"of draws, got {type(simulation_or_draws).__name__}",
                "simulation_or_draws",
            )
        draws = found
        if isinstance(output, str):
            check_output(output)
            y, name = np.asarray(getattr(simulation_or_draws, output), dtype=float).reshape(-1), output
        else:
            y, name = np.asarray(output, dtype=float).reshape(-1), "output"
    if y.shape[0] != len(draws):
        raise SROIError(f"the output has {y.shape[0]} values but there are {len(draws)} draws", "output")
    if draws.shape[1] == 0:
        raise SROIError("there are no draws (no uncertain estimates)", "simulation_or_draws")
    if not np.all(np.isfinite(y)):
        raise SROIError("the output has non-finite values", "output")
    return draws, y, name


def rank_regression(simulation_or_draws: Any, output: Any = "ratio") -> pd.DataFrame:
    """Standardised rank regression coefficients (SRRC) of the output on every estimate.

    Parameters
    ----------
    simulation_or_draws : Simulation or DataFrame
        A Monte Carlo result with ``.draws`` (n x estimates) and output arrays, or a DataFrame
        of draws (then ``output`` must be an array).
    output : str or array_like
        Output name (one of :data:`OUTPUTS`) or an array of n output values.

    Returns
    -------
    DataFrame
        ``key``, ``srrc`` (in [-1, 1] roughly; sign = direction), ``conf_low``, ``conf_high``
        (95% interval), ``p_value``; sorted by ``|srrc|``. ``attrs["r_squared"]`` is the R^2 of
        the rank regression: near 1 when the output is close to monotone-additive in the
        estimates, so the SRRCs explain it; low values call for Sobol indices instead.
        Estimates that do not vary get NaN.

    Notes
    -----
    Ranks of every column and of the output are standardised to mean 0, sd 1, then fitted by
    ordinary least squares (statsmodels); the coefficients are the SRRCs. Unlike Sobol
    indices they work on any existing sample, including correlated draws.

    References
    ----------
    .. [1] Iman, R. L., Conover, W. J. (1979). The use of the rank transform in regression.
       Technometrics 21(4), 499-509.
    .. [2] Saltelli, A. et al. (2008). Global Sensitivity Analysis: The Primer. Wiley, ch. 1.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> draws = pd.DataFrame({"a": rng.random(500), "b": rng.random(500)})
    >>> df = rank_regression(draws, 3 * draws["a"] + draws["b"])
    >>> df["key"].tolist(), df.attrs["r_squared"] > 0.9
    (['a', 'b'], True)
    """
    import statsmodels.api as sm
    from scipy import stats

    draws, y, _ = _draws_and_output(simulation_or_draws, output)
    keys = [str(c) for c in draws.columns]
    x = draws.to_numpy(dtype=float)
    varying = np.ptp(x, axis=0) > 0
    if not np.any(varying):
        raise SROIError("no estimate varies across the draws", "simulation_or_draws")
    if np.ptp(y) == 0:
        raise SROIError("the output does not vary across the draws", "output")

    def z(a: np.ndarray) -> np.ndarray:
        r = stats.rankdata(a, axis=0)
        return (r - r.mean(axis=0)) / r.std(axis=0)

    xr = z(x[:, varying])
    yr = z(y)
    fit = sm.OLS(yr, sm.add_constant(xr, has_constant="add")).fit()
    ci = np.asarray(fit.conf_int(0.05))[1:]
    out = pd.DataFrame(
        {"key": keys, "srrc": np.nan, "conf_low": np.nan, "conf_high": np.nan, "p_value": np.nan}
    )
    out.loc[varying, "srrc"] = np.asarray(fit.params)[1:]
    out.loc[varying, "conf_low"] = ci[:, 0]
    out.loc[varying, "conf_high"] = ci[:, 1]
    out.loc[varying, "p_value"] = np.asarray(fit.pvalues)[1:]
    order = np.argsort(-np.nan_to_num(np.abs(out["srrc"].to_numpy()), nan=-1.0), kind="stable")
    out = out.iloc[order].reset_index(drop=True)
    out.attrs["r_squared"] = float(fit.rsquared)
    return out


def _delta_notes(text: str) -> str:
    """SALib's notes without those about the 'step' variant (not reported here)."""
    parts = [p.strip() for p in text.split(";")]
    return "; ".join(p for p in parts if p and not p.lower().startswith(("step", "[step]")))


def delta_indices(
    simulation_or_draws: Any,
    output: Any = "ratio",
    seed: Seed = None,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    max_draws: int | None = DELTA_DRAWS,
) -> pd.DataFrame:
    """Borgonovo's moment-independent delta and first-order Sobol indices from given draws.

    Parameters
    ----------
    simulation_or_draws : Simulation or DataFrame
        As for :func:`rank_regression`.
    output : str or array_like
        As for :func:`rank_regression`.
    seed : int, Generator, SeedSequence or None
        Seeds the bootstrap.
    num_resamples : int
        Bootstrap resamples (default 100).
    conf_level : float
        Confidence level (default 0.95).
    max_draws : int or None
        Draws each estimate is computed from (default :data:`DELTA_DRAWS`, 5,000): with more
        draws in the sample, the estimate and every bootstrap resample are drawn (with
        replacement) from all of them, ``max_draws`` at a time (SALib's ``y_resamples``).
        ``None`` uses every draw. Why 5,000: SALib's estimator fits a kernel density to the
        output in each of up to 48 classes of every estimate, for the estimate and each of
        the ``num_resamples`` resamples, twice (its balanced and raw variants), so its cost
        grows with the draws used: about 4 CPU s per estimate at 5,000 draws on a 2-core
        machine with one BLAS thread (benchmarks/README.md), about three times that at
        20,000, and several times more when a multithreaded BLAS spins inside scipy's
        ``gaussian_kde`` on a busy machine (``OPENBLAS_NUM_THREADS=1`` avoids it). The
        bootstrap interval ``delta_conf`` reports the precision this gives (about +-0.01 for
        the 100-estimate benchmark model).

    Returns
    -------
    DataFrame
        ``key``, ``delta``, ``delta_conf``, ``S1``, ``S1_conf``, ``notes`` (SALib's remarks,
        e.g. too few distinct values), largest delta first. ``attrs["n_used"]`` is the
        number of draws each estimate used.

    Warns
    -----
    SROIWarning
        When ``max_draws`` asks for more than :data:`DELTA_DRAWS` draws and the sample has
        more: the run will be slow (its cost is given in the message).

    Notes
    -----
    delta_i = 1/2 E[ integral |f_Y(y) - f_{Y|X_i}(y)| dy ], estimated by SALib's
    ``analyze.delta`` (Plischke et al. 2013) on the given sample, so it works with correlated
    draws. SALib's implementation uses numpy's global random state and changes the global
    warning filters; this wrapper seeds and then restores both, so it is not thread-safe.

    References
    ----------
    .. [1] Borgonovo, E. (2007). A new uncertainty importance measure. Reliability Engineering
       & System Safety 92(6), 771-784.
    .. [2] Plischke, E., Borgonovo, E., Smith, C. L. (2013). Global sensitivity measures from
       given data. European Journal of Operational Research 226(3), 536-550.
    """
    from SALib.analyze import delta

    draws, y, _ = _draws_and_output(simulation_or_draws, output)
    n = len(draws)
    if max_draws is not None:
        max_draws = check_whole_number(max_draws, "max_draws", 10, what="a whole number of draws")
    used = n if max_draws is None else min(n, max_draws)
    if used > DELTA_DRAWS:
        warnings.warn(
            f"delta indices from {used:,} draws per estimate are slow: SALib's estimator costs about "
            f"{4 * used / DELTA_DRAWS:,.0f} CPU s per estimate ({draws.shape[1]} estimates here); the default "
            f"max_draws={DELTA_DRAWS:,} estimates each index from resamples of that size",
            SROIWarning,
            stacklevel=2,
        )
    keys = [str(c) for c in draws.columns]
    x = draws.to_numpy(dtype=float)
    varying = np.ptp(x, axis=0) > 0
    rng = make_rng(seed)
    names = [f"x{j}" for j in range(int(varying.sum()))]  # SALib rejects some name suffixes
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    state = np.random.get_state()  # noqa: NPY002  (SALib's delta uses the global state)
    fmt = warnings.formatwarning
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = delta.analyze(
                problem,
                x[:, varying],
                y,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=int(rng.integers(1, 2**31 - 1)),
                method="all",
                y_resamples=used,
            )
    finally:
        np.random.set_state(state)  # noqa: NPY002
        warnings.formatwarning = fmt
    out = pd.DataFrame(
        {"key": keys, "delta": np.nan, "delta_conf": np.nan, "S1": np.nan, "S1_conf": np.nan, "notes": ""}
    )
    notes = list(res.get("notes", [""] * len(names)))
    out.loc[varying, "delta"] = res["delta_raw"]
    out.loc[varying, "delta_conf"] = res["delta_raw_conf"]
    out.loc[varying, "S1"] = res["S1"]
    out.loc[varying, "S1_conf"] = res["S1_conf"]
    out.loc[varying, "notes"] = [_delta_notes(str(t)) for t in notes]
    out.loc[~varying, "notes"] = "does not vary across the draws"
    extra = [str(w.message).strip() for w in caught]
    out.attrs["warnings"] = extra
    out.attrs["n_used"] = used
    return out.sort_values("delta", ascending=False, kind="stable", na_position="last").reset_index(drop=True)
