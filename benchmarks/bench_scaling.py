"""Scaling: sroi.simulate against the independent numpy version over years, outcomes and draws.

Three sweeps of the benchmark model (benchmarks/model.py), each point timed in CPU seconds,
sroi and numpy interleaved, min / median / max of ``--repeat`` runs, and the ratio of minima:

* years 1, 10, 100 (20 outcomes, ``--n`` draws): the present value is a closed form in sroi
  and in numpy, so the cost should not grow with the years;
* outcomes 1, 20, 200, 2,000 (10 years), draws = ``--elements`` / outcomes (at most ``--n``),
  so every point draws about the same number of values;
* draws 10^4, 10^5, 10^6 (10^7 with ``--large``) of the 20 x 10 model.

After the timed runs, one more run of each point measures the peak memory that numpy arrays
and Python objects take during the run (``tracemalloc``; the interpreter and imported
libraries are not counted), for sroi and numpy alike.

    .venv/bin/python benchmarks/bench_scaling.py
    .venv/bin/python benchmarks/bench_scaling.py --large     # adds 10^7 draws and larger sweeps
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from model import Spec, build_analysis, numpy_closed_form


def traced_peak(fn: Callable[[], Any]) -> float:
    """Peak traced memory of one call [MiB] (numpy arrays and Python objects)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def point(spec: Spec, n: int, repeat: int, seed: int, memory: bool = True) -> list[str]:
    """One row: size, sroi and numpy times, their ratio, and peak memory of each."""
    import sroi

    analysis = build_analysis(spec)
    sroi.simulate(analysis, min(n, 2000), seed=0, keep_draws=False)
    methods = {
        "sroi": lambda: sroi.simulate(analysis, n, seed=seed, keep_draws=False),
        "numpy": lambda: numpy_closed_form(spec, n, seed + 1),
    }
    t = harness.interleaved(methods, repeat, keep=False)
    r_min, r_med = harness.ratio(t["sroi"], t["numpy"])
    mem = [f"{traced_peak(m):,.0f}" for m in methods.values()] if memory else ["", ""]
    per = 1e9 / (n * spec.n_outcomes * 5)  # nanoseconds per drawn value
    return [
        f"{spec.n_outcomes}",
        f"{spec.years}",
        f"{n:,}",
        f"{t['sroi'].min:.3f} / {t['sroi'].median:.3f} / {t['sroi'].max:.3f}",
        f"{t['numpy'].min:.3f} / {t['numpy'].median:.3f} / {t['numpy'].max:.3f}",
        f"{t['sroi'].min * per:.1f} / {t['numpy'].min * per:.1f}",
        f"{r_min:.2f} ({r_med:.2f})",
        *mem,
    ]


HEADER = [
    "outcomes",
    "years",
    "draws",
    "sroi s (min/med/max)",
    "numpy s (min/med/max)",
    "ns/value sroi/numpy",
    "sroi/numpy",
    "sroi MiB",
    "numpy MiB",
]


def main(argv: list[str] | None = None) -> list[list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="draws for the years sweep (default 200,000)")
    parser.add_argument(
        "--elements", type=float, default=4e6, help="draws x outcomes in the outcomes sweep (default 4e6)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--large", action="store_true", help="add 10^7 draws; 5x larger outcome sweep")
    parser.add_argument(
        "--draws", type=str, default="1e4,1e5,1e6", help="comma-separated draw counts of the draws sweep"
    )
    parser.add_argument("--only", choices=["years", "outcomes", "draws"], action="append")
    args = parser.parse_args(argv)
    only = set(args.only or ["years", "outcomes", "draws"])
    elements = args.elements * (5 if args.large else 1)
    draws = [int(float(x)) for x in args.draws.split(",") if x]
    if args.large and 10_000_000 not in draws:
        draws.append(10_000_000)
    print(harness.machine())
    summary = []
    if "years" in only:
        rows = [point(Spec(20, y), args.n, args.repeat, args.seed) for y in (1, 10, 100)]
        print(f"\nyears sweep: 20 outcomes, {args.n:,} draws, {args.repeat} repetitions, CPU seconds")
        print(harness.table(rows, HEADER))
        summary.append(
            ["simulate / numpy at 100 years", f"{args.n:,} draws", rows[-1][6].split()[0] + "x", "<= 1.25x"]
        )
        summary.append(
            [
                "simulate 100 years / 1 year",
                f"{args.n:,} draws",
                f"{float(rows[-1][3].split()[0]) / float(rows[0][3].split()[0]):.2f}x",
                "flat (about 1x)",
            ]
        )
    if "outcomes" in only:
        sizes = [(o, int(min(args.n if o > 1 else 5 * args.n, elements / o))) for o in (1, 20, 200, 2000)]
        rows = [point(Spec(o, 10), n, args.repeat, args.seed) for o, n in sizes]
        print(f"\noutcomes sweep: 10 years, draws x outcomes = {elements:.0e}, {args.repeat} repetitions")
        print(harness.table(rows, HEADER))
        summary.append(
            [
                "simulate / numpy at 2,000 outcomes",
                f"{sizes[-1][1]:,} draws",
                rows[-1][6].split()[0] + "x",
                "<= 2x",
            ]
        )
    if "draws" in only:
        rows = []
        for n in draws:
            reps = args.repeat if n < 10_000_000 else max(1, min(args.repeat, 3))
            rows.append(point(Spec(20, 10), n, reps, args.seed, memory=n < 10_000_000))
        print(
            f"\ndraws sweep: 20 outcomes x 10 years, {args.repeat} repetitions (3 at 10^7; memory: bench_memory.py)"
        )
        print(harness.table(rows, HEADER))
        for row in rows:
            summary.append(
                [f"simulate / numpy at {row[2]} draws", "20 x 10", row[6].split()[0] + "x", "<= 1.25x"]
            )
    return summary


if __name__ == "__main__":
    rows = main()
    print("\n" + harness.table(rows, ["measure", "size", "measured", "target"]))
