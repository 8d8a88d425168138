"""Tests of sroi.sensitivity (tornado, scenarios, two-way, switching values, Sobol, rank
regression, delta) and sroi.voi (EVPI, EVPPI)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sroi
from sroi import global_sensitivity, sensitivity, switching, voi
from sroi.exceptions import SROIError, SROIWarning
from tests.conftest import make_analysis

Q = sroi.ureg


class FakeSimulation:
    """A Monte Carlo sample built here (independent draws through analysis._run), duck-typed
    like sroi.uncertainty.Simulation."""

    def __init__(self, analysis, n=4000, seed=0, extra=None):
        rng = np.random.default_rng(seed)
        draws = {
            s.key: s.distribution.ppf(rng.random(n))
            for s in analysis.compiled.slots.values()
            if s.distribution is not None
        }
        out = analysis.compiled.run(draws)
        self.draws = pd.DataFrame(draws)
        for k, v in (extra or {}).items():
            self.draws[k] = v(rng, n)
        self.ratio = out.ratio
        self.present_value = out.present_value
        self.total_inputs = out.total_inputs
        self.net_present_value = out.net_present_value
        self.present_value_by_outcome = out.present_value_by_outcome


def two_outcomes(**kw):
    """Two outcomes sharing a named attribution; inputs 1000 GBP."""
    o1 = {
        "quantity": "20 person",
        "proxy": "40 GBP/person",
        "duration": 3,
        "deadweight": 0.2,
        "displacement": 0.1,
        "attribution": sroi.Ref("attr"),
        "drop_off": 0.2,
    }
    o2 = {
        "quantity": "10 person",
        "proxy": "30 GBP/person",
        "duration": 2,
        "start": 2,
        "deadweight": 0.1,
        "attribution": sroi.Ref("attr"),
        "drop_off": 0.1,
    }
    o1.update(kw.pop("o1", {}))
    o2.update(kw.pop("o2", {}))
    args = {
        "name": "Two",
        "currency": "GBP",
        "outcomes": [
            sroi.Outcome("Older people", "Less isolated", **o1),
            sroi.Outcome("Carers", "Respite", **o2),
        ],
        "inputs": [sroi.Input("Funder", "Grant", "1000 GBP")],
        "parameters": {"attr": 0.25},
        "discount_rate": 0.035,
    }
    args.update(kw)
    return sroi.Analysis(**args)


def uncertain():
    return make_analysis(
        quantity=sroi.Uniform(5, 15, unit=Q.person),
        deadweight=sroi.Triangular(0.1, 0.2, 0.4),
        drop_off=0.1,
    )


# -- tornado ----------------------------------------------------------------------------------
def test_tornado_points_are_quantiles_and_match_direct_runs():
    a = uncertain()
    df = sensitivity.tornado(a)
    assert list(df.columns) == [
        "key",
        "label",
        "fields",
        "base",
        "low_value",
        "high_value",
        "ratio_low",
        "ratio_high",
        "swing",
    ]
    assert np.all(np.diff(df["swing"]) <= 0)
    for _, row in df.iterrows():
        dist = a.compiled.slots[row["key"]].distribution
        assert row["low_value"] == pytest.approx(dist.quantile(0.1), rel=1e-12)
        assert row["high_value"] == pytest.approx(dist.quantile(0.9), rel=1e-12)
        for col, v in (("ratio_low", row["low_value"]), ("ratio_high", row["high_value"])):
            assert row[col] == pytest.approx(float(a.compiled.run({row["key"]: v}).ratio[0]), rel=1e-12)
    assert df.attrs["base_output"] == pytest.approx(a.evaluate().ratio)
    assert a.tornado().equals(df)


def test_tornado_other_quantiles_and_outputs():
    a = uncertain()
    df = sensitivity.tornado(a, low=0.05, high=0.95, output="net_present_value")
    row = df.set_index("key").loc["outcomes[0].quantity"]
    assert row["low_value"] == pytest.approx(5.5) and row["high_value"] == pytest.approx(14.5)
    assert "net_present_value_low" in df.columns


def test_tornado_include_all_moves_fixed_estimates_and_clips():
    a = make_analysis(deadweight=0.9, discount_rate=0.0)
    df = sensitivity.tornado(a, include="all").set_index("key")
    assert df.loc["outcomes[0].quantity", ["low_value", "high_value"]].tolist() == pytest.approx([8.0, 12.0])
    assert df.loc["outcomes[0].deadweight", ["low_value", "high_value"]].tolist() == pytest.approx(
        [0.72, 1.0]
    )
    assert df.loc["outcomes[0].duration", ["low_value", "high_value"]].tolist() == [2.0, 4.0]
    # ratio = 10 q (1 - dw) * 3 / 100 with no discounting
    assert df.loc["outcomes[0].quantity", "ratio_high"] == pytest.approx(12 * 10 * 0.1 * 3 / 100)
    assert df.loc["outcomes[0].deadweight", "ratio_high"] == pytest.approx(0.0)


def test_tornado_named_parameter_moves_every_field():
    a = two_outcomes(parameters={"attr": sroi.Uniform(0.1, 0.4)})
    row = sensitivity.tornado(a).iloc[0]
    assert row["key"] == "attr"
    assert row["fields"] == "outcomes[0].attribution, outcomes[1].attribution"
    both = a.compiled.run({"outcomes[0].attribution": 0.13, "outcomes[1].attribution": 0.13}).ratio[0]
    assert row["ratio_low"] == pytest.approx(both)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"include": "some"}, "include"),
        ({"low": 0.9, "high": 0.1}, "low < high"),
        ({"low": -0.1}, "probability"),
        ({"relative": 0.0, "include": "all"}, "relative"),
        ({"output": "irr"}, "unknown output"),
    ],
)
def test_tornado_bad_arguments(kwargs, match):
    with pytest.raises(SROIError, match=match):
        sensitivity.tornado(uncertain(), **kwargs)


def test_tornado_without_uncertain_estimates_says_what_to_do(simple):
    with pytest.raises(SROIError, match="include='all'"):
        sensitivity.tornado(simple)


def test_tornado_unbounded_quantile_rejected():
    a = make_analysis(proxy=sroi.LogNormal(10.0, 1.5, unit=Q("GBP/person").units))
    with pytest.raises(SROIError, match="quantile"):
        sensitivity.tornado(a, high=1.0)


# -- scenarios --------------------------------------------------------------------------------
def test_default_scenarios_bracket_base_and_use_the_direction_of_each_estimate():
    a = uncertain()
    df = sensitivity.scenarios(a)
    assert df["scenario"].tolist() == ["pessimistic", "base", "optimistic"]
    assert list(df.columns) == ["scenario", "ratio", "present_value", "net_present_value", "total_inputs"]
    pess, base, opt = df["ratio"]
    assert pess < base < opt
    assert base == pytest.approx(a.evaluate().ratio)
    q, dw = a.compiled.slots["outcomes[0].quantity"], a.compiled.slots["outcomes[0].deadweight"]
    expected = a.compiled.run(
        {q.key: q.distribution.quantile(0.1), dw.key: dw.distribution.quantile(0.9)}
    ).ratio[0]
    assert pess == pytest.approx(expected, rel=1e-12)
    assert df.attrs["settings"]["optimistic"][dw.key] == pytest.approx(dw.distribution.quantile(0.1))
    assert a.scenarios().equals(df)


def test_default_scenarios_without_uncertainty_are_all_base(simple):
    df = sensitivity.scenarios(simple)
    assert df["ratio"].tolist() == pytest.approx([simple.evaluate().ratio] * 3)


def test_user_scenarios_keys_paths_and_units():
    a = two_outcomes()
    df = sensitivity.scenarios(
        a,
        {
            "all attribution 50%": {"attr": 0.5},
            "one outcome": {"outcomes[1].attribution": "50%", "outcomes[0].quantity": "25 person"},
            "path beats key": {"attr": 0.5, "outcomes[0].attribution": 0.0},
        },
    ).set_index("scenario")
    assert df.loc["all attribution 50%", "ratio"] == pytest.approx(a.compiled.run({"attr": 0.5}).ratio[0])
    one = a.compiled.run({"outcomes[1].attribution": 0.5, "outcomes[0].quantity": 25.0}).ratio[0]
    assert df.loc["one outcome", "ratio"] == pytest.approx(one)
    mixed = a.compiled.run({"outcomes[1].attribution": 0.5, "outcomes[0].attribution": 0.0}).ratio[0]
    assert df.loc["path beats key", "ratio"] == pytest.approx(mixed)


def test_unknown_scenario_key_lists_valid_keys():
    with pytest.raises(
        SROIError, match=r"unknown estimate 'attribution'.*one of: attr, discount_rate, inputs\[0\]\.value"
    ):
        sensitivity.scenarios(two_outcomes(), {"bad": {"attribution": 0.1}})


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"s": {"attr": 1.5}}, r"scenarios\['s'\]\['attr'\]: expected a fraction"),
        ({"s": {"outcomes[0].quantity": "3 GBP"}}, "expected a value in person"),
        ({"s": {"outcomes[0].quantity": -1}}, "non-negative"),
        ({"s": 0.3}, "expected a mapping"),
        ({}, "non-empty mapping"),
    ],
)
def test_bad_scenarios(spec, match):
    with pytest.raises(SROIError, match=match):
        sensitivity.scenarios(two_outcomes(), spec)


# -- two-way ----------------------------------------------------------------------------------
def test_two_way_grid_matches_direct_runs():
    a = two_outcomes()
    df = sensitivity.two_way(
        a, "attr", "outcomes[0].deadweight", a_values=[0.0, 0.3], b_values=[0.1, 0.2, 0.5]
    )
    assert df.shape == (2, 3)
    assert df.index.name == "attr" and df.columns.name == "outcomes[0].deadweight"
    for x in df.index:
        for y in df.columns:
            direct = a.compiled.run({"attr": x, "outcomes[0].deadweight": y}).ratio[0]
            assert df.loc[x, y] == pytest.approx(direct, rel=1e-12)


def test_two_way_default_grids():
    a = uncertain()
    df = a.two_way("outcomes[0].quantity", "outcomes[0].duration", n=5)
    assert df.index.tolist() == pytest.approx(np.linspace(6, 14, 5))
    assert df.columns.tolist() == [2.0, 3.0, 4.0]  # 3 -/+ 20%, whole years
    assert np.all(np.diff(df.to_numpy(), axis=0) > 0)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("nope", "attr"), {}, r"^a: unknown estimate"),
        (("attr", "attr"), {}, "different"),
        (("attr", "outcomes[0].deadweight"), {"a_values": []}, "non-empty"),
        (("attr", "outcomes[0].deadweight"), {"n": 1}, "grid points"),
    ],
)
def test_two_way_errors(args, kwargs, match):
    with pytest.raises(SROIError, match=match):
        sensitivity.two_way(two_outcomes(), *args, **kwargs)


# -- break-even -------------------------------------------------------------------------------
def _check_switching_values(a, df, target):
    """Re-evaluate the model at each finite switching value."""
    paths = a.compiled.path_keys()
    for _, row in df[np.isfinite(df["switching_value"])].iterrows():
        sv, p = row["switching_value"], row["parameter"]
        if p == "inputs":
            base = a.compiled.run({}).total_inputs[0]
            values = {f: a.compiled.slots[paths[f]].base * sv / base for f in row["field"].split(", ")}
        elif p == "discount_rate":
            shift = sv - row["base"]
            values = {f: a.compiled.slots[paths[f]].base + shift for f in row["field"].split(", ")}
        elif row["outcome"].startswith("(named"):
            values = {p: sv}  # a named parameter changes in every field that uses it
            if a.compiled.slots[p].kind == "duration":
                r = [a.compiled.run({p: d}).ratio[0] for d in (sv - 1, sv, sv + 1)]
                assert (r[0] < target <= r[1]) or (r[1] < target <= r[2]), row.to_dict()
                continue
        elif p == "quantity" and "," in row["field"]:
            values = {f: a.compiled.slots[paths[f]].base * sv / row["base"] for f in row["field"].split(", ")}
        else:
            values = {row["field"]: sv}
        if p == "duration":
            r = [a.compiled.run({row["field"]: d}).ratio[0] for d in (sv - 1, sv, sv + 1)]
            # the ratio crosses the target between sv and its neighbour on the base's side
            if sv < row["base"]:
                assert r[1] < target <= r[2]
            else:
                assert r[0] < target <= r[1]
        else:
            assert a.compiled.run(values).ratio[0] == pytest.approx(target, abs=1e-9), row.to_dict()


def test_break_even_closed_forms_single_outcome():
    # ratio = q * p * (1 - dw) * 3 / 100 with r = 0: 3 at the base (q = p = 10, dw = 0)
    a = make_analysis(discount_rate=0.0)
    df = switching.break_even(a).set_index("parameter")
    assert df.loc["quantity", "switching_value"] == pytest.approx(10 / 3, rel=1e-12)
    assert df.loc["quantity", "relative_change"] == pytest.approx(-2 / 3, rel=1e-12)
    assert df.loc["proxy", "switching_value"] == pytest.approx(10 / 3, rel=1e-12)
    assert df.loc["deadweight", "switching_value"] == pytest.approx(2 / 3, rel=1e-12)
    assert math.isnan(df.loc["deadweight", "relative_change"])  # base 0
    assert df.loc["inputs", "switching_value"] == pytest.approx(300.0)
    assert df.loc["inputs", "relative_change"] == pytest.approx(2.0)
    # 100% drop-off leaves year 1 only: 100 / 100 = 1 exactly
    assert df.loc["drop_off", "switching_value"] == pytest.approx(1.0, abs=1e-12)
    # 1 year gives exactly 1:1, so no whole duration falls below the target
    assert math.isnan(df.loc["duration", "switching_value"])
    assert "even at 1 year" in df.loc["duration", "explanation"].lower()
    # x + x^2 + x^3 = 1 with x = 1 / (1 + r)
    x = 1 / (1 + df.loc["discount_rate", "switching_value"])
    assert x + x**2 + x**3 == pytest.approx(1.0, abs=1e-12)


def test_break_even_rows_and_columns():
    a = two_outcomes()
    df = a.break_even()
    assert list(df.columns) == [
        "outcome",
        "parameter",
        "field",
        "base",
        "switching_value",
        "relative_change",
        "explanation",
    ]
    named = [k for k, s in a.compiled.slots.items() if s.named]  # one row per named parameter
    assert len(df) == 7 * 2 + 2 + len(named)
    assert df["parameter"].tolist()[:7] == [
        "quantity",
        "proxy",
        "deadweight",
        "displacement",
        "attribution",
        "drop_off",
        "duration",
    ]
    end = len(df) - len(named)
    assert df["outcome"].tolist()[end - 2 : end] == ["", ""]
    assert df["parameter"].tolist()[end - 2 : end] == ["inputs", "discount_rate"]
    assert df["parameter"].tolist()[end:] == named
    assert df["outcome"].iloc[0] == "Older people: Less isolated"
    ok = np.isfinite(df["switching_value"]) & (df["base"] != 0)
    rel = df.loc[ok, "switching_value"] / df.loc[ok, "base"] - 1
    assert df.loc[ok, "relative_change"].to_numpy() == pytest.approx(rel.to_numpy())
    assert df["relative_change"][~ok].isna().all()


@pytest.mark.parametrize("target", [1.0, 1.25, 0.6])
def test_break_even_reevaluates_to_target(target):
    # ratio 1.13 at the base; at 0.6 only outcome 1 (PV 807 of 1132) can reach the target alone
    a = two_outcomes(discount_rate=(0.035, 0.03), discount_timing="mid_year", drop_off_from_year=1)
    df = switching.break_even(a, target=target)
    assert np.isfinite(df["switching_value"]).sum() >= 7
    _check_switching_values(a, df, target)


def test_break_even_quantity_profile_scales_whole_profile():
    a = make_analysis(quantity=["10 person", "8 person", "4 person"], duration=None)
    df = switching.break_even(a, target=0.5).set_index("parameter")
    row = df.loc["quantity"]
    assert row["field"] == "outcomes[0].quantity[0], outcomes[0].quantity[1], outcomes[0].quantity[2]"
    assert row["base"] == pytest.approx(22.0)
    assert "every year of the quantity list" in row["explanation"]
    _check_switching_values(a, df.reset_index(), 0.5)


def test_break_even_shared_parameter_changes_one_outcome_only():
    a = two_outcomes()
    df = switching.break_even(a, target=0.5)
    row = df[(df["parameter"] == "attribution")].iloc[0]
    assert "named parameter 'attr'" in row["explanation"]
    assert row["field"] == "outcomes[0].attribution"
    out = a.compiled.run({row["field"]: row["switching_value"]})
    base = a.compiled.run({})
    assert out.present_value_by_outcome[1, 0] == pytest.approx(base.present_value_by_outcome[1, 0])
    assert out.ratio[0] == pytest.approx(0.5, abs=1e-9)


def test_break_even_reports_unreachable_targets():
    # outcome 2 alone gives PV far above the inputs: no change to outcome 1 alone reaches 1:1
    a = two_outcomes(o2={"quantity": "1000 person"}, discount_timing="none")
    df = switching.break_even(a).set_index(["outcome", "parameter"])
    first = df.loc["Older people: Less isolated"]
    for p in ("quantity", "proxy", "deadweight", "displacement", "attribution", "drop_off", "duration"):
        assert math.isnan(first.loc[p, "switching_value"]), p
    text = first.loc["deadweight", "explanation"]
    assert "no deadweight in [0, 1] brings the ratio to 1" in text.lower()
    alone = a.compiled.run({"outcomes[0].quantity": 0.0}).ratio[0]  # the other outcome alone
    assert f"{alone:.4g} at 100% deadweight" in text
    quantity = first.loc["quantity", "explanation"]
    assert "no quantity of the same sign" in quantity.lower() and "other outcomes alone" in quantity
    assert "even at 100% drop-off" in first.loc["drop_off", "explanation"].lower()
    assert "even at 1 year" in first.loc["duration", "explanation"].lower()
    assert "timing is 'none'" in df.loc[("", "discount_rate"), "explanation"]
    assert math.isnan(df.loc[("", "discount_rate"), "switching_value"])


def test_break_even_below_target_and_no_effect_cases():
    # ratio 0.048: even 0% deadweight is not enough; a one-year outcome has no drop-off
    a = make_analysis(quantity="1 person", deadweight=0.5, duration=1)
    df = switching.break_even(a).set_index("parameter")
    assert math.isnan(df.loc["deadweight", "switching_value"])
    at_zero = a.compiled.run({"outcomes[0].deadweight": 0.0}).ratio[0]
    text = df.loc["deadweight", "explanation"].lower()
    assert "no deadweight in [0, 1] brings the ratio to 1" in text and f"{at_zero:.4g} at 0%" in text
    assert math.isnan(df.loc["drop_off", "switching_value"])
    assert "drop-off has no effect" in df.loc["drop_off", "explanation"].lower()
    # 5 GBP a year for d years at 3.5% against 100 GBP: the annuity factor passes 20 at 35 years
    assert df.loc["duration", "switching_value"] == 35.0
    assert "step function" in df.loc["duration", "explanation"]
    # 5 / (1 + r) = 100
    assert df.loc["discount_rate", "switching_value"] == pytest.approx(-0.95, abs=1e-12)
    _check_switching_values(a, df.reset_index(), 1.0)


def test_break_even_zero_value_outcome():
    a = two_outcomes(o2={"deadweight": 1.0})
    df = switching.break_even(a).set_index(["outcome", "parameter"]).loc["Carers: Respite"]
    # its deadweight of 100% removes all its value; nothing else of it moves the ratio (a quantity or
    # proxy scaled, another filter, drop-off, duration), but a lower deadweight does: the ratio is
    # linear in 1 - deadweight
    others = df.drop(index="deadweight")
    assert others["switching_value"].isna().all()
    for parameter in others.index:
        assert "adds no present value" in others.loc[parameter, "explanation"]  # not drop-off timing
    row = df.loc["deadweight"]
    assert 0 < row["switching_value"] < 1
    path = row["field"]
    assert a.compiled.run({path: row["switching_value"]}).ratio[0] == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("target", [0, -1, float("inf"), True, "1"])
def test_break_even_bad_target(target):
    with pytest.raises(SROIError, match="^target: expected a target ratio"):
        switching.break_even(make_analysis(), target=target)


@settings(max_examples=20, deadline=None)
@given(
    q=st.floats(1, 100),
    dw=st.floats(0, 0.9),
    attr=st.floats(0, 0.9),
    drop=st.floats(0, 0.9),
    duration=st.integers(1, 8),
    rate=st.floats(0, 0.1),
    target=st.floats(0.2, 3),
)
def test_break_even_property_every_switching_value_hits_target(q, dw, attr, drop, duration, rate, target):
    a = two_outcomes(
        o1={"quantity": f"{q} person", "deadweight": dw, "drop_off": drop, "duration": duration},
        parameters={"attr": attr},
        discount_rate=rate,
    )
    _check_switching_values(a, switching.break_even(a, target=target), target)


# -- Sobol ------------------------------------------------------------------------------------
def linear_two_quantities(**kw):
    """ratio = (q1 + 2 q2) / 100 with q1, q2 ~ U(0, 10) independent, no discounting."""
    outcomes = [
        sroi.Outcome("A", "a", quantity=sroi.Uniform(0, 10, unit=Q.person), proxy="1 GBP/person"),
        sroi.Outcome("B", "b", quantity=sroi.Uniform(0, 10, unit=Q.person), proxy="2 GBP/person"),
    ]
    return sroi.Analysis(
        name="Linear",
        currency="GBP",
        outcomes=outcomes,
        inputs=[sroi.Input("Funder", "Grant", "100 GBP")],
        discount_rate=0.0,
        **kw,
    )


def test_sobol_known_answer_linear_model():
    # S_i = c_i^2 Var q_i / sum_j c_j^2 Var q_j = 1/5 and 4/5 (additive: ST = S1)
    df = global_sensitivity.sobol(linear_two_quantities(), n=2048, seed=7).set_index("key")
    expected = {"outcomes[0].quantity": 0.2, "outcomes[1].quantity": 0.8}
    for key, s in expected.items():
        for col in ("S1", "ST"):
            tol = max(df.loc[key, f"{col}_conf"], 0.05)
            assert abs(df.loc[key, col] - s) <= tol, (key, col, df.loc[key, col])
    assert df.attrs["n_evaluations"] == 2048 * 4


def test_sobol_same_seed_same_result_and_second_order():
    a = linear_two_quantities()
    one = a.sobol(n=256, seed=3, calc_second_order=True)
    two = a.sobol(n=256, seed=3, calc_second_order=True)
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs["S2"].shape == (2, 2)
    assert abs(one.attrs["S2"].iloc[0, 1]) < 0.1  # no interaction in an additive model


def test_sobol_warns_that_correlations_are_ignored():
    a = linear_two_quantities(correlations=[("outcomes[0].quantity", "outcomes[1].quantity", 0.5)])
    with pytest.warns(SROIWarning, match="independent"):
        global_sensitivity.sobol(a, n=64, seed=1)


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"n": 1000}, "power of 2"), ({"conf_level": 1.5}, "level in \\(0, 1\\)")]
)
def test_sobol_bad_arguments(kwargs, match):
    with pytest.raises(SROIError, match=match):
        global_sensitivity.sobol(linear_two_quantities(), **kwargs)


def test_sobol_needs_uncertain_estimates(simple):
    with pytest.raises(SROIError, match="no uncertain estimates"):
        global_sensitivity.sobol(simple, n=64)


# -- sample-based measures --------------------------------------------------------------------
def test_rank_regression_signs_and_fit():
    a = uncertain()
    sim = FakeSimulation(a, n=2000, extra={"constant": lambda rng, n: np.ones(n)})
    df = global_sensitivity.rank_regression(sim, "ratio").set_index("key")
    assert df.loc["outcomes[0].quantity", "srrc"] > 0.8
    assert df.loc["outcomes[0].deadweight", "srrc"] < -0.1
    assert math.isnan(df.loc["constant", "srrc"])
    assert df.attrs["r_squared"] > 0.9
    same = global_sensitivity.rank_regression(sim.draws, sim.ratio)
    assert same["srrc"].to_numpy() == pytest.approx(df["srrc"].to_numpy(), nan_ok=True)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (lambda sim: (sim.draws, "ratio"), "give the output as an array"),
        (lambda sim: (sim, "irr"), "unknown output"),
        (lambda sim: (sim.draws, sim.ratio[:10]), "10 values"),
        (lambda sim: (object(), "ratio"), "expected a Simulation"),
    ],
)
def test_rank_regression_errors(args, match):
    sim = FakeSimulation(uncertain(), n=100)
    with pytest.raises(SROIError, match=match):
        global_sensitivity.rank_regression(*args(sim))


def test_delta_indices_rank_and_leave_global_state_alone():
    sim = FakeSimulation(uncertain(), n=300, seed=2)
    state = np.random.get_state()[1].copy()  # noqa: NPY002  (checking it is left alone)
    filters = list(warnings.filters)
    df = global_sensitivity.delta_indices(sim, "ratio", seed=4, num_resamples=5)
    assert df["key"].iloc[0] == "outcomes[0].quantity"
    assert df["delta"].iloc[0] > df["delta"].iloc[1] > 0
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    assert warnings.filters == filters
    again = global_sensitivity.delta_indices(sim, "ratio", seed=4, num_resamples=5)
    pd.testing.assert_frame_equal(df, again)


# -- value of information ---------------------------------------------------------------------
def decision_model():
    """Ratio around 1: q1 decides; outcome 2's drop-off has no effect (it lasts one year)."""
    outcomes = [
        sroi.Outcome("A", "a", quantity=sroi.Uniform(0, 20, unit=Q.person), proxy="10 GBP/person"),
        sroi.Outcome("B", "b", quantity="1 person", proxy="5 GBP/person", drop_off=sroi.Uniform(0.0, 0.5)),
    ]
    return sroi.Analysis(
        name="Decision",
        currency="GBP",
        outcomes=outcomes,
        inputs=[sroi.Input("Funder", "Grant", "100 GBP")],
        discount_rate=0.0,
    )


