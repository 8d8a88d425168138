"""Sustainability-linked loan overlay: the margin ratchet.

A margin ratchet lowers a loan's interest margin by a few basis points for each social KPI
target met (typically 1-10 bp per KPI). It prices the loan; it does not add debt capacity,
which comes only from contracted, verifiable cash (:func:`sroi.finance.credit_line`).

References
----------
.. [1] LMA / APLMA / LSTA (2023). Sustainability-Linked Loan Principles.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pint

from sroi.exceptions import SROIError
from sroi.finance.cashflows import as_number, money_magnitude, warn
from sroi.finance.formatting import format_amount, frame_html, records
from sroi.units import Q_

__all__ = ["MarginRatchet", "margin_ratchet"]


@dataclass(frozen=True, eq=False)
class MarginRatchet:
    """Interest saved by a sustainability-linked margin ratchet.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per KPI: kpi, target, actual, direction, met, bps, saving [currency year^-1].
    total_saving : float or pint.Quantity [currency year^-1]
        Annual interest saving.
    total_bps : float [bp]
        Margin reduction earned, in basis points.
    drawn_balance : float [currency]
        Drawn balance the margin applies to.
    currency : str or None
        ISO code when the balance was a money quantity.
    """

    table: pd.DataFrame
    total_saving: float | pint.Quantity
    total_bps: float
    drawn_balance: float
    currency: str | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """Headline figures in one ``value`` column."""
        saving = self.total_saving
        rows: dict[str, Any] = {"kpis_met": int(self.table["met"].sum()), "kpis": len(self.table)}
        rows |= {
            "total_bps": self.total_bps,
            "drawn_balance": self.drawn_balance,
            "currency": self.currency or "",
        }
        rows["annual_saving"] = float(saving.magnitude if isinstance(saving, pint.Quantity) else saving)
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of the ratchet."""
        return {str(k): v for k, v in self.summary["value"].items()} | {"table": records(self.table)}

    def __repr__(self) -> str:
        s = self.summary["value"]
        return (
            f"MarginRatchet: {s['kpis_met']} of {s['kpis']} KPI targets met, {self.total_bps:g} bp off the "
            f"margin, saving {format_amount(float(s['annual_saving']), self.currency)} a year (prices the loan; adds no capacity)"
        )

    def _repr_html_(self) -> str:
        return f"<div><p>{html.escape(repr(self))}</p>{frame_html(self.table)}</div>"


