"""Peak memory: 10^7 Monte Carlo draws and a 1001 x 1001 two-way grid (targets: under 2 GB).

Each measurement runs in a fresh interpreter and reports that process's peak resident set
size (``ru_maxrss``), the interpreter and its libraries included (the first row, which only
imports sroi and builds the model, shows that part):

* ``simulate(analysis, 10_000_000, keep_draws=False)`` of the benchmark model (20 outcomes x
  10 years, 100 estimates), then ``summary()``; then also ``eligible_cash_flows()`` and
  ``value_by_tier`` (which replay the draws to build per-period cash, (10^7, 10) float32);
* ``two_way`` over a 1001 x 1001 grid (1,002,001 engine evaluations) of the same model.

    .venv/bin/python benchmarks/bench_memory.py
    .venv/bin/python benchmarks/bench_memory.py --n 2000000     # quicker
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

SETUP = (
    "import time\n"
    "import sroi\n"
    "from model import Spec, build_analysis\n"
    "a = build_analysis(Spec())\n"
    "a.evaluate()\n"
)


def main(argv: list[str] | None = None) -> list[list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="Monte Carlo draws (default 10^7)")
    parser.add_argument(
        "--grid", type=int, default=1001, help="two-way grid points per estimate (default 1001)"
    )
    parser.add_argument("--no-cash", action="store_true", help="skip the run with per-period cash")
    args = parser.parse_args(argv)
    print(harness.machine())
    runs = {
        "import sroi, build the model": SETUP,
        f"simulate {args.n:,} draws + summary()": SETUP
        + f"t = time.process_time(); sim = sroi.simulate(a, {args.n}, seed=1, keep_draws=False)\n"
        "sim.summary()\n"
        "out['cpu_s'] = time.process_time() - t\n",
        f"simulate {args.n:,} draws + summary + eligible cash + value_by_tier": SETUP
        + f"t = time.process_time(); sim = sroi.simulate(a, {args.n}, seed=1, keep_draws=False)\n"
        "sim.summary(); cash = sim.eligible_cash_flows(); sim.value_by_tier\n"
        "out['cpu_s'] = time.process_time() - t\n",
        f"two_way {args.grid} x {args.grid}": SETUP + "t = time.process_time()\n"
        f"df = a.two_way('outcomes[0].quantity', 'outcomes[1].deadweight', n={args.grid})\n"
        "assert df.shape == (" + f"{args.grid}, {args.grid}" + ")\n"
        "out['cpu_s'] = time.process_time() - t\n",
    }
    if args.no_cash:
        runs = {k: v for k, v in runs.items() if "eligible cash" not in k}
    rows = []
    summary = []
    for name, code in runs.items():
        res = harness.child(code)
        peak = res["peak_rss_mib"] / 1024
        rows.append([name, f"{peak:.2f}", f"{res.get('cpu_s', float('nan')):.1f}"])
        if name != "import sroi, build the model":
            summary.append([f"peak memory: {name}", "20 x 10", f"{peak:.2f} GiB", "< 2 GB (1.86 GiB)"])
    print("\npeak resident memory of a fresh process (GiB) and CPU seconds of the measured step")
    print(harness.table(rows, ["run", "peak GiB", "CPU s"]))
    return summary


if __name__ == "__main__":
    rows = main()
    print("\n" + harness.table(rows, ["measure", "size", "measured", "target"]))
