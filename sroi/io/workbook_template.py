"""The Social Value UK Value Map template's conventions, read (docs/method.md §15.4).

Used by :mod:`sroi.io.workbook_read` on the rows of a Value Map sheet: continuation rows,
percentage columns, a ``Financial proxy`` description with its number under ``Value``, inputs in
the Value Map, and bare quantities next to a proxy priced per unit. Each reading that is not
certain is recorded as an :class:`~sroi.exceptions.SROIWarning` naming its cells.

References
----------
.. [1] Social Value UK, "The Value Map" (SROI Value Map template and guidance).
   https://socialvalueuk.org/resource/value-map/
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from sroi.exceptions import SROIError, SROIWarning
from sroi.io.workbook_layout import cell_ref
from sroi.units import CURRENCIES, parse_quantity

__all__ = [
    "FILTER_KEYS",
    "bare_quantity",
    "is_description",
    "is_number",
    "template_outcomes",
    "with_currency",
]

#: The filter columns whose label may carry ``%``.
FILTER_KEYS = ("deadweight", "displacement", "attribution", "drop_off")


def is_number(v: Any) -> bool:
    """True for an int or float that is not a bool."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_description(v: Any) -> bool:
    """True for text that is no estimate (not a number, unit string or YAML): a proxy's description."""
    if not isinstance(v, str) or v.strip()[:1] in ("{", "[", ""):
        return False
    try:
        parse_quantity(v, "proxy")
    except SROIError:
        return True
    return False


def template_outcomes(
    rows_read: list[tuple[int, dict[str, Any], dict[str, str]]],
    cols: Mapping[str, int],
    header: tuple[Any, ...],
    sheet: str,
    percent: set[tuple[int, int]],
    currency: str,
) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """The Social Value UK template's conventions, applied to the Value Map's rows in place.

    A blank stakeholder continues the one above; a filter column labelled with ``%`` holding bare
    numbers (not shown as percentages) is read as percentages if one of them is above 1 (20 ->
    0.2), else as fractions, with an SROIWarning either way (a number between 0 and 1 among
    percentages is ambiguous, an error); a ``Financial proxy`` cell holding a description takes
    its number from ``Value`` (the description goes to the proxy source); the inputs given in the
    ``Inputs`` and ``Value`` columns are returned (docs/method.md §15.4).

    Parameters
    ----------
    rows_read : list of (row, values, cells)
        Each Value Map row: its spreadsheet row, its values by glossary key (model-file form,
        edited in place) and the cell of each value (``Value Map!F7``, edited in place).
    cols : mapping
        The column of each key (1-based).
    header : tuple
        The header row's labels.
    sheet : str
        The sheet's title, for the cells named.
    percent : set of (row, column)
        The cells shown as percentages (number format ``0%``).
    currency : str
        The analysis currency, for bare input values.

    Returns
    -------
    list of (dict, dict)
        The inputs given in the Value Map (model-file form) and the cell of each field.

    Raises
    ------
    SROIError
        A number between 0 and 1 among percentages, or a description as the financial proxy
        with an empty Value cell, naming the cell.
    """
    last = None
    for _, d, _at in rows_read:
        if "stakeholder" not in d and last is not None and "outcome" in d:
            d["stakeholder"] = last
        last = d.get("stakeholder", last)
    for key in FILTER_KEYS:
        c = cols.get(key)
        label = header[c - 1] if c is not None and c - 1 < len(header) else None
        if c is None or "%" not in str(label):
            continue
        bare = [(r, d) for r, d, _ in rows_read if is_number(d.get(key)) and (r, c) not in percent]
        if not bare:
            continue
        span = f"{cell_ref(sheet, bare[0][0], c)}:{cell_ref(sheet, bare[-1][0], c).split('!')[1]}"
        big = next(((r, d[key]) for r, d in bare if d[key] > 1), None)
        if big is None:
            example = bare[0][1][key]
            warnings.warn(
                f"{span}: the column {label!r} holds bare numbers from 0 to 1 only, so they are read as "
                f"fractions ({example!r} is {example * 100:g}%); type '{example!r}%' for a percentage",
                SROIWarning,
                stacklevel=3,
            )
            continue
        for r, d in bare:
            v = d[key]
            if 0 < v < 1:
                raise SROIError(
                    f"the column {label!r} holds percentages ({big[1]!r} at {cell_ref(sheet, big[0], c)}), "
                    f"so is {v!r} here {v!r}% or {v * 100:g}%? Type '{v!r}%' or '{v * 100:g}%'",
                    cell_ref(sheet, r, c),
                )
        for _, d in bare:
            d[key] = d[key] / 100
        warnings.warn(
            f"{span}: the column {label!r} holds bare numbers above 1, so its bare numbers are read as "
            f"percentages ({big[1]!r} is {big[1] / 100!r})",
            SROIWarning,
            stacklevel=3,
        )
    inputs: list[tuple[dict[str, Any], dict[str, str]]] = []
    for _, d, at in rows_read:
        value, description = d.pop("proxy_value", None), d.get("proxy")
        if value is None and "proxy_value" in at and is_description(description):
            raise SROIError(
                f"the financial proxy {description!r} ({at['proxy']}) is a description, and this Value "
                "cell, which holds its number, is empty: type the value of one unit for one year",
                at["proxy_value"],
            )
        if value is not None and (description is None or is_description(description)):
            d["proxy"] = value
            at["proxy"] = at["proxy_value"]
            if description is not None:
                source = d.get("proxy_source")
                d["proxy_source"] = f"{description}; source: {source}" if source else description
        amount, what = d.pop("input_value", None), d.pop("input_description", None)
        if amount is not None:
            item = {"stakeholder": d.get("stakeholder"), "description": what or "", "value": amount}
            item["value"] = with_currency(amount, currency)
            where = {"stakeholder": at.get("stakeholder", at["input_value"]), "value": at["input_value"]}
            where["description"] = at.get("input_description", at["input_value"])
            inputs.append(({k: v for k, v in item.items() if v is not None}, where))
    return inputs


