"""Charts of an SROI analysis: tornado, ratio distribution, value waterfall, stakeholders, payback.

Every function draws on a matplotlib Axes (a new figure when ``ax`` is None) and returns it;
nothing calls ``plt.show()``, so the functions work with any backend, including ``Agg``. Text
from the model (stakeholders, outcomes, parameter names) is shown as typed: a ``$`` in it is
escaped, never read as matplotlib mathtext.
Numbers come from the engine (:func:`sroi.engine.run` through ``analysis.compiled.run``) or from
results computed by it: no chart repeats the SROI arithmetic.

References
----------
.. [1] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment,
   stages 5 and 6 (calculating and reporting the SROI, sensitivity analysis).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi.exceptions import SROIError
from sroi.formatting import format_number
from sroi.glossary import FILTERS
from sroi.result import evaluate
from sroi.sensitivity import tornado

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_acceptability",
    "plot_by_stakeholder",
    "plot_cumulative",
    "plot_ratio_distribution",
    "plot_tornado",
    "plot_waterfall",
]


def _axes(ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new


def _as_result(obj: Any) -> Any:
    """A Result from a Result or an Analysis (evaluated at point values)."""
    if hasattr(obj, "by_outcome") and hasattr(obj, "analysis"):
        return obj
    if hasattr(obj, "compiled") and hasattr(obj, "outcomes"):
        return evaluate(obj)
    raise SROIError(f"expected a Result or an Analysis, got {type(obj).__name__}", "result")


def _plain(text: Any) -> str:
    """Text shown as typed: every ``$`` escaped, so matplotlib never reads it as mathtext
    (a stakeholder named ``$x$`` would otherwise be typeset, or fail to parse)."""
    return str(text).replace("$", r"\$")


def _wrap(text: str, width: int = 38) -> str:
    """Wrap a long label onto lines of at most ``width`` characters."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def plot_tornado(df_or_analysis: Any, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Tornado chart: the output with each estimate at its low and high value.

    Parameters
    ----------
    df_or_analysis : DataFrame or Analysis
        A table from :func:`sroi.sensitivity.tornado`, or an analysis (then ``kwargs`` are
        passed to :func:`~sroi.sensitivity.tornado`).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Two bars per estimate (low value, high value) from the base output, largest swing on
        top, and a vertical line at the base.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP",
    ...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person", deadweight=sroi.Uniform(0.1, 0.3))],
    ... )
    >>> ax = plot_tornado(a)
    >>> len(ax.patches)
    2
    >>> plt.close(ax.figure)
    """
    df = df_or_analysis if isinstance(df_or_analysis, pd.DataFrame) else tornado(df_or_analysis, **kwargs)
    output = df.attrs.get("output", "ratio")
    lo_col, hi_col = f"{output}_low", f"{output}_high"
    missing = [c for c in ("key", "low_value", "high_value", lo_col, hi_col) if c not in df.columns]
    if missing or "base_output" not in df.attrs:
        raise SROIError(
            f"expected a table from sroi.sensitivity.tornado (missing {missing or 'attrs[base_output]'})",
            "df_or_analysis",
        )
    base = float(df.attrs["base_output"])
    ax = _axes(ax, (7.0, 1.0 + 0.45 * len(df)))
    rows = df.iloc[::-1].reset_index(drop=True)  # largest swing on top
    y = np.arange(len(rows))
    lo = rows[lo_col].to_numpy(dtype=float)
    hi = rows[hi_col].to_numpy(dtype=float)
    ax.barh(y, lo - base, left=base, height=0.6, color="C3", label="estimate at low value")
    ax.barh(y, hi - base, left=base, height=0.6, color="C2", label="estimate at high value")
    ax.axvline(base, color="black", linewidth=1)
    names = rows["label"] if "label" in rows.columns else rows["key"]
    labels = [
        f"{_plain(_wrap(str(k)))}\n({_fmt(a)} to {_fmt(b)})"
        for k, a, b in zip(names, rows["low_value"], rows["high_value"], strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.set_xlabel(output.replace("_", " "))
    ax.set_title(f"One-way sensitivity (base {output.replace('_', ' ')} {base:.2f})")
    ax.legend(loc="best", fontsize="small")
    return ax


def _fmt(v: float) -> str:
    """An end of a tornado bar: the package's one number format (no scientific notation)."""
    return format_number(v, digits=3)


