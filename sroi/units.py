"""One pint unit registry for the whole package: counts and currencies.

Counts (``person``, ``household``, ``device``, ``visit``, ``user``...) and currencies (ISO 4217
codes) are *base dimensions* of their own, so a proxy priced per person cannot multiply a
count of devices, and pounds never turn into yuan, unless an explicit, recorded conversion is
given: a ratio such as ``0.3 person/device``, or a rate through :mod:`sroi.money`.

Never create a second :class:`pint.UnitRegistry`; use :data:`ureg` and :data:`Q_`.

Text is read by a bounded parser: a unit of at most :data:`MAX_UNIT_CHARS` characters, checked
token by token in one pass (names, ``*``, ``/``, ``**`` or ``^`` with a small exponent,
parentheses) before pint sees it, so no text makes parsing slow. SI prefixes on currencies and
counts are refused (``5 mGBP`` could mean a thousandth or a million pounds; ``kperson`` is not
a count anyone writes): write the number in full.

Examples
--------
>>> from sroi.units import Q_
>>> proxy = Q_("500 GBP/person")
>>> reached = Q_("1000 device") * Q_("0.3 person/device")
>>> (proxy * reached).to("GBP")
<Quantity(150000.0, 'GBP')>
"""

from __future__ import annotations

import copyreg
import math
import os
import re
from pathlib import Path
from typing import Any

import pint

from sroi.exceptions import UnitError

__all__ = [
    "ureg",
    "Q_",
    "COUNT_UNITS",
    "CURRENCIES",
    "WELLBEING_UNITS",
    "define_count_unit",
    "define_currency",
    "parse_quantity",
    "parse_unit",
    "currency_of",
    "is_money",
    "count_dimensions",
    "format_quantity",
    "shortest_number",
    "as_float",
    "MAX_UNIT_CHARS",
    "MAX_QUANTITY_CHARS",
]


def _cache_folder() -> Path | None:
    """Where pint keeps its parsed definitions between sessions: the user's cache folder for
    sroi (building the registry from text costs about 0.3 s an import); None (no cache) when
    ``SROI_PINT_CACHE=0`` or the folder cannot be created."""
    if os.environ.get("SROI_PINT_CACHE", "1") == "0":
        return None
    try:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("sroi")) / "pint"
        folder.mkdir(parents=True, exist_ok=True)
        return folder if os.access(folder, os.W_OK) else None
    except (ImportError, OSError):
        return None


def _registry() -> pint.UnitRegistry:
    folder = _cache_folder()
    if folder is not None:
        try:
            return pint.UnitRegistry(on_redefinition="raise", cache_folder=folder)
        except (OSError, EOFError, ValueError):  # an unreadable cache: build from text
            pass
    return pint.UnitRegistry(on_redefinition="raise", cache_folder=None)


ureg: pint.UnitRegistry = _registry()
"""The package's single unit registry (also pint's application registry, so that quantities,
and the analyses and results holding them, pickle and unpickle in another process)."""
pint.set_application_registry(ureg)

Q_ = ureg.Quantity
"""Shorthand for ``ureg.Quantity``."""
Q_.__doc__ = "A pint Quantity of the sroi registry: ``Q_(500, 'GBP/person')`` or ``Q_('120 person')``."

#: Count units defined at import; add more with :func:`define_count_unit`.
COUNT_UNITS: list[str] = []
#: ISO 4217 currency codes defined at import; add more with :func:`define_currency`.
CURRENCIES: list[str] = []

_ISO_RE = re.compile(r"^[A-Z]{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z_]*$")


