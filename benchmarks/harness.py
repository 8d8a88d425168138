"""Timing and memory helpers shared by the benchmark scripts (no sroi import here).

Rules every script follows:

* CPU time (``time.process_time``: user + system time of this process, all threads), not wall
  time, so that other work on a shared machine disturbs the figures less; BLAS and OpenMP
  are limited to one thread (set before numpy is imported) so no idle thread spins.
* The competitors run in the same process, interleaved: repetition r runs every method once,
  in an order rotated from one repetition to the next, so a slow spell of the machine falls
  on all of them.
* Each figure is reported as min / median / max over the repetitions; ratios are taken
  between minima (the least-disturbed run of each) and, in brackets, as the median of the
  per-repetition ratios.
* Peak memory is measured in a fresh subprocess, one per measurement: its ``VmHWM`` (peak
  resident set of the new program, from /proc/self/status) at its end. ``ru_maxrss`` is not
  used: Linux keeps it across ``exec``, so it would include the parent's memory at the fork.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("SROI_NO_PROGRESS", "1")

import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Timing:
    """CPU seconds of each repetition of one method."""

    name: str
    seconds: list[float] = field(default_factory=list)
    result: Any = None

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def max(self) -> float:
        return max(self.seconds)

    def text(self) -> str:
        return f"{self.min:8.3f} {self.median:8.3f} {self.max:8.3f}"


def cpu_time(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Result of ``fn()`` and the CPU seconds it took."""
    t0 = time.process_time()
    out = fn()
    return out, time.process_time() - t0


def interleaved(methods: dict[str, Callable[[], Any]], repeat: int, keep: bool = True) -> dict[str, Timing]:
    """Run every method ``repeat`` times, interleaved, rotating the order each repetition.

    The result of each method's last run is kept in ``Timing.result`` (``keep=False`` drops it
    after each run, to keep memory down).
    """
    names = list(methods)
    out = {name: Timing(name) for name in names}
    for r in range(repeat):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            res, secs = cpu_time(methods[name])
            out[name].seconds.append(secs)
            out[name].result = res if keep else None
            del res
    return out


def ratio(a: Timing, b: Timing) -> tuple[float, float]:
    """(min(a) / min(b), median of the per-repetition ratios a_r / b_r)."""
    paired = [x / y for x, y in zip(a.seconds, b.seconds, strict=True)]
    return a.min / b.min, statistics.median(paired)


def child(code: str, timeout: float = 1800) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter (benchmarks/ on the path) and return the JSON dict
    it prints on its last line; ``peak_rss_mib`` is added (the child's peak resident memory)."""
    wrapper = (
        "import json, resource, sys\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "import harness\n"
        "out = {}\n" + code + "\n"
        "out['peak_rss_mib'] = harness.peak_rss_mib()\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peak_rss_mib() -> float:
    """Peak resident memory of this program [MiB]: VmHWM (reset by exec), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    """One line: CPU, cores, memory, load average, Python and library versions."""
    import numpy as np

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    versions = [f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("scipy", "pandas", "SALib", "squigglepy"):
        try:
            versions.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            versions.append(f"{dist} absent")
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB; load average {load}; " + ", ".join(versions)


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain-text table, columns padded to their widest cell."""
    cells = [[str(c) for c in header], *([str(c) for c in row] for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
