"""Cash flows for credit sizing: what a source must provide, and checked money arrays.

:class:`CashFlowSource` is what :func:`sroi.finance.credit_line` needs from a ``Result`` or a
``Simulation``; :func:`cash_array` turns floats, money quantities or arrays into a float array
and its currency, refusing NaN, infinities and mixed currencies. The argument checks of the
finance package are here too, each naming the argument.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
import pint

from sroi.exceptions import SROIError, SROIWarning
from sroi.units import currency_of, ureg
from sroi.validation import check_whole_number

__all__ = [
    "CashFlowSource",
    "as_number",
    "cash_array",
    "check_currency",
    "check_dscr",
    "check_loan_rate",
    "check_number_in",
    "check_tenor",
    "discount_factors",
    "money_magnitude",
    "warn",
]


@runtime_checkable
class CashFlowSource(Protocol):
    """What :func:`credit_line` needs from a ``Result`` or ``Simulation``.

    Attributes
    ----------
    currency : str
        ISO 4217 code of the analysis currency.
    tenor_cap : int
        Last period (year) with eligible cash, capped by the outcome durations.

    Methods
    -------
    eligible_cash_flows() -> numpy.ndarray
        Shape (S, T) [currency]: per sample and period (year 1..T), tier A plus contracted
        tier B cash after all SROI filters, undiscounted; S = 1 for a deterministic result.
    cash_flow_sources() -> pandas.DataFrame
        One row per outcome with columns ``outcome``, ``stakeholder``, ``cash_tier``
        ('A', 'B' or 'C'), ``contracted`` (bool), ``payer`` and ``eligible`` (bool).
    """

    @property
    def currency(self) -> str: ...

    @property
    def tenor_cap(self) -> int: ...

    def eligible_cash_flows(self) -> np.ndarray: ...

    def cash_flow_sources(self) -> pd.DataFrame: ...


def as_number(value: Any, name: str) -> float:
    """A plain number (a dimensionless quantity is accepted), else SROIError naming ``name``."""
    if isinstance(value, pint.Quantity):
        if not value.dimensionless:
            raise SROIError(f"expected a plain number or fraction, got {value!r}", field=name)
        value = value.to("dimensionless").magnitude
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SROIError(f"expected a number, got {value!r}", field=name)
    out = float(value)
    if not math.isfinite(out):
        raise SROIError(f"expected a finite number, got {value!r}", field=name)
    return out


def warn(message: str) -> None:
    """Issue an :class:`~sroi.exceptions.SROIWarning` attributed to the caller's caller."""
    warnings.warn(message, SROIWarning, stacklevel=3)


def check_number_in(value: Any, name: str, ok: Any, expected: str) -> float:
    """A number for which ``ok`` holds, else SROIError saying what was ``expected``."""
    out = as_number(value, name)
    if not ok(out):
        raise SROIError(f"expected {expected}, got {out}", field=name)
    return out


def check_dscr(value: Any, name: str, allow_below_one: bool = False) -> float:
    """A debt service cover ratio >= 1 (typically 1.2-1.5).

    A cover in (0, 1) means debt service larger than the cash: refused unless
    ``allow_below_one`` (the caller's ``allow_dscr_below_one=True``), and then it warns.
    """
    out = check_number_in(value, name, lambda x: x > 0, "a debt service cover ratio >= 1 (typically 1.2-1.5)")
    if out < 1:
        if not allow_below_one:
            raise SROIError(
                f"expected a debt service cover ratio >= 1 (typically 1.2-1.5), got {out}: below 1 the debt "
                "service would exceed the cash; pass allow_dscr_below_one=True to size it anyway",
                field=name,
            )
        warn(f"{name}={out} is below 1: debt service would exceed the cash")
    return out


def check_loan_rate(value: Any, name: str) -> float:
    """A loan interest rate per year as a fraction in [0, 1) (0.04 for 4%).

    A value of 1 or more is refused as a likely percentage (4 meant as 4%), a negative one as
    a sign error, NaN and infinities as not numbers.
    """
    out = as_number(value, name)
    if out >= 1:
        raise SROIError(
            f"expected a loan interest rate as a fraction in [0, 1), got {out:g}: it looks like a "
            f"percentage; write {out / 100:g} for {out:g}%",
            field=name,
        )
    if out < 0:
        raise SROIError(
            f"expected a loan interest rate >= 0 as a fraction (0.04 for 4%), got {out:g}", field=name
        )
    return out


