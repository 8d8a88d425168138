"""The over-claim audit (issue #12): every check passes on a sound model and flags its fault."""

from __future__ import annotations

import sroi
from sroi.datasets import dataset_path


def analysis(*outcomes, **kw):
    base = dict(name="Audited", currency="GBP", price_year=2023)
    base.update(kw)
    inputs = base.pop("inputs", [sroi.Input("Funder", "Grant", "1000 GBP")])
    return sroi.Analysis(outcomes=list(outcomes), inputs=inputs, **base)


def good(**kw):
    base = dict(
        quantity=sroi.Uniform(8, 12, unit="person"),
        proxy=sroi.Uniform(40, 60, unit="GBP/person"),
        source="survey of 120 participants",
        proxy_source="a published unit cost",
        deadweight=sroi.Uniform(0.15, 0.25),
        attribution=sroi.Uniform(0.2, 0.3),
        drop_off=0.2,
        duration=2,
    )
    base.update(kw)
    return sroi.Outcome("Older people", "Less isolated", **base)


CONSIDERED = [{"description": "Less contact with family", "reason": "no evidence of an effect"}]


def rows(result, check):
    return result.table[result.table["check"] == check]


def status(result, check):
    return set(rows(result, check)["status"])


def test_a_sound_model_has_no_failure():
    a = analysis(good(), negative_outcomes_considered=CONSIDERED)
    result = sroi.audit(a)
    assert result.status != "fail", result
    for check in (
        "sources given",
        "negative outcomes considered",
        "no double counting",
        "ratio against practice",
    ):
        assert status(result, check) == {"pass"}, check


def test_missing_sources_are_flagged_naming_the_outcome():
    a = analysis(good(source="", proxy_source=""), negative_outcomes_considered=CONSIDERED)
    flagged = rows(sroi.audit(a), "sources given")
    assert set(flagged["status"]) == {"warn"}
    assert set(flagged["field"]) == {a.outcome_ids[0]}
    assert len(flagged) == 2


def test_negative_outcomes_pass_when_valued_or_considered_else_warn():
    disbenefit = sroi.Outcome(
        "Older people", "Scammed", quantity="1 person", proxy="-100 GBP/person", source="s", proxy_source="p"
    )
    assert status(sroi.audit(analysis(good(), disbenefit)), "negative outcomes considered") == {"pass"}
    assert status(
        sroi.audit(analysis(good(), negative_outcomes_considered=CONSIDERED)), "negative outcomes considered"
    ) == {"pass"}
    assert status(sroi.audit(analysis(good())), "negative outcomes considered") == {"warn"}


def test_immaterial_outcomes_are_listed():
    tiny = good(quantity="1 person", proxy="1 GBP/person", id="tiny")
    result = sroi.audit(analysis(good(), tiny, negative_outcomes_considered=CONSIDERED))
    flagged = rows(result, "material outcomes")
    assert list(flagged["field"]) == ["tiny"] and set(flagged["status"]) == {"warn"}


def test_an_unadjusted_overlap_fails_and_an_adjusted_one_passes():
    first = good(id="online")
    unadjusted = analysis(
        first, good(id="connected", overlaps=["online"]), negative_outcomes_considered=CONSIDERED
    )
    assert status(sroi.audit(unadjusted), "no double counting") == {"fail"}
    adjusted = analysis(
        first, good(id="connected", overlaps={"online": 0.4}), negative_outcomes_considered=CONSIDERED
    )
    assert status(sroi.audit(adjusted), "no double counting") == {"pass"}


def test_filters_outside_practice_warn_with_the_sector_median():
    a = analysis(good(deadweight=0.9), negative_outcomes_considered=CONSIDERED, sector="Housing")
    flagged = rows(sroi.audit(a), "deadweight against practice")
    assert set(flagged["status"]) == {"warn"}
    assert "Housing reports' median 15.0%" in flagged["detail"].iloc[0]
    unknown = sroi.audit(analysis(good(), negative_outcomes_considered=CONSIDERED, sector="Space travel"))
    assert status(unknown, "sector benchmarks") == {"warn"}


def test_a_ratio_above_practice_p90_fails_with_switching_values():
    a = analysis(
        good(quantity=sroi.Uniform(800, 1200, unit="person")), negative_outcomes_considered=CONSIDERED
    )
    flagged = rows(sroi.audit(a), "ratio against practice")
    assert set(flagged["status"]) == {"fail"}
    detail = flagged["detail"].iloc[0]
    assert "above the practice P90 (10.22" in detail and "to reach 1:1" in detail and "quantity" in detail


def test_the_elderly_mode_2023_forecast_is_flagged():
    """The original forecast (69.8:1) over-claims: its ratio fails against practice."""
    name = "elderly_mode_2023_forecast.yaml"
    try:
        path = dataset_path("elderly_mode", name)
    except sroi.SROIError:
        path = dataset_path("elderly_mode", "elderly_mode.yaml")
    result = sroi.load(path).audit()
    assert status(result, "ratio against practice") == {"fail"}


