"""Cash from an outcomes contract: what the payer pays for the outcomes, when, and net of what.

The social value of an outcome is not what a payer pays for it. An outcomes contract states a
**rate card** (a share of the valued outcome, or a price per unit of an indicator), a
**payment cap** per year, a **payment lag** between the outcome and the payment, the
**contract years** (independent of how long the outcomes last), and the payer's **credit
quality**; the provider bears **delivery and verification costs**. :class:`ContractTerms`
holds these terms and :func:`contract_cash` turns a value stream (one row per Monte Carlo
sample, one column per year) into the payments a lender can count, step by step
(docs/method.md §9.3).

References
----------
.. [1] LMA, APLMA and LSTA (2023). *Social Loan Principles* (a clear social objective and
   target population; the tiers of cash of docs/method.md §9.1).
.. [2] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed. Academic Press
   (contracted revenue as the basis of debt service).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pint

from sroi.exceptions import SROIError
from sroi.finance.cashflows import as_number, cash_array, money_magnitude
from sroi.units import currency_of, parse_quantity, ureg
from sroi.validation import check_whole_number

__all__ = ["ContractCash", "ContractTerms", "contract_cash"]


def _money(value: Any, name: str, *, per_year: bool = True) -> tuple[np.ndarray, str | None]:
    """A money amount (scalar or per year) >= 0 as a float array and its currency.

    A string such as ``"3,000,000 CNY"`` (as a YAML file gives it) is read as a quantity.
    """
    if isinstance(value, str):
        value = parse_quantity(value, name)
    if isinstance(value, pint.Quantity):
        mag, code = money_magnitude(value, name)
        arr = np.asarray(mag, dtype=float)
    elif isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(value, bool):
        arr, code = np.asarray(as_number(value, name), dtype=float), None
    else:
        arr, code = cash_array(value, name)
    if arr.ndim > (1 if per_year else 0):
        raise SROIError(f"expected {'one amount or one per year' if per_year else 'one amount'}", name)
    if not np.isfinite(arr).all():
        raise SROIError("expected finite amounts, got NaN or an infinite value", name)
    if (arr < 0).any():
        raise SROIError(f"expected amounts >= 0, got {float(arr.min()):g}", name)
    return arr, code


@dataclass(frozen=True)
class ContractTerms:
    """The terms of an outcomes contract that turn valued outcomes into cash for a lender.

    Parameters
    ----------
    payer : str
        Who is bound to pay (named in the term sheet).
    rate_card : float [-], optional
        Share of the valued outcome (after the SROI filters) the payer pays, in (0, 1].
        Give this or ``price_per_unit``.
    price_per_unit : float or pint.Quantity [currency unit^-1], optional
        Price paid per unit of an indicator quantity (e.g. per verified active user).
    units : array-like [unit year^-1], optional
        The indicator quantity the price applies to, per year (T) or per Monte Carlo sample
        and year (S x T, the samples of the simulation sized); required with
        ``price_per_unit``.
    unit_name : str
        What one unit is, in words (``"verified active user"``), for the term sheet.
    payment_cap : float or pint.Quantity [currency year^-1], optional
        Most the payer pays for the outcomes of one contract year.
    payment_lag : int [year]
        Whole years between an outcome and its payment, >= 0; default 0.
    delivery_costs, verification_costs : float, sequence, str or pint.Quantity [currency year^-1]
        Costs of delivering and of verifying the outcomes, one amount for every contract year
        or one per year; netted from the payments before debt service. Default 0. Amounts may
        be strings such as ``"3,000,000 CNY"`` (as in a credit-scenario file).
    payer_haircut : float [-]
        Share of the payments counted for the payer's credit quality, in (0, 1]; separate
        from the lender's verification haircut. Default 1 (no deduction): give the lender's
        own view of the payer.
    contract_years : int [year], optional
        Years of outcomes the contract pays for (1..contract_years), independent of how long
        the outcomes last; default: every year of value given.
    description : str
        Free text shown with the terms.

    Raises
    ------
    SROIError
        Naming the field: neither or both of ``rate_card`` and ``price_per_unit``, a price
        without units, a fraction outside (0, 1], a negative or NaN amount, a lag or contract
        years that are not whole numbers, or amounts in different currencies.

    Examples
    --------
    >>> from sroi.finance import ContractTerms
    >>> terms = ContractTerms("Council", rate_card=0.5, payment_cap=45.0, payment_lag=1)
    >>> terms.payment_lag, terms.contract_years
    (1, None)
    """

    payer: str
    rate_card: float | None = None
    price_per_unit: float | pint.Quantity | None = None
    units: Any = field(default=None, repr=False)
    unit_name: str = "unit"
    payment_cap: float | pint.Quantity | None = None
    payment_lag: int = 0
    delivery_costs: Any = 0.0
    verification_costs: Any = 0.0
    payer_haircut: float = 1.0
    contract_years: int | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.payer, str) or not self.payer.strip():
            raise SROIError(f"expected the name of who pays, got {self.payer!r}", "payer")
        if (self.rate_card is None) == (self.price_per_unit is None):
            raise SROIError(
                "give either rate_card (a share of the valued outcome, e.g. 0.5) or price_per_unit "
                "(a price per unit of an indicator, with units)",
                "rate_card",
            )
        if self.rate_card is not None:
            share = as_number(self.rate_card, "rate_card")
            if not 0 < share <= 1:
                raise SROIError(
                    f"expected a share of the valued outcome in (0, 1] such as 0.5, got {share:g}",
                    "rate_card",
                )
            object.__setattr__(self, "rate_card", share)
        if self.price_per_unit is not None and self.units is None:
            raise SROIError("a price per unit needs the units it applies to (per year)", "units")
        q = as_number(self.payer_haircut, "payer_haircut")
        if not 0 < q <= 1:
            raise SROIError(f"expected a share counted in (0, 1] such as 0.95, got {q:g}", "payer_haircut")
        object.__setattr__(self, "payer_haircut", q)
        object.__setattr__(
            self,
            "payment_lag",
            check_whole_number(self.payment_lag, "payment_lag", 0, what="a whole number of years"),
        )
        if self.contract_years is not None:
            object.__setattr__(
                self,
                "contract_years",
                check_whole_number(self.contract_years, "contract_years", 1, what="a whole number of years"),
            )
        if not isinstance(self.unit_name, str):
            raise SROIError(
                f"expected words such as 'verified active user', got {self.unit_name!r}", "unit_name"
            )
        self._amounts()  # validate amounts and currencies now

    def _amounts(self) -> dict[str, Any]:
        codes: dict[str, str] = {}
        out: dict[str, Any] = {}
        for name, per_year in (
            ("price_per_unit", False),
            ("payment_cap", False),
            ("delivery_costs", True),
            ("verification_costs", True),
        ):
            value = getattr(self, name)
            if value is None:
                out[name] = None
                continue
            if name == "price_per_unit" and isinstance(value, str):
                value = parse_quantity(value, name)
            if name == "price_per_unit" and isinstance(value, pint.Quantity):
                if value._REGISTRY is not ureg:
                    raise SROIError(
                        "the quantity comes from another pint registry; build it with sroi.units.Q_", name
                    )
                code = currency_of(value, name)
                if code is None or np.ndim(value.magnitude) != 0:
                    raise SROIError(f"expected a price such as Q_(50, 'GBP/person'), got {value!r}", name)
                arr = np.asarray(as_number(float(value.magnitude), name))
            else:
                arr, code = _money(value, name, per_year=per_year)
            if name == "price_per_unit" and float(arr) <= 0:
                raise SROIError(f"expected a price > 0, got {float(arr):g}", name)
            out[name] = arr
            if code:
                codes[name] = code
        if len(set(codes.values())) > 1:
            raise SROIError(f"amounts in different currencies {codes}; give all in one currency", "currency")
        out["currency"] = next(iter(codes.values()), None)
        return out

    @property
    def currency(self) -> str | None:
        """ISO code of the amounts when they are money quantities, else None."""
        cur: str | None = self._amounts()["currency"]
        return cur

    def to_dict(self) -> dict[str, Any]:
        """The terms as plain values (amounts as numbers or lists), JSON-ready."""
        amounts = self._amounts()
        out: dict[str, Any] = {"payer": self.payer, "rate_card": self.rate_card}
        for name in ("price_per_unit", "payment_cap", "delivery_costs", "verification_costs"):
            a = amounts[name]
            out[name] = None if a is None else (float(a) if a.ndim == 0 else a.tolist())
        return out | {
            "unit_name": self.unit_name,
            "payment_lag": self.payment_lag,
            "payer_haircut": self.payer_haircut,
            "contract_years": self.contract_years,
            "currency": amounts["currency"],
            "description": self.description,
        }


@dataclass(frozen=True, eq=False)
class ContractCash:
    """The payments a contract yields, per sample and year, with each step kept.

    Attributes
    ----------
    terms : ContractTerms
    earned : numpy.ndarray, shape (S, Tc) [currency year^-1]
        Payment earned for the outcomes of contract years 1..Tc, before the cap.
    capped : numpy.ndarray, shape (S, Tc)
        After the payment cap.
    payments : numpy.ndarray, shape (S, Tc + lag)
        Paid in the year received (after the lag), after the payer's credit quality.
    costs : numpy.ndarray, shape (Tc + lag,)
        Delivery plus verification costs per year (paid in contract years 1..Tc).
    steps : pandas.DataFrame
        Each step per year and in total, for the rows given as ``labels``.
    """

    terms: ContractTerms
    earned: np.ndarray
    capped: np.ndarray
    payments: np.ndarray
    costs: np.ndarray
    steps: pd.DataFrame

    @property
    def net(self) -> np.ndarray:
        """Payments less costs per sample and year (S, Tc + lag) [currency year^-1]."""
        return self.payments - self.costs


def _per_year(arr: np.ndarray, years: int, name: str) -> np.ndarray:
    if arr.ndim == 0:
        return np.full(years, float(arr))
    if arr.size != years:
        raise SROIError(f"expected one amount or one per contract year ({years}), got {arr.size}", name)
    return arr.astype(float)


def _fit(a: np.ndarray, years: int) -> np.ndarray:
    """Columns 1..years of a (S, T) array: truncated, or padded with zeros."""
    if a.shape[1] >= years:
        return a[:, :years]
    return np.pad(a, ((0, 0), (0, years - a.shape[1])))


def contract_cash(
    terms: ContractTerms,
    values: Any,
    *,
    units: Any = None,
    labels: list[str] | None = None,
) -> ContractCash:
    """Turn valued outcomes into the payments of an outcomes contract, step by step.

    Parameters
    ----------
    terms : ContractTerms
    values : array-like, shape (T,) or (S, T) [currency year^-1]
        Valued eligible outcomes per year 1..T (after the SROI filters, undiscounted), one row
        per Monte Carlo sample; negative values count as 0.
    units : array-like, shape (T,) or (S, T) [unit year^-1], optional
        The indicator quantity a ``price_per_unit`` applies to; default ``terms.units``.
    labels : list of str, optional
        One label per row of ``values`` for the steps table (e.g. ``["P50", "P90"]``);
        default: one row, the mean over the samples of each step.

    Returns
    -------
    ContractCash

    Raises
    ------
    SROIError
        NaN in the values or units, units whose shape does not match the values, per-year
        costs of the wrong length.

    Notes
    -----
    For contract years t = 1..Tc (Tc = ``contract_years``, default T; values beyond T are 0):

    * earned E_t = rate card x max(V_t, 0), or price x units_t;
    * capped E'_t = min(E_t, cap);
    * paid in year t + L (L = ``payment_lag``): P_{t+L} = q E'_t, q = ``payer_haircut``;
    * costs K_t = delivery_t + verification_t in contract years t = 1..Tc.

    Each step acts on every sample, so the percentiles of the lender's cases are taken on the
    payments themselves. The lender's verification haircut h and the netting of costs come
    after: cash available for debt service = h P_t - K_t (:func:`sroi.finance.credit_line`).

    References
    ----------
    .. [1] Yescombe, E. R. (2014). *Principles of Project Finance*, 2nd ed. Academic Press.

    Examples
    --------
    Half the value, at most 45 a year, paid one year late, 10 a year of costs:

    >>> from sroi.finance import ContractTerms, contract_cash
    >>> terms = ContractTerms("Council", rate_card=0.5, payment_cap=45.0, payment_lag=1, delivery_costs=10.0)
    >>> cash = contract_cash(terms, [100.0, 100.0, 60.0])
    >>> cash.payments.round(1).tolist(), cash.costs.tolist()
    ([[0.0, 45.0, 45.0, 30.0]], [10.0, 10.0, 10.0, 0.0])
    """
    if not isinstance(terms, ContractTerms):
        raise SROIError(f"expected ContractTerms, got {type(terms).__name__}", "contract")
    val, _ = cash_array(values, "values")
    val = np.atleast_2d(np.maximum(val, 0.0))
    n_samples, n_years = val.shape
    amounts = terms._amounts()
    years = terms.contract_years or n_years
    if terms.rate_card is not None:
        earned = terms.rate_card * _fit(val, years)
        driver = _fit(val, years)
    else:
        raw = terms.units if units is None else units
        qty, _ = cash_array(raw, "units")
        qty = np.atleast_2d(qty)
        if (qty < 0).any():
            raise SROIError(f"expected units >= 0, got {qty.min():g}", "units")
        if qty.shape[0] not in (1, n_samples):
            raise SROIError(f"expected 1 or {n_samples} rows (samples), got {qty.shape[0]}", "units")
        driver = np.broadcast_to(_fit(qty, years), (n_samples, years))
        earned = float(amounts["price_per_unit"]) * driver
    cap = amounts["payment_cap"]
    capped = earned if cap is None else np.minimum(earned, float(cap))
    lag = terms.payment_lag
    total = years + lag
    payments = np.zeros((n_samples, total))
    payments[:, lag:] = terms.payer_haircut * capped
    delivery = np.zeros(total)
    verification = np.zeros(total)
    delivery[:years] = _per_year(amounts["delivery_costs"], years, "delivery_costs")
    verification[:years] = _per_year(amounts["verification_costs"], years, "verification_costs")
    costs = delivery + verification

    def shifted(a: np.ndarray) -> np.ndarray:
        out = np.zeros((a.shape[0], total))
        out[:, :years] = a
        return out

    driver_label = (
        "valued outcome (after the SROI filters)"
        if terms.rate_card is not None
        else f"units ({terms.unit_name})"
    )
    earn_label = (
        f"x rate card {terms.rate_card:g}"
        if terms.rate_card is not None
        else f"x price {float(amounts['price_per_unit']):g} per {terms.unit_name}"
    )
    stages: list[tuple[str, str, np.ndarray]] = [
        ("1", driver_label, shifted(driver)),
        ("2", f"earned: {earn_label}, contract years 1-{years}", shifted(earned)),
        ("3", "capped at " + ("no cap" if cap is None else f"{float(cap):g} a year"), shifted(capped)),
        ("4", f"received {lag} year(s) later", np.pad(capped, ((0, 0), (lag, 0)))),
        ("5", f"x payer credit quality {terms.payer_haircut:g}: payments", payments),
        ("6", "delivery costs", np.broadcast_to(delivery, payments.shape)),
        ("7", "verification costs", np.broadcast_to(verification, payments.shape)),
        ("8", "payments less costs", payments - costs),
    ]
    cols = [f"year {t}" for t in range(1, total + 1)]
    if labels is None:
        selections: list[tuple[str, int | None]] = [("mean of samples" if n_samples > 1 else "", None)]
    else:
        if len(labels) != n_samples:
            raise SROIError(f"expected one label per row ({n_samples}), got {len(labels)}", "labels")
        selections = [(str(lbl), i) for i, lbl in enumerate(labels)]
    rows = []
    for key, idx in selections:
        for step, text, arr in stages:
            vals = arr.mean(axis=0) if idx is None else arr[idx]
            rows.append([key, int(step), text, *vals.tolist(), float(vals.sum())])
    steps = pd.DataFrame(rows, columns=["case", "step", "description", *cols, "total"])
    return ContractCash(
        terms=terms, earned=earned, capped=capped, payments=payments, costs=costs, steps=steps
    )
