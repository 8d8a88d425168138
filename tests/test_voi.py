"""Tests of sroi.voi's regression machinery: the B-spline basis, the normal-equation fits and
EVPPI against the straightforward implementation (statsmodels' basis, least squares on the
whole design). Known-answer tests of EVPI and EVPPI are in tests/test_sensitivity.py."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sroi import voi
from sroi.voi import _Bases, _bspline_basis, _least_squares


def _knots(x: np.ndarray, d: int) -> np.ndarray:
    inner = np.quantile(x, np.linspace(0.0, 1.0, d - 2)[1:-1])
    return np.concatenate([[x.min()] * 4, inner, [x.max()] * 4])


_rng = np.random.default_rng(0)
SAMPLES = {
    "lognormal": _rng.lognormal(size=20_000),
    "ties": np.round(_rng.random(3000) * 20) / 20,
    "many at the minimum": np.r_[np.zeros(500), _rng.random(100)],
    "many at the maximum": np.r_[_rng.random(100), np.ones(500)],
}


@pytest.mark.parametrize("name", list(SAMPLES))
@pytest.mark.parametrize("d", [4, 6, 8, 12])
def test_bspline_basis_equals_scipy_design_matrix(name, d):
    from scipy.interpolate import BSpline

    x = SAMPLES[name]
    knots = _knots(x, d)
    expected = BSpline.design_matrix(x, knots, 3).toarray()
    # 1e-14: the same recursion in another order of operations (values are in [0, 1])
    np.testing.assert_allclose(_bspline_basis(x, knots, block=777), expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("d", [4, 6, 8])
def test_bspline_basis_equals_statsmodels_gam_basis(d):
    from statsmodels.gam.api import BSplines

    x = SAMPLES["lognormal"]
    expected = np.asarray(BSplines(x[:, None], df=[d], degree=[3], include_intercept=True).basis)
    got = _Bases(x[:, None], df=8).basis(0, d, intercept=True)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-14)  # rounding only
    np.testing.assert_array_equal(_Bases(x[:, None], df=8).basis(0, d, intercept=False), got[:, 1:])


def test_least_squares_counts_collinear_columns_once():
    rng = np.random.default_rng(1)
    group = rng.integers(0, 4, 1000)
    dummies = np.eye(4)[group]  # with an intercept: 5 columns of rank 4
    y = 3.0 * group + rng.normal(size=1000)
    fitted, rank = _least_squares((True, [dummies]), y)
    assert rank == 4
    means = np.array([y[group == g].mean() for g in range(4)])
    np.testing.assert_allclose(fitted, means[group], rtol=1e-10)  # exact conditional means


def test_least_squares_matches_lstsq_on_the_whole_design():
    rng = np.random.default_rng(2)
    blocks = [rng.normal(size=(500, 3)), rng.random((500, 2))]
    y = rng.normal(size=500)
    fitted, rank = _least_squares((True, blocks), y)
    x = np.column_stack([np.ones(500), *blocks])
    coef, _, expected_rank, _ = np.linalg.lstsq(x, y, rcond=None)
    np.testing.assert_allclose(fitted, x @ coef, rtol=1e-9, atol=1e-12)
    assert rank == expected_rank


def _reference_evppi(nb, x, df=8):
    """EVPPI of one estimate as written before the normal equations: statsmodels' BSplines
    and np.linalg.lstsq on each whole design, the same BIC choice."""
    from statsmodels.gam.api import BSplines

    n = len(nb)
    one = np.ones((n, 1))
    z = (x - x.mean()) / x.std()
    designs = [one, np.column_stack([one, z])]
    for d in range(4, df + 1, 2):
        basis = np.asarray(BSplines(x[:, None], df=[d], degree=[3], include_intercept=False).basis)
        designs.append(np.column_stack([one, basis]))
    best, best_bic = nb, math.inf
    floor = 1e-24 * max(float(np.mean(nb**2)), 1e-300)
    for design in designs:
        coef, _, rank, _ = np.linalg.lstsq(design, nb, rcond=None)
        fitted = design @ coef
        bic = n * math.log(max(float(np.mean((nb - fitted) ** 2)), floor)) + int(rank) * math.log(n)
        if bic < best_bic:
            best, best_bic = fitted, bic
    return float(np.mean(np.maximum(best, 0.0)) - max(float(np.mean(best)), 0.0))


def test_evppi_equals_the_straightforward_implementation():
    rng = np.random.default_rng(3)
    n = 4000
    draws = pd.DataFrame(
        {
            "q": rng.lognormal(0.0, 0.5, n),
            "d": rng.uniform(0.0, 0.4, n),
            "noise": rng.random(n),
        }
    )
    pv = 100 * draws["q"] * (1 - draws["d"]) ** 3 + 5 * rng.normal(size=n)
    sim = SimpleNamespace(draws=draws, present_value=pv.to_numpy(), total_inputs=np.full(n, 90.0))
    got = voi.evppi(sim).set_index("key")["evppi"]
    nb = voi.net_benefit(sim)
    for key in draws.columns:
        expected = _reference_evppi(nb, draws[key].to_numpy())
        # 1e-9 of EVPI: the same fits, solved another way (normal equations vs SVD)
        assert got[key] == pytest.approx(expected, abs=1e-9 * voi.evpi(sim))
