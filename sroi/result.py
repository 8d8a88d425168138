"""The result of evaluating an analysis: totals, breakdowns, per-year tables.

A :class:`Result` is the engine's output at one sample (the point value of every estimate)
dressed for people: money as pint quantities in the analysis currency, tables as pandas
DataFrames, an HTML view for JupyterLab and a plain one for the terminal.
"""

from __future__ import annotations

import html
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pint

from sroi.engine import EngineOutput
from sroi.units import ureg

if TYPE_CHECKING:
    from sroi.model import Analysis

__all__ = ["Result", "tier_label"]


def tier_label(outcome: Any) -> str:
    """Cash tier of an outcome as reported: ``A``, ``B contracted``, ``B uncontracted`` or ``C``."""
    if outcome.cash_tier == "B":
        return "B contracted" if outcome.contracted else "B uncontracted"
    return str(outcome.cash_tier)


TIER_COLUMNS = ("A", "B contracted", "B uncontracted", "C")


class Result:
    """Deterministic SROI result (SROI_METHOD.md §2).

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

    def __init__(self, analysis: Analysis, output: EngineOutput) -> None:
        self.analysis = analysis
        self._out = output
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
        """One row per outcome: the Value Map's impact columns and each outcome's PV and share."""
        from sroi.parameters import point_values

        a = self.analysis
        comp = a._compiled
        vals = point_values(a)
        rows = []
        pv_total = float(self._out.present_value[0])
        for i, (o, spec) in enumerate(zip(a.outcomes, comp.outcomes, strict=True)):
            pv = float(self._out.present_value_by_outcome[0, i])
            q = vals[spec.quantity[0][0]] * spec.quantity[0][2] * spec.reached_scale
            for fkey, _ in spec.factors:
                q *= vals[fkey]
            rows.append(
                {
                    "stakeholder": o.stakeholder,
                    "outcome": o.outcome,
                    "indicator": o.indicator,
                    "quantity": q,
                    "quantity_unit": spec.reached_unit,
                    "proxy": vals[spec.proxy[0]],
                    "proxy_unit": str(comp.slots[spec.proxy[0]].unit or ""),
                    "proxy_source": o.proxy_source,
                    "deadweight": vals[spec.filters["deadweight"][0]],
                    "displacement": vals[spec.filters["displacement"][0]],
                    "attribution": vals[spec.filters["attribution"][0]],
                    "drop_off": vals[spec.filters["drop_off"][0]],
                    "duration": round(vals[spec.duration[0]]),
                    "start": o.start,
                    "cash_tier": tier_label(o),
                    "impact": float(self._out.impact[0, i]),
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
    def per_year(self) -> pd.DataFrame:
        """One row per period 0..T: value, discount factor, PV, inputs and cumulative NPV."""
        out = self._out
        assert out.period_values is not None
        values = out.period_values[0].sum(axis=0)
        n = values.shape[0]
        disc = np.broadcast_to(out.discount, (1, n + 1))[0]
        value = np.concatenate([[0.0], values])
        a = self.analysis
        inputs = np.zeros(n + 1)
        comp = a._compiled
        arrays = comp.arrays(_point(a))
        for j, year in enumerate(comp.input_years):
            inputs[year] += float(arrays.inputs[0, j])
        df = pd.DataFrame(
            {
                "period": np.arange(n + 1),
                "value": value,
                "discount_factor": disc,
                "present_value": value * disc,
                "inputs": inputs,
                "inputs_present_value": inputs * disc,
            }
        )
        df["cumulative_net_present_value"] = (df["present_value"] - df["inputs_present_value"]).cumsum()
        df.attrs["currency"] = self.currency
        return df.set_index("period")

    @cached_property
    def per_year_by_outcome(self) -> pd.DataFrame:
        """Undiscounted value of each outcome (columns) in each period 1..T (rows)."""
        assert self._out.period_values is not None
        pv = self._out.period_values[0]
        labels = [o.label for o in self.analysis.outcomes]
        df = pd.DataFrame(pv.T, index=pd.RangeIndex(1, pv.shape[1] + 1, name="period"), columns=labels)
        return df

    @cached_property
    def value_by_tier(self) -> pd.DataFrame:
        """Undiscounted value per period by cash tier (A, B contracted, B uncontracted, C)."""
        by = self.per_year_by_outcome
        tiers = [tier_label(o) for o in self.analysis.outcomes]
        df = pd.DataFrame({t: by.loc[:, [x == t for x in tiers]].sum(axis=1) for t in TIER_COLUMNS})
        df.loc["present_value"] = [
            float(np.sum(self._out.present_value_by_outcome[0][[x == t for x in tiers]]))
            for t in TIER_COLUMNS
        ]
        return df

    @cached_property
    def conversions(self) -> pd.DataFrame:
        """Every currency and price-year conversion used (one row each; empty when none)."""
        records = [c.to_dict() for c in self.analysis._compiled.conversions]
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
        assert self._out.period_values is not None
        mask = np.array([_eligible(o) for o in self.analysis.outcomes])
        return self._out.period_values[:, mask, :].sum(axis=1)

    @property
    def tenor_cap(self) -> int:
        """Last period with eligible cash (0 when there is none)."""
        flows = self.eligible_cash_flows()[0]
        nz = np.nonzero(flows > 0)[0]
        return int(nz[-1] + 1) if nz.size else 0

    def cash_flow_sources(self) -> pd.DataFrame:
        """One row per outcome: its cash tier, contract status, payer and eligibility for debt."""
        return pd.DataFrame(
            [
                {
                    "outcome": o.outcome,
                    "stakeholder": o.stakeholder,
                    "cash_tier": o.cash_tier,
                    "contracted": o.contracted,
                    "payer": o.payer,
                    "eligible": _eligible(o),
                }
                for o in self.analysis.outcomes
            ]
        )

    def to_html(self, path: Any, n: int = 20_000, seed: Any = 20231125, **kwargs: Any) -> Any:
        """Write a self-contained HTML report of this analysis (runs :func:`sroi.report.analyse`
        with ``n`` Monte Carlo draws and ``seed`` for the uncertainty sections)."""
        from sroi.report import analyse

        return analyse(self.analysis, n=n, seed=seed, **kwargs).to_html(path)

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


def _point(analysis: Analysis) -> dict[str, float]:
    from sroi.parameters import point_values

    return point_values(analysis)


def _eligible(outcome: Any) -> bool:
    return outcome.cash_tier == "A" or (outcome.cash_tier == "B" and outcome.contracted)
