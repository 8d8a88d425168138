"""Invariants of the method (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sroi
from tests.conftest import make_analysis

fraction = st.floats(0, 1, allow_nan=False)
positive = st.floats(0.01, 1e6, allow_nan=False)


@given(q=positive, k=st.floats(0.1, 10))
def test_present_value_linear_in_quantity(q, k):
    a = make_analysis(quantity=f"{q!r} person", drop_off=0.1).evaluate().present_value.magnitude
    b = make_analysis(quantity=f"{q * k!r} person", drop_off=0.1).evaluate().present_value.magnitude
    assert b == pytest.approx(k * a, rel=1e-9)


@given(p=positive, k=st.floats(0.1, 10))
def test_present_value_linear_in_proxy(p, k):
    a = make_analysis(proxy=f"{p!r} GBP/person").evaluate().present_value.magnitude
    b = make_analysis(proxy=f"{p * k!r} GBP/person").evaluate().present_value.magnitude
    assert b == pytest.approx(k * a, rel=1e-9)


@given(
    name=st.sampled_from(["deadweight", "displacement", "attribution", "drop_off"]), x=fraction, y=fraction
)
def test_ratio_non_increasing_in_each_filter(name, x, y):
    lo, hi = sorted((x, y))
    r_lo = make_analysis(**{name: lo}).evaluate().ratio
    r_hi = make_analysis(**{name: hi}).evaluate().ratio
    assert r_hi <= r_lo + 1e-12


@given(
    dw=fraction,
    at=fraction,
    do=fraction,
    dur=st.integers(1, 100),
    start=st.integers(1, 2),
    rate=st.floats(-0.5, 0.5),
    timing=st.sampled_from(["end_of_year", "mid_year", "start_of_year", "none"]),
    q=positive,
)
def test_save_then_load_gives_identical_results(tmp_path_factory, dw, at, do, dur, start, rate, timing, q):
    a = make_analysis(
        deadweight=dw,
        attribution=at,
        drop_off=do,
        duration=dur,
        start=start,
        discount_rate=rate,
        discount_timing=timing,
        quantity=f"{q!r} person",
    )
    path = tmp_path_factory.mktemp("m") / "m.yaml"
    b = sroi.load(sroi.save(a, path))
    assert b == a
    ra, rb = a.evaluate(), b.evaluate()
    assert (ra.ratio, ra.present_value, ra.payback_months) == (rb.ratio, rb.present_value, rb.payback_months)
