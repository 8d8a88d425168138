"""Tests of sroi.global_sensitivity's Saltelli design (built here, analysed by SALib) and of
the default subsample of delta indices. Known-answer tests on SROI models are in
tests/test_sensitivity.py."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import sroi
from sroi import global_sensitivity
from sroi.distributions import make_rng
from sroi.exceptions import SROIWarning
from sroi.global_sensitivity import _saltelli_design

Q = sroi.ureg

# Ishigami function, f = sin x1 + a sin^2 x2 + b x3^4 sin x1 with x_i ~ U(-pi, pi): the
# analytic indices (Ishigami & Homma 1990; SALib's test_functions.Ishigami, Saltelli et al.
# 2008, Global Sensitivity Analysis: The Primer, §4.6).
A, B = 7.0, 0.1
_V = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
ISHIGAMI_S1 = np.array([0.5 * (1 + B * np.pi**4 / 5) ** 2, A**2 / 8, 0.0]) / _V
ISHIGAMI_ST = (
    np.array(
        [0.5 * (1 + B * np.pi**4 / 5) ** 2 + 8 * B**2 * np.pi**8 / 225, A**2 / 8, 8 * B**2 * np.pi**8 / 225]
    )
    / _V
)
PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * 3}


def ishigami(u: np.ndarray) -> np.ndarray:
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def our_design(n: int, d: int, second_order: bool, seed: int) -> np.ndarray:
    from scipy.stats import qmc

    base = qmc.Sobol(d=2 * d, scramble=True, rng=make_rng(seed)).random(n)
    return _saltelli_design(base, second_order)


def salib_design(n: int, d: int, second_order: bool, seed: int) -> np.ndarray:
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    return sobol_sample.sample(problem, n, calc_second_order=second_order, seed=make_rng(seed))


@pytest.mark.parametrize(
    ("n", "d", "second_order"), [(8, 1, False), (64, 3, False), (64, 5, True), (256, 12, True)]
)
def test_saltelli_design_is_salibs_point_for_point(n, d, second_order):
    # the same base sequence (scipy's scrambled Sobol drawn from the same generator), the same
    # layout: the designs are equal exactly
    np.testing.assert_array_equal(our_design(n, d, second_order, 7), salib_design(n, d, second_order, 7))


def test_sobol_indices_of_ishigami_against_analytic_values():
    from SALib.analyze import sobol as sobol_analyze

    n = 8192
    y = ishigami(our_design(n, 3, False, 0))
    res = sobol_analyze.analyze(PROBLEM, y, calc_second_order=False, seed=1)
    # 0.02: the Monte Carlo error of Saltelli's estimators at N = 8192 (SALib's bootstrap
    # half-widths are 0.01-0.03 here; seeds 0-3 give errors up to 0.012)
    np.testing.assert_allclose(res["S1"], ISHIGAMI_S1, atol=0.02)
    np.testing.assert_allclose(res["ST"], ISHIGAMI_ST, atol=0.02)
    assert np.all(np.abs(res["S1"] - ISHIGAMI_S1) <= 2 * res["S1_conf"])  # within the 95% intervals, twice
    assert np.all(np.abs(res["ST"] - ISHIGAMI_ST) <= 2 * res["ST_conf"])


@pytest.mark.parametrize("second_order", [False, True])
def test_sobol_indices_of_ishigami_equal_salibs_own_sample_and_analyze(second_order):
    from SALib.analyze import sobol as sobol_analyze

    n = 1024
    ours = sobol_analyze.analyze(
        PROBLEM, ishigami(our_design(n, 3, second_order, 5)), calc_second_order=second_order, seed=2
    )
    theirs = sobol_analyze.analyze(
        PROBLEM, ishigami(salib_design(n, 3, second_order, 5)), calc_second_order=second_order, seed=2
    )
    for name in ("S1", "S1_conf", "ST", "ST_conf", *(("S2", "S2_conf") if second_order else ())):
        np.testing.assert_array_equal(ours[name], theirs[name])  # the same design: the same numbers


def linear_model():
    outcomes = [
        sroi.Outcome("A", "a", quantity=sroi.Uniform(0, 10, unit=Q.person), proxy="1 GBP/person"),
        sroi.Outcome(
            "B",
            "b",
            quantity=sroi.Uniform(0, 10, unit=Q.person),
            proxy="2 GBP/person",
            deadweight=sroi.Triangular(0.0, 0.1, 0.4),
            drop_off=sroi.Uniform(0.0, 0.5),
            duration=3,
        ),
    ]
    return sroi.Analysis(
        name="Linear", currency="GBP", outcomes=outcomes, inputs=[sroi.Input("Funder", "Grant", "100 GBP")]
    )


def test_sobol_equals_salibs_sampler_with_one_engine_call():
    """sobol() against the way it was written before: SALib's sampler on the same generator,
    each estimate's own ppf, one engine call, the bootstrap seeded from the same generator."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    a = linear_model()
    got = global_sensitivity.sobol(a, n=256, seed=9).set_index("key")
    unc = a.compiled.uncertain()
    problem = {"num_vars": len(unc), "names": [s.key for s in unc], "bounds": [[0.0, 1.0]] * len(unc)}
    rng = make_rng(9)
    u = np.clip(sobol_sample.sample(problem, 256, calc_second_order=False, seed=rng), 1e-12, 1 - 1e-12)
    y = a.compiled.run({s.key: s.distribution.ppf(u[:, j]) for j, s in enumerate(unc)}).ratio
    ref = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=int(rng.integers(1, 2**31 - 1)))
    for col in ("S1", "S1_conf", "ST", "ST_conf"):
        # 1e-12: triangular and uniform quantiles computed family by family (the same formulas)
        np.testing.assert_allclose(got.loc[problem["names"], col], ref[col], rtol=1e-12, atol=1e-14)


