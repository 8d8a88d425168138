"""Tests of sroi.evidence: estimators against known answers, the SYNTHETIC Elderly Mode data
(whose true parameters are known), interval coverage, the link to Analysis, storage, bad input."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

import sroi
from sroi import evidence as ev
from sroi.datasets import dataset_path
from sroi.exceptions import ConvergenceError, SROIError
from tests.conftest import make_analysis

ROOT = Path(__file__).resolve().parents[1]
COVARIATES = ["age", "urban", "prior_smartphone"]


def _synthetic(name: str) -> pd.DataFrame:
    return pd.read_csv(dataset_path("elderly_mode", f"SYNTHETIC_elderly_mode_{name}.csv"))


@pytest.fixture(scope="module")
def true() -> dict:
    meta = json.loads(dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_true_parameters.json").read_text())
    return meta["true"]


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return _synthetic("survey")


@pytest.fixture(scope="module")
def followup() -> pd.DataFrame:
    return _synthetic("followup")


@pytest.fixture(scope="module")
def before_after() -> pd.DataFrame:
    return _synthetic("before_after")


def _covers(e: ev.Estimate, value: float) -> bool:
    return e.ci_low <= value <= e.ci_high


def _tiny() -> pd.DataFrame:
    # participants 6/10 online, comparison 3/10: deadweight (3/10)/(6/10) = 0.5
    return pd.DataFrame({"user": [1] * 10 + [0] * 10, "online": [1] * 6 + [0] * 4 + [1] * 3 + [0] * 7})


# -- known answers -----------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["comparison", "pooled"])
def test_deadweight_tiny_table_matches_hand_computation(model):
    e = ev.deadweight(_tiny(), "online", "user", model=model)
    assert e.value == pytest.approx(0.3 / 0.6, rel=1e-9)
    # Katz et al. (1978) with the unbiased n - 1 of two independent samples (the groups are the
    # strata of the linearised variance): Var(log RR) = (1-p0)/((n0-1) p0) + (1-p1)/((n1-1) p1);
    # logit(D) = log D - log(1 - D), so se_logit = se_log / (1 - D)
    var_log = (1 - 0.3) / (9 * 0.3) + (1 - 0.6) / (9 * 0.6)
    assert e.transform.std_error == pytest.approx(math.sqrt(var_log) / (1 - 0.5), rel=1e-6)
    t = stats.t.ppf(0.975, 18)  # 20 rows in 2 strata: 18 degrees of freedom
    lg = special.logit(0.5)
    assert e.df == 18
    assert e.ci_low == pytest.approx(special.expit(lg - t * e.transform.std_error), rel=1e-9)
    assert e.ci_high == pytest.approx(special.expit(lg + t * e.transform.std_error), rel=1e-9)
    assert e.n == 20 and e.scale == "share" and e.name == "deadweight"


def test_deadweight_string_groups_and_treated_value():
    df = _tiny().assign(user=lambda d: np.where(d.user == 1, "mode", "no mode"))
    assert ev.deadweight(df, "online", "user", treated_value="mode").value == pytest.approx(0.5)


def test_incidence_unweighted_is_the_share_with_statsmodels_interval():
    from statsmodels.stats.proportion import proportion_confint

    df = pd.DataFrame({"online": [1] * 30 + [0] * 70})
    for method, sm_method in (("wilson", "wilson"), ("clopper-pearson", "beta")):
        e = ev.incidence(df, "online", method=method)
        lo, hi = proportion_confint(30, 100, alpha=0.05, method=sm_method)
        assert (e.value, e.ci_low, e.ci_high) == pytest.approx((0.3, lo, hi))
        assert e.std_error == pytest.approx(math.sqrt(0.3 * 0.7 / 100))


def test_incidence_weights_use_the_linearised_variance():
    # weights perfectly correlated with the outcome: every respondent online has weight 1, every
    # other weight 3, so p = 10 / 40. Influence values z_i = w_i (y_i - p) / sum(w) are +-0.75/40
    # for all 20 rows; V = n / (n - 1) sum z^2 (one stratum, rows as PSUs; Wolter 2007, §6.11)
    df = pd.DataFrame({"online": [1, 0] * 10, "w": [1.0, 3.0] * 10})
    e = ev.incidence(df, "online", weights="w")
    assert e.value == pytest.approx(10 / 40)
    v = 20 / 19 * 20 * (0.75 / 40) ** 2
    assert e.std_error == pytest.approx(math.sqrt(v))
    n_eff = 20 / 19 * 0.25 * 0.75 / v  # n / deff = 26.7, where Kish (sum w)^2 / sum w^2 gives 16
    assert e.n_effective == pytest.approx(n_eff)
    si = ev.share_interval(0.25, n_eff, 0.95, "wilson")
    assert (e.ci_low, e.ci_high) == pytest.approx((si.low, si.high))
    assert "26.7" in e.method


def test_equal_weights_change_nothing():
    df = pd.DataFrame({"online": [1] * 7 + [0] * 13, "w": 2.5})
    a, b = ev.incidence(df, "online"), ev.incidence(df, "online", weights="w")
    assert (a.value, a.ci_low, a.ci_high) == pytest.approx((b.value, b.ci_low, b.ci_high))


def test_attribution_is_one_minus_mean_share_due_to_programme():
    x = np.array([0.5, 0.8, 0.7, 0.6, 0.9, 0.4, 0.7, 0.8, 0.6, 0.5])
    e = ev.attribution(pd.DataFrame({"s": x}), "s")
    assert e.value == pytest.approx(1 - x.mean())
    assert e.std_error == pytest.approx(x.std(ddof=1) / math.sqrt(len(x)))  # DescrStatsW, unweighted
    assert e.ci_low < e.value < e.ci_high


def test_diff_in_diff_without_covariates_is_difference_of_mean_changes(before_after):
    df = before_after
    res = ev.diff_in_diff(df, "online_payment", "elderly_mode_user", "year", "unit_id")
    m = df.groupby(["elderly_mode_user", "year"])["online_payment"].mean()
    change_p, change_c = m[1, 2024] - m[1, 2023], m[0, 2024] - m[0, 2023]
    assert res["effect"].value == pytest.approx(change_p - change_c, abs=1e-12)
    assert res["deadweight"].value == pytest.approx(change_c / change_p, rel=1e-9)
    assert res["effect"].n == df.unit_id.nunique()


def test_drop_off_two_times_is_one_minus_ratio_of_rates():
    # saturated log-binomial: P(1) / P(0) = (1 - d)
    df = pd.DataFrame({"t": [0] * 20 + [1] * 20, "y": [1] * 16 + [0] * 4 + [1] * 12 + [0] * 8})
    e = ev.drop_off(df, "y", "t")
    assert e.value == pytest.approx(1 - (12 / 20) / (16 / 20), rel=1e-6)
    assert e.ci_low < e.value < e.ci_high


# -- recovery of the SYNTHETIC data's true parameters ---------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"weights": "weight"}, {"method": "clopper-pearson"}, {"method": "wilson", "level": 0.99}],
)
def test_incidence_recovers_truth(survey, true, kwargs):
    e = ev.incidence(survey[survey.elderly_mode_user == 1], "online_independently", **kwargs)
    assert _covers(e, true["incidence"]), e


@pytest.mark.parametrize("interval", ["delta", "bootstrap"])
def test_deadweight_recovers_truth_with_covariates(survey, true, interval):
    e = ev.deadweight(
        survey, "online_independently", "elderly_mode_user", COVARIATES, interval=interval, n_boot=200, seed=1
    )
    assert _covers(e, true["deadweight"]), e
    assert e.results is not None


def test_deadweight_without_covariates_is_biased_in_the_synthetic_design(survey, true):
    # comparison members are younger, more urban and more often prior smartphone users: the raw
    # ratio overstates deadweight; adjusting for the covariates is what recovers the truth
    raw = ev.deadweight(survey, "online_independently", "elderly_mode_user")
    assert raw.ci_low > true["deadweight"]


@pytest.mark.parametrize("weights", [None, "weight"])
def test_attribution_recovers_truth(survey, true, weights):
    answers = survey.dropna(subset=["share_due_to_mode"])
    e = ev.attribution(answers, "share_due_to_mode", weights=weights)
    assert _covers(e, true["attribution"]), e


@pytest.mark.parametrize("unit", [None, "unit_id"])
def test_drop_off_recovers_truth(followup, true, unit):
    e = ev.drop_off(followup, "online_independently", "years_since_start", unit=unit)
    assert _covers(e, true["drop_off"]), e
    assert e.scale == "rate"


@pytest.mark.parametrize("covariates", [(), ("age", "urban")])
def test_diff_in_diff_recovers_truth(before_after, true, covariates):
    res = ev.diff_in_diff(before_after, "online_payment", "elderly_mode_user", "year", "unit_id", covariates)
    assert _covers(res["effect"], true["did_effect"]), res
    assert _covers(res["deadweight"], true["did_deadweight"]), res
    # effect and deadweight come from one fit: strongly negatively correlated
    assert res.correlation.loc["effect", "deadweight"] < -0.5


# -- coverage over simulated data sets: tests/test_evidence_coverage.py --------------------------


# -- Estimate and EstimateSet ------------------------------------------------------------------
def test_estimate_display_and_equality():
    e = ev.Estimate(0.4, 0.05, 0.31, 0.5, n=100, name="deadweight", method="m", formula="f")
    assert repr(e) == "Estimate(deadweight = 0.4, 95% CI 0.31 to 0.5, se 0.05, n = 100)"
    assert list(e.summary.columns[:6]) == ["value", "std_error", "ci_low", "ci_high", "level", "n"]
    assert e.summary.loc["deadweight", "value"] == 0.4
    assert "deadweight" in e._repr_html_()
    assert e == dataclasses.replace(e, results=object())  # results excluded from equality
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.value = 0.3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("scale", "family", "cls", "central"),
    [
        ("share", None, sroi.LogitNormal, 0.4),
        ("share", "beta", sroi.Beta, 0.4),
        ("share", "normal", sroi.Normal, 0.4),
        ("rate", None, sroi.LogitNormal, 0.4),
        ("effect", None, sroi.Normal, 0.4),
        ("positive", None, sroi.LogNormal, 0.4),
    ],
)
def test_to_distribution_families_keep_the_point_value(scale, family, cls, central):
    d = ev.Estimate(0.4, 0.05, 0.31, 0.5, scale=scale).to_distribution(family)
    assert isinstance(d, cls)
    assert d.central() == pytest.approx(central, rel=1e-12)
    if scale in ("share", "rate"):
        assert d.support()[0] >= 0 and d.support()[1] <= 1


def test_to_distribution_delta_method_and_unit():
    e = ev.Estimate(0.2, 0.04, 0.13, 0.29)
    d = e.to_distribution()
    assert d.sigma == pytest.approx(0.04 / (0.2 * 0.8))  # se / (p (1 - p))
    assert str(e.to_distribution(unit="person").unit) == "person"


@pytest.mark.parametrize("value", [0.0, 1.0, 1.3])
def test_to_distribution_refuses_a_share_outside_0_1(value):
    e = ev.Estimate(value, 0.05, min(value, 0.9), max(value, 1.0), name="deadweight")
    with pytest.raises(SROIError, match="outside"):
        e.to_distribution()


def test_joint_and_to_parameters_keep_covariance(before_after):
    res = ev.diff_in_diff(before_after, "online_payment", "elderly_mode_user", "year", "unit_id")
    V = res["effect"].coef_cov  # the linearised covariance the estimates used
    b = np.asarray(res["effect"].results.params)
    g = np.array([0, 0, b[3], -b[2]]) / (b[2] + b[3]) ** 2  # gradient of D = b2 / (b2 + b3)
    cov = g @ V @ np.eye(4)[3]
    assert res.covariance[0, 1] == pytest.approx(cov)
    params, corr = res.to_parameters(prefix="did_")
    assert set(params) == {"did_effect", "did_deadweight"}
    r = res.correlation.loc["effect", "deadweight"]
    assert corr == [("did_effect", "did_deadweight", pytest.approx(6 / np.pi * np.arcsin(r / 2)))]
    assert ev.joint(res)["effect"] is res["effect"]


def test_joint_of_independent_fits_has_zero_correlation(survey):
    users = survey[survey.elderly_mode_user == 1]
    s = ev.joint(ev.incidence(users, "online_independently"), ev.deadweight(_tiny(), "online", "user"))
    assert list(s) == ["incidence", "deadweight"]
    assert s.to_parameters()[1] == []
    with pytest.raises(SROIError, match="twice"):
        ev.joint(
            ev.deadweight(_tiny(), "online", "user"), deadweight=ev.deadweight(_tiny(), "online", "user")
        )


# -- plugging into an Analysis -------------------------------------------------------------------
@pytest.mark.parametrize("field", ["deadweight", "attribution", "drop_off"])
def test_estimate_as_filter_has_the_estimate_as_point_value(field):
    e = ev.Estimate(0.3, 0.04, 0.23, 0.38, name=field)
    a = make_analysis(**{field: e})
    b = make_analysis(**{field: 0.3})
    assert isinstance(getattr(a.outcomes[0], field), sroi.LogitNormal)
    assert a.evaluate().ratio == pytest.approx(b.evaluate().ratio, rel=1e-12)


def test_share_estimate_as_quantity_factor():
    share = ev.incidence(pd.DataFrame({"y": [1] * 30 + [0] * 70}), "y")
    a = make_analysis(quantity="1000 person", quantity_factors=[share])
    b = make_analysis(quantity="300 person")
    assert a.evaluate().ratio == pytest.approx(b.evaluate().ratio, rel=1e-12)
    # a share has no unit, so it cannot be the quantity itself (it would make the proxy per nothing)
    with pytest.raises(sroi.UnitError):
        make_analysis(quantity=share)


def test_estimate_set_parameters_in_analysis(before_after):
    res = ev.diff_in_diff(before_after, "online_payment", "elderly_mode_user", "year", "unit_id")
    params, corr = res.to_parameters()
    a = make_analysis(parameters=params, correlations=corr, deadweight=sroi.Ref("deadweight"))
    b = make_analysis(deadweight=res["deadweight"].value)
    assert a.evaluate().ratio == pytest.approx(b.evaluate().ratio, rel=1e-12)


def test_simulation_reproduces_estimate_spread():
    pytest.importorskip("sroi.uncertainty")
    e = ev.deadweight(_synthetic("survey"), "online_independently", "elderly_mode_user", COVARIATES)
    sim = make_analysis(deadweight=e).simulate(20000, seed=1)
    draws = sim.draws["outcomes[0].deadweight"].to_numpy()
    assert np.median(draws) == pytest.approx(e.value, abs=0.003)
    assert draws.std() == pytest.approx(e.std_error, rel=0.05)  # delta method: sd ~ se
    assert np.mean((draws > e.ci_low) & (draws < e.ci_high)) == pytest.approx(0.95, abs=0.01)


def test_simulation_keeps_the_fitted_correlation(before_after):
    pytest.importorskip("sroi.uncertainty")
    res = ev.diff_in_diff(before_after, "online_payment", "elderly_mode_user", "year", "unit_id")
    params, corr = res.to_parameters()
    # the effect (about 6 standard errors above 0) used as a quantity factor, so it is drawn
    params["effect"] = dataclasses.replace(params["effect"], low=0.0)
    a = make_analysis(
        parameters=params,
        correlations=corr,
        deadweight=sroi.Ref("deadweight"),
        quantity_factors=[sroi.Ref("effect")],
    )
    sim = a.simulate(20000, seed=1)
    x, y = sim.draws["effect"].to_numpy(), sim.draws["deadweight"].to_numpy()  # both normal (identity scale)
    assert np.corrcoef(x, y)[0, 1] == pytest.approx(res.correlation.loc["effect", "deadweight"], abs=0.02)
    assert x.std() == pytest.approx(res["effect"].std_error, rel=0.05)


# -- storage -----------------------------------------------------------------------------------
def test_save_load_roundtrip_and_model_file_reference(tmp_path, survey, before_after):
    dw = ev.deadweight(survey, "online_independently", "elderly_mode_user", COVARIATES)
    did = ev.diff_in_diff(before_after, "online_payment", "elderly_mode_user", "year", "unit_id")
    path = ev.save_estimates(
        {"deadweight_online": dw, **did, "fixed": sroi.Uniform(0.1, 0.2)}, tmp_path / "e.yaml"
    )
    text = path.read_text()
    assert "# deadweight_online: deadweight = " in text and "parameters:" in text
    params = ev.load_estimates(path)
    assert params["deadweight_online"] == dw.to_distribution()
    assert params["fixed"] == sroi.Uniform(0.1, 0.2)
    corr = ev.load_correlations(path)
    assert [c[:2] for c in corr] == [("effect", "deadweight")]
    # the stored block is the model file's parameters: entries, referenced with {param: name}
    body = text[text.index("parameters:") :]
    model = f"""
