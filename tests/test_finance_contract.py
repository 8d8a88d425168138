"""Cash from an outcomes contract (docs/method.md §9.3): ContractTerms and contract_cash."""

from __future__ import annotations

import numpy as np
import pytest

import sroi
from sroi.exceptions import SROIError
from sroi.finance import ContractTerms, contract_cash, credit_line
from sroi.units import Q_


def test_contract_cash_step_by_step_by_hand():
    terms = ContractTerms(
        "Council",
        rate_card=0.5,
        payment_cap=45.0,
        payment_lag=1,
        delivery_costs=10.0,
        verification_costs=[1.0, 2.0, 3.0],
        payer_haircut=0.9,
    )
    cash = contract_cash(terms, [100.0, 100.0, 60.0])
    np.testing.assert_allclose(cash.earned, [[50.0, 50.0, 30.0]])
    np.testing.assert_allclose(cash.capped, [[45.0, 45.0, 30.0]])
    np.testing.assert_allclose(cash.payments, [[0.0, 40.5, 40.5, 27.0]])
    np.testing.assert_allclose(cash.costs, [11.0, 12.0, 13.0, 0.0])
    np.testing.assert_allclose(cash.net, [[-11.0, 28.5, 27.5, 27.0]])
    steps = cash.steps.set_index("step")
    assert list(steps.index) == list(range(1, 9))
    assert steps.loc[5, "total"] == pytest.approx(108.0) and steps.loc[8, "total"] == pytest.approx(72.0)
    assert "payer credit quality 0.9" in steps.loc[5, "description"]


