"""Evidence from data: incidence, deadweight, attribution and drop-off estimated from surveys.

The estimators (:mod:`sroi.evidence.estimators`) fit statsmodels models to a pandas DataFrame
and return an :class:`Estimate` (:mod:`sroi.evidence.estimates`) whose uncertainty becomes a
distribution in an analysis; :mod:`sroi.evidence.data` reads and checks the survey columns.
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
from sroi.evidence.estimators import attribution, deadweight, diff_in_diff, drop_off, incidence

__all__ = [
    "MIN_OBSERVATIONS",
    "MIN_PER_GROUP",
    "SCALES",
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
    "save_estimates",
]
