"""Monitoring: reading actuals, forecast against actual, updating, the evaluative re-run
(sroi.monitoring, docs/method.md §12.2-10.5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sroi
from sroi.datasets import dataset_path
from sroi.exceptions import SROIError, UnitError
from sroi.indicators import Indicator, IndicatorSystem, load_indicators
from sroi.monitoring import Monitoring, evaluation, read_actuals
from sroi.monitoring.evaluate import past_values
from sroi.monitoring.update import update_estimates

MODEL = dataset_path("elderly_mode", "elderly_mode.yaml")
SYNTHETIC = dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_monitoring.csv")


def share_analysis(prior=None, **kw):
    """100 people x share x 10 GBP/person for 3 years (no drop-off, no deadweight), inputs 100 GBP
    in period 0, 3.5% end of year; indicator 'share' measures the share."""
    indicators = kw.pop(
        "indicators", IndicatorSystem((Indicator("share", "Share better", measures=("share",)),))
    )
    return sroi.Analysis(
        "Share",
        "GBP",
        outcomes=[
            sroi.Outcome(
                "People",
                "Better",
                id="better",
                quantity="100 person",
                proxy="10 GBP/person",
                quantity_factors=(sroi.Ref("share"),),
                duration=3,
            )
        ],
        inputs=[sroi.Input("Funder", "Grant", "100 GBP")],
        parameters={"share": prior if prior is not None else sroi.Beta(40, 60)},
        indicators=indicators,
        **kw,
    )


def rows(*records):
    cols = ["indicator", "period", "value", "unit", "n"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in records])


# -- reading -------------------------------------------------------------------------------------
def test_csv_xlsx_and_parquet_read_the_same(tmp_path):
    frame = pd.read_csv(SYNTHETIC, dtype=str, keep_default_na=False)
    frame.to_excel(tmp_path / "m.xlsx", index=False)
    frame.to_parquet(tmp_path / "m.parquet", index=False)
    tables = [read_actuals(p).table for p in (SYNTHETIC, tmp_path / "m.xlsx", tmp_path / "m.parquet")]
    for t in tables[1:]:
        pd.testing.assert_frame_equal(
            t[["indicator", "period_label", "value", "unit", "n"]],
            tables[0][["indicator", "period_label", "value", "unit", "n"]],
        )
    assert len(tables[0]) == len(frame)  # nothing dropped


def test_the_shipped_monitoring_file_is_synthetic_and_complete():
    a = sroi.load(MODEL)
    system = load_indicators(dataset_path("elderly_mode", "indicators.yaml"), a)
    checked = read_actuals(SYNTHETIC).check(system, system.bind(a))
    assert set(checked["period"]) == {1, 2}
    assert set(checked["indicator"]) == set(system.ids)
    assert checked["note"].str.startswith("SYNTHETIC").all()


def _csv(tmp_path, text):
    p = tmp_path / "a.csv"
    p.write_text("indicator,period,value,unit,n,source,note\n" + text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("text", "field", "match"),
    [
        ("share,1,abc,,100,,\n", r"row 2\.value", "expected a number"),
        ("share,1,0.5,,100,,\nother,1,0.5,,100,,\n", r"row 3\.indicator", "no indicator"),
        ("share,1,0.5,person,100,,\n", r"row 2\.unit", "cannot be converted"),
        ("share,1,1.5,,100,,\n", r"row 2\.value", r"share in \[0, 1\]"),
        ("share,1,50,,100,,\n", r"row 2\.value", r"share in \[0, 1\]"),
        ("share,1,0.5,,-3,,\n", r"row 2\.n", "sample size"),
        ("share,1,0.5,,100,,\nshare,1,0.4,,100,,\n", r"row 3\.period", "also given in row 2"),
        ("share,1-Q2,0.5,,100,,\n", r"row 2\.period", "annual"),
        ("share,0,0.5,,100,,\n", r"row 2\.period", "start at 1"),
        ("share,,0.5,,100,,\n", r"row 2\.period", "empty"),
        ("share,2025,0.5,,100,,\n", r"row 2\.period", "calendar year"),
    ],
)
def test_bad_rows_name_the_row_and_column(tmp_path, text, field, match):
    a = share_analysis()
    with pytest.raises(SROIError, match=f"{field}.*{match}"):
        a.monitor(_csv(tmp_path, text), n=200)


def test_unit_errors_are_unit_errors(tmp_path):
    with pytest.raises(UnitError, match=r"row 2\.unit"):
        share_analysis().with_actuals(_csv(tmp_path, "share,1,0.5,hour,100,,\n"))


def test_percent_values_convert(tmp_path):
    mon = share_analysis().monitor(_csv(tmp_path, "share,1,45,%,100,,\n"), n=500, seed=1)
    assert mon.actual("share", 1) == pytest.approx(0.45)


def test_missing_columns_and_empty_tables(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("indicator,period,value\nshare,1,0.5\n")
    with pytest.raises(SROIError, match=r"columns.*missing column\(s\) \['unit'\]"):
        read_actuals(p)
    p.write_text("indicator,period,value,unit\n")
    with pytest.raises(SROIError, match="no rows"):
        read_actuals(p)
    with pytest.raises(SROIError, match=r"\.csv, \.parquet or \.xlsx"):
        read_actuals(tmp_path / "b.txt") if (tmp_path / "b.txt").write_text("x") else None


def test_quarterly_rows_aggregate_and_need_their_quarter():
    system = IndicatorSystem((Indicator("share", "S", measures=("share",), cadence="quarterly"),))
    a = share_analysis(indicators=system)
    r = rows(*[("share", f"1-Q{q}", 0.3 + 0.1 * q, "", 100) for q in range(1, 5)])
    mon = a.monitor(r, n=500, seed=1)
    assert mon.actual("share", 1) == pytest.approx(0.55)  # pooled over equal n
    assert mon.periods["n"].iloc[0] == 400
    with pytest.raises(SROIError, match=r"row 2\.period.*quarterly"):
        a.monitor(rows(("share", "1", 0.5, "", 100)), n=100)


def test_periods_after_the_analysis_are_refused():
    with pytest.raises(SROIError, match=r"row 2\.period.*after the analysis's last period \(3\)"):
        share_analysis().monitor(rows(("share", 7, 0.5, "", 100)), n=100)


# -- forecast against actual ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("q", "direction", "status"),
    [
        (0.05, "higher", "off track"),
        (0.17, "higher", "at risk"),
        (0.5, "higher", "on track"),
        (0.95, "higher", "on track"),
        (0.95, "lower", "off track"),
        (0.8, "lower", "at risk"),
    ],
)
def test_status_by_where_the_actual_falls_in_the_forecast(q, direction, status):
    system = IndicatorSystem((Indicator("share", "S", measures=("share",), direction=direction),))
    a = share_analysis(indicators=system)
    actual = stats.beta(40, 60).ppf(q)
    # n = 10^6: sampling noise negligible against the forecast's spread (sd 0.05)
    mon = a.monitor(rows(("share", 1, actual, "", 1_000_000)), n=20_000, seed=4)
    row = mon.table.iloc[0]
    assert row["percentile"] == pytest.approx(q, abs=0.01)  # Monte Carlo error of 20,000 draws
    assert row["status"] == status
    assert row["status_basis"] == "forecast"


def test_forecast_interval_is_the_monte_carlo_interval():
    a = share_analysis()
    mon = a.monitor(rows(("share", 1, 0.4, "", 100)), n=5000, seed=2)
    draws = mon.simulation.draws["share"].to_numpy()
    row = mon.table.iloc[0]
    assert row["forecast_low"] == pytest.approx(np.quantile(draws, 0.1), rel=1e-12)
    assert row["forecast_high"] == pytest.approx(np.quantile(draws, 0.9), rel=1e-12)
    # the actual's interval: Jeffreys interval of 40 in 100
    lo, hi = stats.beta(40.5, 60.5).ppf([0.1, 0.9])
    assert (row["actual_low"], row["actual_high"]) == pytest.approx((lo, hi), rel=1e-9)


def test_tracked_only_indicators_are_judged_by_their_target():
    system = IndicatorSystem(
        (
            Indicator("share", "S", measures=("share",), targets={1: 0.4}),
            Indicator("scam", "Scams", direction="lower", targets={1: 0.05, 2: 0.05}),
            Indicator("noise", "Noise"),
        )
    )
    a = share_analysis(indicators=system)
    mon = a.monitor(
        rows(("scam", 1, 0.04, "", 500), ("scam", 2, 0.07, "", 500), ("noise", 1, 3, "", "")), n=200
    )
    t = mon.table.set_index(["indicator", "period"])
    assert t.loc[("scam", 1), "status"] == "on track" and t.loc[("scam", 1), "status_basis"] == "target"
    assert t.loc[("scam", 2), "status"] == "off track"
    assert t.loc[("noise", 1), "status"] == "no forecast or target"
    assert t.loc[("share", 1), "status"] == "no data yet"


def test_monitoring_shows_itself():
    mon = share_analysis().monitor(rows(("share", 1, 0.2, "", 400)), n=1000, seed=1)
    assert isinstance(mon, Monitoring)
    assert "off track" in repr(mon) and "off track" in mon._repr_html_()
    ax = mon.plot("share")
    assert ax.get_title() == "Share better"
    assert "share period 1: actual 0.2" in mon.summary()


# -- updating ------------------------------------------------------------------------------------
def test_beta_prior_updates_by_the_conjugate_formula():
    a = share_analysis(sroi.Beta(4, 6))
    updated = a.with_actuals(rows(("share", 1, 0.3, "", 100), ("share", 2, 0.35, "", 200)))
    post = updated.parameters["share"]
    assert (post.alpha, post.beta) == pytest.approx((4 + 30 + 70, 6 + 70 + 130))
    assert updated.reference_period == 2  # money of the last monitored period (§3.7)
    before = a.simulate(4000, seed=1).interval()
    after = updated.simulate(4000, seed=1).interval()
    assert after[1] - after[0] < 0.5 * (before[1] - before[0])


def test_normal_and_lognormal_priors_update_conjugately():
    """A proxy (which may be negative) with a normal prior and an absolute error; hours with a
    lognormal prior and a relative error."""

    def analysis(param, prior, unit, error):
        system = IndicatorSystem(
            (Indicator("x", "X", measures=(param,), unit=unit, measurement_error=error),)
        )
        return sroi.Analysis(
            "Conjugate",
            "GBP",
            outcomes=[
                sroi.Outcome(
                    "People",
                    "Time",
                    quantity="100 person",
                    duration=3,
                    proxy=sroi.Ref("value") if param == "value" else "10 GBP/hour",
                    quantity_factors=() if param == "value" else (sroi.Ref("hours"),),
                )
            ],
            inputs=[sroi.Input("Funder", "Grant", "100 GBP")],
            parameters={param: prior},
            indicators=system,
        )

    a = analysis("value", sroi.Normal(50.0, 10.0, unit="GBP/person"), "GBP/person", {"sd": 5.0})
    post = a.with_actuals(
        rows(("x", 1, 60.0, "GBP/person", ""), ("x", 2, 70.0, "GBP/person", ""))
    ).parameters["value"]
    # precision 1/100 + 2/25; mean (50/100 + 130/25) / precision
    assert post.mean_ == pytest.approx((0.5 + 130 / 25) / (0.01 + 0.08), rel=1e-12)
    assert post.sd == pytest.approx((0.01 + 0.08) ** -0.5, rel=1e-12)
    b = analysis(
        "hours", sroi.LogNormal(5.0, 2.0, unit="hour/person/year"), "hour/person/year", {"relative": 0.2}
    )
    r = rows(("x", 1, 6.0, "hour/person/year", ""), ("x", 2, 7.0, "hour/person/year", ""))
    post = b.with_actuals(r).parameters["hours"]
    s0 = np.log(2.0)
    m1 = (np.log(5) / s0**2 + np.log(42) / 0.04) / (1 / s0**2 + 2 / 0.04)
    assert post.median == pytest.approx(np.exp(m1), rel=1e-12)


def test_other_priors_are_reweighted_and_keep_their_range():
    a = share_analysis(sroi.Pert(0.2, 0.4, 0.6))
    mon = a.monitor(rows(("share", 1, 0.3, "", 400)), n=2000, seed=1)
    u = mon.updates.iloc[0]
    assert u["method"] == "importance reweighting"
    assert mon.updated.parameters["share"].support() == (0.2, 0.6)
    assert u["posterior_high"] - u["posterior_low"] < 0.5 * (u["prior_high"] - u["prior_low"])
    assert u["ess"] > 1000


def test_actuals_outside_the_prior_range_are_flagged():
    a = share_analysis(sroi.Pert(0.2, 0.4, 0.6))
    note = a.monitor(rows(("share", 1, 0.19, "", 50)), n=500).updates.iloc[0]["note"]
    assert "outside the prior's range" in note


def test_data_the_prior_rules_out_are_an_error():
    a = share_analysis(sroi.Pert(0.2, 0.4, 0.6))
    with pytest.raises(SROIError, match="effective sample"):
        a.with_actuals(rows(("share", 1, 0.05, "", 100_000)), n=2000)


def test_a_product_is_updated_jointly_with_a_posterior_correlation():
    a = sroi.load(MODEL)
    system = load_indicators(dataset_path("elderly_mode", "indicators.yaml"), a)
    mon = a.monitor(SYNTHETIC, system, n=500, seed=1)
    updated = mon.updated
    corr = {frozenset(c[:2]): c[2] for c in updated.correlations}
    # the data fix the product (and the active share): the other two factors trade off
    assert corr[frozenset(("in_use_in_china_share", "older_users_per_device"))] < -0.5
    # the users' setup time, rank-correlated with reach in the prior, is updated with it
    notes = mon.updates.set_index("estimate")["note"]
    assert notes["older_users_setup_time"].startswith("not measured")
    sim = updated.simulate(5000, seed=2, keep_draws=True)
    d = sim.draws
    reach = 120e6 * d["in_use_in_china_share"] * d["older_users_per_device"] * d["active_share"]
    observed = mon.periods.set_index("indicator").loc["active_older_users", "value"].mean()
    # centred on the data: 5% relative error a period, two periods, an effective sample of a few
    # hundred draws behind the fitted marginals
    assert np.median(reach) == pytest.approx(observed, rel=0.08)


def test_indicators_without_uncertainty_statements_are_reported_not_used():
    system = IndicatorSystem((Indicator("share", "S", measures=("share",)),))
    a = share_analysis(indicators=system)
    mon = a.monitor(rows(("share", 1, 0.5, "", "")), n=200)
    u = mon.updates.iloc[0]
    assert u["method"] == "not updated" and "no sample size n" in u["note"]
    assert mon.updated.parameters["share"] == a.parameters["share"]


# -- coverage of a known truth ----------------------------------------------------------------------
def _coverage(prior, m, n_obs, reps, update_n, seed):
    """Share of replications whose 80% posterior interval covers the truth, and the mean width.
    The truth is drawn from the prior, so an exact posterior covers it with probability 0.8."""
    a = share_analysis(prior)
    measures = a.indicators.bind(a)
    rng = np.random.default_rng(seed)
    hits, widths = [], []
    for _ in range(reps):
        truth = float(prior.ppf(rng.random()))
        k = rng.binomial(n_obs, truth, size=m)
        periods = pd.DataFrame(
            {"indicator": "share", "period": np.arange(1, m + 1), "value": k / n_obs, "n": n_obs}
        )
        post = update_estimates(a, measures, periods, update_n, 1)[0].parameters["share"]
        lo, hi = post.quantile(0.1), post.quantile(0.9)
        hits.append(lo <= truth <= hi)
        widths.append(hi - lo)
    return float(np.mean(hits)), float(np.mean(widths))


def test_posterior_intervals_cover_a_known_truth_and_narrow_with_more_data():
    """Simulated monitoring streams from a truth drawn from the prior: the 80% posterior interval
    covers it at about 80%, for the conjugate update (Beta prior) and for importance reweighting
    (PERT prior), and it narrows as periods of data arrive."""
    cover_1, width_1 = _coverage(sroi.Beta(4, 6), 1, 30, 300, 100, seed=11)
    cover_4, width_4 = _coverage(sroi.Beta(4, 6), 4, 30, 300, 100, seed=12)
    # 300 replications: binomial sd of the coverage 0.023; tolerance 3 sd
    assert abs(cover_1 - 0.8) < 0.07 and abs(cover_4 - 0.8) < 0.07
    assert width_4 < 0.6 * width_1
    cover_rw, width_rw = _coverage(sroi.Pert(0.1, 0.3, 0.6), 2, 40, 150, 6000, seed=13)
    # 150 replications (sd 0.033) and a fitted posterior from 6,000 prior draws: tolerance 0.1
    assert abs(cover_rw - 0.8) < 0.1
    _, width_rw4 = _coverage(sroi.Pert(0.1, 0.3, 0.6), 8, 40, 40, 6000, seed=14)
    assert width_rw4 < 0.7 * width_rw


# -- the evaluative re-run -----------------------------------------------------------------------
def test_evaluative_sroi_known_answer():
    """Share measured at 0.5 in period 1 (n large): to date 100 x 0.5 x 10 = 500 in period-1 money
    over inputs 100 x 1.035 compounded to period 1; whole life adds 500 / 1.035 and 500 / 1.035^2."""
    a = share_analysis()
    ev = evaluation(a, rows(("share", 1, 0.5, "", 10_000_000)), n=2000, seed=3)
    assert np.allclose(ev.ratio_to_date, 500 / 103.5, rtol=1e-12)
    whole = (500 + 500 / 1.035 + 500 / 1.035**2) / 103.5
    # the posterior of the share after 10^7 trials is within about 2e-4 of 0.5
    assert np.median(ev.whole_life) == pytest.approx(whole, rel=1e-3)
    table = ev.table.set_index("figure")
    assert table.loc["evaluative SROI to date (actuals)", "periods"] == "1-1"
    moved = ev.moved_by.set_index("indicator")
    assert moved.loc["all together", "whole_life_p50"] == pytest.approx(np.median(ev.whole_life))


def test_past_periods_of_a_product_equal_the_actual():
    a = sroi.load(MODEL)
    system = load_indicators(dataset_path("elderly_mode", "indicators.yaml"), a)
    measures = system.bind(a)
    draws = a.simulate(500, seed=1, keep_draws=True).draws
    periods = pd.DataFrame(
        {
            "indicator": ["active_older_users", "active_share"],
            "period": [1, 1],
            "value": [1.0e6, 0.12],
            "n": [np.nan, 1000],
        }
    )
    values = past_values(measures, periods, 1, draws)
    assert np.allclose(values["active_share"], 0.12)  # the single estimate is set first
    product = (
        120e6 * values["in_use_in_china_share"] * values["older_users_per_device"] * values["active_share"]
    )
    assert np.allclose(product, 1.0e6, rtol=1e-12)


def test_elderly_mode_loop_on_the_synthetic_data():
    a = sroi.load(MODEL)
    system = load_indicators(dataset_path("elderly_mode", "indicators.yaml"), a)
    mon = a.monitor(SYNTHETIC, system, n=2000, seed=5)
    assert len(mon.rows) == len(pd.read_csv(SYNTHETIC))  # nothing dropped
    statuses = set(mon.table["status"])
    assert {"on track", "at risk", "off track"} <= statuses
    ev = mon.evaluation()
    t = ev.table.set_index("figure")["ratio_p50"]
    assert t["evaluative SROI to date (actuals)"] < t["whole life: actuals to date, updated forecast after"]


def test_synthetic_monitoring_script_reproduces_the_packaged_files(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "make_synthetic_monitoring.py"
    spec = importlib.util.spec_from_file_location("make_synthetic_monitoring", script)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--out", str(tmp_path)]) == 0
    written = sorted(tmp_path.iterdir())
    assert [f.name for f in written] == [
        "SYNTHETIC_elderly_mode_monitoring.csv",
        "SYNTHETIC_elderly_mode_monitoring_truth.json",
    ]
    for f in written:
        assert f.read_bytes() == dataset_path("elderly_mode", f.name).read_bytes(), f.name