def test_evpi_matches_its_definition():
    sim = FakeSimulation(decision_model(), n=4000, seed=1)
    nb = sim.present_value - 1.2 * sim.total_inputs
    expected = np.mean(np.maximum(nb, 0)) - max(np.mean(nb), 0)
    assert voi.evpi(sim, target=1.2) == pytest.approx(expected)
    # NB = 10 q1 + 5 - 100 with q1 ~ U(0, 20): E[max(NB, 0)] = (105^2 - 0) / (2 * 200)... by integration
    assert voi.evpi(sim) == pytest.approx(
        np.mean(np.maximum(sim.net_present_value, 0)) - max(sim.net_present_value.mean(), 0)
    )


def test_evpi_zero_when_every_draw_agrees():
    a = make_analysis(quantity=sroi.Uniform(50, 60, unit=Q.person))
    sim = FakeSimulation(a, n=500)
    assert np.all(sim.ratio > 1)
    assert voi.evpi(sim) == 0.0
    res = voi.evppi(sim)
    assert res["evppi"].tolist() == [0.0]
    assert math.isnan(res["share_of_evpi"].iloc[0])


@pytest.mark.parametrize("method", ["gam", "poly"])
def test_evppi_bounded_by_evpi_and_zero_without_effect(method):
    sim = FakeSimulation(decision_model(), n=4000, seed=3, extra={"noise": lambda rng, n: rng.random(n)})
    total = voi.evpi(sim)
    assert total > 1.0
    df = voi.evppi(sim, method=method).set_index("key")
    assert df.attrs["evpi"] == pytest.approx(total)
    assert (df["evppi"] <= total * 1.01 + 1e-9).all()
    # NB depends on q1 alone: learning q1 is worth all of EVPI
    assert df.loc["outcomes[0].quantity", "share_of_evpi"] == pytest.approx(1.0, abs=0.02)
    assert df.loc["outcomes[1].drop_off", "evppi"] == pytest.approx(0.0, abs=0.01 * total)
    assert df.loc["noise", "evppi"] == pytest.approx(0.0, abs=0.01 * total)


