"""The indicator system (sroi.indicators, docs/method.md §12.1 and §12.6)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sroi
from sroi.datasets import dataset_path
from sroi.exceptions import SROIError, UnitError
from sroi.finance import KPI, margin_ratchet
from sroi.indicators import (
    FRAMEWORKS,
    Indicator,
    IndicatorSystem,
    calibrate_targets,
    indicators_from_dict,
    load_indicators,
)

MODEL = dataset_path("elderly_mode", "elderly_mode.yaml")
INDICATORS = dataset_path("elderly_mode", "indicators.yaml")


@pytest.fixture(scope="module")
def elderly():
    return sroi.load(MODEL)


def small(**kw):
    """100 people x share better x hours (PERT 1-2-4 a year) x 10 GBP/hour, deadweight 0.25;
    share ~ Beta(40, 60)."""
    base = dict(
        name="Small",
        currency="GBP",
        outcomes=[
            sroi.Outcome(
                "People",
                "Better",
                id="better",
                quantity="100 person",
                proxy="10 GBP/hour",
                quantity_factors=(sroi.Ref("share"), sroi.Pert(1, 2, 4, unit="hour/person/year")),
                deadweight=0.25,
            )
        ],
        inputs=[sroi.Input("Funder", "Grant", "100 GBP")],
        parameters={"share": sroi.Beta(40, 60)},
    )
    base.update(kw)
    return sroi.Analysis(**base)


def test_the_elderly_mode_system_binds_to_the_model(elderly):
    system = load_indicators(INDICATORS, elderly)
    assert 8 <= len(system) <= 12
    measures = system.bind(elderly)
    linked = [m for m in measures if m.keys]
    assert {"active_older_users", "counterfactual_independence", "fraud_losses_share"} <= {
        m.id for m in linked
    }
    reach = next(m for m in measures if m.id == "active_older_users")
    # devices x share in use in China x older users per device x active share (A1-A3), point values
    assert reach.point() == pytest.approx(120_000_000 * 0.62 * 0.13 * 0.144, rel=1e-12)
    # every outcome's incidence is measured
    covered = {o for m in linked for o in m.outcomes if len(m.keys) == 1 and m.share and not m.filters}
    assert set(elderly.outcome_ids) - {"time_saved"} <= covered
    for ind in system:
        assert ind.frameworks, f"{ind.id} has no framework tag"
        assert ind.imp, f"{ind.id} has no Impact Management Project dimension"


def test_indicators_in_the_model_file_round_trip(elderly):
    system = load_indicators(INDICATORS, elderly)
    a = elderly.replace(indicators=system)
    text = sroi.dumps(a)
    assert "indicators:" in text
    b = sroi.loads(text)
    assert b == a
    assert b.indicators == system


def test_model_file_block_is_validated():
    text = sroi.dumps(small()) + "indicators:\n  - {id: x, name: X, measures: 'outcomes[id=nope].quantity'}\n"
    with pytest.raises(SROIError, match=r"indicators\[0\]\.measures\[0\].*better"):
        sroi.loads(text)


@pytest.mark.parametrize(
    ("entry", "field", "match"),
    [
        ({"measures": "outcomes[id=missing].deadweight"}, r"indicators\[0\]\.measures\[0\]", "ids: better"),
        ({"measures": "no_such_parameter"}, r"indicators\[0\]\.measures\[0\]", "unknown estimate"),
        ({"measures": "share", "unit": "person"}, r"indicators\[0\]\.unit", "cannot be expressed"),
        (
            {"measures": "outcomes[id=better].quantity_factors[1]", "unit": "GBP"},
            r"indicators\[0\]\.unit",
            "",
        ),
        ({"measures": "share", "outcome": "nope"}, r"indicators\[0\]\.outcome", "no outcome"),
    ],
)
def test_binding_errors_name_the_field(entry, field, match):
    doc = [{"id": "x", "name": "X", **entry}]
    with pytest.raises(SROIError, match=f"{field}.*{match}"):
        indicators_from_dict(doc, small())


def test_unit_mismatch_is_a_unit_error():
    with pytest.raises(UnitError):
        indicators_from_dict([{"id": "x", "name": "X", "measures": "share", "unit": "hour"}], small())


def test_compatible_units_convert():
    a = small()
    m = indicators_from_dict(
        [
            {
                "id": "h",
                "name": "Hours",
                "measures": "outcomes[id=better].quantity_factors[1]",
                "unit": "minute/person/year",
            }
        ],
        a,
    ).bind(a)[0]
    assert m.factor == pytest.approx(60.0)
    assert m.point() == pytest.approx(120.0)


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({"baseline": {"value": 0.3, "period": 2}, "targets": {1: 0.4}}, r"targets\[1\].*baseline"),
        ({"targets": {1: "abc"}}, r"targets\[1\]"),
        ({"cadence": "weekly"}, "cadence"),
        ({"direction": "up"}, "direction"),
        ({"frameworks": {"gri": ["2032"]}}, r"frameworks\.gri\[0\].*GRI Standards code"),
        ({"frameworks": {"sasb": ["x"]}}, "unknown framework"),
        ({"imp": ["impact"]}, r"imp\[0\]"),
        ({"measurement_error": 0.05}, "measurement_error"),
        ({"targets": {2025: 0.4}}, "calendar year"),
        ({"id": "1bad"}, "id"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "unknown key 'colour'"),
    ],
)
def test_malformed_indicators_name_the_field(entry, match):
    doc = [{"id": "x", "name": "X", "measures": "share", **entry}]
    with pytest.raises(SROIError, match=match):
        indicators_from_dict(doc, small())


def test_duplicate_ids_and_unknown_measures_entries():
    with pytest.raises(SROIError, match=r"indicators\[1\]\.id"):
        indicators_from_dict([{"id": "x", "name": "X"}, {"id": "x", "name": "Y"}])
    with pytest.raises(SROIError, match=r"measures\.y"):
        indicators_from_dict({"measures": {"y": "share"}, "indicators": [{"id": "x", "name": "X"}]})
    with pytest.raises(SROIError, match="given here and in the measures block"):
        indicators_from_dict(
            {"measures": {"x": "share"}, "indicators": [{"id": "x", "name": "X", "measures": "share"}]}
        )


def test_calendar_years_with_first_year():
    system = indicators_from_dict(
        {"first_year": 2025, "indicators": [{"id": "x", "name": "X", "targets": {2025: 1, 2026: 2}}]}
    )
    assert system["x"].targets == ((1, 1.0), (2, 2.0))
    assert system.period(2027) == 3
    assert system.period("2") == 2


def test_percent_targets_convert_to_a_share():
    ind = Indicator("x", "X", targets={1: "15%"})
    assert ind.targets == ((1, 0.15),)


def test_measures_file_must_stay_beside_the_indicators_file(tmp_path):
    (tmp_path / "ind.yaml").write_text("measures: ../outside.yaml\nindicators: [{id: x, name: X}]\n")
    with pytest.raises(SROIError, match="outside"):
        load_indicators(tmp_path / "ind.yaml")


def test_tracked_only_indicators_have_no_forecast():
    system = indicators_from_dict([{"id": "scam", "name": "Scams", "direction": "lower"}], small())
    m = system.bind(small())[0]
    assert m.keys == () and np.isnan(m.point())
    with pytest.raises(SROIError, match="tracked only"):
        m.values({})


def test_framework_keys_are_the_ones_the_issue_names():
    assert set(FRAMEWORKS) == {"gri", "hkex", "esrs", "sdg", "iris"}


# -- calibrate_targets ----------------------------------------------------------------------------
def _system():
    return IndicatorSystem((Indicator("share", "Share better", measures=("share",)),))


def test_targets_lie_beyond_business_as_usual():
    a = small(indicators=_system())
    t = calibrate_targets(a, "share", [1, 2, 3], ambition=[0.5, 1.0, 1.2], n=20_000, seed=1)
    row = t.table.set_index("period")
    # business as usual = share x deadweight 0.25: median 0.25 x median share
    assert row.loc[1, "business_as_usual"] == pytest.approx(0.25 * np.median(t.draws), rel=1e-12)
    assert (row["target"] > row["business_as_usual"]).all()
    assert list(row["target"]) == sorted(row["target"])
    # at ambition 1 the target is the forecast median: met about half the time (20,000 draws)
    assert row.loc[2, "p_meet"] == pytest.approx(0.5, abs=0.01)
    assert row.loc[3, "p_meet"] < 0.5 < row.loc[1, "p_meet"]
    assert t.targets[2] == pytest.approx(row.loc[2, "forecast_p50"])


@settings(max_examples=15, deadline=None)
@given(st.floats(0.05, 2.0), st.floats(0.05, 2.0))
def test_more_ambition_is_harder_to_meet(a1, a2):
    a = small(indicators=_system())
    t = calibrate_targets(a, "share", [1, 2], ambition=[a1, a2], n=2000, seed=3)
    r = t.table.set_index("period")
    if a1 < a2:
        assert r.loc[1, "target"] <= r.loc[2, "target"] and r.loc[1, "p_meet"] >= r.loc[2, "p_meet"]


def test_calibrated_targets_feed_a_two_way_ratchet():
    a = small(indicators=_system())
    t = calibrate_targets(a, "share", [1], ambition=1.1, n=5000, seed=2)
    kpi = KPI.from_targets(t, 1)
    r = margin_ratchet(10_000_000, 5, [kpi], step_up_bps=5)
    row = r.table.iloc[0]
    assert row["p_step_down"] == pytest.approx(t.table["p_meet"].iloc[0], abs=1e-12)
    assert row["p_step_up"] == pytest.approx(1 - row["p_step_down"], abs=1e-12)
    applied = t.apply(_system())
    assert applied["share"].targets == ((1, t.targets[1]),)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ambition": 0}, r"ambition\[0\]"),
        ({"ambition": 4.0}, r"ambition\[0\]"),
        ({"ambition": [1.0, 1.0]}, "one ambition per period"),
        ({"periods": [0]}, r"periods\[0\]"),
    ],
)
def test_calibrate_targets_errors(kwargs, match):
    a = small(indicators=_system())
    args = {"periods": [1], **kwargs}
    with pytest.raises(SROIError, match=match):
        calibrate_targets(a, "share", n=100, seed=1, **args)


def test_no_indicators_is_a_clear_error():
    with pytest.raises(SROIError, match="no indicators"):
        calibrate_targets(small(), "share", [1], n=100)


def test_counterfactual_indicator_needs_a_baseline(elderly):
    system = load_indicators(INDICATORS, elderly)
    t = calibrate_targets(elderly, "counterfactual_independence", [1], indicators=system, n=500, seed=1)
    assert "baseline 0.5" in t.basis
    with pytest.raises(SROIError, match="no forecast"):
        calibrate_targets(elderly, "less_family_contact", [1], indicators=system, n=100)
