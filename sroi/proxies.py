"""A library of published financial proxies, each with its source and published range.

The rows of ``datasets/proxies.csv`` are figures printed in the publications they cite (see
``datasets/proxies_README.md``, which says how each was found and the licence of each source);
none is estimated. Each carries its currency, price year and country, so that it can be brought
into an analysis with :func:`sroi.money.convert`, and, where the source publishes one, its range
as a distribution (``triangular(low=..., mode=..., high=...)`` around the published central
value, or ``uniform(low=..., high=...)`` when only a range is published).

Values under non-commercial or no-derivatives licences are not shipped: a licensed user keeps
them in a file with the same columns, read by :func:`load_proxies` or :func:`register_proxies`.
A model file's ``proxy: {ref: id}`` becomes the row's range as a distribution (or its central
value), with its citation and price year; the outcome keeps the id in
:attr:`sroi.Outcome.proxy_ref` so that saving writes the reference back (docs/method.md §5).

Examples
--------
>>> from sroi.proxies import get_proxy
>>> wellby = get_proxy("wellby_uk_hmt_2021")
>>> wellby.quantity
<Quantity(13000.0, 'GBP / WELLBY')>
>>> wellby.distribution
Triangular(low=10000.0, mode=13000.0, high=16000.0, unit='GBP / WELLBY')
>>> wellby.price_year
2019
"""

from __future__ import annotations

import difflib
import math
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sroi.datasets import dataset_path
from sroi.distributions import Distribution, distribution_from_dict
from sroi.exceptions import SROIError, SROIWarning, UnitError
from sroi.units import Q_, currency_of, format_quantity, parse_quantity, parse_unit

if TYPE_CHECKING:
    import pint

__all__ = [
    "LIBRARY_COLUMNS",
    "synonyms",
    "ProxyRecord",
    "get_proxy",
    "library_fields",
    "load_proxies",
    "reference_from_file",
    "reference_to_file",
    "register_proxies",
    "search_proxies",
    "unregister_proxies",
]

#: Columns of a proxy library file, in order (``datasets/proxies.csv`` and a user's own file).
LIBRARY_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "theme",
    "value",
    "unit",
    "currency",
    "price_year",
    "country",
    "distribution",
    "source_title",
    "publisher",
    "year",
    "table_or_page",
    "url",
    "licence",
    "note",
)
#: Optional column of a user's file: ``true`` where a value may be negative (a cost).
_OPTIONAL_COLUMNS = ("negative",)
_REQUIRED_COLUMNS = ("id", "name", "unit")
_SOURCE_COLUMNS = ("source_title", "publisher", "url")
_SEARCHED = ("id", "name", "theme", "note", "source_title", "publisher", "table_or_page")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,119}$")
_DIST_RE = re.compile(r"^\s*([A-Za-z]+)\s*\((.*)\)\s*$", re.S)
_PARAM_RE = re.compile(r"^\s*([a-z]+)\s*=\s*([-+0-9.eE]+)\s*$")
_DIST_FAMILIES = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high"),
}
_RESTRICTED_LICENCE = re.compile(r"non-?commercial|no-?deriv|\bBY-NC\b|\bNC-ND\b|\bBY-ND\b|-NC\b|-ND\b", re.I)
_LIBRARY = "sroi"


