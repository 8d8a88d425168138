"""Benchmark: sroi's Monte Carlo against hand-written numpy (and squigglepy, if installed).

The model: 20 outcomes, each lasting 10 years, with distributions on quantity (triangular),
financial proxy (log-normal from a 90% interval), deadweight (triangular), attribution
(triangular) and drop-off (uniform): 100 uncertain estimates; one certain input; 3.5% end of
year discounting. Run from the repository root::

    .venv/bin/python benchmarks/bench_monte_carlo.py            # 1,000,000 samples
    .venv/bin/python benchmarks/bench_monte_carlo.py --n 200000

The numpy version re-implements the same model with the same uniforms (the draw scheme in the
Notes of :mod:`sroi.uncertainty`) and the same inverse CDFs, so the two results agree to
rounding (checked below to 1e-9). squigglepy samples with its own generator, so it is
compared on the mean and percentiles only; it is not a dependency of sroi (``pip install
squigglepy`` to include it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from typing import Any

import numpy as np

import sroi
from sroi.uncertainty import simulate

N_OUTCOMES, YEARS, RATE, INPUTS = 20, 10, 0.035, 2_000_000.0
FIELDS = ("quantity", "proxy", "deadweight", "attribution", "drop_off")


def distributions() -> list[dict[str, sroi.Distribution]]:
    """The uncertain estimates of each outcome (magnitudes: person, GBP/person, fractions)."""
    per_person = sroi.ureg("GBP/person").units
    out = []
    for i in range(N_OUTCOMES):
        out.append(
            {
                "quantity": sroi.Triangular(
                    50.0 + 5 * i, 100.0 + 5 * i, 180.0 + 5 * i, unit=sroi.ureg.person
                ),
                "proxy": sroi.LogNormal.from_interval(200.0 + 20 * i, 800.0 + 20 * i, unit=per_person),
                "deadweight": sroi.Triangular(0.05, 0.2, 0.5),
                "attribution": sroi.Triangular(0.1, 0.25, 0.5),
                "drop_off": sroi.Uniform(0.05, 0.3),
            }
        )
    return out


def build_analysis(dists: list[dict[str, sroi.Distribution]]) -> sroi.Analysis:
    outcomes = [
        sroi.Outcome(f"Group {i}", f"Outcome {i}", duration=YEARS, cash_tier="A" if i % 4 == 0 else "C", **d)
        for i, d in enumerate(dists)
    ]
    return sroi.Analysis(
        name="Benchmark: 20 outcomes x 10 years",
        currency="GBP",
        discount_rate=RATE,
        outcomes=outcomes,
        inputs=[sroi.Input("Funder", "Grant", f"{INPUTS} GBP")],
    )


def numpy_reference(
    dists: list[dict[str, sroi.Distribution]], n: int, seed: int, chunk: int = 10_000
) -> tuple[np.ndarray, np.ndarray]:
    """The same model in plain numpy: ratio and present value of every sample."""
    base = [int(x) for x in np.random.default_rng(seed).integers(0, 2**63, size=4)]

    def stream(key: str) -> np.random.Generator:
        kid = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
        return np.random.default_rng(np.random.SeedSequence(base, spawn_key=(kid,)))

    streams = {(i, f): stream(f"outcomes[{i}].{f}") for i in range(N_OUTCOMES) for f in FIELDS}
    years = np.arange(1, YEARS + 1)
    discount = (1.0 + RATE) ** -years.astype(float)  # end of year
    exponent = np.maximum(0, years - 1)  # drop-off from year 2
    ratio, pv = np.empty(n), np.empty(n)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        v = {f: np.empty((m, N_OUTCOMES)) for f in FIELDS}
        for (i, f), g in streams.items():
            v[f][:, i] = dists[i][f].ppf(np.maximum(g.random(m), 2.0**-54))
        impact = v["quantity"] * v["proxy"] * (1 - v["deadweight"]) * (1 - v["attribution"])
        annuity = ((1.0 - v["drop_off"])[..., None] ** exponent) @ discount  # sum_k (1-d)^e_k D_k
        pv[start : start + m] = (impact * annuity).sum(axis=1)
        ratio[start : start + m] = pv[start : start + m] / INPUTS
    return ratio, pv


def squigglepy_model(dists: list[dict[str, sroi.Distribution]], n: int, seed: int) -> np.ndarray | None:
    """The same model in squigglepy (each leaf used once, so no x*x double draws)."""
    try:
        import squigglepy as sq
    except ImportError:
        return None
    years = np.arange(1, YEARS + 1)
    discount = (1.0 + RATE) ** -years.astype(float)
    exponent = np.maximum(0, years - 1)

    def annuity(d: Any) -> Any:
        return ((1.0 - np.asarray(d))[..., None] ** exponent) @ discount

    total: Any = 0
    for d in dists:
        q, p, dw, at, do = (d[f] for f in FIELDS)
        assert isinstance(q, sroi.Triangular) and isinstance(dw, sroi.Triangular)
        assert isinstance(at, sroi.Triangular) and isinstance(do, sroi.Uniform)
        assert isinstance(p, sroi.LogNormal)
        lo, hi = p.quantile(0.05), p.quantile(0.95)
        term = (
            sq.triangular(q.low, q.mode, q.high)
            * sq.lognorm(lo, hi)
            * (1 - sq.triangular(dw.low, dw.mode, dw.high))
            * (1 - sq.triangular(at.low, at.mode, at.high))
            * sq.dist_fn(sq.uniform(do.low, do.high), fn=annuity)
        )
        total = term if isinstance(total, int) else total + term
    sq.set_seed(seed)
    return np.asarray(sq.sample(total / INPUTS, n=n, verbose=False))


def _timed(fn: Any, *args: Any, repeat: int = 1, **kwargs: Any) -> tuple[Any, float]:
    """Result of the last call and the best wall time of ``repeat`` calls [s]."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return out, best