def plot_ratio_distribution(
    simulation: Any, target: float = 1.0, ax: Axes | None = None, bins: int = 50
) -> Axes:
    """Histogram of Monte Carlo SROI ratios with their CDF on a twin axis.

    Parameters
    ----------
    simulation : Simulation or array_like
        A Monte Carlo result with a ``ratio`` array, or the ratios themselves.
    target : float
        Ratio marked with a vertical line (default 1, the 1:1 of the SROI Guide).
    ax : matplotlib Axes, optional
    bins : int
        Histogram bins (default 50).

    Returns
    -------
    matplotlib Axes
        The histogram's axes (the CDF is on ``ax.twin_cdf``, a twin y axis); the title gives
        P(ratio > target), the share of draws above the target.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_ratio_distribution(np.array([0.8, 1.5, 2.0, 2.5]), bins=4)
    >>> ax.get_title()
    'P(ratio > 1) = 75.0%'
    >>> plt.close(ax.figure)
    """
    ratio = np.asarray(getattr(simulation, "ratio", simulation), dtype=float).reshape(-1)
    ratio = ratio[np.isfinite(ratio)]
    if ratio.size == 0:
        raise SROIError("expected Monte Carlo ratios, got none that are finite", "simulation")
    ax = _axes(ax)
    ax.hist(ratio, bins=bins, color="C0", alpha=0.6)
    ax.set_xlabel("SROI ratio")
    ax.set_ylabel("draws")
    twin = ax.twinx()
    xs = np.sort(ratio)
    twin.plot(xs, np.arange(1, xs.size + 1) / xs.size, color="C1", label="cumulative share")
    twin.set_ylim(0.0, 1.0)
    twin.set_ylabel("cumulative share of draws")
    ax.axvline(target, color="black", linestyle="--", linewidth=1)
    p = float(np.mean(ratio > target))
    ax.set_title(f"P(ratio > {target:g}) = {p:.1%}")
    ax.twin_cdf = twin  # type: ignore[attr-defined]
    return ax


def plot_waterfall(result: Any, ax: Axes | None = None) -> Axes:
    """Waterfall from gross value to present value, one step per deduction.

    Parameters
    ----------
    result : Result or Analysis
        An evaluated analysis (an Analysis is evaluated at its point values).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Seven bars: gross value, deadweight, displacement, attribution, drop-off,
        discounting, present value [analysis currency]; a dashed line marks the inputs.

    Notes
    -----
    Each stage is one sample of a single engine call in which the deductions are switched
    on in order through field-path overrides: gross value = every filter and drop-off at 0
    and discount rate 0 (no discounting, whatever the timing); then deadweight, displacement,
    attribution and drop-off at their point values in turn; then discounting. A bar is the
    difference between consecutive stages. The order of the filter steps changes the size
    of each step (they multiply), not the total.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP",
    ...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person", deadweight=0.2, duration=2)],
    ...     discount_rate=0.0,
    ... )
    >>> ax = plot_waterfall(a)
    >>> [round(p.get_height()) for p in ax.patches]
    [10000, 2000, 0, 0, 0, 0, 8000]
    >>> plt.close(ax.figure)
    """
    res = _as_result(result)
    analysis = res.analysis
    comp = analysis.compiled
    steps = FILTERS
    paths = {name: [spec.filters[name][1] for spec in comp.outcomes] for name in steps}
    no_discount = {p: 0.0 for _, p in comp.rates}
    settings = []
    for j in range(len(steps) + 1):
        off = {p: 0.0 for name in steps[j:] for p in paths[name]}
        settings.append({**off, **no_discount})
    settings.append({})
    out = comp.run_settings(settings)
    stages = np.asarray(out.present_value, dtype=float)
    labels = [
        "gross value",
        "deadweight",
        "displacement",
        "attribution",
        "drop-off",
        "discounting",
        "present value",
    ]
    ax = _axes(ax, (8.0, 4.5))
    x = np.arange(len(labels))
    diffs = stages[:-1] - stages[1:]
    bottoms = [0.0, *np.minimum(stages[:-1], stages[1:]).tolist(), 0.0]
    heights = [stages[0], *np.abs(diffs).tolist(), stages[-1]]
    colors = ["C0"] + ["C3" if d >= 0 else "C2" for d in diffs] + ["C0"]
    ax.bar(x, heights, bottom=bottoms, color=colors, width=0.6)
    for xi, h, b, d in zip(x, heights, bottoms, [np.nan, *diffs, np.nan], strict=True):
        text = f"{h:,.0f}" if np.isnan(d) else f"{-d:+,.0f}"
        ax.annotate(text, (xi, b + h), ha="center", va="bottom", fontsize="small")
    ax.axhline(float(out.total_inputs[-1]), color="black", linestyle="--", linewidth=1, label="inputs")
    ax.set_xticks(x, labels, rotation=30, ha="right")
    ax.set_ylabel(f"value [{analysis.currency}]")
    ax.set_title(f"From gross value to present value (ratio {float(out.ratio[-1]):.2f} : 1)")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_by_stakeholder(result: Any, ax: Axes | None = None) -> Axes:
    """Present value by stakeholder, largest on top, with each share of the total.

    Parameters
    ----------
    result : Result or Analysis
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One horizontal bar per stakeholder [analysis currency].

    Examples
    --------
    >>> import matplotlib.pyplot as plt, sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP",
    ...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person"),
    ...               sroi.Outcome("Carers", "Respite", quantity="5 person", proxy="200 GBP/person")],
    ... )
    >>> ax = plot_by_stakeholder(a)
    >>> len(ax.patches)
    2
    >>> plt.close(ax.figure)
    """
    res = _as_result(result)
    df = res.by_stakeholder.iloc[::-1].reset_index(drop=True)
    ax = _axes(ax, (7.0, 1.0 + 0.45 * len(df)))
    y = np.arange(len(df))
    ax.barh(y, df["present_value"].to_numpy(dtype=float), color="C0", height=0.6)
    for yi, v, s in zip(y, df["present_value"], df["share"], strict=True):
        ax.annotate(f" {v:,.0f} ({s:.0%})", (v, yi), va="center", fontsize="small")
    ax.set_yticks(y, [_plain(name) for name in df["stakeholder"]])
    ax.set_xlabel(f"present value [{res.currency}]")
    ax.set_title("Present value by stakeholder")
    return ax


