"""What-ifs on correlated estimates (#17): fixing one drops its correlations, with a note."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sroi
from sroi.datasets import dataset_path
from sroi.exceptions import SROIError, SROIWarning
from sroi.sampling import correlation_matrices, split_fixed_correlations


@pytest.fixture(scope="module")
def elderly():
    return sroi.load(dataset_path("elderly_mode", "elderly_mode.yaml"))


def test_fixing_a_correlated_parameter_drops_its_correlations_with_a_note(elderly):
    assert any("active_share" in c[:2] for c in elderly.correlations)
    with pytest.warns(SROIWarning, match=r"'active_share' fixed to one value.*active_share, 0\.47") as record:
        b = elderly.replace(parameters={**elderly.parameters, "active_share": 0.3})
    assert len(record) == 1
    assert b.parameters["active_share"] == 0.3
    dropped = [c for c in elderly.correlations if "active_share" in c[:2]]
    assert len(dropped) == 2
    assert b.correlations == tuple(c for c in elderly.correlations if c not in dropped)
    assert len(b.notes) == 1 and "older_users_setup_time, active_share, 0.47" in b.notes[0]
    # the what-if evaluates and simulates; the note stays with further changes
    assert np.isfinite(b.evaluate().ratio)
    assert b.simulate(n=200, seed=1).ratio.shape == (200,)
    assert b.replace(name="again").notes == b.notes
    assert elderly.notes == ()


def test_explicit_correlations_are_the_users_choice(elderly):
    with pytest.raises(SROIError, match="has no distribution, so it cannot be correlated"):
        elderly.replace(
            parameters={**elderly.parameters, "active_share": 0.3}, correlations=elderly.correlations
        )


def test_an_unrelated_error_is_not_hidden(elderly):
    with pytest.raises(SROIError, match="discount_rate"):
        elderly.replace(discount_rate=-3)


def test_a_replace_without_fixed_values_gives_no_note(elderly):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = elderly.replace(parameters={**elderly.parameters, "active_share": sroi.Uniform(0.1, 0.3)})
    assert b.notes == () and b.correlations == elderly.correlations


_NAMES = ("q", "dw", "att", "drop")


def _analysis(correlations):
    u = sroi.Uniform
    return sroi.Analysis(
        "t",
        "GBP",
        inputs=[sroi.Input("f", "grant", "1000 GBP")],
        parameters={
            "q": u(8, 12, unit=sroi.ureg.person),
            "dw": u(0.1, 0.3),
            "att": u(0.1, 0.3),
            "drop": u(0.1, 0.3),
        },
        outcomes=[
            sroi.Outcome(
                "s",
                "o",
                quantity=sroi.Ref("q"),
                proxy="500 GBP/person",
                deadweight=sroi.Ref("dw"),
                attribution=sroi.Ref("att"),
                drop_off=sroi.Ref("drop"),
                duration=3,
            )
        ],
        correlations=correlations,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    vectors=st.lists(
        st.lists(st.floats(-1, 1, allow_nan=False), min_size=5, max_size=5), min_size=4, max_size=4
    ),
    fixed=st.sets(st.sampled_from(_NAMES), min_size=1, max_size=3),
)
def test_the_reduced_matrix_is_valid_when_the_original_is(vectors, fixed):
    v = np.asarray(vectors)
    norms = np.linalg.norm(v, axis=1)
    assume(np.all(norms > 0.1))
    # a correlation matrix (positive semi-definite), moved a little towards the identity so that
    # rounding rho to 2 decimals keeps it valid
    r = 0.9 * (v @ v.T) / np.outer(norms, norms) + 0.1 * np.eye(4)
    correlations = [
        (_NAMES[i], _NAMES[j], round(float(r[i, j]), 2)) for i in range(4) for j in range(i + 1, 4)
    ]
    try:
        a = _analysis(correlations)
    except SROIError:
        assume(False)  # rounding broke the original matrix: nothing to reduce
    central = {"q": "10 person", "dw": 0.2, "att": 0.2, "drop": 0.2}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SROIWarning)
        b = a.replace(parameters={**a.parameters, **{k: central[k] for k in fixed}})
    assert all(not set(c[:2]) & fixed for c in b.correlations)
    assert len(b.correlations) == sum(1 for c in correlations if not set(c[:2]) & fixed)
    keys, spearman, normal = correlation_matrices(b.compiled.slots, b.active_correlations)
    for m in (spearman, normal):
        if len(keys):
            assert np.linalg.eigvalsh(m)[0] >= -1e-10
    kept, dropped = split_fixed_correlations(b.compiled.slots, correlations)
    assert set(kept) == set(b.correlations) and len(dropped) == len(correlations) - len(kept)
