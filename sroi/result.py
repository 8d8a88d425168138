"""The result of evaluating an analysis: totals, breakdowns, per-year tables.

A :class:`Result` is the engine's output at one sample (the point value of every estimate)
dressed for people: money as pint quantities in the analysis currency, tables as pandas
DataFrames, an HTML view for JupyterLab and a plain one for the terminal.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi.engine import by_period
from sroi.exceptions import SROIError
from sroi.glossary import FILTERS, TIER_COLUMNS
from sroi.units import ureg

if TYPE_CHECKING:
    import pint

    from sroi.compiler import AnalysisLike
    from sroi.engine import EngineArrays, EngineOutput, PeriodOutput

__all__ = ["Result", "cash_flow_sources", "evaluate", "evaluate_many", "is_eligible", "tier_label"]


def tier_label(outcome: Any) -> str:
    """Cash tier of an outcome as reported: ``A``, ``B contracted``, ``B uncontracted`` or ``C``.

    Examples
    --------
    >>> from sroi.valuemap import Outcome
    >>> tier_label(Outcome("Council", "Fewer visits", cash_tier="B", contracted=True))
    'B contracted'
    """
    if outcome.cash_tier == "B":
        return "B contracted" if outcome.contracted else "B uncontracted"
    return str(outcome.cash_tier)


def is_eligible(outcome: Any) -> bool:
    """Whether an outcome's value can carry debt: tier A, or tier B under a signed contract
    (docs/method.md §9)."""
    return bool(outcome.cash_tier == "A" or (outcome.cash_tier == "B" and outcome.contracted))


def cash_flow_sources(outcomes: Sequence[Any]) -> pd.DataFrame:
    """One row per outcome: its cash tier, contract status, payer and eligibility for debt.

    Columns ``outcome``, ``stakeholder``, ``cash_tier``, ``contracted``, ``payer``,
    ``eligible`` (docs/method.md §9).
    """
    return pd.DataFrame(
        [
            {
                "outcome": o.outcome,
                "stakeholder": o.stakeholder,
                "cash_tier": o.cash_tier,
                "contracted": o.contracted,
                "payer": o.payer,
                "eligible": is_eligible(o),
            }
            for o in outcomes
        ],
        columns=["outcome", "stakeholder", "cash_tier", "contracted", "payer", "eligible"],
    )


def evaluate(analysis: AnalysisLike) -> Result:
    """Evaluate an analysis at the point value of every estimate: the engine at one sample.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    Result
        PV, inputs, NPV, ratio, net ratio, payback and the breakdowns (docs/method.md §3).
    """
    arrays, out = analysis.compiled.point()
    return Result(analysis, out, arrays)


#: Outputs of :func:`evaluate_many`, one column each.
MANY_OUTPUTS = ("ratio", "net_ratio", "present_value", "net_present_value", "total_inputs", "payback_months")


def evaluate_many(analysis: AnalysisLike, values: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
    """Evaluate thousands of what-ifs in one vectorised pass: the way to sweep an analysis.

    Parameters
    ----------
    analysis : Analysis
    values : DataFrame or mapping of str to array-like
        One column per estimate to change, named by parameter name or field path (as in
        ``analysis.estimates()``), one row per what-if; values in the estimate's unit (fractions
        for filters, whole years for durations). Estimates not named keep their point value; a
        field path changes that one field only.

    Returns
    -------
    DataFrame
        The given columns, then ``ratio``, ``net_ratio``, ``present_value``,
        ``net_present_value``, ``total_inputs`` [analysis currency] and ``payback_months``, one
        row per what-if (the same index as ``values``).

    Raises
    ------
    SROIError
        A column that names no estimate (the message lists them), columns of different
        lengths, or values that are not finite numbers.

    Notes
    -----
    The rows go through the engine in chunks of 32,768 (docs/method.md §3): 10,000 what-ifs
    take a few milliseconds, where ``analysis.replace(...).evaluate()`` in a loop validates and
    compiles a new analysis every time.

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis("t", "GBP", [sroi.Outcome("Carers", "Respite", quantity="5 person",
    ...                    proxy="200 GBP/person", deadweight=0.2)],
    ...                    [sroi.Input("Funder", "Grant", "100 GBP")], discount_rate=0.0)
    >>> evaluate_many(a, {"outcomes[0].deadweight": [0.0, 0.5]})["ratio"].tolist()
    [10.0, 5.0]
    """
    frame = values if isinstance(values, pd.DataFrame) else None
    if frame is None:
        if not isinstance(values, Mapping):
            raise SROIError(
                f"expected a DataFrame or a mapping of estimate -> values, got {type(values).__name__}",
                "values",
            )
        try:
            frame = pd.DataFrame({k: np.atleast_1d(np.asarray(v)) for k, v in values.items()})
        except ValueError as exc:
            raise SROIError(f"the columns differ in length ({exc})", "values") from None
    comp = analysis.compiled
    columns: dict[str, np.ndarray] = {}
    for name in frame.columns:
        comp.resolve(name, "values")
        try:
            col = np.asarray(frame[name], dtype=float)
        except (TypeError, ValueError):
            raise SROIError(f"expected numbers, got {frame[name].dtype}", f"values[{name!r}]") from None
        if not np.isfinite(col).all():
            raise SROIError("expected finite numbers", f"values[{name!r}]")
        columns[str(name)] = col
    if not columns:
        raise SROIError("expected at least one column of values", "values")
    outputs = comp.run_batched(columns, MANY_OUTPUTS)
    out = frame.copy()
    for name in MANY_OUTPUTS:
        out[name] = outputs[name]
    out.attrs["currency"] = analysis.currency
    return out


class Result:
    """Deterministic SROI result (docs/method.md §3).

    Parameters
    ----------
    analysis : Analysis
    output : sroi.engine.EngineOutput
        The engine's output at one sample.
    arrays : sroi.engine.EngineArrays
        The engine inputs that produced it (shown in :attr:`by_outcome`; per-period tables are
        computed from them by :func:`sroi.engine.by_period` when first asked for).

    Attributes
    ----------
    analysis : Analysis
    present_value : Quantity [currency]
        Total present value of the outcomes.
    total_inputs : Quantity [currency]
        Present value of the inputs.
    net_present_value : Quantity [currency]
        ``present_value - total_inputs``.
    ratio : float
        SROI ratio, ``present_value / total_inputs``.
    net_ratio : float
        Net SROI ratio, ``(present_value - total_inputs) / total_inputs``.
    payback_months : float
        ``total_inputs / (annual impact / 12)``; infinite when the annual impact is zero.
    """

    def __init__(self, analysis: AnalysisLike, output: EngineOutput, arrays: EngineArrays) -> None:
        if output.ratio.shape[0] != 1:
            raise SROIError(f"a Result is one sample; the output has {output.ratio.shape[0]}", "output")
        self.analysis = analysis
        self._out = output
        self._arrays = arrays
        cur = analysis.currency
        self.currency: str = cur
        self.present_value: pint.Quantity = ureg.Quantity(float(output.present_value[0]), cur)
        self.total_inputs: pint.Quantity = ureg.Quantity(float(output.total_inputs[0]), cur)
        self.net_present_value: pint.Quantity = ureg.Quantity(float(output.net_present_value[0]), cur)
        self.ratio: float = float(output.ratio[0])
        self.net_ratio: float = float(output.net_ratio[0])
        self.payback_months: float = float(output.payback_months[0])

    # -- tables -------------------------------------------------------------------------
    @cached_property
    def by_outcome(self) -> pd.DataFrame:
        """One row per outcome: the Value Map's impact columns and each outcome's PV and share.

        Every number is the engine's: ``quantity`` is the units reached in the first year
        [``quantity_unit``], ``proxy`` the value of one unit for one year in the analysis
        currency [``proxy_unit``] after unit, currency and price-year conversion, ``duration``
        the whole years the engine counts, ``impact`` = quantity x proxy x (1 - deadweight) x
        (1 - displacement) x (1 - attribution) (docs/method.md §3).
        """
        a, arr, out = self.analysis, self._arrays, self._out
        comp = a.compiled
        pv_total = float(out.present_value[0])
        rows = []
        for i, (o, spec) in enumerate(zip(a.outcomes, comp.outcomes, strict=True)):
            pv = float(out.present_value_by_outcome[i, 0])
            rows.append(
                {
                    "id": a.outcome_ids[i],
                    "stakeholder": o.stakeholder,
                    "outcome": o.outcome,
                    "indicator": o.indicator,
                    "quantity": float(arr.quantity[i, 0]),
                    "quantity_unit": spec.reached_unit,
                    "proxy": float(arr.proxy[i, 0]),
                    "proxy_unit": spec.proxy_unit,
                    "proxy_source": o.proxy_source,
                    **{name: float(getattr(arr, name)[i, 0]) for name in FILTERS},
                    "overlap": float(arr.overlap[i, 0]),
                    "duration": int(arr.duration[i, 0]),
                    "start": int(arr.start[i]),
                    "cash_tier": tier_label(o),
                    "impact": float(out.impact[i, 0]),
                    "present_value": pv,
                    "share": pv / pv_total if pv_total else np.nan,
                }
            )
        df = pd.DataFrame(rows)
        df.attrs["currency"] = a.currency
        return df

    @cached_property
    def by_stakeholder(self) -> pd.DataFrame:
        """Present value by stakeholder, with its share of the total, largest first."""
        df = self.by_outcome.groupby("stakeholder", sort=False)["present_value"].sum().reset_index()
        total = df["present_value"].sum()
        df["share"] = df["present_value"] / total if total else np.nan
        df = df.sort_values("present_value", ascending=False, kind="stable").reset_index(drop=True)
        df.attrs["currency"] = self.currency
        return df

    @cached_property
    def _periods(self) -> PeriodOutput:
        a = self.analysis.compiled
        return by_period(self._arrays, a.timing, a.reference_period)

    @cached_property
    def per_year(self) -> pd.DataFrame:
        """One row per period 0..T: value, discount factor, PV, inputs and cumulative NPV.

        Values and present values are the engine's per-period output summed over outcomes;
        inputs are paid in their period (docs/method.md §3).
        """
        p = self._periods
        n = p.values.shape[0]
        disc = np.broadcast_to(p.discount[:, 0], (n + 1,))
        inputs = p.inputs[:, 0]
        df = pd.DataFrame(
            {
                "period": np.arange(n + 1),
                "value": np.concatenate([[0.0], p.values[:, :, 0].sum(axis=1)]),
                "discount_factor": disc,
                "present_value": np.concatenate([[0.0], p.present_values[:, :, 0].sum(axis=1)]),
                "inputs": inputs,
                "inputs_present_value": inputs * disc,
            }
        )
        df["cumulative_net_present_value"] = (df["present_value"] - df["inputs_present_value"]).cumsum()
        df.attrs["currency"] = self.currency
        return df.set_index("period")

    def _by_period_frame(self, values: np.ndarray) -> pd.DataFrame:
        labels = [o.label for o in self.analysis.outcomes]
        idx = pd.RangeIndex(1, values.shape[0] + 1, name="period")
        return pd.DataFrame(values[:, :, 0], index=idx, columns=labels)

    @cached_property
    def per_year_by_outcome(self) -> pd.DataFrame:
        """Undiscounted value of each outcome (columns) in each period 1..T (rows)."""
        return self._by_period_frame(self._periods.values)

    @cached_property
    def present_value_by_period(self) -> pd.DataFrame:
        """Discounted value of each outcome (columns) in each period 1..T (rows), as the engine
        computed it; each column sums to the outcome's present value."""
        return self._by_period_frame(self._periods.present_values)

    @cached_property
    def value_by_tier(self) -> pd.DataFrame:
        """Undiscounted value per period by cash tier (A, B contracted, B uncontracted, C)."""
        by = self.per_year_by_outcome
        tiers = [tier_label(o) for o in self.analysis.outcomes]
        df = pd.DataFrame({t: by.loc[:, [x == t for x in tiers]].sum(axis=1) for t in TIER_COLUMNS})
        pv_o = self._out.present_value_by_outcome[:, 0]
        df.loc["present_value"] = [float(np.sum(pv_o[[x == t for x in tiers]])) for t in TIER_COLUMNS]
        return df

    @cached_property
    def conversions(self) -> pd.DataFrame:
        """Every currency and price-year conversion used (one row each; empty when none)."""
        records = [c.to_dict() for c in self.analysis.compiled.conversions]
        return pd.DataFrame(records)

    @property
    def summary(self) -> pd.DataFrame:
        """Headline figures as a two-column table (metric, value)."""
        cur = self.currency
        rows = [
            ("present_value", f"{self.present_value.magnitude:,.2f} {cur}"),
            ("total_inputs", f"{self.total_inputs.magnitude:,.2f} {cur}"),
            ("net_present_value", f"{self.net_present_value.magnitude:,.2f} {cur}"),
            ("ratio", f"{self.ratio:.2f} : 1"),
            ("net_ratio", f"{self.net_ratio:.2f} : 1"),
            ("payback_months", f"{self.payback_months:.1f}"),
        ]
        return pd.DataFrame(rows, columns=["metric", "value"]).set_index("metric")

    def to_frame(self) -> pd.DataFrame:
        """The value map with results: :attr:`by_outcome`."""
        return self.by_outcome.copy()

    # -- cash-flow protocol used by sroi.finance ----------------------------------------
    def eligible_cash_flows(self) -> np.ndarray:
        """Tier A plus contracted tier B value per period 1..T, shape (1, T) [currency]."""
        mask = np.array([is_eligible(o) for o in self.analysis.outcomes], dtype=bool)
        return self._periods.values[:, mask, 0].sum(axis=1)[None, :]

    @property
    def tenor_cap(self) -> int:
        """Last period with eligible cash (0 when there is none)."""
        flows = self.eligible_cash_flows()[0]
        nz = np.nonzero(flows > 0)[0]
        return int(nz[-1] + 1) if nz.size else 0

    def cash_flow_sources(self) -> pd.DataFrame:
        """One row per outcome: its cash tier, contract status, payer and eligibility for debt."""
        return cash_flow_sources(self.analysis.outcomes)

    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """Write this deterministic result as a small self-contained HTML page.

        Only the point result (headline figures, value map, stakeholders, years); nothing is
        simulated. The full report, with the Monte Carlo, switching values and credit lines, is
        :func:`sroi.analyse` (``sroi.analyse(analysis).to_html(path)``).

        Returns
        -------
        pathlib.Path
            The path written.
        """
        title = html.escape(f"SROI result: {self.analysis.name}")
        body = [
            f"<h1>{title}</h1>",
            self.summary.to_html(border=0),
            "<h2>By outcome</h2>",
            self.by_outcome.to_html(index=False, border=0, float_format=lambda x: f"{x:,.4g}"),
            "<h2>By stakeholder</h2>",
            self.by_stakeholder.to_html(index=False, border=0, float_format=lambda x: f"{x:,.4g}"),
            "<h2>By year</h2>",
            self.per_year.to_html(border=0, float_format=lambda x: f"{x:,.4g}"),
        ]
        page = (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:70em;margin:auto}}"
            "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style>"
            f"</head><body>{''.join(body)}</body></html>"
        )
        p = Path(path)
        p.write_text(page, encoding="utf-8")
        return p

    # -- display --------------------------------------------------------------------------
    def __repr__(self) -> str:
        cur = self.currency
        lines = [
            f"SROI result: {self.analysis.name}",
            f"  present value      {self.present_value.magnitude:>18,.2f} {cur}",
            f"  inputs             {self.total_inputs.magnitude:>18,.2f} {cur}",
            f"  net present value  {self.net_present_value.magnitude:>18,.2f} {cur}",
            f"  SROI ratio         {self.ratio:>18.2f} : 1",
            f"  net SROI ratio     {self.net_ratio:>18.2f} : 1",
            f"  payback            {self.payback_months:>18.1f} months",
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title = html.escape(self.analysis.name)
        cols = ["stakeholder", "outcome", "impact", "present_value", "share"]
        table = self.by_outcome[cols].to_html(index=False, float_format=lambda x: f"{x:,.2f}", border=0)
        head = self.summary.to_html(border=0)
        return f"<div class='sroi-result'><h4>SROI result: {title}</h4>{head}<h5>By outcome</h5>{table}</div>"
