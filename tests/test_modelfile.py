"""Model files and value-map tables: lossless round trips."""

from __future__ import annotations

import io
import textwrap

import pandas as pd
import pytest

import sroi
from sroi.datasets import dataset_path
from sroi.io import outcomes_from_frame, read_value_map, to_frame


@pytest.fixture
def example():
    return sroi.load(dataset_path("example", "digital_inclusion.yaml"))


def test_save_load_identical(example, tmp_path):
    path = sroi.save(example, tmp_path / "m.yaml")
    again = sroi.load(path)
    assert again == example
    assert again.evaluate().ratio == example.evaluate().ratio


def test_round_trip_distributions_params_profiles(tmp_path):
    a = sroi.Analysis(
        "t",
        "GBP",
        outcomes=[
            sroi.Outcome(
                "s",
                "o",
                quantity=sroi.Uniform(800, 1200, unit=sroi.ureg.person),
                proxy="5 GBP/person",
                deadweight=sroi.Triangular(0.1, 0.2, 0.4),
                attribution=sroi.Ref("attr"),
                drop_off=sroi.Beta(2, 8),
            ),
            sroi.Outcome(
                "s",
                "p",
                quantity=["3 person", "2 person"],
                proxy="7 GBP/person/year",
                attribution=sroi.Ref("attr"),
                quantity_factors=(),
            ),
        ],
        inputs=[sroi.Input("F", "g", "100 GBP", year=1, source="x")],
        parameters={"attr": sroi.Pert(0.1, 0.25, 0.5)},
        discount_rate=[0.035, 0.03],
        correlations=[("attr", "outcomes[0].deadweight", 0.5)],
    )
    sroi.save(a, tmp_path / "m.yaml")
    assert sroi.load(tmp_path / "m.yaml") == a


def test_frame_round_trip(example):
    frame = to_frame(example)
    assert list(frame.columns[:6]) == ["stakeholder", "outcome", "indicator", "source", "quantity", "proxy"]
    assert outcomes_from_frame(frame) == list(example.outcomes)


def test_read_value_map_csv(example):
    buf = io.StringIO()
    to_frame(example).to_csv(buf, index=False)
    buf.seek(0)
    frame = read_value_map(buf)
    assert len(frame) == len(example.outcomes)
    assert outcomes_from_frame(frame) == list(example.outcomes)


def test_read_value_map_names_row_and_column():
    frame = pd.DataFrame(
        {
            "stakeholder": ["a", "b"],
            "outcome": ["x", "y"],
            "quantity": ["1 person", "2 person"],
            "proxy": ["1 GBP/person", "1 GBP/person"],
            "deadweight": ["0.1", "12"],
        }
    )
    with pytest.raises(sroi.SROIError, match="row 3, column deadweight"):
        read_value_map(frame)


def test_read_value_map_unknown_column():
    frame = pd.DataFrame(
        {
            "stakeholder": ["a"],
            "outcome": ["x"],
            "quantity": ["1 person"],
            "proxy": ["1 GBP/person"],
            "deadwieght": [0.1],
        }
    )
    with pytest.raises(sroi.SROIError, match="deadwieght.*did you mean 'deadweight'"):
        read_value_map(frame)


def test_model_file_references_stored_estimates(tmp_path):
    # issue #5: a model file may reference estimates stored by sroi.evidence.save_estimates
    from sroi.evidence import Estimate, save_estimates

    est = Estimate(0.4, 0.02, 0.36, 0.44, n=500, method="hand-made for the test", scale="share", name="dw")
    save_estimates({"dw_estimated": est}, tmp_path / "estimates.yaml")
    text = dataset_path("example", "digital_inclusion.yaml").read_text()
    text = text.replace("deadweight: 0.39", "deadweight: {param: dw_estimated}", 1)
    text = text.replace("inputs:", "parameters_from: estimates.yaml\ninputs:", 1)
    (tmp_path / "model.yaml").write_text(text)
    a = sroi.load(tmp_path / "model.yaml")
    assert a.parameters["dw_estimated"].central() == pytest.approx(0.4)
    assert sroi.load(sroi.save(a, tmp_path / "again.yaml")) == a  # saved inline, identical
    with pytest.raises(sroi.SROIError, match="parameters_from"):
        sroi.loads(text)


