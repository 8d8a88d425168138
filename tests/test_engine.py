"""Known-answer tests of the engine against docs/method.md §3-4 (hand-computed values)."""

from __future__ import annotations

import numpy as np
import pytest

import sroi
from sroi import engine
from tests.conftest import make_analysis

R = 0.035


def test_guide_drop_off_100_90_81():
    # The SROI Guide's illustration: 10% drop-off gives 100, 90, 81 (drop-off from year 2).
    res = make_analysis(drop_off=0.1, discount_timing="none").evaluate()
    np.testing.assert_allclose(res.per_year["value"].iloc[1:].to_numpy(), [100.0, 90.0, 81.0], rtol=1e-12)
    assert res.present_value.magnitude == pytest.approx(271.0, rel=1e-12)


def test_drop_off_from_year_one():
    res = make_analysis(drop_off=0.1, discount_timing="none", drop_off_from_year=1).evaluate()
    np.testing.assert_allclose(res.per_year["value"].iloc[1:].to_numpy(), [90.0, 81.0, 72.9], rtol=1e-12)


@pytest.mark.parametrize(
    ("timing", "exponents"),
    [
        ("end_of_year", [1, 2, 3]),
        ("mid_year", [0.5, 1.5, 2.5]),
        ("start_of_year", [0, 1, 2]),
    ],
)
def test_present_value_each_timing(timing, exponents):
    res = make_analysis(drop_off=0.1, discount_timing=timing).evaluate()
    expected = sum(v / (1 + R) ** e for v, e in zip([100, 90, 81], exponents, strict=True))
    assert res.present_value.magnitude == pytest.approx(expected, rel=1e-12)  # exact arithmetic
    assert res.ratio == pytest.approx(expected / 100, rel=1e-12)
    assert res.net_ratio == pytest.approx(expected / 100 - 1, rel=1e-12)
    assert res.net_present_value.magnitude == pytest.approx(expected - 100, rel=1e-12)


def test_rate_schedule():
    rates = [0.05, 0.03, 0.02]
    res = make_analysis(discount_rate=rates).evaluate()
    d1 = 1 / 1.05
    d2 = d1 / 1.03
    d3 = d2 / 1.02
    assert res.present_value.magnitude == pytest.approx(100 * (d1 + d2 + d3), rel=1e-12)


def test_rate_schedule_shorter_than_horizon_continues_at_last_rate():
    res = make_analysis(discount_rate=[0.05], duration=3).evaluate()
    assert res.present_value.magnitude == pytest.approx(sum(100 / 1.05**t for t in (1, 2, 3)), rel=1e-12)


def test_green_book_declining_schedule_mid_year():
    rates = [0.035] * 30 + [0.03] * 45
    d = engine.discount_factors(np.array(rates), "end_of_year")
    assert d[30] == pytest.approx(1.035**-30, rel=1e-12)
    assert d[31] == pytest.approx(1.035**-30 / 1.03, rel=1e-12)


def test_start_two_shifts_one_period():
    res = make_analysis(start=2, drop_off=0.1).evaluate()
    expected = sum(v / (1 + R) ** t for v, t in zip([100, 90, 81], [2, 3, 4], strict=True))
    assert res.present_value.magnitude == pytest.approx(expected, rel=1e-12)
    assert list(res.per_year.index) == [0, 1, 2, 3, 4]
    assert res.per_year.loc[1, "value"] == 0.0


def test_quantity_profile():
    res = make_analysis(
        quantity=["120 person", "100 person", "80 person"],
        duration=None,
        discount_timing="none",
        drop_off=0.1,
    ).evaluate()
    np.testing.assert_allclose(res.per_year["value"].iloc[1:].to_numpy(), [1200, 900, 648], rtol=1e-12)


def test_filters_multiply_sequentially():
    res = make_analysis(
        deadweight=0.2, displacement=0.1, attribution=0.25, duration=1, discount_timing="none"
    ).evaluate()
    assert res.by_outcome["impact"].iloc[0] == pytest.approx(100 * 0.8 * 0.9 * 0.75, rel=1e-12)


def test_payback_months():
    # payback = inputs / (annual impact / 12) = 100 / (100 / 12) = 12 months
    res = make_analysis().evaluate()
    assert res.payback_months == pytest.approx(12.0, rel=1e-12)


def test_payback_uses_first_year_impact_whatever_the_start():
    res = make_analysis(start=2, deadweight=0.5).evaluate()
    assert res.payback_months == pytest.approx(100 / (50 / 12), rel=1e-12)


def test_inputs_in_later_years_are_discounted():
    inputs = [sroi.Input("Funder", "Grant", "100 GBP"), sroi.Input("Funder", "Year 2", "50 GBP", year=2)]
    res = make_analysis(inputs=inputs).evaluate()
    assert res.total_inputs.magnitude == pytest.approx(100 + 50 / 1.035**2, rel=1e-12)


