"""Sensitivity speed on the benchmark model (100 uncertain estimates): EVPPI, Sobol, delta.

* EVPPI of every estimate (``voi.evppi``, default settings) against the ``simulate`` call that
  produced the draws, CPU seconds, min over repetitions;
* Sobol indices (``sobol``, N = 1024: 104,448 engine evaluations), with the time of the
  Saltelli design alone against SALib's ``sample.sobol`` for the same points;
* delta indices (``delta_indices``, default settings: at most 5,000 draws per estimate, 100
  bootstrap resamples) per estimate, on a few estimates of a 20,000-draw simulation;
* ``two_way`` on a 101 x 101 grid and the default ``scenarios``.

    .venv/bin/python benchmarks/bench_sensitivity.py
    .venv/bin/python benchmarks/bench_sensitivity.py --n 100000 --delta-keys 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import numpy as np
from model import Spec, build_analysis


def main(argv: list[str] | None = None) -> list[list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="Monte Carlo draws for EVPPI (default 10,000)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--delta-keys", type=int, default=3, help="estimates timed for delta indices")
    args = parser.parse_args(argv)
    import sroi
    from sroi import global_sensitivity, voi

    print(harness.machine())
    a = build_analysis(Spec())
    sroi.simulate(a, 1000, seed=0)
    times = harness.interleaved(
        {"simulate": lambda: sroi.simulate(a, args.n, seed=1, keep_draws=True)}, args.repeat
    )
    sim = times["simulate"].result
    target = float(np.median(sim.ratio))  # a target the decision is uncertain about
    evppi = harness.interleaved({"evppi": lambda: voi.evppi(sim, target=target)}, args.repeat, keep=False)
    ratio = evppi["evppi"].min / times["simulate"].min
    print(
        f"\nEVPPI of each of {sim.draws.shape[1]} estimates from {args.n:,} draws (target ratio {target:.3f}), "
        f"CPU seconds, {args.repeat} runs"
    )
    rows = [[name, *t.text().split()] for name, t in {**times, **evppi}.items()]
    print(harness.table(rows, ["", "min", "median", "max"]))

    global_sensitivity.sobol(a, n=64, seed=1)
    t_sobol = harness.interleaved(
        {"sobol": lambda: global_sensitivity.sobol(a, n=1024, seed=1)}, 3, keep=False
    )

    def salib_design() -> np.ndarray:
        from SALib.sample import sobol as sobol_sample

        d = len(a.compiled.uncertain())
        problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
        return sobol_sample.sample(problem, 1024, calc_second_order=False, seed=np.random.default_rng(1))

    def our_design() -> np.ndarray:
        from scipy.stats import qmc

        d = len(a.compiled.uncertain())
        base = qmc.Sobol(d=2 * d, scramble=True, rng=np.random.default_rng(1)).random(1024)
        return global_sensitivity._saltelli_design(base, False)

    designs = harness.interleaved({"SALib sample.sobol": salib_design, "sroi's design": our_design}, 3)
    assert np.array_equal(designs["SALib sample.sobol"].result, designs["sroi's design"].result)
    print("\nSobol, N = 1024, 100 estimates (104,448 evaluations), CPU seconds")
    rows = [[name, *t.text().split()] for name, t in {**t_sobol, **designs}.items()]
    print(harness.table(rows, ["", "min", "median", "max"]))

    big = sroi.simulate(a, 20_000, seed=2, keep_draws=True)
    keys = list(big.draws.columns[: args.delta_keys])
    t0 = time.process_time()
    res = global_sensitivity.delta_indices(big.draws[keys], big.ratio, seed=1)
    per_key = (time.process_time() - t0) / len(keys)
    print(
        f"\ndelta indices, default settings ({res.attrs['n_used']:,} of 20,000 draws, 100 resamples): "
        f"{per_key:.1f} CPU s per estimate ({len(keys)} timed); 100 estimates: about {100 * per_key / 60:.0f} min"
    )

    grid = harness.interleaved(
        {
            "two_way 101 x 101": lambda: a.two_way("outcomes[0].quantity", "outcomes[1].deadweight", n=101),
            "scenarios (default)": lambda: a.scenarios(),
        },
        args.repeat,
        keep=False,
    )
    print("\ngrids and scenarios, CPU seconds")
    print(harness.table([[k, *t.text().split()] for k, t in grid.items()], ["", "min", "median", "max"]))
    speedup = designs["SALib sample.sobol"].median / designs["sroi's design"].median  # a few ms: medians
    return [
        ["EVPPI (100 estimates) / simulate", f"{args.n:,} draws", f"{ratio:.1f}x", "(was 116x)"],
        ["sobol N = 1024, 100 estimates", "104,448 runs", f"{t_sobol['sobol'].min:.2f} s", "(no target)"],
        [
            "Saltelli design: SALib / sroi",
            "N = 1024, D = 100",
            f"{speedup:.0f}x",
            "(same points)",
        ],
        ["delta_indices per estimate (default)", "20,000 draws", f"{per_key:.1f} s", "finishes"],
        [
            "scenarios (default)",
            "100 estimates",
            f"{statistics.median(grid['scenarios (default)'].seconds):.3f} s",
            "",
        ],
    ]


if __name__ == "__main__":
    rows = main()
    print("\n" + harness.table(rows, ["measure", "size", "measured", "target"]))