def bare_quantity(d: dict[str, Any], at: Mapping[str, str]) -> None:
    """A bare quantity next to a proxy priced per unit (``500 GBP/person``) is in that unit,
    with an SROIWarning naming the cell (docs/method.md §15.4).

    Parameters
    ----------
    d : dict
        An outcome in model-file form (edited in place).
    at : mapping
        The cell of each field (``Value Map!H10``).

    Examples
    --------
    >>> import warnings
    >>> d = {"quantity": 12, "proxy": "500 GBP/person/year"}
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     bare_quantity(d, {"quantity": "Value Map!H10"})
    >>> d["quantity"]
    '12 person'
    """
    q, proxy = d.get("quantity"), d.get("proxy")
    if not is_number(q) or d.get("quantity_factors") or not isinstance(proxy, str):
        return
    try:
        unit = parse_quantity(proxy, "proxy").units
    except SROIError:
        return
    per: list[tuple[str, float]] = []
    for name, power in unit._units.items():
        p = float(power)  # type: ignore[arg-type]
        if p < 0 and name != "year":
            per.append((name, -p))
    if not per:
        return
    text = " * ".join(name if p == 1 else f"{name} ** {p:g}" for name, p in per)
    d["quantity"] = f"{q!r} {text}"
    warnings.warn(
        f"{at['quantity']}: the bare quantity {q!r} is read as '{q!r} {text}', the unit the proxy "
        f"{proxy!r} is priced per",
        SROIWarning,
        stacklevel=3,
    )


def with_currency(v: Any, currency: Any) -> Any:
    """A bare number typed as money (a proxy or an input) is in the analysis currency."""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and currency in CURRENCIES:
        return f"{v!r} {currency}"
    return v
