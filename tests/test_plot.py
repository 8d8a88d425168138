"""Tests of sroi.plot: each chart returns an Axes with the expected bars and lines."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import sroi
from sroi import plot, sensitivity
from sroi.exceptions import SROIError
from tests.conftest import make_analysis

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def uncertain():
    return make_analysis(
        quantity=sroi.Uniform(5, 15, unit=sroi.ureg.person),
        deadweight=sroi.Triangular(0.1, 0.2, 0.4),
        attribution=sroi.Uniform(0.0, 0.2),
    )


def test_plot_tornado_two_bars_per_estimate_from_the_base():
    a = uncertain()
    df = sensitivity.tornado(a)
    ax = plot.plot_tornado(df)
    assert len(ax.patches) == 2 * len(df)
    assert len(ax.lines) == 1  # the base line
    base = df.attrs["base_output"]
    assert ax.lines[0].get_xdata()[0] == pytest.approx(base)
    # the top row is the largest swing; bars run from the base to the ratio
    top_low = ax.patches[len(df) - 1]
    assert top_low.get_x() + top_low.get_width() == pytest.approx(df["ratio_low"].iloc[0])
    assert ax.get_yticklabels()[-1].get_text().startswith(df["label"].iloc[0])


def test_plot_tornado_from_analysis_on_given_axes():
    _, ax = plt.subplots()
    out = plot.plot_tornado(make_analysis(), ax=ax, include="all")
    assert out is ax
    assert len(ax.patches) == 2 * len(make_analysis().compiled.slots)


def test_plot_tornado_rejects_other_tables():
    import pandas as pd

    with pytest.raises(SROIError, match="tornado"):
        plot.plot_tornado(pd.DataFrame({"key": ["a"]}))


class Sim:
    def __init__(self, ratio):
        self.ratio = np.asarray(ratio)


def test_plot_ratio_distribution_histogram_cdf_and_probability():
    rng = np.random.default_rng(0)
    sim = Sim(rng.lognormal(0.3, 0.4, 1000))
    ax = plot.plot_ratio_distribution(sim, target=1.5, bins=30)
    assert len(ax.patches) == 30
    assert len(ax.lines) == 1 and ax.lines[0].get_xdata()[0] == 1.5  # target
    assert len(ax.twin_cdf.lines) == 1
    cdf = ax.twin_cdf.lines[0].get_ydata()
    assert cdf[-1] == pytest.approx(1.0) and np.all(np.diff(cdf) > 0)
    assert ax.get_title() == f"P(ratio > 1.5) = {np.mean(sim.ratio > 1.5):.1%}"


def test_plot_ratio_distribution_needs_ratios():
    with pytest.raises(SROIError, match="finite"):
        plot.plot_ratio_distribution(np.array([np.nan]))


def test_plot_waterfall_stages_by_hand():
    # 10 person x 10 GBP x 3 years = 300; x0.9 x0.8 x0.5 -> 36 a year;
    # drop-off 10%: 36 + 32.4 + 29.16 = 97.56; then discounting to the PV
    a = make_analysis(deadweight=0.1, displacement=0.2, attribution=0.5, drop_off=0.1)
    result = a.evaluate()
    ax = plot.plot_waterfall(result)
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 7
    pv = result.present_value.magnitude
    expected = [300.0, 30.0, 54.0, 108.0, 108.0 - 97.56, 97.56 - pv, pv]
    assert heights == pytest.approx(expected)
    assert ax.patches[-1].get_y() == 0.0
    assert ax.lines[0].get_ydata()[0] == pytest.approx(result.total_inputs.magnitude)


def test_plot_waterfall_with_mid_year_schedule_and_shared_parameters():
    outcomes = [
        sroi.Outcome(
            "A", "a", quantity="10 person", proxy="10 GBP/person", attribution=sroi.Ref("x"), duration=2
        ),
        sroi.Outcome(
            "B", "b", quantity="5 person", proxy="10 GBP/person", attribution=sroi.Ref("x"), start=2
        ),
    ]
    a = sroi.Analysis(
        name="W",
        currency="GBP",
        outcomes=outcomes,
        inputs=[sroi.Input("F", "g", "100 GBP")],
        parameters={"x": 0.5},
        discount_rate=(0.035, 0.03),
        discount_timing="mid_year",
    )
    ax = plot.plot_waterfall(a)
    heights = [p.get_height() for p in ax.patches]
    assert heights[0] == pytest.approx(250.0)  # 100 x 2 + 50, undiscounted, unfiltered
    assert heights[3] == pytest.approx(125.0)  # attribution 50%
    assert heights[-1] == pytest.approx(a.evaluate().present_value.magnitude)


def test_plot_by_stakeholder_one_bar_each():
    outcomes = [
        sroi.Outcome("A", "a", quantity="10 person", proxy="10 GBP/person"),
        sroi.Outcome("B", "b", quantity="5 person", proxy="10 GBP/person"),
        sroi.Outcome("A", "c", quantity="1 person", proxy="10 GBP/person"),
    ]
    a = sroi.Analysis(name="S", currency="GBP", outcomes=outcomes, inputs=[sroi.Input("F", "g", "100 GBP")])
    result = a.evaluate()
    ax = plot.plot_by_stakeholder(result)
    assert len(ax.patches) == 2
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == pytest.approx(sorted(result.by_stakeholder["present_value"]))
    assert ax.get_yticklabels()[-1].get_text() == "A"  # largest on top


def test_plot_cumulative_two_lines_from_per_year():
    a = make_analysis(inputs=[sroi.Input("F", "g", "100 GBP"), sroi.Input("F", "h", "50 GBP", year=2)])
    result = a.evaluate()
    ax = plot.plot_cumulative(result)
    assert len(ax.lines) == 2
    py = result.per_year
    assert ax.lines[0].get_ydata() == pytest.approx(py["present_value"].cumsum().to_numpy())
    assert ax.lines[1].get_ydata() == pytest.approx(py["inputs_present_value"].cumsum().to_numpy())
    assert "period 2" in ax.get_title()


def test_plots_reject_other_objects():
    with pytest.raises(SROIError, match="Result or an Analysis"):
        plot.plot_waterfall(object())
