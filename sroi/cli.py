"""Command line: ``sroi report``, ``analyse``, ``simulate``, ``break-even``, ``audit``,
``credit``, ``monitor``, ``export``, ``convert`` and ``import-xlsx``.

Exit codes: 0 success; 1 bad input or a failure (one line, naming the field, goes to stderr;
never a traceback); 2 usage (argparse). Text from the input is printed with control
characters escaped, so a model file cannot send escape sequences to the terminal. CSV files
written by ``--out`` are escaped against formula injection like every export of the package
(:func:`sroi.io.export.csv_bytes`).

Start-up is light: this module imports only the standard library, :mod:`sroi.defaults`,
:mod:`sroi.exceptions` and :mod:`sroi.formatting` at the top; each command imports what it
needs, so ``sroi --help`` does not load pandas, scipy or matplotlib. Every number the command
line formats itself goes through one helper, :func:`sroi.formatting.format_number` (thousands
separators, never scientific notation).

A folder given with ``--out`` must be empty or missing; ``--overwrite`` replaces the files an
earlier run of the same command wrote there, listed in the folder's ``.sroi-manifest.json``,
and leaves every other file alone.

Examples
--------
::

    sroi report datasets/example/digital_inclusion.yaml --html report.html --xlsx value_map.xlsx
    sroi simulate datasets/elderly_mode/elderly_mode.yaml -n 10000 --seed 1
    sroi break-even datasets/elderly_mode/elderly_mode.yaml
    sroi audit datasets/elderly_mode/elderly_mode.yaml --out out/audit
    sroi export datasets/example/digital_inclusion.yaml --xlsx value_map.xlsx --csv value_map.csv
    sroi credit datasets/elderly_mode/elderly_mode.yaml --scenarios datasets/elderly_mode/credit_scenarios.yaml
    sroi convert "13000 GBP/person" --from GBP:2019 --to CNY:2023 --basis ppp
    sroi import-xlsx value_map.xlsx -o model.yaml
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sroi import defaults
from sroi.exceptions import SROIError
from sroi.formatting import format_number, format_percent

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MANIFEST", "build_parser", "main"]

#: File listing what sroi wrote into an ``--out`` folder, and which command wrote it.
MANIFEST = ".sroi-manifest.json"


_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _clean(text: Any) -> str:
    """Text safe to print on a terminal: control characters (escape sequences, bidi overrides)
    shown as ``\\x1b``-style escapes."""
    return _CONTROL_RE.sub(lambda m: repr(m.group(0))[1:-1], str(text))


def _print(*parts: Any, file: Any = None) -> None:
    print(*(_clean(p) for p in parts), file=file)


def _plain_int(x: Any) -> str:
    """A year or period: digits only; other numbers as :func:`format_number` prints them."""
    v = float(x)
    return str(int(v)) if v == v and v == int(v) else format_number(x)


def _print_frame(df: pd.DataFrame, index: bool = False, percent: Iterable[str] = ()) -> None:
    """A table with every number formatted by :func:`format_number` (``percent`` columns as
    signed percentages)."""
    import pandas as pd

    shown = df.reset_index(names=[n or "" for n in df.index.names]) if index else df.copy()
    shown.columns = [str(c) for c in shown.columns]
    percent = set(percent)
    for j, name in enumerate(shown.columns):
        if name in percent:
            fmt: Any = format_percent
        elif name.endswith("year") or name == "period":  # 2023, not 2,023
            fmt = _plain_int
        else:
            fmt = format_number

        def cell(v: Any, fmt: Any = fmt) -> Any:
            if isinstance(v, (int, float)) or (hasattr(v, "dtype") and getattr(v.dtype, "kind", "") in "iuf"):
                return fmt(v)
            return "" if v is None else v

        shown.isetitem(j, shown.iloc[:, j].map(cell).astype(object).to_numpy())
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.max_colwidth", 50):
        _print(shown.to_string(index=False))


def _write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """A table to a CSV file, escaped against formula injection (the package's one CSV writer)."""
    from sroi.io.export import csv_bytes
    from sroi.safe_yaml import write_file

    return write_file(path, csv_bytes(frame, index=False), "--out")


class _OutFolder:
    """An ``--out`` folder: refused when not empty unless ``--overwrite``; records what it wrote.

    The check is made when the command starts, before any work. ``--overwrite`` lets
    :meth:`clear` (called just before writing, once the work has succeeded) remove the files
    that an earlier run of the same command listed in the folder's manifest (:data:`MANIFEST`),
    and nothing else; a non-empty folder without a manifest is refused even with
    ``--overwrite``, since sroi cannot tell which files are its own. :meth:`record` adds the
    files written to the manifest. A file of the user's that has the name of one sroi writes is
    replaced; every other file is left alone.
    """

    def __init__(self, folder: str, overwrite: bool, command: str) -> None:
        self.folder = Path(folder)
        self.command = command
        self.files: dict[str, str] = {}
        if self.folder.exists() and not self.folder.is_dir():
            raise SROIError(f"{folder!r} is a file, expected a folder", "--out")
        entries = sorted(p.name for p in self.folder.iterdir()) if self.folder.is_dir() else []
        self.files = self._read_manifest()
        if [e for e in entries if e != MANIFEST]:
            if not overwrite:
                raise SROIError(
                    f"the folder {folder!r} is not empty ({len(entries)} entries); give --overwrite to replace "
                    "the files an earlier run of this command wrote there, or choose an empty folder",
                    "--out",
                )
            if not (self.folder / MANIFEST).is_file():
                raise SROIError(
                    f"the folder {folder!r} is not empty and has no {MANIFEST}, so sroi cannot tell which "
                    "files it wrote; empty it or choose another folder",
                    "--out",
                )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SROIError(f"could not create {folder!r}: {exc.strerror}", "--out") from None

    def clear(self) -> None:
        """Remove the files an earlier run of this command wrote (only those in the manifest)."""
        for name, by in list(self.files.items()):
            target = self.folder / name
            if by == self.command and (target.is_file() or target.is_symlink()):
                target.unlink()
            if by == self.command or not target.exists():
                del self.files[name]

    def _read_manifest(self) -> dict[str, str]:
        import json

        path = self.folder / MANIFEST
        if not path.is_file():
            return {}
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            files = doc["files"]
            if not isinstance(files, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise SROIError(
                f"{str(path)!r} is not a manifest sroi wrote (expected JSON with a 'files' object); "
                "empty the folder or choose another",
                "--out",
            ) from None
        # only plain names inside the folder: a manifest cannot point sroi at other files
        return {
            str(k): str(v)
            for k, v in files.items()
            if isinstance(k, str) and k == Path(k).name and k != MANIFEST
        }

    def path(self, name: str) -> Path:
        """The path of ``name`` inside the folder."""
        return self.folder / name

    def record(self, paths: Iterable[str | Path]) -> None:
        """Add ``paths`` (inside the folder) to the manifest and write it."""
        import json

        import sroi

        for p in paths:
            p = Path(p)
            if p.parent.resolve() == self.folder.resolve():
                self.files[p.name] = self.command
        doc = {
            "written_by": f"sroi {sroi.__version__}",
            "note": "files sroi wrote here, with the command that wrote each; --overwrite removes only these",
            "files": dict(sorted(self.files.items())),
        }
        (self.folder / MANIFEST).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def _report(args: argparse.Namespace) -> int:
    from sroi.io import load

    analysis = load(args.model, extrapolate_inflation=_inflation(args))
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


def _indicators_and_monitoring(analysis: Any, args: argparse.Namespace) -> tuple[Any, Any]:
    """The indicator system (``--indicators`` or the model's own block) and, with
    ``--monitoring``, the forecast against actual for the report (docs/method.md §12)."""
    system = None
    if args.indicators:
        from sroi.indicators import load_indicators

        system = load_indicators(args.indicators, analysis)
    if not args.monitoring:
        return system, None
    if system is None and not len(analysis.indicators):
        raise SROIError(
            f"{args.monitoring!r} needs indicators: the model file has no indicators: block; "
            "give --indicators FILE",
            "--monitoring",
        )
    from sroi.monitoring import monitor

    return system, monitor(analysis, args.monitoring, system, n=args.n, seed=args.seed)


def _analyse(args: argparse.Namespace) -> int:
    from sroi.io import load
    from sroi.report import analyse, load_credit_scenarios

    start = time.perf_counter()
    # a non-empty folder is refused before the work, not after it
    folder = _OutFolder(args.out, args.overwrite, "analyse") if args.out else None
    analysis = load(args.model, extrapolate_inflation=_inflation(args))
    scenarios = load_credit_scenarios(args.credit_scenarios) if args.credit_scenarios else []
    system, monitoring = _indicators_and_monitoring(analysis, args)
    report = analyse(
        analysis,
        n=args.n,
        seed=args.seed,
        target=args.target,
        credit_scenarios=scenarios,
        indicators=system,
        monitoring=monitoring,
    )
    _print(report.summary_text())
    if folder is not None:
        folder.clear()
        paths = report.write(folder.folder)
        paths.append(report.to_html(folder.path("report.html")))
        folder.record(paths)
        _print(f"\nWrote {len(paths)} files (tables as CSV, figures as PNG, report.html) to {args.out}/")
    _print(f"({format_number(time.perf_counter() - start, 2)} s)")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from sroi.io import load

    analysis = load(args.model, extrapolate_inflation=_inflation(args))
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

    df = load(args.model, extrapolate_inflation=_inflation(args)).break_even(target=args.target)
    found = df["switching_value"].notna()
    if args.explain:
        _print_frame(df.drop(columns=["field"]), percent=("relative_change",))
    else:
        cols = ["outcome", "parameter", "base", "switching_value", "relative_change"]
        _print_frame(df.loc[found, cols], percent=("relative_change",))
        zero_base = df[found & df["relative_change"].isna()]
        if len(zero_base):
            _print("\n(relative change left blank where the estimate's point value is 0)")
        if not found.all():
            _print(f"\nNo value of these estimates alone brings the ratio to {args.target:g}:")
            for r in df[~found].to_dict("records"):
                who = f"{r['outcome']}, " if r["outcome"] else ""
                _print(f"  {who}{r['parameter']}: {r['explanation']}")
    if args.out:
        _write_csv(df, args.out)
    return 0


def _audit(args: argparse.Namespace) -> int:
    from sroi.audit import practice_break_even
    from sroi.io import load

    folder = _OutFolder(args.out, args.overwrite, "audit") if args.out else None
    analysis = load(args.model, extrapolate_inflation=_inflation(args))
    audit = analysis.audit(analysis.simulate(args.n, seed=args.seed))
    _print(audit)
    table = practice_break_even(analysis)
    top = 10
    _print(
        "\nSwitching values: the change in one estimate, alone, that brings the point ratio to each target "
        f"({min(top, len(table))} smallest of {len(table)}; {table.attrs['not_listed']} estimates that cannot "
        "reach all three alone are not listed)"
    )
    _print_frame(table.head(top), index=True, percent=table.columns)
    if folder is not None:
        folder.clear()
        written = [
            _write_csv(audit.table, folder.path("audit.csv")),
            _write_csv(table.reset_index(), folder.path("break_even_practice.csv")),
        ]
        folder.record(written)
        _print(f"\nWrote audit.csv and break_even_practice.csv to {args.out}/")
    return 0


def _monitor(args: argparse.Namespace) -> int:
    from sroi.disclosure import monitor_command

    folder = _OutFolder(args.out, args.overwrite, "monitor") if args.out else None
    if folder is not None:  # the command writes as it goes: stale files go first
        folder.clear()
    _print(
        monitor_command(
            args.model, args.actuals, indicators=args.indicators, out=args.out, n=args.n, seed=args.seed
        )
    )
    if folder is not None:
        names = ("monitoring.csv", "updates.csv", "evaluation.csv", "moved_by.csv", "disclosure.csv")
        folder.record(folder.path(n) for n in names if folder.path(n).is_file())
    return 0


def _export(args: argparse.Namespace) -> int:
    from sroi.io import load

    if not (args.xlsx or args.csv or args.parquet or args.out):
        raise SROIError(
            "nothing to export: give --xlsx FILE, --csv FILE, --parquet FILE or --out FOLDER", "export"
        )
    folder = _OutFolder(args.out, args.overwrite, "export") if args.out else None
    formats = tuple(dict.fromkeys(args.format or ["csv"]))
    if "parquet" in formats or args.parquet:
        _require_pyarrow()
    analysis = load(args.model, extrapolate_inflation=_inflation(args))
    result = analysis.evaluate()
    if args.xlsx:
        from sroi.io import write_value_map_xlsx

        write_value_map_xlsx(analysis, args.xlsx, result=result)
        _print(f"Wrote the Value Map workbook to {args.xlsx} (read it back with: sroi import-xlsx)")
    if args.csv:
        from sroi.io.csv import write_csv_value_map

        write_csv_value_map(analysis, args.csv)
        _print(f"Wrote the Value Map table (one row per outcome) to {args.csv}")
    if args.parquet:
        _write_parquet_value_map(analysis, args.parquet)
        _print(f"Wrote the Value Map table (one row per outcome) to {args.parquet}")
    if folder is not None:
        from sroi.io import export_tables

        folder.clear()
        paths = export_tables(result, folder.folder, formats=formats)
        folder.record(paths)
        _print(f"Wrote {len(paths)} result tables ({', '.join(formats)}) to {args.out}/")
    return 0


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise SROIError(
            "writing Parquet needs pyarrow; install it with: pip install 'sroi[parquet]'", "--parquet"
        ) from None


def _write_parquet_value_map(analysis: Any, path: str) -> None:
    """The Value Map table of :func:`sroi.io.to_frame` as Parquet (cells holding numbers in some
    rows and text in others are written as text, as :func:`sroi.io.export_tables` does)."""
    import io

    from sroi.io import to_frame
    from sroi.safe_yaml import write_file

    frame = to_frame(analysis)
    for j in range(frame.shape[1]):
        col = frame.iloc[:, j]
        if col.dtype == object and len({type(v) for v in col if v is not None}) > 1:
            frame.isetitem(j, col.map(lambda v: v if v is None else str(v)).to_numpy())
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    write_file(path, buffer.getvalue(), "--parquet")


def _credit(args: argparse.Namespace) -> int:
    from sroi.finance import CreditScenario, apply_changes, credit_line, load_credit_scenarios
    from sroi.io import load

    analysis = load(args.model, extrapolate_inflation=_inflation(args))
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
        if float(getattr(line.amount, "magnitude", line.amount)) != 0:  # a zero line: its reason, not zeros
            _print_frame(line.cases.reset_index())
        _print()
    return 0


_CURRENCY_YEAR = re.compile(r"^([A-Z]{3})(?::(\d{4}))?$")


def _currency_year(text: str, option: str) -> tuple[str, int | None]:
    m = _CURRENCY_YEAR.match(text.strip())
    if not m:
        raise SROIError(f"expected CURRENCY or CURRENCY:YEAR such as GBP:2019, got {text!r}", option)
    return m.group(1), int(m.group(2)) if m.group(2) else None


def _inflation(args: argparse.Namespace) -> dict[str, float] | None:
    """``--extrapolate-inflation GBP=0.02`` (repeatable) as {currency: rate}, or None."""
    out: dict[str, float] = {}
    for item in getattr(args, "extrapolate_inflation", None) or ():
        currency, sep, rate = item.partition("=")
        try:
            out[currency.strip().upper()] = float(rate) if sep else float("nan")
        except ValueError:
            out[currency.strip().upper()] = float("nan")
        if out[currency.strip().upper()] != out[currency.strip().upper()]:
            raise SROIError(
                f"expected CURRENCY=RATE such as GBP=0.02 (2% a year), got {item!r:.60}",
                "--extrapolate-inflation",
            )
    return out or None


def _convert(args: argparse.Namespace) -> int:
    from sroi.money import Rates, convert
    from sroi.units import currency_of, format_quantity, parse_quantity

    from_cur, from_year = _currency_year(args.from_, "--from")
    to_cur, to_year = _currency_year(args.to, "--to")
    value = parse_quantity(args.value, "amount", default_unit=from_cur)
    if currency_of(value, "amount") != from_cur:
        raise SROIError(f"the amount {args.value!r} is not in {from_cur} (--from)", "amount")
    rates = Rates.default()
    for currency, rate in (_inflation(args) or {}).items():
        rates = rates.with_extrapolated_inflation(currency, rate)
    out, conv = convert(
        value, to_cur, from_year=from_year, to_year=to_year, basis=args.basis, rates=rates, field=""
    )
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
    import sroi

    parser.add_argument("--version", action="version", version=f"sroi {sroi.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def inflation_arg(p: Any) -> None:
        p.add_argument(
            "--extrapolate-inflation",
            action="append",
            metavar="CUR=RATE",
            help="inflation a year to assume after the packaged price index, e.g. GBP=0.02 (repeatable; "
            "recorded in each conversion; docs/method.md 5.6)",
        )

    def out_args(p: Any, what: str) -> None:
        p.add_argument(
            "--out", metavar="DIR", help=f"folder for {what}; it must be new or empty (see --overwrite)"
        )
        p.add_argument(
            "--overwrite",
            action="store_true",
            help=f"replace the files an earlier run of this command wrote to --out (listed in its {MANIFEST}); "
            "other files are kept",
        )

    def model_arg(p: Any) -> None:
        p.add_argument("model", help="model file (YAML, format 1)")
        inflation_arg(p)

    def mc_args(p: Any, n: int = defaults.DRAWS) -> None:
        p.add_argument("-n", type=int, default=n, help=f"Monte Carlo draws (default {n:,})")
        p.add_argument(
            "--seed", type=int, default=defaults.SEED, help=f"random seed (default {defaults.SEED})"
        )

    p = sub.add_parser(
        "report", help="print the value map and the results; optionally write HTML and xlsx (see also export)"
    )
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
    p.add_argument(
        "--indicators",
        help="indicators file for the report's indicators section (default: the model's block)",
    )
    p.add_argument(
        "--monitoring",
        help="monitoring data (CSV, Parquet or xlsx) for forecast against actual in the report",
    )
    out_args(p, "the tables (CSV), figures (PNG) and report.html")
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

    p = sub.add_parser(
        "audit", help="the over-claim audit, and switching values against 1:1 and published practice"
    )
    model_arg(p)
    mc_args(p)
    out_args(p, "audit.csv and break_even_practice.csv")
    p.set_defaults(func=_audit)

    p = sub.add_parser(
        "monitor", help="forecast against actual, updated estimates, evaluative SROI, disclosure"
    )
    model_arg(p)
    p.add_argument(
        "actuals",
        help="monitoring data (CSV, Parquet or xlsx) with columns indicator, period, value, unit, n, source, note",
    )
    p.add_argument(
        "--indicators",
        help="indicator file (default: the model file's indicators: block, else indicators.yaml beside it)",
    )
    mc_args(p)
    out_args(p, "monitoring.csv, updates.csv, evaluation.csv, moved_by.csv and disclosure.csv")
    p.set_defaults(func=_monitor)

    p = sub.add_parser(
        "export", help="write the Value Map as a workbook, CSV or Parquet, and the result tables to a folder"
    )
    model_arg(p)
    p.add_argument("--xlsx", metavar="FILE", help="the Value Map workbook (reads back with import-xlsx)")
    p.add_argument("--csv", metavar="FILE", help="the Value Map table, one row per outcome, as CSV")
    p.add_argument("--parquet", metavar="FILE", help="the Value Map table as Parquet (needs pyarrow)")
    out_args(p, "every result table (summary, by_outcome, per_year...)")
    p.add_argument(
        "--format",
        action="append",
        choices=["csv", "parquet"],
        help="format of the tables in --out (repeatable; default csv)",
    )
    p.set_defaults(func=_export)

    p = sub.add_parser("credit", help="credit line from the eligible cash (P50/P90, DSCR, haircut)")
    model_arg(p)
    mc_args(p)
    p.add_argument("--scenarios", help="YAML file of credit-line scenarios")
    credit = {name: value for name, value, *_ in defaults.CREDIT}  # the defaults, stated once
    p.add_argument(
        "--haircut",
        type=float,
        help=f"verification/counterparty haircut in (0, 1] (default {credit['haircut']:g})",
    )
    p.add_argument("--dscr-p50", type=float, help=f"DSCR of the P50 case (default {credit['dscr_p50']:.2f})")
    p.add_argument("--dscr-p90", type=float, help=f"DSCR of the P90 case (default {credit['dscr_p90']:.2f})")
    p.add_argument("--loan-rate", type=float, help=f"loan interest rate (default {credit['loan_rate']:g})")
    p.add_argument("--tenor", type=int, help="loan tenor in years (default: capped by the outcome durations)")
    p.set_defaults(func=_credit)

    p = sub.add_parser("convert", help="convert money between currencies and price years (PPP or market)")
    p.add_argument("value", help="amount, e.g. 13000 or '13000 GBP/person'")
    p.add_argument("--from", dest="from_", required=True, help="source CURRENCY:YEAR, e.g. GBP:2019")
    p.add_argument("--to", required=True, help="target CURRENCY:YEAR, e.g. CNY:2023")
    p.add_argument("--basis", choices=["ppp", "market"], default="ppp", help="conversion basis (default ppp)")
    inflation_arg(p)
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
