"""The benchmark model, and three ways to compute it that share no code with sroi's engine.

The model (sizes adjustable): ``O`` outcomes (20 by default), each lasting ``Y`` years (10),
five uncertain estimates per outcome (100 in all):

* quantity ~ triangular(50 + 5i, 100 + 5i, 180 + 5i) [person]
* proxy ~ log-normal whose P5 and P95 are 200 + 20i and 800 + 20i [GBP / person / year]
* deadweight ~ triangular(0.05, 0.2, 0.5); attribution ~ triangular(0.1, 0.25, 0.5)
* drop-off ~ uniform(0.05, 0.3), applied from year 2
* no displacement; start in period 1; one certain input of 100,000 GBP per outcome in period
  0; 3.5% discount rate, end of year.

What is here:

* :func:`build_analysis`: the model as an ``sroi.Analysis``;
* :func:`numpy_closed_form`: an independent Monte Carlo written from docs/method.md §3 and §6.1
  with numpy's own samplers (``Generator.triangular``, ``.lognormal``, ``.uniform``) and the
  closed-form annuity sum for the present value with drop-off (no year loop);
* :func:`squigglepy_model`: squigglepy's fastest correct form (every uncertain quantity is one
  leaf drawn once; drop-off enters through one ``dist_fn``, so nothing is drawn twice);
* :func:`pure_python_ratio`: a deterministic evaluator, a plain loop over outcomes and years
  at the central values (mode, median, midpoint) of docs/method.md §6.1.

None of these imports anything from sroi except :func:`build_analysis`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

RATE = 0.035
Z95 = 1.6448536269514722  # standard normal P95 (method.md §6.1 rounds it to 1.6449)
INPUT_PER_OUTCOME = 100_000.0


@dataclass(frozen=True)
class Spec:
    """Parameters of the benchmark model as plain numbers, one entry per outcome."""

    n_outcomes: int = 20
    years: int = 10

    def column(self, a: float, b: float) -> np.ndarray:
        return a + b * np.arange(self.n_outcomes, dtype=float)

    @property
    def quantity(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.column(50, 5), self.column(100, 5), self.column(180, 5)

    @property
    def proxy_interval(self) -> tuple[np.ndarray, np.ndarray]:
        return self.column(200, 20), self.column(800, 20)

    deadweight = (0.05, 0.2, 0.5)
    attribution = (0.1, 0.25, 0.5)
    drop_off = (0.05, 0.3)

    @property
    def inputs(self) -> float:
        return INPUT_PER_OUTCOME * self.n_outcomes


def build_analysis(spec: Spec) -> Any:
    """The model as an ``sroi.Analysis`` (imports sroi)."""
    import sroi

    per_person = sroi.ureg("GBP/person").units
    q_lo, q_mode, q_hi = spec.quantity
    p_lo, p_hi = spec.proxy_interval
    outcomes = [
        sroi.Outcome(
            f"Group {i}",
            f"Outcome {i}",
            quantity=sroi.Triangular(q_lo[i], q_mode[i], q_hi[i], unit=sroi.ureg.person),
            proxy=sroi.LogNormal.from_interval(p_lo[i], p_hi[i], unit=per_person),
            deadweight=sroi.Triangular(*spec.deadweight),
            attribution=sroi.Triangular(*spec.attribution),
            drop_off=sroi.Uniform(*spec.drop_off),
            duration=spec.years,
            cash_tier="A" if i % 4 == 0 else "C",
        )
        for i in range(spec.n_outcomes)
    ]
    return sroi.Analysis(
        name=f"Benchmark: {spec.n_outcomes} outcomes x {spec.years} years",
        currency="GBP",
        discount_rate=RATE,
        outcomes=outcomes,
        inputs=[sroi.Input("Funder", "Grant", f"{spec.inputs} GBP")],
    )


def annuity(drop_off: np.ndarray, years: int, rate: float = RATE) -> np.ndarray:
    """sum_{k=1..years} (1 - d)^(k - 1) (1 + r)^-k, in closed form (method.md §3.2, §3.4-3.5).

    With v = 1 / (1 + r) and x = (1 - d) v: v (1 - x^Y) / (1 - x); Y v when x = 1.
    """
    v = 1.0 / (1.0 + rate)
    x = (1.0 - drop_off) * v
    with np.errstate(divide="ignore", invalid="ignore"):
        out = v * (1.0 - x**years) / (1.0 - x)
    return np.where(x == 1.0, years * v, out)


def numpy_closed_form(
    spec: Spec, n: int, seed: int, chunk_elements: int = 1 << 16
) -> tuple[np.ndarray, np.ndarray]:
    """Ratio and present value of ``n`` Monte Carlo samples, in plain numpy.

    Written from the method, not from sroi: numpy's own samplers, one (chunk, O) array per
    estimate, the closed-form annuity. Chunked to about ``chunk_elements`` values per array
    (512 KB), the fastest size measured on the benchmark machine at 20 outcomes (2^14-2^18
    are within 15%, at 20 and at 2,000 outcomes; 2^22 is 1.7x slower).
    """
    chunk = max(16, chunk_elements // spec.n_outcomes)
    rng = np.random.default_rng(seed)
    q_lo, q_mode, q_hi = spec.quantity
    p_lo, p_hi = spec.proxy_interval
    log_median = 0.5 * (np.log(p_lo) + np.log(p_hi))
    log_gsd = (np.log(p_hi) - np.log(p_lo)) / (2 * Z95)
    o = spec.n_outcomes
    ratio, pv = np.empty(n), np.empty(n)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        shape = (m, o)
        quantity = rng.triangular(q_lo, q_mode, q_hi, size=shape)
        proxy = rng.lognormal(log_median, log_gsd, size=shape)
        deadweight = rng.triangular(*spec.deadweight, size=shape)
        attribution = rng.triangular(*spec.attribution, size=shape)
        drop_off = rng.uniform(*spec.drop_off, size=shape)
        impact = quantity * proxy * (1.0 - deadweight) * (1.0 - attribution)
        total = (impact * annuity(drop_off, spec.years)).sum(axis=1)
        pv[start : start + m] = total
        ratio[start : start + m] = total / spec.inputs
    return ratio, pv


def squigglepy_model(spec: Spec, n: int, seed: int) -> np.ndarray:
    """Ratio of ``n`` samples with squigglepy (``pip install -e '.[bench]'``).

    Each uncertain quantity is one squigglepy leaf used once, so each is drawn once per
    sample (squigglepy draws every occurrence of a distribution object separately: ``x - x``
    is not 0 there). The drop-off enters through one ``dist_fn`` applying the closed-form
    annuity to its draws, and the 20 outcome terms are summed as one expression tree.
    """
    import squigglepy as sq

    q_lo, q_mode, q_hi = spec.quantity
    p_lo, p_hi = spec.proxy_interval
    years = spec.years

    def present_value_factor(d: Any) -> Any:
        return annuity(np.asarray(d), years)

    total: Any = None
    for i in range(spec.n_outcomes):
        term = (
            sq.triangular(q_lo[i], q_mode[i], q_hi[i])
            * sq.lognorm(p_lo[i], p_hi[i])  # a 90% interval: P5 and P95
            * (1 - sq.triangular(*spec.deadweight))
            * (1 - sq.triangular(*spec.attribution))
            * sq.dist_fn(sq.uniform(*spec.drop_off), fn=present_value_factor)
        )
        total = term if total is None else total + term
    sq.set_seed(seed)
    return np.asarray(sq.sample(total / spec.inputs, n=n, verbose=False))


def pure_python_ratio(spec: Spec) -> float:
    """The ratio at the central values, by a plain loop over outcomes and years (method.md §3)."""
    q_mode = spec.quantity[1]
    p_lo, p_hi = spec.proxy_interval
    deadweight, attribution = spec.deadweight[1], spec.attribution[1]  # modes
    drop_off = 0.5 * (spec.drop_off[0] + spec.drop_off[1])  # midpoint
    present_value = 0.0
    for i in range(spec.n_outcomes):
        quantity = float(q_mode[i])
        proxy = math.sqrt(float(p_lo[i]) * float(p_hi[i]))  # median of the log-normal
        impact = quantity * proxy * (1.0 - deadweight) * (1.0 - 0.0) * (1.0 - attribution)
        for k in range(1, spec.years + 1):
            value = impact * (1.0 - drop_off) ** max(0, k - 2 + 1)
            present_value += value * (1.0 + RATE) ** -k  # start 1: period k, end of year
    return present_value / spec.inputs
