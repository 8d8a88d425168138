"""Command line: ``sroi report``, ``analyse``, ``simulate``, ``break-even``, ``credit``,
``convert`` and ``import-xlsx``.

Exit codes: 0 success; 1 bad input or a failure (one line, naming the field, goes to stderr;
never a traceback); 2 usage (argparse). Text from the input is printed with control
characters escaped, so a model file cannot send escape sequences to the terminal. CSV files
written by ``--out`` are escaped against formula injection like every export of the package
(:func:`sroi.io.export.csv_bytes`).

Examples
--------
::

    sroi report datasets/example/digital_inclusion.yaml --html report.html --xlsx value_map.xlsx
    sroi simulate datasets/elderly_mode/elderly_mode.yaml -n 20000 --seed 1
    sroi break-even datasets/elderly_mode/elderly_mode.yaml
    sroi credit datasets/elderly_mode/elderly_mode.yaml --scenarios datasets/elderly_mode/credit_scenarios.yaml
    sroi convert "13000 GBP/person" --from GBP:2019 --to CNY:2023 --basis ppp
    sroi import-xlsx value_map.xlsx -o model.yaml
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from sroi import defaults
from sroi.exceptions import SROIError

__all__ = ["build_parser", "main"]


_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _clean(text: Any) -> str:
    """Text safe to print on a terminal: control characters (escape sequences, bidi overrides)
    shown as ``\\x1b``-style escapes."""
    return _CONTROL_RE.sub(lambda m: repr(m.group(0))[1:-1], str(text))


def _print(*parts: Any, file: Any = None) -> None:
    print(*(_clean(p) for p in parts), file=file)


def _print_frame(df: pd.DataFrame, index: bool = False) -> None:
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.max_colwidth", 50):
        _print(df.to_string(index=index, float_format=lambda x: f"{x:,.4g}"))


def _write_csv(frame: pd.DataFrame, path: str) -> None:
    """A table to a CSV file, escaped against formula injection (the package's one CSV writer)."""
    from sroi.io.export import csv_bytes
    from sroi.safe_yaml import write_file

    write_file(path, csv_bytes(frame, index=False), "--out")


def _report(args: argparse.Namespace) -> int:
    from sroi.io import load

    analysis = load(args.model)
    result = analysis.evaluate()
    _print(f"Value map: {analysis.name}\n")
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
    _print_frame(result.by_outcome[cols])
    _print()
    _print(result)
    _print("\nBy stakeholder:")
    _print_frame(result.by_stakeholder)
    if len(result.conversions):
        _print("\nConversions:")
        _print_frame(result.conversions.drop(columns=["source"]))
    if args.xlsx:
        from sroi.io import write_value_map_xlsx

        write_value_map_xlsx(analysis, args.xlsx, result=result)
        _print(f"\nWrote the value map workbook to {args.xlsx}")
    if args.html:
        from sroi.report import analyse, load_credit_scenarios

        scenarios = load_credit_scenarios(args.credit_scenarios) if args.credit_scenarios else []
        analyse(analysis, n=args.n, seed=args.seed, credit_scenarios=scenarios).to_html(args.html)
        _print(f"Wrote the HTML report to {args.html}")
    return 0


def _analyse(args: argparse.Namespace) -> int:
    from sroi.io import load
    from sroi.report import analyse, load_credit_scenarios

    start = time.perf_counter()
    analysis = load(args.model)
    scenarios = load_credit_scenarios(args.credit_scenarios) if args.credit_scenarios else []
    report = analyse(analysis, n=args.n, seed=args.seed, target=args.target, credit_scenarios=scenarios)
    _print(report.summary_text())
    if args.out:
        paths = report.write(args.out)
        report.to_html(f"{args.out}/report.html")
        _print(f"\nWrote {len(paths) + 1} files (tables as CSV, figures as PNG, report.html) to {args.out}/")
    _print(f"({time.perf_counter() - start:.1f} s)")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from sroi.io import load

    analysis = load(args.model)
    sim = analysis.simulate(args.n, seed=args.seed, targets=tuple(args.target))
    _print(f"{analysis.name}: {sim.n:,} Monte Carlo draws, seed {args.seed}\n")
    _print(sim.headline())
    if sim.uncertain_estimates[0]:
        _print("")
        _print_frame(sim.summary(), index=True)
    if args.out:
        _write_csv(sim.to_frame(), args.out)
        _print(f"Wrote every draw's results to {args.out}")
    return 0


def _break_even(args: argparse.Namespace) -> int:
    from sroi.io import load

    df = load(args.model).break_even(target=args.target)
    cols = ["outcome", "parameter", "base", "switching_value", "relative_change"]
    _print_frame(df[cols] if not args.explain else df.drop(columns=["field"]))
    if args.out:
        _write_csv(df, args.out)
    return 0


def _credit(args: argparse.Namespace) -> int:
    from sroi.finance import CreditScenario, apply_changes, credit_line, load_credit_scenarios
    from sroi.io import load

    analysis = load(args.model)
    options = {
        k: v
        for k, v in (
            ("haircut", args.haircut),
            ("dscr_p50", args.dscr_p50),
            ("dscr_p90", args.dscr_p90),
            ("loan_rate", args.loan_rate),
            ("tenor", args.tenor),
        )
        if v is not None
    }
    scenarios = load_credit_scenarios(args.scenarios) if args.scenarios else [CreditScenario("As modelled")]
    for sc in scenarios:
        case = apply_changes(analysis, sc.changes) if sc.changes else analysis
        line = credit_line(case.simulate(args.n, seed=args.seed), **{**dict(sc.credit), **options})
        label = " [ILLUSTRATIVE]" if sc.illustrative else ""
        _print(f"== {sc.name}{label}")
        _print(line.explanation)
        _print_frame(line.cases.reset_index())
        _print()
    return 0


_CURRENCY_YEAR = re.compile(r"^([A-Z]{3})(?::(\d{4}))?$")


def _currency_year(text: str, option: str) -> tuple[str, int | None]:
    m = _CURRENCY_YEAR.match(text.strip())
    if not m:
        raise SROIError(f"expected CURRENCY or CURRENCY:YEAR such as GBP:2019, got {text!r}", option)
    return m.group(1), int(m.group(2)) if m.group(2) else None


def _convert(args: argparse.Namespace) -> int:
    from sroi.money import convert
    from sroi.units import currency_of, format_quantity, parse_quantity

    from_cur, from_year = _currency_year(args.from_, "--from")
    to_cur, to_year = _currency_year(args.to, "--to")
    value = parse_quantity(args.value, "VALUE", default_unit=from_cur)
    if currency_of(value, "VALUE") != from_cur:
        raise SROIError(f"the value {args.value!r} is not in {from_cur}", "VALUE")
    out, conv = convert(value, to_cur, from_year=from_year, to_year=to_year, basis=args.basis, field="VALUE")
    _print(format_quantity(out, digits=10))
    _print(f"  {conv}")
    return 0


def _import_xlsx(args: argparse.Namespace) -> int:
    from sroi.io import read_value_map_xlsx, save

    analysis = read_value_map_xlsx(args.workbook)
    save(analysis, args.output)
    _print(f"Read {len(analysis.outcomes)} outcomes from {args.workbook}; wrote {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sroi`` command."""
    parser = argparse.ArgumentParser(
        prog="sroi",
        description="Social Return on Investment analyses (exit codes: 0 ok, 1 bad input, 2 usage).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def model_arg(p: Any) -> None:
        p.add_argument("model", help="model file (YAML, format 1)")

    def mc_args(p: Any, n: int = defaults.DRAWS) -> None:
        p.add_argument("-n", type=int, default=n, help=f"Monte Carlo draws (default {n:,})")
        p.add_argument(
            "--seed", type=int, default=defaults.SEED, help=f"random seed (default {defaults.SEED})"
        )

    p = sub.add_parser("report", help="print the value map and the results; optionally write HTML and xlsx")
    model_arg(p)
    p.add_argument("--html", help="write a self-contained HTML report to this file")
    p.add_argument("--xlsx", help="write the Value Map workbook to this file")
    p.add_argument("--credit-scenarios", help="YAML file of credit-line scenarios (for --html)")
    mc_args(p)
    p.set_defaults(func=_report)

    p = sub.add_parser(
        "analyse", help="the whole analysis: result, Monte Carlo, tornado, switching values, credit"
    )
    model_arg(p)
    mc_args(p)
    p.add_argument("--target", type=float, default=1.0, help="target ratio (default 1)")
    p.add_argument("--credit-scenarios", help="YAML file of credit-line scenarios")
    p.add_argument("--out", help="folder for the tables (CSV), figures (PNG) and report.html")
    p.set_defaults(func=_analyse)

    p = sub.add_parser("simulate", help="Monte Carlo simulation: summary and P(ratio > target)")
    model_arg(p)
    mc_args(p)
    p.add_argument("--target", type=float, action="append", help="ratio target (repeatable; default 1)")
    p.add_argument("--out", help="write every draw's totals to this CSV file")
    p.set_defaults(func=_simulate)

    p = sub.add_parser(
        "break-even", help="switching values: how far each estimate must move to reach the target"
    )
    model_arg(p)
    p.add_argument("--target", type=float, default=1.0, help="target ratio (default 1)")
    p.add_argument("--explain", action="store_true", help="print the explanation column")
    p.add_argument("--out", help="write the table to this CSV file")
    p.set_defaults(func=_break_even)

    p = sub.add_parser("credit", help="credit line from the eligible cash (P50/P90, DSCR, haircut)")
    model_arg(p)
    mc_args(p)
    p.add_argument("--scenarios", help="YAML file of credit-line scenarios")
    p.add_argument("--haircut", type=float, help="verification/counterparty haircut in (0, 1] (default 0.8)")
    p.add_argument("--dscr-p50", type=float, help="DSCR of the P50 case (default 1.40)")
    p.add_argument("--dscr-p90", type=float, help="DSCR of the P90 case (default 1.20)")
    p.add_argument("--loan-rate", type=float, help="loan interest rate (default 0.04)")
    p.add_argument("--tenor", type=int, help="loan tenor in years (default: capped by the outcome durations)")
    p.set_defaults(func=_credit)

    p = sub.add_parser("convert", help="convert money between currencies and price years (PPP or market)")
    p.add_argument("value", help="amount, e.g. 13000 or '13000 GBP/person'")
    p.add_argument("--from", dest="from_", required=True, help="source CURRENCY:YEAR, e.g. GBP:2019")
    p.add_argument("--to", required=True, help="target CURRENCY:YEAR, e.g. CNY:2023")
    p.add_argument("--basis", choices=["ppp", "market"], default="ppp", help="conversion basis (default ppp)")
    p.set_defaults(func=_convert)

    p = sub.add_parser("import-xlsx", help="read a Value Map workbook and write a model file")
    p.add_argument("workbook", help="Value Map workbook (.xlsx)")
    p.add_argument("-o", "--output", required=True, help="model file to write (YAML)")
    p.set_defaults(func=_import_xlsx)
    return parser


def _show_warning(
    message: Any, category: Any, filename: Any, lineno: Any, file: Any = None, line: Any = None
) -> None:
    """Warnings as one line, ``warning: ...``, without the module path and source line."""
    _print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sroi`` command; returns the exit code.

    Every error is one line on stderr and exit code 1: an :class:`~sroi.exceptions.SROIError`
    names the field; a file that cannot be read or written names the reason; anything else is
    reported as an unexpected error with its type (set ``SROI_TRACEBACK=1`` to see the
    traceback). Warnings are printed as one line each.
    """
    import os
    import warnings

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:  # a terminal that cannot show a character gets an escape
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "target", None) is None and args.command == "simulate":
        args.target = [1.0]
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(args.func(args))
    except SROIError as exc:
        _print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = f" ({exc.filename})" if isinstance(exc.filename, str) else ""
        _print(f"error: {exc.strerror or type(exc).__name__}{where}", file=sys.stderr)
        return 1
    except MemoryError:
        _print("error: not enough memory for this request (try fewer draws with -n)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the CLI's promise: no traceback, whatever went wrong
        if os.environ.get("SROI_TRACEBACK"):
            raise
        _print(
            f"error: unexpected {type(exc).__name__}: {str(exc)[:300]} (this is a bug in sroi: please "
            "report it with the input that caused it; set SROI_TRACEBACK=1 to see where it happened)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