def define_count_unit(name: str, *aliases: str) -> pint.Unit:
    """Define a new count unit as a base dimension of its own.

    Parameters
    ----------
    name : str
        Singular lower-case name, e.g. ``"patient"``; pint also accepts the plural.
    *aliases : str
        Other names for the same unit.

    Returns
    -------
    pint.Unit

    Raises
    ------
    UnitError
        If the name or an alias is not lower-case letters/underscores, or clashes with an
        existing unit (``"meter"``, ``"persons"``, ``"ms"``...).

    Examples
    --------
    >>> from sroi.units import define_count_unit, Q_
    >>> _ = define_count_unit("learner")
    >>> Q_("12 learners").units
    <Unit('learner')>
    """
    for text in (name, *aliases):
        if not isinstance(text, str) or not _NAME_RE.match(text) or len(text) > 40:
            raise UnitError(
                f"expected a lower-case name such as 'patient' (letters and '_'), got {text!r:.60}",
                "count unit",
            )
    if name in COUNT_UNITS and not aliases:
        return ureg.Unit(name)
    if len(set((name, *aliases))) != 1 + len(aliases):
        raise UnitError(f"a name is given twice in {(name, *aliases)!r}", "count unit")
    for text in (name, *aliases):
        if text in ureg:
            raise UnitError(
                f"{text!r} is already a unit of the registry ({ureg.Unit(text)}); choose another name",
                "count unit",
            )
    alias_part = "".join(f" = {a}" for a in aliases)
    try:
        ureg.define(f"{name} = [{name}]{alias_part}")
    except pint.errors.PintError as exc:  # a clash the checks above could not see
        raise UnitError(f"could not define {name!r}: {exc}", "count unit") from None
    COUNT_UNITS.append(name)
    return ureg.Unit(name)


def define_currency(code: str) -> pint.Unit:
    """Define an ISO 4217 currency code as a dimension of its own.

    Currencies never convert into each other implicitly; :mod:`sroi.money` converts them
    through explicit, recorded rates.

    Parameters
    ----------
    code : str
        Three upper-case letters, e.g. ``"KRW"``.

    Returns
    -------
    pint.Unit

    Examples
    --------
    >>> from sroi.units import define_currency
    >>> define_currency("KRW")
    <Unit('KRW')>
    """
    if not isinstance(code, str) or not _ISO_RE.match(code):
        raise UnitError(f"expected an ISO 4217 code of three capital letters, got {code!r:.60}", "currency")
    if code not in CURRENCIES:
        if code in ureg:
            raise UnitError(f"{code!r} is already a unit of the registry ({ureg.Unit(code)})", "currency")
        try:
            ureg.define(f"{code} = [currency_{code}]")
        except pint.errors.PintError as exc:
            raise UnitError(f"could not define {code!r}: {exc}", "currency") from None
        CURRENCIES.append(code)
    return ureg.Unit(code)


for _name, _aliases in [
    ("person", ("people",)),
    ("household", ()),
    ("device", ()),
    ("visit", ()),
    ("user", ()),
]:
    define_count_unit(_name, *_aliases)

# The count behind unit costs of crime (Home Office, The economic and social costs of crime), used
# by the proxy library (datasets/proxies.csv).
define_count_unit("offence")

# Units of wellbeing. A WELLBY (wellbeing-adjusted life year) is a one-point change in life
# satisfaction on a 0-10 scale, for one person, for one year (HM Treasury (2021), "Wellbeing
# Guidance for Appraisal: Supplementary Green Book Guidance", published 26 July 2021,
# http://www.gov.uk/government/publications/green-book-supplementary-guidance-wellbeing; the
# definition as quoted by the World Wellbeing Panel, https://bse.eu/research/world-wellbeing-panel/wellbys).
# The point of life satisfaction is a count-like base dimension; a WELLBY is a point for a
# person for a year, so "0.05 WELLBY/person" a year, or "0.05 life_satisfaction_point" for a
# person, reaches a proxy in GBP/WELLBY, and a quantity of WELLBYs shows as "50,400 WELLBY".
define_count_unit("life_satisfaction_point")
ureg.define("WELLBY = life_satisfaction_point * person * year = wellby")
#: Units of wellbeing defined at import (docs/method.md §2.3): a WELLBY is one
#: ``life_satisfaction_point`` for one ``person`` for one ``year``.
WELLBEING_UNITS: list[str] = ["life_satisfaction_point", "WELLBY"]