def test_new_fields_round_trip_losslessly(tmp_path):
    """ids, later starts, per-outcome drop-off start, per-year proxies, disbenefits, overlaps,
    income elasticity, exclusions and library references survive save and load (issue #12)."""
    text = textwrap.dedent(
        """\
        sroi: 1
        name: Conventions
        currency: CNY
        price_year: 2023
        sector: Digital inclusion
        negative_outcomes_considered:
        - {description: Less family contact, reason: no evidence of an effect}
        inputs_not_valued:
        - {description: Users' learning time, reason: counted as an input elsewhere, stakeholder: Users}
        inputs:
        - {stakeholder: Maker, description: Build, value: 1000 CNY}
        outcomes:
        - id: online
          stakeholder: Users
          outcome: Online
          quantity: 10 person
          proxy: [100 CNY/person, 80 CNY/person]
          start: 3
          drop_off_from_year: 1
          drop_off: 0.1
        - id: scam
          stakeholder: Users
          outcome: Scammed
          quantity: 1 person
          proxy: {distribution: uniform, low: -300 CNY/person, high: -100 CNY/person}
        - id: wellbeing
          stakeholder: Users
          outcome: Wellbeing
          quantity: 1 WELLBY
          proxy: {ref: wellby_uk_hmt_2021}
          income_elasticity: {distribution: uniform, low: 0.8, high: 1.0}
          overlaps: {online: 0.5}
        """
    )
    a = sroi.loads(text)
    path = sroi.save(a, tmp_path / "m.yaml")
    assert sroi.load(path) == a
    saved = path.read_text()
    assert "ref: wellby_uk_hmt_2021" in saved and "income_elasticity" in saved
    frame = a.to_frame()
    assert outcomes_from_frame(frame) == list(a.outcomes)


# -- saving respects the file (#17) -------------------------------------------------------------
import dataclasses  # noqa: E402
import difflib  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sroi.exceptions import SROIError  # noqa: E402
from sroi.io.yaml_edit import changed_paths, edit_yaml  # noqa: E402
from sroi.units import Q_, format_quantity, shortest_number  # noqa: E402

_DATASETS = Path(dataset_path("example", "digital_inclusion.yaml")).parents[1]


def _shipped_models() -> list[Path]:
    """Every shipped YAML file that is a model file (the others hold scenarios, indicators...)."""
    from sroi.safe_yaml import read_yaml_file

    out = []
    for path in sorted(_DATASETS.rglob("*.yaml")):
        doc = read_yaml_file(path)
        if isinstance(doc, dict) and {"name", "currency", "inputs", "outcomes"} <= set(doc):
            out.append(path)
    return out


def test_the_shipped_models_are_found():
    names = {p.name for p in _shipped_models()}
    assert {"digital_inclusion.yaml", "elderly_mode.yaml", "elderly_mode_2023_forecast.yaml"} <= names
    assert "helping_hand_linking_youth_2014.yaml" in names
    assert "walk.yaml" not in names and "indicators.yaml" not in names  # not models


@pytest.mark.parametrize("path", _shipped_models(), ids=lambda p: p.name)
def test_load_then_save_of_every_shipped_model_is_byte_identical(path, tmp_path):
    out = sroi.save(sroi.load(path), tmp_path / path.name)
    assert out.read_bytes() == path.read_bytes()
    assert sroi.dumps(sroi.load(path)) == path.read_text(encoding="utf-8")


def _changed_lines(a: str, b: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(a.splitlines(), b.splitlines(), n=0, lineterm="")
        if line[:1] in "+-" and not line.startswith(("---", "+++"))
    ]


@pytest.mark.parametrize("path", _shipped_models(), ids=lambda p: p.name)
def test_editing_one_deadweight_changes_one_line(path, tmp_path):
    a = sroi.load(path)
    outcomes = list(a.outcomes)
    outcomes[0] = dataclasses.replace(outcomes[0], deadweight=0.123)
    edited = a.replace(outcomes=outcomes)
    out = sroi.save(edited, tmp_path / path.name).read_text(encoding="utf-8")
    lines = _changed_lines(path.read_text(encoding="utf-8"), out)
    assert len(lines) == 2, lines  # one line out, one line in
    assert lines[0].startswith("-") and lines[1].startswith("+") and "0.123" in lines[1]
    assert sroi.load(tmp_path / path.name) == edited


