"""Model files and value-map tables: lossless round trips."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import sroi
from sroi.datasets import dataset_path
from sroi.io import outcomes_from_frame, read_value_map, to_frame


@pytest.fixture
def example():
    return sroi.load(dataset_path("example", "digital_inclusion.yaml"))


def test_save_load_identical(example, tmp_path):
    path = sroi.save(example, tmp_path / "m.yaml")
    again = sroi.load(path)
    assert again == example
    assert again.evaluate().ratio == example.evaluate().ratio


def test_round_trip_distributions_params_profiles(tmp_path):
    a = sroi.Analysis(
        "t",
        "GBP",
        outcomes=[
            sroi.Outcome(
                "s",
                "o",
                quantity=sroi.Uniform(800, 1200, unit=sroi.ureg.person),
                proxy="5 GBP/person",
                deadweight=sroi.Triangular(0.1, 0.2, 0.4),
                attribution=sroi.Ref("attr"),
                drop_off=sroi.Beta(2, 8),
            ),
            sroi.Outcome(
                "s",
                "p",
                quantity=["3 person", "2 person"],
                proxy="7 GBP/person/year",
                attribution=sroi.Ref("attr"),
                quantity_factors=(),
            ),
        ],
        inputs=[sroi.Input("F", "g", "100 GBP", year=1, source="x")],
        parameters={"attr": sroi.Pert(0.1, 0.25, 0.5)},
        discount_rate=[0.035, 0.03],
        correlations=[("attr", "outcomes[0].deadweight", 0.5)],
    )
    sroi.save(a, tmp_path / "m.yaml")
    assert sroi.load(tmp_path / "m.yaml") == a


def test_frame_round_trip(example):
    frame = to_frame(example)
    assert list(frame.columns[:6]) == ["stakeholder", "outcome", "indicator", "source", "quantity", "proxy"]
    assert outcomes_from_frame(frame) == list(example.outcomes)


def test_read_value_map_csv(example):
    buf = io.StringIO()
    to_frame(example).to_csv(buf, index=False)
    buf.seek(0)
    frame = read_value_map(buf)
    assert len(frame) == len(example.outcomes)
    assert outcomes_from_frame(frame) == list(example.outcomes)


def test_read_value_map_names_row_and_column():
    frame = pd.DataFrame(
        {
            "stakeholder": ["a", "b"],
            "outcome": ["x", "y"],
            "quantity": ["1 person", "2 person"],
            "proxy": ["1 GBP/person", "1 GBP/person"],
            "deadweight": ["0.1", "12"],
        }
    )
    with pytest.raises(sroi.SROIError, match="row 3, column deadweight"):
        read_value_map(frame)


def test_read_value_map_unknown_column():
    frame = pd.DataFrame(
        {
            "stakeholder": ["a"],
            "outcome": ["x"],
            "quantity": ["1 person"],
            "proxy": ["1 GBP/person"],
            "deadwieght": [0.1],
        }
    )
    with pytest.raises(sroi.SROIError, match="deadwieght.*did you mean 'deadweight'"):
        read_value_map(frame)


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


def test_model_file_references_stored_estimates(tmp_path):
    # issue #5: a model file may reference estimates stored by sroi.evidence.save_estimates
    from sroi.evidence import Estimate, save_estimates

    est = Estimate(0.4, 0.02, 0.36, 0.44, n=500, method="hand-made for the test", scale="share", name="dw")
    save_estimates({"dw_estimated": est}, tmp_path / "estimates.yaml")
    text = dataset_path("example", "digital_inclusion.yaml").read_text()
    text = text.replace("deadweight: 0.39", "deadweight: {param: dw_estimated}", 1)
    text = text.replace("inputs:", "parameters_from: estimates.yaml\ninputs:", 1)
    (tmp_path / "model.yaml").write_text(text)
    a = sroi.load(tmp_path / "model.yaml")
    assert a.parameters["dw_estimated"].central() == pytest.approx(0.4)
    assert sroi.load(sroi.save(a, tmp_path / "again.yaml")) == a  # saved inline, identical
    with pytest.raises(sroi.SROIError, match="parameters_from"):
        sroi.loads(text)
