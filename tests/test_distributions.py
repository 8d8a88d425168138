"""Distributions: inverse CDFs against scipy, central values, supports and the model-file form."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import sroi
from sroi.distributions import distribution_from_dict

U = np.linspace(0.001, 0.999, 101)


@pytest.mark.parametrize(
    ("dist", "reference"),
    [
        (sroi.Uniform(2.0, 5.0), stats.uniform(2.0, 3.0)),
        (sroi.Triangular(1.0, 2.0, 6.0), stats.triang(0.2, loc=1.0, scale=5.0)),
        # PERT(a, m, b) is a Beta(1 + 4 (m - a) / (b - a), 1 + 4 (b - m) / (b - a)) on [a, b] (Vose 2008)
        (sroi.Pert(0.0, 0.25, 1.0), stats.beta(2.0, 4.0)),
        (sroi.Normal(10.0, 2.0), stats.norm(10.0, 2.0)),
        (sroi.LogNormal(median=100.0, gsd=1.5), stats.lognorm(np.log(1.5), scale=100.0)),
        (sroi.Beta(2.0, 5.0), stats.beta(2.0, 5.0)),
    ],
    ids=["uniform", "triangular", "pert", "normal", "lognormal", "beta"],
)
def test_ppf_matches_scipy(dist, reference):
    assert np.allclose(dist.ppf(U), reference.ppf(U), rtol=1e-10, atol=1e-12)  # same closed forms


@pytest.mark.parametrize(
    ("dist", "central"),
    [
        (sroi.Uniform(2.0, 5.0), 3.5),  # midpoint
        (sroi.Triangular(1.0, 2.0, 6.0), 2.0),  # mode
        (sroi.Pert(0.0, 0.25, 1.0), 0.25),  # mode
        (sroi.Normal(10.0, 2.0), 10.0),  # mean
        (sroi.LogNormal(median=100.0, gsd=1.5), 100.0),  # median
        (sroi.Beta(2.0, 6.0), 0.25),  # mean
        (sroi.Discrete((1.0, 2.0, 3.0), (1 / 3, 1 / 3, 1 / 3)), 2.0),  # middle of tied modes
    ],
)
def test_central_value_is_the_documented_point_estimate(dist, central):
    assert dist.central() == pytest.approx(central, rel=1e-12)


def test_lognormal_from_a_90_percent_interval():
    d = sroi.LogNormal.from_interval(6.0, 991.0)
    assert d.quantile(0.05) == pytest.approx(6.0, rel=1e-9)
    assert d.quantile(0.95) == pytest.approx(991.0, rel=1e-9)


def test_truncated_normal_stays_in_its_bounds():
    d = sroi.Normal(0.5, 0.5, low=0.0, high=1.0)
    x = d.ppf(U)
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert d.support() == (0.0, 1.0)


@pytest.mark.parametrize(
    "dist",
    [
        sroi.Uniform(0.1, 0.3),
        sroi.Pert(800, 1000, 1500, unit="person"),
        sroi.LogNormal(median=50.0, gsd=2.0, unit="GBP"),
        sroi.Discrete((2, 3, 4), (0.25, 0.5, 0.25)),
    ],
)
def test_model_file_form_round_trips(dist):
    back = distribution_from_dict(dist.to_dict(), "x")
    assert back == dist
    assert np.array_equal(back.ppf(U), dist.ppf(U))


def test_bad_parameters_name_the_field():
    with pytest.raises(sroi.SROIError, match=r"outcomes\[0\]\.deadweight"):
        distribution_from_dict({"distribution": "uniform", "low": 0.5, "high": 0.1}, "outcomes[0].deadweight")
    with pytest.raises(sroi.SROIError, match="unknown distribution|expected one of"):
        distribution_from_dict({"distribution": "cauchy", "loc": 0}, "x")
