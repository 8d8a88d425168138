"""Every malformed model gives an SROIError naming the field path (issue #2, 'Bad input')."""

from __future__ import annotations

import textwrap

import pytest

import sroi
from sroi import SROIError, UnitError

BASE = """
sroi: 1
name: Example programme
currency: GBP
inputs:
  - {stakeholder: Funder, description: Grant, value: 100000 GBP}
outcomes:
  - stakeholder: Older people
    outcome: Less isolated
    indicator: UCLA loneliness score down 3+ points
    quantity: 120 person
    proxy: 500 GBP/person
    duration: 3
    start: 1
    deadweight: 0.2
    displacement: 0
    attribution: 0.25
    drop_off: 0.1
"""


def doc_with(old: str, new: str) -> str:
    text = textwrap.dedent(BASE)
    assert old in text
    return text.replace(old, new, 1)


def test_base_document_loads():
    a = sroi.loads(textwrap.dedent(BASE))
    assert a.outcomes[0].deadweight == 0.2


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("deadweight: 0.2", "deadweight: 20", r"outcomes\[0\]\.deadweight"),
        ("deadweight: 0.2", "deadweight: -0.1", r"outcomes\[0\]\.deadweight"),
        ("deadweight: 0.2", "deadweight: lots", r"outcomes\[0\]\.deadweight"),
        ("displacement: 0", "displacement: 1.5", r"outcomes\[0\]\.displacement"),
        ("attribution: 0.25", "attribution: true", r"outcomes\[0\]\.attribution"),
        ("drop_off: 0.1", "drop_off: .nan", r"outcomes\[0\]\.drop_off"),
        ("quantity: 120 person", "quantity: -120 person", r"outcomes\[0\]\.quantity"),
        ("quantity: 120 person", "quantity: .nan", r"outcomes\[0\]\.quantity"),
        ("quantity: 120 person", "quantity: -120 person", r"outcomes\[0\]\.quantity"),
        ("quantity: 120 person", "quantity: 120 persn", r"outcomes\[0\]\.quantity"),
        ("proxy: 500 GBP/person", "proxy: 500 GPB/person", r"outcomes\[0\]\.proxy"),
        ("quantity: 120 person", "quantity: 120 device", r"outcomes\[0\]\.proxy"),
        ("proxy: 500 GBP/person", "proxy: 500 person", r"outcomes\[0\]\.proxy"),
        ("duration: 3", "duration: 2.5", r"outcomes\[0\]\.duration"),
        ("duration: 3", "duration: 0", r"outcomes\[0\]\.duration"),
        ("duration: 3", "duration: 101", r"outcomes\[0\]\.duration"),
        ("start: 1", "start: 101", r"outcomes\[0\]\.start"),
        ("deadweight: 0.2", "deadwieght: 0.2", r"outcomes\[0\]\.deadwieght.*deadweight"),
        ("currency: GBP", "currency: XXX", "currency"),
        ("currency: GBP", "currency: gbp", "currency"),
        ("currency: GBP", "currency: GBP\ndiscount_rate: -1", "discount_rate"),
        ("currency: GBP", "currency: GBP\ndiscount_rate: 3.5", "discount_rate"),
        ("currency: GBP", "currency: GBP\ndiscount_timing: sometimes", "discount_timing"),
        ("currency: GBP", "currency: GBP\ndrop_off_from_year: 3", "drop_off_from_year"),
        ("currency: GBP", "currency: GBP\nfoo: 1", "foo"),
        ("value: 100000 GBP", "value: 0 GBP", "inputs"),
        ("value: 100000 GBP", "value: 100000 person", r"inputs\[0\]\.value"),
        ("value: 100000 GBP", "value: 100000 EUR", r"inputs\[0\]\.value"),
        ("proxy: 500 GBP/person", "proxy: 500 EUR/person", r"outcomes\[0\]\.proxy"),
    ],
)
def test_bad_field_is_named(old, new, field):
    with pytest.raises(SROIError, match=field):
        sroi.loads(doc_with(old, new))


def test_no_outcomes():
    text = textwrap.dedent(BASE).split("outcomes:")[0] + "outcomes: []\n"
    with pytest.raises(SROIError, match="outcomes"):
        sroi.loads(text)


def test_no_inputs():
    text = doc_with("inputs:\n  - {stakeholder: Funder, description: Grant, value: 100000 GBP}", "inputs: []")
    with pytest.raises(SROIError, match="inputs"):
        sroi.loads(text)


def test_missing_required_key():
    with pytest.raises(SROIError, match=r"outcomes\[0\]\.proxy.*missing"):
        sroi.loads(doc_with("    proxy: 500 GBP/person\n", ""))


def test_not_yaml():
    with pytest.raises(SROIError, match="model file.*line"):
        sroi.loads("name: [unclosed\ncurrency: GBP")


def test_top_level_not_mapping():
    with pytest.raises(SROIError, match="model file"):
        sroi.loads("- 1\n- 2")


def test_percent_string_accepted():
    a = sroi.loads(doc_with("deadweight: 0.2", "deadweight: 20%"))
    assert a.outcomes[0].deadweight == pytest.approx(0.2)


def test_per_person_proxy_times_devices_is_unit_error():
    with pytest.raises(UnitError, match=r"per person cannot multiply a count of device"):
        sroi.Analysis(
            "t",
            "GBP",
            [sroi.Outcome("s", "o", quantity="100 device", proxy="5 GBP/person")],
            [sroi.Input("F", "g", "1 GBP")],
        )


def test_python_construction_names_field():
    with pytest.raises(SROIError, match="deadweight"):
        sroi.Outcome("s", "o", quantity="1 person", proxy="1 GBP/person", deadweight=20)


