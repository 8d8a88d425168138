"""Make the SYNTHETIC Elderly Mode survey data sets used to demonstrate and test ``sroi.evidence``.

THE DATA ARE SYNTHETIC. They are drawn from the documented true parameters below with a fixed
seed; they exist to demonstrate and test the estimators and are never evidence about Elderly
Mode or any real programme. The true values are anchored on published figures
(``/work/shared/reference/elderly_mode_sources.md``) for realism only.

Usage::

    .venv/bin/python scripts/make_synthetic_survey.py [--out OUT_DIR] [--seed SEED]

Writes to ``OUT_DIR`` (default ``datasets/elderly_mode`` beside this script's repository):

- ``SYNTHETIC_elderly_mode_survey.csv``: a cross-sectional survey of Elderly Mode users and a
  comparison group (incidence, deadweight, attribution);
- ``SYNTHETIC_elderly_mode_followup.csv``: a follow-up panel of users (drop-off);
- ``SYNTHETIC_elderly_mode_before_after.csv``: a before/after panel of users and comparison
  units (difference in differences);
- ``SYNTHETIC_elderly_mode_true_parameters.json``: the true parameters and the seed.

The output is deterministic for a given seed and numpy version.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = ["SEED", "TRUE", "calibrate", "main", "make_before_after", "make_followup", "make_survey"]

SEED = 20240501
"""Seed of the one ``numpy.random.SeedSequence`` from which every data set is drawn."""

#: True parameters (fractions; drop-off per year). Anchors, for realism only:
#: incidence 0.70 ~ CNNIC 49th report, 69.7% of 60+ users can show a health code on their own;
#: deadweight 0.40 ~ 39% (Cebr 2015) to 48% (Cebr 2022) would get online without help;
#: attribution 0.35 = the Elderly Mode model file's central value (family help, app-level elder
#: modes, 173-217 MIIT age-friendly apps); drop-off 0.22 ~ 78% still online after three months
#: (Just Economics for BT 2014), the model file's central value.
TRUE: dict[str, Any] = {
    # cross-sectional survey
    "n_participants": 1200,
    "n_comparison": 800,
    "incidence": 0.70,  # P(outcome) among Elderly Mode users (population of users)
    "deadweight": 0.40,  # E_users[P(outcome | comparison, X)] / E_users[P(outcome | user, X)]
    "beta_age_per_decade": -0.5,  # logit coefficient of (age - 70) / 10
    "beta_urban": 0.4,
    "beta_prior_smartphone": 1.0,
    "attribution": 0.35,  # 1 - mean answer to "how much of this change is due to Elderly Mode?"
    "answer_concentration": 6.0,  # Beta(a, b) answers with a + b = 6, rounded to steps of 0.1
    # follow-up panel (drop-off)
    "n_followup_units": 500,
    "followup_years": [0.25, 1.0, 2.0, 3.0],
    "p0": 0.82,  # P(outcome) at t = 0 (years since switching the mode on)
    "drop_off": 0.22,  # P(outcome | t) = p0 (1 - drop_off) ** t
    "p0_concentration": 10.0,  # unit-level p0_i ~ Beta with mean p0 (within-unit correlation)
    "attrition_per_wave": 0.05,  # missing completely at random
    # before/after panel (difference in differences)
    "n_did_units_per_group": 400,
    "did_years": [2023, 2024],
    "did_participants_before": 0.30,
    "did_participants_after": 0.60,
    "did_comparison_before": 0.35,
    "did_comparison_after": 0.47,
    "did_stay": 0.90,  # P(outcome after | outcome before), both groups
}
#: DiD effect (percentage points as a fraction) and implied deadweight.
TRUE["did_effect"] = (TRUE["did_participants_after"] - TRUE["did_participants_before"]) - (
    TRUE["did_comparison_after"] - TRUE["did_comparison_before"]
)
TRUE["did_deadweight"] = (TRUE["did_comparison_after"] - TRUE["did_comparison_before"]) / (
    TRUE["did_participants_after"] - TRUE["did_participants_before"]
)

_COVARIATES = {
    # group: (mean age, sd age, P(urban), P(prior smartphone use))
    "participants": (71.0, 7.0, 0.55, 0.45),
    "comparison": (68.0, 6.0, 0.65, 0.60),
}


def _covariates(rng: np.random.Generator, n: int, group: str) -> pd.DataFrame:
    mean, sd, p_urban, p_prior = _COVARIATES[group]
    age = np.clip(np.rint(rng.normal(mean, sd, n)), 60, 95).astype(int)
    urban = (rng.random(n) < p_urban).astype(int)
    prior = (rng.random(n) < p_prior).astype(int)
    return pd.DataFrame({"age": age, "urban": urban, "prior_smartphone": prior})


def _linear(x: pd.DataFrame) -> np.ndarray:
    t = TRUE
    return np.asarray(
        t["beta_age_per_decade"] * (x["age"] - 70) / 10
        + t["beta_urban"] * x["urban"]
        + t["beta_prior_smartphone"] * x["prior_smartphone"],
        dtype=float,
    )


def calibrate(seed: int = SEED, n: int = 2_000_000) -> dict[str, float]:
    """Intercepts that give the true incidence and deadweight over the users' covariates.

    Solves E_users[expit(a + b + x'c)] = incidence and E_users[expit(a + x'c)] =
    deadweight * incidence over ``n`` draws of the users' covariates (Monte Carlo error about
    2e-4), and the Beta mean of the attribution answers whose rounded mean is 1 - attribution.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    lin = _linear(_covariates(rng, n, "participants"))
    target0 = TRUE["deadweight"] * TRUE["incidence"]
    a = optimize.brentq(lambda a: float(special.expit(a + lin).mean()) - target0, -10, 10, xtol=1e-12)
    ab = optimize.brentq(
        lambda s: float(special.expit(s + lin).mean()) - TRUE["incidence"], -10, 10, xtol=1e-12
    )
    conc = TRUE["answer_concentration"]
    edges = np.r_[0.0, np.arange(1, 20, 2) / 20, 1.0]  # answers k/10 for x in [k/10 -+ 0.05)
    values = np.arange(11) / 10

    def rounded_mean(m: float) -> float:
        cdf = stats.beta.cdf(edges, m * conc, (1 - m) * conc)
        return float(np.dot(values, np.diff(cdf)))

    target = 1 - TRUE["attribution"]
    m = optimize.brentq(lambda m: rounded_mean(m) - target, 0.05, 0.95, xtol=1e-12)
    return {"intercept": a, "beta_participant": ab - a, "answer_beta_mean": m}


