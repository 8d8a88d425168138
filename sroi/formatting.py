"""Numbers as the command line and the plain-text summaries print them: one format everywhere.

Thousands separators, a fixed number of significant digits below 1,000, whole numbers above,
never scientific notation (``1.2e+08`` next to ``181,875,051`` is what this avoids). These
functions only format: the numbers are the engine's.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["format_number", "format_percent"]


def format_number(x: Any, digits: int = 4) -> str:
    """A number as the command line prints it: thousands separators, never scientific notation.

    Four significant digits below 1,000 (``0.1235``, ``12.35``), whole numbers from 1,000
    (``1,234,568``); trailing zeros dropped; integers in full (``20,000``); NaN as ``''`` (a
    table that has one says why beside it); infinities as ``inf``.

    Parameters
    ----------
    x : float or int
    digits : int
        Significant digits below 1,000 (default 4).

    Returns
    -------
    str

    Examples
    --------
    >>> [format_number(v) for v in (1234567.8, 0.000123456, -12.5, 3.0, 20000, 0.5)]
    ['1,234,568', '0.0001235', '-12.5', '3', '20,000', '0.5']
    """
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) or (hasattr(x, "dtype") and getattr(x.dtype, "kind", "") in "iu"):
        return f"{int(x):,}"
    v = float(x)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    decimals = min(max(0, digits - 1 - math.floor(math.log10(abs(v)))), 12)
    text = f"{v:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_percent(x: Any) -> str:
    """A relative change [fraction] as a signed percentage, ``+12.3%``, through :func:`format_number`.

    Examples
    --------
    >>> format_percent(0.1234), format_percent(-0.5), format_percent(29.33)
    ('+12.3%', '-50%', '+2,933%')
    """
    v = float(x)
    return "" if math.isnan(v) else ("+" if v > 0 else "") + format_number(100 * v, 3) + "%"