@pytest.mark.parametrize("method", ["gam", "poly"])
def test_evppi_known_answer_two_independent_quantities(method):
    # NB = 10 q1 + 10 q2 - 100, q_i ~ U(0, 10): E[NB | q1] = 10 q1 - 50, so
    # EVPPI(q1) = E[max(10 q1 - 50, 0)] = 12.5; EVPI = 10 E[(q1 + q2 - 10)+] = 50/3.
    outcomes = [
        sroi.Outcome(s, s, quantity=sroi.Uniform(0, 10, unit=Q.person), proxy="10 GBP/person")
        for s in ("A", "B")
    ]
    a = sroi.Analysis(
        name="Known",
        currency="GBP",
        outcomes=outcomes,
        inputs=[sroi.Input("Funder", "Grant", "100 GBP")],
        discount_rate=0.0,
    )
    sim = FakeSimulation(a, n=20000, seed=11)
    assert voi.evpi(sim) == pytest.approx(50 / 3, rel=0.03)  # Monte Carlo error, n = 20000
    df = voi.evppi(sim, method=method)
    assert df["evppi"].to_numpy() == pytest.approx([12.5, 12.5], rel=0.04)


def test_evppi_groups_and_discrete_estimates():
    a = make_analysis(
        quantity=sroi.Uniform(5, 15, unit=Q.person),
        duration=sroi.Discrete([1, 2, 3]),
        deadweight=sroi.Uniform(0.0, 0.3),
    )
    sim = FakeSimulation(a, n=3000, seed=5)
    total = voi.evpi(sim)
    df = voi.evppi(sim, keys=[["outcomes[0].quantity", "outcomes[0].duration"], "outcomes[0].duration"])
    assert df["key"].tolist()[0] == "outcomes[0].quantity + outcomes[0].duration"
    assert (df["evppi"] <= total * 1.02).all()
    assert df["evppi"].iloc[0] >= df["evppi"].iloc[1]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"keys": ["nope"]}, "unknown key"),
        ({"method": "gp"}, "'gam' or 'poly'"),
        ({"df": 2}, "basis functions"),
        ({"target": 0}, "target ratio"),
        ({"output": "irr"}, "unknown output"),
    ],
)
def test_evppi_errors(kwargs, match):
    sim = FakeSimulation(decision_model(), n=200)
    with pytest.raises(SROIError, match=match):
        voi.evppi(sim, **kwargs)


