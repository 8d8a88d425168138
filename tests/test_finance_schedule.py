"""One repayment profile, the debt schedule and its covers (docs/method.md §9.5-§9.7).

The property tests check :func:`sroi.finance.credit_line` against formulas written from the
definitions, not from the implementation: the line is the optimum of a linear programme
(the largest present value of a debt-service profile whose every year meets every case's
cover), solved by :func:`scipy.optimize.linprog`, and the loan is amortised year by year
with a plain loop.
"""

from __future__ import annotations

import re
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from sroi.exceptions import SROIError
from sroi.finance import (
    ContractTerms,
    cover_ratios,
    credit_line,
    debt_schedule,
    sculpted_debt_service,
)

# ----------------------------------------------------------------------------------------------
# independent formulas


def _largest_loan(cash_by_case: list[np.ndarray], dscr: list[float], rate: float, tenor: int) -> float:
    """max sum_t x_t (1+r)^-t  s.t.  DSCR_c x_t <= max(cash_c,t, 0) for every case c and year t,
    x_t >= 0, and x_t = 0 after the tenor: a linear programme, solved by the simplex method."""
    years = len(cash_by_case[0])
    disc = np.array([(1 + rate) ** -(t + 1) for t in range(years)])
    rows, rhs = [], []
    for cash, cover in zip(cash_by_case, dscr, strict=True):
        for t in range(years):
            row = np.zeros(years)
            row[t] = cover
            rows.append(row)
            rhs.append(max(cash[t], 0.0))
    bounds = [(0, None) if t < tenor else (0, 0) for t in range(years)]
    res = linprog(-disc, A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds, method="highs")
    assert res.status == 0
    return float(-res.fun)


def _amortise(amount: float, service: np.ndarray, rate: float) -> list[float]:
    """Balance after each year: the balance grows by the interest and falls by the payment."""
    out, balance = [], amount
    for ds in service:
        balance = balance * (1 + rate) - ds
        out.append(balance)
    return out


# ----------------------------------------------------------------------------------------------
# the line is the largest loan meeting every case's cover every year

cash_1d = arrays(np.float64, st.integers(1, 12), elements=st.floats(0, 1e6)).filter(lambda a: (a > 1).any())


def test_subnormal_cash_carries_no_debt():
    # found by hypothesis: 5e-324 / 1.5 rounds back to 5e-324, a cover of 1.0 against 1.5
    line = credit_line(
        np.array([2.0, 5e-324]), cv=np.zeros(2), haircut=1, dscr_p50=1.5, dscr_p90=1.5, loan_rate=0, tenor=2
    )
    assert line.value == pytest.approx(2.0 / 1.5, rel=1e-12)
    _check_schedule(line, 0.0)


