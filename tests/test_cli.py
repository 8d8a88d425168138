"""The `sroi` command: every subcommand, its help, its exit codes (0 ok, 1 bad input, 2 usage)."""

from __future__ import annotations

import importlib
import json
import math
import re
import subprocess
import sys

import pandas as pd
import pytest

import sroi
from sroi.datasets import dataset_path


def test_cli_report(capsys):
    from sroi.cli import main

    assert main(["report", str(dataset_path("example", "digital_inclusion.yaml"))]) == 0
    out = capsys.readouterr().out
    assert "SROI ratio" in out and "Value map" in out


def test_cli_bad_input_exit_code(tmp_path, capsys):
    from sroi.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        dataset_path("example", "digital_inclusion.yaml")
        .read_text()
        .replace("deadweight: 0.39", "deadweight: 39", 1)
    )
    assert main(["report", str(bad)]) == 1
    assert "outcomes[0].deadweight" in capsys.readouterr().err


def test_cli_usage_exit_code():
    from sroi.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["nonsense"])
    assert exc.value.code == 2


def test_cli_convert_known_answer(capsys):
    from sroi.cli import main
    from sroi.money import conversion_factor

    assert (
        main(["convert", "13000 GBP/person", "--from", "GBP:2019", "--to", "CNY:2023", "--basis", "ppp"]) == 0
    )
    out = capsys.readouterr().out
    factor = conversion_factor("GBP", "CNY", 2019, 2023, basis="ppp").factor
    assert float(out.split()[0]) == pytest.approx(13000 * factor, rel=1e-9)


@pytest.mark.parametrize(
    "argv",
    [
        ["convert", "100", "--from", "EUR", "--to", "GBP:2023"],  # a year is missing
        ["convert", "100", "--from", "gbp:2019", "--to", "CNY:2023"],  # not an ISO code
        ["simulate", "no-such-file.yaml"],
        ["break-even", "no-such-file.yaml"],
    ],
)
def test_cli_bad_input_exits_1(argv, capsys):
    from sroi.cli import main

    assert main(argv) == 1
    assert capsys.readouterr().err.startswith("error:")


@pytest.mark.parametrize(
    "command",
    [
        "report",
        "analyse",
        "simulate",
        "break-even",
        "audit",
        "credit",
        "monitor",
        "export",
        "convert",
        "import-xlsx",
    ],
)
def test_cli_help_everywhere(command, capsys):
    from sroi.cli import main

    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: sroi" in capsys.readouterr().out


def test_cli_simulate_break_even_credit(capsys, tmp_path):
    from sroi.cli import main

    model = str(dataset_path("elderly_mode", "elderly_mode.yaml"))
    assert main(["simulate", model, "-n", "500", "--seed", "1", "--out", str(tmp_path / "d.csv")]) == 0
    assert "P(ratio > 1)" in capsys.readouterr().out
    assert main(["break-even", model, "--out", str(tmp_path / "be.csv")]) == 0
    assert (tmp_path / "be.csv").exists()
    scenarios = str(dataset_path("elderly_mode", "credit_scenarios.yaml"))
    assert main(["credit", model, "--scenarios", scenarios, "-n", "500"]) == 0
    out = capsys.readouterr().out
    assert "== As is" in out and "ILLUSTRATIVE" in out


def test_cli_report_writes_html_and_xlsx_and_imports_back(tmp_path, capsys):
    from sroi.cli import main

    model = str(dataset_path("example", "digital_inclusion.yaml"))
    html, xlsx, back = tmp_path / "r.html", tmp_path / "v.xlsx", tmp_path / "back.yaml"
    assert main(["report", model, "--html", str(html), "--xlsx", str(xlsx), "-n", "500"]) == 0
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert main(["import-xlsx", str(xlsx), "-o", str(back)]) == 0
    assert sroi.load(back) == sroi.load(model)
    capsys.readouterr()


ELDERLY = str(dataset_path("elderly_mode", "elderly_mode.yaml"))
EXAMPLE = str(dataset_path("example", "digital_inclusion.yaml"))