# ISO 4217 codes of the currencies in the packaged rate tables and the commonest others.
for _code in (
    "CNY USD EUR GBP INR NZD AUD JPY CAD CHF HKD KRW SGD SEK NOK DKK BRL MXN ZAR TWD THB "
    "LKR MYR IDR PHP VND PKR BDT NGN KES EGP TRY RUB SAR AED ILS PLN CZK HUF CLP COP ARS PEN "
    "VES"
).split():
    define_currency(_code)


def as_float(value: Any, field: str) -> float:
    """float(value), with numbers too large for a float reported as a UnitError naming the field."""
    try:
        return float(value)
    except OverflowError:
        raise UnitError(
            f"the number {str(value)[:20]}... is too large (more than about 1e308)", field
        ) from None


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


#: Longest unit text read, e.g. ``"GBP / person / year"`` (a guard: parsing stays fast).
MAX_UNIT_CHARS = 100
#: Longest quantity text read, e.g. ``"120,000,000 device"``.
MAX_QUANTITY_CHARS = 200
_MAX_UNIT_TOKENS = 40
_MAX_PARENS = 4
_MAX_EXPONENT = 12.0
_UNIT_TOKEN_RE = re.compile(
    r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<num>[0-9]+(?:\.[0-9]+)?)|(?P<op>\*\*|[*/^()+-])|(?P<bad>\S))",
    re.ASCII,
)


def _check_unit_text(text: str, field: str) -> None:
    """One pass over the unit text: refuse anything pint could take long over, before it sees it."""
    if len(text) > MAX_UNIT_CHARS:
        raise UnitError(
            f"a unit has at most {MAX_UNIT_CHARS} characters, got {len(text):,} ({text[:40]!r}...)", field
        )
    depth = tokens = 0
    sign = ""
    prev = ""  # kind of the previous token: name, num, exp (an exponent), pow, sign, op, (, )
    for m in _UNIT_TOKEN_RE.finditer(text):
        tokens += 1
        if tokens > _MAX_UNIT_TOKENS:
            raise UnitError(f"the unit {text[:40]!r}... has more than {_MAX_UNIT_TOKENS} parts", field)
        bad, num, op = m.group("bad"), m.group("num"), m.group("op")
        if bad is not None:
            hint = " (a percentage is written once, after the number: '20%')" if bad == "%" else ""
            raise UnitError(f"unexpected character {bad!r} in the unit {text!r}{hint}", field)
        if prev in ("pow", "sign"):
            if prev == "pow" and op in ("+", "-"):
                sign, prev = op, "sign"
                continue
            if num is None:
                raise UnitError(f"expected a number after '**' or '^' in the unit {text!r}", field)
            if float(num) > _MAX_EXPONENT:
                raise UnitError(
                    f"the exponent {sign}{num} in the unit {text!r} is out of range "
                    f"(at most {_MAX_EXPONENT:g} in size)",
                    field,
                )
            sign, prev = "", "exp"
            continue
        if op in ("**", "^"):
            if prev == "exp":
                raise UnitError(f"a power of a power in the unit {text!r}: write one exponent", field)
            if prev not in ("name", ")"):
                raise UnitError(f"'{op}' must follow a unit name or ')' in the unit {text!r}", field)
            prev = "pow"
        elif op == "(":
            depth += 1
            if depth > _MAX_PARENS:
                raise UnitError(f"the unit {text!r} nests parentheses more than {_MAX_PARENS} deep", field)
            prev = "("
        elif op == ")":
            depth -= 1
            if depth < 0 or prev in ("(", "op"):
                raise UnitError(f"unbalanced or empty parentheses in the unit {text!r}", field)
            prev = ")"
        elif op in ("+", "-"):
            raise UnitError(f"unexpected {op!r} in the unit {text!r}", field)
        elif op is not None:
            prev = "op"
        elif num is not None:
            if num != "1":
                raise UnitError(
                    f"a number inside the unit {text!r}: put the number before the unit, e.g. '5000 GBP'",
                    field,
                )
            prev = "num"
        else:
            prev = "name"
    if depth or prev in ("pow", "sign", "op"):
        raise UnitError(f"the unit {text!r} is incomplete", field)