def test_distribution_leaving_unit_interval_rejected():
    with pytest.raises(SROIError, match=r"deadweight.*outside \[0, 1\]"):
        sroi.Outcome("s", "o", quantity="1 person", proxy="1 GBP/person", deadweight=sroi.Normal(0.2, 0.1))


def test_unknown_parameter_reference():
    with pytest.raises(SROIError, match=r"outcomes\[0\]\.deadweight.*unknown parameter 'dw'"):
        sroi.loads(doc_with("deadweight: 0.2", "deadweight: {param: dw}"))


def test_profile_length_must_match_duration():
    with pytest.raises(SROIError, match=r"outcomes\[0\]\.duration"):
        sroi.loads(doc_with("quantity: 120 person", "quantity: [120 person, 100 person]"))


def test_missing_file(tmp_path):
    with pytest.raises(SROIError, match="no such file"):
        sroi.load(tmp_path / "nope.yaml")


def test_proxy_price_year_without_analysis_price_year_warns():
    outcome = sroi.Outcome("s", "o", quantity="1 person", proxy="10 GBP/person", proxy_price_year=2019)
    with pytest.warns(sroi.SROIWarning, match=r"outcomes\[0\]\.proxy.*no price_year"):
        sroi.Analysis("t", "GBP", [outcome], [sroi.Input("F", "g", "1 GBP")])


def test_duplicate_yaml_key_is_an_error():
    with pytest.raises(SROIError, match="'deadweight' is given twice"):
        sroi.loads(doc_with("deadweight: 0.2", "deadweight: 0.2\n    deadweight: 0.9"))


def test_correlations_are_validated_when_the_model_loads():
    text = doc_with("deadweight: 0.2", "deadweight: {distribution: uniform, low: 0.1, high: 0.3}")
    text += 'correlations:\n  - ["outcomes[0].deadweight", nope, 0.5]\n'
    with pytest.raises(SROIError, match=r"correlations\[0\].*unknown estimate 'nope'"):
        sroi.loads(text)


def test_negative_seed_is_an_sroi_error(simple):
    with pytest.raises(SROIError, match="seed"):
        simple.simulate(10, seed=-1)


# -- outcome ids, overlaps and the new conventions (issue #12) ----------------------------------
def _analysis(*outcomes, **kw):
    return sroi.Analysis("t", "GBP", list(outcomes), [sroi.Input("F", "g", "100 GBP")], **kw)


def _o(stakeholder="People", outcome="Better", **kw):
    return sroi.Outcome(stakeholder, outcome, quantity="1 person", proxy="10 GBP/person", **kw)


def test_ids_are_given_or_made_and_unique():
    a = _analysis(_o(id="given"), _o("Carers", "Respite"), _o("Carers", "Respite"))
    assert a.outcome_ids == ("given", "carers_respite", "carers_respite_2")
    assert a.outcome_index("carers_respite") == 1
    with pytest.raises(
        SROIError, match=r"outcomes\[1\]\.id: the id 'x' is given to outcomes\[0\] and outcomes\[1\]"
    ):
        _analysis(_o(id="x"), _o(id="x"))
    with pytest.raises(SROIError, match="refer to outcomes by id, not by position.*ids: given"):
        a.outcome_index("outcomes[1]")


@pytest.mark.parametrize(
    ("kwargs", "field", "match"),
    [
        ({"income_elasticity": 2.5}, "income_elasticity", r"income elasticity in \[0, 2\]"),
        ({"income_elasticity": -0.1}, "income_elasticity", r"income elasticity in \[0, 2\]"),
        ({"start": 101}, "start", "1..100"),
        ({"start": 0}, "start", "1..100"),
        ({"drop_off_from_year": 3}, "drop_off_from_year", "1 or 2"),
        ({"id": "has space"}, "id", "letters, digits"),
        ({"quantity": ["1 person", "2 person"], "proxy": ["1 GBP/person"] * 3}, "proxy", "same duration"),
        ({"proxy": ["1 GBP/person", "2 GBP/person"], "duration": 3}, "duration", "proxy list has 2 years"),
    ],
)
def test_bad_conventions_name_the_field(kwargs, field, match):
    base = {"quantity": "1 person", "proxy": "10 GBP/person", **kwargs}
    with pytest.raises(SROIError, match=match) as info:
        sroi.Outcome("People", "Better", **base)
    assert info.value.field == field


def test_overlaps_must_name_another_outcome():
    with pytest.raises(
        SROIError, match=r"outcomes\[1\]\.overlaps: overlaps names 'nope'.*ids: a, people_better"
    ):
        _analysis(_o(id="a"), _o(overlaps=["nope"]))
    with pytest.raises(SROIError, match="cannot overlap itself"):
        _analysis(_o(id="a", overlaps=["a"]))


def test_negative_proxy_and_distribution_over_negative_values_are_allowed():
    o = sroi.Outcome(
        "Users", "Scammed", quantity="1 person", proxy=sroi.Uniform(-300, -100, unit="GBP/person")
    )
    assert o.proxy.support() == (-300, -100)
    with pytest.raises(SROIError, match="cannot be negative"):
        sroi.Outcome("Users", "Scammed", quantity="-1 person", proxy="-100 GBP/person")


def test_exclusions_are_validated():
    a = _analysis(_o(), negative_outcomes_considered=[{"description": "Fraud", "reason": "no evidence"}])
    assert a.negative_outcomes_considered[0].reason == "no evidence"
    with pytest.raises(SROIError, match=r"negative_outcomes_considered\[0\]"):
        _analysis(_o(), negative_outcomes_considered=[{"description": "Fraud"}])