def make_survey(rng: np.random.Generator, cal: dict[str, float]) -> pd.DataFrame:
    """Cross-sectional survey: Elderly Mode users and a comparison group."""
    t = TRUE
    parts = []
    for group, n, flag in (
        ("participants", t["n_participants"], 1),
        ("comparison", t["n_comparison"], 0),
    ):
        x = _covariates(rng, n, group)
        x.insert(0, "elderly_mode_user", flag)
        eta = cal["intercept"] + cal["beta_participant"] * flag + _linear(x)
        x["online_independently"] = (rng.random(n) < special.expit(eta)).astype(int)
        parts.append(x)
    df = pd.concat(parts, ignore_index=True)
    # design weights independent of every variable (e.g. unequal household selection)
    w = rng.lognormal(0.0, 0.4, len(df))
    df["weight"] = np.round(w / w.mean(), 4)
    # attribution question, asked of users who report the outcome
    m, conc = cal["answer_beta_mean"], t["answer_concentration"]
    raw = rng.beta(m * conc, (1 - m) * conc, len(df))
    asked = (df["elderly_mode_user"] == 1) & (df["online_independently"] == 1)
    df["share_due_to_mode"] = np.where(asked, np.round(raw, 1), np.nan)
    df.insert(0, "respondent_id", np.arange(1, len(df) + 1))
    return df


