"""Reading the inputs of a credit line: the cash-flow source, the cv, the gearing, the contract.

Helpers of :func:`sroi.finance.credit_line` (and :func:`~sroi.finance.debt_capacity`), each
raising an :class:`~sroi.exceptions.SROIError` that names the argument.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pint

from sroi.exceptions import SROIError, field_prefix
from sroi.finance.cashflows import as_number, cash_array, check_currency, check_number_in, money_magnitude
from sroi.finance.contract import ContractTerms

__all__ = ["check_some_cash", "contract_terms", "cv_per_year", "gearing_terms", "read_source"]


def check_some_cash(arr: np.ndarray, name: str) -> None:
    """Refuse cash flows that are empty or have no positive amount in any year."""
    if arr.size == 0:
        raise SROIError("has no years of cash (empty); give one amount per year", field=name)
    if not (arr > 0).any():
        raise SROIError(
            "has no positive cash in any year: there is nothing to size (an analysis with no eligible "
            "cash gives a line of zero with the reason)",
            field=name,
        )


def read_source(source: Any) -> tuple[np.ndarray, str | None, int | None, pd.DataFrame | None, str]:
    """Cash flows (S x T), currency, tenor cap, sources table and a description."""
    if hasattr(source, "eligible_cash_flows"):
        missing = [m for m in ("currency", "tenor_cap") if not hasattr(source, m)]
        if missing:
            raise SROIError(
                f"has eligible_cash_flows but no {missing}; see sroi.finance.CashFlowSource", "source"
            )
        getter = source.eligible_cash_flows
        flows, code = cash_array(getter() if callable(getter) else getter, "source.eligible_cash_flows")
        src_code = check_currency(source.currency, "source.currency")
        if code and code != src_code:
            raise SROIError(f"cash flows are in {code} but source.currency is {src_code}", field="currency")
        cap = source.tenor_cap
        if isinstance(cap, bool) or not isinstance(cap, numbers.Integral) or cap < 0:
            raise SROIError(f"expected a whole number of years >= 0, got {cap!r}", field="source.tenor_cap")
        table = None
        if hasattr(source, "cash_flow_sources"):
            getter = source.cash_flow_sources
            table = getter() if callable(getter) else getter
            if not isinstance(table, pd.DataFrame):
                raise SROIError(
                    f"expected a DataFrame, got {type(table).__name__}", field="source.cash_flow_sources"
                )
        flows = flows if flows.ndim == 2 else flows[None, :]
        kind = f"{type(source).__name__}: {flows.shape[0]} sample(s) x {flows.shape[1]} years"
        return flows.astype(float), src_code, int(cap), table, kind
    flows, code = cash_array(source, "source")
    check_some_cash(flows, "source")
    if flows.ndim == 1:
        return flows[None, :], code, None, None, f"deterministic (P50) cash flow, {flows.size} years"
    return flows, code, None, None, f"simulation: {flows.shape[0]} samples x {flows.shape[1]} years"


def cv_per_year(cv: Any, years: int, total_years: int) -> np.ndarray:
    """The coefficient of variation of each of ``years`` years (one given for all, or one per year) [-]."""
    if isinstance(cv, pint.Quantity):
        cv = (
            as_number(cv, "cv")
            if np.ndim(cv.magnitude) == 0
            else np.asarray(cv.to("dimensionless").magnitude)
        )
    items = [cv] if isinstance(cv, str) else np.ravel(np.asarray(cv, dtype=object)).tolist()
    arr = np.array([as_number(c, "cv") for c in items], dtype=float)
    if (arr < 0).any():
        raise SROIError(f"expected a coefficient of variation >= 0 (0.2 for 20%), got {cv!r}", field="cv")
    if arr.size == 1:
        return np.full(years, float(arr[0]))
    if arr.size not in (years, total_years):
        raise SROIError(f"expected one CV or one per year ({total_years}), got {arr.size}", field="cv")
    return arr[:years].astype(float)


def gearing_terms(max_gearing: Any, project_cost: Any) -> tuple[float | None, float | None, str | None]:
    """Maximum gearing, the project cost it applies to, and the cost's currency."""
    if max_gearing is None and project_cost is None:
        return None, None, None
    if max_gearing is None or project_cost is None:
        missing = "max_gearing" if max_gearing is None else "project_cost"
        raise SROIError(
            "a gearing limit needs both max_gearing (a share such as 0.7) and project_cost (the stated "
            "project cost or value it applies to)",
            field=missing,
        )
    g = check_number_in(
        max_gearing, "max_gearing", lambda x: 0 < x <= 1, "a share of the project cost in (0, 1] such as 0.7"
    )
    code = None
    if isinstance(project_cost, pint.Quantity):
        mag, code = money_magnitude(project_cost, "project_cost")
        project_cost = float(np.asarray(mag))
    cost = check_number_in(project_cost, "project_cost", lambda x: x > 0, "a project cost > 0")
    return g, cost, code


def contract_terms(contract: Any) -> ContractTerms | None:
    """:class:`ContractTerms` from itself, a mapping of its terms, or None."""
    if contract is None or isinstance(contract, ContractTerms):
        return contract
    if not isinstance(contract, Mapping):
        raise SROIError(
            f"expected ContractTerms or a mapping of its terms, got {type(contract).__name__}", "contract"
        )
    known = set(ContractTerms.__dataclass_fields__)
    unknown = sorted(set(map(str, contract)) - known)
    if unknown:
        raise SROIError(f"unknown term(s) {unknown}; expected some of {sorted(known)}", "contract")
    with field_prefix("contract"):
        return ContractTerms(**{str(k): v for k, v in contract.items()})