def test_transferred_proxy_against_income_and_without_adjustment():
    wellby = sroi.Outcome(
        "People",
        "Life satisfaction",
        quantity="1 person",
        proxy="13000 GBP/person/year",
        proxy_price_year=2019,
        source="s",
        proxy_source="HM Treasury (2021)",
    )
    a = analysis(
        wellby,
        currency="CNY",
        inputs=[sroi.Input("F", "g", "100000 CNY")],
        negative_outcomes_considered=CONSIDERED,
    )
    result = sroi.audit(a)
    assert status(result, "benefit transfer adjusted for income") == {"warn"}
    assert status(result, "transferred value against income") == {"warn"}  # about 96% of income per head
    adjusted = a.replace(outcomes=[wellby.replace(income_elasticity=1.0)])
    result = sroi.audit(adjusted)
    assert status(result, "benefit transfer adjusted for income") == {"pass"}
    # with elasticity 1 a WELLBY is still about 40% of China's income per head: large, still flagged
    detail = rows(result, "transferred value against income")["detail"].iloc[0]
    assert "40% of income per head" in detail


def test_time_valued_but_not_spent_warns_unless_an_input_or_explained():
    hours = sroi.Outcome(
        "Families",
        "Less time helping",
        quantity="100 hour",
        proxy="20 GBP/hour",
        source="s",
        proxy_source="p",
    )
    a = analysis(hours, negative_outcomes_considered=CONSIDERED)
    assert status(sroi.audit(a), "inputs complete") == {"warn"}
    explained = a.replace(
        inputs_not_valued=[
            {"description": "Families' set-up time", "reason": "under an hour", "stakeholder": "Families"}
        ]
    )
    assert status(sroi.audit(explained), "inputs complete") == {"pass"}
    spent = a.replace(inputs=[*a.inputs, sroi.Input("Families", "Set-up time", "50 GBP")])
    assert status(sroi.audit(spent), "inputs complete") == {"pass"}


def test_uncertainty_checks_say_how_much_is_uncertain():
    certain = analysis(
        good(quantity="10 person", proxy="50 GBP/person", deadweight=0.2, attribution=0.25),
        negative_outcomes_considered=CONSIDERED,
    )
    flagged = rows(sroi.audit(certain), "uncertainty stated")
    assert set(flagged["status"]) == {"warn"} and "no uncertainty is specified" in flagged["detail"].iloc[0]
    some = analysis(
        good(quantity="10 person", proxy="50 GBP/person", deadweight=0.2),
        negative_outcomes_considered=CONSIDERED,
    )
    detail = rows(sroi.audit(some), "uncertainty stated")["detail"].iloc[0]
    assert detail.startswith("1 of ")


def test_point_far_from_the_median_is_flagged():
    skewed = good(proxy=sroi.LogNormal(median=50, gsd=3.0, unit="GBP/person"), quantity="10 person")
    a = analysis(skewed, negative_outcomes_considered=CONSIDERED)
    result = sroi.audit(a, n=4000)
    assert "Monte Carlo median" in rows(result, "point value representative")["detail"].iloc[0]


def test_audit_shows_itself():
    result = sroi.audit(analysis(good()))
    assert "SROI audit: Audited" in repr(result)
    assert "<table>" in result._repr_html_()
    assert set(result.counts()) == {"pass", "warn", "fail"}


def test_readme_quickstart_passes_or_warns_with_reasons():
    a = sroi.Analysis(
        name="Befriending",
        currency="GBP",
        price_year=2024,
        inputs=[sroi.Input("Funder", "Grant", "100000 GBP")],
        outcomes=[
            sroi.Outcome(
                "Older people",
                "Less isolated",
                quantity="120 person",
                proxy="500 GBP/person",
                duration=3,
                deadweight=0.2,
                attribution=0.25,
                drop_off=0.1,
            )
        ],
    )
    result = sroi.audit(a)
    assert result.status == "warn"
    assert (result.warnings()["detail"].str.len() > 10).all()


def test_no_fake_intervals():
    certain = analysis(good(quantity="10 person", proxy="50 GBP/person", deadweight=0.2, attribution=0.25))
    sim = certain.simulate(200, seed=1)
    assert "no uncertainty specified" in sim.headline() and "interval" not in sim.headline().split("(")[0]
    assert "no uncertainty specified" in repr(sim)
    some = analysis(good(quantity="10 person", proxy="50 GBP/person", deadweight=0.2))
    assert "1 of 9 estimates carry a distribution" in some.simulate(200, seed=1).headline()


def test_a_price_year_past_the_data_warns_naming_the_field():
    import warnings

    from sroi.exceptions import SROIWarning

    a = analysis(good(), negative_outcomes_considered=CONSIDERED)
    assert status(sroi.audit(a), "price years within the data") == {"pass"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SROIWarning)  # the conversion's own warning, tested in test_money
        text = (
            "name: t\ncurrency: GBP\nprice_year: 2030\nextrapolate_inflation: {GBP: 0.02}\n"
            "inputs: [{stakeholder: f, value: 100 GBP, price_year: 2030}]\n"
            "outcomes:\n  - {stakeholder: s, outcome: o, quantity: 10 person, proxy: 5 GBP/person,"
            " proxy_price_year: 2019, proxy_source: x, source: y}\n"
        )
        result = sroi.audit(sroi.loads(text))
    flagged = rows(result, "price years within the data")
    assert set(flagged["status"]) == {"warn"}
    assert "outcomes[0].proxy" in set(flagged["field"]) and flagged["detail"].str.contains("2% a year").all()
