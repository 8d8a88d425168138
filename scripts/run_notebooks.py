"""Execute the notebooks from a clean kernel: `make notebooks` (write outputs) or check only.

Usage::

    python scripts/run_notebooks.py            # execute every notebooks/*.ipynb, write outputs in place
    python scripts/run_notebooks.py --check    # execute without writing; exit 1 on any error
    python scripts/run_notebooks.py notebooks/01_quickstart.ipynb

Each notebook runs top to bottom in a fresh kernel with its folder as the working directory, so
execution counts are 1, 2, 3... and any error stops the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path, write: bool, timeout: int = 600) -> float:
    """Run one notebook from a clean kernel; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("SROI_NO_PROGRESS", "1")
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    if write:
        nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="execute without writing outputs")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.ipynb"))
    failed = 0
    for path in paths:
        try:
            secs = execute(path, write=not args.check)
            print(f"ok    {path.name} ({secs:.1f} s)")
        except CellExecutionError as exc:
            failed += 1
            print(f"FAIL  {path.name}\n{exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