@settings(max_examples=120, deadline=None)
@given(
    flows=cash_1d,
    cv=st.lists(st.floats(0, 1.2), min_size=12, max_size=12),
    haircut=st.floats(0.05, 1.0),
    dscr_p90=st.floats(1.0, 2.5),
    extra=st.floats(0.0, 1.0),
    rate=st.floats(0.0, 0.3),
    tenor_cut=st.integers(0, 4),
)
def test_line_is_the_largest_loan_meeting_both_covers_deterministic(
    flows, cv, haircut, dscr_p90, extra, rate, tenor_cut
):
    years = flows.size
    tenor = max(1, years - tenor_cut)
    cv_t = np.array(cv[:years])
    line = credit_line(
        flows,
        cv=cv_t,
        haircut=haircut,
        dscr_p50=dscr_p90 + extra,
        dscr_p90=dscr_p90,
        loan_rate=rate,
        tenor=tenor,
    )
    z = -NormalDist().inv_cdf(0.10)
    p50 = haircut * flows
    p90 = haircut * flows * np.maximum(1 - z * cv_t, 0.0)
    best = _largest_loan([p50, p90], [dscr_p90 + extra, dscr_p90], rate, tenor)
    assert line.value == pytest.approx(best, rel=1e-9, abs=1e-6)
    _check_schedule(line, rate)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    samples=st.integers(100, 400),
    years=st.integers(1, 10),
    haircut=st.floats(0.3, 1.0),
    pct=st.floats(0.01, 0.5),
    rate=st.floats(0.0, 0.2),
)
def test_line_is_the_largest_loan_meeting_both_covers_with_samples(seed, samples, years, haircut, pct, rate):
    rng = np.random.default_rng(seed)
    scale = rng.uniform(10, 1000, years)
    sims = rng.lognormal(0.0, rng.uniform(0.05, 1.5, years), (samples, years)) * scale
    sims[rng.random((samples, years)) < 0.1] = 0.0  # some draws without cash
    line = credit_line(sims, percentile=pct, haircut=haircut, loan_rate=rate)
    p50 = haircut * np.percentile(sims, 50, axis=0)
    p90 = haircut * np.percentile(sims, 100 * pct, axis=0)
    last = int(np.flatnonzero(p50 > 0)[-1]) + 1 if (p50 > 0).any() else 0
    assume(last > 0)
    best = _largest_loan([p50, p90], [1.40, 1.20], rate, last)
    assert line.value == pytest.approx(best, rel=1e-9, abs=1e-6)
    _check_schedule(line, rate)


@settings(max_examples=60, deadline=None)
@given(
    flows=arrays(np.float64, st.integers(1, 8), elements=st.floats(1, 1e4)),
    share=st.floats(0.1, 1.0),
    cap=st.floats(1, 1e4),
    lag=st.integers(0, 2),
    costs=st.floats(0, 2e3),
    payer=st.floats(0.5, 1.0),
    cv=st.floats(0, 0.6),
)
def test_line_with_a_contract_is_the_largest_loan_on_its_payments(flows, share, cap, lag, costs, payer, cv):
    terms = ContractTerms(
        "payer", rate_card=share, payment_cap=cap, payment_lag=lag, delivery_costs=costs, payer_haircut=payer
    )
    line = credit_line(flows, cv=cv, contract=terms, haircut=0.8, loan_rate=0.05)
    z = -NormalDist().inv_cdf(0.10)
    years = flows.size

    def paid(values):  # by hand: share, cap, payer credit, then the lag
        out = np.zeros(years + lag)
        out[lag:] = payer * np.minimum(share * values, cap)
        return out

    cost = np.r_[np.full(years, costs), np.zeros(lag)]
    p50 = 0.8 * paid(flows) - cost
    p90 = 0.8 * paid(flows * max(1 - z * cv, 0.0)) - cost
    last = int(np.flatnonzero(paid(flows) > 0)[-1]) + 1
    best = _largest_loan([p50, p90], [1.40, 1.20], 0.05, last)
    assert line.value == pytest.approx(best, rel=1e-9, abs=1e-6)
    _check_schedule(line, 0.05)


def _check_schedule(line, rate):
    sched = line.schedule
    if line.value == 0:
        assert sched.empty and line.tenor == 0
        return
    ds = sched["debt_service"].to_numpy()
    assert sched["closing_balance"].iloc[-1] == 0.0  # exactly zero at the final maturity
    assert ds[-1] > 0 and line.tenor == int(sched["year"].iloc[-1])  # tenor = last year with debt service
    balances = _amortise(line.value, ds, rate)
    np.testing.assert_allclose(balances, sched["closing_balance"], rtol=1e-7, atol=1e-6 * line.value)
    np.testing.assert_allclose(sched["interest"] + sched["principal"], ds, rtol=1e-9, atol=1e-9 * line.value)
    for case in ("P50", "P90"):
        cover = sched.loc[ds > 0, f"dscr_{case.lower()}"]
        target = float(line.cases.loc[case, "dscr"])
        assert (cover >= target * (1 - 1e-9)).all()  # every year meets the case's cover


# ----------------------------------------------------------------------------------------------
# the three worked examples of docs/method.md §9.7 (computed by hand there)


