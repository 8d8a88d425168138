"""Tests for sroi.finance: from SROI to a credit line (docs/method.md §9)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import sroi
from sroi.exceptions import SROIError, SROIWarning
from sroi.finance import (
    DEFAULTS,
    CashFlowSource,
    CreditLine,
    credit_line,
    debt_capacity,
)
from sroi.units import Q_

# ----------------------------------------------------------------------------------------------
# a fake Result implementing the cash-flow protocol


@dataclass
class FakeResult:
    """Outcomes with a cash tier; eligible flows are tier A plus contracted tier B only."""

    outcomes: list[dict] = field(default_factory=list)
    years: int = 5
    samples: int = 1
    currency: str = "GBP"

    def add(
        self, name: str, tier: str, flows, contracted: bool = False, payer: str | None = None
    ) -> FakeResult:
        arr = np.broadcast_to(np.asarray(flows, dtype=float), (self.samples, self.years)).copy()
        self.outcomes.append(
            {
                "outcome": name,
                "stakeholder": "tenants",
                "cash_tier": tier,
                "contracted": contracted,
                "payer": payer,
                "flows": arr,
            }
        )
        return self

    def _eligible(self, o: dict) -> bool:
        return o["cash_tier"] == "A" or (o["cash_tier"] == "B" and o["contracted"])

    def eligible_cash_flows(self) -> np.ndarray:
        total = np.zeros((self.samples, self.years))
        for o in self.outcomes:
            if self._eligible(o):
                total += o["flows"]
        return total

    @property
    def tenor_cap(self) -> int:
        nonzero = np.flatnonzero(np.any(self.eligible_cash_flows() != 0, axis=0))
        return int(nonzero[-1] + 1) if nonzero.size else 0

    def cash_flow_sources(self) -> pd.DataFrame:
        rows = [
            {k: o[k] for k in ("outcome", "stakeholder", "cash_tier", "contracted", "payer")}
            | {"eligible": self._eligible(o)}
            for o in self.outcomes
        ]
        return pd.DataFrame(
            rows, columns=["outcome", "stakeholder", "cash_tier", "contracted", "payer", "eligible"]
        )


def _annuity(cf: float, dscr: float, r: float, years: int) -> float:
    return cf / dscr * (years if r == 0 else (1 - (1 + r) ** -years) / r)


# ----------------------------------------------------------------------------------------------
# known answers


def test_worked_check_sroi_method_section6():
    # docs/method.md §9 worked check: P50 = 100/yr for 5 years, CV 20%, h 0.8, r 4%.
    # rtol=5e-4  # the published figures are rounded to 1 dp
    line = credit_line([100.0] * 5, cv=0.20, haircut=0.8, loan_rate=0.04, currency="GBP")
    assert line.binding_case == "P90"
    assert line.cases.loc["P90", "capacity"] == pytest.approx(220.7, rel=5e-4)
    assert line.cases.loc["P50", "capacity"] == pytest.approx(254.4, rel=5e-4)
    assert line.amount.to("GBP").magnitude == pytest.approx(220.7, rel=5e-4)
    assert line.value == pytest.approx(220.7, rel=5e-4)
    assert line.binding_years == {"P50": [], "P90": [1, 2, 3, 4, 5]}
    assert "220.7 GBP" in line.explanation and "254.4 GBP" in line.explanation
    assert "downside case in years 1-5" in line.explanation


def test_worked_check_by_hand_annuity():
    # the same numbers from the annuity form, z = 1.2816 (the method's rounding of -Phi^-1(0.1))
    p90 = _annuity(100 * (1 - 1.2816 * 0.2) * 0.8, 1.20, 0.04, 5)
    p50 = _annuity(100 * 0.8, 1.40, 0.04, 5)
    line = credit_line([100.0] * 5, cv=0.20)
    assert line.cases.loc["P90", "capacity"] == pytest.approx(p90, rel=5e-5)  # z rounded to 4 dp
    assert line.cases.loc["P50", "capacity"] == pytest.approx(p50, rel=1e-12)
    assert isinstance(line.amount, float)


def test_defaults_table_states_values_ranges_and_sources():
    table = DEFAULTS.set_index("name")
    assert table.loc["dscr_p50", "value"] == 1.40 and table.loc["dscr_p50", "range"] == "1.35-1.50"
    assert table.loc["dscr_p90", "value"] == 1.20 and table.loc["dscr_p90", "range"] == "1.20-1.30"
    assert table.loc["haircut", "value"] == 0.8 and table.loc["haircut", "range"] == "0.5-0.9"
    assert table.loc["loan_rate", "value"] == 0.04
    assert table.loc["percentile", "value"] == 0.10
    assert table["source"].str.len().gt(0).all()


# ----------------------------------------------------------------------------------------------
# debt_capacity


@settings(max_examples=60, deadline=None)
@given(
    cf=st.floats(1e-3, 1e7),
    dscr=st.floats(1.0, 3.0),
    r=st.floats(1e-4, 0.5),
    years=st.integers(1, 40),
)
def test_debt_capacity_equals_annuity_for_level_flows(cf, dscr, r, years):
    got = debt_capacity([cf] * years, dscr=dscr, interest_rate=r)
    assert got == pytest.approx(_annuity(cf, dscr, r, years), rel=1e-9, abs=1e-6)


def test_debt_capacity_zero_rate():
    assert debt_capacity(np.full(7, 12.0), dscr=1.2, interest_rate=0.0) == pytest.approx(70.0)


def test_debt_capacity_quantities_and_vectorised():
    got = debt_capacity([Q_(60.0, "GBP"), Q_(60.0, "GBP")], dscr=1.2, interest_rate=0.0)
    assert got.units == Q_(1, "GBP").units and got.magnitude == pytest.approx(100.0)
    per_year = debt_capacity(Q_([60.0, 60.0], "GBP/year"), dscr=1.2, interest_rate=0.0)
    assert per_year.magnitude == pytest.approx(100.0)
    rng = np.random.default_rng(3)
    samples = rng.uniform(0, 100, (50, 6))
    caps = debt_capacity(samples, dscr=1.3, interest_rate=0.05)
    assert caps.shape == (50,)
    expected = [debt_capacity(row, dscr=1.3, interest_rate=0.05) for row in samples]
    np.testing.assert_allclose(caps, expected, rtol=1e-12)
    q = debt_capacity(Q_(samples, "EUR"), dscr=1.3, interest_rate=0.05)
    np.testing.assert_allclose(q.to("EUR").magnitude, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"cash_flows": [1.0, 2.0], "dscr": 0.0, "interest_rate": 0.04}, "dscr"),
        ({"cash_flows": [1.0, 2.0], "dscr": -1.0, "interest_rate": 0.04}, "dscr"),
        ({"cash_flows": [1.0, 2.0], "dscr": 1.2, "interest_rate": -1.0}, "interest_rate"),
        ({"cash_flows": [1.0, float("nan")], "dscr": 1.2, "interest_rate": 0.04}, "cash_flows"),
        ({"cash_flows": [Q_(1.0, "GBP"), Q_(1.0, "EUR")], "dscr": 1.2, "interest_rate": 0.04}, "cash_flows"),
        ({"cash_flows": [Q_(1.0, "GBP"), 1.0], "dscr": 1.2, "interest_rate": 0.04}, "cash_flows"),
        ({"cash_flows": [Q_(1.0, "person")], "dscr": 1.2, "interest_rate": 0.04}, "cash_flows"),
        ({"cash_flows": 100.0, "dscr": 1.2, "interest_rate": 0.04}, "cash_flows"),
    ],
)
def test_debt_capacity_bad_input(kwargs, name):
    with pytest.raises(SROIError, match=name):
        debt_capacity(**kwargs)


# ----------------------------------------------------------------------------------------------
# credit_line invariants

flows_1d = arrays(np.float64, st.integers(1, 15), elements=st.floats(0, 1e6)).filter(lambda a: (a > 0).any())


@settings(max_examples=80, deadline=None)
@given(
    flows=flows_1d,
    cv=st.floats(0, 1.5),
    haircut=st.floats(0.01, 1.0),
    dscr_p90=st.floats(1.0, 3.0),
    extra=st.floats(0.0, 1.0),
    rate=st.floats(0.0, 0.5),
)
def test_line_never_exceeds_pv_of_eligible_cash(flows, cv, haircut, dscr_p90, extra, rate):
    dscr_p50 = dscr_p90 + extra
    line = credit_line(flows, cv=cv, haircut=haircut, dscr_p50=dscr_p50, dscr_p90=dscr_p90, loan_rate=rate)
    pv = float(flows @ (1 + rate) ** -np.arange(1, flows.size + 1))
    assert 0 <= line.value <= pv * (1 + 1e-12) + 1e-9
    assert line.value <= line.cases["capacity"].min() * (1 + 1e-12) + 1e-9
    assert line.value <= line.cases["pv_eligible_cash"].min() * (1 + 1e-12) + 1e-9


def test_line_never_exceeds_pv_for_simulation():
    rng = np.random.default_rng(11)
    samples = rng.lognormal(4, 0.5, (500, 8))
    line = credit_line(samples, loan_rate=0.06)
    median_pv = float(np.median(samples, axis=0) @ 1.06 ** -np.arange(1, 9))
    assert line.value <= median_pv


def _fake(a_flows, c_flows=None, b_flows=None, samples=1) -> FakeResult:
    src = FakeResult(years=len(a_flows[0]) if samples > 1 else len(a_flows), samples=samples)
    src.add("rent arrears avoided", "A", a_flows)
    if c_flows is not None:
        src.add("wellbeing", "C", c_flows)
    if b_flows is not None:
        src.add("NHS savings", "B", b_flows, contracted=False, payer="NHS")
    return src


@settings(max_examples=60, deadline=None)
@given(
    a=arrays(np.float64, 6, elements=st.floats(-1e3, 1e6)),
    c=arrays(np.float64, 6, elements=st.floats(0, 1e9)),
    b=arrays(np.float64, 6, elements=st.floats(0, 1e9)),
    cv=st.floats(0, 1),
)
def test_tier_c_and_uncontracted_b_never_change_the_line(a, c, b, cv):
    base = credit_line(_fake(a), cv=cv)
    with_c = credit_line(_fake(a, c_flows=c, b_flows=b), cv=cv)
    assert with_c.value == base.value
    assert with_c.binding_case == base.binding_case
    pd.testing.assert_frame_equal(with_c.cases, base.cases)


def test_tier_c_never_changes_the_line_with_samples():
    rng = np.random.default_rng(5)
    a = rng.normal(100, 25, (300, 5))
    c = rng.normal(1e6, 1e5, (300, 5))
    base = credit_line(_fake(a, samples=300))
    with_c = credit_line(_fake(a, c_flows=c, b_flows=c, samples=300))
    assert with_c.value == base.value
    assert "wellbeing" in with_c.explanation and "NHS savings" in with_c.explanation
    assert "non-cash value" in with_c.explanation


def test_contracted_tier_b_counts():
    src = (
        FakeResult()
        .add("rent", "A", [50.0] * 5)
        .add("NHS savings", "B", [50.0] * 5, contracted=True, payer="NHS")
    )
    assert isinstance(src, CashFlowSource)
    line = credit_line(src, cv=0.2)
    assert line.value == pytest.approx(credit_line([100.0] * 5, cv=0.2).value)
    assert line.currency == "GBP" and line.amount.units == Q_(1, "GBP").units
    row = line.assumptions.set_index("name").loc["eligible outcomes", "value"]
    assert row == "2 of 2 outcomes"


def test_simulation_uses_empirical_percentile():
    rng = np.random.default_rng(42)
    samples = rng.gamma(4.0, 25.0, (2000, 7))
    line = credit_line(samples, percentile=0.10, haircut=0.7, loan_rate=0.05)
    disc = 1.05 ** -np.arange(1, 8)
    p10 = np.percentile(samples, 10, axis=0)
    p50 = np.percentile(samples, 50, axis=0)
    assert line.cases.loc["P90", "capacity"] == pytest.approx(float(0.7 * p10 / 1.20 @ disc), rel=1e-12)
    assert line.cases.loc["P50", "capacity"] == pytest.approx(float(0.7 * p50 / 1.40 @ disc), rel=1e-12)
    step2 = line.steps.query("case == 'P90' and step == 2").iloc[0]
    np.testing.assert_allclose(step2[[f"year {t}" for t in range(1, 8)]].to_numpy(float), p10)
    assert "empirical" in line.cases.loc["P90", "method"]


def test_no_eligible_cash_gives_zero_line_explained_in_words():
    only_c = FakeResult().add("wellbeing", "C", [1e6] * 5)
    line_c = credit_line(only_c)
    assert line_c.value == 0.0 and line_c.cases["tenor"].iloc[0] == 0 and line_c.tenor == 0
    text = line_c.explanation
    assert "wellbeing" in text and "no loan can be sized" in text and "bound to pay" in text
    assert line_c.schedule.empty
    page = line_c._repr_html_()
    assert "none can be sized" in page and "Debt schedule" not in page and "Cash by year" not in page
    assert "0.0 GBP" in repr(line_c)


@pytest.mark.parametrize("flows", [[], [0.0] * 5, [-1.0, 0.0], np.zeros((10, 3))])
def test_empty_or_all_zero_cash_is_an_error(flows):
    with pytest.raises(SROIError, match="source"):
        credit_line(flows, cv=0.2)
    with pytest.raises(SROIError, match="cash_flows"):
        debt_capacity(flows, dscr=1.2, interest_rate=0.04)


def test_negative_cash_floors_at_zero():
    a = credit_line([100.0, -50.0, 100.0], cv=0.2)
    b = credit_line([100.0, 0.0, 100.0], cv=0.2)
    assert a.value == b.value
    assert list(a.schedule["debt_service"] > 0) == [True, False, True]  # interest capitalised in year 2


def test_tenor_and_tenor_cap_limit_the_years():
    full = credit_line([100.0] * 10, cv=0.2)
    short = credit_line([100.0] * 10, cv=0.2, tenor=5)
    assert short.value == pytest.approx(credit_line([100.0] * 5, cv=0.2).value)
    assert short.value < full.value
    with pytest.raises(SROIError, match="tenor: 30 years is longer than the 3 years of cash"):
        credit_line([100.0] * 3, cv=0.2, tenor=30)
    assert credit_line([100.0] * 2 + [0.0] * 2, cv=0.2, tenor=4).tenor == 2  # the tenor reported
    src = FakeResult(years=8).add("rent", "A", [100.0] * 5 + [0.0] * 3)
    assert src.tenor_cap == 5
    assert credit_line(src, cv=0.2).cases["tenor"].iloc[0] == 5


def test_per_year_cv_and_quantity_source():
    line = credit_line([Q_(100.0, "EUR")] * 3, cv=[0.1, 0.2, 0.3])
    assert line.currency == "EUR"
    p90 = np.array([100 * (1 - 1.2815515655446004 * c) for c in (0.1, 0.2, 0.3)])
    expected = float(0.8 * p90 / 1.2 @ 1.04 ** -np.arange(1, 4))
    assert line.cases.loc["P90", "capacity"] == pytest.approx(expected, rel=1e-12)
    assert line.amount.units == Q_(1, "EUR").units


def test_credit_line_object_shows_itself():
    line = credit_line([100.0] * 5, cv=0.2, currency="GBP")
    assert isinstance(line, CreditLine)
    assert "220.7 GBP" in repr(line) and "P90 binding" in repr(line)
    assert "<table" in line._repr_html_() and "Debt schedule" in line._repr_html_()
    d = line.to_dict()
    json.dumps(d)
    assert d["binding_case"] == "P90" and d["amount"] == pytest.approx(220.7, rel=5e-4)
    assert list(line.cases.index) == ["P50", "P90"]
    assert {
        "cash_flow_percentile",
        "dscr",
        "haircut",
        "loan_rate",
        "tenor",
        "pv_eligible_cash",
        "capacity",
    } <= set(line.cases.columns)
    assert list(line.assumptions.columns) == ["name", "value", "range", "source"]
    assert line.steps["total"].iloc[-1] == pytest.approx(line.value)
    assert line.summary.loc["binding_case", "value"] == "P90"
    with pytest.raises(AttributeError):
        line.binding_case = "P50"  # type: ignore[misc]


# ----------------------------------------------------------------------------------------------
# bad input and warnings


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"dscr_p50": 0.0}, "dscr_p50"),
        ({"dscr_p90": -1.2}, "dscr_p90"),
        ({"dscr_p90": float("nan")}, "dscr_p90"),
        ({"haircut": 0.0}, "haircut"),
        ({"haircut": 1.2}, "haircut"),
        ({"percentile": 0.0}, "percentile"),
        ({"percentile": 1.0}, "percentile"),
        ({"tenor": 0}, "tenor"),
        ({"tenor": 2.5}, "tenor"),
        ({"tenor": True}, "tenor"),
        ({"loan_rate": -1.0}, "loan_rate"),
        ({"loan_rate": -0.5}, "loan_rate: expected a loan interest rate >= 0"),
        ({"loan_rate": 4}, "loan_rate: .*looks like a percentage; write 0.04 for 4%"),
        ({"loan_rate": 1.0}, "loan_rate"),
        ({"loan_rate": float("nan")}, "loan_rate"),
        ({"loan_rate": "4%"}, "loan_rate"),
        ({"dscr_p90": 0.9}, "dscr_p90: .*allow_dscr_below_one=True"),
        ({"dscr_p50": 1.2, "dscr_p90": 1.4}, "dscr_p50: .*below the downside"),
        ({"haircut": float("nan")}, "haircut"),
        ({"cv": float("nan")}, "cv"),
        ({"percentile_basis": "whole"}, "percentile_basis"),
        ({"percentile_basis": "whole_stream"}, "percentile_basis: the whole-stream basis needs"),
        ({"reserve_months": -1}, "reserve_months"),
        ({"tail_years": 1.5}, "tail_years"),
        ({"tail_years": 5}, "tail_years: a tail of 5 years leaves no year"),
        ({"max_gearing": 0.7}, "project_cost"),
        ({"project_cost": 100.0}, "max_gearing"),
        ({"max_gearing": 1.5, "project_cost": 100.0}, "max_gearing"),
        ({"max_gearing": 0.5, "project_cost": -1.0}, "project_cost"),
        ({"allow_dscr_below_one": 1}, "allow_dscr_below_one"),
        ({"contract": {"payer": "x", "rate_card": 0.5, "lag": 1}}, "contract: unknown term"),
        ({"contract": {"payer": "x", "rate_card": 50}}, "contract.rate_card"),
        ({"contract": 3}, "contract"),
        ({"cv": -0.1}, "cv"),
        ({"cv": [0.1, 0.2]}, "cv"),
        ({"cv": None}, "cv"),
        ({"currency": "XYZ"}, "currency"),
    ],
)
def test_credit_line_bad_arguments(kwargs, name):
    args = {"cv": 0.2} | kwargs
    with pytest.raises(SROIError, match=name):
        credit_line([100.0] * 5, **args)


@pytest.mark.parametrize(
    ("source", "kwargs", "name"),
    [
        ([100.0, float("nan"), 100.0], {"cv": 0.2}, "source"),
        (np.array([[1.0, 2.0], [np.nan, 1.0]]), {}, "source"),
        ([Q_(100.0, "GBP"), Q_(100.0, "EUR")], {"cv": 0.2}, "source"),
        ([Q_(100.0, "GBP")] * 3, {"cv": 0.2, "currency": "EUR"}, "currency"),
        (FakeResult().add("rent", "A", [1.0] * 5), {"cv": 0.2, "currency": "USD"}, "currency"),
        ("100", {"cv": 0.2}, "source"),
    ],
)
def test_credit_line_bad_sources(source, kwargs, name):
    with pytest.raises(SROIError, match=name):
        credit_line(source, **kwargs)


def test_warnings_for_unusual_but_allowed_inputs():
    rng = np.random.default_rng(0)
    with pytest.warns(SROIWarning, match="cv is ignored"):
        credit_line(rng.normal(100, 10, (200, 5)), cv=0.2)
    with pytest.warns(SROIWarning, match="samples"):
        credit_line(rng.normal(100, 10, (20, 5)))
    with pytest.warns(SROIWarning, match="below 1"):
        credit_line([100.0] * 5, cv=0.2, dscr_p90=0.9, allow_dscr_below_one=True)
    with pytest.warns(SROIWarning, match="median"):
        credit_line([100.0] * 5, cv=0.2, percentile=0.7)


def test_credit_scenarios_name_outcomes_by_id_not_position():
    """Moving a row cannot change a credit line: scenarios name outcomes by id (issue #12)."""
    from sroi.datasets import dataset_path
    from sroi.finance import CreditScenario, apply_changes

    a = sroi.load(dataset_path("elderly_mode", "elderly_mode.yaml"))
    changed = apply_changes(a, {"channel_shift": {"cash_tier": "B", "contracted": True, "payer": "Council"}})
    i = a.outcome_index("channel_shift")
    assert changed.outcomes[i].contracted and changed.outcomes[i].cash_tier == "B"
    moved = a.replace(outcomes=list(reversed(a.outcomes)))
    changed_moved = apply_changes(
        moved, {"channel_shift": {"cash_tier": "B", "contracted": True, "payer": "Council"}}
    )
    j = moved.outcome_index("channel_shift")
    assert changed_moved.outcomes[j] == changed.outcomes[i]
    with pytest.raises(SROIError, match="by its position"):
        CreditScenario("x", changes={"outcomes[4]": {"cash_tier": "B"}})
    with pytest.raises(SROIError, match="no outcome with id 'nope'.*ids: independent_use"):
        apply_changes(a, {"nope": {"cash_tier": "B"}})