def test_an_edit_keeps_comments_order_and_the_library_reference(example, tmp_path):
    text = Path(dataset_path("example", "digital_inclusion.yaml")).read_text(encoding="utf-8")
    b = example.replace(name="Renamed", discount_rate=0.05)
    out = sroi.dumps(b)
    assert len(_changed_lines(text, out)) == 4  # two values, one line each
    assert "proxy: {ref: going_online_new_user_bt_2014}" in out  # the library id is kept
    assert sroi.loads(out) == b
    # a key the file did not have goes next to its neighbour, in the file's style
    c = example.replace(reference_period=2)
    lines = _changed_lines(text, sroi.dumps(c))
    assert lines == ["+reference_period: 2"]


def test_what_if_on_elderly_mode_saves_as_three_changed_lines(tmp_path):
    import warnings

    path = Path(dataset_path("elderly_mode", "elderly_mode.yaml"))
    a = sroi.load(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sroi.SROIWarning)
        b = a.replace(parameters={**a.parameters, "active_share": 0.3})
    lines = _changed_lines(path.read_text(encoding="utf-8"), sroi.dumps(b))
    # the parameter's line, and the two correlations naming it removed
    assert lines == [
        "-  active_share: {distribution: pert, low: 0.05, mode: 0.144, high: 0.40}",
        "-  - [older_users_setup_time, active_share, 0.47]",
        "-  - [families_setup_time, active_share, 0.50]",
        "+  active_share: 0.3",
    ] or sorted(lines) == sorted(
        [
            "-  active_share: {distribution: pert, low: 0.05, mode: 0.144, high: 0.40}",
            "+  active_share: 0.3",
            "-  - [older_users_setup_time, active_share, 0.47]",
            "-  - [families_setup_time, active_share, 0.50]",
        ]
    )
    assert sroi.loads(sroi.dumps(b)) == b


def test_a_model_with_stored_estimates_saved_elsewhere_is_self_contained(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "estimates.yaml").write_text(
        "parameters:\n  dw: {distribution: uniform, low: 0.1, high: 0.3}\n", encoding="utf-8"
    )
    text = textwrap.dedent(
        """\
        name: t  # a comment
        currency: GBP
        parameters_from: estimates.yaml
        inputs: [{stakeholder: f, value: 100 GBP}]
        outcomes: [{stakeholder: s, outcome: o, quantity: 10 person, proxy: 5 GBP/person,
                    deadweight: {param: dw}}]
        """
    )
    (tmp_path / "model" / "m.yaml").write_text(text, encoding="utf-8")
    a = sroi.load(tmp_path / "model" / "m.yaml")
    same = sroi.save(a, tmp_path / "model" / "again.yaml").read_text(encoding="utf-8")
    assert same == text  # same folder: the reference still points at the estimates
    elsewhere = sroi.save(a, tmp_path / "copy.yaml").read_text(encoding="utf-8")
    assert "parameters_from" not in elsewhere and sroi.load(tmp_path / "copy.yaml") == a


def test_a_new_analysis_is_written_with_the_shortest_numbers():
    a = sroi.Analysis(
        "t",
        "GBP",
        inputs=[sroi.Input("f", "grant", "1000 GBP")],
        outcomes=[
            sroi.Outcome(
                "s",
                "o",
                quantity=sroi.Uniform(0.06, 0.1, unit=sroi.ureg.person),
                proxy="0.06 GBP/person",
                deadweight=0.06,
                drop_off=sroi.Pert(0.06, 0.07, 0.3),
            )
        ],
    )
    text = sroi.dumps(a)
    assert "0.059999" not in text and "0.06" in text
    assert "0.06 person" in text and "0.06 GBP / person" in text
    assert "drop_off: {distribution: pert, low: 0.06, mode: 0.07, high: 0.3}" in text  # one line, as by hand
    assert sroi.loads(text) == a


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e30, max_value=1e30, allow_nan=False, allow_infinity=False))
def test_numbers_are_the_shortest_text_that_reads_back(x):
    text = format_quantity(Q_(x, "GBP"), digits=None).split()[0]
    assert float(text) == x
    assert len(text) <= len(repr(x))
    assert shortest_number(x) == text