def test_method_worked_example_1_level_cash():
    # 100 a year for 5 years, CV 20%: the downside case binds every year (docs/method.md §9.7a)
    # rel=5e-5: the method rounds z to 1.281552 and the results to 2 dp
    line = credit_line([100.0] * 5, cv=0.2, haircut=0.8, loan_rate=0.04, currency="GBP")
    assert line.value == pytest.approx(220.72, rel=5e-5)
    assert line.binding_case == "P90" and line.binding_years["P90"] == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(line.schedule["debt_service"], 49.58, rtol=5e-5)
    assert line.cases.loc["P50", "capacity"] == pytest.approx(254.39, rel=5e-5)
    assert line.covers.loc["P50", "min_dscr"] == pytest.approx(1.6136, rel=5e-5)  # 80 / 49.58
    assert line.covers.loc["P90", "llcr"] == pytest.approx(1.20, rel=1e-9)
    assert line.covers.loc["P90", "min_cover_on_modelled_cash"] == pytest.approx(1.50, rel=1e-9)  # 1.20 / 0.8
    assert line.tenor == 5


def test_method_worked_example_2_uncertain_last_year():
    # issue #15: the old min(D_P50, D_P90) gave 254.4 with a P90 cover of 0.50x in year 5
    # rel=5e-5: the method's figures are rounded to 2 dp
    line = credit_line([100.0] * 5, cv=[0.01, 0.01, 0.01, 0.01, 0.5], haircut=0.8, loan_rate=0.04)
    assert line.value == pytest.approx(227.11, rel=5e-5)
    np.testing.assert_allclose(line.schedule["debt_service"], [57.14, 57.14, 57.14, 57.14, 23.95], rtol=5e-4)
    assert line.binding_years == {"P50": [1, 2, 3, 4], "P90": [5]}
    assert line.binding_year == 5
    assert line.cases.loc["P50", "capacity"] == pytest.approx(254.39, rel=5e-5)
    assert line.schedule["dscr_p90"].iloc[-1] == pytest.approx(1.20, rel=1e-9)
    assert line.schedule["dscr_p50"].iloc[-1] == pytest.approx(3.34, rel=5e-3)
    # the old line's debt service of 57.14 in year 5 against downside cash of 0.8 x 35.92 = 28.74
    assert 0.8 * 100 * (1 - 1.281552 * 0.5) / (0.8 * 100 / 1.4) == pytest.approx(0.503, rel=1e-3)
    assert line.schedule["closing_balance"].iloc[-1] == 0.0


def test_method_worked_example_3_contract_with_lag_and_cap():
    # value 100 a year for 4 years, CV 20%; the payer pays 60% of it, at most 50 a year, one
    # year late; delivery costs 5 a year (docs/method.md §9.7c). rel=5e-5: 2-dp hand figures
    terms = ContractTerms("Council", rate_card=0.6, payment_cap=50.0, payment_lag=1, delivery_costs=5.0)
    line = credit_line([100.0] * 4, cv=0.2, contract=terms, haircut=0.8, loan_rate=0.04, currency="GBP")
    np.testing.assert_allclose(line.cash["payments_p50"], [0, 50, 50, 50, 50])
    np.testing.assert_allclose(line.cash["payments_p90"], [0, 44.62, 44.62, 44.62, 44.62], rtol=5e-5)
    np.testing.assert_allclose(line.cash["cash_available_p50"], [-5, 35, 35, 35, 40])
    np.testing.assert_allclose(line.schedule["debt_service"], [0, 25, 25, 25, 28.5714], rtol=5e-6)
    assert line.value == pytest.approx(90.19, rel=5e-5)
    assert line.tenor == 5 and line.binding_years == {"P50": [2, 3, 4, 5], "P90": []}
    assert line.schedule["opening_balance"].iloc[1] == pytest.approx(93.80, rel=5e-5)  # interest capitalised
    assert line.covers.loc["P50", "llcr"] == pytest.approx(1.3467, rel=5e-4)
    text = line.term_sheet()
    assert "60% of the value" in text and "at most 50.0 GBP a year" in text and "1 year after" in text
    assert "no debt service is due in year 1" in text and "shortfall in year(s) 1" in text


