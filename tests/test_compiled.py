"""The compiled model: the one door to the engine (slots, unit folding, field-path overrides)."""

from __future__ import annotations

import numpy as np
import pytest

import sroi
from sroi import engine


def analysis(**kw):
    base = dict(
        name="Compiled",
        currency="GBP",
        inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
        parameters={"share": sroi.Uniform(0.2, 0.4)},
        outcomes=[
            sroi.Outcome(
                "Families",
                "Less worry",
                quantity="100 device",
                quantity_factors=("0.5 person/device", sroi.Ref("share")),
                proxy="10 GBP/person/month",
                duration=3,
                drop_off=0.1,
                deadweight=0.25,
            ),
            sroi.Outcome(
                "Carers",
                "Respite",
                quantity="4 household",
                quantity_factors=(sroi.Ref("share"),),
                proxy="50 GBP/household",
                start=2,
            ),
        ],
    )
    base.update(kw)
    return sroi.Analysis(**base)


def test_one_slot_per_named_parameter_used_twice():
    comp = analysis().compiled
    share = comp.slots["share"]
    assert share.named and share.paths == [
        "outcomes[0].quantity_factors[1]",
        "outcomes[1].quantity_factors[0]",
    ]
    assert comp.uncertain_keys() == ["share"]


def test_units_are_folded_into_reached_quantity_and_per_year_proxy():
    comp = analysis().compiled
    spec = comp.outcomes[0]
    assert spec.reached_unit == "person"
    arrays = comp.arrays()
    # 100 devices x 0.5 person/device x share 0.3 = 15 persons; 10 GBP a month = 120 GBP a year
    assert arrays.quantity[0, 0] == pytest.approx(15.0, rel=1e-12)
    assert arrays.proxy[0, 0] == pytest.approx(120.0, rel=1e-12)
    assert spec.proxy_unit == "GBP / person / year"


def test_run_is_the_engine_with_the_stored_conventions():
    a = analysis(discount_timing="mid_year", drop_off_from_year=1, reference_period=2)
    comp = a.compiled
    direct = engine.run(comp.arrays(), "mid_year", reference_period=2)
    via = comp.run()
    assert via.present_value[0] == direct.present_value[0]
    assert via.ratio[0] == direct.ratio[0]


def test_a_field_path_overrides_one_field_only():
    comp = analysis().compiled
    both = comp.arrays({"share": 0.5})
    one = comp.arrays({"outcomes[0].quantity_factors[1]": 0.5})
    assert both.quantity[0, 0] == pytest.approx(25.0) and one.quantity[0, 0] == pytest.approx(25.0)
    assert both.quantity[1, 0] == pytest.approx(2.0)  # the other field using it moved too
    assert one.quantity[1, 0] == pytest.approx(1.2)  # it kept its point value 0.3


def test_run_settings_stacks_settings_as_samples():
    comp = analysis().compiled
    out = comp.run_settings([{}, {"share": 0.4}, {"outcomes[1].proxy": 0.0}])
    assert out.ratio.shape == (3,)
    single = [comp.run(s).ratio[0] for s in ({}, {"share": 0.4}, {"outcomes[1].proxy": 0.0})]
    assert np.allclose(out.ratio, single, rtol=1e-14)


def test_resolve_lists_valid_names():
    comp = analysis().compiled
    assert comp.resolve("outcomes[1].quantity_factors[0]", "x")[0] == "share"
    with pytest.raises(sroi.SROIError, match="share") as info:
        comp.resolve("sahre", "scenarios")
    assert str(info.value).startswith("scenarios:")


def test_describe_key_and_upper_periods():
    comp = analysis(outcomes=[*analysis().outcomes]).compiled
    assert comp.describe_key("outcomes[0].quantity_factors[0]") == "Families: Less worry: quantity factor 1"
    assert comp.describe_key("share") == "share"
    k_max, t_max = comp.upper_periods()
    assert k_max == 3 and t_max >= 3  # bounds: the longest life, the last period any draw can reach


def test_per_period_output_sums_to_the_present_value():
    comp = analysis().compiled
    out, periods = comp.run(), comp.by_period()
    assert periods.present_values.sum() == pytest.approx(out.present_value[0], rel=1e-12)
    assert periods.inputs.sum() == pytest.approx(1000.0)
    assert periods.values[0, 1, 0] == 0.0  # the start-2 outcome has nothing in period 1
