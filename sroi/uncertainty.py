"""Monte Carlo simulation of an analysis, with rank-correlated estimates, on the one engine.

Every uncertain estimate gets one draw per sample, jointly with the others
(:mod:`sroi.sampling`: per-key random streams, a Gaussian copula for the rank correlations,
the inverse CDF of each distribution); each chunk of samples goes through the compiled model's
engine (:meth:`sroi.compiler.Compiled.run`), the same arithmetic as ``Analysis.evaluate()``. A
named parameter used in several fields is one slot, so one draw (``x - x`` is exactly 0). The
scheme is in :mod:`sroi.sampling` and docs/method.md §6.



References
----------
.. [1] Iman, R. L., Conover, W. J. (1982). A distribution-free approach to inducing rank
   correlation among input variables. Communications in Statistics - Simulation and
   Computation 11(3), 311-334.
.. [2] Nelsen, R. B. (2006). An Introduction to Copulas, 2nd ed. Springer, §5.1.
.. [3] Kruskal, W. H. (1958). Ordinal measures of association. JASA 53(284), 814-861.
.. [4] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment,
   stage 5 (sensitivity analysis).

Examples
--------
>>> import sroi
>>> a = sroi.Analysis(
...     name="Example", currency="GBP",
...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
...                            proxy="500 GBP/person", duration=3,
...                            deadweight=sroi.Uniform(0.1, 0.3))],
... )
>>> sim = a.simulate(2000, seed=1)
>>> sim.probability_ratio_exceeds(1.0)
1.0
>>> list(sim.summary().index)
['ratio', 'present_value', 'net_present_value']
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from sroi import defaults
from sroi.exceptions import SROIError
from sroi.glossary import TIER_COLUMNS
from sroi.quantiles import BatchQuantile
from sroi.result import cash_flow_sources, evaluate, is_eligible, tier_label
from sroi.sampling import Sampler, Seed
from sroi.validation import check_level, check_targets, check_whole_number

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike
    from sroi.distributions import Distribution
    from sroi.engine import EngineOutput
    from sroi.result import Result

__all__ = ["Simulation", "simulate"]

#: Draws (estimates x samples) in one chunk: 8 MB of float64. Smaller chunks kept more in cache
#: but paid the fixed Python cost of a chunk (about 0.6 ms: ~100 numpy calls to draw, assemble
#: and run the engine) more often. Benchmark model (20 outcomes, 100 estimates), 10^6 draws,
#: CPU s, min of 3 at load 4-6: chunks of 1,310 / 4,096 / 8,192 / 16,384 / 32,768 samples took
#: 2.35 / 2.07 / 1.87 / 1.81 / 1.93 (2^17 elements gave 1,310 samples; 2^20 gives 10,485).
_CHUNK_ELEMENTS = 1 << 20
_QUANTILES = (0.05, 0.10, 0.50, 0.90, 0.95)
_METRICS = ("ratio", "present_value", "net_present_value")
#: Largest n x k of draws kept by default (400 MB of float64).
_KEEP_DRAWS_UP_TO = 50_000_000
#: Rows of draws turned into values at a time (64 rows x 1,024 samples = 512 kB).
_BLOCK_ROWS = 64


def memory_limit() -> int:
    """Bytes a simulation may keep: half of this machine's physical memory (16 GiB if unknown),
    or the environment variable ``SROI_MAX_MEMORY`` (bytes)."""
    if "SROI_MAX_MEMORY" in os.environ:
        try:
            return int(float(os.environ["SROI_MAX_MEMORY"]))
        except ValueError:
            raise SROIError(
                f"expected a number of bytes, got {os.environ['SROI_MAX_MEMORY']!r}", "SROI_MAX_MEMORY"
            ) from None
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")) // 2
    except (ValueError, OSError, AttributeError):
        return 16 * 2**30


class _Draws:
    """The Monte Carlo's joint draws, chunk by chunk: uniforms, then each family's inverse CDF.

    A uniform or triangular estimate in no correlation is drawn by numpy's own sampler on the
    estimate's stream (``Generator.uniform`` / ``Generator.triangular``): they apply the same
    inverse CDF to the same doubles as :class:`~sroi.quantiles.BatchQuantile`, without the
    intermediate array. The other estimates are evaluated in blocks of rows of at most
    ``_BLOCK_ROWS``, so that a chunk of a large model stays in cache.
    """

    def __init__(self, analysis: AnalysisLike, seed: Seed, base: Sequence[int] | None = None) -> None:
        from sroi.distributions import Triangular, Uniform

        comp = analysis.compiled
        self.sampler = Sampler(comp.slots, seed, analysis.active_correlations, base=base)
        self.keys = self.sampler.keys
        dists = [cast("Distribution", comp.slots[k].distribution) for k in self.keys]
        self.distributions = dists
        correlated = set(self.sampler.correlated.tolist())
        # (row, low, mode or None, high) of the estimates numpy's samplers draw directly
        self._direct: list[tuple[int, float, float | None, float]] = []
        for j, d in enumerate(dists):
            if j in correlated:
                continue
            if isinstance(d, Triangular) and type(d) is Triangular and d.high > d.low:
                self._direct.append((j, d.low, d.mode, d.high))
            elif isinstance(d, Uniform) and type(d) is Uniform and d.high > d.low:
                self._direct.append((j, d.low, None, d.high))
        direct = {j for j, _, _, _ in self._direct}
        self._rest = np.array([j for j in range(len(dists)) if j not in direct], dtype=np.intp)
        self._blocks = [
            (start, BatchQuantile([dists[j] for j in self._rest[start : start + _BLOCK_ROWS]]))
            for start in range(0, self._rest.size, _BLOCK_ROWS)
        ]

    def next(self, m: int, offset: int) -> np.ndarray:
        """The next ``m`` draws of every uncertain estimate, shape (k, m); SROIError if any is
        not a finite number (naming the estimate)."""
        values = np.empty((len(self.keys), m))
        for j, low, mode, high in self._direct:
            stream = self.sampler.stream(j)
            if mode is not None:
                values[j] = stream.triangular(low, mode, high, m)
            else:
                values[j] = stream.uniform(low, high, m)
        if self._rest.size:
            whole = self._rest.size == len(self.keys)
            u = self.sampler.uniforms(m, None if whole else self._rest)
            rest = values if whole else np.empty_like(u)
            for start, quantile in self._blocks:
                stop = start + len(quantile.distributions)
                quantile(u[start:stop], out=rest[start:stop])
            if not whole:
                values[self._rest] = rest
        finite = np.isfinite(values)
        if not finite.all():
            row = int(np.flatnonzero(~finite.all(axis=1))[0])
            bad = int((~finite[row]).sum())
            raise SROIError(
                f"{bad} of the draws {offset:,}..{offset + m - 1:,} are not finite numbers (e.g. "
                f"{values[row][~finite[row]][0]}); its distribution "
                f"{self.distributions[row]!r} spreads too far for a float: narrow it",
                self.keys[row],
            )
        return values


def _show_progress(progress: bool | None, n: int) -> bool:
    if "SROI_NO_PROGRESS" in os.environ or progress is False:
        return False
    return bool(progress) or n > defaults.PROGRESS_FROM


def simulate(
    analysis: AnalysisLike,
    n: int = defaults.DRAWS,
    seed: Seed = None,
    *,
    chunk_size: int | None = None,
    progress: bool | None = None,
    keep_draws: bool | None = None,
    targets: Sequence[float] = (1.0,),
) -> Simulation:
    """Monte Carlo simulation of an analysis: ``n`` joint draws of every uncertain estimate.

    Parameters
    ----------
    analysis : Analysis
    n : int
        Number of samples, >= 1. Default 10,000 (Monte Carlo error of a P10 about 0.3
        percentage points).
    seed : int, numpy Generator or SeedSequence, optional
        The same seed gives bit-identical results; ``None`` draws fresh entropy (kept in
        :attr:`Simulation.seed` so the run can be repeated).
    chunk_size : int, optional
        Samples evaluated at a time; default: the draws of a chunk (estimates x samples,
        float64) take about 8 MB, between 1,024 and 65,536 samples. Results do not depend on it.
    progress : bool, optional
        Show a tqdm progress bar; default only when ``n`` > 200,000. The environment variable
        ``SROI_NO_PROGRESS`` (any value) turns it off.
    keep_draws : bool, optional
        Keep the drawn value of every uncertain estimate (:attr:`Simulation.draws`,
        ``n x k x 8`` bytes; needed by rank regression and EVPPI). Default: keep them when
        they take at most 400 MB (``n x k <= 50,000,000``), so that a very large run stays
        within memory (10 million draws of a 20-outcome model in under 2 GB).
    targets : sequence of float
        Ratio targets reported by :meth:`Simulation.summary` and the displays (default 1:1).

    Returns
    -------
    Simulation

    Raises
    ------
    SROIError
        ``n`` or ``chunk_size`` not a whole number >= 1; invalid ``correlations`` (see
        :func:`sample_uniforms`); ``inputs`` totalling zero in some sample.

    Notes
    -----
    Each chunk is ``analysis.compiled.run(values, per_period=True)``: the formulas of
    docs/method.md §3, once. Memory kept per sample: float64 ratio, present value,
    payback and inputs (no space when the inputs are certain; NPV = PV - inputs and net ratio =
    ratio - 1 are derived on access, as the engine defines them), the per-outcome present
    values as float32 (n x O), the eligible cash per period as float32 (n x T, only when some
    outcome is tier A or contracted tier B) and, when kept, the draws as float64 (n x k); plus
    one chunk. For 20 outcomes over 10 years, 10 million samples without draws peak at
    about 1.24 GiB resident, interpreter included (``benchmarks/bench_memory.py``).

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("People", "Better", quantity=sroi.Uniform(5, 15, unit="person"),
    ...                            proxy="100 GBP/person")],
    ... )
    >>> sim = simulate(a, 10_000, seed=7)
    >>> round(float(sim.present_value.mean()), 0)  # E[PV] = 10 x 100 / 1.035
    966.0
    >>> sim.interval(0.9)[0] < 0.966 < sim.interval(0.9)[1]
    True
    """
    n = check_whole_number(n, "n", 1)
    if chunk_size is not None:
        chunk_size = check_whole_number(chunk_size, "chunk_size", 1)
    targets = check_targets(targets)
    if seed is None:
        seed = np.random.SeedSequence()
    comp = analysis.compiled
    draws_of = _Draws(analysis, seed)
    keys = draws_of.keys
    n_out = len(analysis.outcomes)
    if keep_draws is None:
        keep_draws = n * len(keys) <= _KEEP_DRAWS_UP_TO
    per_sample = 8 * 4 + 4 * n_out + (8 * len(keys) if keep_draws else 0)
    if n * per_sample > memory_limit():
        raise SROIError(
            f"{n:,} samples would keep {n * per_sample / 2**30:,.1f} GiB of results ({per_sample} bytes a "
            f"sample: ratio, PV, payback, inputs, PV of each of {n_out} outcomes"
            + (", the draws" if keep_draws else "")
            + f"), more than the limit of {memory_limit() / 2**30:,.1f} GiB (half this machine's memory, or "
            "SROI_MAX_MEMORY); use fewer samples (1e5-1e6 estimate percentiles to a fraction of a "
            "percentage point), keep_draws=False, or the streaming book simulation (sroi.portfolio)",
            "n",
        )
    if chunk_size is None:
        chunk_size = int(np.clip(_CHUNK_ELEMENTS // max(n_out, len(keys), 1), 1024, 1 << 16))

    scalars = {name: np.empty(n) for name in ("ratio", "present_value", "payback_months")}
    inputs: np.ndarray | None = None
    constant_inputs: float | None = None
    pv_by_outcome = np.empty((n_out, n), dtype=np.float32)
    pv_sum = np.zeros(n_out)  # in float64, for the mean PV of each outcome
    draws = np.empty((len(keys), n)) if keep_draws else None

    from tqdm import tqdm

    with tqdm(
        total=n, disable=not _show_progress(progress, n), desc="Monte Carlo", unit="sample", leave=False
    ) as bar:
        for start in range(0, n, chunk_size):
            stop = min(n, start + chunk_size)
            values = draws_of.next(stop - start, start)
            out = comp.run(draws=(keys, values))
            _check_output(out, start, analysis)
            m = stop - start
            for name, store in scalars.items():
                store[start:stop] = getattr(out, name)
            ti = out.total_inputs
            if inputs is None and (ti.strides[0] != 0 or constant_inputs not in (None, float(ti[0]))):
                inputs = np.full(n, np.nan if constant_inputs is None else constant_inputs)
            if inputs is None:
                constant_inputs = float(ti[0])
            else:
                inputs[start:stop] = ti
            pv_o = np.broadcast_to(out.present_value_by_outcome, (n_out, m))
            pv_by_outcome[:, start:stop] = pv_o
            pv_sum += pv_o.sum(axis=1)
            if draws is not None:
                draws[:, start:stop] = values
            bar.update(m)

    total_inputs = inputs if inputs is not None else np.broadcast_to(np.float64(constant_inputs), (n,))
    return Simulation(
        analysis,
        n=n,
        seed=seed,
        chunk_size=chunk_size,
        targets=targets,
        ratio=scalars["ratio"],
        present_value=scalars["present_value"],
        total_inputs=total_inputs,
        payback_months=scalars["payback_months"],
        present_value_by_outcome=pv_by_outcome,
        draws=None if draws is None else pd.DataFrame(draws.T, columns=keys, copy=False),
        base=draws_of.sampler.base,
        present_value_mean_by_outcome=pv_sum / n,
    )


_SCALARS = ("ratio", "present_value", "total_inputs", "net_present_value", "net_ratio", "payback_months")


_DERIVED = ("net_present_value", "net_ratio")


def _moments(x: np.ndarray, block: int = 1 << 20) -> dict[str, float]:
    """Mean and sample standard deviation (two passes, in blocks: little temporary memory)."""
    if x.size and x.min() == x.max():  # a constant (e.g. nothing uncertain): exactly, no rounding
        return {"mean": float(x[0]), "sd": 0.0 if x.size > 1 else math.nan}
    mean = float(np.mean(x))
    if x.size < 2:
        return {"mean": mean, "sd": math.nan}
    ss = 0.0
    for i in range(0, x.size, block):
        d = x[i : i + block] - mean
        ss += float(np.dot(d, d))
    return {"mean": mean, "sd": math.sqrt(ss / (x.size - 1))}


def _check_output(out: EngineOutput, offset: int, analysis: AnalysisLike) -> None:
    """SROIError for inputs that are not positive, or results that are not finite, in a sample."""
    ti = out.total_inputs
    bad = np.flatnonzero(~(ti > 0))
    if bad.size:
        i = int(bad[0])
        raise SROIError(
            f"the inputs total {float(ti[i]):g} {analysis.currency} in sample {offset + i}; the SROI ratio "
            "is undefined unless inputs total more than zero: give uncertain inputs a distribution above 0",
            "inputs",
        )
    pv_o = out.present_value_by_outcome
    if not np.isfinite(ti).all():
        i = int(np.flatnonzero(~np.isfinite(ti))[0])
        raise SROIError(
            f"the inputs overflow a float in sample {offset + i}; check their magnitudes", "inputs"
        )
    if not np.isfinite(out.present_value).all():
        finite = np.isfinite(pv_o)
        o = int(np.flatnonzero(~finite.all(axis=1))[0]) if not finite.all() else 0
        count = int((~np.isfinite(out.present_value)).sum())
        raise SROIError(
            f"the present value is not a finite number in {count} of samples {offset:,}.."
            f"{offset + out.present_value.size - 1:,} (quantity x conversions x proxy overflows a float); "
            "check the magnitudes and units, or narrow the distributions",
            f"outcomes[{o}]",
        )


class Simulation:
    """Monte Carlo result: per-sample totals and the summaries built on them.

    The stochastic counterpart of :class:`~sroi.result.Result`, with the same names; money is
    in the analysis currency :attr:`currency` (plain arrays, not pint quantities).

    Attributes
    ----------
    analysis : Analysis
    n : int
        Number of samples.
    seed : int, Generator or SeedSequence
        The seed given (a Generator has since advanced), or the fresh SeedSequence used when
        ``simulate`` was given None: ``simulate(analysis, n, seed=sim.seed)`` repeats the run.
    currency : str
    ratio, net_ratio : ndarray, shape (n,)
        SROI ratio and net ratio of each sample.
    present_value, total_inputs, net_present_value : ndarray, shape (n,) [currency]
    payback_months : ndarray, shape (n,) [month]
        Infinite where the annual impact is zero.
    present_value_by_outcome : DataFrame, shape (n, O), float32 [currency]
        Columns are the outcome labels (``stakeholder: outcome``).

    Notes
    -----
    Values period by period (the eligible cash of :meth:`eligible_cash_flows`, the
    :attr:`value_by_tier`) are not kept while simulating: the first call that needs them draws
    the same samples again (the random streams are stored) and computes them then, so a plain
    simulation costs no more than its totals.
    draws : DataFrame, shape (n, k), or None
        Drawn value of each uncertain estimate (columns: slot keys; units as in
        ``analysis.estimates()``; durations before rounding), when kept.
    targets : tuple of float
        Ratio targets of :meth:`summary` and the displays.
    """

    def __init__(
        self,
        analysis: AnalysisLike,
        *,
        n: int,
        seed: Seed,
        chunk_size: int,
        targets: tuple[float, ...],
        ratio: np.ndarray,
        present_value: np.ndarray,
        total_inputs: np.ndarray,
        payback_months: np.ndarray,
        present_value_by_outcome: np.ndarray,
        draws: pd.DataFrame | None,
        base: Sequence[int],
        present_value_mean_by_outcome: np.ndarray | None = None,
    ) -> None:
        self.analysis = analysis
        self.n = n
        self.seed = seed
        self.chunk_size = chunk_size
        self.targets = targets
        self.currency: str = analysis.currency
        self.ratio = ratio
        self.present_value = present_value
        self.total_inputs = total_inputs
        self.payback_months = payback_months
        labels = [o.label for o in analysis.outcomes]
        # stored outcome-major (O, n); shown as samples x outcomes
        self.present_value_by_outcome = pd.DataFrame(present_value_by_outcome.T, columns=labels, copy=False)
        self.present_value_by_outcome.attrs["currency"] = analysis.currency
        self.draws = draws
        self._base = tuple(base)
        self._pv_by_outcome = present_value_by_outcome
        self._pv_mean = (
            present_value_by_outcome.mean(axis=1, dtype=np.float64)
            if present_value_mean_by_outcome is None
            else present_value_mean_by_outcome
        )
        self._summaries: dict[tuple[float, ...], dict[str, dict[str, float]]] = {}

    @property
    def uncertain_estimates(self) -> tuple[int, int]:
        """(estimates with a distribution, all estimates) of the analysis simulated."""
        comp = self.analysis.compiled
        return len(comp.uncertain()), len(comp.estimates_used())

    def uncertainty_note(self) -> str:
        """What the spread of this simulation covers, in words: ``'no uncertainty specified'``
        when no estimate has a distribution (the draws are all the point value), else how many
        estimates of how many carry one (the others are held at their point values)."""
        k, m = self.uncertain_estimates
        if k == 0:
            return "no uncertainty specified: every estimate is a point value, so there is no interval"
        if k < m:
            return (
                f"{k} of {m} estimates carry a distribution; the other {m - k} are held at their point values"
            )
        return f"all {m} estimates carry a distribution"

    def headline(self, level: float = defaults.INTERVAL_LEVEL) -> str:
        """The ratio as a reader should see it first: the median with its interval and
        P(ratio > target), with the note of :meth:`uncertainty_note`; or, when nothing is
        uncertain, the point ratio and 'no uncertainty specified' (never a zero-width interval)."""
        k, _ = self.uncertain_estimates
        if k == 0:
            return f"SROI ratio {float(self.ratio[0]):.2f} : 1 ({self.uncertainty_note()})"
        lo, hi = self.interval(level)
        median = float(np.median(self.ratio))
        probs = ", ".join(f"P(ratio > {t:g}) = {self.probability_ratio_exceeds(t):.3f}" for t in self.targets)
        return (
            f"SROI ratio: median {median:.2f} : 1, {level:.0%} interval {lo:.2f} to {hi:.2f}, {probs} "
            f"({self.n:,} draws; {self.uncertainty_note()})"
        )

    @property
    def net_present_value(self) -> np.ndarray:
        """``present_value - total_inputs`` per sample [currency] (as the engine computes it)."""
        return self.present_value - self.total_inputs

    @property
    def net_ratio(self) -> np.ndarray:
        """``ratio - 1`` per sample (as the engine computes it)."""
        return self.ratio - 1.0

    # -- statistics -----------------------------------------------------------------------------
    def probability_ratio_exceeds(self, target: float = 1.0) -> float:
        """Share of samples whose SROI ratio is above ``target`` (default 1:1).

        Its Monte Carlo standard error is ``sqrt(p (1 - p) / n)``.
        """
        (t,) = check_targets((target,))
        return float(np.mean(self.ratio > t))

    def interval(self, level: float = defaults.INTERVAL_LEVEL, metric: str = "ratio") -> tuple[float, float]:
        """Equal-tailed interval holding ``level`` of the samples (default 80%: P10 to P90).

        Parameters
        ----------
        level : float in (0, 1)
        metric : {"ratio", "present_value", "net_present_value", "total_inputs", "net_ratio"}

        Returns
        -------
        (low, high) : tuple of float
        """
        level = check_level(level)
        allowed = ("ratio", "present_value", "net_present_value", "total_inputs", "net_ratio")
        if metric not in allowed:
            raise SROIError(f"expected one of {allowed}, got {metric!r}", "metric")
        lo, hi = np.quantile(getattr(self, metric), [(1 - level) / 2, (1 + level) / 2])
        return float(lo), float(hi)

    def summary(self, targets: Sequence[float] | None = None) -> pd.DataFrame:
        """Mean, standard deviation and percentiles of the ratio, PV and NPV.

        Parameters
        ----------
        targets : sequence of float, optional
            Ratio targets; each adds a column ``P(ratio > t)`` (filled on the ratio row).
            Default :attr:`targets`.

        Returns
        -------
        DataFrame
            Rows ``ratio``, ``present_value``, ``net_present_value``; columns ``mean``, ``sd``
            (n - 1 denominator), ``p5``, ``p10``, ``p50``, ``p90``, ``p95`` and the targets.
        """
        ts = self.targets if targets is None else check_targets(targets)
        df = pd.DataFrame.from_dict(self._summary_rows(ts), orient="index")
        df.attrs["currency"] = self.currency
        return df

    def _summary_rows(self, targets: tuple[float, ...]) -> dict[str, dict[str, float]]:
        if targets in self._summaries:
            return self._summaries[targets]
        rows = {}
        for name in _METRICS:
            x = getattr(self, name)
            row = _moments(x)
            q = np.quantile(x, _QUANTILES, overwrite_input=name in _DERIVED)  # derived: a fresh array
            row.update({f"p{round(p * 100)}": float(v) for p, v in zip(_QUANTILES, q, strict=True)})
            for t in targets:
                row[f"P(ratio > {t:g})"] = self.probability_ratio_exceeds(t) if name == "ratio" else math.nan
            rows[name] = row
        self._summaries[targets] = rows  # the arrays do not change: compute the quantiles once
        return rows

    def to_frame(self) -> pd.DataFrame:
        """One row per sample: the six totals, then the draws (when kept)."""
        df = pd.DataFrame({name: np.asarray(getattr(self, name)) for name in _SCALARS})
        if self.draws is not None:
            draws = self.draws.rename(columns=lambda c: f"draw:{c}" if c in _SCALARS else c)
            df = pd.concat([df, draws], axis=1)
        df.attrs["currency"] = self.currency
        return df

    @cached_property
    def _point(self) -> Result:
        return evaluate(self.analysis)

    def evaluate_point(self) -> Result:
        """The deterministic result at the point value of every estimate (``analysis.evaluate()``)."""
        return self._point

    # -- values period by period (computed on demand by drawing the same samples again) -----------
    @cached_property
    def _periods(self) -> tuple[np.ndarray | None, np.ndarray, int]:
        """(eligible cash (T, n) float32 or None, mean value by tier and period (4, T), T)."""
        a = self.analysis
        comp = a.compiled
        outcomes = a.outcomes
        eligible = np.array([is_eligible(o) for o in outcomes], dtype=bool)
        tiers = [tier_label(o) for o in outcomes]
        tier_of = np.array([[t == c for t in tiers] for c in TIER_COLUMNS], dtype=float)  # (4, O)
        _, t_max = comp.upper_periods()
        cash = np.zeros((t_max, self.n), dtype=np.float32) if eligible.any() else None
        tier_sum = np.zeros((len(TIER_COLUMNS), t_max))
        n_periods = 1
        draws_of = _Draws(a, None, base=self._base)
        for start in range(0, self.n, self.chunk_size):
            stop = min(self.n, start + self.chunk_size)
            values = draws_of.next(stop - start, start)
            periods = comp.by_period(draws=(draws_of.keys, values))
            t_c = periods.values.shape[0]
            n_periods = max(n_periods, t_c)
            v = np.broadcast_to(periods.values, (t_c, len(outcomes), stop - start))
            if cash is not None:
                cash[:t_c, start:stop] = v[:, eligible, :].sum(axis=1)
            tier_sum[:, :t_c] += tier_of @ v.sum(axis=2).T
        return (None if cash is None else cash[:n_periods]), tier_sum[:, :n_periods] / self.n, n_periods

    # -- cash-flow protocol used by sroi.finance (as Result's) ----------------------------------
    def eligible_cash_flows(self) -> np.ndarray:
        """Tier A plus contracted tier B value per sample and period 1..T, shape (n, T) [currency].

        Undiscounted, after every filter; stored as float32 (relative precision 6e-8). Computed
        on first use (see Notes).
        """
        cash, _, n_periods = self._periods
        if cash is None:
            return np.zeros((self.n, n_periods), dtype=np.float32)
        return cash.T

    @property
    def tenor_cap(self) -> int:
        """Last period with eligible cash in any sample (0 when there is none)."""
        cash = self._periods[0]
        if cash is None:
            return 0
        nz = np.flatnonzero(cash.max(axis=1) > 0)
        return int(nz[-1] + 1) if nz.size else 0

    def cash_flow_sources(self) -> pd.DataFrame:
        """One row per outcome: cash tier, contract status, payer, eligibility (as Result's)."""
        return cash_flow_sources(self.analysis.outcomes)

    @cached_property
    def value_by_tier(self) -> pd.DataFrame:
        """Mean undiscounted value per period by cash tier, and the mean PV of each tier.

        Same layout as ``Result.value_by_tier``: rows periods 1..T then ``present_value``;
        columns ``A``, ``B contracted``, ``B uncontracted``, ``C``.
        """
        _, tier_mean, n_periods = self._periods
        tiers = [tier_label(o) for o in self.analysis.outcomes]
        pv_mean = self._pv_mean
        idx = pd.RangeIndex(1, n_periods + 1, name="period")
        df = pd.DataFrame(tier_mean.T, index=idx, columns=list(TIER_COLUMNS))
        df.loc["present_value"] = [float(pv_mean[[x == t for x in tiers]].sum()) for t in TIER_COLUMNS]
        return df

    # -- display -----------------------------------------------------------------------------
    def _lines(self) -> list[tuple[str, str]]:
        cur = self.currency
        if self.uncertain_estimates[0] == 0:
            return [
                ("SROI ratio", f"{float(self.ratio[0]):,.2f}"),
                ("present value", f"{float(self.present_value[0]):,.0f} {cur}"),
                ("uncertainty", "no uncertainty specified (every estimate is a point value)"),
            ]
        table = self._summary_rows(self.targets)
        out = []
        for name, label, fmt in (
            ("ratio", "SROI ratio", "{:,.2f}"),
            ("present_value", "present value", "{:,.0f} " + cur),
            ("net_present_value", "net present value", "{:,.0f} " + cur),
        ):
            mid, lo, hi = (fmt.format(table[name][c]) for c in ("p50", "p10", "p90"))
            out.append((label, f"median {mid}, 80% interval {lo} to {hi}"))
        for t in self.targets:
            out.append((f"P(ratio > {t:g})", f"{table['ratio'][f'P(ratio > {t:g})']:.3f}"))
        out.append(("uncertainty", self.uncertainty_note()))
        return out

    def __repr__(self) -> str:
        head = f"SROI Monte Carlo: {self.analysis.name} ({self.n:,} samples)"
        return "\n".join([head, *(f"  {k:<18} {v}" for k, v in self._lines())])

    def _repr_html_(self) -> str:
        title = html.escape(f"SROI Monte Carlo: {self.analysis.name} ({self.n:,} samples)")
        if self.uncertain_estimates[0] == 0:
            return f"<div class='sroi-simulation'><h4>{title}</h4><p>{html.escape(self.headline())}</p></div>"
        table = self.summary().to_html(float_format=lambda x: f"{x:,.3g}", border=0, na_rep="")
        return (
            f"<div class='sroi-simulation'><h4>{title}</h4><p>{html.escape(self.headline())}</p>{table}"
            f"<p>{html.escape(self.currency)}</p></div>"
        )