def margin_ratchet(
    drawn_balance: float | pint.Quantity,
    bps_per_kpi: float | Mapping[str, float],
    kpis: Mapping[str, bool] | pd.DataFrame,
) -> MarginRatchet:
    """Annual interest saved by meeting sustainability-linked KPI targets.

    Parameters
    ----------
    drawn_balance : float or pint.Quantity [currency]
        Average drawn balance the margin applies to, >= 0.
    bps_per_kpi : float or mapping of str to float [bp]
        Margin reduction per KPI target met, in basis points (1 bp = 0.01%), one for all KPIs
        or one per KPI name. Typically 1-10 bp per KPI; above 25 bp warns (SROIWarning).
    kpis : mapping of str to bool, or pandas.DataFrame
        KPI name -> target met; or a table with columns ``kpi``, ``target``, ``actual`` and
        optionally ``direction`` ('higher', the default, or 'lower' is better). A KPI with no
        actual (NaN) counts as not met.

    Returns
    -------
    MarginRatchet
        ``table`` per KPI and ``total_saving`` [currency year^-1].

    Raises
    ------
    SROIError
        If the balance is negative, a bps is negative, a KPI flag is not a bool, a column is
        missing or a direction is unknown.

    Notes
    -----
    saving = drawn_balance x Σ_k bps_k met_k / 10,000. A ratchet prices the loan: it changes
    what the borrower pays, not what the cash flows can service, so it never adds capacity to
    :func:`credit_line`.

    References
    ----------
    .. [1] LMA, APLMA and LSTA (2023). *Sustainability-Linked Loan Principles*.

    Examples
    --------
    >>> from sroi.finance import margin_ratchet
    >>> r = margin_ratchet(1_000_000, 5, {"jobs created": True, "CO2 cut": False})
    >>> r.total_saving
    500.0
    """
    if isinstance(drawn_balance, pint.Quantity):
        mag, code = money_magnitude(drawn_balance, "drawn_balance")
        balance = as_number(float(mag), "drawn_balance")
    else:
        balance, code = as_number(drawn_balance, "drawn_balance"), None
    if balance < 0:
        raise SROIError(f"expected a balance >= 0, got {balance}", field="drawn_balance")

    if isinstance(kpis, pd.DataFrame):
        missing = {"kpi", "target", "actual"} - set(kpis.columns)
        if missing:
            raise SROIError(
                f"missing column(s) {sorted(missing)}; expected kpi, target, actual", field="kpis"
            )
        table = kpis.reset_index(drop=True).copy()
        if "direction" not in table:
            table["direction"] = "higher"
        table["direction"] = table["direction"].fillna("higher").astype(str).str.lower()
        bad = sorted(set(table["direction"]) - {"higher", "lower"})
        if bad:
            raise SROIError(f"direction must be 'higher' or 'lower', got {bad}", field="kpis.direction")
        target = pd.to_numeric(table["target"], errors="coerce")
        actual = pd.to_numeric(table["actual"], errors="coerce")
        if target.isna().any():
            raise SROIError("every KPI needs a numeric target", field="kpis.target")
        met = np.where(table["direction"] == "higher", actual >= target, actual <= target) & actual.notna()
        table = table.assign(target=target, actual=actual, met=met.astype(bool))
    elif isinstance(kpis, Mapping):
        for k, v in kpis.items():
            if not isinstance(v, (bool, np.bool_)):
                raise SROIError(f"expected True/False (target met), got {v!r}", field=f"kpis[{k!r}]")
        met_flags = {"kpi": [str(k) for k in kpis], "met": [bool(v) for v in kpis.values()]}
        table = pd.DataFrame(met_flags).assign(target=np.nan, actual=np.nan, direction="")
    else:
        raise SROIError(
            f"expected a mapping name -> bool or a DataFrame, got {type(kpis).__name__}", field="kpis"
        )
    if table["kpi"].duplicated().any():
        raise SROIError("duplicate KPI names", field="kpis")

    if isinstance(bps_per_kpi, Mapping):
        unknown = set(map(str, bps_per_kpi)) - set(table["kpi"].astype(str))
        absent = set(table["kpi"].astype(str)) - set(map(str, bps_per_kpi))
        if unknown or absent:
            raise SROIError(
                f"needs one bps per KPI: unknown {sorted(unknown)}, missing {sorted(absent)}",
                field="bps_per_kpi",
            )
        by_name = {str(k): as_number(v, f"bps_per_kpi[{k!r}]") for k, v in bps_per_kpi.items()}
        bps = np.array([by_name[str(k)] for k in table["kpi"]], dtype=float)
    else:
        bps = np.full(len(table), as_number(bps_per_kpi, "bps_per_kpi"))
    if (bps < 0).any():
        raise SROIError(
            f"expected basis points >= 0 (typically 1-10), got {bps.min():g}", field="bps_per_kpi"
        )
    if (bps > 25).any():
        warn(f"bps_per_kpi up to {bps.max():g} bp: published ratchets are typically 1-10 bp per KPI")
    earned = np.where(table["met"].to_numpy(dtype=bool), bps, 0.0)
    table = table[["kpi", "target", "actual", "direction", "met"]].assign(
        bps=bps, saving=balance * earned / 10_000
    )
    total = float(table["saving"].sum())
    return MarginRatchet(
        table=table,
        total_saving=Q_(total, f"{code}/year") if code else total,
        total_bps=float(earned.sum()),
        drawn_balance=balance,
        currency=code,
    )