def check_tenor(value: Any, name: str = "tenor") -> int | None:
    """A tenor in whole years >= 1, or None."""
    if value is None:
        return None
    return check_whole_number(value, name, 1, what="a whole number of years")


def check_currency(value: Any, name: str) -> str:
    """An ISO 4217 code known to :mod:`sroi.units`."""
    if not isinstance(value, str) or value not in ureg or currency_of(ureg.Unit(value), name) != value:
        raise SROIError(
            f"expected an ISO 4217 currency code known to sroi.units (e.g. 'GBP'), got {value!r}", field=name
        )
    return value


def money_magnitude(q: pint.Quantity, name: str) -> tuple[Any, str]:
    """Magnitude of a money (or money per year) quantity in its currency [currency]."""
    if q._REGISTRY is not ureg:
        raise SROIError(
            "the quantity comes from another pint registry; build it with sroi.units.Q_", field=name
        )
    code = currency_of(q, name)
    if code is None:
        raise SROIError(f"expected money such as Q_(100, 'GBP'), got units {q.units}", field=name)
    unit = ureg.Unit(code)
    if q.dimensionality == unit.dimensionality:
        return q.to(unit).magnitude, code
    per_year = unit / ureg.year
    if q.dimensionality == per_year.dimensionality:
        return q.to(per_year).magnitude, code
    raise SROIError(f"expected money or money per year (e.g. GBP or GBP/year), got {q.units}", field=name)


def _walk(x: Any, codes: set[str | None], name: str) -> Any:
    if isinstance(x, pint.Quantity):
        mag, code = money_magnitude(x, name)
        codes.add(code)
        return np.asarray(mag, dtype=float).tolist()
    if (isinstance(x, Sequence) and not isinstance(x, str)) or (
        isinstance(x, np.ndarray) and x.dtype == object
    ):
        return [_walk(v, codes, name) for v in x]
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, np.ndarray)):
        raise SROIError(f"expected numbers or money quantities, got {x!r}", field=name)
    codes.add(None)
    return np.asarray(x, dtype=float).tolist()


def cash_array(values: Any, name: str) -> tuple[np.ndarray, str | None]:
    """Turn cash flows (floats, money Quantities, arrays) into a float array and its currency."""
    if isinstance(values, (pd.Series, pd.DataFrame)):
        values = values.to_numpy()
    mag = values.magnitude if isinstance(values, pint.Quantity) else values
    if isinstance(mag, (str, bytes, numbers.Number)) or (isinstance(mag, np.ndarray) and mag.ndim == 0):
        raise SROIError(f"expected a sequence of yearly cash flows, got {values!r}", field=name)
    codes: set[str | None] = set()
    if isinstance(values, np.ndarray) and values.dtype != object:
        if not np.issubdtype(values.dtype, np.number) or values.dtype == bool:
            raise SROIError(f"expected numeric cash flows, got dtype {values.dtype}", field=name)
        arr = values.astype(float)
    else:
        nested = _walk(values, codes, name)
        if None in codes and len(codes) > 1:
            raise SROIError("mixes money quantities and bare numbers; give all in one currency", field=name)
        if len(codes - {None}) > 1:
            found = ", ".join(sorted(c for c in codes if c))
            raise SROIError(
                f"mixes currencies ({found}); convert to one currency first (sroi.money)", field=name
            )
        try:
            arr = np.asarray(nested, dtype=float)
        except ValueError:
            raise SROIError("rows of different lengths; give samples x years", field=name) from None
    if arr.ndim not in (1, 2):
        raise SROIError(
            f"expected 1-D (years) or 2-D (samples x years) cash flows, got {arr.ndim}-D", field=name
        )
    if np.isnan(arr).any():
        where = np.argwhere(np.isnan(arr))[0]
        raise SROIError(f"contains NaN (first at index {tuple(int(i) for i in where)})", field=name)
    if not np.isfinite(arr).all():
        raise SROIError("contains an infinite value", field=name)
    code = next((c for c in codes if c), None)
    return arr, code


def discount_factors(rate: float, years: int) -> np.ndarray:
    """(1 + r)^-t for t = 1..years (end-of-year debt service)."""
    return (1.0 + rate) ** -np.arange(1, years + 1, dtype=float)