def make_followup(rng: np.random.Generator) -> pd.DataFrame:
    """Follow-up panel of users: P(outcome | t) = p0 (1 - drop_off) ** t."""
    t = TRUE
    n = t["n_followup_units"]
    conc = t["p0_concentration"]
    p0_i = rng.beta(t["p0"] * conc, (1 - t["p0"]) * conc, n)
    x = _covariates(rng, n, "participants")
    rows = []
    present = np.ones(n, dtype=bool)
    for k, years in enumerate(t["followup_years"]):
        if k > 0:
            present &= rng.random(n) >= t["attrition_per_wave"]
        y = (rng.random(n) < p0_i * (1 - t["drop_off"]) ** years).astype(int)
        wave = pd.DataFrame(
            {
                "unit_id": np.arange(1, n + 1),
                "years_since_start": years,
                "age": x["age"],
                "urban": x["urban"],
                "online_independently": y,
            }
        )
        rows.append(wave[present])
    return pd.concat(rows, ignore_index=True).sort_values(["unit_id", "years_since_start"], kind="stable")


def make_before_after(rng: np.random.Generator) -> pd.DataFrame:
    """Before/after panel of users and comparison units (two periods)."""
    t = TRUE
    n = t["n_did_units_per_group"]
    before_year, after_year = t["did_years"]
    s = t["did_stay"]
    parts = []
    for flag, group, b, a in (
        (1, "participants", t["did_participants_before"], t["did_participants_after"]),
        (0, "comparison", t["did_comparison_before"], t["did_comparison_after"]),
    ):
        q = (a - b * s) / (1 - b)  # P(outcome after | none before), keeps the marginal rate a
        x = _covariates(rng, n, group)
        y0 = (rng.random(n) < b).astype(int)
        y1 = np.where(y0 == 1, rng.random(n) < s, rng.random(n) < q).astype(int)
        ids = np.arange(1, n + 1) + (0 if flag == 1 else n)
        for year, y in ((before_year, y0), (after_year, y1)):
            parts.append(
                pd.DataFrame(
                    {
                        "unit_id": ids,
                        "elderly_mode_user": flag,
                        "year": year,
                        "age": x["age"],
                        "urban": x["urban"],
                        "online_payment": y,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True).sort_values(["unit_id", "year"], kind="stable")


def main(argv: list[str] | None = None) -> int:
    """Write the synthetic data sets and the true parameters; see the module docstring."""
    default_out = Path(__file__).resolve().parents[1] / "datasets" / "elderly_mode"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_out)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    cal = calibrate(args.seed)
    ss = np.random.SeedSequence(args.seed).spawn(4)[1:]
    survey = make_survey(np.random.default_rng(ss[0]), cal)
    followup = make_followup(np.random.default_rng(ss[1]))
    did = make_before_after(np.random.default_rng(ss[2]))
    survey.to_csv(out / "SYNTHETIC_elderly_mode_survey.csv", index=False, float_format="%.4g")
    followup.to_csv(out / "SYNTHETIC_elderly_mode_followup.csv", index=False, float_format="%.4g")
    did.to_csv(out / "SYNTHETIC_elderly_mode_before_after.csv", index=False)
    meta = {
        "SYNTHETIC": "made up by scripts/make_synthetic_survey.py; never evidence about any real programme",
        "seed": args.seed,
        "true": TRUE,
        "calibrated": {k: round(v, 6) for k, v in cal.items()},
    }
    (out / "SYNTHETIC_elderly_mode_true_parameters.json").write_text(
        json.dumps(meta, indent=2) + "\n", encoding="utf-8"
    )
    for name, df in (("survey", survey), ("followup", followup), ("before_after", did)):
        print(f"SYNTHETIC_elderly_mode_{name}.csv: {len(df)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