def test_import_sroi_is_light():
    """`import sroi` loads none of the heavy libraries (they load on first use of a name)."""
    code = (
        "import sys, sroi\n"
        "heavy = ['scipy', 'matplotlib', 'statsmodels', 'openpyxl', 'pandas']\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_cli_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from sroi.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED:' + ','.join(m for m in ['scipy', 'matplotlib', 'statsmodels', 'openpyxl', 'pandas'] "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "LOADED:"


def test_lazy_names_still_work():
    assert set(sroi.__all__) <= set(dir(sroi))
    from sroi import Analysis, audit, disclosure

    assert Analysis is sroi.analysis.Analysis
    # a function named like its module stays the function once the module is imported
    importlib.import_module("sroi.audit")
    importlib.import_module("sroi.disclosure")
    assert callable(sroi.audit) and sroi.audit is audit and sroi.audit.__module__ == "sroi.audit"
    assert callable(sroi.disclosure) and sroi.disclosure is disclosure
    with pytest.raises(AttributeError, match="no_such_name"):
        sroi.no_such_name  # noqa: B018


def test_cli_version(capsys):
    from sroi.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"sroi {sroi.__version__}"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234567.8, "1,234,568"),
        (0.000123456, "0.0001235"),
        (-12.5, "-12.5"),
        (3.0, "3"),
        (20000, "20,000"),
        (1e12, "1,000,000,000,000"),
        (-1e-9, "-0.000000001"),
        (float("nan"), ""),
        (float("inf"), "inf"),
        (0.0, "0"),
    ],
)
def test_format_number(value, text):
    from sroi.formatting import format_number

    assert format_number(value) == text


