"""Print and write the over-claim audit and the break-even against 1:1 and published practice.

Usage::

    .venv/bin/python scripts/audit_and_break_even.py MODEL [--out DIR] [-n N] [--seed SEED]

`make demo` runs it after `sroi analyse` on the Elderly Mode case, until the command line has an
`audit` command of its own. It prints

* the audit of `sroi.audit` (docs/method.md §10.2), every check that does not pass with its
  reason, on a Monte Carlo of N draws (default 10,000, the seed of `sroi analyse`);
* the switching values (docs/method.md §7.2) against three targets: 1:1, the median and the P90
  of the SROI ratios of 383 published reports (`sroi.benchmarks.practice_benchmarks`), for the
  estimates that can reach all three alone;

and writes ``audit.csv`` and ``break_even_practice.csv`` to ``--out``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import sroi
from sroi.benchmarks import practice_benchmarks

SEED = 20231125  # the seed of `sroi analyse` and `make demo`


def break_even_table(analysis: sroi.Analysis) -> pd.DataFrame:
    """Relative change of each estimate that alone brings the point ratio to each target."""
    practice = practice_benchmarks().set_index("factor")
    targets = {
        "1:1": 1.0,
        f"practice median {practice.loc['sroi_ratio', 'median']:g}": float(
            practice.loc["sroi_ratio", "median"]
        ),
        f"practice P90 {practice.loc['sroi_ratio', 'p90']:g}": float(practice.loc["sroi_ratio", "p90"]),
    }
    columns = {}
    for name, target in targets.items():
        be = analysis.break_even(target)
        be = be[np.isfinite(be["relative_change"])]
        columns[name] = be.set_index(["outcome", "parameter"])["relative_change"]
    table = pd.DataFrame(columns).dropna()
    return table.reindex(table["1:1"].abs().sort_values().index)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    analysis = sroi.load(args.model)
    audit = analysis.audit(analysis.simulate(args.n, seed=args.seed))
    print(audit)
    table = break_even_table(analysis)
    print("\nSwitching values: the change in one estimate, alone, that brings the point ratio to each target")
    shown = (table * 100).round(1).rename(columns=lambda c: f"{c} (%)").head(10)
    print(shown.to_string())
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        audit.table.to_csv(args.out / "audit.csv", index=False)
        table.to_csv(args.out / "break_even_practice.csv")
        print(f"\nWrote audit.csv and break_even_practice.csv to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
