"""Every benchmark at its default size, then one table of the measures and their targets.

``make bench`` runs this (about 4 minutes of CPU on a 2-core machine; longer in wall time
when other work shares the machine). Each script can be run alone with larger sizes (see
benchmarks/README.md); ``--full`` here adds the 10^7-draw scaling point, a 5x larger outcomes
sweep, the memory of 10^7 draws with per-period cash and the 1,000-programme x 10^5-draw book
(benchmarks/bench_portfolio.py; 100 x 10^4 without ``--full``).

    .venv/bin/python benchmarks/run_all.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_deterministic
import bench_memory
import bench_monte_carlo
import bench_portfolio
import bench_scaling
import bench_sensitivity
import bench_startup
import harness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="add 10^7 draws to the scaling sweep")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = []
    rows += bench_monte_carlo.main([])
    scaling = ["--n", "100000", "--elements", "4e6", "--draws", "1e4,1e5"]
    rows += bench_scaling.main(scaling + (["--large"] if args.full else []))
    rows += bench_deterministic.main(["--repeat", "5"])
    rows += bench_sensitivity.main(["--repeat", "3"])
    rows += bench_startup.main(["--repeat", "5"])
    rows += bench_memory.main([] if args.full else ["--no-cash"])
    rows += bench_portfolio.main([] if args.full else ["--quick"])
    print(
        f"\nAll benchmarks ({time.perf_counter() - start:.0f} s wall); CPU-time ratios are of minima over repetitions"
    )
    print(harness.machine())
    print(harness.table(rows, ["measure", "size", "measured", "target"]))


if __name__ == "__main__":
    main()
