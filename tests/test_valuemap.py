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
        ("proxy: 500 GBP/person", "proxy: -500 GBP/person", r"outcomes\[0\]\.proxy"),
        ("quantity: 120 person", "quantity: 120 persn", r"outcomes\[0\]\.quantity"),
        ("proxy: 500 GBP/person", "proxy: 500 GPB/person", r"outcomes\[0\]\.proxy"),
        ("quantity: 120 person", "quantity: 120 device", r"outcomes\[0\]\.proxy"),
        ("proxy: 500 GBP/person", "proxy: 500 person", r"outcomes\[0\]\.proxy"),
        ("duration: 3", "duration: 2.5", r"outcomes\[0\]\.duration"),
        ("duration: 3", "duration: 0", r"outcomes\[0\]\.duration"),
        ("duration: 3", "duration: 101", r"outcomes\[0\]\.duration"),
        ("start: 1", "start: 3", r"outcomes\[0\]\.start"),
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
