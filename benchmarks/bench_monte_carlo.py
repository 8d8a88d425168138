"""Monte Carlo: sroi.simulate against an independent numpy version and squigglepy.

Three implementations of the benchmark model (benchmarks/model.py: 20 outcomes x 10 years,
100 uncertain estimates) run in one process, interleaved, timed in CPU seconds:

* ``sroi``: ``sroi.simulate(analysis, n, seed, keep_draws=False)`` (per-sample ratio, PV,
  payback and per-outcome PV kept, as a user gets them);
* ``numpy``: :func:`model.numpy_closed_form`, written from docs/method.md with numpy's own
  samplers and closed-form annuity sums (it shares no code and no random numbers with sroi);
* ``squigglepy``: :func:`model.squigglepy_model`, squigglepy's fastest correct form (if
  installed: ``make bench`` installs the ``bench`` extra).

The three draw differently, so they are checked statistically: the mean, P10 and P90 of the
ratio must agree within 4 Monte Carlo standard errors. Then the Elderly Mode model
(datasets/elderly_mode) is timed per draw against the benchmark model. Run from the
repository root::

    .venv/bin/python benchmarks/bench_monte_carlo.py                 # 1,000,000 draws, 5 repetitions
    .venv/bin/python benchmarks/bench_monte_carlo.py --n 100000 --repeat 7
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import numpy as np
from model import Spec, build_analysis, numpy_closed_form, squigglepy_model

#: Agreement threshold, in Monte Carlo standard errors of the difference.
Z_AGREE = 4.0


def standard_errors(x: np.ndarray) -> dict[str, tuple[float, float]]:
    """(estimate, standard error) of the mean, P10 and P90 of a sample.

    The quantile's error is sqrt(p (1 - p) / n) / f(q_p), the density f estimated from the
    sample's own quantiles at p +- 0.01.
    """
    n = x.size
    out = {"mean": (float(np.mean(x)), float(np.std(x, ddof=1) / math.sqrt(n)))}
    for p in (0.10, 0.90):
        lo, q, hi = np.quantile(x, [p - 0.01, p, p + 0.01])
        density = 0.02 / (hi - lo)
        out[f"p{round(100 * p)}"] = (float(q), math.sqrt(p * (1 - p) / n) / density)
    return out


def agreement(samples: dict[str, np.ndarray], reference: str = "numpy") -> list[list[str]]:
    """Rows: statistic, each method's value, largest |difference| / its standard error."""
    stats = {name: standard_errors(x) for name, x in samples.items()}
    rows = []
    for stat in ("mean", "p10", "p90"):
        ref, ref_se = stats[reference][stat]
        worst = 0.0
        for name in samples:
            if name != reference:
                value, se = stats[name][stat]
                worst = max(worst, abs(value - ref) / math.hypot(se, ref_se))
        rows.append([stat, *(f"{stats[name][stat][0]:.4f}" for name in samples), f"{worst:.1f}"])
    return rows