sroi: 1
name: Stored estimates
currency: GBP
{body}
inputs:
  - {{stakeholder: Funder, description: Grant, value: 100 GBP}}
outcomes:
  - stakeholder: Older people
    outcome: Online on their own
    quantity: 10 person
    proxy: 10 GBP/person
    deadweight: {{param: deadweight_online}}
"""
    a = sroi.loads(model)
    assert a.parameters["deadweight_online"] == dw.to_distribution()
    assert a.evaluate().ratio == pytest.approx(
        make_analysis(deadweight=dw.value, duration=1).evaluate().ratio
    )


def test_save_estimates_set_keeps_correlation(tmp_path, before_after):
    did = ev.diff_in_diff(before_after, "online_payment", "elderly_mode_user", "year", "unit_id")
    path = ev.save_estimates(did, tmp_path / "did.yaml")
    assert ev.load_correlations(path) == [
        ("effect", "deadweight", pytest.approx(did.to_parameters()[1][0][2]))
    ]


@pytest.mark.parametrize(
    ("content", "match"),
    [("parameters: [1, 2]\n", "parameters"), ("other: 1\nparameters: {}\n", "unknown"), ("a: [\n", "YAML")],
)
def test_load_estimates_bad_files(tmp_path, content, match):
    p = tmp_path / "bad.yaml"
    p.write_text(content)
    with pytest.raises(SROIError, match=match):
        ev.load_estimates(p)


def test_load_estimates_missing_file(tmp_path):
    with pytest.raises(SROIError, match="no such file"):
        ev.load_estimates(tmp_path / "none.yaml")


def test_save_estimates_rejects_bad_names(tmp_path):
    with pytest.raises(SROIError, match="without spaces"):
        ev.save_estimates({"dead weight": ev.Estimate(0.4, 0.05, 0.31, 0.5)}, tmp_path / "x.yaml")


# -- bad input ---------------------------------------------------------------------------------
def _sep() -> pd.DataFrame:
    df = _tiny()
    return df.assign(z=df.online)  # z predicts online perfectly


BAD = [
    (lambda: ev.incidence([1, 0], "y"), "DataFrame"),
    (lambda: ev.incidence(_tiny(), "onlin"), "did you mean 'online'"),
    (lambda: ev.incidence(_tiny().assign(online=2), "online"), "must be binary"),
    (lambda: ev.incidence(_tiny().assign(online=np.nan), "online"), "missing"),
    (lambda: ev.incidence(_tiny().head(5), "online"), "at least 10"),
    (lambda: ev.incidence(_tiny(), "online", method="exact"), "method"),
    (lambda: ev.incidence(_tiny(), "online", level=95), "level"),
    (lambda: ev.incidence(_tiny().assign(w=-1.0), "online", weights="w"), "negative weights"),
    (lambda: ev.incidence(_tiny().assign(w=0.0), "online", weights="w"), "all zero"),
    (lambda: ev.incidence(_tiny(), "online", weights="wt"), "weights"),
    (lambda: ev.deadweight(_tiny(), "online", "usr"), "group"),
    (lambda: ev.deadweight(_tiny().assign(user=1), "online", "user"), "no comparison-group rows"),
    (lambda: ev.deadweight(_tiny(), "online", "user", treated_value=2), "no participant rows"),
    (lambda: ev.deadweight(_tiny().assign(user=[1] * 10 + [0] * 5 + [2] * 5), "online", "user"), "two"),
    (lambda: ev.deadweight(_tiny().iloc[:14], "online", "user"), "at least 5"),
    (lambda: ev.deadweight(_tiny(), "online", "user", ["age"]), "covariates"),
    (lambda: ev.deadweight(_sep(), "online", "user", ["z"]), "perfect separation.*'z'"),
    (
        lambda: ev.deadweight(_tiny().assign(k=1.0), "online", "user", ["k"]),
        "'k'.* do not vary in the comparison",
    ),
    (lambda: ev.deadweight(_tiny().assign(k=1.0), "online", "user", ["k"], model="pooled"), "collinear.*'k'"),
    (lambda: ev.deadweight(_tiny().assign(online=[0] * 10 + [1] * 3 + [0] * 7), "online", "user"), "perfect"),
    (lambda: ev.deadweight(_tiny().assign(user=1 - _tiny().user), "online", "user"), "no effect"),
    (lambda: ev.deadweight(_tiny(), "online", "user", interval="jackknife"), "interval"),
    (lambda: ev.deadweight(_tiny(), "online", "user", interval="bootstrap", n_boot=10), "n_boot"),
    (lambda: ev.attribution(pd.DataFrame({"s": [70.0] * 12}), "s"), "divide by 100"),
    (lambda: ev.attribution(pd.DataFrame({"s": [-0.5] * 12}), "s"), "share_column"),
    (lambda: ev.attribution(pd.DataFrame({"s": [0.5] * 3}), "s"), "at least 10"),
    (lambda: ev.drop_off(pd.DataFrame({"y": [1, 0] * 6, "t": 1.0}), "y", "t"), "two distinct"),
    (lambda: ev.drop_off(pd.DataFrame({"y": [1, 0] * 6, "t": -1.0}), "y", "t"), "time"),
    (lambda: ev.drop_off(pd.DataFrame({"y": [1] * 12, "t": [0, 1] * 6}), "y", "t"), "every row"),
    (lambda: ev.drop_off(pd.DataFrame({"y": [1, 0] * 6, "t": [0, 1] * 6}), "y", "t", maxiter=0), "maxiter"),
]


@pytest.mark.parametrize(("call", "match"), BAD)
def test_bad_input_raises_sroi_error(call, match):
    with pytest.raises(SROIError, match=match):
        call()


def test_drop_off_not_converging_raises_convergence_error(followup):
    with pytest.raises(ConvergenceError, match="maxiter"):
        ev.drop_off(followup, "online_independently", "years_since_start", maxiter=1)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"period": "yr"}, "period"),
        ({"unit": "id"}, "unit"),
        ({"post_value": 2030}, "post_value"),
    ],
)
def test_diff_in_diff_bad_arguments(before_after, change, match):
    kw = {"outcome": "online_payment", "group": "elderly_mode_user", "period": "year", "unit": "unit_id"}
    with pytest.raises(SROIError, match=match):
        ev.diff_in_diff(before_after, **{**kw, **change})


def test_diff_in_diff_bad_panels(before_after):
    three = before_after.assign(year=np.where(before_after.index % 3 == 0, 2025, before_after.year))
    with pytest.raises(SROIError, match="exactly two values"):
        ev.diff_in_diff(three, "online_payment", "elderly_mode_user", "year", "unit_id")
    mixed = before_after.assign(unit_id=before_after.unit_id % 7)
    with pytest.raises(SROIError, match="both groups"):
        ev.diff_in_diff(mixed, "online_payment", "elderly_mode_user", "year", "unit_id")
    few = before_after[before_after.unit_id.isin([1, 2, 3, 401, 402, 403, 404, 405])]
    with pytest.raises(SROIError, match="at least 5"):
        ev.diff_in_diff(few, "online_payment", "elderly_mode_user", "year", "unit_id")


def test_diff_in_diff_deadweight_outside_0_1_carries_a_note(before_after):
    # swap the roles: the "participants" now change less than the comparison group
    res = ev.diff_in_diff(
        before_after, "online_payment", "elderly_mode_user", "year", "unit_id", treated_value=0
    )
    dw = res["deadweight"]
    assert dw.value > 1 and "outside [0, 1]" in dw.note
    with pytest.raises(SROIError, match="outside"):
        dw.to_distribution()


# -- determinism, laziness, the data script ------------------------------------------------------
def test_bootstrap_same_seed_same_result():
    kw = {"interval": "bootstrap", "n_boot": 100}
    a = ev.deadweight(_synthetic("survey"), "online_independently", "elderly_mode_user", seed=3, **kw)
    b = ev.deadweight(_synthetic("survey"), "online_independently", "elderly_mode_user", seed=3, **kw)
    assert (a.ci_low, a.ci_high, a.std_error) == (b.ci_low, b.ci_high, b.std_error)


def test_import_does_not_load_statsmodels():
    code = "import sys, sroi.evidence; print('statsmodels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_synthetic_script_reproduces_the_packaged_files(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_survey", ROOT / "scripts" / "make_synthetic_survey.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--out", str(tmp_path)]) == 0
    for f in sorted(tmp_path.iterdir()):
        assert f.name.startswith("SYNTHETIC_")
        assert f.read_bytes() == dataset_path("elderly_mode", f.name).read_bytes(), f.name


def test_synthetic_readme_says_synthetic_first():
    first = dataset_path("elderly_mode", "SYNTHETIC_survey_README.md").read_text().splitlines()[0]
    assert "SYNTHETIC" in first and "never evidence" in first


@given(st.lists(st.integers(0, 1), min_size=10, max_size=200))
def test_incidence_interval_contains_the_share(ys):
    e = ev.incidence(pd.DataFrame({"y": ys}), "y")
    assert e.value == pytest.approx(np.mean(ys))
    assert e.ci_low <= e.value + 1e-12 and e.value <= e.ci_high + 1e-12
