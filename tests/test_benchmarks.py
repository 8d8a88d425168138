"""Tests of sroi.benchmarks: assumptions against published SROI practice (docs/method.md §10)."""

from __future__ import annotations

import json
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from sroi.benchmarks import check_analysis, compare_to_practice, practice_benchmarks
from sroi.datasets import dataset_path
from sroi.exceptions import SROIError, SROIWarning


def test_benchmarks_match_the_source_json_as_fractions():
    # "SROI Practice at Scale", jcmunozmora/sroi-meta-analysis, data/factor_benchmarks.json.
    with open(dataset_path("benchmarks", "sroi_practice_factor_benchmarks.json"), encoding="utf-8") as fh:
        source = json.load(fh)["factors"]
    table = practice_benchmarks().set_index("factor")
    for factor in ("deadweight", "attribution", "drop_off", "discount_rate"):
        for stat in ("p10", "p25", "median", "mean", "p75", "p90", "sd"):
            np.testing.assert_allclose(table.loc[factor, stat], source[factor][stat] / 100, rtol=1e-12)
        assert table.loc[factor, "n"] == source[factor]["n"]
    np.testing.assert_allclose(table.loc["sroi_ratio", "median"], 3.56, rtol=1e-12)  # a ratio, not %
    assert "383 reports" in practice_benchmarks().attrs["source"]


def test_benchmarks_match_the_method_table():
    # docs/method.md §10 prints the percentiles to one decimal (percent), so compare at 0.05 points.
    table = practice_benchmarks().set_index("factor")
    method = {
        "deadweight": (154, 5.2, 10.0, 20.0, 26.0, 34.8, 50.0),
        "attribution": (216, 10.0, 15.0, 25.5, 30.9, 42.0, 53.0),
        "drop_off": (90, 10.0, 10.0, 21.5, 29.1, 50.0, 50.0),
        "discount_rate": (246, 3.5, 3.5, 3.5, 4.1, 3.5, 4.4),
    }
    for factor, (n, *values) in method.items():
        assert table.loc[factor, "n"] == n
        got = table.loc[factor, ["p10", "p25", "median", "mean", "p75", "p90"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got * 100, values, atol=0.05 + 1e-9)


def test_columns():
    assert list(practice_benchmarks().columns) == [
        "factor",
        "n",
        "p10",
        "p25",
        "median",
        "mean",
        "p75",
        "p90",
        "sd",
        "unit",
    ]
    assert list(compare_to_practice([]).columns) == [
        "field",
        "factor",
        "value",
        "band",
        "outside_p10_p90",
        "note",
    ]


@pytest.mark.parametrize(
    ("factor", "value", "band", "outside"),
    [
        ("deadweight", 0.0, "below P10", True),
        ("deadweight", 0.052, "P10-P25", False),  # equal to P10: inside
        ("deadweight", 0.15, "P25-P50", False),
        ("deadweight", 0.30, "P50-P75", False),
        ("deadweight", 0.40, "P75-P90", False),
        ("deadweight", 0.50, "P75-P90", False),  # equal to P90: inside
        ("deadweight", 0.51, "above P90", True),
        ("attribution", 0.12, "P10-P25", False),
        ("drop_off", 0.10, "P25-P50", False),  # P10 = P25 = 10%: band nearest the median
        ("drop_off", 0.05, "below P10", True),
        ("drop_off", 1.0, "above P90", True),
        ("discount_rate", 0.035, "P25-P50", False),  # P10 = P25 = P50 = P75 = 3.5%
        ("discount_rate", 0.04, "P75-P90", False),
        ("discount_rate", 0.06, "above P90", True),
        ("discount_rate", 0.0, "below P10", True),
        ("sroi_ratio", 12.0, "above P90", True),
    ],
)
def test_bands(factor, value, band, outside):
    row = compare_to_practice([("f", factor, value)]).iloc[0]
    assert row["band"] == band
    assert bool(row["outside_p10_p90"]) is outside
    assert row["note"]


def test_tied_percentiles_are_named_in_the_note():
    note = compare_to_practice([("discount_rate", "discount_rate", 0.035)]).loc[0, "note"]
    assert "equal to P10, P25, P50, P75" in note


def test_compare_errors():
    with pytest.raises(SROIError, match=r"^x: unknown factor 'displacement'"):
        compare_to_practice([("x", "displacement", 0.1)])
    with pytest.raises(SROIError, match=r"outcomes\[0\]\.deadweight: .*looks like a percentage: use 0\.2"):
        compare_to_practice([("outcomes[0].deadweight", "deadweight", 20)])
    with pytest.raises(SROIError, match="expected a number"):
        compare_to_practice([("x", "deadweight", "high")])
    with pytest.raises(SROIError, match=r"rows\[0\]: expected a \(field, factor, value\) triple"):
        compare_to_practice([("x", 0.2)])  # type: ignore[list-item]
    with pytest.raises(SROIError, match="finite"):
        compare_to_practice([("x", "sroi_ratio", float("nan"))])


class _Estimate:
    """Stands in for an uncertain estimate with a central value."""

    def __init__(self, central: float) -> None:
        self._central = central

    def central(self) -> float:
        return self._central


def _analysis():
    outcomes = [
        SimpleNamespace(deadweight=0.2, attribution=_Estimate(0.9), drop_off=0.1),
        SimpleNamespace(deadweight=np.float64(0.0), attribution=0.3, drop_off=None),
    ]
    return SimpleNamespace(outcomes=outcomes, discount_rate=[0.035, 0.03])


def test_check_analysis_builds_rows_and_warns_once():
    with pytest.warns(SROIWarning) as record:
        table = check_analysis(_analysis())
    assert len(record) == 1
    message = str(record[0].message)
    assert "outcomes[0].attribution = 90.0% (above P90)" in message
    assert "outcomes[1].deadweight = 0.0% (below P10)" in message
    assert table["field"].tolist() == [
        "outcomes[0].deadweight",
        "outcomes[0].attribution",
        "outcomes[0].drop_off",
        "outcomes[1].deadweight",
        "outcomes[1].attribution",
        "discount_rate",
    ]
    assert table.loc[table["field"] == "discount_rate", "value"].item() == 0.035  # first of the schedule


def test_check_analysis_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = check_analysis(_analysis(), warn=False)
    assert table["outside_p10_p90"].sum() == 2


def test_check_analysis_in_practice_does_not_warn():
    analysis = SimpleNamespace(
        outcomes=[SimpleNamespace(deadweight=0.2, attribution=0.25, drop_off=0.2)], discount_rate=0.035
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = check_analysis(analysis)
    assert not table["outside_p10_p90"].any()


def test_check_analysis_bad_value_names_the_field():
    analysis = SimpleNamespace(outcomes=[SimpleNamespace(deadweight={"a": 1})], discount_rate=0.035)
    with pytest.raises(SROIError, match=r"outcomes\[0\]\.deadweight"):
        check_analysis(analysis, warn=False)


class _Ref:
    """Stands in for a reference to a named parameter of the analysis."""

    def __init__(self, name: str) -> None:
        self.name = name


def test_check_analysis_resolves_named_parameters():
    analysis = SimpleNamespace(
        outcomes=[SimpleNamespace(deadweight=_Ref("dw"), attribution=_Ref("attr"), drop_off=0.1)],
        discount_rate=0.035,
        parameters={"dw": _Estimate(0.25), "attr": 0.3},
    )
    table = check_analysis(analysis, warn=False)
    assert table["value"].tolist() == [0.25, 0.3, 0.1, 0.035]