def plot_cumulative(result: Any, ax: Axes | None = None) -> Axes:
    """Cumulative present value against cumulative inputs (present value) by period.

    Parameters
    ----------
    result : Result or Analysis
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Two lines over periods 0..T from ``result.per_year`` [analysis currency]; the first
        period where cumulative value reaches cumulative inputs is noted in the title.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP",
    ...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="50 GBP/person", duration=3)],
    ...     discount_rate=0.0,
    ... )
    >>> ax = plot_cumulative(a)
    >>> len(ax.lines), ax.get_title()
    (2, 'Cumulative value and inputs (value reaches inputs in period 2)')
    >>> plt.close(ax.figure)
    """
    from matplotlib.ticker import MaxNLocator

    res = _as_result(result)
    py = res.per_year
    period = py.index.to_numpy()
    value = py["present_value"].cumsum().to_numpy(dtype=float)
    inputs = py["inputs_present_value"].cumsum().to_numpy(dtype=float)
    ax = _axes(ax)
    ax.plot(period, value, marker="o", color="C0", label="cumulative present value")
    ax.plot(period, inputs, marker="s", color="black", linestyle="--", label="cumulative inputs")
    reached = np.nonzero((value >= inputs) & (inputs > 0))[0]
    when = (
        f"value reaches inputs in period {int(period[reached[0]])}"
        if reached.size
        else "value stays below inputs"
    )
    ax.set_title(f"Cumulative value and inputs ({when})")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("period")
    ax.set_ylabel(f"present value [{res.currency}]")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_acceptability(
    table: pd.DataFrame, ax: Axes | None = None, frontier: pd.DataFrame | None = None
) -> Axes:
    """Acceptability curves: the probability that each option is the best, by threshold.

    Parameters
    ----------
    table : DataFrame
        Thresholds λ (index) by options (columns), each cell P(option has the highest net
        benefit PV - λ x inputs): :attr:`sroi.compare.Comparison.acceptability`.
    ax : matplotlib Axes, optional
    frontier : DataFrame, optional
        :attr:`sroi.compare.Comparison.evpi`; when given, its ``P(optimal is best)`` is drawn as
        the acceptability frontier (the probability of the option with the highest expected net
        benefit, Fenwick et al. 2001), a thick grey line under the curves.

    Returns
    -------
    matplotlib Axes
        One line per option; x: threshold λ (value required per unit of inputs), y: probability
        in [0, 1]; a dotted vertical line at 1:1 when it is in range. docs/method.md §14.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"A": [0.9, 0.4], "B": [0.1, 0.6]}, index=pd.Index([1.0, 2.0], name="threshold"))
    >>> ax = plot_acceptability(t)
    >>> len(ax.get_lines())
    3
    >>> plt.close(ax.figure)
    """
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise SROIError(
            "expected a table of P(best), thresholds by options (Comparison.acceptability)", "table"
        )
    x = table.index.to_numpy(dtype=float)
    ax = _axes(ax)
    if frontier is not None:
        if "P(optimal is best)" not in frontier.columns:
            raise SROIError("expected Comparison.evpi, with a 'P(optimal is best)' column", "frontier")
        ax.plot(
            frontier.index.to_numpy(dtype=float),
            frontier["P(optimal is best)"].to_numpy(dtype=float),
            color="0.8",
            linewidth=6,
            solid_capstyle="butt",
            label="acceptability frontier",
            zorder=1,
        )
    for i, label in enumerate(table.columns):
        ax.plot(
            x, table[label].to_numpy(dtype=float), color=f"C{i % 10}", label=_wrap(_plain(label)), zorder=2
        )
    if x.min() <= 1.0 <= x.max():
        ax.axvline(1.0, color="black", linestyle=":", linewidth=1, zorder=0)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(float(x.min()), float(x.max()))
    ax.set_xlabel("threshold λ: value required per unit of inputs")
    ax.set_ylabel("probability of the highest net benefit")
    ax.set_title("Acceptability curves: P(option is best), net benefit = PV - λ x inputs")
    ax.legend(loc="best", fontsize="small")
    return ax
