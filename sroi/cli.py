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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sroi`` command."""
    parser = argparse.ArgumentParser(prog="sroi", description="Social Return on Investment analyses.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("report", help="print the value map and the results of a model file")
    p.add_argument("model", help="model file (YAML, format 1)")
    p.set_defaults(func=_report)
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
