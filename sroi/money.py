"""Money that converts honestly: currencies and price years, explicit and recorded.

A financial proxy carries a currency and a price year. Bringing it into the analysis currency
and price year is one explicit step, recorded as a :class:`Conversion`:

    value_target = value * (P_source[to_year] / P_source[from_year]) * rate(source -> target, to_year)

Prices are uprated in the source country first, then converted once (docs/method.md §5). For
benefit transfer between countries the default rate is a purchasing-power parity (``"ppp"``);
market exchange rates (``"market"``) are for traded cash items; an ``"explicit"`` rate is one
the user supplied with its source (:meth:`Rates.with_rate`).

Currencies are dimensions of their own in :data:`sroi.units.ureg`; :func:`convert` changes the
currency of a quantity through a :class:`pint.Context` made for that one conversion, so
outside it pounds still never turn into yuan. See :func:`convert` for an example.
"""

from __future__ import annotations

import copy
import math
import operator
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import pandas as pd
import pint

from sroi.datasets import dataset_path
from sroi.exceptions import ConversionError
from sroi.units import currency_of, parse_quantity, ureg

__all__ = ["BASES", "Conversion", "Rates", "conversion_factor", "convert"]

BASES: tuple[str, ...] = ("ppp", "market", "explicit")
"""Conversion bases a caller can ask for; a same-currency conversion is recorded as ``'none'``."""

_ISO_RE = re.compile(r"^[A-Z]{3}$")

_PACKAGED_SOURCES = {
    "fx": (
        "Federal Reserve H.10 via FRED (datahub.io exchange-rates, snapshot 2026-07-21), annual "
        "means of monthly rates [currency per USD]; sroi datasets/rates/fx_annual.csv"
    ),
    "ppp": (
        "World Bank PA.NUS.PPP, PPP conversion factor GDP [LCU per international $] "
        "(datahub.io ppp, snapshot 2026-03-05); sroi datasets/rates/ppp_gdp.csv"
    ),
    "price_index": (
        "World Bank FP.CPI.TOTL.ZG, CPI inflation chained to an index, 2020 = 100 "
        "(datahub.io cpi, snapshot 2025-07-01); sroi datasets/rates/cpi_index.csv"
    ),
}