@pytest.mark.parametrize(
    ("spec", "kept"),
    [
        ("{distribution: lognormal, low: 100 GBP/person, high: 400 GBP/person}", ("low", "high")),
        ("{distribution: lognormal, median: 200 GBP/person, gsd: 1.5}", ("median", "gsd")),
    ],
)
def test_a_lognormal_keeps_the_form_it_was_given_in(spec, kept):
    text = textwrap.dedent(
        f"""\
        name: t
        currency: GBP
        inputs: [{{stakeholder: f, value: 100 GBP}}]
        outcomes: [{{stakeholder: s, outcome: o, quantity: 10 person, proxy: {spec}}}]
        """
    )
    a = sroi.loads(text)
    fresh = sroi.io.analysis_to_dict(a)["outcomes"][0]["proxy"]
    assert set(fresh) == {"distribution", *kept}
    assert sroi.loads(sroi.dumps(a.replace(name="u"))) == a.replace(name="u")


def test_a_lognormal_changed_after_it_was_built_writes_median_and_gsd():
    d = sroi.LogNormal.from_interval(100.0, 400.0)
    moved = dataclasses.replace(d, median=250.0)  # the remembered interval no longer fits
    assert set(moved.to_dict()) == {"distribution", "median", "gsd"}
    assert set(d.to_dict()) == {"distribution", "low", "high"}
    assert d == sroi.LogNormal(d.median, d.gsd)  # the form is not part of the value


def test_changed_paths_and_an_edit_that_cannot_be_placed():
    assert changed_paths({"a": [1, 2]}, {"a": [1, 2, 3]}) == [("a",)]
    assert changed_paths({"a": 1}, {"a": 1.0}) == [("a",)]  # a type change is a change
    assert edit_yaml("a: 1\n", {"a": 1}, {"a": 1}) == "a: 1\n"
    assert edit_yaml("- 1\n- 2\n", [1, 2], {"a": 1}) == "a: 1\n"  # the document rewritten
    assert edit_yaml("a: [1\n", {"a": 1}, {"a": 2}) is None  # not YAML: the caller writes afresh


def test_the_editor_keeps_the_size_limits():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    with pytest.raises(SROIError, match="expands to more than"):
        edit_yaml(bomb, {"z": 1}, {"z": 2})


def test_a_pickled_analysis_still_saves_as_its_file(tmp_path):
    import pickle

    path = Path(dataset_path("elderly_mode", "elderly_mode.yaml"))
    again = pickle.loads(pickle.dumps(sroi.load(path)))  # as sent to another process
    assert sroi.dumps(again) == path.read_text(encoding="utf-8")


def test_a_longer_folded_description_keeps_its_style_and_lines():
    path = Path(dataset_path("published", "helping_hand_linking_youth_2014.yaml"))
    a = sroi.load(path)
    b = a.replace(description=a.description + " Checked again in 2026.")
    lines = _changed_lines(path.read_text(encoding="utf-8"), sroi.dumps(b))
    assert lines == ["+  Checked again in 2026."]  # the file's own lines and ">-" kept
    assert sroi.loads(sroi.dumps(b)) == b


@settings(max_examples=20, deadline=None)
@given(
    which=st.integers(0, 1),
    field=st.sampled_from(["deadweight", "displacement", "attribution", "drop_off"]),
    value=st.floats(0, 1, allow_nan=False),
)
def test_any_one_filter_edit_changes_at_most_one_line(which, field, value):
    path = Path(dataset_path("example", "digital_inclusion.yaml"))
    a = sroi.load(path)
    outcomes = list(a.outcomes)
    outcomes[which] = dataclasses.replace(outcomes[which], **{field: value})
    b = a.replace(outcomes=outcomes)
    text = sroi.dumps(b)
    lines = _changed_lines(path.read_text(encoding="utf-8"), text)
    assert (
        len([x for x in lines if x.startswith("+")]) <= 1
        and len([x for x in lines if x.startswith("-")]) <= 1
    )
    assert sroi.loads(text) == b