def test_engine_vectorised_matches_one_sample_each():
    a = make_analysis(drop_off=0.1, deadweight=0.2)
    comp = a.compiled
    draws = {
        "outcomes[0].deadweight": np.array([0.0, 0.2, 0.5]),
        "outcomes[0].drop_off": np.array([0.1, 0.1, 0.3]),
    }
    many = engine.run(comp.arrays(draws), a.discount_timing, a.drop_off_from_year)
    for s in range(3):
        one = engine.run(
            comp.arrays({k: v[s] for k, v in draws.items()}), a.discount_timing, a.drop_off_from_year
        )
        assert many.ratio[s] == pytest.approx(one.ratio[0], rel=1e-14)


def test_by_stakeholder_and_shares():
    outcomes = [
        sroi.Outcome("A", "x", quantity="1 person", proxy="300 GBP/person"),
        sroi.Outcome("B", "y", quantity="1 person", proxy="100 GBP/person"),
    ]
    res = sroi.Analysis(
        "t", "GBP", outcomes, [sroi.Input("F", "g", "100 GBP")], discount_timing="none"
    ).evaluate()
    assert list(res.by_stakeholder["stakeholder"]) == ["A", "B"]
    np.testing.assert_allclose(res.by_stakeholder["share"], [0.75, 0.25])
    assert res.by_outcome["present_value"].sum() == pytest.approx(res.present_value.magnitude)


def test_result_money_is_in_analysis_currency(simple):
    res = simple.evaluate()
    assert str(res.present_value.units) == "GBP"
    assert "SROI ratio" in repr(res)
    assert "<table" in res._repr_html_()


def test_proxy_per_year_unit_equivalent_to_per_unit():
    a = make_analysis(proxy="10 GBP/person/year").evaluate()
    b = make_analysis(proxy="10 GBP/person").evaluate()
    assert a.present_value == b.present_value


def test_quantity_factors_turn_devices_into_people():
    res = make_analysis(quantity="100 device", quantity_factors=["0.1 person/device"]).evaluate()
    assert res.by_outcome["impact"].iloc[0] == pytest.approx(100.0)


def test_evaluative_reference_period_compounds_forward():
    # An evaluative analysis stated at period 3: every value is multiplied by (1 + r)^3;
    # the ratio does not change (docs/method.md §4).
    base = make_analysis(drop_off=0.1).evaluate()
    later = make_analysis(drop_off=0.1).replace(reference_period=3).evaluate()
    assert later.ratio == pytest.approx(base.ratio, rel=1e-12)
    assert later.present_value.magnitude == pytest.approx(base.present_value.magnitude * 1.035**3, rel=1e-12)
    assert later.total_inputs.magnitude == pytest.approx(100 * 1.035**3, rel=1e-12)
    # period 3 is worth its face value at the reference period
    assert later.per_year.loc[3, "discount_factor"] == pytest.approx(1.0, rel=1e-12)


def test_reference_period_beyond_the_outcomes_extends_the_horizon():
    later = make_analysis(duration=1).replace(reference_period=5).evaluate()
    assert later.present_value.magnitude == pytest.approx(100 * 1.035**4, rel=1e-12)


def test_analysis_shows_itself(simple):
    assert repr(simple).startswith("Analysis('Test', currency='GBP'")
    assert "<table" in simple._repr_html_()


def test_payback_does_not_depend_on_the_reference_period():
    base = make_analysis(drop_off=0.1).evaluate()
    later = make_analysis(drop_off=0.1).replace(reference_period=5).evaluate()
    assert later.payback_months == pytest.approx(base.payback_months, rel=1e-12)


# -- conventions of published reports (issue #12) ----------------------------------------------
def _one(**kw):
    base = dict(quantity="10 person", proxy="100 GBP/person", duration=3)
    base.update(kw)
    return sroi.Analysis(
        "Conventions",
        "GBP",
        [sroi.Outcome("People", "Better", **base)],
        [sroi.Input("Funder", "Grant", "1000 GBP")],
        discount_rate=0.05,
    )


def test_outcome_starting_in_year_4_is_discounted_from_period_4():
    pv = _one(start=4, drop_off=0.1).evaluate().present_value.magnitude
    hand = sum(1000 * 0.9**k / 1.05 ** (4 + k) for k in range(3))  # drop-off from year 2: 1, 0.9, 0.81
    assert pv == pytest.approx(hand, rel=1e-12)


def test_drop_off_from_year_1_for_one_outcome_only():
    outcomes = [
        sroi.Outcome("A", "x", quantity="10 person", proxy="100 GBP/person", duration=3, drop_off=0.2),
        sroi.Outcome(
            "B",
            "y",
            quantity="10 person",
            proxy="100 GBP/person",
            duration=3,
            drop_off=0.2,
            drop_off_from_year=1,
        ),
    ]
    a = sroi.Analysis("t", "GBP", outcomes, [sroi.Input("F", "g", "100 GBP")], discount_timing="none")
    pv = a.evaluate().by_outcome["present_value"].tolist()
    assert pv == pytest.approx([1000 * (1 + 0.8 + 0.64), 1000 * (0.8 + 0.64 + 0.512)], rel=1e-12)


