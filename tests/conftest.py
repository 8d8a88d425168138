"""Shared fixtures: small analyses built in Python."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

import sroi

matplotlib.use("Agg")

#: The raw public data files, beside the repository (tests that read them skip without it).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
os.environ.setdefault("SROI_NO_PROGRESS", "1")

# Default: derandomized, so `make test` is reproducible (the same examples every run).
# HYPOTHESIS_PROFILE=explore draws new random examples to look for new failures.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("explore", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def make_analysis(**overrides):
    """One outcome: 10 person x 10 GBP/person = impact 100 a year; inputs 100 GBP."""
    outcome_kw = {
        "stakeholder": "Older people",
        "outcome": "Less isolated",
        "quantity": "10 person",
        "proxy": "10 GBP/person",
        "duration": 3,
    }
    analysis_kw = {"name": "Test", "currency": "GBP", "discount_rate": 0.035}
    for k, v in overrides.items():
        if k in (
            "name",
            "currency",
            "discount_rate",
            "discount_timing",
            "drop_off_from_year",
            "price_year",
            "parameters",
            "correlations",
            "inputs",
        ):
            analysis_kw[k] = v
        else:
            outcome_kw[k] = v
    inputs = analysis_kw.pop("inputs", None) or [sroi.Input("Funder", "Grant", "100 GBP")]
    return sroi.Analysis(outcomes=[sroi.Outcome(**outcome_kw)], inputs=inputs, **analysis_kw)


@pytest.fixture
def simple():
    return make_analysis()
