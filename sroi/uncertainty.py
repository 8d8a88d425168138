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
from sroi.result import cash_flow_sources, evaluate, is_eligible, tier_label
from sroi.sampling import Sampler, Seed
from sroi.validation import check_level, check_targets, check_whole_number

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike
    from sroi.distributions import Distribution
    from sroi.result import Result

__all__ = ["Simulation", "simulate"]

_CHUNK_BYTES = 12 * 2**20  # largest engine array of a chunk (S x O x K float64), < glibc's mmap threshold
_QUANTILES = (0.05, 0.10, 0.50, 0.90, 0.95)
_METRICS = ("ratio", "present_value", "net_present_value")
#: Largest n x k of draws kept by default (400 MB of float64).
_KEEP_DRAWS_UP_TO = 50_000_000


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
        Samples evaluated at a time; default: the largest engine array of a chunk (samples x
        outcomes x years, float64) is about 12 MB. Results do not depend on it.
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
    1.7 GiB resident (benchmarks/README.md).

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
    sampler = Sampler(comp.slots, seed, analysis.active_correlations)
    keys = sampler.keys
    dists = [cast("Distribution", comp.slots[k].distribution) for k in keys]
    k_max, t_max = comp.upper_periods()
    outcomes = analysis.outcomes
    n_out = len(outcomes)
    if chunk_size is None:
        widest = 8 * max(n_out * max(k_max, t_max), len(keys), len(comp.inputs), 1)  # bytes per sample
        chunk_size = int(np.clip(_CHUNK_BYTES // widest, 256, 1 << 18))
    eligible = np.array([is_eligible(o) for o in outcomes], dtype=bool)
    tiers = [tier_label(o) for o in outcomes]
    tier_of = np.array([[t == c for t in tiers] for c in TIER_COLUMNS], dtype=float)  # (4, O) 0/1

    scalars = {name: np.empty(n) for name in _STORED}
    constant_inputs: float | None = None
    inputs_vary = False
    pv_by_outcome = np.empty((n, n_out), dtype=np.float32)
    cash = np.zeros((t_max, n), dtype=np.float32) if eligible.any() else None  # period-major
    if keep_draws is None:
        keep_draws = n * len(keys) <= _KEEP_DRAWS_UP_TO
    draws = np.empty((len(keys), n)) if keep_draws else None
    tier_sum = np.zeros((len(TIER_COLUMNS), t_max))
    tier_pv = np.zeros(len(TIER_COLUMNS))
    n_periods = 1

    from tqdm import tqdm

    with tqdm(
        total=n, disable=not _show_progress(progress, n), desc="Monte Carlo", unit="sample", leave=False
    ) as bar:
        for start in range(0, n, chunk_size):
            stop = min(n, start + chunk_size)
            u = sampler.uniforms(stop - start)
            values = {key: dist.ppf(row) for key, dist, row in zip(keys, dists, u, strict=True)}
            out = comp.run(values, per_period=True)
            _check_inputs(out.total_inputs, start, analysis.currency)
            for name in _STORED:
                if name == "total_inputs" and not inputs_vary:
                    ti = out.total_inputs
                    if ti.strides[0] == 0 and constant_inputs in (None, float(ti[0])):
                        constant_inputs = float(ti[0])
                        continue
                    inputs_vary = True
                    if start:
                        scalars[name][:start] = constant_inputs
                scalars[name][start:stop] = getattr(out, name)
            m = stop - start  # a model without uncertain estimates comes back with one sample
            pv_o = np.broadcast_to(out.present_value_by_outcome, (m, n_out))
            pv_by_outcome[start:stop] = pv_o
            assert out.period_values is not None
            pv_t = np.broadcast_to(out.period_values, (m, *out.period_values.shape[1:]))
            t_c = pv_t.shape[-1]
            n_periods = max(n_periods, t_c)
            if cash is not None:
                cash[:t_c, start:stop] = pv_t[:, eligible, :].sum(axis=1).T
            tier_sum[:, :t_c] += tier_of @ pv_t.sum(axis=0)
            tier_pv += tier_of @ pv_o.sum(axis=0)
            if draws is not None:
                for row, key in zip(draws, keys, strict=True):
                    row[start:stop] = values[key]
            bar.update(stop - start)

    total_inputs = (
        scalars["total_inputs"] if inputs_vary else np.broadcast_to(np.float64(constant_inputs), (n,))
    )
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
        cash=None if cash is None else cash[:n_periods],
        n_periods=n_periods,
        tier_mean=tier_sum[:, :n_periods] / n,
        tier_pv_mean=tier_pv / n,
        draws=None if draws is None else pd.DataFrame(draws.T, columns=keys, copy=False),
    )


_SCALARS = ("ratio", "present_value", "total_inputs", "net_present_value", "net_ratio", "payback_months")
_STORED = ("ratio", "present_value", "total_inputs", "payback_months")  # the others follow exactly


_DERIVED = ("net_present_value", "net_ratio")


def _moments(x: np.ndarray, block: int = 1 << 20) -> dict[str, float]:
    """Mean and sample standard deviation (two passes, in blocks: little temporary memory)."""
    mean = float(np.mean(x))
    if x.size < 2:
        return {"mean": mean, "sd": math.nan}
    ss = 0.0
    for i in range(0, x.size, block):
        d = x[i : i + block] - mean
        ss += float(np.dot(d, d))
    return {"mean": mean, "sd": math.sqrt(ss / (x.size - 1))}


def _check_inputs(total_inputs: np.ndarray, offset: int, currency: str) -> None:
    bad = np.flatnonzero(~(total_inputs > 0))
    if bad.size:
        i = int(bad[0])
        raise SROIError(
            f"the inputs total {float(total_inputs[i]):g} {currency} in sample {offset + i}; the SROI ratio "
            "is undefined unless inputs total more than zero: give uncertain inputs a distribution above 0",
            "inputs",
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
        cash: np.ndarray | None,
        n_periods: int,
        tier_mean: np.ndarray,
        tier_pv_mean: np.ndarray,
        draws: pd.DataFrame | None,
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
        self.present_value_by_outcome = pd.DataFrame(present_value_by_outcome, columns=labels, copy=False)
        self.present_value_by_outcome.attrs["currency"] = analysis.currency
        self.draws = draws
        self._cash = cash
        self._n_periods = n_periods
        self._tier_mean = tier_mean
        self._tier_pv_mean = tier_pv_mean
        self._summaries: dict[tuple[float, ...], dict[str, dict[str, float]]] = {}

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

    # -- cash-flow protocol used by sroi.finance (as Result's) ----------------------------------
    def eligible_cash_flows(self) -> np.ndarray:
        """Tier A plus contracted tier B value per sample and period 1..T, shape (n, T) [currency].

        Undiscounted, after every filter; stored as float32 (relative precision 6e-8).
        """
        if self._cash is None:
            return np.zeros((self.n, self._n_periods), dtype=np.float32)
        return self._cash.T

    @property
    def tenor_cap(self) -> int:
        """Last period with eligible cash in any sample (0 when there is none)."""
        if self._cash is None:
            return 0
        nz = np.flatnonzero(self._cash.max(axis=1) > 0)
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
        idx = pd.RangeIndex(1, self._n_periods + 1, name="period")
        df = pd.DataFrame(self._tier_mean.T, index=idx, columns=list(TIER_COLUMNS))
        df.loc["present_value"] = self._tier_pv_mean
        return df

    # -- display -----------------------------------------------------------------------------
    def _lines(self) -> list[tuple[str, str]]:
        cur = self.currency
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
        return out

    def __repr__(self) -> str:
        head = f"SROI Monte Carlo: {self.analysis.name} ({self.n:,} samples)"
        return "\n".join([head, *(f"  {k:<18} {v}" for k, v in self._lines())])

    def _repr_html_(self) -> str:
        title = html.escape(f"SROI Monte Carlo: {self.analysis.name} ({self.n:,} samples)")
        table = self.summary().to_html(float_format=lambda x: f"{x:,.3g}", border=0, na_rep="")
        return (
            f"<div class='sroi-simulation'><h4>{title}</h4>{table}<p>{html.escape(self.currency)}</p></div>"
        )
