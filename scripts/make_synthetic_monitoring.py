"""Make the SYNTHETIC monitoring data of the Elderly Mode indicator system (two periods).

THE DATA ARE SYNTHETIC. They are drawn from the documented true values below with a fixed seed;
they exist to demonstrate and test ``sroi.monitoring`` (forecast against actual, Bayesian
updating, the evaluative re-run, disclosure) and are never evidence about Elderly Mode or any
real programme. The true values lie inside the ranges of the model's assumptions
(``datasets/elderly_mode/README.md``) for realism only; some are set below the forecast's central
value on purpose, so that the demonstration shows indicators at risk or off track.

Usage::

    .venv/bin/python scripts/make_synthetic_monitoring.py [--out OUT_DIR] [--seed SEED]

Writes to ``OUT_DIR`` (default ``datasets/elderly_mode``):

- ``SYNTHETIC_elderly_mode_monitoring.csv``: the tidy monitoring table read by
  ``sroi.monitoring.read_actuals`` (``indicator, period, value, unit, n, source, note``);
- ``SYNTHETIC_elderly_mode_monitoring_truth.json``: the true values, sample sizes and seed.

Measurement model: a survey share is Binomial(n, true) / n; the quarterly count of active older
users is the true count x exp(N(0, 0.05)) (telemetry error, the indicator's stated relative
error); self-reported hours are the true hours x exp(N(0, 0.15)). The output is deterministic for a
given seed and numpy version.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SEED", "TRUE", "main", "make_monitoring"]

SEED = 20250601
"""Seed of the one ``numpy.random.SeedSequence`` from which every observation is drawn."""

#: Devices with Elderly Mode (the model's `devices`, from the case study).
DEVICES = 120_000_000

#: True values (SYNTHETIC): shares are fractions; the reach follows from the first three.
TRUE: dict[str, Any] = {
    "in_use_in_china_share": 0.60,  # model A1: uniform 0.24-1.0
    "older_users_per_device": 0.12,  # model A2: PERT 0.06-0.13-0.20 person/device
    "active_share": 0.12,  # model A3: PERT 0.05-0.144-0.40 (below its mode: at risk)
    "independent_use_incidence": 0.12,  # A4: PERT 0.05-0.15-0.30
    "time_saved_hours": 4.0,  # time_saved hours: PERT 1-5-12 hour/person/year
    "family_help_share": 0.50,  # A6: PERT 0.30-0.55-0.90
    "family_hours_saved": 5.0,  # family_time hours: PERT 2-6-15 hour/person/year
    "channel_shift_share": 0.12,  # A14: PERT 0.1-0.2-0.4 (low: off track)
    "online_follow_up_share": 0.06,  # A17: PERT 0.02-0.05-0.15
    "counterfactual_independence": 0.55,  # deadweight_independence, A23: PERT 0.3-0.5-0.7
    "fraud_losses_share": 0.008,  # A20: PERT 0.001-0.005-0.03 (a disbenefit)
    "less_family_contact": 0.07,  # not valued by the model (negative_outcomes_considered)
}

#: Survey sample sizes per period (SYNTHETIC design).
SAMPLE_SIZE = {
    "active_share": 1500,
    "independent_use_incidence": 1200,
    "family_help_share": 600,
    "channel_shift_share": 1200,
    "online_follow_up_share": 1200,
    "counterfactual_independence": 800,
    "fraud_losses_share": 1200,
    "less_family_contact": 600,
}

#: Self-reported hours (true value x exp(N(0, HOURS_ERROR))).
HOURS = ("time_saved_hours", "family_hours_saved")

TELEMETRY_ERROR = 0.05  # relative error of the quarterly count of active older users
HOURS_ERROR = 0.15  # relative error of self-reported hours saved
PERIODS = (1, 2)
_NOTE = "SYNTHETIC: made by scripts/make_synthetic_monitoring.py, never evidence"


def make_monitoring(seed: int = SEED) -> pd.DataFrame:
    """The SYNTHETIC monitoring table for periods 1 and 2."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    rows = []
    reach = DEVICES * TRUE["in_use_in_china_share"] * TRUE["older_users_per_device"] * TRUE["active_share"]
    for period in PERIODS:
        for q in range(1, 5):
            value = reach * float(np.exp(rng.normal(0.0, TELEMETRY_ERROR)))
            rows.append(
                {
                    "indicator": "active_older_users",
                    "period": f"{period}-Q{q}",
                    "value": round(value),
                    "unit": "person",
                    "n": "",
                    "source": "SYNTHETIC telemetry",
                    "note": _NOTE,
                }
            )
        for ind in HOURS:
            hours = TRUE[ind] * float(np.exp(rng.normal(0.0, HOURS_ERROR)))
            rows.append(
                {
                    "indicator": ind,
                    "period": str(period),
                    "value": round(hours, 2),
                    "unit": "hour/person/year",
                    "n": "",
                    "source": "SYNTHETIC survey",
                    "note": _NOTE,
                }
            )
        for ind, n in SAMPLE_SIZE.items():
            k = int(rng.binomial(n, TRUE[ind]))
            rows.append(
                {
                    "indicator": ind,
                    "period": str(period),
                    "value": round(100 * k / n, 2),
                    "unit": "%",
                    "n": n,
                    "source": "SYNTHETIC survey",
                    "note": _NOTE,
                }
            )
    return pd.DataFrame(rows, columns=["indicator", "period", "value", "unit", "n", "source", "note"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = Path(__file__).resolve().parents[1] / "datasets" / "elderly_mode"
    parser.add_argument("--out", type=Path, default=here)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    table = make_monitoring(args.seed)
    table.to_csv(args.out / "SYNTHETIC_elderly_mode_monitoring.csv", index=False, lineterminator="\n")
    truth = {
        "note": "SYNTHETIC true values of scripts/make_synthetic_monitoring.py; never evidence",
        "seed": args.seed,
        "devices": DEVICES,
        "true": TRUE,
        "active_older_users": DEVICES
        * TRUE["in_use_in_china_share"]
        * TRUE["older_users_per_device"]
        * TRUE["active_share"],
        "sample_size": SAMPLE_SIZE,
        "telemetry_relative_error": TELEMETRY_ERROR,
        "hours_relative_error": HOURS_ERROR,
    }
    (args.out / "SYNTHETIC_elderly_mode_monitoring_truth.json").write_text(
        json.dumps(truth, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(table)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