@dataclass(frozen=True)
class ProxyRecord:
    """One published financial proxy.

    Attributes
    ----------
    id : str
        Identifier in its library file (``datasets/proxies.csv`` or a registered user file).
    name : str
        What one unit of the value is.
    quantity : pint.Quantity or None [currency per unit]
        The published central value with its unit, e.g. ``13000 GBP/person/year``; None when
        the source gives only a range.
    low, high : pint.Quantity or None [currency per unit]
        The bounds of the published range, if any.
    price_year : int or None
        Price year of the value (needed to convert it, see :func:`sroi.money.convert`).
    source : str
        One formatted citation.
    licence : str
        Licence of the source, '' when not recorded.
    note : str
        Caveats to read before use.
    currency, country : str
        ISO 4217 code; ISO 3166 alpha-3 code of the country measured (or e.g. ``OECD``).
    url : str
        URL of the source as given, '' when not recorded.
    theme : str
        E.g. ``'wellbeing'``, ``'loneliness'``, ``'health'``.
    distribution : Distribution or None [currency per unit]
        The published range as a distribution (its unit is the row's unit); None when no range
        is published.
    source_title, publisher, table_or_page : str
        The parts of the citation; ``year`` (int or None) the year of publication.
    library, unit : str
        ``'sroi'`` or the registered file's path; the unit as written, e.g. ``'GBP/person/year'``.
    """

    id: str
    name: str
    quantity: pint.Quantity | None
    low: pint.Quantity | None
    high: pint.Quantity | None
    price_year: int | None
    source: str
    licence: str
    note: str
    currency: str = ""
    country: str = ""
    url: str = ""
    theme: str = ""
    distribution: Distribution | None = None
    source_title: str = ""
    publisher: str = ""
    year: int | None = None
    table_or_page: str = ""
    library: str = _LIBRARY
    unit: str = ""

    @property
    def notes(self) -> str:
        """The same as :attr:`note` (the name of earlier releases)."""
        return self.note

    @property
    def estimate(self) -> Distribution | pint.Quantity:
        """What a library reference puts in a model: the published range as a distribution
        when there is one, else the central value."""
        # every row is validated to have a value or a distribution
        return self.distribution if self.distribution is not None else self.quantity  # type: ignore[return-value]


# ---------------------------------------------------------------- reading and checking a file


def _cell(row: Mapping[Any, Any], col: str) -> str:
    v = row.get(col, "")
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()


def _number(text: str, where: str) -> float | None:
    if text == "":
        return None
    try:
        x = float(text.replace(",", ""))
    except ValueError:
        raise SROIError(f"expected a number, got {text!r}", where) from None
    if not math.isfinite(x):
        raise SROIError(f"expected a finite number, got {text!r}", where)
    return x


def _whole(text: str, where: str) -> int | None:
    if text == "":
        return None
    x = float(text) if re.fullmatch(r"\d{4}(\.0*)?", text) else math.nan
    if not 1800 <= x <= 2200:
        raise SROIError(f"expected a year such as 2021, got {text!r}", where)
    return int(x)


def _truthy(text: str, where: str) -> bool:
    if text.lower() not in ("", "false", "no", "0", "true", "yes", "1"):
        raise SROIError(f"expected true or false, got {text!r}", where)
    return text.lower() in ("true", "yes", "1")


def _parse_distribution(text: str, unit: str, where: str) -> Distribution:
    """``'triangular(low=1, mode=2, high=3)'`` -> a distribution in ``unit``."""
    form = "e.g. 'triangular(low=10000, mode=13000, high=16000)' or 'uniform(low=6, high=991)'"
    m = _DIST_RE.match(text)
    if not m or m.group(1).lower() not in _DIST_FAMILIES:
        raise SROIError(f"expected a distribution of {sorted(_DIST_FAMILIES)}, {form}; got {text!r}", where)
    family = m.group(1).lower()
    params: dict[str, float] = {}
    for part in m.group(2).split(","):
        pm = _PARAM_RE.match(part)
        if not pm:
            raise SROIError(
                f"expected name=number parameters, {form}; got {part.strip()!r} in {text!r}", where
            )
        params[pm.group(1)] = _number(pm.group(2), where) or 0.0  # the pattern needs a digit
    expected = _DIST_FAMILIES[family]
    if set(params) != set(expected):
        raise SROIError(f"{family} takes {list(expected)}, got {sorted(params)} in {text!r}", where)
    spec: dict[str, Any] = {"distribution": family}
    spec.update({k: f"{params[k]!r} {unit}" for k in expected})
    return distribution_from_dict(spec, where)


def _format_citation(row: Mapping[str, Any]) -> str:
    year = f" ({row['year']})" if row.get("year") not in (None, "") else ""
    parts = [f"{row.get('publisher') or 'Unknown publisher'}{year}."]
    for key in ("source_title", "table_or_page", "url"):
        if row.get(key):
            parts.append(f"{row[key]}.")
    return " ".join(parts)