def test_cli_tables_have_no_scientific_notation(capsys):
    from sroi.cli import main

    assert main(["simulate", ELDERLY, "-n", "500", "--seed", "1"]) == 0
    assert main(["break-even", ELDERLY]) == 0
    assert main(["report", EXAMPLE]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\d,\d{3}", out)  # thousands separators are used...
    assert not re.search(r"\d(\.\d+)?e[+-]\d", out)  # ...and never scientific notation


def test_cli_break_even_no_nan_rows_and_says_why(capsys):
    from sroi.cli import main

    assert main(["break-even", ELDERLY]) == 0
    out = capsys.readouterr().out
    assert "nan" not in out.lower().replace("financ", "")
    df = sroi.load(ELDERLY).break_even()
    missing = df[df["switching_value"].isna()]
    assert len(missing)  # the model has estimates that cannot reach 1:1 alone
    assert "No value of these estimates alone brings the ratio to 1" in out
    for r in missing.to_dict("records"):
        assert r["explanation"][:40] in out


def test_break_even_zero_value_outcome_is_explained_by_its_value_not_timing():
    a = sroi.Analysis(
        "Zero",
        "GBP",
        [
            sroi.Outcome("A", "Valued", quantity="100 person", proxy="50 GBP/person", duration=5),
            sroi.Outcome(
                "B", "Nothing", quantity="0 person", proxy="50 GBP/person", duration=5, drop_off=0.2
            ),
        ],
        [sroi.Input("Funder", "Grant", "1000 GBP")],
    )
    df = a.break_even().set_index(["outcome", "parameter"])
    for parameter in ("drop_off", "duration", "quantity"):
        why = df.loc[("B: Nothing", parameter), "explanation"]
        assert "adds no present value" in why, why
        assert math.isnan(df.loc[("B: Nothing", parameter), "switching_value"])


def test_cli_audit_prints_and_writes(tmp_path, capsys):
    from sroi.cli import MANIFEST, main

    out_dir = tmp_path / "audit"
    assert main(["audit", ELDERLY, "-n", "1000", "--out", str(out_dir)]) == 0
    text = capsys.readouterr().out
    assert "SROI audit:" in text and "practice median" in text and "Switching values" in text
    assert not re.search(r"\d(\.\d+)?e[+-]\d", text)
    audit = pd.read_csv(out_dir / "audit.csv")
    assert set(audit["status"]) <= {"pass", "warn", "fail"}
    table = pd.read_csv(out_dir / "break_even_practice.csv")
    assert list(table.columns[:3]) == ["outcome", "parameter", "1:1"]
    manifest = json.loads((out_dir / MANIFEST).read_text())
    assert manifest["files"] == {"audit.csv": "audit", "break_even_practice.csv": "audit"}


def test_practice_break_even_reaches_each_target():
    from sroi.audit import practice_break_even

    a = sroi.load(EXAMPLE)
    table = practice_break_even(a)
    targets = table.attrs["targets"]
    base = a.break_even(1.0).set_index(["outcome", "parameter"])
    (outcome, parameter), row = next(iter(table.iterrows()))
    for label, target in targets.items():
        be = a.break_even(target).set_index(["outcome", "parameter"])
        assert row[label] == pytest.approx(be.loc[(outcome, parameter), "relative_change"], rel=1e-12)
    assert table.attrs["not_listed"] == len(base) - len(table)


def test_cli_monitor(tmp_path, capsys):
    from sroi.cli import MANIFEST, main

    actuals = str(dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_monitoring.csv"))
    out_dir = tmp_path / "mon"
    assert main(["monitor", ELDERLY, actuals, "-n", "1000", "--seed", "2", "--out", str(out_dir)]) == 0
    text = capsys.readouterr().out
    assert "Disclosure:" in text
    files = json.loads((out_dir / MANIFEST).read_text())["files"]
    assert set(files) == {"monitoring.csv", "updates.csv", "evaluation.csv", "moved_by.csv", "disclosure.csv"}


def test_cli_monitor_without_indicators_is_one_line(tmp_path, capsys):
    from sroi.cli import main

    model = tmp_path / "m.yaml"
    model.write_text(dataset_path("elderly_mode", "elderly_mode.yaml").read_text(encoding="utf-8"))
    actuals = str(dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_monitoring.csv"))
    assert main(["monitor", str(model), actuals, "-n", "100"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "--indicators" in err


def test_cli_export_round_trips(tmp_path, capsys):
    from sroi.cli import main
    from sroi.io.csv import read_csv_value_map

    xlsx, csv, parquet = tmp_path / "v.xlsx", tmp_path / "v.csv", tmp_path / "v.parquet"
    argv = ["export", EXAMPLE, "--xlsx", str(xlsx), "--csv", str(csv), "--parquet", str(parquet)]
    assert main([*argv, "--out", str(tmp_path / "tables"), "--format", "csv", "--format", "parquet"]) == 0
    capsys.readouterr()
    model = sroi.load(EXAMPLE)
    assert sroi.read_value_map_xlsx(xlsx) == model
    expected = sroi.to_frame(model)
    assert read_csv_value_map(csv)["stakeholder"].tolist() == expected["stakeholder"].tolist()
    assert pd.read_parquet(parquet)["outcome"].tolist() == expected["outcome"].tolist()
    summary = pd.read_csv(tmp_path / "tables" / "summary.csv")
    assert len(summary) and (tmp_path / "tables" / "by_outcome.parquet").is_file()


def test_cli_export_needs_a_target(capsys):
    from sroi.cli import main

    assert main(["export", EXAMPLE]) == 1
    assert "nothing to export" in capsys.readouterr().err


def test_cli_out_refuses_a_non_empty_folder_and_overwrite_clears_only_its_files(tmp_path, capsys):
    from sroi.cli import MANIFEST, main

    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "mine.txt").write_text("the user's own notes")
    # a non-empty folder without a manifest: refused, with or without --overwrite
    for extra in ([], ["--overwrite"]):
        assert main(["export", EXAMPLE, "--out", str(folder), *extra]) == 1
        assert "--out" in capsys.readouterr().err
    (folder / "mine.txt").unlink()
    assert main(["export", EXAMPLE, "--out", str(folder)]) == 0
    written = set(json.loads((folder / MANIFEST).read_text())["files"])
    assert "summary.csv" in written
    (folder / "mine.txt").write_text("the user's own notes")
    (folder / "stale.csv").write_text("a file sroi wrote for an earlier model")
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"]["stale.csv"] = "export"
    manifest["files"]["../escape.txt"] = "export"  # never followed out of the folder
    (folder / MANIFEST).write_text(json.dumps(manifest))
    (tmp_path / "escape.txt").write_text("outside")
    assert main(["export", EXAMPLE, "--out", str(folder)]) == 1
    assert "not empty" in capsys.readouterr().err and (folder / "stale.csv").exists()
    assert main(["export", EXAMPLE, "--out", str(folder), "--overwrite"]) == 0
    assert not (folder / "stale.csv").exists()
    assert (folder / "mine.txt").read_text() == "the user's own notes"
    assert (tmp_path / "escape.txt").exists()
    assert set(json.loads((folder / MANIFEST).read_text())["files"]) == written


def test_cli_overwrite_keeps_another_commands_files(tmp_path, capsys):
    from sroi.cli import MANIFEST, main

    folder = tmp_path / "out"
    assert main(["export", EXAMPLE, "--out", str(folder)]) == 0
    assert main(["audit", EXAMPLE, "-n", "200", "--out", str(folder), "--overwrite"]) == 0
    assert main(["export", EXAMPLE, "--out", str(folder), "--overwrite"]) == 0
    capsys.readouterr()
    files = json.loads((folder / MANIFEST).read_text())["files"]
    assert files["audit.csv"] == "audit" and files["summary.csv"] == "export"
    assert (folder / "audit.csv").is_file()


def test_one_default_for_draws_and_interval():
    """The command line, `simulate` and `Simulation.interval` all use sroi.defaults."""
    import inspect

    from sroi import defaults
    from sroi.cli import build_parser
    from sroi.uncertainty import Simulation, simulate

    parser = build_parser()
    for command in ("report", "analyse", "simulate", "audit", "credit", "monitor"):
        args = parser.parse_args([command, "m.yaml", *(["a.csv"] if command == "monitor" else [])])
        assert args.n == defaults.DRAWS, command
    assert inspect.signature(simulate).parameters["n"].default == defaults.DRAWS
    assert inspect.signature(sroi.Analysis.simulate).parameters["n"].default == defaults.DRAWS
    assert inspect.signature(Simulation.interval).parameters["level"].default == defaults.INTERVAL_LEVEL
    assert inspect.signature(Simulation.headline).parameters["level"].default == defaults.INTERVAL_LEVEL
    assert inspect.signature(sroi.analyse).parameters["n"].default == defaults.DRAWS
    sim = sroi.load(EXAMPLE).simulate(200, seed=1)
    assert sim.interval() == sim.interval(defaults.INTERVAL_LEVEL)


def test_cli_overwrite_keeps_the_old_files_when_the_command_fails(tmp_path, capsys):
    from sroi.cli import main

    folder = tmp_path / "out"
    assert main(["export", EXAMPLE, "--out", str(folder)]) == 0
    assert main(["export", str(tmp_path / "no-such-model.yaml"), "--out", str(folder), "--overwrite"]) == 1
    capsys.readouterr()
    assert (folder / "summary.csv").is_file()


def test_credit_defaults_in_the_help_are_the_ones_credit_line_uses(capsys):
    import inspect

    from sroi import defaults
    from sroi.cli import main
    from sroi.finance import credit_line

    signature = inspect.signature(credit_line).parameters
    with pytest.raises(SystemExit):
        main(["credit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name, value, *_ in defaults.CREDIT:
        assert signature[name].default == value, name
    assert "(default 0.8)" in text and "(default 1.40)" in text and "(default 0.04)" in text


def test_cli_analyse_with_indicators_and_monitoring_reports_them(tmp_path, capsys):
    from sroi.cli import main

    indicators = str(dataset_path("elderly_mode", "indicators.yaml"))
    actuals = str(dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_monitoring.csv"))
    out_dir = tmp_path / "out"
    argv = ["analyse", ELDERLY, "-n", "500", "--indicators", indicators, "--monitoring", actuals]
    assert main([*argv, "--out", str(out_dir)]) == 0
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="indicators-and-disclosure"' in html


def test_cli_analyse_monitoring_without_indicators_is_one_line(capsys):
    from sroi.cli import main

    model = str(dataset_path("example", "digital_inclusion.yaml"))
    assert main(["analyse", model, "-n", "100", "--monitoring", "actuals.csv"]) == 1
    err = capsys.readouterr().err
    assert "needs indicators" in err and "--indicators FILE" in err and "Traceback" not in err
