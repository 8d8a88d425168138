"""Shared argument checks: one function per kind of argument, used everywhere.

Each check returns the value in its canonical type or raises an :class:`~sroi.exceptions.SROIError`
(or the subclass given as ``error``) whose message names the argument, the value received and
what was expected. Booleans are never accepted as numbers (``True`` is not 1 here).

Examples
--------
>>> check_fraction(0.2, "haircut")
0.2
>>> check_fraction(20, "haircut")
Traceback (most recent call last):
...
sroi.exceptions.SROIError: haircut: expected a fraction in [0, 1] such as 0.2, got 20 (write 0.2 or '20%' for 20 percent)
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from sroi.exceptions import SROIError

__all__ = [
    "check_bool",
    "check_choice",
    "check_currency_code",
    "check_fraction",
    "check_level",
    "check_number",
    "check_positive",
    "check_probability",
    "check_rate",
    "check_target_ratio",
    "check_targets",
    "check_whole_number",
    "check_year",
]

_ISO_RE = re.compile(r"^[A-Z]{3}$")


def _is_real(value: Any) -> bool:
    return isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def check_number(value: Any, name: str, *, error: type[SROIError] = SROIError) -> float:
    """A finite real number (not a bool, not NaN or infinite), as float.

    Examples
    --------
    >>> check_number(3, "n")
    3.0
    """
    if not _is_real(value):
        raise error(f"expected a number, got {value!r:.60}", name)
    out = float(value)
    if not math.isfinite(out):
        raise error(f"expected a finite number, got {value!r}", name)
    return out


def check_positive(
    value: Any, name: str, *, allow_zero: bool = False, error: type[SROIError] = SROIError
) -> float:
    """A finite number > 0 (or >= 0 with ``allow_zero``)."""
    expected = "a finite number >= 0" if allow_zero else "a positive finite number"
    if not _is_real(value) or not math.isfinite(float(value)):
        raise error(f"expected {expected}, got {value!r:.60}", name)
    out = float(value)
    if out < 0 or (out == 0 and not allow_zero):
        raise error(f"expected {expected}, got {value!r}", name)
    return out


def check_fraction(
    value: Any,
    name: str,
    *,
    low_open: bool = False,
    high_open: bool = False,
    what: str = "a fraction",
    example: str = "0.2",
    error: type[SROIError] = SROIError,
) -> float:
    """A fraction in [0, 1] (ends excluded with ``low_open``/``high_open``).

    A value between 1 and 100 is refused with a hint that it looks like a percentage.
    """
    lo, hi = "(" if low_open else "[", ")" if high_open else "]"
    expected = f"{what} in {lo}0, 1{hi} such as {example}"
    if not _is_real(value):
        raise error(f"expected {expected}, got {value!r:.60}", name)
    x = float(value)
    ok = math.isfinite(x) and (x > 0 if low_open else x >= 0) and (x < 1 if high_open else x <= 1)
    if not ok:
        hint = f" (write {x / 100:g} or '{x:g}%' for {x:g} percent)" if 1 < x <= 100 else ""
        raise error(f"expected {expected}, got {value!r}{hint}", name)
    return x


def check_probability(value: Any, name: str, *, error: type[SROIError] = SROIError) -> float:
    """A probability strictly inside (0, 1), e.g. a quantile such as 0.1 (P10)."""
    return check_fraction(
        value, name, low_open=True, high_open=True, what="a probability", example="0.1 (P10)", error=error
    )


def check_level(value: Any, name: str = "level", *, error: type[SROIError] = SROIError) -> float:
    """An interval or confidence level in (0, 1), such as 0.8 or 0.95."""
    if not _is_real(value) or not 0 < float(value) < 1:
        raise error(f"expected a level in (0, 1) such as 0.8 or 0.95, got {value!r:.60}", name)
    return float(value)


def check_target_ratio(value: Any, name: str = "target", *, error: type[SROIError] = SROIError) -> float:
    """A target SROI ratio: a finite number > 0 (1 is the Guide's 1:1)."""
    if not _is_real(value) or not 0 < float(value) < math.inf:
        raise error(f"expected a target ratio > 0 such as 1.0, got {value!r:.60}", name)
    return float(value)


def check_targets(
    values: Any, name: str = "targets", *, error: type[SROIError] = SROIError
) -> tuple[float, ...]:
    """One or more finite ratio targets, as a tuple of float."""
    if _is_real(values):
        values = (values,)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise error(f"expected a sequence of ratio targets such as (1.0,), got {values!r:.60}", name)
    out = []
    for v in values:
        if not _is_real(v) or not math.isfinite(float(v)):
            raise error(f"expected finite numbers such as (1.0, 2.0), got {values!r:.60}", name)
        out.append(float(v))
    return tuple(out)


def check_whole_number(
    value: Any,
    name: str,
    minimum: int | None = 1,
    maximum: int | None = None,
    *,
    what: str = "a whole number",
    error: type[SROIError] = SROIError,
) -> int:
    """A whole number (an int, or a float with no fractional part) within [minimum, maximum]."""
    bounds = (
        f" in {minimum}..{maximum}"
        if minimum is not None and maximum is not None
        else (f" >= {minimum}" if minimum is not None else (f" <= {maximum}" if maximum is not None else ""))
    )
    expected = f"expected {what}{bounds}"
    if not _is_real(value):
        raise error(f"{expected}, got {value!r:.60}", name)
    if isinstance(value, (int, np.integer)):
        out = int(value)
    else:
        x = float(value)
        if not math.isfinite(x) or not x.is_integer():
            raise error(f"{expected}, got {value!r}", name)
        out = int(x)
    if (minimum is not None and out < minimum) or (maximum is not None and out > maximum):
        raise error(f"{expected}, got {str(value)[:40]}", name)
    return out


def check_year(value: Any, name: str, *, error: type[SROIError] = SROIError) -> int | None:
    """A calendar year in 1900..2200, or None."""
    if value is None:
        return None
    return check_whole_number(value, name, 1900, 2200, what="a calendar year such as 2023", error=error)


def check_rate(
    value: Any, name: str, *, what: str = "an interest rate", error: type[SROIError] = SROIError
) -> float:
    """A rate per year as a fraction: > -1, and below 1 (4 is refused as a likely 4%)."""
    if not _is_real(value) or not math.isfinite(float(value)):
        raise error(f"expected {what} such as 0.04 for 4%, got {value!r:.60}", name)
    x = float(value)
    if x <= -1:
        raise error(f"expected {what} greater than -1 (-100%), got {value!r}", name)
    if x >= 1:
        raise error(f"{what} of {value!r} is {x:.0%}; write 0.04 or '4%' for 4 percent", name)
    return x


def check_currency_code(value: Any, name: str, *, error: type[SROIError] = SROIError) -> str:
    """An ISO 4217 code: three capital letters such as ``'GBP'``."""
    if not isinstance(value, str) or not _ISO_RE.match(value):
        raise error(f"expected an ISO 4217 currency code such as 'GBP', got {value!r:.60}", name)
    return value


def check_choice(value: Any, name: str, choices: Sequence[Any], *, error: type[SROIError] = SROIError) -> Any:
    """One of ``choices`` (compared with ==; a bool never matches 0 or 1)."""
    for c in choices:
        if type(value) is type(c) and value == c:
            return value
    raise error(f"expected one of {tuple(choices)}, got {value!r:.60}", name)


def check_bool(value: Any, name: str, *, error: type[SROIError] = SROIError) -> bool:
    """A real boolean: ``True`` or ``False`` (in a file, ``true`` or ``false``); nothing else."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise error(f"expected true or false, got {value!r:.60}", name)
