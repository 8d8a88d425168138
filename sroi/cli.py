"""Command line: ``sroi report MODEL.yaml`` and friends.

Exit codes: 0 success; 1 bad input (the message, naming the field, goes to stderr); 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from sroi.exceptions import SROIError

__all__ = ["main"]


def _report(args: argparse.Namespace) -> int:
    from sroi.io import load

    analysis = load(args.model)
    result = analysis.evaluate()
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.max_colwidth", 40):
        print(f"Value map: {analysis.name}\n")
        cols = [
            "stakeholder",
            "outcome",
            "quantity",
            "quantity_unit",
            "proxy",
            "proxy_unit",
            "deadweight",
            "displacement",
            "attribution",
            "drop_off",
            "duration",
            "start",
            "impact",
            "present_value",
        ]
        print(result.by_outcome[cols].to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
        print()
        print(result)
        print("\nBy stakeholder:")
        print(result.by_stakeholder.to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
        if len(result.conversions):
            print("\nConversions:")
            print(result.conversions.to_string(index=False))
    return 0


def _analyse(args: argparse.Namespace) -> int:
    import time

    from sroi.io import load
    from sroi.report import analyse, load_credit_scenarios

    start = time.perf_counter()
    analysis = load(args.model)
    scenarios = load_credit_scenarios(args.credit_scenarios) if args.credit_scenarios else []
    report = analyse(analysis, n=args.n, seed=args.seed, target=args.target, credit_scenarios=scenarios)
    print(report.summary_text())
    if args.out:
        paths = report.write(args.out)
        print(f"\nWrote {len(paths)} files (tables as CSV, figures as PNG) to {args.out}/")
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sroi`` command."""
    parser = argparse.ArgumentParser(prog="sroi", description="Social Return on Investment analyses.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("report", help="print the value map and the results of a model file")
    p.add_argument("model", help="model file (YAML, format 1)")
    p.set_defaults(func=_report)
    p = sub.add_parser(
        "analyse",
        help="the whole analysis: point result, Monte Carlo, tornado, switching values, benchmarks, credit lines",
    )
    p.add_argument("model", help="model file (YAML, format 1)")
    p.add_argument("-n", type=int, default=20_000, help="Monte Carlo draws (default 20000)")
    p.add_argument("--seed", type=int, default=20231125, help="random seed (default 20231125)")
    p.add_argument("--target", type=float, default=1.0, help="target ratio (default 1)")
    p.add_argument("--credit-scenarios", help="YAML file of credit-line scenarios")
    p.add_argument("--out", help="folder for the tables (CSV) and figures (PNG)")
    p.set_defaults(func=_analyse)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sroi`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SROIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