# ----------------------------------------------------------------------------------------------
# options: reserve, tail, gearing, percentile basis


def test_reserve_months_of_the_largest_debt_service_ahead():
    line = credit_line([100.0] * 5, cv=[0.01, 0.01, 0.01, 0.01, 0.5], reserve_months=6)
    ds = line.schedule["debt_service"].to_numpy()
    assert line.options["reserve_at_close"] == pytest.approx(ds.max() / 2)
    np.testing.assert_allclose(line.schedule["reserve_balance"], [ds.max() / 2] * 4 + [ds[-1] / 2])
    assert line.value == pytest.approx(
        credit_line([100.0] * 5, cv=[0.01] * 4 + [0.5]).value
    )  # size unchanged
    assert "6 months" in line.term_sheet() and "Debt service reserve" in line.term_sheet()


def test_tail_leaves_years_of_cash_after_maturity():
    line = credit_line([100.0] * 6, cv=0.2, tail_years=2)
    assert line.tenor == 4
    assert line.value == pytest.approx(credit_line([100.0] * 4, cv=0.2).value)
    assert "2 years of cash after the final maturity" in line.term_sheet()


def test_gearing_limit_scales_the_profile():
    free = credit_line([100.0] * 5, cv=0.2, currency="GBP")
    line = credit_line([100.0] * 5, cv=0.2, currency="GBP", max_gearing=0.5, project_cost=300.0)
    assert line.value == pytest.approx(150.0)
    assert line.options["limited_by_gearing"] is True
    np.testing.assert_allclose(
        line.schedule["debt_service"], free.schedule["debt_service"] * 150 / free.value, rtol=1e-12
    )
    assert "a limit of 150.0 GBP, which binds" in line.term_sheet()
    loose = credit_line([100.0] * 5, cv=0.2, max_gearing=0.9, project_cost=1000.0)
    assert loose.value == pytest.approx(free.value) and "does not bind" in loose.term_sheet()


def test_year_by_year_is_conservative_against_the_whole_stream():
    rng = np.random.default_rng(7)
    sims = rng.lognormal(np.log(100), 0.5, (4000, 6))  # independent years
    line = credit_line(sims, haircut=0.8, loan_rate=0.05)
    comp = line.basis_comparison
    disc = 1.05 ** -np.arange(1, 7)
    pv = (0.8 * sims) @ disc
    yby = 0.8 * np.percentile(sims, 10, axis=0) @ disc
    assert comp.loc["P90", "pv_year_by_year"] == pytest.approx(yby, rel=1e-12)
    assert comp.loc["P90", "pv_whole_stream"] == pytest.approx(np.percentile(pv, 10), rel=1e-12)
    assert 0.1 < comp.loc["P90", "year_by_year_below_whole_stream"] < 0.5
    whole = credit_line(sims, haircut=0.8, loan_rate=0.05, percentile_basis="whole_stream")
    assert whole.value == pytest.approx(comp.loc["P90", "line_whole_stream"], rel=1e-12)
    assert whole.value > line.value
    # the whole-stream downside profile has the present value of the whole stream's 10th percentile
    assert (whole.cash["cash_available_p90"].to_numpy() @ disc) == pytest.approx(np.percentile(pv, 10))
    text = line.term_sheet()
    assert "year by year" in text and "whole stream" in text and "counts" in text


# ----------------------------------------------------------------------------------------------
# the pure functions