def test_proxy_per_year_list_and_quantity_list_together():
    a = _one(
        quantity=["10 person", "8 person", "5 person"],
        proxy=["100 GBP/person", "120 GBP/person", "90 GBP/person"],
    )
    hand = (10 * 100) / 1.05 + (8 * 120) / 1.05**2 + (5 * 90) / 1.05**3
    r = a.evaluate()
    assert r.present_value.magnitude == pytest.approx(hand, rel=1e-12)
    assert r.by_outcome.loc[0, "duration"] == 3
    periods = r.per_year_by_outcome.iloc[:, 0].tolist()
    assert periods == pytest.approx([1000.0, 960.0, 450.0], rel=1e-12)


def test_a_disbenefit_lowers_the_present_value_and_shows_negative():
    outcomes = [
        sroi.Outcome("Users", "Online", quantity="10 person", proxy="100 GBP/person"),
        sroi.Outcome("Users", "Scammed", quantity="2 person", proxy="-150 GBP/person", attribution=0.5),
    ]
    a = sroi.Analysis("t", "GBP", outcomes, [sroi.Input("F", "g", "100 GBP")], discount_timing="none")
    r = a.evaluate()
    assert r.by_outcome["present_value"].tolist() == pytest.approx([1000.0, -150.0])
    assert r.present_value.magnitude == pytest.approx(850.0)
    assert r.ratio == pytest.approx(8.5)
    be = a.break_even().set_index(["outcome", "parameter"])
    q = be.loc[("Users: Scammed", "quantity"), "switching_value"]  # 1000 - 150 k = 100 -> k = 6
    assert q == pytest.approx(12.0, rel=1e-12)
    tornado = a.tornado(include="all")
    assert (tornado.set_index("key").loc["outcomes[1].proxy", ["low_value", "high_value"]] < 0).all()


def test_overlap_share_takes_out_value_already_counted():
    outcomes = [
        sroi.Outcome("Users", "Online", quantity="10 person", proxy="100 GBP/person", id="online"),
        sroi.Outcome(
            "Users", "Connected", quantity="10 person", proxy="50 GBP/person", overlaps={"online": 0.4}
        ),
    ]
    a = sroi.Analysis("t", "GBP", outcomes, [sroi.Input("F", "g", "100 GBP")], discount_timing="none")
    assert a.evaluate().by_outcome["present_value"].tolist() == pytest.approx([1000.0, 300.0])


def test_income_adjusted_benefit_transfer_matches_the_raw_files():
    """GBP 13,000 at 2019 prices to CNY at 2023 prices by GDP PPP with elasticity 1:
    85,549.03 x (Y_CN / Y_GB), Y = GDP [US$] x market rate / PPP / population, from the raw files."""
    import pandas as pd

    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip("the raw data folder is not beside the repository")
    gdp = pd.read_csv(SHARED_DATA / "worldbank_gdp_current_usd.csv")
    pop = pd.read_csv(SHARED_DATA / "worldbank_population.csv")
    ppp = pd.read_csv(SHARED_DATA / "worldbank_ppp_gdp.csv")
    fx = pd.read_csv(SHARED_DATA / "fred_fx_monthly.csv")

    def income(iso3, iso2, fred):
        g = gdp[(gdp["Country Code"] == iso3) & (gdp["Year"] == 2023)]["Value"].item()
        p = pop[(pop["Country Code"] == iso3) & (pop["Year"] == 2023)]["Value"].item()
        f = ppp[(ppp["Country ID"] == iso2) & (ppp["Year"] == 2023)]["PPP"].item()
        rate = fx[(fx["Country"] == fred) & fx["Date"].str.startswith("2023")]["Exchange rate"].mean()
        return g * rate / f / p

    ratio = income("CHN", "CN", "China") / income("GBR", "GB", "United Kingdom")
    a = sroi.Analysis(
        "WELLBY",
        "CNY",
        [
            sroi.Outcome(
                "People",
                "Life satisfaction",
                quantity="1 person",
                proxy="13000 GBP/person/year",
                proxy_price_year=2019,
                income_elasticity=1.0,
            )
        ],
        [sroi.Input("F", "g", "1 CNY")],
        price_year=2023,
        discount_timing="none",
    )
    proxy = a.evaluate().by_outcome.loc[0, "proxy"]
    assert proxy == pytest.approx(85_549.03 * ratio, rel=1e-6)  # 85,549.03 is rounded to the cent
    recorded = a.evaluate().conversions.set_index("basis").loc["income"]
    assert recorded["factor"] == pytest.approx(ratio, rel=1e-9)
