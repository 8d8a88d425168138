"""Deterministic paths: evaluate(), evaluate_many (start-up is in bench_startup.py).

* ``analysis.evaluate()`` against :func:`model.pure_python_ratio`, a plain loop over outcomes
  and years written from docs/method.md §3 (the same model, the same ratio to 1e-12): once on
  an analysis already evaluated (the compiled point arrays are cached) and once on a freshly
  built analysis (building, validation, unit checks and compilation included);
* ``analysis.evaluate_many`` of 10,000 what-ifs (three estimates changed at once).

    .venv/bin/python benchmarks/bench_deterministic.py
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import numpy as np
from model import Spec, build_analysis, pure_python_ratio


def per_call(fn: Callable[[], Any], calls: int, repeat: int) -> list[float]:
    """CPU seconds per call, for each of ``repeat`` loops of ``calls`` calls."""
    out = []
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(calls):
            fn()
        out.append((time.process_time() - t0) / calls)
    return out


def deterministic(repeat: int) -> list[list[str]]:
    spec = Spec()
    analysis = build_analysis(spec)
    expected = pure_python_ratio(spec)
    got = analysis.evaluate().ratio
    assert math.isclose(got, expected, rel_tol=1e-12), (got, expected)
    t_pure = per_call(lambda: pure_python_ratio(spec), 2000, repeat)
    t_cached = per_call(analysis.evaluate, 2000, repeat)
    t_fresh = per_call(lambda: build_analysis(spec).evaluate(), 20, repeat)
    rng = np.random.default_rng(0)
    n = 10_000
    values = {
        "outcomes[0].deadweight": rng.uniform(0.0, 0.5, n),
        "outcomes[3].quantity": rng.uniform(50, 200, n),
        "outcomes[7].drop_off": rng.uniform(0.0, 0.4, n),
    }
    import pandas as pd

    frame = pd.DataFrame(values)
    analysis.evaluate_many(frame)
    t_many = per_call(lambda: analysis.evaluate_many(frame), 1, max(repeat, 5))
    check = analysis.evaluate_many(frame.iloc[:1])["ratio"].iloc[0]
    assert np.isfinite(check)
    print(
        f"\nevaluate(): the {spec.n_outcomes} x {spec.years} benchmark model, ratio {got:.6f} (pure Python {expected:.6f})"
    )
    rows = [
        ["pure-Python evaluator", *(f"{1e6 * f(t_pure):.1f}" for f in (min, statistics.median, max)), "1.00"],
        [
            "analysis.evaluate() (cached point arrays)",
            *(f"{1e6 * f(t_cached):.1f}" for f in (min, statistics.median, max)),
            f"{min(t_cached) / min(t_pure):.2f}",
        ],
        [
            "build the Analysis + evaluate()",
            *(f"{1e6 * f(t_fresh):.0f}" for f in (min, statistics.median, max)),
            f"{min(t_fresh) / min(t_pure):.0f}",
        ],
    ]
    print(harness.table(rows, ["", "min us", "median us", "max us", "/ pure Python"]))
    print(
        f"evaluate_many, {n:,} what-ifs (3 estimates each): min {min(t_many):.3f} s, median "
        f"{statistics.median(t_many):.3f} s, max {max(t_many):.3f} s ({1e6 * min(t_many) / n:.1f} us each)"
    )
    return [
        ["evaluate() / pure Python (cached)", "20 x 10", f"{min(t_cached) / min(t_pure):.2f}x", "<= 1x"],
        ["build + evaluate() / pure Python", "20 x 10", f"{min(t_fresh) / min(t_pure):.0f}x", "(no target)"],
        ["evaluate_many, 10,000 points", "20 x 10", f"{min(t_many):.3f} s", "< 0.2 s"],
    ]


def main(argv: list[str] | None = None) -> list[list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    print(harness.machine())
    return deterministic(args.repeat)


if __name__ == "__main__":
    rows = main()
    print("\n" + harness.table(rows, ["measure", "size", "measured", "target"]))
