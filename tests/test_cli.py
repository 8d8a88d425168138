"""The `sroi` command: every subcommand, its help, its exit codes (0 ok, 1 bad input, 2 usage)."""

from __future__ import annotations

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
    "command", ["report", "analyse", "simulate", "break-even", "credit", "convert", "import-xlsx"]
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
