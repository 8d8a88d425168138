"""Deterministic paths and start-up: evaluate(), evaluate_many, import sroi, sroi --help.

* ``analysis.evaluate()`` against :func:`model.pure_python_ratio`, a plain loop over outcomes
  and years written from docs/method.md §3 (the same model, the same ratio to 1e-12): once on
  an analysis already evaluated (the compiled point arrays are cached) and once on a freshly
  built analysis (building, validation, unit checks and compilation included);
* ``analysis.evaluate_many`` of 10,000 what-ifs (three estimates changed at once);
* ``import sroi`` against ``import numpy, pandas, pint`` and ``sroi --help``, each in fresh
  interpreters, interleaved; CPU time of the child (user + system) and wall time.

    .venv/bin/python benchmarks/bench_deterministic.py
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
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


def child_times(argv: list[str]) -> tuple[float, float]:
    """(CPU seconds of the child, wall seconds) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, cwd=harness.ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


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


def startup(repeat: int) -> list[list[str]]:
    py = sys.executable
    sroi_cmd = str(Path(py).with_name("sroi"))
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "import numpy, pandas, pint": [py, "-c", "import numpy, pandas, pint"],
        "import sroi": [py, "-c", "import sroi"],
        "sroi --help": [sroi_cmd, "--help"] if os.path.exists(sroi_cmd) else [py, "-m", "sroi", "--help"],
    }
    for argv in commands.values():  # warm the file cache (and the pint registry cache)
        child_times(argv)
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    wall: dict[str, list[float]] = {k: [] for k in commands}
    names = list(commands)
    for r in range(repeat):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            c, w = child_times(commands[name])
            cpu[name].append(c)
            wall[name].append(w)
    print(f"\nstart-up, fresh interpreters, {repeat} interleaved runs (seconds)")
    rows = [
        [
            name,
            f"{min(cpu[name]):.3f}",
            f"{statistics.median(cpu[name]):.3f}",
            f"{min(wall[name]):.3f}",
            f"{statistics.median(wall[name]):.3f}",
        ]
        for name in names
    ]
    print(harness.table(rows, ["", "CPU min", "CPU median", "wall min", "wall median"]))
    base = "import numpy, pandas, pint"
    return [
        [
            "import sroi / import numpy, pandas, pint",
            "CPU",
            f"{min(cpu['import sroi']) / min(cpu[base]):.2f}x",
            "<= 1.3x",
        ],
        [
            "import sroi / import numpy, pandas, pint",
            "wall",
            f"{min(wall['import sroi']) / min(wall[base]):.2f}x",
            "<= 1.3x",
        ],
        ["sroi --help", "wall", f"{min(wall['sroi --help']):.2f} s", "< 1 s"],
    ]


def main(argv: list[str] | None = None) -> list[list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    print(harness.machine())
    return deterministic(args.repeat) + startup(args.repeat)


if __name__ == "__main__":
    rows = main()
    print("\n" + harness.table(rows, ["measure", "size", "measured", "target"]))
