"""Result tables to CSV and Parquet; the Value Map CSV; formula escaping."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sroi
from sroi.datasets import dataset_path
from sroi.exceptions import SROIError
from sroi.io import (
    FORMULA_TRIGGERS,
    RESULT_TABLES,
    escape_formula,
    export_tables,
    outcomes_from_frame,
    read_csv_value_map,
    read_value_map,
    unescape_formula,
    write_csv_value_map,
)


@pytest.fixture
def elderly():
    return sroi.load(dataset_path("elderly_mode", "elderly_mode.yaml"))


def injected() -> sroi.Analysis:
    return sroi.Analysis(
        "Injection",
        "GBP",
        outcomes=[
            sroi.Outcome("=HYPERLINK(\"http://evil\")", "+1", indicator="@SUM(A1)", quantity="2 person",
                         proxy="5 GBP/person", source="-x", proxy_source="=Tab", duration=2),
            sroi.Outcome("'=quoted", "it's fine", quantity="1 person", proxy="5 GBP/person"),
        ],
        inputs=[sroi.Input("Funder", "Grant", "10 GBP")],
    )  # fmt: skip


def test_export_result_tables_csv(elderly, tmp_path):
    result = elderly.evaluate()
    paths = export_tables(result, tmp_path / "out", prefix="em_")
    assert [p.name for p in paths] == [f"em_{name}.csv" for name in RESULT_TABLES]
    by = pd.read_csv(tmp_path / "out" / "em_by_outcome.csv")
    pd.testing.assert_series_equal(by["present_value"], result.by_outcome["present_value"], rtol=1e-12)
    per_year = pd.read_csv(tmp_path / "out" / "em_per_year.csv")
    assert list(per_year["period"]) == list(result.per_year.index)
    summary = pd.read_csv(tmp_path / "out" / "em_summary.csv")
    assert list(summary["metric"]) == list(result.summary.index)
    tiers = pd.read_csv(tmp_path / "out" / "em_value_by_tier.csv")
    assert tiers["period"].iloc[-1] == "present_value"


def test_export_parquet(elderly, tmp_path):
    result = elderly.evaluate()
    paths = export_tables(result, tmp_path, formats=("csv", "parquet"))
    assert len(paths) == 2 * len(RESULT_TABLES)
    by = pd.read_parquet(tmp_path / "by_outcome.parquet")
    pd.testing.assert_frame_equal(by, result.by_outcome, check_like=True)
    per = pd.read_parquet(tmp_path / "per_year_by_outcome.parquet")
    assert per.shape[1] == result.per_year_by_outcome.shape[1] + 1  # plus the period column
    conv = pd.read_parquet(tmp_path / "conversions.parquet")
    assert len(conv) == len(result.conversions)
    tiers = pd.read_parquet(tmp_path / "value_by_tier.parquet")
    assert list(tiers["period"]) == [str(v) for v in result.value_by_tier.index]
    assert tiers["period"].iloc[-1] == "present_value"


def test_parquet_without_pyarrow_says_what_to_install(elderly, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(SROIError, match=r"pip install 'sroi\[parquet\]'"):
        export_tables(elderly.evaluate(), tmp_path, formats="parquet")
    assert not list(tmp_path.iterdir())  # nothing half written


def test_duck_typed_tables_and_mappings(tmp_path):
    class Report:
        def tables(self):
            return {
                "draws": pd.DataFrame({"ratio": [1.5, 2.5]}),
                "dup": pd.DataFrame([[1, 2]], columns=["a", "a"]),
            }

    paths = export_tables(Report(), tmp_path, formats=["csv", "parquet"])
    assert sorted(p.name for p in paths) == ["draws.csv", "draws.parquet", "dup.csv", "dup.parquet"]
    assert list(pd.read_parquet(tmp_path / "dup.parquet").columns) == ["a", "a (2)"]
    assert export_tables({"x": pd.DataFrame({"a": [1]})}, tmp_path)[0].name == "x.csv"


@pytest.mark.parametrize(
    ("obj", "kwargs", "match"),
    [
        (object(), {}, "expected an sroi Result"),
        ({"x": [1, 2]}, {}, "expected a DataFrame"),
        ({"../evil": pd.DataFrame()}, {}, "plain file name"),
        ({"x": pd.DataFrame()}, {"prefix": "../"}, "expected a prefix"),
        ({"x": pd.DataFrame()}, {"formats": ("xlsx",)}, "unknown format"),
        ({"x": pd.DataFrame()}, {"formats": ()}, "at least one format"),
    ],
)
def test_export_errors(tmp_path, obj, kwargs, match):
    with pytest.raises(SROIError, match=match):
        export_tables(obj, tmp_path, **kwargs)


def test_tables_method_must_return_a_mapping(tmp_path):
    class Bad:
        def tables(self):
            return [pd.DataFrame()]

    with pytest.raises(SROIError, match="expected a dict"):
        export_tables(Bad(), tmp_path)


def test_csv_export_escapes_formulas(tmp_path):
    result = injected().evaluate()
    export_tables(result, tmp_path)
    text = (tmp_path / "by_outcome.csv").read_text()
    assert "'=HYPERLINK" in text and "\n=" not in text and ",=" not in text
    by = pd.read_csv(tmp_path / "by_outcome.csv")
    assert by["stakeholder"][0] == '\'=HYPERLINK("http://evil")'
    assert by["outcome"][0] == "'+1" and by["indicator"][0] == "'@SUM(A1)"
    per = pd.read_csv(tmp_path / "per_year_by_outcome.csv")
    assert list(per.columns) == ["period", '\'=HYPERLINK("http://evil"): +1', "''=quoted: it's fine"]
    assert by["present_value"][0] > 0  # numbers stay numbers


def test_value_map_csv_round_trip(tmp_path):
    a = injected()
    path = write_csv_value_map(a, tmp_path / "vm.csv")
    lines = path.read_text().splitlines()
    assert lines[1].startswith("\"'=HYPERLINK")
    assert outcomes_from_frame(read_csv_value_map(path)) == list(a.outcomes)
    # sroi.io.read_value_map reads the file too (the escaped text stays escaped)
    frame = read_value_map(path)
    assert frame["stakeholder"][0] == '\'=HYPERLINK("http://evil")'


def test_value_map_csv_datasets(elderly, tmp_path):
    path = write_csv_value_map(elderly, tmp_path / "vm.csv")
    assert outcomes_from_frame(read_value_map(path)) == list(elderly.outcomes)
    assert outcomes_from_frame(read_csv_value_map(path)) == list(elderly.outcomes)


def test_value_map_csv_errors(tmp_path):
    with pytest.raises(SROIError, match="expected an sroi.Analysis"):
        write_csv_value_map("x", tmp_path / "vm.csv")  # type: ignore[arg-type]
    with pytest.raises(SROIError, match="no such file"):
        read_csv_value_map(tmp_path / "missing.csv")
    with pytest.raises(SROIError, match="expected text"):
        escape_formula(3)  # type: ignore[arg-type]


@given(st.text(max_size=12))
@settings(max_examples=200)
def test_escape_is_undone_exactly(text):
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    assert escaped.lstrip("'")[:1] not in FORMULA_TRIGGERS or escaped.startswith("'")
    assert escaped[:1] not in FORMULA_TRIGGERS


@given(st.text(alphabet="'=+-@\t\rab", max_size=8))
def test_escape_round_trip_on_quote_heavy_text(text):
    assert unescape_formula(escape_formula(text)) == text
