"""A small library of published financial proxies, each with its source.

The rows of ``datasets/proxies.csv`` are figures printed in the publications they cite (see
``datasets/proxies_README.md``); none is estimated. Each carries its currency and price year,
so it can be brought into an analysis with :func:`sroi.money.convert`.

Examples
--------
>>> from sroi.proxies import get_proxy
>>> wellby = get_proxy("wellby_uk_hmt_2021")
>>> wellby.quantity
<Quantity(13000.0, 'GBP / person / year')>
>>> wellby.price_year
2019
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from sroi.datasets import dataset_path
from sroi.exceptions import SROIError
from sroi.units import Q_, currency_of, parse_unit

if TYPE_CHECKING:
    import pint

__all__ = ["ProxyRecord", "get_proxy", "library_fields", "load_proxies", "search_proxies"]

_COLUMNS = [
    "id",
    "name",
    "value",
    "low",
    "high",
    "unit",
    "currency",
    "price_year",
    "country",
    "source_title",
    "publisher",
    "source_year",
    "page_table",
    "url",
    "licence",
    "notes",
]
_SEARCHED = ["id", "name", "notes", "source_title", "publisher", "page_table"]


@dataclass(frozen=True)
class ProxyRecord:
    """One published financial proxy.

    Attributes
    ----------
    id : str
        Identifier in ``datasets/proxies.csv``.
    name : str
        What one unit of the value is.
    quantity : pint.Quantity or None [currency per unit]
        The published central value with its unit, e.g. ``13000 GBP/person/year``; None when
        the source gives only a range.
    low, high : pint.Quantity or None [currency per unit]
        The published range, if any.
    price_year : int or None
        Price year of the value (needed to convert it, see :func:`sroi.money.convert`).
    source : str
        One formatted citation.
    licence : str
        Licence of the source, '' when not recorded.
    notes : str
        Caveats to read before use.
    currency : str
        ISO 4217 code.
    country : str
        ISO 3166 alpha-3 code of the country the value was measured in.
    url : str
        URL of the source, '' when not recorded.
    """

    id: str
    name: str
    quantity: pint.Quantity | None
    low: pint.Quantity | None
    high: pint.Quantity | None
    price_year: int | None
    source: str
    licence: str
    notes: str
    currency: str = ""
    country: str = ""
    url: str = ""


def _format_citation(row: pd.Series) -> str:
    year = f" ({int(row['source_year'])})" if not pd.isna(row["source_year"]) else ""
    parts = [f"{row['publisher'] or 'Unknown publisher'}{year}."]
    for key in ("source_title", "page_table", "url"):
        if row[key]:
            parts.append(f"{row[key]}.")
    return " ".join(parts)


@cache
def _read_proxies() -> pd.DataFrame:
    path = dataset_path("proxies.csv")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    field = "datasets/proxies.csv"
    if list(table.columns) != _COLUMNS:
        raise SROIError(f"expected columns {_COLUMNS}, got {list(table.columns)}", field)
    if table["id"].duplicated().any():
        raise SROIError(f"duplicate ids: {sorted(table['id'][table['id'].duplicated()])}", field)
    for col in ("value", "low", "high"):
        table[col] = pd.to_numeric(table[col].replace("", None), errors="raise").astype(float)
    for col in ("price_year", "source_year"):
        table[col] = pd.to_numeric(table[col].replace("", None), errors="raise").astype("Int64")
    for row in table.to_dict("records"):
        row_field = f"{field}[{row['id']}]"
        unit = parse_unit(str(row["unit"]), row_field + ".unit")
        if currency_of(unit, row_field + ".unit") != row["currency"]:
            raise SROIError(f"unit {row['unit']!r} does not match currency {row['currency']!r}", row_field)
        value, low, high = (float(row[k]) for k in ("value", "low", "high"))
        if math.isnan(value) and (math.isnan(low) or math.isnan(high)):
            raise SROIError("a proxy needs a value or a published range", row_field)
        if not math.isnan(low) and not math.isnan(high) and low > high:
            raise SROIError(f"low {low} is above high {high}", row_field)
    table["source"] = table.apply(_format_citation, axis=1)
    table.attrs["source"] = (
        "sroi datasets/proxies.csv: published figures with their citations; see datasets/proxies_README.md"
    )
    return table


def load_proxies() -> pd.DataFrame:
    """The proxy library as a table.

    Returns
    -------
    pandas.DataFrame
        One row per proxy; the columns of ``datasets/proxies.csv`` (``value``, ``low``,
        ``high`` as floats [currency per unit], NaN when not published; ``price_year`` and
        ``source_year`` as nullable integers) plus ``source``, a formatted citation.

    Notes
    -----
    Every value is transcribed from the publication it cites; none is estimated.

    References
    ----------
    ``datasets/proxies_README.md`` lists each source and its caveats.

    Examples
    --------
    >>> from sroi.proxies import load_proxies
    >>> table = load_proxies()
    >>> table.set_index("id").loc["wellby_uk_hmt_2021", ["value", "low", "high"]].tolist()
    [13000.0, 10000.0, 16000.0]
    """
    table = _read_proxies().copy()
    table.attrs = dict(_read_proxies().attrs)
    return table


def search_proxies(text: str) -> pd.DataFrame:
    """Proxies whose id, name, notes or source contain ``text`` (case-insensitive).

    Parameters
    ----------
    text : str
        Plain text (not a regular expression); '' returns every proxy.

    Returns
    -------
    pandas.DataFrame
        The matching rows of :func:`load_proxies`.

    Examples
    --------
    >>> from sroi.proxies import search_proxies
    >>> search_proxies("digital inclusion")["id"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['going_online_new_user_bt_2014', 'going_online_advanced_user_bt_2014',
     'going_online_professional_user_bt_2014']
    """
    if not isinstance(text, str):
        raise SROIError(f"expected text to search for, got {text!r}", "text")
    table = load_proxies()
    needle = text.casefold()
    mask = pd.Series(False, index=table.index)
    for col in _SEARCHED:
        mask |= table[col].astype(str).str.casefold().str.contains(needle, regex=False)
    return table[mask]


def _quantity(value: float, unit: str) -> pint.Quantity | None:
    return None if math.isnan(value) else Q_(float(value), unit)


def get_proxy(id: str) -> ProxyRecord:
    """One proxy of the library by its id.

    Parameters
    ----------
    id : str
        E.g. ``'wellby_uk_hmt_2021'``.

    Returns
    -------
    ProxyRecord
        With ``quantity`` [currency per unit] and its price year and citation.

    Raises
    ------
    SROIError
        If the id is unknown (field ``proxy.ref``), with close matches and how to list all.

    Notes
    -----
    Convert to the analysis currency and price year with
    ``sroi.money.convert(record.quantity, to_currency, record.price_year, to_year)``.

    References
    ----------
    ``datasets/proxies_README.md``.

    Examples
    --------
    >>> from sroi.proxies import get_proxy
    >>> record = get_proxy("average_wage_urban_non_private_cn_nbs_2023")
    >>> record.quantity, record.price_year
    (<Quantity(120698.0, 'CNY / person / year')>, 2023)
    >>> record.source
    'National Bureau of Statistics of China.'
    """
    table = _read_proxies()
    ids = table["id"].tolist()
    if not isinstance(id, str) or id not in ids:
        text = str(id)
        close = difflib.get_close_matches(text, ids, n=3, cutoff=0.5)
        close += [i for i in ids if text and text.casefold() in i.casefold() and i not in close]
        hint = f"did you mean {', '.join(repr(c) for c in close[:5])}? " if close else ""
        raise SROIError(
            f"unknown proxy id {id!r}; {hint}list all ids with sroi.proxies.load_proxies()['id'] "
            "or search them with sroi.proxies.search_proxies('text')",
            "proxy.ref",
        )
    row = table[table["id"] == id].iloc[0]
    price_year = None if pd.isna(row["price_year"]) else int(row["price_year"])
    return ProxyRecord(
        id=row["id"],
        name=row["name"],
        quantity=_quantity(row["value"], row["unit"]),
        low=_quantity(row["low"], row["unit"]),
        high=_quantity(row["high"], row["unit"]),
        price_year=price_year,
        source=row["source"],
        licence=row["licence"],
        notes=row["notes"],
        currency=row["currency"],
        country=row["country"],
        url=row["url"],
    )


def library_fields(ref: Any, field: str = "proxy") -> dict[str, Any]:
    """The outcome fields a library reference ``proxy: {ref: id}`` stands for.

    Parameters
    ----------
    ref : str
        A library id.
    field : str
        Field path for error messages.

    Returns
    -------
    dict
        ``proxy`` (the library value), ``proxy_source`` (its citation), ``proxy_ref`` (the id)
        and, when known, ``proxy_price_year``.

    Raises
    ------
    SROIError
        An unknown id, or a row that publishes only a range (no central value).

    Examples
    --------
    >>> library_fields("wellby_uk_hmt_2021")["proxy_price_year"]
    2019
    """
    rec = get_proxy(str(ref))
    if rec.quantity is None:
        raise SROIError(
            f"the library proxy {rec.id!r} publishes only a range ({rec.low} to {rec.high}), no central "
            "value; give the proxy as a distribution over that range, e.g. {distribution: uniform, low: "
            "..., high: ...}, and cite the library id in proxy_source",
            field,
        )
    out: dict[str, Any] = {"proxy": rec.quantity, "proxy_source": rec.source, "proxy_ref": rec.id}
    if rec.price_year is not None:
        out["proxy_price_year"] = int(rec.price_year)
    return out
