"""Evidence from data: incidence, deadweight, attribution and drop-off estimated from surveys.

The estimators (:mod:`sroi.evidence.estimators` for shares and drop-off,
:mod:`sroi.evidence.comparison` for deadweight and difference in differences) fit statsmodels
models to a pandas DataFrame and return an :class:`Estimate` (:mod:`sroi.evidence.estimates`)
whose uncertainty becomes a distribution in an analysis. Each accepts a survey
:class:`Design` (:mod:`sroi.evidence.design`: weights, strata, clusters, fpc) and linearises
its variance for it; :mod:`sroi.evidence.intervals` holds the intervals for a share and
:mod:`sroi.evidence.data` reads and checks the survey columns.
Every name below is importable from ``sroi.evidence`` directly (docs/method.md §8).

Examples
--------
>>> import pandas as pd
>>> from sroi import evidence as ev
>>> from sroi.datasets import dataset_path
>>> df = pd.read_csv(dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_survey.csv"))
>>> round(ev.incidence(df[df.elderly_mode_user == 1], "online_independently").value, 2)
0.71
"""

from sroi.evidence.comparison import DEADWEIGHT_MODELS, deadweight, diff_in_diff
from sroi.evidence.design import MIN_CLUSTERS, MIN_EFFECTIVE_SIZE, Design, DesignData, resolve_design
from sroi.evidence.estimates import (
    MIN_OBSERVATIONS,
    MIN_PER_GROUP,
    SCALES,
    Estimate,
    EstimateSet,
    Transform,
    joint,
    load_correlations,
    load_estimates,
    normal_to_rank,
    rank_to_normal,
    save_estimates,
)
from sroi.evidence.estimators import attribution, drop_off, incidence
from sroi.evidence.intervals import MIN_EXPECTED_COUNT, SHARE_METHODS, share_interval

__all__ = [
    "DEADWEIGHT_MODELS",
    "MIN_CLUSTERS",
    "MIN_EFFECTIVE_SIZE",
    "MIN_EXPECTED_COUNT",
    "MIN_OBSERVATIONS",
    "MIN_PER_GROUP",
    "SCALES",
    "SHARE_METHODS",
    "Design",
    "DesignData",
    "Estimate",
    "EstimateSet",
    "Transform",
    "attribution",
    "deadweight",
    "diff_in_diff",
    "drop_off",
    "incidence",
    "joint",
    "load_correlations",
    "load_estimates",
    "normal_to_rank",
    "rank_to_normal",
    "resolve_design",
    "save_estimates",
    "share_interval",
]