def test_debt_schedule_known_answer_and_capitalised_interest():
    sched = debt_schedule([0.0, 54.08, 0.0], 0.04)
    assert list(sched["year"]) == [1, 2]  # final maturity: last year with debt service
    np.testing.assert_allclose(sched["opening_balance"], [50.0, 52.0])
    np.testing.assert_allclose(sched["principal"], [-2.0, 52.0])
    assert sched["closing_balance"].iloc[-1] == 0.0
    assert debt_schedule([0.0, 0.0], 0.04).empty


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: debt_schedule([1.0, -1.0], 0.04), "debt_service: expected debt service >= 0"),
        (lambda: debt_schedule([[1.0]], 0.04), "debt_service"),
        (lambda: debt_schedule([1.0], 4), "loan_rate"),
        (lambda: debt_schedule([1.0, np.nan], 0.04), "debt_service"),
        (lambda: sculpted_debt_service([[1.0, 2.0]], [1.2, 1.4]), "dscr"),
        (lambda: sculpted_debt_service([[1.0, 2.0]], [0.9]), "allow_dscr_below_one"),
        (lambda: sculpted_debt_service([[1.0, 2.0]], [1.2], tenor=3), "tenor"),
        (lambda: cover_ratios({"P50": [1.0]}, [1.0, 1.0], 0.04), "cash_available"),
    ],
)
def test_schedule_functions_refuse_bad_input(call, match):
    with pytest.raises(SROIError, match=match):
        call()


def test_sculpted_debt_service_is_the_smallest_case_limit():
    ds = sculpted_debt_service([[80.0, -5.0, 80.0], [60.0, 60.0, 10.0]], [1.4, 1.2], tenor=2)
    np.testing.assert_allclose(ds, [50.0, 0.0, 0.0])


def test_cover_ratios_table():
    table = cover_ratios(
        {"P50": [140.0, 70.0], "P90": [120.0, 48.0]}, [100.0, 40.0], 0.0, {"P50": 1.4, "P90": 1.2}
    )
    assert table.loc["P90", "min_dscr"] == pytest.approx(1.2) and table.loc["P90", "min_dscr_year"] == 1
    assert table.loc["P50", "average_dscr"] == pytest.approx((1.4 + 1.75) / 2)
    assert table.loc["P50", "llcr"] == pytest.approx(210 / 140)


# ----------------------------------------------------------------------------------------------
# the term sheet reads as words


def _lines():
    terms = ContractTerms("Council", rate_card=0.6, payment_cap=50.0, payment_lag=1, delivery_costs=5.0)
    rng = np.random.default_rng(3)
    return [
        credit_line([100.0] * 5, cv=0.2, currency="GBP"),
        credit_line([100.0] * 4, cv=0.2, contract=terms, currency="GBP", reserve_months=6),
        credit_line(rng.gamma(4, 25, (500, 5)), max_gearing=0.6, project_cost=200.0, tail_years=1),
        credit_line(
            [10.0] * 3, cv=0.2, contract=ContractTerms("Council", rate_card=0.5, delivery_costs=20.0)
        ),
    ]


@pytest.mark.parametrize("index", range(4))
def test_term_sheet_has_no_code_identifiers(index):
    line = _lines()[index]
    text = line.term_sheet()
    assert text == line.explanation == line.to_text()
    assert not re.search(r"\w_\w|\(\)|=|`", text), text
    assert "Risks not modelled" in text or "No loan" in text or "no loan can be sized" in text
    page = line._repr_html_()
    assert "Indicative" not in page or "<table" in page
    if line.value:
        for heading in ("Facility", "Final maturity", "Repayment", "Covers required", "Binding case"):
            assert heading in text


def test_zero_line_when_costs_exceed_payments_is_explained():
    line = _lines()[3]
    assert line.value == 0.0 and line.schedule.empty
    assert "no loan can be sized" in line.term_sheet()
    assert (
        "leaves no cash for debt service in any year, after the haircut and the provider's costs"
        in line.term_sheet()
    )


def test_line_to_dict_is_json_ready():
    import json

    line = _lines()[1]
    d = line.to_dict()
    json.dumps(d)
    assert d["tenor"] == 5 and d["contract"]["payment_lag"] == 1 and len(d["schedule"]) == 5
    assert isinstance(line.summary, pd.DataFrame)
