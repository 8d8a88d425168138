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
          quantity: 1 person
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