@dataclass(frozen=True)
class Conversion:
    """One recorded conversion of money between currencies and price years.

    Attributes
    ----------
    from_currency, to_currency : str
        ISO 4217 codes.
    from_year, to_year : int or None
        Price years of the value and of the target.
    basis : str
        ``'ppp'``, ``'market'``, ``'explicit'`` or ``'none'`` (same currency).
    rate : float
        [target currency per source currency] at ``to_year``.
    index_ratio : float
        P_source[to_year] / P_source[from_year] [dimensionless].
    income_adjustment : float
        (income_target / income_source) ** elasticity, 1.0 unless used [dimensionless].
    factor : float
        ``index_ratio * rate * income_adjustment``, what multiplies magnitudes.
    source : str
        The tables or user sources used.
    field : str
        The field of the analysis this conversion was for, e.g. ``'outcomes[0].proxy'``.

    Examples
    --------
    >>> from sroi.money import conversion_factor
    >>> c = conversion_factor("GBP", "GBP", 2019, 2019)
    >>> c.to_dict()["factor"]
    1.0
    """

    from_currency: str
    from_year: int | None
    to_currency: str
    to_year: int | None
    basis: str
    rate: float
    index_ratio: float
    income_adjustment: float
    factor: float
    source: str
    field: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The conversion as a plain dict (for JSON, YAML or a DataFrame row).

        Returns
        -------
        dict
            One key per attribute.
        """
        return asdict(self)

    def __str__(self) -> str:
        years = f"{self.from_year}->{self.to_year}"
        text = (
            f"{self.from_currency} {self.from_year} -> {self.to_currency} {self.to_year} "
            f"({self.basis}): prices x{self.index_ratio:.6g} ({years}), rate x{self.rate:.6g}"
        )
        if self.income_adjustment != 1.0:
            text += f", income x{self.income_adjustment:.6g}"
        return f"{text} = x{self.factor:.6g}"


def _check_currency_code(code: Any, field: str) -> str:
    if not isinstance(code, str) or not _ISO_RE.match(code):
        raise ConversionError(f"expected an ISO 4217 currency code such as 'GBP', got {code!r}", field)
    return code


def _check_year(year: Any, name: str, field: str) -> int | None:
    if year is None:
        return None
    if isinstance(year, bool):
        raise ConversionError(f"{name} must be a calendar year such as 2023, got {year!r}", field)
    try:
        return operator.index(year)
    except TypeError:
        if isinstance(year, float) and year.is_integer():
            return int(year)
        raise ConversionError(f"{name} must be a calendar year such as 2023, got {year!r}", field) from None


def _check_positive(value: Any, what: str, field: str, allow_zero: bool = False) -> float:
    expected = "a finite number >= 0" if allow_zero else "a positive finite number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConversionError(f"{what} must be {expected}, got {value!r}", field) from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise ConversionError(f"{what} must be {expected}, got {value!r}", field)
    return number


def _describe_years(years: list[int]) -> str:
    """'1990-2024' or '1966-2019, 2022-2023' for a sorted list of years."""
    runs = [[y, y] for i, y in enumerate(years) if i == 0 or y != years[i - 1] + 1]
    for run in runs:
        while run[1] + 1 in years:
            run[1] += 1
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs) or "none"


def _validate_table(df: Any, name: str, key: str, value: str, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    field = f"rates.{name}"
    if not isinstance(df, pd.DataFrame):
        raise ConversionError(f"expected a pandas DataFrame with columns {key}, year, {value}", field)
    missing = [c for c in (key, "year", value) if c not in df.columns]
    if missing:
        raise ConversionError(
            f"missing columns {missing}; expected {key}, year, {value} (got {list(df.columns)})", field
        )
    table = df[[key, "year", value, *[c for c in extra if c in df.columns]]].copy()
    try:
        table["year"] = table["year"].astype(int)
        table[value] = table[value].astype(float)
    except (TypeError, ValueError) as exc:
        raise ConversionError(f"year must be integers and {value} numbers ({exc})", field) from None
    bad = table[~((table[value] > 0) & table[value].map(math.isfinite))]
    if len(bad):
        row = bad.iloc[0]
        raise ConversionError(
            f"{value} must be positive and finite; got {row[value]!r} for {row[key]} {row['year']}", field
        )
    if table.duplicated([key, "year"]).any():
        raise ConversionError(f"duplicate ({key}, year) rows", field)
    table[key] = table[key].astype(str)
    return table.sort_values([key, "year"]).reset_index(drop=True)


class Rates:
    """Exchange rates, PPP factors and price indices used to convert money.

    Parameters
    ----------
    fx : pandas.DataFrame, optional
        Market exchange rates, columns ``currency, year, per_usd`` [currency per USD].
    ppp : pandas.DataFrame, optional
        PPP conversion factors, columns ``country, year, ppp`` [LCU per international $].
    price_index : pandas.DataFrame, optional
        Price index levels, columns ``country, year, index`` and optionally ``chain_start``
        (rows with different ``chain_start`` cannot be compared: a gap broke the chain).
    currencies : pandas.DataFrame, optional
        Mapping ``currency, ppp_country, cpi_country`` (ISO 4217 -> ISO3 codes used for the PPP
        and price-index tables). Default: the packaged mapping (``datasets/rates/currencies.csv``).
    sources : mapping, optional
        Citation text for the ``'fx'``, ``'ppp'`` and ``'price_index'`` tables.

    Notes
    -----
    A table left as None is empty: conversions needing it raise :class:`ConversionError`.
    :meth:`Rates.default` loads the packaged tables. Rates are immutable: ``with_...``
    methods return a new object.

    References
    ----------
    World Bank, World Development Indicators: PA.NUS.PPP and FP.CPI.TOTL.ZG.
    Board of Governors of the Federal Reserve System, H.10 Foreign Exchange Rates (via FRED).

    Examples
    --------
    >>> import pandas as pd
    >>> from sroi.money import Rates
    >>> fx = pd.DataFrame({"currency": ["USD", "GBP"], "year": [2024, 2024], "per_usd": [1.0, 0.78]})
    >>> Rates(fx=fx).available()
    ['GBP', 'USD']
    """

    def __init__(
        self,
        fx: pd.DataFrame | None = None,
        ppp: pd.DataFrame | None = None,
        price_index: pd.DataFrame | None = None,
        currencies: pd.DataFrame | None = None,
        sources: Mapping[str, str] | None = None,
    ) -> None:
        def empty(*columns: str) -> pd.DataFrame:
            return pd.DataFrame({c: [] for c in columns})

        fx = empty("currency", "year", "per_usd") if fx is None else fx
        ppp = empty("country", "year", "ppp") if ppp is None else ppp
        price_index = empty("country", "year", "index") if price_index is None else price_index
        self.fx = _validate_table(fx, "fx", "currency", "per_usd")
        self.ppp = _validate_table(ppp, "ppp", "country", "ppp")
        self.price_index = _validate_table(price_index, "price_index", "country", "index", ("chain_start",))
        if "chain_start" not in self.price_index.columns:
            self.price_index["chain_start"] = 0
        if currencies is None:
            currencies = pd.read_csv(dataset_path("rates", "currencies.csv"), keep_default_na=False)
        self.currencies = self._validate_currencies(currencies)
        self.sources = {k: f"user-supplied {k} table" for k in ("fx", "ppp", "price_index")}
        self.sources.update(sources or {})

        self._fx = {(c, int(y)): float(v) for c, y, v in self.fx.itertuples(index=False, name=None)}
        self._ppp = {(c, int(y)): float(v) for c, y, v in self.ppp.itertuples(index=False, name=None)}
        self._cpi = {
            (c, int(y)): (float(v), int(s))
            for c, y, v, s in self.price_index[["country", "year", "index", "chain_start"]].itertuples(
                index=False, name=None
            )
        }
        codes = self.currencies["currency"].tolist()
        self._ppp_country = {c: p for c, p in zip(codes, self.currencies["ppp_country"], strict=True) if p}
        self._cpi_country = {c: p for c, p in zip(codes, self.currencies["cpi_country"], strict=True) if p}
        self._explicit: dict[tuple[str, str, int | None, str], tuple[float, str]] = {}
        self._income: dict[tuple[str, str], tuple[float, str]] = {}

    @staticmethod
    def _validate_currencies(df: Any) -> pd.DataFrame:
        field = "rates.currencies"
        if not isinstance(df, pd.DataFrame) or "currency" not in df.columns:
            raise ConversionError(
                "expected a DataFrame with columns currency, ppp_country, cpi_country", field
            )
        table = df.copy()
        for col in ("ppp_country", "cpi_country"):
            if col not in table.columns:
                table[col] = ""
            table[col] = table[col].fillna("").astype(str)
        for code in table["currency"]:
            _check_currency_code(code, field)
        if table["currency"].duplicated().any():
            raise ConversionError("each currency may appear once", field)
        return table.reset_index(drop=True)

    @classmethod
    def default(cls) -> Rates:
        """The packaged rate tables (loaded once, then cached).

        Returns
        -------
        Rates
            Market rates (Federal Reserve H.10), GDP PPP factors and chained CPI (World Bank).

        References
        ----------
        ``datasets/rates/README.md``: source, licence and snapshot date of each table.

        Examples
        --------
        >>> from sroi.money import Rates
        >>> Rates.default() is Rates.default()
        True
        """
        return _default_rates()

    def _copy(self) -> Rates:
        new = copy.copy(self)
        new.__dict__.pop("_fingerprint_cache", None)
        new._explicit = dict(self._explicit)
        new._income = dict(self._income)
        new._ppp_country = dict(self._ppp_country)
        new._cpi_country = dict(self._cpi_country)
        return new

    def _fingerprint(self) -> tuple[Any, ...]:
        """Everything that decides a conversion, as a hashable value (equal rates convert alike)."""
        cached = self.__dict__.get("_fingerprint_cache")
        if cached is None:
            cached = tuple(
                frozenset(d.items())
                for d in (
                    self._fx,
                    self._ppp,
                    self._cpi,
                    self._ppp_country,
                    self._cpi_country,
                    self._explicit,
                    self._income,
                )
            )
            self.__dict__["_fingerprint_cache"] = cached
        return cached

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rates):
            return NotImplemented
        return self is other or self._fingerprint() == other._fingerprint()

    def __hash__(self) -> int:
        return hash(self._fingerprint())

    def available(self) -> list[str]:
        """Currencies these rates can convert (some only by one basis).

        Returns
        -------
        list of str
            Sorted ISO 4217 codes.
        """
        ppp_countries = {c for c, _ in self._ppp}
        cpi_countries = {c for c, _ in self._cpi}
        codes = {c for c, _ in self._fx}
        codes |= {c for c, country in self._ppp_country.items() if country in ppp_countries}
        codes |= {c for c, country in self._cpi_country.items() if country in cpi_countries}
        codes |= {k[0] for k in self._explicit} | {k[1] for k in self._explicit}
        return sorted(codes)

    def with_rate(
        self,
        from_currency: str,
        to_currency: str,
        year: int | None,
        rate: float,
        basis: str = "explicit",
        source: str = "user-supplied rate",
    ) -> Rates:
        """A copy of these rates with one explicit rate added (its inverse is implied).

        Parameters
        ----------
        from_currency, to_currency : str
            ISO 4217 codes.
        year : int or None
            The year the rate applies to (the target price year of conversions using it);
            None for a rate used only when the price years are not given.
        rate : float
            [to_currency per from_currency], positive.
        basis : {'explicit', 'ppp', 'market'}
            Which requested basis this rate answers; a ``'ppp'`` or ``'market'`` rate
            overrides the packaged tables for that pair and year.
        source : str
            Where the rate comes from; recorded in every :class:`Conversion` using it.

        Returns
        -------
        Rates

        Raises
        ------
        ConversionError
            If the rate is not positive, a code is not ISO 4217, or the basis is unknown.

        Examples
        --------
        >>> from sroi.money import Rates, conversion_factor
        >>> r = Rates.default().with_rate("GBP", "CNY", 2023, 4.879, basis="ppp",
        ...                               source="World Bank WDI PA.NUS.PRVT.PP 2023")
        >>> round(conversion_factor("GBP", "CNY", 2023, 2023, rates=r).rate, 3)
        4.879
        """
        field = "rates.with_rate"
        from_currency = _check_currency_code(from_currency, field)
        to_currency = _check_currency_code(to_currency, field)
        year_ = _check_year(year, "year", field)
        value = _check_positive(rate, "rate", field)
        if basis not in BASES:
            raise ConversionError(f"basis must be one of {BASES}, got {basis!r}", field)
        if from_currency == to_currency:
            raise ConversionError(f"a rate needs two different currencies, got {from_currency} twice", field)
        new = self._copy()
        new._explicit[(from_currency, to_currency, year_, basis)] = (value, source)
        new._explicit[(to_currency, from_currency, year_, basis)] = (1.0 / value, f"inverse of {source}")
        return new

    def with_income_ratio(
        self, from_currency: str, to_currency: str, ratio: float, source: str = "user-supplied income ratio"
    ) -> Rates:
        """A copy with the income ratio used by the benefit-transfer income adjustment.

        Parameters
        ----------
        from_currency, to_currency : str
            ISO 4217 codes of the source (study) and target (policy) countries.
        ratio : float
            income_target / income_source [dimensionless], e.g. GDP per head at PPP.
        source : str
            Where the incomes come from.

        Returns
        -------
        Rates

        Notes
        -----
        Used by :func:`conversion_factor` when ``elasticity`` is given:
        ``income_adjustment = ratio ** elasticity``.

        Examples
        --------
        >>> from sroi.money import Rates, conversion_factor
        >>> r = Rates.default().with_income_ratio("GBP", "CNY", 0.5, source="illustration")
        >>> conversion_factor("GBP", "CNY", 2023, 2023, rates=r, elasticity=1.0).income_adjustment
        0.5
        """
        field = "rates.with_income_ratio"
        from_currency = _check_currency_code(from_currency, field)
        to_currency = _check_currency_code(to_currency, field)
        value = _check_positive(ratio, "ratio", field)
        new = self._copy()
        new._income[(from_currency, to_currency)] = (value, source)
        new._income[(to_currency, from_currency)] = (1.0 / value, f"inverse of {source}")
        return new

    def with_country(
        self, currency: str, ppp_country: str | None = None, cpi_country: str | None = None
    ) -> Rates:
        """A copy mapping a currency to other countries for PPP and/or the price index.

        Parameters
        ----------
        currency : str
            ISO 4217 code, e.g. ``'EUR'``.
        ppp_country, cpi_country : str, optional
            ISO3 codes in the PPP / price-index tables, e.g. ``'DEU'``.

        Returns
        -------
        Rates

        Examples
        --------
        >>> from sroi.money import Rates, conversion_factor
        >>> r = Rates.default().with_country("EUR", ppp_country="DEU")
        >>> conversion_factor("EUR", "GBP", 2023, 2023, rates=r).basis
        'ppp'
        """
        field = "rates.with_country"
        currency = _check_currency_code(currency, field)
        new = self._copy()
        for country, table, mapping in (
            (ppp_country, self._ppp, new._ppp_country),
            (cpi_country, self._cpi, new._cpi_country),
        ):
            if country is None:
                continue
            countries = sorted({c for c, _ in table})
            if country not in countries:
                raise ConversionError(f"no country {country!r} in the table; available: {countries}", field)
            mapping[currency] = country
        return new

    # -- look-ups ---------------------------------------------------------------------------------
    def _check_known(self, currency: str, field: str) -> None:
        if currency not in self.available():
            raise ConversionError(
                f"unknown currency {currency!r}; rates are available for {', '.join(self.available())} "
                "(add one with Rates.with_rate or pass your own tables to Rates(...))",
                field,
            )

    def _fx_per_usd(self, currency: str, year: int, field: str) -> float:
        if (currency, year) in self._fx:
            return self._fx[(currency, year)]
        years = sorted(y for c, y in self._fx if c == currency)
        if not years:
            with_fx = sorted({c for c, _ in self._fx})
            raise ConversionError(
                f"no market exchange rate for {currency}; market rates exist for {', '.join(with_fx)} "
                "(use basis='ppp', or Rates.with_rate(..., basis='market'))",
                field,
            )
        raise ConversionError(
            f"no market exchange rate for {currency} in {year}; available years {_describe_years(years)}",
            field,
        )

    def _ppp_of(self, currency: str, year: int, field: str) -> tuple[float, str]:
        country = self._ppp_country.get(currency)
        if not country:
            raise ConversionError(
                f"no PPP country for {currency} (e.g. the PPP table has no euro-area row); map it to a "
                f"country with Rates.with_country({currency!r}, ppp_country=...), use basis='market', "
                "or add a rate with Rates.with_rate(..., basis='ppp')",
                field,
            )
        if (country, year) in self._ppp:
            return self._ppp[(country, year)], country
        years = sorted(y for c, y in self._ppp if c == country)
        raise ConversionError(
            f"no PPP factor for {currency} ({country}) in {year}; available years {_describe_years(years)}",
            field,
        )

    def _index_ratio(self, currency: str, from_year: int, to_year: int, field: str) -> tuple[float, str]:
        if from_year == to_year:
            return 1.0, "same price year, no uprating"
        country = self._cpi_country.get(currency)
        if not country:
            raise ConversionError(
                f"no price index for {currency}, so it cannot be uprated from {from_year} to {to_year}; "
                f"map it with Rates.with_country({currency!r}, cpi_country=...) or supply a price_index",
                field,
            )
        years = sorted(y for c, y in self._cpi if c == country)
        levels = []
        for year in (from_year, to_year):
            if (country, year) in self._cpi:
                levels.append(self._cpi[(country, year)])
                continue
            if years and years[0] < year < years[-1]:
                raise ConversionError(
                    f"the price index for {currency} ({country}) has a gap at {year} (available "
                    f"{_describe_years(years)}); it is not interpolated: choose a price year with data "
                    "or supply a complete price_index",
                    field,
                )
            raise ConversionError(
                f"no price index for {currency} ({country}) in {year}; available years {_describe_years(years)}",
                field,
            )
        (p_from, chain_from), (p_to, chain_to) = levels
        if chain_from != chain_to:
            raise ConversionError(
                f"the price index for {currency} ({country}) has a gap between {from_year} and {to_year} "
                f"(available {_describe_years(years)}): inflation is missing, so the chain is broken "
                "and prices cannot be uprated across it; choose price years on one side of the gap",
                field,
            )
        return p_to / p_from, f"price index {country} {from_year}->{to_year}: {self.sources['price_index']}"

    def __repr__(self) -> str:
        return (
            f"Rates({len(self._fx)} market rates, {len(self._ppp)} PPP factors, {len(self._cpi)} index "
            f"levels, {len(self._explicit) // 2} explicit rates; currencies {', '.join(self.available())})"
        )


@cache
def _default_rates() -> Rates:
    # keep_default_na=False: a code such as 'NA' must never be read as a missing value.
    fx, ppp, cpi, currencies = (
        pd.read_csv(dataset_path("rates", name), keep_default_na=False)
        for name in ("fx_annual.csv", "ppp_gdp.csv", "cpi_index.csv", "currencies.csv")
    )
    return Rates(fx, ppp, cpi, currencies, sources=_PACKAGED_SOURCES)


def conversion_factor(
    from_currency: str,
    to_currency: str,
    from_year: int | None = None,
    to_year: int | None = None,
    basis: str = "ppp",
    rates: Rates | None = None,
    field: str = "value",
    elasticity: float | None = None,
) -> Conversion:
    """The factor that brings money from one currency and price year to another.

    Parameters
    ----------
    from_currency, to_currency : str
        ISO 4217 codes of the value and of the target.
    from_year, to_year : int, optional
        Price year of the value and target price year. Both are needed to uprate, and for any
        foreign currency unless an explicit rate for ``to_year`` None was added.
    basis : {'ppp', 'market', 'explicit'}
        ``'ppp'`` (default, benefit transfer: docs/method.md §5) uses GDP PPP factors [LCU per
        international $]; ``'market'`` uses annual mean market rates [currency per USD];
        ``'explicit'`` uses a rate added with :meth:`Rates.with_rate`.
    rates : Rates, optional
        Default :meth:`Rates.default`.
    field : str
        Field path for error messages and the record, e.g. ``'outcomes[0].proxy'``.
    elasticity : float, optional
        Income elasticity for the benefit-transfer income adjustment (often 0.5-1); needs an
        income ratio added with :meth:`Rates.with_income_ratio`.

    Returns
    -------
    Conversion
        With ``factor`` [target currency per source currency] to multiply magnitudes by.

    Raises
    ------
    ConversionError
        A foreign currency with a price year missing, a year outside the data, an unknown
        currency, a gap in the price index, a non-positive rate.

    Notes
    -----
    ``factor = (P_s[to_year] / P_s[from_year]) * rate * (Y_t / Y_s) ** elasticity`` where P_s
    is the source country's price index and, both per USD or per international $ at
    ``to_year``, ``rate = PPP_t / PPP_s`` (basis ``'ppp'``) or ``FX_t / FX_s``
    (basis ``'market'``). Same currency: ``rate = 1`` (only uprating), and with either year
    None the identity (basis ``'none'``).

    References
    ----------
    docs/method.md §5; HM Treasury (2022) The Green Book, on price bases; World Bank WDI
    PA.NUS.PPP and FP.CPI.TOTL.ZG; Federal Reserve H.10.

    Examples
    --------
    >>> from sroi.money import conversion_factor
    >>> c = conversion_factor("GBP", "CNY", 2019, 2023, field="outcomes[0].proxy")
    >>> round(c.index_ratio, 4), round(c.rate, 4), round(c.factor, 4)
    (1.1933, 5.5149, 6.5808)
    >>> conversion_factor("GBP", "GBP").basis
    'none'
    """
    rates = Rates.default() if rates is None else rates
    if not isinstance(rates, Rates):
        raise ConversionError(f"rates must be a sroi.money.Rates, got {type(rates).__name__}", field)
    from_currency = _check_currency_code(from_currency, field)
    to_currency = _check_currency_code(to_currency, field)
    from_year = _check_year(from_year, "from_year", field)
    to_year = _check_year(to_year, "to_year", field)
    if basis not in BASES:
        raise ConversionError(f"basis must be one of {BASES}, got {basis!r}", field)

    def make(basis_: str, rate: float, index_ratio: float, income: float, source: str) -> Conversion:
        factor = index_ratio * rate * income
        if not (math.isfinite(factor) and factor > 0):
            raise ConversionError(
                f"conversion {from_currency}->{to_currency} gave a non-positive or non-finite factor "
                f"{factor!r} (rate {rate!r}, index ratio {index_ratio!r}); check the rate tables",
                field,
            )
        years = (from_currency, from_year, to_currency, to_year)
        return Conversion(*years, basis_, rate, index_ratio, income, factor, source, field)

    if from_currency == to_currency:
        if from_year is None or to_year is None:
            return make("none", 1.0, 1.0, 1.0, "same currency, price year not given: no conversion")
        rates._check_known(from_currency, field)
        ratio, source = rates._index_ratio(from_currency, from_year, to_year, field)
        return make("none", 1.0, ratio, 1.0, source)

    rates._check_known(from_currency, field)
    rates._check_known(to_currency, field)
    explicit = rates._explicit.get((from_currency, to_currency, to_year, basis))
    if from_year is None or to_year is None:
        if explicit is None:
            missing = " and ".join(
                n for n, y in (("from_year", from_year), ("to_year", to_year)) if y is None
            )
            raise ConversionError(
                f"cannot convert {from_currency} to {to_currency}: {missing} is missing; give the price "
                "year of the value (e.g. the proxy's price_year) and the analysis price year, or add an "
                "explicit rate for year None with Rates.with_rate",
                field,
            )
        index_ratio, index_source = 1.0, "price year not given: no uprating"
    else:
        index_ratio, index_source = rates._index_ratio(from_currency, from_year, to_year, field)

    if explicit is not None:
        rate, rate_source = explicit
        rate_source = f"{basis} rate {from_currency}->{to_currency} {to_year}: {rate_source}"
    elif basis == "explicit":
        pairs = sorted({(a, b, y) for a, b, y, s in rates._explicit if s == "explicit"}, key=str)
        raise ConversionError(
            f"no explicit rate {from_currency}->{to_currency} for {to_year}; explicit rates: "
            f"{pairs or 'none'}; add one with Rates.with_rate",
            field,
        )
    elif to_year is None:  # unreachable: a missing year without an explicit rate raised above
        raise ConversionError(f"to_year is missing for {from_currency}->{to_currency}", field)
    elif basis == "ppp":
        ppp_to, country_to = rates._ppp_of(to_currency, to_year, field)
        ppp_from, country_from = rates._ppp_of(from_currency, to_year, field)
        rate = ppp_to / ppp_from
        rate_source = (
            f"PPP {to_year}: {country_to} {ppp_to:.6g} / {country_from} {ppp_from:.6g} LCU per "
            f"international $: {rates.sources['ppp']}"
        )
    else:
        fx_to = rates._fx_per_usd(to_currency, to_year, field)
        fx_from = rates._fx_per_usd(from_currency, to_year, field)
        rate = fx_to / fx_from
        rate_source = (
            f"market rate {to_year}: {to_currency} {fx_to:.6g} / {from_currency} {fx_from:.6g} per USD: "
            f"{rates.sources['fx']}"
        )
    rate = _check_positive(rate, f"the {basis} rate {from_currency}->{to_currency}", field)

    income, income_source = 1.0, ""
    if elasticity is not None:
        e = _check_positive(elasticity, "elasticity (often 0.5-1)", field, allow_zero=True)
        pair = rates._income.get((from_currency, to_currency))
        if pair is None:
            raise ConversionError(
                f"an income elasticity needs the income ratio {to_currency}/{from_currency}; add it "
                "with Rates.with_income_ratio",
                field,
            )
        income = pair[0] ** e
        income_source = f"; income ratio {pair[0]:.6g} ** {e:g}: {pair[1]}"
    return make(basis, rate, index_ratio, income, f"{index_source}; {rate_source}{income_source}")


def _swap_currency(units: Any, to_currency: str) -> Any:
    """The unit with its currency (any prefix) replaced by ``to_currency``."""
    result = ureg.Unit("dimensionless")
    for name, power in ureg.Unit(units)._units.items():
        unit = ureg.Unit(name)
        result *= (ureg.Unit(to_currency) if currency_of(unit) is not None else unit) ** power
    return result


def convert(
    value: pint.Quantity | str,
    to_currency: str,
    from_year: int | None = None,
    to_year: int | None = None,
    basis: str = "ppp",
    rates: Rates | None = None,
    field: str = "value",
    elasticity: float | None = None,
) -> tuple[pint.Quantity, Conversion]:
    """Convert a money quantity to another currency and price year, recording how.

    Parameters
    ----------
    value : pint.Quantity or str [currency, possibly per something]
        E.g. ``Q_(13000, "GBP/person/year")``: exactly one currency, to the power 1.
    to_currency : str
        ISO 4217 code of the target currency.
    from_year, to_year : int, optional
        Price year of ``value`` and target price year.
    basis : {'ppp', 'market', 'explicit'}
        See :func:`conversion_factor`.
    rates : Rates, optional
        Default :meth:`Rates.default`.
    field : str
        Field path for error messages and the record.
    elasticity : float, optional
        Income elasticity, see :func:`conversion_factor`.

    Returns
    -------
    quantity : pint.Quantity [to_currency, same per-units]
        Only the currency part of the unit changes (``GBP/person/year`` -> ``CNY/person/year``).
    conversion : Conversion
        The record of the conversion.

    Raises
    ------
    ConversionError
        If ``value`` holds no currency, or as :func:`conversion_factor`.
    UnitError
        If ``value`` mixes currencies or has a currency to a power other than 1.

    Notes
    -----
    ``value_target = value * (P_s[to_year] / P_s[from_year]) * rate(s -> t, to_year)``
    (docs/method.md §5). The unit change goes through a :class:`pint.Context` holding this one
    transformation, so outside it currencies still never convert.

    References
    ----------
    docs/method.md §5; pint documentation, "Contexts".

    Examples
    --------
    >>> from sroi.units import Q_
    >>> from sroi.money import convert
    >>> q, c = convert(Q_(13000, "GBP/person/year"), "CNY", 2019, 2023, field="outcomes[0].proxy")
    >>> round(q.magnitude)
    85549
    >>> str(q.units)
    'CNY / person / year'
    """
    if isinstance(value, pint.Quantity):
        if value._REGISTRY is not ureg:
            raise ConversionError(
                "the quantity comes from another pint registry; build it with sroi.units.Q_", field
            )
        quantity = value
    else:
        quantity = parse_quantity(value, field)
    source_currency = currency_of(quantity, field)
    if source_currency is None:
        raise ConversionError(
            f"expected an amount of money such as '500 GBP/person', got units {quantity.units}", field
        )
    to_currency = _check_currency_code(to_currency, field)
    if currency_of(ureg.Unit(to_currency) if to_currency in ureg else ureg.dimensionless) != to_currency:
        raise ConversionError(
            f"{to_currency!r} is not a currency of the unit registry; define it with "
            "sroi.units.define_currency",
            field,
        )
    conversion = conversion_factor(
        source_currency, to_currency, from_year, to_year, basis, rates, field, elasticity
    )
    if source_currency == to_currency:
        return quantity * conversion.factor, conversion

    target_units = _swap_currency(quantity.units, to_currency)
    factor = conversion.factor
    src_unit, dst_unit = ureg.Unit(source_currency), ureg.Unit(to_currency)
    context = pint.Context(f"sroi.money {source_currency}->{to_currency}")

    def transform(ureg: Any, value: Any, **kwargs: Any) -> Any:  # signature of pint's Transformation
        return value * factor * dst_unit / src_unit

    context.add_transformation(quantity.dimensionality, target_units.dimensionality, transform)
    return quantity.to(target_units, context), conversion