def test_net_benefit_needs_totals_for_other_targets():
    class OnlyNPV:
        net_present_value = np.array([1.0, -2.0])

    assert voi.net_benefit(OnlyNPV()).tolist() == [1.0, -2.0]
    with pytest.raises(SROIError, match="present_value"):
        voi.net_benefit(OnlyNPV(), target=2.0)


def _two_outcomes_sharing(**shared):
    outcomes = [
        sroi.Outcome(
            "A",
            "x",
            quantity="10 person",
            proxy="10 GBP/person",
            deadweight=sroi.Ref("dw"),
            quantity_factors=[sroi.Ref("share")],
            duration=sroi.Ref("years"),
        ),
        sroi.Outcome(
            "B",
            "y",
            quantity="5 person",
            proxy="20 GBP/person",
            deadweight=sroi.Ref("dw"),
            quantity_factors=[sroi.Ref("share")],
            duration=sroi.Ref("years"),
        ),
    ]
    params = {"dw": 0.2, "share": 0.5, "years": 3, **shared}
    return sroi.Analysis(
        "t", "GBP", outcomes, [sroi.Input("F", "g", "100 GBP")], parameters=params, discount_rate=0.0
    )


@pytest.mark.parametrize("target", [1.0, 2.0])
def test_break_even_named_parameters_change_every_field(target):
    a = _two_outcomes_sharing()
    be = switching.break_even(a, target=target)
    named = be[be["outcome"].str.startswith("(named")].set_index("parameter")
    assert set(named.index) == {"dw", "share", "years"}
    for key in ("dw", "share"):
        sv = named.loc[key, "switching_value"]
        assert np.isfinite(sv)
        # re-evaluating with the shared estimate at its switching value gives the target
        assert float(a.compiled.run({key: sv}).ratio[0]) == pytest.approx(target, abs=1e-9)
    # PV = (10*10 + 5*20) * 0.5 * 0.8 * years = 80 per year; inputs 100
    assert named.loc["share", "switching_value"] == pytest.approx(0.5 * target * 100 / 240, rel=1e-12)
    years = named.loc["years", "switching_value"]
    assert (
        float(a.compiled.run({"years": years}).ratio[0])
        < target
        <= float(a.compiled.run({"years": years + 1}).ratio[0])
    )
