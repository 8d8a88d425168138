"""The engine's fast paths (#18) against their reference paths.

In-place closed-form PV, the impact product with zero shares skipped, drawn fields gathered as
strided views, the log-normal quantile in place, and the per-key streams built from uint32 words:
each is checked against the plain computation it replaces (docs/method.md §3, §6).
"""

from __future__ import annotations

import numpy as np
import pytest

import sroi
from sroi import engine
from sroi.assembly import _rows
from sroi.quantiles import BatchQuantile
from sroi.sampling import _key_id, _key_streams

RNG = np.random.default_rng(18)
N_OUT, N_SAMPLES = 4, 7


def _arrays(**shapes: tuple[int, int]) -> engine.EngineArrays:
    """Engine arrays of N_OUT outcomes; each field drawn at the shape given (default (N_OUT, N_SAMPLES))."""

    def field(name: str, low: float, high: float) -> np.ndarray:
        return RNG.uniform(low, high, shapes.get(name, (N_OUT, N_SAMPLES)))

    return engine.EngineArrays(
        quantity=field("quantity", 10, 100),
        proxy=field("proxy", 50, 500),
        deadweight=field("deadweight", 0.0, 0.5),
        displacement=shapes.get("displacement_value", np.zeros((N_OUT, 1))),
        attribution=field("attribution", 0.0, 0.5),
        drop_off=field("drop_off", 0.0, 0.4),
        overlap=shapes.get("overlap_value", np.zeros((N_OUT, 1))),
        duration=np.floor(field("duration", 1, 30)),
        start=np.array([1, 2, 1, 5]),
        drop_off_from=np.array([2, 1, 2, 2]),
        rates=np.full((40, 1), 0.035)
        if "rates" not in shapes
        else np.repeat(field("rates", 0.0, 0.1)[:1], 40, 0),
        inputs=np.full((1, 1), 1000.0),
        input_years=np.array([0]),
        profile_outcomes=np.zeros(0, dtype=np.intp),
    )


CASES = [
    {},
    {"drop_off": (N_OUT, 1)},
    {"duration": (N_OUT, 1), "drop_off": (N_OUT, 1)},
    {"quantity": (N_OUT, 1), "deadweight": (N_OUT, 1), "attribution": (N_OUT, 1), "drop_off": (N_OUT, 1)},
    {"rates": (N_OUT, N_SAMPLES)},  # one drawn rate for every period: the closed form at a rate per sample
    {
        "overlap_value": np.full((N_OUT, 1), 0.1),
        "displacement_value": RNG.uniform(0, 0.2, (N_OUT, N_SAMPLES)),
    },
]


@pytest.mark.parametrize("shapes", CASES)
@pytest.mark.parametrize("timing", ["end_of_year", "mid_year", "start_of_year", "none"])
def test_closed_form_pv_in_place_equals_the_year_by_year_sum(shapes, timing):
    a = _arrays(**shapes)
    before = {
        k: np.copy(getattr(a, k)) for k in ("quantity", "proxy", "deadweight", "attribution", "drop_off")
    }
    filters, impact = engine._filtered_impact(a)
    rate = engine._constant_rate(a.rates)
    assert rate is not None
    closed = engine._geometric_pv(impact, a.drop_off, a.duration, a.start, a.drop_off_from, rate, timing)
    disc = engine.discount_factors(a.rates, timing, axis=0)
    yearly = engine._yearly_pv(None, impact, filters, a.drop_off, a.duration, a.start, a.drop_off_from, disc)
    # two summation orders of up to 30 terms: round-off of a few ulps of the sum
    np.testing.assert_allclose(closed, yearly, rtol=1e-12)
    for k, v in before.items():  # the in-place steps write only into their own temporaries
        np.testing.assert_array_equal(getattr(a, k), v)


@pytest.mark.parametrize("shapes", CASES)
def test_impact_product_equals_the_formula_exactly(shapes):
    a = _arrays(**shapes)
    filters, impact = engine._filtered_impact(a)
    expected = (1.0 - a.deadweight) * (1.0 - a.displacement) * (1.0 - a.attribution) * (1.0 - a.overlap)
    np.testing.assert_array_equal(filters, expected)  # same products in the same order: bit for bit
    np.testing.assert_array_equal(impact, a.quantity * a.proxy * expected)


def test_zero_drop_off_at_zero_rate_sums_n_ones():
    a = _arrays(drop_off=(N_OUT, 1))
    a = engine.EngineArrays(**{**a.__dict__, "drop_off": np.zeros((N_OUT, 1))})
    _, impact = engine._filtered_impact(a)
    pv = engine._geometric_pv(
        impact, a.drop_off, a.duration, a.start, a.drop_off_from, np.zeros((1, 1)), "none"
    )
    np.testing.assert_allclose(pv, impact * a.duration, rtol=1e-15)


@pytest.mark.parametrize(
    "index",
    [[2, 7, 12, 17], [3], [0, 1, 2], [5, 3, 1], [1, 1, 1], [0, 2, 3], [[0, 5], [10, 15]], []],
)
def test_rows_view_equals_fancy_indexing(index):
    table = RNG.random((20, 6))
    idx = np.array(index, dtype=np.intp)
    got = _rows(table, idx)
    np.testing.assert_array_equal(got, table[idx])
    strided = (
        idx.ndim == 1
        and idx.size
        and (idx.size == 1 or ((np.diff(idx) == idx[1] - idx[0]).all() and idx[1] > idx[0]))
    )
    assert np.shares_memory(got, table) == bool(strided)


def test_lognormal_batch_quantile_equals_its_ppf_and_leaves_the_uniforms_alone():
    dists = [sroi.LogNormal.from_interval(200 + 20 * i, 800 + 20 * i) for i in range(5)]
    u = RNG.random((5, 1000))
    kept = u.copy()
    q = BatchQuantile(dists)(u)
    np.testing.assert_array_equal(u, kept)
    for d, row_q, row_u in zip(dists, q, u, strict=True):
        np.testing.assert_allclose(row_q, d.ppf(row_u), rtol=1e-14)  # one exp of the same sum


@pytest.mark.parametrize(
    "base", [(0, 1, 2, 3), (2**63 - 1, 2**32, 2**32 - 1, 0), (12345, 2**40 + 7, 5, 2**62)]
)
def test_key_streams_are_numpys_spawned_streams_bit_for_bit(base):
    keys = ["outcomes[0].quantity", "", "évaluation", "x" * 300, "rate"]
    fast = _key_streams(base, keys)
    for k, g in zip(keys, fast, strict=True):
        ref = np.random.default_rng(np.random.SeedSequence(list(base), spawn_key=(_key_id(k),)))
        assert g.bit_generator.state == ref.bit_generator.state
        np.testing.assert_array_equal(g.random(5), ref.random(5))


def test_key_streams_reject_negative_entropy_as_numpy_does():
    with pytest.raises(ValueError):
        _key_streams((-1, 0, 0, 0), ["a"])