def test_contract_years_are_independent_of_outcome_durations():
    terms = ContractTerms("Council", rate_card=1.0, contract_years=2, delivery_costs=1.0)
    short = contract_cash(terms, [10.0, 10.0, 10.0, 10.0])
    np.testing.assert_allclose(short.payments, [[10.0, 10.0]])
    long = contract_cash(
        ContractTerms("Council", rate_card=1.0, contract_years=5, delivery_costs=1.0), [10.0, 10.0]
    )
    np.testing.assert_allclose(long.payments, [[10.0, 10.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(long.costs, [1.0] * 5)  # delivery runs for the contract's years


def test_price_per_unit_with_units_per_sample():
    terms = ContractTerms(
        "Council", price_per_unit=Q_(20, "GBP/person"), units=[[1.0, 2.0], [3.0, 4.0]], unit_name="person"
    )
    cash = contract_cash(terms, np.zeros((2, 2)))
    np.testing.assert_allclose(cash.payments, [[20.0, 40.0], [60.0, 80.0]])
    assert terms.currency == "GBP"
    line = credit_line(
        np.ones((200, 2)),
        contract=terms.__class__("Council", price_per_unit=20.0, units=np.tile([5.0, 5.0], (200, 1))),
        loan_rate=0.0,
        haircut=1.0,
    )
    assert line.value == pytest.approx(2 * 100 / 1.4)
    with pytest.raises(SROIError, match="units"):
        contract_cash(terms, np.zeros((3, 2)))


def test_contract_payments_carried_through_the_samples():
    rng = np.random.default_rng(1)
    values = rng.gamma(3, 30, (2000, 4))
    terms = ContractTerms("Council", rate_card=0.5, payment_cap=60.0, payment_lag=1, delivery_costs=5.0)
    line = credit_line(values, contract=terms, haircut=0.8, loan_rate=0.04)
    per_sample = np.zeros((2000, 5))
    per_sample[:, 1:] = np.minimum(0.5 * values, 60.0)
    np.testing.assert_allclose(line.cash["payments_p90"], np.percentile(per_sample, 10, axis=0), rtol=1e-12)
    np.testing.assert_allclose(line.cash["payments_p50"], np.median(per_sample, axis=0), rtol=1e-12)
    np.testing.assert_allclose(line.cash["costs"], [5, 5, 5, 5, 0])
    assert line.contract_steps is not None and (line.contract_steps["case"] == "mean of samples").all()


def test_contract_on_a_real_simulation_and_result():
    a = sroi.Analysis(
        name="Example",
        currency="GBP",
        inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
        outcomes=[
            sroi.Outcome(
                "Council",
                "Fewer visits",
                quantity=sroi.Uniform(5, 15, unit="person"),
                proxy="100 GBP/person/year",
                duration=3,
                cash_tier="B",
                contracted=True,
                payer="Council",
            )
        ],
    )
    terms = ContractTerms("Council", rate_card=0.5, payment_lag=1, delivery_costs=Q_(50, "GBP"))
    sim_line = credit_line(a.simulate(1000, seed=2), contract=terms)
    assert sim_line.value > 0 and sim_line.currency == "GBP" and sim_line.tenor == 4
    point_line = credit_line(a.evaluate(), contract=terms, cv=0.2)
    assert point_line.value > 0 and "Council pays 50%" in point_line.term_sheet()
    with pytest.raises(SROIError, match="contract"):
        credit_line(
            a.evaluate(), cv=0.2, contract=ContractTerms("C", rate_card=0.5, delivery_costs=Q_(1, "EUR"))
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "rate_card: give either"),
        ({"rate_card": 0.5, "price_per_unit": 3.0, "units": [1.0]}, "rate_card: give either"),
        ({"rate_card": 50}, "rate_card: expected a share"),
        ({"rate_card": float("nan")}, "rate_card"),
        ({"price_per_unit": 3.0}, "units"),
        ({"price_per_unit": -3.0, "units": [1.0]}, "price_per_unit"),
        ({"price_per_unit": Q_(3, "person"), "units": [1.0]}, "price_per_unit"),
        ({"rate_card": 0.5, "payment_cap": -1.0}, "payment_cap"),
        ({"rate_card": 0.5, "payment_cap": float("nan")}, "payment_cap"),
        ({"rate_card": 0.5, "payment_lag": 0.5}, "payment_lag"),
        ({"rate_card": 0.5, "payment_lag": -1}, "payment_lag"),
        ({"rate_card": 0.5, "delivery_costs": [1.0, np.nan]}, "delivery_costs"),
        ({"rate_card": 0.5, "verification_costs": -2.0}, "verification_costs"),
        ({"rate_card": 0.5, "payer_haircut": 0.0}, "payer_haircut"),
        ({"rate_card": 0.5, "payer_haircut": 95}, "payer_haircut"),
        ({"rate_card": 0.5, "contract_years": 0}, "contract_years"),
        ({"rate_card": 0.5, "payment_cap": Q_(1, "GBP"), "delivery_costs": Q_(1, "EUR")}, "currency"),
    ],
)
def test_contract_terms_refuse_bad_input(kwargs, match):
    with pytest.raises(SROIError, match=match):
        ContractTerms("Council", **kwargs)


def test_contract_terms_need_a_payer_and_matching_costs():
    with pytest.raises(SROIError, match="payer"):
        ContractTerms("  ", rate_card=0.5)
    terms = ContractTerms("Council", rate_card=0.5, delivery_costs=[1.0, 2.0])
    with pytest.raises(SROIError, match="delivery_costs: expected one amount or one per contract year"):
        contract_cash(terms, [1.0, 1.0, 1.0])
    with pytest.raises(SROIError, match="values"):
        contract_cash(terms, [1.0, np.nan])
    with pytest.raises(SROIError, match="contract"):
        contract_cash("terms", [1.0])  # type: ignore[arg-type]


def test_contract_terms_from_a_scenario_mapping_with_quantity_strings(tmp_path):
    from sroi.finance import load_credit_scenarios

    path = tmp_path / "scenarios.yaml"
    path.write_text(
        "scenarios:\n"
        "  - name: Contract\n"
        "    credit:\n"
        "      haircut: 0.8\n"
        "      contract: {payer: Council, rate_card: 0.5, payment_lag: 1, delivery_costs: '3,000 GBP'}\n",
        encoding="utf-8",
    )
    (scenario,) = load_credit_scenarios(path)
    line = credit_line([10_000.0] * 4, cv=0.2, currency="GBP", **dict(scenario.credit))
    assert line.contract is not None and line.contract.currency == "GBP"
    np.testing.assert_allclose(line.cash["costs"], [3000.0] * 4 + [0.0])
    with pytest.raises(SROIError, match="delivery_costs"):
        ContractTerms("Council", rate_card=0.5, delivery_costs="3000 person")
