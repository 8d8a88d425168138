"""Disclosure table, its export, the report section and the `sroi monitor` command body
(sroi.disclosure, docs/method.md §12.7)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import sroi
from sroi.datasets import dataset_path
from sroi.disclosure import COLUMNS, FRAMEWORK_CODES, html_section, monitor_command, write_disclosure
from sroi.disclosure import disclosure as disclosure_table
from sroi.exceptions import SROIError
from sroi.indicators import Indicator, IndicatorSystem, load_indicators

MODEL = dataset_path("elderly_mode", "elderly_mode.yaml")
SYNTHETIC = dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_monitoring.csv")


@pytest.fixture(scope="module")
def elderly():
    a = sroi.load(MODEL)
    return a.replace(indicators=load_indicators(dataset_path("elderly_mode", "indicators.yaml"), a))


@pytest.fixture(scope="module")
def monitoring(elderly):
    return elderly.monitor(SYNTHETIC, n=2000, seed=1)


def test_forecast_disclosure_without_monitoring(elderly):
    t = disclosure_table(elderly, n=2000, seed=1)
    assert tuple(t.columns) == COLUMNS
    assert sroi.disclosure is disclosure_table  # also at the top level
    codes = set(zip(t["framework"], t["code"], strict=True))
    for key, code in [
        ("GRI Standards", "203-2"),
        ("HKEX ESG Reporting Code", "B8"),
        ("ESRS", "S4"),
        ("SDG target", "10.2"),
        ("SDG target", "9.c"),
        ("IRIS+ metric", "PI4060"),
        ("Impact Management Project", "contribution"),
        ("SROI", "ratio"),
    ]:
        assert (key, code) in codes
    reach = t[(t["indicator"] == "active_older_users") & (t["code"] == "203-2")].iloc[0]
    assert reach["basis"].startswith("forecast")
    assert reach["interval_low"] < reach["value"] < reach["interval_high"]
    # indicators with neither data nor forecast are listed, not left out
    assert set(t["indicator"]) - {""} == set(elderly.indicators.ids)


def test_disclosure_with_monitoring_states_measurement_uncertainty(elderly, monitoring):
    t = disclosure_table(elderly, monitoring)
    share = t[(t["indicator"] == "active_share") & (t["code"] == "S4")]
    assert list(share["period"]) == ["1", "2"]
    assert share["measurement_uncertainty"].str.contains("n = 1,500").all()
    reach = t[(t["indicator"] == "active_older_users") & (t["code"] == "203-2")]
    assert reach["measurement_uncertainty"].str.contains("5% relative").all()
    assert (reach["status"] == "at risk").all() or set(reach["status"]) <= {
        "on track",
        "at risk",
        "off track",
    }
    sroi_rows = t[t["framework"] == "SROI"]
    assert {"SROI ratio, forecast", "SROI ratio, evaluative SROI to date (actuals)"} <= set(
        sroi_rows["metric"]
    )


def test_code_titles_only_where_verified(elderly, monitoring):
    t = disclosure_table(elderly, monitoring)
    b8 = t[t["code"] == "B8"]
    assert (b8["code_title"] == "").all()  # the HKEX B8 text could not be checked: left blank
    gri = t[t["code"] == "203-2"]
    assert (gri["code_title"] == FRAMEWORK_CODES[("gri", "203-2")][0]).all()
    for _, source in FRAMEWORK_CODES.values():
        assert source


def test_export_csv_and_xlsx_escapes_formulas(tmp_path):
    t = pd.DataFrame([dict.fromkeys(COLUMNS, "")])
    t["metric"] = "=HYPERLINK(1)"
    t["value"] = 1.5
    write_disclosure(t, tmp_path / "d.csv")
    assert "'=HYPERLINK" in (tmp_path / "d.csv").read_text(encoding="utf-8")
    write_disclosure(t, tmp_path / "d.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "d.xlsx")["disclosure"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("metric") + 1)
    assert cell.value == "'=HYPERLINK(1)" and cell.data_type == "s"
    with pytest.raises(SROIError, match=r"\.csv or \.xlsx"):
        write_disclosure(t, tmp_path / "d.pdf")


def test_html_section(elderly, monitoring):
    text = html_section(elderly, monitoring)
    assert text.startswith('<section id="indicators-and-disclosure">') and text.endswith("</section>")
    for heading in ("Forecast against actual", "Estimates updated", "Evaluative SROI", "Disclosure"):
        assert heading in text
    assert "data:image/png;base64," in text


def test_html_section_escapes_and_handles_no_indicators():
    a = sroi.Analysis(
        "Plain",
        "GBP",
        outcomes=[sroi.Outcome("People", "Better", quantity="10 person", proxy="10 GBP/person")],
        inputs=[sroi.Input("Funder", "Grant", "10 GBP")],
    )
    assert "No indicator system" in html_section(a)
    b = a.replace(
        indicators=IndicatorSystem((Indicator("x", "<script>alert(1)</script>", targets={1: 1.0}),))
    )
    text = html_section(b)
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_monitor_command_on_the_shipped_files(tmp_path):
    text = monitor_command(MODEL, SYNTHETIC, out=tmp_path / "out", n=1000, seed=2)
    assert "Evaluation to period 2" in text and "Disclosure:" in text
    for name in ("monitoring", "updates", "evaluation", "moved_by", "disclosure"):
        assert (tmp_path / "out" / f"{name}.csv").is_file()


def test_monitor_command_needs_indicators(tmp_path):
    model = tmp_path / "m.yaml"
    model.write_text(MODEL.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SROIError, match="--indicators"):
        monitor_command(model, SYNTHETIC, n=100)