def _check_table(table: pd.DataFrame, label: str, *, library: bool) -> pd.DataFrame:
    """Validate a proxy table read as text; return it with typed columns added.

    Errors name ``label`` (the file), the data row (its line in the file) and the column.
    """
    table = table.copy()
    table.columns = [str(c).strip() for c in table.columns]
    allowed = (*LIBRARY_COLUMNS, *_OPTIONAL_COLUMNS)
    for col in table.columns:
        if col not in allowed:
            close = difflib.get_close_matches(col, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; expected columns {list(LIBRARY_COLUMNS)}"
            raise SROIError(f"unknown column {col!r}{hint}", label)
    for col in _REQUIRED_COLUMNS:
        if col not in table.columns:
            raise SROIError(
                f"missing required column {col!r}; expected columns {list(LIBRARY_COLUMNS)}", label
            )
    if "value" not in table.columns and "distribution" not in table.columns:
        raise SROIError("a proxy file needs a 'value' or a 'distribution' column (or both)", label)
    if library and list(table.columns) != list(LIBRARY_COLUMNS):
        raise SROIError(f"expected columns {list(LIBRARY_COLUMNS)}, got {list(table.columns)}", label)
    for col in allowed:
        if col not in table.columns:
            table[col] = ""
    table = table.fillna("").astype(str)
    for col in allowed:
        table[col] = table[col].str.strip()

    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    no_source: list[str] = []
    for i, row in enumerate(table.to_dict("records")):
        line = i + 2  # the header is line 1

        def where(col: str, line: int = line) -> str:
            return f"{label}, row {line}, column {col}"

        pid = _cell(row, "id")
        if not _ID_RE.match(pid):
            raise SROIError(f"expected an id of letters, digits, '_', '.' or '-', got {pid!r}", where("id"))
        if pid in seen:
            raise SROIError(f"duplicate id {pid!r}", where("id"))
        seen.add(pid)
        if not _cell(row, "name"):
            raise SROIError("the name is empty: say what one unit of the value is", where("name"))
        unit_text = _cell(row, "unit")
        try:
            unit = parse_unit(unit_text, where("unit"))
            code = currency_of(unit, where("unit"))
        except UnitError as exc:
            raise UnitError(str(exc).split(": ", 1)[-1], where("unit")) from None
        if code is None:
            raise UnitError(
                f"expected a money unit such as 'GBP/person/year', got {unit_text!r}", where("unit")
            )
        currency = _cell(row, "currency")
        if currency and currency != code:
            raise SROIError(
                f"currency {currency!r} does not match the unit {unit_text!r} ({code})", where("currency")
            )
        negative = _truthy(_cell(row, "negative"), where("negative"))
        value = _number(_cell(row, "value"), where("value"))
        dist_text = _cell(row, "distribution")
        dist = _parse_distribution(dist_text, unit_text, where("distribution")) if dist_text else None
        if value is None and dist is None:
            raise SROIError("a proxy needs a value or a published range as a distribution", where("value"))
        if dist is not None:
            low, high = dist.support()
            if value is not None and not low <= value <= high:
                raise SROIError(
                    f"the value {value:g} lies outside the range {low:g} to {high:g}", where("value")
                )
            mode = getattr(dist, "mode", None)
            if value is not None and mode is not None and mode != value:
                raise SROIError(
                    f"the mode {mode:g} of the distribution must be the published central value {value:g}",
                    where("distribution"),
                )
        else:
            low = high = math.nan
        smallest = min(x for x in (value, low) if x is not None and not math.isnan(x))
        if smallest < 0 and not negative:
            raise SROIError(
                f"negative value {smallest:g}: a proxy is non-negative unless its row says negative=true",
                where("value" if value is not None and value < 0 else "distribution"),
            )
        if not any(_cell(row, c) for c in _SOURCE_COLUMNS):
            no_source.append(pid)
        if library and _RESTRICTED_LICENCE.search(_cell(row, "licence")):
            raise SROIError(
                "a value under a non-commercial or no-derivatives licence cannot be shipped; keep it in "
                "a user file read with load_proxies(path)",
                where("licence"),
            )
        rec: dict[str, Any] = {c: _cell(row, c) for c in LIBRARY_COLUMNS}
        rec.update(
            currency=code,
            value=math.nan if value is None else value,
            low=low,
            high=high,
            price_year=_whole(_cell(row, "price_year"), where("price_year")),
            year=_whole(_cell(row, "year"), where("year")),
            negative=negative,
            library=_LIBRARY if library else label,
        )
        rec["source"] = _format_citation(rec)
        records.append(rec)
    if no_source:
        warnings.warn(
            f"{label}: {len(no_source)} proxy row(s) give no source (source_title, publisher or url): "
            f"{', '.join(no_source[:10])}{' ...' if len(no_source) > 10 else ''}; a proxy needs a citation "
            "that a reader can check",
            SROIWarning,
            stacklevel=3,
        )
    columns = [*LIBRARY_COLUMNS, "low", "high", "negative", "source", "library"]
    out = pd.DataFrame.from_records(records, columns=columns)
    out["value"] = out["value"].astype(float)
    out["low"] = out["low"].astype(float)
    out["high"] = out["high"].astype(float)
    for col in ("price_year", "year"):
        out[col] = pd.array(out[col].tolist(), dtype="Int64")
    out["negative"] = out["negative"].astype(bool)
    return out


def _read_csv(path: Path, label: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise SROIError(f"no such file: {path}", label) from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SROIError(
            f"could not read {path.name} as UTF-8 CSV: {str(exc).splitlines()[0]}", label
        ) from None


@cache
def _library() -> pd.DataFrame:
    path = dataset_path("proxies.csv")
    table = _check_table(_read_csv(path, "datasets/proxies.csv"), "datasets/proxies.csv", library=True)
    table.attrs["source"] = (
        "sroi datasets/proxies.csv: published figures with their citations; see datasets/proxies_README.md"
    )
    return table


_REGISTERED: dict[str, pd.DataFrame] = {}


def _all_rows() -> pd.DataFrame:
    base = _library()
    if not _REGISTERED:
        return base
    table = pd.concat([base, *_REGISTERED.values()], ignore_index=True)
    table.attrs = dict(base.attrs)
    return table


# ---------------------------------------------------------------- public API


def load_proxies(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The proxy library as a table, or a user's own proxy file read and checked.

    Parameters
    ----------
    path : path-like, optional
        A CSV file with the columns :data:`LIBRARY_COLUMNS` (``id``, ``name`` and ``unit``
        required, and a ``value`` or a ``distribution``; an optional ``negative`` column marks
        rows that may be negative). None (the default) returns the shipped library together
        with any rows added by :func:`register_proxies`.

    Returns
    -------
    pandas.DataFrame
        One row per proxy: the file's columns (``value`` [currency per unit] a float, NaN when
        only a range is published; ``price_year`` and ``year`` nullable integers) plus ``low``
        and ``high`` (the range's bounds, NaN when none), ``negative``, ``source`` (a formatted
        citation) and ``library`` (``'sroi'`` or the file's path).

    Raises
    ------
    SROIError
        A file that cannot be read, an unknown or missing column, or a bad row; the message
        names the file, the row (its line in the file) and the column.

    Warns
    -----
    SROIWarning
        When rows give no source (no ``source_title``, ``publisher`` or ``url``).

    Notes
    -----
    Values under non-commercial or no-derivatives licences are not shipped: read your licensed
    copy with ``load_proxies(path)`` (docs/method.md §5).

    References
    ----------
    ``datasets/proxies_README.md`` lists each source, how it was found, and its licence.

    Examples
    --------
    >>> from sroi.proxies import load_proxies
    >>> table = load_proxies()
    >>> table.set_index("id").loc["wellby_uk_hmt_2021", ["value", "low", "high"]].tolist()
    [13000.0, 10000.0, 16000.0]
    """
    if path is None:
        table = _all_rows().copy()
        table.attrs = dict(_library().attrs)
        return table
    p = Path(path)
    return _check_table(_read_csv(p, str(p)), str(p), library=False)


def register_proxies(source: str | os.PathLike[str] | pd.DataFrame, *, label: str | None = None) -> list[str]:
    """Make the rows of a user's proxy file available to :func:`get_proxy`,
    :func:`search_proxies` and model-file references ``proxy: {ref: id}``.

    Parameters
    ----------
    source : path-like or pandas.DataFrame
        A CSV file (or a table) with the columns of :func:`load_proxies`.
    label : str, optional
        Name used in messages and in the ``library`` column; default the path, or ``'user
        table'`` for a DataFrame.

    Returns
    -------
    list of str
        The ids registered.

    Raises
    ------
    SROIError
        As :func:`load_proxies`; or an id that is already in the library or registered.

    Notes
    -----
    Registration lasts for the Python session; :func:`unregister_proxies` removes it. A model
    file that refers to a registered id needs the file registered before it is loaded
    (docs/method.md §5).

    Examples
    --------
    >>> import pandas as pd
    >>> from sroi.proxies import get_proxy, register_proxies, unregister_proxies
    >>> mine = pd.DataFrame({"id": ["my_befriending_value"], "name": ["Befriending, per person"],
    ...     "value": ["250"], "unit": ["GBP/person/year"], "price_year": ["2023"],
    ...     "source_title": ["Our licensed value bank"], "publisher": ["Licensor"]})
    >>> register_proxies(mine, label="my values")
    ['my_befriending_value']
    >>> get_proxy("my_befriending_value").quantity
    <Quantity(250.0, 'GBP / person / year')>
    >>> unregister_proxies()
    """
    if isinstance(source, pd.DataFrame):
        name = label or "user table"
        table = _check_table(source.astype(object), name, library=False)
    else:
        name = label or str(Path(source))
        table = _check_table(_read_csv(Path(source), name), name, library=False)
    taken = set(_all_rows()["id"])
    clash = sorted(set(table["id"]) & taken)
    if clash:
        raise SROIError(
            f"id(s) {clash} already exist in the proxy library or a registered file; rename them "
            "(e.g. with a prefix of your own)",
            name,
        )
    key = name
    n = 1
    while key in _REGISTERED:
        n += 1
        key = f"{name} ({n})"
    _REGISTERED[key] = table
    return table["id"].tolist()


def unregister_proxies(ids: Sequence[str] | None = None) -> None:
    """Remove rows added by :func:`register_proxies` (all of them when ``ids`` is None).

    Parameters
    ----------
    ids : sequence of str, optional
        Ids to remove; ids not registered are ignored.

    Notes
    -----
    The shipped library cannot be unregistered (docs/method.md §5).
    """
    if ids is None:
        _REGISTERED.clear()
        return
    drop = set(ids)
    for key in list(_REGISTERED):
        kept = _REGISTERED[key][~_REGISTERED[key]["id"].isin(drop)]
        if kept.empty:
            del _REGISTERED[key]
        else:
            _REGISTERED[key] = kept


@cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """The small synonyms map :func:`search_proxies` uses (``datasets/proxy_synonyms.csv``).

    Returns
    -------
    dict of str to tuple of str
        A query word (lower case) and the other words a search for it also tries, e.g.
        ``'loneliness'`` -> ``('lonely', 'social isolation', ...)``.

    Notes
    -----
    Kept short on purpose: it widens a search, it does not classify proxies (docs/method.md §5).
    """
    table = pd.read_csv(dataset_path("proxy_synonyms.csv"), dtype=str, keep_default_na=False)
    return {
        row["word"].strip().casefold(): tuple(
            w.strip().casefold() for w in row["synonyms"].split(";") if w.strip()
        )
        for row in table.to_dict("records")
    }


def search_proxies(text: str) -> pd.DataFrame:
    """Proxies whose id, name, theme, note or source mention ``text`` or one of its synonyms.

    Parameters
    ----------
    text : str
        Plain text (not a regular expression), case-insensitive; '' returns every proxy. A
        query with an entry in :func:`synonyms` also finds rows using the synonyms (e.g.
        ``'loneliness'`` finds rows about social isolation).

    Returns
    -------
    pandas.DataFrame
        The matching rows of :func:`load_proxies`.

    Notes
    -----
    A proxy found here still has to be brought to the analysis's currency and price year
    (docs/method.md §5).

    Examples
    --------
    >>> from sroi.proxies import search_proxies
    >>> "chronic_loneliness_uk_dcms_2020" in search_proxies("loneliness")["id"].tolist()
    True
    >>> "going_online_new_user_bt_2014" in search_proxies("loneliness")["id"].tolist()
    True
    """
    if not isinstance(text, str):
        raise SROIError(f"expected text to search for, got {text!r}", "text")
    table = load_proxies()
    needle = text.casefold().strip()
    needles = {needle, *synonyms().get(needle, ())}
    mask = pd.Series(False, index=table.index)
    for col in _SEARCHED:
        values = table[col].astype(str).str.casefold()
        for n in needles:
            mask |= values.str.contains(n, regex=False)
    return table[mask]


def _quantity(value: float, unit: str) -> pint.Quantity | None:
    return None if math.isnan(value) else Q_(float(value), unit)


def _optional_int(v: Any) -> int | None:
    return None if pd.isna(v) else int(v)


def get_proxy(id: str) -> ProxyRecord:
    """One proxy of the library (or of a registered user file) by its id.

    Parameters
    ----------
    id : str
        E.g. ``'wellby_uk_hmt_2021'``.

    Returns
    -------
    ProxyRecord
        With ``quantity`` [currency per unit], its range as ``distribution``, its price year
        and citation.

    Raises
    ------
    SROIError
        If the id is unknown (field ``proxy.ref``), with close matches and how to list all.

    Notes
    -----
    Convert to the analysis currency and price year with
    ``sroi.money.convert(record.quantity, to_currency, record.price_year, to_year)``
    (docs/method.md §5); ``datasets/proxies_README.md`` describes each source.

    Examples
    --------
    >>> from sroi.proxies import get_proxy
    >>> record = get_proxy("average_wage_urban_non_private_cn_nbs_2023")
    >>> record.quantity, record.price_year
    (<Quantity(120698.0, 'CNY / person / year')>, 2023)
    >>> record.publisher
    'National Bureau of Statistics of China'
    """
    table = _all_rows()
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
    unit = row["unit"]
    dist = _parse_distribution(row["distribution"], unit, f"proxy {id}") if row["distribution"] else None
    return ProxyRecord(
        id=row["id"],
        name=row["name"],
        quantity=_quantity(row["value"], unit),
        low=_quantity(row["low"], unit),
        high=_quantity(row["high"], unit),
        price_year=_optional_int(row["price_year"]),
        source=row["source"],
        licence=row["licence"],
        note=row["note"],
        currency=row["currency"],
        country=row["country"],
        url=row["url"],
        theme=row["theme"],
        distribution=dist,
        source_title=row["source_title"],
        publisher=row["publisher"],
        year=_optional_int(row["year"]),
        table_or_page=row["table_or_page"],
        library=row["library"],
        unit=unit,
    )


def library_fields(ref: Any, field: str = "proxy") -> dict[str, Any]:
    """The outcome fields a library reference ``proxy: {ref: id}`` stands for.

    Parameters
    ----------
    ref : str
        A library id (of the shipped library or a registered file).
    field : str
        Field path for error messages.

    Returns
    -------
    dict
        ``proxy`` (the published range as a distribution, or the central value when no range
        is published; see :attr:`ProxyRecord.estimate`), ``proxy_source`` (the citation),
        ``proxy_ref`` (the id) and, when known, ``proxy_price_year``.

    Raises
    ------
    SROIError
        An unknown id.

    Notes
    -----
    The distribution's central value is the published central value, so a deterministic
    evaluation uses the published figure and a simulation draws from the published range
    (docs/method.md §6.1); the price year lets the engine uprate it (docs/method.md §5).

    Examples
    --------
    >>> f = library_fields("wellby_uk_hmt_2021")
    >>> f["proxy"], f["proxy_price_year"]
    (Triangular(low=10000.0, mode=13000.0, high=16000.0, unit='GBP / WELLBY'), 2019)
    >>> library_fields("going_online_new_user_bt_2014")["proxy"]
    <Quantity(1064.0, 'GBP / person / year')>
    """
    if not isinstance(ref, str) or not ref:
        raise SROIError(f"expected a library id, got {ref!r}", f"{field}.ref")
    rec = get_proxy(ref)
    out: dict[str, Any] = {"proxy": rec.estimate, "proxy_source": rec.source, "proxy_ref": rec.id}
    if rec.price_year is not None:
        out["proxy_price_year"] = int(rec.price_year)
    return out


def reference_from_file(spec: Mapping[str, Any], field: str = "proxy") -> dict[str, Any]:
    """Read a proxy reference in model-file form into outcome fields.

    Parameters
    ----------
    spec : mapping
        ``{ref: id}``: the library's estimate (its published range as a distribution where
        one is given); ``{ref: id, value: '12000 GBP/person/year'}``: a fixed value of the
        user's instead; ``{ref: id, distribution: uniform, low: ..., high: ...}``: a
        distribution of the user's instead. Either override keeps the id and citation.
    field : str
        Field path for error messages, e.g. ``'outcomes[2].proxy'``.

    Returns
    -------
    dict
        As :func:`library_fields`, with ``proxy`` replaced by the override if one is given.

    Raises
    ------
    SROIError
        An unknown id, an unknown key, or an override in another dimension than the library's
        unit.

    Notes
    -----
    Bare numbers in an override are read in the library row's unit (docs/method.md §2.3).

    Examples
    --------
    >>> reference_from_file({"ref": "wellby_uk_hmt_2021", "value": "13000 GBP/WELLBY"})["proxy"]
    <Quantity(13000.0, 'GBP / WELLBY')>
    """
    if not isinstance(spec, Mapping) or "ref" not in spec:
        raise SROIError(f"expected {{ref: id}}, got {spec!r}", field)
    fields = library_fields(spec["ref"], field)
    extra = {k: v for k, v in spec.items() if k != "ref"}
    if not extra:
        return fields
    unit = parse_unit(get_proxy(str(spec["ref"])).unit, field)
    if set(extra) == {"value"}:
        q = parse_quantity(extra["value"], f"{field}.value")
        if q.dimensionless and q.units == Q_(1).units:
            q = Q_(float(q.magnitude), unit)
        if q.dimensionality != Q_(1, unit).dimensionality:
            raise SROIError(f"expected a value in {unit}, got {extra['value']!r}", f"{field}.value")
        fields["proxy"] = q
        return fields
    if "distribution" in extra:
        dist = distribution_from_dict(extra, field)
        if dist.unit is None:
            params = {k: v for k, v in extra.items() if k != "distribution"}
            dist = distribution_from_dict(
                {
                    "distribution": extra["distribution"],
                    **{k: f"{float(v)!r} {unit}" for k, v in params.items()},
                },
                field,
            )
        if dist.unit is not None and Q_(1, dist.unit).dimensionality != Q_(1, unit).dimensionality:
            raise SROIError(f"expected a distribution in {unit}, got one in {dist.unit}", field)
        fields["proxy"] = dist
        return fields
    raise SROIError(
        f"a proxy reference takes 'ref' and optionally 'value' or a distribution; got also {sorted(extra)}",
        field,
    )


def reference_to_file(proxy_ref: str, proxy: Any) -> dict[str, Any] | None:
    """The model-file form of a proxy taken from the library, or None.

    Parameters
    ----------
    proxy_ref : str
        The outcome's :attr:`~sroi.Outcome.proxy_ref` ('' when none).
    proxy : Quantity, Distribution or number
        The outcome's proxy.

    Returns
    -------
    dict or None
        ``{ref: id}`` when the proxy is still the library's estimate; ``{ref: id, value: ...}``
        or ``{ref: id, distribution: ...}`` when the user overrode it; None when there is no
        reference, the id is not known here, or the proxy cannot be written as an override
        (e.g. a per-year list or a named parameter).

    Notes
    -----
    Used when saving a model file or a value-map table, so that a library proxy is written as
    its reference rather than the expanded number (docs/method.md §5).

    Examples
    --------
    >>> f = library_fields("wellby_uk_hmt_2021")
    >>> reference_to_file("wellby_uk_hmt_2021", f["proxy"])
    {'ref': 'wellby_uk_hmt_2021'}
    """
    if not proxy_ref:
        return None
    try:
        library = library_fields(proxy_ref)
    except SROIError:
        return None
    try:
        same = type(library["proxy"]) is type(proxy) and bool(library["proxy"] == proxy)
    except (ValueError, TypeError):  # pint comparisons across dimensions
        same = False
    if same:
        return {"ref": proxy_ref}
    if isinstance(proxy, Distribution):
        return {"ref": proxy_ref, **proxy.to_dict()}
    if hasattr(proxy, "magnitude") and hasattr(proxy, "units"):
        return {"ref": proxy_ref, "value": format_quantity(proxy, digits=None)}  # type: ignore[arg-type]
    return None