def compare(n: int, repeat: int, seed: int) -> tuple[list[list[str]], bool]:
    """The three-way comparison; returns the summary rows and whether they agree."""
    import sroi

    spec = Spec()
    analysis = build_analysis(spec)
    sroi.simulate(analysis, 2000, seed=0, keep_draws=False)  # imports, caches, beta tables
    numpy_closed_form(spec, 2000, 0)
    methods = {
        "sroi": lambda: sroi.simulate(analysis, n, seed=seed, keep_draws=False).ratio,
        "numpy": lambda: numpy_closed_form(spec, n, seed + 1)[0],
    }
    try:
        import squigglepy  # noqa: F401

        squigglepy_model(spec, 2000, 0)
        methods["squigglepy"] = lambda: squigglepy_model(spec, n, seed + 2)
    except ImportError:
        print("squigglepy is not installed: skipped (make bench installs the bench extra)")
    times = harness.interleaved(methods, repeat)
    print(
        f"\nMonte Carlo of the benchmark model ({spec.n_outcomes} outcomes x {spec.years} years, "
        f"{5 * spec.n_outcomes} uncertain estimates), {n:,} draws, CPU seconds over {repeat} "
        "interleaved repetitions"
    )
    rows = []
    for name, t in times.items():
        r_min, r_med = harness.ratio(t, times["numpy"])
        rows.append([name, *t.text().split(), f"{r_min:.2f} ({r_med:.2f})"])
    print(harness.table(rows, ["method", "min", "median", "max", "/ numpy: min (median of pairs)"]))
    samples = {name: np.asarray(t.result) for name, t in times.items()}
    agree_rows = agreement(samples)
    ok = all(float(r[-1]) <= Z_AGREE for r in agree_rows)
    print(
        f"\nratio statistics (last run of each); agreement: largest |difference| / standard error <= {Z_AGREE}"
    )
    print(harness.table(agree_rows, ["statistic", *samples, "|diff| / se"]))
    print("agree: " + ("yes" if ok else "NO"))
    summary = [
        [
            "simulate / numpy",
            f"{n:,} draws",
            f"{harness.ratio(times['sroi'], times['numpy'])[0]:.2f}x",
            "<= 1.25x",
        ]
    ]
    if "squigglepy" in times:
        summary.append(
            [
                "squigglepy / numpy",
                f"{n:,} draws",
                f"{harness.ratio(times['squigglepy'], times['numpy'])[0]:.2f}x",
                "(reference)",
            ]
        )
        summary.append(
            [
                "simulate / squigglepy",
                f"{n:,} draws",
                f"{harness.ratio(times['sroi'], times['squigglepy'])[0]:.2f}x",
                "< 1 (faster)",
            ]
        )
    summary.append(["three agree (mean, P10, P90)", "", "yes" if ok else "NO", f"within {Z_AGREE:g} se"])
    return summary, ok


def elderly_mode(n: int, repeat: int, seed: int) -> list[list[str]]:
    """CPU time per draw of the Elderly Mode model against the benchmark model."""
    import sroi

    elderly = sroi.load(Path(harness.ROOT, "datasets", "elderly_mode", "elderly_mode.yaml"))
    bench = build_analysis(Spec())
    for a in (elderly, bench):
        sroi.simulate(a, 2000, seed=0, keep_draws=False)
    times = harness.interleaved(
        {
            "Elderly Mode": lambda: sroi.simulate(elderly, n, seed=seed, keep_draws=False),
            "benchmark model": lambda: sroi.simulate(bench, n, seed=seed, keep_draws=False),
        },
        repeat,
        keep=False,
    )
    k = len(elderly.compiled.uncertain())
    print(
        f"\nsimulate, {n:,} draws: Elderly Mode ({len(elderly.outcomes)} outcomes, {k} uncertain "
        f"estimates, {sum(type(s.distribution).__name__ == 'Pert' for s in elderly.compiled.uncertain())} "
        "of them PERT, 2 rank correlations) against the benchmark model; microseconds per draw"
    )
    rows = [[name, *(f"{1e6 * s / n:.2f}" for s in (t.min, t.median, t.max))] for name, t in times.items()]
    print(harness.table(rows, ["model", "min", "median", "max"]))
    r = harness.ratio(times["Elderly Mode"], times["benchmark model"])[0]
    return [["Elderly Mode / benchmark, per draw", f"{n:,} draws", f"{r:.2f}x", "<= 1x"]]


def main(argv: list[str] | None = None) -> list[list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="draws (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--elderly-n", type=int, default=200_000, help="draws of the Elderly Mode test")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    print(harness.machine())
    summary, ok = compare(args.n, args.repeat, args.seed)
    summary += elderly_mode(args.elderly_n, args.repeat, args.seed)
    if not ok:
        print("the three implementations disagree beyond Monte Carlo error", file=sys.stderr)
    return summary


if __name__ == "__main__":
    rows = main()
    print("\n" + harness.table(rows, ["measure", "size", "measured", "target"]))