def test_sobol_does_not_depend_on_the_design_block(monkeypatch):
    a = linear_model()
    whole = global_sensitivity.sobol(a, n=128, seed=4, calc_second_order=True)
    monkeypatch.setattr(global_sensitivity, "_DESIGN_BLOCK", 50)  # a few base rows per block
    blocked = global_sensitivity.sobol(a, n=128, seed=4, calc_second_order=True)
    pd.testing.assert_frame_equal(whole, blocked)
    pd.testing.assert_frame_equal(whole.attrs["S2"], blocked.attrs["S2"])


# -- delta indices ----------------------------------------------------------------------------
def draws_and_output(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    draws = pd.DataFrame({"big": rng.random(n), "small": rng.random(n)})
    return draws, 3 * draws["big"].to_numpy() + 0.5 * draws["small"].to_numpy() + 0.1 * rng.random(n)


def test_delta_indices_default_is_the_documented_subsample():
    import inspect

    default = inspect.signature(global_sensitivity.delta_indices).parameters["max_draws"].default
    assert default == global_sensitivity.DELTA_DRAWS == 5000  # stated in the docstring


def test_delta_indices_use_a_subsample_of_max_draws():
    draws, y = draws_and_output(1200)
    df = global_sensitivity.delta_indices(draws, y, seed=1, num_resamples=2, max_draws=400)
    assert df.attrs["n_used"] == 400
    assert df["key"].iloc[0] == "big"
    again = global_sensitivity.delta_indices(draws, y, seed=1, num_resamples=2, max_draws=400)
    pd.testing.assert_frame_equal(df, again)  # the resamples are seeded


def test_delta_indices_use_every_draw_below_the_default_size():
    draws, y = draws_and_output(300)
    df = global_sensitivity.delta_indices(draws, y, seed=1, num_resamples=2)
    assert df.attrs["n_used"] == 300


def test_delta_indices_warn_when_asked_for_more_than_the_default(monkeypatch):
    monkeypatch.setattr(global_sensitivity, "DELTA_DRAWS", 200)  # small, to keep the test quick
    draws, y = draws_and_output(300)
    with pytest.warns(SROIWarning, match="slow"):
        df = global_sensitivity.delta_indices(draws, y, seed=1, num_resamples=2, max_draws=None)
    assert df.attrs["n_used"] == 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small = global_sensitivity.delta_indices(draws, y, seed=1, num_resamples=2, max_draws=150)
    assert small.attrs["n_used"] == 150