def _check_prefixes(unit: pint.Unit, field: str) -> None:
    """Refuse SI prefixes on currencies and count units (``mGBP``, ``kperson``)."""
    own = set(COUNT_UNITS) | set(CURRENCIES) | set(WELLBEING_UNITS)
    for key in unit._units:
        if key in own:
            continue
        for prefix, base, _suffix in ureg.parse_unit_name(key):
            if prefix and base in own:
                why = (
                    "is mGBP a thousandth or a million pounds?"
                    if base in CURRENCIES
                    else "a count is a number of whole things"
                )
                raise UnitError(
                    f"the unit {str(unit)!r} puts the prefix {prefix!r} on {base}; SI prefixes on "
                    f"currencies and counts are refused because they are easily misread ({why}): "
                    f"write the number in full, e.g. '5000000 {base}'",
                    field,
                )


def parse_unit(text: str | pint.Unit, field: str = "unit") -> pint.Unit:
    """Parse a unit string with the package registry.

    The text is checked by a bounded one-pass tokenizer first (at most :data:`MAX_UNIT_CHARS`
    characters; names, ``*``, ``/``, ``**`` or ``^`` followed by a number of at most 12 in
    size, parentheses at most 4 deep), then read by pint.

    Parameters
    ----------
    text : str or pint.Unit
        E.g. ``"GBP/person/year"``.
    field : str
        Field path used in error messages.

    Returns
    -------
    pint.Unit

    Raises
    ------
    UnitError
        If the unit is unknown or malformed, naming the field and listing the count units and
        currencies; or if it puts an SI prefix on a currency or a count (``mGBP``, ``kperson``).

    Examples
    --------
    >>> parse_unit("GBP / person / year")
    <Unit('GBP / person / year')>
    >>> parse_unit("mGBP/person", "outcomes[0].proxy")
    Traceback (most recent call last):
    ...
    sroi.exceptions.UnitError: outcomes[0].proxy: the unit 'milliGBP / person' puts the prefix 'milli' on GBP; SI prefixes on currencies and counts are refused because they are easily misread (is mGBP a thousandth or a million pounds?): write the number in full, e.g. '5000000 GBP'
    """
    if isinstance(text, pint.Unit):
        _check_prefixes(text, field)
        return text
    if not isinstance(text, str):
        raise UnitError(f"expected a unit string such as 'person' or 'GBP/person', got {text!r:.60}", field)
    text = text.strip()
    _check_unit_text(text, field)
    try:
        unit = ureg.Unit(text or "dimensionless")
    except Exception as exc:  # pint's tokenizer/parser raises many types on malformed text
        raise UnitError(
            f"unknown unit {text!r} ({str(exc)[:120]}); count units are {', '.join(COUNT_UNITS)} "
            f"(add more with sroi.units.define_count_unit) and currencies are ISO 4217 codes "
            f"such as {', '.join(CURRENCIES[:8])}",
            field,
        ) from None
    _check_prefixes(unit, field)
    return unit


