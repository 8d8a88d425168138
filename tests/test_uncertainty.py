"""Monte Carlo on the one engine: reproducible draws, rank correlations, known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sroi
from sroi import uncertainty
from sroi.exceptions import SROIError
from sroi.sampling import rank_correlation_matrix, sample_uniforms
from sroi.uncertainty import Simulation, simulate
from tests.conftest import make_analysis

ARRAYS = ("ratio", "present_value", "total_inputs", "net_present_value", "net_ratio", "payback_months")


def uncertain(**kw):
    """One outcome with uncertain quantity, proxy, filters, duration and discount rate."""
    base = {
        "discount_rate": sroi.Uniform(0.02, 0.05),
        "quantity": sroi.Triangular(80, 100, 150, unit=sroi.ureg.person),
        "proxy": sroi.LogNormal.from_interval(20.0, 60.0, unit=sroi.ureg("GBP/person").units),
        "deadweight": sroi.Beta(2, 8),
        "drop_off": sroi.Uniform(0.0, 0.3),
        "duration": sroi.Discrete((2, 3, 5)),
        "cash_tier": "A",
        "inputs": [sroi.Input("Funder", "Grant", "1000 GBP")],
    }
    base.update(kw)
    return make_analysis(**base)


def shared_parameter():
    """Two identical outcomes whose attribution is one named parameter (one draw)."""
    o = {
        "quantity": "20 person",
        "proxy": "40 GBP/person",
        "duration": 3,
        "attribution": sroi.Ref("attr"),
        "deadweight": 0.1,
    }
    return sroi.Analysis(
        name="Shared",
        currency="GBP",
        parameters={"attr": sroi.Uniform(0.0, 0.6)},
        outcomes=[sroi.Outcome("A", "Better", **o), sroi.Outcome("B", "Better", **o)],
        inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    )


def correlated(rho_ab=0.6, rho_ac=-0.4, rho_bc=0.0):
    params = {
        "a": sroi.Uniform(0.0, 1.0),
        "b": sroi.Beta(2, 5),
        "c": sroi.LogNormal(1.0, 2.0),
    }
    return sroi.Analysis(
        name="Correlated",
        currency="GBP",
        parameters=params,
        outcomes=[
            sroi.Outcome(
                "People",
                "Better",
                quantity="10 person",
                proxy="10 GBP/person",
                quantity_factors=(sroi.Ref("a"), sroi.Ref("c")),
                deadweight=sroi.Ref("b"),
            )
        ],
        inputs=[sroi.Input("Funder", "Grant", "100 GBP")],
        correlations=[("a", "b", rho_ab), ("a", "c", rho_ac), ("b", "c", rho_bc)],
    )


# -- reproducibility ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make_seed",
    [lambda: 42, lambda: np.random.SeedSequence(42), lambda: np.random.default_rng(42)],
    ids=["int", "SeedSequence", "Generator"],
)
def test_same_seed_is_bit_identical(make_seed):
    a = uncertain()
    s1, s2 = simulate(a, 500, seed=make_seed()), simulate(a, 500, seed=make_seed())
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(s1, name), getattr(s2, name))
    pd.testing.assert_frame_equal(s1.draws, s2.draws)
    np.testing.assert_array_equal(s1.eligible_cash_flows(), s2.eligible_cash_flows())


def test_different_seeds_differ_and_a_generator_advances():
    a = uncertain()
    assert not np.array_equal(simulate(a, 50, seed=1).ratio, simulate(a, 50, seed=2).ratio)
    rng = np.random.default_rng(0)
    assert not np.array_equal(simulate(a, 50, seed=rng).ratio, simulate(a, 50, seed=rng).ratio)


def test_seed_none_is_recorded_so_the_run_can_be_repeated():
    a = uncertain()
    s1 = simulate(a, 100)
    assert isinstance(s1.seed, np.random.SeedSequence)
    np.testing.assert_array_equal(simulate(a, 100, seed=s1.seed).ratio, s1.ratio)


def test_numpy_global_state_is_untouched():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it is untouched)
    simulate(uncertain(), 100, seed=3)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


@pytest.mark.parametrize("analysis", [uncertain(), correlated()], ids=["independent", "correlated"])
def test_chunk_size_does_not_change_results(analysis):
    # n = 50 = 7 x 7 + 1: the last chunk has one sample.
    big, small = simulate(analysis, 50, seed=5, chunk_size=1000), simulate(analysis, 50, seed=5, chunk_size=7)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(big, name), getattr(small, name))
    pd.testing.assert_frame_equal(big.draws, small.draws)
    pd.testing.assert_frame_equal(big.present_value_by_outcome, small.present_value_by_outcome)
    np.testing.assert_array_equal(big.eligible_cash_flows(), small.eligible_cash_flows())
    # means accumulate chunk by chunk: equal up to summation order
    pd.testing.assert_frame_equal(big.value_by_tier, small.value_by_tier, rtol=1e-12)
    pd.testing.assert_frame_equal(
        sample_uniforms(analysis, 50, seed=5, chunk_size=1000),
        sample_uniforms(analysis, 50, seed=5, chunk_size=7),
    )


def test_many_correlated_draws_do_not_depend_on_chunk_size():
    # Ten correlated estimates: a BLAS product would round columns differently by chunk width.
    names = [f"p{i}" for i in range(10)]
    a = sroi.Analysis(
        name="Many",
        currency="GBP",
        parameters={k: sroi.Uniform(0.0, 0.5) for k in names},
        outcomes=[
            sroi.Outcome("S", f"O{i}", quantity="10 person", proxy="10 GBP/person", deadweight=sroi.Ref(k))
            for i, k in enumerate(names)
        ],
        inputs=[sroi.Input("Funder", "Grant", "100 GBP")],
        correlations=[(x, y, 0.3) for i, x in enumerate(names) for y in names[i + 1 :]],
    )
    big, small = (sample_uniforms(a, 101, seed=3, chunk_size=c) for c in (1000, 1))
    pd.testing.assert_frame_equal(big, small, check_exact=True)


def test_direct_draws_equal_the_inverse_cdf_of_the_same_uniforms():
    # Uniform and triangular estimates outside correlations are drawn by numpy's samplers on
    # their own streams; they must equal each family's inverse CDF at the uniforms of those
    # streams (sample_uniforms), including a mode at either end and correlated neighbours.
    # Tolerance: 1e-12 relative (the same square root of the same product; a uniform of exactly
    # 0, probability 2^-53 a draw, would differ by at most 2^-54 of the range).
    params = {
        "u": sroi.Uniform(0.1, 0.4),
        "t": sroi.Triangular(0.0, 0.2, 0.5),
        "t_low": sroi.Triangular(0.1, 0.1, 0.3),
        "t_high": sroi.Triangular(0.1, 0.3, 0.3),
        "c1": sroi.Uniform(0.0, 0.5),
        "c2": sroi.Triangular(0.05, 0.1, 0.6),
        "ln": sroi.LogNormal(median=10.0, gsd=1.5),
    }
    names = ["u", "t", "t_low", "t_high", "c1", "c2"]
    a = sroi.Analysis(
        name="Direct",
        currency="GBP",
        parameters=params,
        outcomes=[
            sroi.Outcome(
                "S",
                f"O{i}",
                quantity="10 person",
                quantity_factors=[sroi.Ref("ln")],
                proxy="10 GBP/person",
                deadweight=sroi.Ref(k),
            )
            for i, k in enumerate(names)
        ],
        inputs=[sroi.Input("Funder", "Grant", "100 GBP")],
        correlations=[("c1", "c2", 0.6)],
    )
    sim = simulate(a, 5_000, seed=11, chunk_size=1_000)
    u = sample_uniforms(a, 5_000, seed=11)
    for name, dist in params.items():
        expected = dist.ppf(u[name].to_numpy())
        np.testing.assert_allclose(sim.draws[name].to_numpy(), expected, rtol=1e-12, atol=0, err_msg=name)


def test_simulation_is_the_engine_on_its_draws():
    # The one engine: evaluating the kept draws in one batch gives the same numbers exactly.
    a = uncertain()
    sim = simulate(a, 300, seed=9, chunk_size=64)
    out = a.compiled.run({k: sim.draws[k].to_numpy() for k in sim.draws.columns})
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(sim, name), getattr(out, name))
    np.testing.assert_array_equal(
        sim.present_value_by_outcome.to_numpy(), out.present_value_by_outcome.T.astype("f4")
    )


def test_one_draw_per_named_parameter_x_minus_x_is_zero():
    sim = simulate(shared_parameter(), 2000, seed=1)
    pv = sim.present_value_by_outcome.to_numpy()
    np.testing.assert_array_equal(pv[:, 0] - pv[:, 1], 0.0)
    assert list(sim.draws.columns) == ["attr"]
    assert sim.present_value.std() > 0


# -- known answers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "dist", "point"),
    [
        ("quantity", sroi.Uniform(50, 150, unit=sroi.ureg.person), "100 person"),
        ("quantity", sroi.Triangular(50, 60, 160, unit=sroi.ureg.person), "90 person"),  # mean != mode
        ("deadweight", sroi.Triangular(0.0, 0.1, 0.5), 0.2),
    ],
)
def test_mean_converges_to_the_analytic_mean(field, dist, point):
    # PV is linear in the quantity and in (1 - deadweight), so E[PV] = PV at the mean estimate.
    n = 20_000
    sim = simulate(make_analysis(**{field: dist}), n, seed=11)
    expected = make_analysis(**{field: point}).evaluate().present_value.magnitude
    se = sim.present_value.std(ddof=1) / np.sqrt(n)
    assert abs(sim.present_value.mean() - expected) < 4 * se  # 4 standard errors: fails 1 in 16,000


def test_deterministic_model_simulates_to_its_result():
    a = sroi.Analysis(
        name="Fixed",
        currency="GBP",
        outcomes=[
            sroi.Outcome("A", "Paid", quantity="10 person", proxy="50 GBP/person", duration=3, cash_tier="A"),
            sroi.Outcome(
                "B",
                "Saved",
                quantity="5 person",
                proxy="80 GBP/person",
                duration=2,
                start=2,
                cash_tier="B",
                contracted=True,
                payer="Council",
                drop_off=0.2,
            ),
            sroi.Outcome("C", "Wellbeing", quantity="4 person", proxy="100 GBP/person", duration=4),
        ],
        inputs=[sroi.Input("Funder", "Grant", "500 GBP")],
    )
    res, sim = a.evaluate(), simulate(a, 5, seed=0)
    assert sim.draws.shape == (5, 0)
    np.testing.assert_array_equal(sim.ratio, res.ratio)
    np.testing.assert_array_equal(sim.present_value, res.present_value.magnitude)
    np.testing.assert_array_equal(sim.net_present_value, res.net_present_value.magnitude)
    np.testing.assert_array_equal(sim.net_ratio, res.net_ratio)
    np.testing.assert_array_equal(sim.payback_months, res.payback_months)
    np.testing.assert_allclose(
        sim.eligible_cash_flows(), np.repeat(res.eligible_cash_flows(), 5, 0), rtol=1e-7
    )
    assert sim.tenor_cap == res.tenor_cap == 3
    pd.testing.assert_frame_equal(sim.value_by_tier, res.value_by_tier, rtol=1e-12)
    pd.testing.assert_frame_equal(sim.cash_flow_sources(), res.cash_flow_sources())
    assert sim.evaluate_point().ratio == res.ratio
    summary = sim.summary()
    assert (summary["sd"] == 0).all() and (summary["p5"] == summary["p95"]).all()


def test_no_uncertain_estimates_give_constant_arrays(simple):
    sim = simulate(simple, 100, seed=2)
    for name in ARRAYS:
        x = getattr(sim, name)
        assert x.shape == (100,) and np.all(x == x[0])
    assert sim.ratio[0] == simple.evaluate().ratio


# -- correlations ----------------------------------------------------------------------------------
def test_copula_recovers_the_requested_rank_correlations():
    n = 20_000
    sim = simulate(correlated(), n, seed=123)
    d = sim.draws
    for x, y, rho in (("a", "b", 0.6), ("a", "c", -0.4), ("b", "c", 0.0)):
        got = stats.spearmanr(d[x], d[y]).statistic
        assert got == pytest.approx(rho, abs=0.02)  # sampling sd of Spearman's rho at n=20,000 is < 0.008
    u = sample_uniforms(correlated(), n, seed=123)
    assert float(u.min().min()) > 0 and float(u.max().max()) < 1
    np.testing.assert_allclose(u.mean(), 0.5, atol=0.01)  # still uniform margins


def test_correlation_by_field_path_resolves_to_the_parameter():
    a = correlated()
    same = a.replace(correlations=[("outcomes[0].quantity_factors[0]", "b", 0.6)])
    np.testing.assert_array_equal(
        sample_uniforms(same, 100, seed=1)["b"],
        sample_uniforms(a.replace(correlations=[("a", "b", 0.6)]), 100, seed=1)["b"],
    )
    assert rank_correlation_matrix(same).loc["a", "b"] == 0.6


def test_perfect_rank_correlation_is_allowed():
    sim = simulate(correlated(rho_ab=1.0, rho_ac=0.0), 2000, seed=1)
    assert stats.spearmanr(sim.draws["a"], sim.draws["b"]).statistic == pytest.approx(1.0, abs=1e-9)


def test_not_positive_semidefinite_raises():
    with pytest.raises(
        SROIError, match=r"correlations: .*not positive semi-definite \(smallest eigenvalue -0\.\d+"
    ):
        simulate(correlated(rho_ab=0.9, rho_ac=0.9, rho_bc=-0.9), 10, seed=1)


@pytest.mark.parametrize(
    ("correlations", "match"),
    [
        ([("a", "nope", 0.5)], r"correlations\[0\]: unknown estimate 'nope'.*uncertain estimate: a, c, b"),
        (
            [("a", "b", 0.5), ("a", "outcomes[0].proxy", 0.5)],
            r"correlations\[1\]: 'outcomes\[0\].proxy' has no distribution",
        ),
        ([("a", "b", 0.5), ("b", "a", 0.3)], r"correlations\[1\]: .*symmetric"),
        ([("a", "a", 0.5)], r"correlations\[0\]: 'a' is correlated with itself"),
        ([("a", "b")], r"correlations\[0\]: expected \(name_a, name_b, rho\)"),
        ([("a", "b", 1.5)], r"correlations\[0\]: expected a rank correlation in \[-1, 1\]"),
    ],
)
def test_invalid_correlations_name_the_entry(correlations, match):
    with pytest.raises(SROIError, match=match):
        sample_uniforms(correlated(), 10, seed=1, correlations=correlations)


# -- arguments -------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, -3, 1.5, True, "10"])
def test_bad_n_raises_naming_n(simple, n):
    with pytest.raises(SROIError, match=r"^n: expected a whole number >= 1"):
        simulate(simple, n)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"chunk_size": 0}, r"^chunk_size:"),
        ({"targets": "1"}, r"^targets:"),
        ({"targets": (float("nan"),)}, r"^targets:"),
        ({"seed": "x"}, r"^seed:"),
    ],
)
def test_bad_arguments_raise(simple, kwargs, match):
    with pytest.raises(SROIError, match=match):
        simulate(simple, 10, **kwargs)


def test_inputs_drawn_at_zero_raise():
    a = make_analysis(
        inputs=[sroi.Input("Funder", "Grant", sroi.Discrete((0, 100), (0.3, 0.7), unit=sroi.ureg.GBP))]
    )
    with pytest.raises(SROIError, match=r"^inputs: the inputs total 0 GBP in sample \d+"):
        simulate(a, 200, seed=1)


def test_uncertain_inputs_are_stored_per_sample():
    a = make_analysis(inputs=[sroi.Input("Funder", "Grant", sroi.Uniform(80, 120, unit=sroi.ureg.GBP))])
    sim = simulate(a, 100, seed=4)
    np.testing.assert_array_equal(sim.total_inputs, sim.draws["inputs[0].value"])


def test_progress_bar_switches(monkeypatch):
    monkeypatch.delenv("SROI_NO_PROGRESS", raising=False)
    assert uncertainty._show_progress(None, 1_000_000) and uncertainty._show_progress(True, 10)
    assert not uncertainty._show_progress(None, 1000) and not uncertainty._show_progress(False, 10**7)
    monkeypatch.setenv("SROI_NO_PROGRESS", "1")
    assert not uncertainty._show_progress(True, 10**7)


def test_progress_bar_is_silent_when_disabled(simple, capsys):
    simulate(simple, 10, seed=1, progress=True)  # conftest sets SROI_NO_PROGRESS
    assert capsys.readouterr().err == ""


# -- the result object -----------------------------------------------------------------------------
def test_summary_interval_probability_and_displays():
    a = uncertain()
    sim = a.simulate(4000, seed=8, targets=(1.0, 2.0))
    assert isinstance(sim, Simulation) and sim.n == 4000 and sim.currency == "GBP"
    table = sim.summary()
    assert list(table.index) == ["ratio", "present_value", "net_present_value"]
    assert list(table.columns) == [
        "mean",
        "sd",
        "p5",
        "p10",
        "p50",
        "p90",
        "p95",
        "P(ratio > 1)",
        "P(ratio > 2)",
    ]
    assert table.loc["ratio", "mean"] == pytest.approx(sim.ratio.mean())
    assert table.loc["ratio", "sd"] == pytest.approx(sim.ratio.std(ddof=1), rel=1e-12)
    assert table.loc["ratio", "p10"] == pytest.approx(np.quantile(sim.ratio, 0.1))
    assert table.loc["ratio", "P(ratio > 2)"] == sim.probability_ratio_exceeds(2.0) == np.mean(sim.ratio > 2)
    assert np.isnan(table.loc["present_value", "P(ratio > 1)"])
    lo, hi = sim.interval(0.8)
    assert (lo, hi) == (pytest.approx(table.loc["ratio", "p10"]), pytest.approx(table.loc["ratio", "p90"]))
    assert sim.interval(0.9, "present_value")[1] == pytest.approx(table.loc["present_value", "p95"])
    with pytest.raises(SROIError, match="^level:"):
        sim.interval(1.0)
    with pytest.raises(SROIError, match="^metric:"):
        sim.interval(0.9, "payback")
    assert "P(ratio > 2)" in repr(sim) and "4,000 samples" in repr(sim)
    assert "<table" in sim._repr_html_()
    frame = sim.to_frame()
    assert list(frame.columns[:6]) == list(ARRAYS) and frame.shape == (4000, 6 + sim.draws.shape[1])
    assert list(sim.present_value_by_outcome.columns) == ["Older people: Less isolated"]


def test_keep_draws_false_and_cash_protocol():
    a = uncertain()
    sim = simulate(a, 300, seed=2, keep_draws=False)
    assert sim.draws is None
    flows = sim.eligible_cash_flows()
    assert flows.shape == (300, 5)  # durations up to 5 years
    assert sim.tenor_cap == 5
    np.testing.assert_allclose(flows.sum(axis=0) / 300, sim.value_by_tier["A"].iloc[:5], rtol=1e-5)
    assert list(sim.value_by_tier.columns) == ["A", "B contracted", "B uncontracted", "C"]
    c_only = simulate(uncertain(cash_tier="C"), 10, seed=2)
    assert c_only.tenor_cap == 0 and not c_only.eligible_cash_flows().any()


def test_credit_line_accepts_a_simulation():
    from sroi import finance

    line = finance.credit_line(simulate(uncertain(), 500, seed=1))
    assert line.amount > 0
