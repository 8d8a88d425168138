"""Bayesian updating formulas (sroi.updating, docs/method.md §12.4) against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sroi.distributions import Beta, Discrete, LogNormal, Normal, Pert, Uniform
from sroi.exceptions import SROIError
from sroi.updating import (
    Observation,
    as_beta,
    beta_binomial,
    effective_sample_size,
    fit_posterior,
    importance_weights,
    log_likelihood,
    lognormal_update,
    normal_normal,
    weighted_quantile,
    weighted_rank_correlation,
)


def test_beta_binomial_adds_successes_and_failures():
    post = beta_binomial(Beta(2, 8), [30, 5], [100, 10])
    assert (post.alpha, post.beta) == (37.0, 83.0)


def test_beta_binomial_refuses_impossible_counts():
    with pytest.raises(SROIError, match="successes"):
        beta_binomial(Beta(1, 1), 11, 10)
    with pytest.raises(SROIError, match="on \\[0, 1\\]"):
        beta_binomial(Beta(1, 1, low=0.2, high=0.9), 1, 10)


@pytest.mark.parametrize(
    ("prior", "expected"),
    [
        (Uniform(0.0, 1.0), (1.0, 1.0)),
        (Pert(0.0, 0.25, 1.0), (2.0, 4.0)),
        (Beta(3, 5), (3.0, 5.0)),
    ],
)
def test_as_beta_recognises_betas_on_the_unit_interval(prior, expected):
    b = as_beta(prior)
    assert (b.alpha, b.beta) == expected
    u = np.linspace(0.01, 0.99, 9)
    # same quantile function: the PERT on [0, 1] is exactly this beta
    np.testing.assert_allclose(b.ppf(u), prior.ppf(u), rtol=1e-12)


@pytest.mark.parametrize(
    "prior", [Uniform(0.2, 0.6), Pert(0.1, 0.3, 0.6), Normal(0.3, 0.1), Beta(2, 2, low=0.1, high=0.9)]
)
def test_as_beta_is_none_for_other_forms(prior):
    assert as_beta(prior) is None


def test_normal_normal_known_answer():
    # precision 1/4 + 2/1 = 2.25; mean (10/4 + (12 + 13)/1) / 2.25
    post = normal_normal(Normal(10.0, 2.0), [12.0, 13.0], 1.0)
    assert post.mean_ == pytest.approx((10 / 4 + 25) / 2.25, rel=1e-12)
    assert post.sd == pytest.approx(math.sqrt(1 / 2.25), rel=1e-12)


def test_lognormal_update_is_normal_normal_on_logs():
    prior = LogNormal(100.0, 2.0)
    post = lognormal_update(prior, [150.0, 120.0], 0.2)
    ref = normal_normal(Normal(math.log(100.0), math.log(2.0)), np.log([150.0, 120.0]), 0.2)
    assert math.log(post.median) == pytest.approx(ref.mean_, rel=1e-12)
    assert math.log(post.gsd) == pytest.approx(ref.sd, rel=1e-12)


def test_importance_reweighting_reproduces_the_conjugate_posterior():
    """Prior draws of Beta(2, 8) weighted by a binomial likelihood give Beta(32, 78)."""
    prior = Beta(2, 8)
    draws = prior.sample(200_000, seed=1)
    w = importance_weights(log_likelihood(draws, [Observation(0.3, "binomial", 100)]))
    post = fit_posterior(prior, draws, w)
    exact = stats.beta(32, 78)
    # 200,000 prior draws, effective sample about 30,000: moments to about 1%
    assert post.mean() == pytest.approx(exact.mean(), rel=0.01)
    assert post.quantile(0.9) - post.quantile(0.1) == pytest.approx(exact.ppf(0.9) - exact.ppf(0.1), rel=0.03)
    assert 10_000 < effective_sample_size(w) < 200_000


def test_fit_posterior_of_a_discrete_prior_is_exact():
    prior = Discrete((2, 3, 4), (0.25, 0.5, 0.25))
    draws = np.array([2.0, 3.0, 3.0, 4.0])
    w = np.array([0.1, 0.2, 0.3, 0.4])
    post = fit_posterior(prior, draws, w)
    assert post.values == (2.0, 3.0, 4.0)
    np.testing.assert_allclose(post.weights, [0.1, 0.5, 0.4])


def test_fit_posterior_keeps_the_prior_range_and_unit():
    from sroi.units import ureg

    prior = Pert(2.0, 5.0, 12.0, unit=ureg.Unit("hour/person/year"))
    draws = prior.sample(50_000, seed=2)
    w = importance_weights(log_likelihood(draws, [Observation(4.0, "relative", 0.1)]))
    post = fit_posterior(prior, draws, w)
    assert post.support() == (2.0, 12.0)
    assert post.unit == prior.unit
    # the fitted beta matches the weighted draws' median to a few percent (a fit, not exact)
    assert post.quantile(0.5) == pytest.approx(float(weighted_quantile(draws, w, 0.5)[0]), rel=0.03)


def test_fit_posterior_lognormal_for_positive_unbounded_priors():
    prior = LogNormal(77.0, 3.0)
    draws = prior.sample(50_000, seed=3)
    w = np.full(draws.size, 1 / draws.size)
    post = fit_posterior(prior, draws, w)
    assert isinstance(post, LogNormal)
    assert post.median == pytest.approx(77.0, rel=0.02)  # sampling error of 50,000 draws


def test_weighted_helpers():
    assert effective_sample_size(np.full(10, 0.1)) == pytest.approx(10.0)
    x = np.arange(100.0)
    assert weighted_rank_correlation(x, x**3, np.full(100, 0.01)) == pytest.approx(1.0)
    assert weighted_quantile(x, np.full(100, 0.01), 0.5)[0] == pytest.approx(49.5)


@given(st.floats(0.01, 0.99), st.integers(1, 500))
def test_binomial_likelihood_peaks_at_the_observed_share(share, n):
    grid = np.linspace(0.001, 0.999, 999)
    ll = log_likelihood(grid, [Observation(share, "binomial", n)])
    assert abs(grid[np.argmax(ll)] - share) <= 0.0011


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"value": 1.2, "error": "binomial", "size": 10}, "share"),
        ({"value": -1.0, "error": "relative", "size": 0.1}, "value > 0"),
        ({"value": 0.5, "error": "binomial", "size": 0}, "size > 0"),
        ({"value": 0.5, "error": "poisson", "size": 1}, "expected one of"),
    ],
)
def test_observation_errors(kwargs, match):
    with pytest.raises(SROIError, match=match):
        Observation(**kwargs)


def test_impossible_data_are_an_error():
    with pytest.raises(SROIError, match="impossible"):
        importance_weights(np.full(5, -np.inf))