_THOUSANDS_RE = re.compile(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?", re.ASCII)
# One unambiguous pass: the number, then an optional '%', then the unit (no nested repetition,
# so no backtracking however long the text).
_NUM_RE = re.compile(
    r"(?P<num>[-+]?(?:[0-9][0-9_,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)(?P<pct>[ \t]*%)?(?:\s*(?P<unit>.*))?",
    re.ASCII | re.DOTALL,
)


def parse_quantity(value: Any, field: str = "value", default_unit: str | None = None) -> pint.Quantity:
    """Turn a number, a string such as ``"500 GBP/person"`` or a pint Quantity into a Quantity.

    Numbers are parsed by a strict regular expression (never evaluated, and matched in one pass
    with no backtracking); thousands separators ``,`` and ``_`` are accepted in the number
    (``"120,000,000 device"``). A percentage is written once (``"20%"``); ``"20%%"`` or ``"20%
    percent"`` are refused, and so is text longer than :data:`MAX_QUANTITY_CHARS`.

    Parameters
    ----------
    value : float, int, str or pint.Quantity
        The value. A bare number gets ``default_unit`` (dimensionless when None).
    field : str
        Field path used in error messages.
    default_unit : str, optional
        Unit for a bare number.

    Returns
    -------
    pint.Quantity
        A quantity of the package registry with a float magnitude.

    Raises
    ------
    SROIError
        If the value is not a finite number with a known unit.

    Examples
    --------
    >>> from sroi.units import parse_quantity
    >>> parse_quantity("120,000,000 device")
    <Quantity(120000000.0, 'device')>
    >>> parse_quantity("13000 GBP/person/year").units
    <Unit('GBP / person / year')>
    """
    if isinstance(value, pint.Quantity):
        if value._REGISTRY is not ureg:
            raise UnitError(
                "the quantity comes from another pint registry; build it with sroi.units.Q_", field
            )
        mag = value.magnitude
        if not isinstance(mag, (int, float)) or isinstance(mag, bool):
            raise UnitError(f"expected a single number with a unit, got {value!r:.80}", field)
        q = Q_(as_float(mag, field), parse_unit(value.units, field))  # type: ignore[arg-type]
    elif isinstance(value, bool) or _is_missing(value):
        raise UnitError(f"expected a number with a unit, got {value!r}", field)
    elif isinstance(value, (int, float)):
        q = Q_(
            as_float(value, field), parse_unit(default_unit, field) if default_unit else ureg.dimensionless
        )
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_QUANTITY_CHARS:
            raise UnitError(
                f"a value has at most {MAX_QUANTITY_CHARS} characters, got {len(text):,} ({text[:40]!r}...)",
                field,
            )
        m = _NUM_RE.fullmatch(text)
        if not m:
            raise UnitError(
                f"expected a number followed by a unit such as '120 person', got {value!r}", field
            )
        digits = m.group("num")
        if "," in digits and not _THOUSANDS_RE.fullmatch(digits):
            raise UnitError(
                f"{value!r}: a comma is read only as a thousands separator (1,200,000); "
                "write decimals with a point, e.g. '1.5 person'",
                field,
            )
        try:
            num = float(digits.replace(",", "").replace("_", ""))
        except ValueError:
            raise UnitError(f"expected a number followed by a unit, got {value!r}", field) from None
        unit_text = m.group("unit") or ""
        if m.group("pct"):
            num /= 100.0
            if unit_text and parse_unit(unit_text, field).dimensionless:
                raise UnitError(
                    f"{value!r} is a percentage of a percentage (or of another ratio); write it once, "
                    "e.g. '20%' or 0.2",
                    field,
                )
        if unit_text:
            unit = parse_unit(unit_text, field)
        elif default_unit:
            unit = parse_unit(default_unit, field)
        else:
            unit = ureg.dimensionless
        q = Q_(num, unit)
    else:
        raise UnitError(f"expected a number or a string such as '120 person', got {value!r}", field)
    if not math.isfinite(q.magnitude):
        raise UnitError(f"expected a finite number, got {value!r}", field)
    if not q._is_multiplicative:
        raise UnitError(
            f"{value!r} has an offset unit (such as degC); use a count, money or time unit", field
        )
    return q


def currency_of(units: pint.Unit | pint.Quantity, field: str = "value") -> str | None:
    """Return the ISO code of the single currency in a unit, or None if it has none.

    Raises
    ------
    UnitError
        If the unit mixes two currencies or has a currency to a power other than 1.

    Examples
    --------
    >>> from sroi.units import currency_of, Q_
    >>> currency_of(Q_("500 GBP/person/year"))
    'GBP'
    >>> currency_of(Q_("3 person")) is None
    True
    """
    dims = units.dimensionality if hasattr(units, "dimensionality") else ureg.Unit(str(units)).dimensionality
    found = [(k, v) for k, v in dims.items() if k.startswith("[currency_")]
    if not found:
        return None
    if len(found) > 1 or found[0][1] != 1:
        raise UnitError(f"expected exactly one currency to the power 1, got {units}", field)
    return found[0][0][len("[currency_") : -1]


def is_money(q: pint.Quantity | pint.Unit) -> bool:
    """True if the unit is a plain amount of one currency (e.g. ``GBP``)."""
    code = currency_of(q)
    return code is not None and (q.dimensionality == ureg.Unit(code).dimensionality)


def count_dimensions(units: pint.Unit | pint.Quantity) -> dict[str, float]:
    """Count dimensions of a unit with their powers, e.g. ``{'person': -1}`` for GBP/person."""
    dims = units.dimensionality
    names = set(COUNT_UNITS)
    return {k[1:-1]: float(v) for k, v in dims.items() if k[1:-1] in names}  # type: ignore[arg-type]


def shortest_number(value: float) -> str:
    """The shortest text that reads back to the same float (``repr``), a whole number below
    1e16 without ``.0``.

    Examples
    --------
    >>> shortest_number(0.06), shortest_number(120000000.0), shortest_number(1e20)
    ('0.06', '120000000', '1e+20')
    """
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def format_quantity(q: pint.Quantity, digits: int | None = 6) -> str:
    """Format a quantity as ``'500 GBP / person'`` in a form :func:`parse_quantity` reads back.

    The magnitude is written with ``digits`` significant digits when that reads back to the same
    float, else (and with ``digits=None``) as the shortest text that does (Python's ``repr``:
    ``0.06``, never ``0.059999999999999998``).

    Examples
    --------
    >>> from sroi.units import format_quantity, Q_
    >>> format_quantity(Q_("500 GBP/person/year"))
    '500 GBP / person / year'
    """
    mag = float(q.magnitude)
    text = shortest_number(mag) if digits is None else f"{mag:.{digits}g}"
    if float(text) != mag:
        text = shortest_number(mag)
    unit = str(q.units)
    return text if unit == "dimensionless" else f"{text} {unit}"


# -- pickling ----------------------------------------------------------------------------------
# Quantities and units of the registry pickle as (magnitude, unit text, the count units and
# currencies they use), so that a process that unpickles them (multiprocessing, joblib, Dask)
# defines any count unit or currency it does not know yet, instead of failing.
def _own_definitions(units: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names = {k[1:-1] for k in units.dimensionality}
    counts = tuple(n for n in COUNT_UNITS if n in names)
    currencies = tuple(c for c in CURRENCIES if f"currency_{c}" in names)
    return counts, currencies


def _define_missing(counts: tuple[str, ...], currencies: tuple[str, ...]) -> None:
    for name in counts:
        if name not in COUNT_UNITS:
            define_count_unit(name)
    for code in currencies:
        if code not in CURRENCIES:
            define_currency(code)


def _rebuild_unit(text: str, counts: tuple[str, ...], currencies: tuple[str, ...]) -> pint.Unit:
    _define_missing(counts, currencies)
    return ureg.Unit(text)


def _rebuild_quantity(
    magnitude: Any, text: str, counts: tuple[str, ...], currencies: tuple[str, ...]
) -> pint.Quantity:
    _define_missing(counts, currencies)
    return ureg.Quantity(magnitude, text)


def _reduce_unit(unit: Any) -> tuple[Any, tuple[Any, ...]]:
    return _rebuild_unit, (str(unit), *_own_definitions(unit))


def _reduce_quantity(q: Any) -> tuple[Any, tuple[Any, ...]]:
    return _rebuild_quantity, (q.magnitude, str(q.units), *_own_definitions(q.units))


copyreg.pickle(ureg.Unit, _reduce_unit)
copyreg.pickle(ureg.Quantity, _reduce_quantity)
