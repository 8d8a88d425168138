"""Tests for the two-way sustainability-linked margin ratchet (docs/method.md §9.10)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from sroi.exceptions import SROIError, SROIWarning
from sroi.finance import KPI, MarginRatchet, margin_ratchet
from sroi.units import Q_


def test_margin_ratchet_mapping():
    r = margin_ratchet(10_000_000, 5, {"homes retrofitted": True, "tenants in work": True, "arrears": False})
    assert isinstance(r, MarginRatchet)
    assert r.total_saving == pytest.approx(10_000_000 * 5 / 10_000 * 2)  # 10,000 a year
    assert r.total_bps == 10
    assert list(r.table["met"]) == [True, True, False]
    assert "adds no capacity" in repr(r)
    json.dumps(r.to_dict())


def test_margin_ratchet_table_with_direction_and_per_kpi_bps():
    kpis = pd.DataFrame(
        {
            "kpi": ["jobs", "co2", "complaints"],
            "target": [100, 50, 10],
            "actual": [120, 40, np.nan],
            "direction": ["higher", "lower", "lower"],
        }
    )
    r = margin_ratchet(Q_(2_000_000, "GBP"), {"jobs": 4, "co2": 11, "complaints": 3}, kpis)
    assert list(r.table["met"]) == [True, True, False]  # no actual: not met
    assert r.total_saving.magnitude == pytest.approx(2_000_000 * 15 / 10_000)
    assert r.currency == "GBP"
    assert "<table" in r._repr_html_()


def test_margin_ratchet_default_direction_is_higher():
    kpis = pd.DataFrame({"kpi": ["a", "b"], "target": [1.0, 1.0], "actual": [1.0, 0.5]})
    assert list(margin_ratchet(1e6, 2, kpis).table["met"]) == [True, False]


def test_margin_ratchet_warns_only_above_25bp():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        margin_ratchet(1e6, 11, {"a": True})
    with pytest.warns(SROIWarning, match="1-10 bp"):
        margin_ratchet(1e6, 30, {"a": True})


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((-1.0, 5, {"a": True}), "drawn_balance"),
        ((1e6, -5, {"a": True}), "bps_per_kpi"),
        ((1e6, {"b": 5}, {"a": True}), "bps_per_kpi"),
        ((1e6, 5, {"a": "yes"}), "kpis"),
        ((1e6, 5, [True]), "kpis"),
        ((1e6, 5, pd.DataFrame({"kpi": ["a"], "target": [1]})), "kpis"),
        ((1e6, 5, pd.DataFrame({"kpi": ["a"], "target": [1], "actual": [1], "direction": ["up"]})), "kpis"),
    ],
)
def test_margin_ratchet_bad_input(args, name):
    with pytest.raises(SROIError, match=name):
        margin_ratchet(*args)


# ----------------------------------------------------------------------------------------------
# two-way ratchet and KPI draws


def test_two_way_ratchet_steps_up_for_targets_missed():
    r = margin_ratchet(
        10_000_000, 5, {"a": True, "b": False, "c": False}, step_up_bps={"a": 5, "b": 5, "c": 10}
    )
    assert r.total_bps == 5 and r.total_step_up_bps == 15
    assert r.total_saving == pytest.approx(
        10_000_000 * (5 - 15) / 10_000
    )  # the margin rises: negative saving
    assert list(r.table["margin_change_bps"]) == [-5.0, 5.0, 10.0]
    assert "15 bp on for targets missed" in repr(r)


def test_one_way_default_is_unchanged():
    one = margin_ratchet(1e6, 5, {"a": True, "b": False})
    assert one.total_saving == 500.0 and one.total_step_up_bps == 0


def test_kpi_draws_give_the_probability_of_each_step():
    rng = np.random.default_rng(4)
    users = rng.normal(7.0, 0.5, 20_000)
    contacts = rng.normal(4.0, 0.4, 20_000)
    kpis = [
        KPI("users", target=7.5, draws=users, step_up_threshold=6.5),  # neutral band 6.5-7.5
        KPI("contacts", target=3.5, draws=contacts, direction="lower"),
    ]
    r = margin_ratchet(Q_(1e7, "CNY"), 5, kpis, step_up_bps=5)
    t = r.table.set_index("kpi")
    assert t.loc["users", "p_step_down"] == pytest.approx(np.mean(users >= 7.5))
    assert t.loc["users", "p_step_up"] == pytest.approx(np.mean(users < 6.5))
    assert t.loc["contacts", "p_step_down"] == pytest.approx(np.mean(contacts <= 3.5))
    assert t.loc["contacts", "p_step_up"] == pytest.approx(np.mean(contacts > 3.5))
    assert t.loc["users", "actual"] == pytest.approx(np.median(users))
    change = 5 * ((users < 6.5).astype(float) - (users >= 7.5)) + 5 * (
        (contacts > 3.5).astype(float) - (contacts <= 3.5)
    )
    assert r.p_margin_lower == pytest.approx(np.mean(change < 0))
    assert r.p_margin_higher == pytest.approx(np.mean(change > 0))
    assert r.expected_change_bps == pytest.approx(change.mean())
    assert "probability" in repr(r)
    json.dumps(r.to_dict())


def test_target_at_the_forecast_median_steps_down_half_the_time():
    draws = np.random.default_rng(0).normal(10, 1, 10_001)
    r = margin_ratchet(1e6, 5, [KPI("k", target=float(np.median(draws)), draws=draws)])
    assert r.table["p_step_down"].iloc[0] == pytest.approx(0.5, abs=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "k", "target": 1.0}, "k.actual"),
        ({"name": "k", "target": 1.0, "draws": [1.0, np.nan]}, "k.draws"),
        ({"name": "k", "target": 1.0, "actual": 1.0, "direction": "up"}, "k.direction"),
        ({"name": "k", "target": 1.0, "actual": 1.0, "step_up_threshold": 2.0}, "k.step_up_threshold"),
        ({"name": "k", "target": float("nan"), "actual": 1.0}, "k.target"),
        ({"name": "", "target": 1.0, "actual": 1.0}, "name"),
    ],
)
def test_kpi_refuses_bad_input(kwargs, match):
    with pytest.raises(SROIError, match=match):
        KPI(**kwargs)


def test_step_up_bps_checked():
    with pytest.raises(SROIError, match="step_up_bps"):
        margin_ratchet(1e6, 5, {"a": True}, step_up_bps=-1)
    with pytest.raises(SROIError, match="step_up_bps"):
        margin_ratchet(1e6, 5, {"a": True}, step_up_bps={"b": 1})
