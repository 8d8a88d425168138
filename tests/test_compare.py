"""Options appraisal (sroi.compare, docs/method.md §14): common random numbers, increments,
probability best, acceptability, dominance, EVPI, errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sroi
from sroi.compare import Comparison, compare
from sroi.exceptions import SROIError
from sroi.voi import evpi

N = 2_000  # draws per option: every check below is exact or a property, not a Monte Carlo estimate


def _option(
    name: str = "A",
    *,
    grant: str | sroi.Distribution = "1000 GBP",
    people: float = 10.0,
    proxy: str = "300 GBP/person",
    currency: str = "GBP",
    price_year: int | None = None,
) -> sroi.Analysis:
    return sroi.Analysis(
        name=name,
        currency=currency,
        price_year=price_year,
        inputs=[sroi.Input("Funder", "Grant", grant)],
        parameters={"dw": sroi.Uniform(0.1, 0.5), "reach": sroi.Uniform(0.5, 1.5)},
        outcomes=[
            sroi.Outcome(
                "People",
                "Better",
                quantity=f"{people} person",
                quantity_factors=(sroi.Ref("reach"),),
                proxy=proxy,
                deadweight=sroi.Ref("dw"),
            )
        ],
    )


# -- common random numbers -------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [7, np.random.SeedSequence(7), np.random.default_rng(7), None])
def test_an_option_compared_with_itself_has_zero_increments_exactly(seed):
    a = _option()
    c = compare([a, a], n=N, seed=seed)
    inc = c.incremental()
    label = c.labels[1]
    assert c.labels == ["A", "A [2]"]
    for metric in ("incremental_present_value", "incremental_inputs", "incremental_net_present_value"):
        assert (inc.loc[label, metric] == 0.0).all()  # exactly: the same draws, the same engine
    assert inc.loc[label, ("P(incremental net present value > 0)", "")] == 0.0
    assert np.isnan(inc.loc[label, ("incremental_ratio", "ratio of means")])  # equal inputs: no ratio
    p = c.probability_best(1.0)
    assert p.tolist() == [0.5, 0.5]  # a tie in every draw is shared
    assert (c.evpi["evpi"] == 0.0).all()
    assert set(c.dominance()["status"]) == {"frontier", "equivalent"}


def test_estimates_with_the_same_key_get_the_same_draws_whatever_else_differs():
    """The streams are keyed by estimate: an option with an extra uncertain input, a different
    proxy and a reordered parameter table draws the shared estimates identically."""
    a = _option()
    b = a.replace(
        name="B",
        parameters={"reach": sroi.Uniform(0.5, 1.5), "dw": sroi.Uniform(0.1, 0.5)},
        inputs=[*a.inputs, sroi.Input("Volunteers", "Time", sroi.Uniform(100, 300, unit="GBP"))],
        outcomes=[a.outcomes[0].replace(proxy="450 GBP/person")],
    )
    c = compare([a, b], n=N, seed=11)
    da, db = (c.simulations[k].draws for k in ("A", "B"))
    assert da is not None and db is not None
    for key in ("dw", "reach"):
        np.testing.assert_array_equal(da[key].to_numpy(), db[key].to_numpy())
    assert "inputs[1].value" in db.columns and "inputs[1].value" not in da.columns
    # the proxy is 1.5 times larger, everything else drawn alike: PV is 1.5 times larger per draw
    np.testing.assert_allclose(
        c.simulations["B"].present_value, 1.5 * c.simulations["A"].present_value, rtol=1e-12
    )  # rtol: one multiplication's rounding


def test_a_different_distribution_under_the_same_key_is_drawn_at_the_same_quantiles():
    a = _option()
    b = a.replace(name="B", parameters={**a.parameters, "dw": sroi.Uniform(0.2, 0.6)})
    c = compare([a, b], n=N, seed=5)
    da, db = (c.simulations[k].draws for k in ("A", "B"))
    assert da is not None and db is not None
    np.testing.assert_allclose(db["dw"], da["dw"] + 0.1, atol=1e-12)  # same uniform, shifted range


def test_same_seed_repeats_the_comparison_bit_for_bit():
    a, b = _option(), _option("B", people=20, grant="1800 GBP")
    c1, c2 = compare([a, b], n=N, seed=3), compare([a, b], n=N, seed=3)
    pd.testing.assert_frame_equal(c1.to_frame(), c2.to_frame())
    c3 = compare([a, b], n=N, seed=c1.seed)
    pd.testing.assert_frame_equal(c1.to_frame(), c3.to_frame())


# -- increments, summaries -------------------------------------------------------------------------
def test_increments_are_differences_of_the_simulations_draw_by_draw():
    a, b = _option(), _option("B", people=20, grant=sroi.Uniform(1500, 2500, unit="GBP"))
    c = compare({"small": a, "large": b}, n=N, seed=2, base="small")
    inc = c.incremental()
    sa, sb = c.simulations["small"], c.simulations["large"]
    d_pv = sb.present_value - sa.present_value
    d_in = sb.total_inputs - sa.total_inputs
    assert inc.loc["large", ("incremental_present_value", "mean")] == pytest.approx(d_pv.mean(), rel=1e-12)
    lo, hi = np.quantile(d_pv, [0.1, 0.9])  # the default 80% interval
    assert inc.loc["large", ("incremental_present_value", "p10")] == pytest.approx(lo, rel=1e-12)
    assert inc.loc["large", ("incremental_present_value", "p90")] == pytest.approx(hi, rel=1e-12)
    assert inc.loc["large", ("incremental_ratio", "ratio of means")] == pytest.approx(
        d_pv.mean() / d_in.mean(), rel=1e-12
    )
    p = np.mean(d_pv - d_in > 0)
    assert inc.loc["large", ("P(incremental net present value > 0)", "")] == p
    summary = c.summary()
    assert summary.loc["small", ("ratio", "p50")] == pytest.approx(np.median(sa.ratio), rel=1e-12)
    assert summary.loc["large", ("total_inputs", "mean")] == pytest.approx(sb.total_inputs.mean(), rel=1e-12)
    assert inc.attrs["base"] == "small"


def test_base_by_position_and_the_display():
    a, b = _option(), _option("B", people=20, grant="1800 GBP")
    c = compare([a, b], n=500, seed=1, base=1)
    assert c.base == "B" and list(c.incremental().index) == ["A"]
    assert "options appraisal" in repr(c)
    html = c._repr_html_()
    assert "Dominance" in html and "<table" in html
    frame = c.to_frame()
    assert frame.shape == (500, 8) and frame.columns.names == ["metric", "option"]


# -- probability best, acceptability ---------------------------------------------------------------
def test_probability_best_sums_to_one_at_every_threshold():
    options = [
        _option("A"),
        _option("B", people=20, grant=sroi.Uniform(1500, 2600, unit="GBP")),
        _option("C", people=14, proxy="380 GBP/person", grant="1400 GBP"),
    ]
    c = compare(options, n=N, seed=4)
    np.testing.assert_allclose(c.acceptability.sum(axis=1), 1.0, rtol=0, atol=1e-12)  # float sums of 1/k
    assert c.acceptability.index.is_monotonic_increasing and 1.0 in c.acceptability.index
    assert ((c.acceptability >= 0) & (c.acceptability <= 1)).all().all()


def test_acceptability_of_the_costlier_option_falls_with_the_threshold():
    """B has more inputs than A in every draw, so P(B best) = P(ΔPV / Δinputs > λ): not
    increasing in λ (Fenwick et al. 2001)."""
    a = _option()
    b = _option("B", people=20, grant=sroi.Uniform(1200, 3000, unit="GBP"))
    c = compare([a, b], n=N, seed=8, thresholds=np.linspace(0.2, 8, 40))
    p_b = c.acceptability["B"].to_numpy()
    assert np.all(np.diff(p_b) <= 0)
    assert p_b[0] > 0.9 and p_b[-1] < 0.1  # and it does move: the test can fail


def test_evpi_is_zero_when_one_option_is_best_in_every_draw():
    a = _option()
    b = _option("B", people=30, grant="900 GBP")  # more value for less: best in every draw
    c = compare([a, b], n=N, seed=9, thresholds=[0.5, 1.0, 3.0])
    assert (c.acceptability["B"] == 1.0).all()
    assert (c.evpi["evpi"] == 0.0).all()
    assert (c.evpi["optimal"] == "B").all()
    assert c.dominance().loc["A", "status"] == "dominated"
    assert c.dominance().loc["A", "dominated_by"] == "B"


@settings(max_examples=25, deadline=None)
@given(
    people=st.floats(5, 40),
    grant=st.floats(500, 4000),
    threshold=st.floats(0.1, 10),
    seed=st.integers(0, 2**32 - 1),
)
def test_evpi_is_never_negative(people, grant, threshold, seed):
    a = _option()
    b = _option("B", people=people, grant=sroi.Uniform(grant * 0.5, grant * 1.5, unit="GBP"))
    c = compare([a, b], n=200, seed=seed, thresholds=[threshold])
    evpi = c.evpi
    assert (evpi["evpi"] >= 0).all()
    # the decision at λ is the option with the highest expected net benefit
    nb = np.stack([s.present_value - threshold * s.total_inputs for s in c.simulations.values()])
    assert evpi["optimal"].iloc[0] == c.labels[int(np.argmax(nb.mean(axis=1)))]
    assert evpi["evpi"].iloc[0] == pytest.approx(nb.max(axis=0).mean() - nb.mean(axis=1).max(), abs=1e-9)


# -- dominance -------------------------------------------------------------------------------------
def test_dominance_strong_and_extended_on_a_constructed_example():
    """Expected (inputs, PV): A (1000, 3000), B (2000, 3500), C (3000, 8000), D (2500, 2000).
    D is dominated by B (more inputs, less PV); B lies below the line from A to C (its ratio
    over A, 0.5, is below C's over B, 4.5), so it is extendedly dominated; A and C are the
    frontier with incremental ratio (8000 - 3000) / (3000 - 1000) = 2.5."""

    def certain(name, inputs, pv):
        return sroi.Analysis(
            name=name,
            currency="GBP",
            discount_rate=0.0,
            inputs=[sroi.Input("Funder", "Grant", f"{inputs} GBP")],
            outcomes=[sroi.Outcome("People", "Better", quantity="1 person", proxy=f"{pv} GBP/person")],
        )

    c = compare(
        [
            certain("A", 1000, 3000),
            certain("B", 2000, 3500),
            certain("C", 3000, 8000),
            certain("D", 2500, 2000),
        ],
        n=10,
        seed=1,
        thresholds=[1.0, 2.0, 3.0],
    )
    dom = c.dominance()
    assert list(dom.index) == ["A", "B", "D", "C"]  # by expected inputs
    assert dom["status"].to_dict() == {
        "A": "frontier",
        "B": "extendedly dominated",
        "D": "dominated",
        "C": "frontier",
    }
    assert dom.loc["D", "dominated_by"] == "A"  # the first cheaper option with at least as much PV
    assert dom.loc["B", "dominated_by"] == "A and C"
    assert dom.loc["C", "incremental_ratio"] == pytest.approx(2.5, rel=1e-12)
    # the frontier's incremental ratio is where the decision switches: C below 2.5, A above
    assert c.evpi["optimal"].tolist() == ["C", "C", "A"]


def test_plot_acceptability_draws_one_line_per_option():
    c = compare([_option(), _option("B", people=20, grant="1800 GBP")], n=300, seed=1)
    ax = c.plot_acceptability()
    labels = [line.get_label() for line in ax.get_lines()]
    assert {"A", "B", "acceptability frontier"} <= set(labels)
    plt.close(ax.figure)


# -- errors ----------------------------------------------------------------------------------------
def test_fewer_than_two_options_is_refused():
    with pytest.raises(SROIError, match="at least 2 options"):
        compare([_option()], n=10, seed=1)
    with pytest.raises(SROIError, match="at least 2 options"):
        compare([], n=10, seed=1, do_nothing=True)
    with pytest.raises(SROIError, match="at least 2 options"):
        compare({}, n=10, seed=1)


def test_mismatched_currency_is_refused_naming_both():
    with pytest.raises(
        SROIError, match=r"options\[1\]\.currency: option 'B' has currency 'EUR'.*'A' has 'GBP'"
    ):
        compare([_option(), _option("B", currency="EUR", grant="1000 EUR", proxy="300 EUR/person")], n=10)


def test_mismatched_price_year_is_refused_naming_both():
    with pytest.raises(SROIError, match=r"option 'B' has price_year 2020 but option 'A' has 2023"):
        compare([_option(price_year=2023), _option("B", price_year=2020)], n=10)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"base": "Z"}, "base: expected one of the option labels"),
        ({"base": 5}, "base: expected a position"),
        ({"thresholds": [1.0, -2.0]}, r"thresholds\[1\]"),
        ({"thresholds": []}, "at least one threshold"),
        ({"thresholds": "1"}, "thresholds: expected a sequence"),
        ({"seed": "x"}, "seed"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(SROIError, match=match):
        compare([_option(), _option("B")], n=10, **kwargs)


def test_something_other_than_an_analysis_is_refused():
    with pytest.raises(SROIError, match=r"options\[1\]: expected an sroi.Analysis"):
        compare([_option(), "B"], n=10)
    assert Comparison.__doc__ and sroi.compare is compare


# -- doing nothing ---------------------------------------------------------------------------------
def test_do_nothing_against_one_option_is_the_fund_or_not_decision_of_sroi_voi():
    """One option and "do nothing": P(best) is P(ratio > λ) and EVPI is sroi.voi.evpi
    (docs/method.md §7.4), the same decision."""
    a = _option(grant=sroi.Uniform(1500, 3500, unit="GBP"))
    c = compare([a], n=N, seed=12, do_nothing=True, thresholds=[0.5, 1.0, 1.5])
    assert c.labels == ["A", "do nothing"]
    sim = c.simulations["A"]
    for lam in (0.5, 1.0, 1.5):
        p = c.acceptability.loc[lam, "A"]
        assert p == pytest.approx(sim.probability_ratio_exceeds(lam), abs=1 / N)  # boundary rounding
        assert c.evpi.loc[lam, "evpi"] == pytest.approx(evpi(sim, target=lam), rel=1e-12, abs=1e-9)
    assert 0.05 < c.acceptability.loc[1.0, "A"] < 0.95  # a real choice: the test can fail
    s = c.summary()
    assert (s.loc["do nothing", "present_value"] == 0).all() and s.loc["do nothing", "ratio"].isna().all()
    dom = c.dominance()
    assert dom.index[0] == "do nothing" and dom.loc["do nothing", "status"] == "frontier"
    assert "do nothing: present value and inputs 0" in repr(c)
    inc = c.incremental()  # against A: doing nothing gives up A's PV and saves its inputs
    assert inc.loc["do nothing", ("incremental_present_value", "mean")] == pytest.approx(
        -sim.present_value.mean(), rel=1e-12
    )


def test_do_nothing_label_clash_is_refused():
    with pytest.raises(SROIError, match="already labelled 'do nothing'"):
        compare({"do nothing": _option(), "B": _option("B")}, n=10, do_nothing=True)