def memory_check(analysis: sroi.Analysis, seed: int, n: int = 10_000_000) -> None:
    """Peak resident memory of a 10-million-sample run (without draws), with its summaries."""
    import resource

    sim, t = _timed(simulate, analysis, n, seed=seed, keep_draws=False)
    sim.summary()
    flows = sim.eligible_cash_flows()
    table = sim.value_by_tier
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux -> GiB
    print(f"{n:,} samples, keep_draws=False: {t:.1f} s, peak RSS {peak:.2f} GiB")
    print(
        f"  stored: per-outcome PV {sim.present_value_by_outcome.shape} float32, eligible cash "
        f"{flows.shape} {flows.dtype}, value_by_tier {table.shape}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="samples (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument(
        "--memory", action="store_true", help="only measure peak memory of 10,000,000 samples (about 30 s)"
    )
    args = parser.parse_args()
    os.environ.setdefault("SROI_NO_PROGRESS", "1")
    n, seed = args.n, args.seed

    dists = distributions()
    analysis = build_analysis(dists)
    if args.memory:
        memory_check(analysis, seed)
        return
    simulate(analysis, 1000, seed=0)  # warm up imports and caches

    sim, t_sroi = _timed(simulate, analysis, n, seed=seed, keep_draws=False, repeat=args.repeat)
    (ratio_np, pv_np), t_np = _timed(numpy_reference, dists, n, seed, repeat=args.repeat)
    _, t_sroi_draws = _timed(simulate, analysis, n, seed=seed)
    err = max(
        float(np.max(np.abs(sim.ratio - ratio_np) / np.abs(ratio_np))),
        float(np.max(np.abs(sim.present_value - pv_np) / np.abs(pv_np))),
    )

    print(
        f"Monte Carlo, {n:,} samples, 20 outcomes x 10 years, 100 uncertain estimates "
        f"(best of {args.repeat} runs; chunk size {sim.chunk_size:,})"
    )
    print(f"  sroi.simulate (keep_draws=False)   {t_sroi:8.2f} s")
    print(f"  sroi.simulate (keep_draws=True)    {t_sroi_draws:8.2f} s")
    print(f"  hand-written numpy                 {t_np:8.2f} s")
    print(f"  ratio sroi / numpy                 {t_sroi / t_np:8.2f} x   (target <= 1.5)")
    print(f"  max relative difference            {err:8.1e}     (must be <= 1e-9)")
    if err > 1e-9:
        raise SystemExit("sroi and the numpy reference disagree")
    print(
        f"  mean ratio {np.mean(sim.ratio):.4f}, P5 {np.quantile(sim.ratio, 0.05):.4f}, "
        f"P95 {np.quantile(sim.ratio, 0.95):.4f}"
    )

    sq_ratio, t_sq = _timed(squigglepy_model, dists, n, seed)
    if sq_ratio is None:
        print("  squigglepy: not installed, skipped (pip install squigglepy to compare)")
    else:
        se = np.std(sim.ratio) / np.sqrt(n)
        diff = (np.mean(sq_ratio) - np.mean(sim.ratio)) / (np.sqrt(2) * se)
        print(
            f"  squigglepy                         {t_sq:8.2f} s   ratio sroi / squigglepy "
            f"{t_sroi / t_sq:.2f} x"
        )
        print(
            f"  squigglepy mean ratio {np.mean(sq_ratio):.4f} ({diff:+.1f} standard errors from sroi), "
            f"P5 {np.quantile(sq_ratio, 0.05):.4f}, P95 {np.quantile(sq_ratio, 0.95):.4f}"
        )


if __name__ == "__main__":
    main()
