"""Tests of sroi.evidence's survey designs, share intervals and the estimate-to-distribution link:
closed-form variances, statsmodels' cluster-robust covariance, exact binomial coverage, and every
estimator's distribution reproducing its interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import sroi
from sroi import evidence as ev
from sroi.datasets import dataset_path
from sroi.exceptions import SROIError
from tests.conftest import make_analysis


def _synthetic(name: str) -> pd.DataFrame:
    return pd.read_csv(dataset_path("elderly_mode", f"SYNTHETIC_elderly_mode_{name}.csv"))


def _heterogeneous(n: int, seed: int) -> tuple[pd.DataFrame, float]:
    """Confounded groups whose effect varies with x (logit effect 1.3 - 0.8 x); the true deadweight."""
    rng = np.random.default_rng(seed)
    t = np.repeat([1, 0], n)
    x = rng.normal(np.where(t == 1, 0.5, -0.3), 1.0)
    y = (rng.random(2 * n) < special.expit(-0.4 + 0.8 * x + t * (1.3 - 0.8 * x))).astype(int)
    z, wz = np.polynomial.hermite_e.hermegauss(80)
    truth = float((wz @ special.expit(-0.4 + 0.8 * (0.5 + z))) / (wz.sum() * special.expit(0.9)))
    return pd.DataFrame({"y": y, "t": t, "x": x}), truth


# -- the linearised variance against closed forms ----------------------------------------------
def test_stratified_mean_variance_is_the_textbook_formula():
    # stratified simple random sampling: V(ybar_st) = sum_h W_h^2 (1 - f_h) s_h^2 / n_h
    # (Cochran 1977, Sampling Techniques, eq. 5.6), with W_h = N_h / N and weights N_h / n_h
    rng = np.random.default_rng(1)
    sizes, pops = (8, 12, 20), (100, 60, 400)
    df = pd.concat(
        [
            pd.DataFrame({"y": rng.normal(h, 1 + h, n), "h": h, "w": N / n, "N": N})
            for h, (n, N) in enumerate(zip(sizes, pops, strict=True))
        ],
        ignore_index=True,
    )
    d = ev.resolve_design(df, ev.Design(weights="w", strata="h", fpc="N"))
    y, w = df.y.to_numpy(), d.weights
    m = w @ y / w.sum()
    v = float(d.variance(w * (y - m) / w.sum()))
    expected = sum(
        (N / sum(pops)) ** 2 * (1 - n / N) * df.y[df.h == h].var(ddof=1) / n
        for h, (n, N) in enumerate(zip(sizes, pops, strict=True))
    )
    assert v == pytest.approx(expected, rel=1e-12)
    assert d.df == sum(sizes) - 3


def test_fpc_as_a_sampling_fraction_is_the_same_as_a_population_size():
    df = pd.DataFrame({"y": np.arange(20.0), "h": [0] * 10 + [1] * 10, "N": [40] * 10 + [50] * 10})
    a = ev.resolve_design(df, ev.Design(strata="h", fpc="N"))
    b = ev.resolve_design(df.assign(N=df.N.map({40: 0.25, 50: 0.2})), ev.Design(strata="h", fpc="N"))
    assert np.allclose(a.keep, [0.75, 0.8]) and np.allclose(b.keep, a.keep)


def test_cluster_variance_matches_statsmodels_cluster_robust():
    # one stratum, G clusters: our variance is statsmodels' CR1 without its (N - 1) / (N - K)
    import statsmodels.api as sm

    df = _synthetic("before_after")
    res = ev.diff_in_diff(df, "online_payment", "elderly_mode_user", "year", "unit_id")
    x = np.column_stack(
        [
            np.ones(len(df)),
            df.elderly_mode_user,
            df.year == 2024,
            (df.elderly_mode_user == 1) & (df.year == 2024),
        ]
    ).astype(float)
    sm_fit = sm.OLS(df.online_payment.to_numpy(float), x).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(df.unit_id)[0]}
    )
    n, k = x.shape
    assert res["effect"].coef_cov == pytest.approx(
        np.asarray(sm_fit.cov_params()) * (n - k) / (n - 1), rel=1e-9
    )
    assert res["effect"].df == df.unit_id.nunique() - 1


def test_replicate_weights_reproduce_the_linearised_variance():
    # Rao, Wu & Yue (1992): the rescaled bootstrap variance of a weighted mean equals the
    # linearised one in expectation; 4000 replicates give it to about 2 * sqrt(2 / 4000) = 4.5%
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {"y": rng.normal(size=300), "w": rng.uniform(1, 4, 300), "h": rng.integers(0, 3, 300)}
    ).assign(c=lambda d: d.h * 100 + rng.integers(0, 8, 300))
    d = ev.resolve_design(df, ev.Design(weights="w", strata="h", clusters="c"))
    y = df.y.to_numpy()
    lin = float(d.variance(d.weights * (y - np.average(y, weights=d.weights)) / d.weights.sum()))
    reps = d.replicate_weights(4000, np.random.default_rng(3))
    boot = np.var(reps @ y / reps.sum(axis=1), ddof=1)
    assert boot == pytest.approx(lin, rel=0.1)
    assert np.all(reps >= 0)


def test_equal_weights_change_nothing():
    df = pd.DataFrame({"online": [1] * 7 + [0] * 13, "w": 2.5})
    a, b = ev.incidence(df, "online"), ev.incidence(df, "online", weights="w")
    assert (a.value, a.ci_low, a.ci_high) == pytest.approx((b.value, b.ci_low, b.ci_high))
    assert b.n_effective == pytest.approx(20)


def test_weights_shorthand_is_the_design():
    df = _synthetic("survey")
    users = df[df.elderly_mode_user == 1]
    a = ev.incidence(users, "online_independently", weights="weight")
    b = ev.incidence(users, "online_independently", design=ev.Design(weights="weight"))
    assert a == b


# -- share intervals -----------------------------------------------------------------------------
def _exact_coverage(n: int, p: float, method: str = "auto") -> float:
    """Coverage of share_interval for x ~ Binomial(n, p), summed over x (no simulation)."""
    x = np.arange(n + 1)
    covered = [(s.low <= p <= s.high) for s in (ev.share_interval(k / n, n, 0.95, method) for k in x)]
    return float(stats.binom.pmf(x, n, p) @ np.asarray(covered, dtype=float))


@pytest.mark.parametrize(
    ("n", "p"),
    [(50, 0.3), (200, 0.12), (1000, 0.02), (40, 0.5), (300, 0.97), (100, 0.9)],
)
def test_default_interval_holds_its_level_with_enough_counts(n, p):
    # exact binomial coverage (Brown, Cai & DasGupta 2001, eq. 1): 5+ expected successes and
    # failures, the Wilson interval of the "auto" rule, within the 0.93-0.97
    assert 0.93 <= _exact_coverage(n, p) <= 0.97


@pytest.mark.parametrize(("n", "p"), [(50, 0.02), (200, 0.005), (100, 0.99), (40, 0.0125)])
def test_default_interval_does_not_under_cover_small_counts(n, p):
    # below 5 expected successes Wilson covers 0.91-0.92 (e.g. p = 0.02, n = 50); the auto rule
    # switches to Clopper-Pearson, which never falls below the level (it over-covers: 0.98)
    assert _exact_coverage(n, p, "wilson") < 0.93
    assert _exact_coverage(n, p) >= 0.95


@pytest.mark.parametrize("method", ev.SHARE_METHODS)
@pytest.mark.parametrize("x", [0, 1, 3, 20, 39, 40])
def test_share_interval_distribution_reproduces_the_interval(method, x):
    s = ev.share_interval(x / 40, 40, 0.95, method)
    assert 0 <= s.low < s.high <= 1  # never of zero width
    if s.beta is not None:
        q = stats.beta.ppf([0.025, 0.975], *s.beta)
    else:
        q = special.expit(special.logit(x / 40) + np.array([-1, 1]) * 1.959963984540054 * s.se_logit)
    assert np.abs(q - [s.low, s.high]).max() <= 0.01 * (s.high - s.low)


def test_wilson_is_symmetric_on_the_logit_scale():
    # the Wilson ends are the roots of (p - pi)^2 = z^2 pi (1 - pi) / n: their product over that
    # of 1 - ends is p^2 / (1 - p)^2, so logit(low) + logit(high) = 2 logit(p) exactly
    s = ev.share_interval(0.13, 87.5, 0.9, "wilson")
    assert special.logit(s.low) + special.logit(s.high) == pytest.approx(2 * special.logit(0.13), rel=1e-12)


@pytest.mark.parametrize("answers", [[0] * 12, [1] * 12])
def test_identical_answers_never_give_a_zero_width_interval(answers):
    df = pd.DataFrame({"y": answers, "s": np.asarray(answers, float)})
    for e in (ev.incidence(df, "y"), ev.attribution(df, "s")):
        assert e.ci_high - e.ci_low > 0.1, e
        d = e.to_distribution()
        assert d.quantile(0.975) == pytest.approx(e.ci_high, abs=0.01 * (e.ci_high - e.ci_low))


def test_identical_interior_answers_use_the_largest_spread():
    e = ev.attribution(pd.DataFrame({"s": [0.5] * 20}), "s")
    assert e.value == 0.5 and e.ci_low < 0.4 and e.ci_high > 0.6
    assert "every answer is the same" in e.method


def test_attribution_near_zero_stays_inside_0_1():
    e = ev.attribution(pd.DataFrame({"s": [1.0] * 28 + [0.5, 0.9]}), "s")
    assert 0 < e.ci_low < e.value < e.ci_high < 0.2


# -- to_distribution reproduces every estimator's interval -----------------------------------------
def _clustered_followup() -> pd.DataFrame:
    df = _synthetic("followup")
    return df.assign(village=df.unit_id % 12)


ESTIMATES = {
    "incidence": lambda: ev.incidence(_synthetic("survey"), "online_independently"),
    "incidence-weighted": lambda: ev.incidence(
        _synthetic("survey"), "online_independently", weights="weight"
    ),
    "incidence-small-count": lambda: ev.incidence(pd.DataFrame({"y": [1, 1] + [0] * 60}), "y"),
    "incidence-jeffreys": lambda: ev.incidence(
        pd.DataFrame({"y": [1] * 3 + [0] * 27}), "y", method="jeffreys"
    ),
    "attribution": lambda: ev.attribution(
        _synthetic("survey").dropna(subset=["share_due_to_mode"]), "share_due_to_mode"
    ),
    "attribution-all-ones": lambda: ev.attribution(pd.DataFrame({"s": [1.0] * 15}), "s"),
    "deadweight": lambda: ev.deadweight(
        _synthetic("survey"), "online_independently", "elderly_mode_user", ["age", "urban"]
    ),
    "deadweight-pooled": lambda: ev.deadweight(
        _synthetic("survey"), "online_independently", "elderly_mode_user", ["age"], model="pooled"
    ),
    "deadweight-bootstrap": lambda: ev.deadweight(
        _synthetic("survey"),
        "online_independently",
        "elderly_mode_user",
        ["age"],
        interval="bootstrap",
        n_boot=60,
        seed=4,
    ),
    "did-effect-12-clusters": lambda: ev.diff_in_diff(
        _synthetic("before_after").assign(v=lambda d: d.unit_id % 12 + 100 * d.elderly_mode_user),
        "online_payment",
        "elderly_mode_user",
        "year",
        "unit_id",
        design=ev.Design(clusters="v"),
    )["effect"],
    "did-deadweight": lambda: ev.diff_in_diff(
        _synthetic("before_after"), "online_payment", "elderly_mode_user", "year", "unit_id"
    )["deadweight"],
    "did-share": lambda: ev.diff_in_diff(
        _synthetic("before_after"),
        "online_payment",
        "elderly_mode_user",
        "year",
        "unit_id",
        effect_scale="share",
    )["effect"],
    "drop-off-12-persons": lambda: ev.drop_off(
        _synthetic("followup").query("unit_id <= 12"),
        "online_independently",
        "years_since_start",
        unit="unit_id",
    ),
    "drop-off-12-villages": lambda: ev.drop_off(
        _clustered_followup(),
        "online_independently",
        "years_since_start",
        unit="unit_id",
        design=ev.Design(clusters="village"),
    ),
}


@pytest.mark.parametrize("name", list(ESTIMATES))
def test_to_distribution_reproduces_the_interval(name):
    # the criterion: the distribution's 2.5% and 97.5% quantiles equal the 95% interval's
    # ends within 1% of its width (t quantiles, bootstrap and beta intervals included)
    e = ESTIMATES[name]()
    d = e.to_distribution()
    width = e.ci_high - e.ci_low
    assert d.quantile(0.025) == pytest.approx(e.ci_low, abs=0.01 * width), (name, e, d)
    assert d.quantile(0.975) == pytest.approx(e.ci_high, abs=0.01 * width), (name, e, d)
    lo, hi = ev.SCALES[e.scale]
    assert lo <= d.support()[0] and d.support()[1] <= hi


def test_few_clusters_carry_t_quantiles_into_the_distribution():
    e = ESTIMATES["drop-off-12-persons"]()
    assert e.df == 11
    assert e.spread == pytest.approx(stats.t.ppf(0.975, 11) / stats.norm.ppf(0.975))
    assert e.to_distribution().sigma == pytest.approx(e.transform.std_error * e.spread)


def test_estimate_with_df_and_beta_validation():
    with pytest.raises(SROIError, match="df"):
        ev.Estimate(0.4, 0.05, 0.3, 0.5, df=0)
    with pytest.raises(SROIError, match="beta"):
        ev.Estimate(0.4, 0.05, 0.3, 0.5, beta=(1.0, -2.0))
    with pytest.raises(SROIError, match="beta"):
        ev.Estimate(0.4, 0.05, 0.3, 0.5, beta=(1.0, 2.0), scale="effect")
    e = ev.Estimate(0.0, 0.01, 0.0, 0.08, beta=(0.6, 30.0))
    assert isinstance(e.to_distribution(), sroi.Beta)
    assert list(e.summary.columns[:8]) == [
        "value",
        "std_error",
        "ci_low",
        "ci_high",
        "level",
        "n",
        "n_effective",
        "df",
    ]


def test_joint_gives_a_boundary_estimate_no_correlation(tmp_path):
    zero = ev.incidence(pd.DataFrame({"y": [0] * 30}), "y")
    dw = ev.deadweight(
        pd.DataFrame({"u": [1] * 10 + [0] * 10, "y": [1] * 6 + [0] * 4 + [1] * 3 + [0] * 7}), "y", "u"
    )
    s = ev.joint(zero, dw)
    assert math.isnan(s.covariance[0, 0]) and s.correlation.loc["incidence", "deadweight"] == 0
    path = ev.save_estimates({"none_online": zero, "deadweight": dw}, tmp_path / "e.yaml")
    assert ev.load_estimates(path)["none_online"] == zero.to_distribution()


# -- deadweight with heterogeneous effects ---------------------------------------------------------
def test_comparison_model_is_unbiased_where_the_pooled_model_is_not():
    # one large sample (4000 per group): the pooled model's single effect misses the truth by
    # many standard errors, the comparison-group model recovers it
    df, truth = _heterogeneous(4000, 5)
    good = ev.deadweight(df, "y", "t", ["x"])
    bad = ev.deadweight(df, "y", "t", ["x"], model="pooled")
    assert good.ci_low <= truth <= good.ci_high
    assert abs(bad.value - truth) > 5 * bad.std_error
    assert "comparison group" in good.method and "pooled" in bad.method
    assert len(good.results.params) == 2  # constant and x, fitted to the comparison group


def test_both_models_agree_when_the_effect_is_the_same_for_everyone():
    # the SYNTHETIC survey has one participant effect on the logit scale
    df = _synthetic("survey")
    cov = ["age", "urban", "prior_smartphone"]
    a = ev.deadweight(df, "online_independently", "elderly_mode_user", cov)
    b = ev.deadweight(df, "online_independently", "elderly_mode_user", cov, model="pooled")
    assert a.value == pytest.approx(b.value, abs=a.std_error)


def test_deadweight_with_weights_and_clusters():
    df, _ = _heterogeneous(300, 6)
    df["w"] = np.random.default_rng(1).uniform(0.5, 2, len(df))
    df["village"] = np.arange(len(df)) % 15
    a = ev.deadweight(df, "y", "t", ["x"], weights="w")
    b = ev.deadweight(df, "y", "t", ["x"], design=ev.Design(weights="w", clusters="village"))
    assert a.value == b.value and a.df == len(df) - 2 and b.df == 14
    assert "15 clusters 'village'" in b.method


def test_bootstrap_same_seed_same_result_and_design():
    df, _ = _heterogeneous(150, 7)
    df["village"] = np.arange(len(df)) % 10
    kw = {"interval": "bootstrap", "n_boot": 60, "design": ev.Design(clusters="village")}
    a = ev.deadweight(df, "y", "t", ["x"], seed=3, **kw)
    b = ev.deadweight(df, "y", "t", ["x"], seed=3, **kw)
    assert (a.ci_low, a.ci_high, a.std_error) == (b.ci_low, b.ci_high, b.std_error)
    assert a.df == 9 and "bootstrap" in a.method


# -- difference in differences: clusters apart from units, weights, a share ------------------------
def _panel() -> pd.DataFrame:
    df = _synthetic("before_after")
    return df.assign(village=df.unit_id // 40, w=1.0 + (df.unit_id % 3))


def test_did_clusters_separate_from_the_panel_unit():
    df = _panel()
    by_unit = ev.diff_in_diff(df, "online_payment", "elderly_mode_user", "year", "unit_id")
    by_village = ev.diff_in_diff(
        df, "online_payment", "elderly_mode_user", "year", "unit_id", design=ev.Design(clusters="village")
    )
    g = df.village.nunique()
    assert by_village["effect"].value == by_unit["effect"].value
    assert by_village["effect"].df == g - 1 and by_unit["effect"].df == df.unit_id.nunique() - 1
    assert by_village["effect"].std_error != by_unit["effect"].std_error
    assert f"{g} clusters 'village'" in by_village["effect"].method


def test_did_weights_give_the_weighted_difference_of_changes():
    df = _panel()
    res = ev.diff_in_diff(df, "online_payment", "elderly_mode_user", "year", "unit_id", weights="w")
    m = df.groupby(["elderly_mode_user", "year"]).apply(
        lambda g: np.average(g.online_payment, weights=g.w), include_groups=False
    )
    assert res["effect"].value == pytest.approx((m[1, 2024] - m[1, 2023]) - (m[0, 2024] - m[0, 2023]))


def test_did_effect_as_a_share_can_be_a_quantity_factor():
    res = ev.diff_in_diff(
        _synthetic("before_after"),
        "online_payment",
        "elderly_mode_user",
        "year",
        "unit_id",
        effect_scale="share",
    )
    e = res["effect"]
    dist = e.to_distribution()
    assert e.scale == "share" and isinstance(dist, sroi.Normal) and dist.support() == (0.0, 1.0)
    a = make_analysis(quantity="1000 person", quantity_factors=[e])
    b = make_analysis(quantity=f"{1000 * e.value} person")
    assert a.evaluate().ratio == pytest.approx(b.evaluate().ratio, rel=1e-9)
    # the normal effect is refused as a share: it can be negative
    normal = ev.diff_in_diff(
        _synthetic("before_after"), "online_payment", "elderly_mode_user", "year", "unit_id"
    )
    with pytest.raises(SROIError, match="negative"):
        make_analysis(quantity="1000 person", quantity_factors=[normal["effect"]])
    assert res.correlation.loc["effect", "deadweight"] < -0.5


def test_drop_off_villages_separate_from_persons():
    df = _clustered_followup()
    a = ev.drop_off(df, "online_independently", "years_since_start", unit="unit_id")
    b = ev.drop_off(
        df, "online_independently", "years_since_start", unit="unit_id", design=ev.Design(clusters="village")
    )
    assert a.value == b.value and b.df == 11 and b.n == 12


# -- bad designs: SROIError naming the column -------------------------------------------------------
def _df() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "y": np.tile([1, 0, 0, 1, 1], 8),
            "s": np.tile([0.2, 0.5, 0.9, 1.0, 0.6], 8),
            "w": np.ones(40),
            "h": np.repeat([0, 1], 20),
            "c": np.arange(40) // 4,
            "N": np.repeat([100, 200], 20),
            "u": rng.random(40),
        }
    )


def _dominant() -> pd.DataFrame:
    return _df().assign(w=[1000.0] + [1.0] * 39)


BAD_DESIGNS = [
    (lambda: ev.incidence(_df(), "y", design={"weights": "w"}), "design", "Design"),
    (lambda: ev.Design(weights=3), "design.weights", "column name"),
    (lambda: ev.incidence(_df(), "y", weights="w", design=ev.Design(weights="u")), "weights", "given twice"),
    (
        lambda: ev.incidence(_df(), "y", design=ev.Design(strata="region")),
        "design.strata",
        "no column 'region'",
    ),
    (lambda: ev.incidence(_df(), "y", design=ev.Design(clusters="cc")), "design.clusters", "'cc'"),
    (
        lambda: ev.incidence(_df().assign(c=np.arange(40) % 3), "y", design=ev.Design(clusters="c")),
        "design.clusters",
        "3 clusters in column 'c'",
    ),
    (
        lambda: ev.incidence(_df().assign(h=[0] * 39 + [1]), "y", design=ev.Design(strata="h")),
        "design.strata",
        "stratum 1 of column 'h' has a single row",
    ),
    (
        lambda: ev.incidence(_df(), "y", design=ev.Design(strata="h", fpc="u")),
        "design.fpc",
        "varies within a stratum",
    ),
    (
        lambda: ev.incidence(_df().assign(N=10), "y", design=ev.Design(strata="h", fpc="N")),
        "design.fpc",
        "population of 10 but 20",
    ),
    (lambda: ev.incidence(_df().assign(N=0), "y", design=ev.Design(fpc="N")), "design.fpc", "expected > 0"),
    (lambda: ev.incidence(_df().assign(w=np.nan), "y", weights="w"), "weights", "'w' has 40 missing"),
    (lambda: ev.incidence(_dominant(), "y", weights="w"), "outcome", "column 'y' with weights 'w'.* 1.08"),
    (lambda: ev.attribution(_dominant(), "s", weights="w"), "share_column", "column 's' .* 1.08"),
    (lambda: ev.attribution(_df(), "s", method="exact"), "method", "exact"),
    (
        lambda: ev.drop_off(
            _df().assign(t=np.arange(40) % 4), "y", "t", unit="c", design=ev.Design(clusters="h")
        ),
        "design.clusters",
        "2 clusters",
    ),
    (
        lambda: ev.drop_off(
            _df().assign(t=np.arange(40) % 4, k=np.arange(40) % 8),
            "y",
            "t",
            unit="c",
            design=ev.Design(clusters="k"),
        ),
        "unit",
        "span several clusters",
    ),
    (lambda: ev.deadweight(_df().assign(g=np.arange(40) % 2), "y", "g", model="logit"), "model", "'logit'"),
    (
        lambda: ev.deadweight(
            _df()
            .assign(g=np.arange(40) % 2, w=np.where(np.arange(40) % 2, 1.0, 1e-4))
            .assign(w=lambda d: np.where(d.index == 0, 1.0, d.w)),
            "y",
            "g",
            weights="w",
        ),
        "weights",
        r"comparison group \('g'\) has a Kish effective sample size of 1.00",
    ),
    (
        lambda: ev.deadweight(
            _df().assign(g=np.arange(40) % 2, w=np.arange(40) % 2 * 1.0), "y", "g", weights="w"
        ),
        "weights",
        "is 0 in the comparison group",
    ),
    (
        lambda: ev.drop_off(
            _df().assign(t=np.arange(40) % 4, w=(np.arange(40) % 4 == 1) * 1.0), "y", "t", weights="w"
        ),
        "weights",
        "fewer than two times of 't'",
    ),
    (
        lambda: ev.deadweight(_df().assign(g=np.arange(40) % 2, z=np.arange(40) % 2 * 1.0), "y", "g", ["z"]),
        "covariates",
        r"\['z'\] do not vary in the comparison group",
    ),
]


@pytest.mark.parametrize(("call", "field", "match"), BAD_DESIGNS)
def test_bad_design_raises_sroi_error_naming_the_column(call, field, match):
    with pytest.raises(SROIError, match=match) as info:
        call()
    assert str(info.value).startswith(f"{field}: ")


def _did_df() -> pd.DataFrame:
    df = _synthetic("before_after")
    return df[df.unit_id % 10 == 0].assign(village=lambda d: d.unit_id // 80)


@pytest.mark.parametrize(
    ("kwargs", "field", "match"),
    [
        ({"design": ev.Design(clusters="mixed")}, "unit", "span several clusters"),
        ({"design": ev.Design(strata="year")}, "unit", "span several strata"),
        ({"effect_scale": "percent"}, "effect_scale", "'percent'"),
        ({"outcome": "units2", "effect_scale": "share"}, "outcome", "needs an outcome in \\[0, 1\\]"),
        ({"weights": "wt"}, "weights", "no column 'wt'"),
        ({"weights": "w0"}, "weights", "is 0 for the comparison group in the before period"),
    ],
)
def test_diff_in_diff_bad_designs(kwargs, field, match):
    df = _did_df().assign(
        units2=lambda d: d.online_payment * 2,
        mixed=lambda d: (d.unit_id + d.year) % 7,
        w0=lambda d: np.where((d.elderly_mode_user == 0) & (d.year == 2023), 0.0, 1.0),
    )
    kw = {"outcome": "online_payment", "group": "elderly_mode_user", "period": "year", "unit": "unit_id"}
    with pytest.raises(SROIError, match=match) as info:
        ev.diff_in_diff(df, **{**kw, **kwargs})
    assert str(info.value).startswith(f"{field}: ")
