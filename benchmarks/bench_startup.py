"""Start-up: ``sroi --help`` and ``import sroi`` against ``import numpy, pandas, pint``.

Each command runs in a fresh interpreter; the commands are interleaved (repetition r runs every
command once, in an order rotated each repetition) after one warm-up run of each, so that the
file cache is warm and a slow spell of the machine falls on all of them. Reported: CPU time of
the child (user + system, from ``RUSAGE_CHILDREN``) and wall time, min and median.

The reference, ``import numpy, pandas, pint``, is what any sroi command that evaluates a model
needs; ``import sroi`` loads the public names lazily (PEP 562), so it should cost far less, and
``sroi --help`` imports neither pandas nor scipy; reading a model file loads neither openpyxl
nor scipy.stats nor statsmodels. Target: ``sroi --help`` under 1 s of wall time
on a quiet machine.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 7]
    .venv/bin/python -X importtime -c "import sroi" 2> importtime.txt   # where the time goes
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness


def child_times(argv: list[str]) -> tuple[float, float]:
    """(CPU seconds of the child, wall seconds) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, cwd=harness.ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def commands() -> dict[str, list[str]]:
    """The commands timed, each a fresh interpreter."""
    py = sys.executable
    sroi_cmd = str(Path(py).with_name("sroi"))
    return {
        "python -c pass": [py, "-c", "pass"],
        "import numpy, pandas, pint": [py, "-c", "import numpy, pandas, pint"],
        "import sroi": [py, "-c", "import sroi"],
        "from sroi import Analysis": [py, "-c", "from sroi import Analysis"],
        "sroi.load(model file)": [
            py,
            "-c",
            "import sroi; sroi.load('datasets/example/digital_inclusion.yaml')",
        ],
        "sroi --help": [sroi_cmd, "--help"] if os.path.exists(sroi_cmd) else [py, "-m", "sroi", "--help"],
        "sroi --version": [sroi_cmd, "--version"]
        if os.path.exists(sroi_cmd)
        else [py, "-m", "sroi", "--version"],
    }


def startup(repeat: int) -> list[list[str]]:
    cmds = commands()
    for argv in cmds.values():  # warm the file cache (and the pint registry cache)
        child_times(argv)
    cpu: dict[str, list[float]] = {k: [] for k in cmds}
    wall: dict[str, list[float]] = {k: [] for k in cmds}
    names = list(cmds)
    for r in range(repeat):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            c, w = child_times(cmds[name])
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
        ["sroi --help", "wall", f"{min(wall['sroi --help']):.2f} s", "< 1 s"],
        [
            "sroi --help / import numpy, pandas, pint",
            "wall",
            f"{min(wall['sroi --help']) / min(wall[base]):.2f}x",
            "< 1x",
        ],
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
        [
            "from sroi import Analysis / import numpy, pandas, pint",
            "wall",
            f"{min(wall['from sroi import Analysis']) / min(wall[base]):.2f}x",
            "(no target)",
        ],
        [
            "sroi.load(model file) / import numpy, pandas, pint",
            "wall",
            f"{min(wall['sroi.load(model file)']) / min(wall[base]):.2f}x",
            "(no target)",
        ],
    ]


def main(argv: list[str] | None = None) -> list[list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    print(harness.machine())
    return startup(args.repeat)


if __name__ == "__main__":
    rows = main()
    print("\n" + harness.table(rows, ["measure", "size", "measured", "target"]))
