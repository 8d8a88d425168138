"""Exchange rates, PPP factors and price indices: the tables every money conversion reads.

:class:`Rates` holds market exchange rates (Federal Reserve H.10), GDP PPP factors and CPI
chained into a price index (World Bank), loaded from the packaged tables
(``datasets/rates/``, built by ``scripts/build_rates.py``) by :meth:`Rates.default`, plus any
rate a user adds with its source. :mod:`sroi.money` converts with them (docs/method.md §5).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from functools import cache
from typing import Any

import pandas as pd

from sroi.datasets import dataset_path
from sroi.exceptions import ConversionError
from sroi.validation import check_currency_code, check_positive, check_year

__all__ = ["BASES", "Rates"]

BASES: tuple[str, ...] = ("ppp", "ppp_household", "market", "explicit")
"""Conversion bases a caller can ask for; a same-currency conversion is recorded as ``'none'``."""

_PACKAGED_SOURCES = {
    "fx": (
        "Federal Reserve H.10 via FRED (datahub.io exchange-rates, snapshot 2026-07-21), annual "
        "means of monthly rates [currency per USD]; sroi datasets/rates/fx_annual.csv"
    ),
    "ppp": (
        "World Bank PA.NUS.PPP, PPP conversion factor GDP [LCU per international $] "
        "(datahub.io ppp, snapshot 2026-03-05); sroi datasets/rates/ppp_gdp.csv"
    ),
    "income": (
        "World Bank NY.GDP.MKTP.CD and SP.POP.TOTL (datahub.io gdp and population, snapshots "
        "2026-03-20 and 2026-03-06) with the market rate and GDP PPP tables; sroi "
        "datasets/rates/income_per_head.csv"
    ),
    "ppp_household": (
        "World Bank, World Development Indicators, PA.NUS.PRVT.PP (PPP conversion factor, private "
        "consumption) 2023; sroi datasets/rates/ppp_household.csv"
    ),
    "price_index": (
        "World Bank FP.CPI.TOTL.ZG, CPI inflation chained to an index, 2020 = 100 "
        "(datahub.io cpi, snapshot 2025-07-01); sroi datasets/rates/cpi_index.csv"
    ),
}


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
        income: pd.DataFrame | None = None,
        ppp_household: pd.DataFrame | None = None,
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
        income = empty("currency", "year", "gdp_per_head_ppp") if income is None else income
        ppp_household = empty("country", "year", "ppp") if ppp_household is None else ppp_household
        self.income = _validate_table(
            income[["currency", "year", "gdp_per_head_ppp"]], "income", "currency", "gdp_per_head_ppp"
        )
        self.ppp_household = _validate_table(
            ppp_household[["country", "year", "ppp"]], "ppp_household", "country", "ppp"
        )
        self.sources = {
            k: f"user-supplied {k} table" for k in ("fx", "ppp", "price_index", "income", "ppp_household")
        }
        self.sources.update(sources or {})
        self._gdp_head = {(c, int(y)): float(v) for c, y, v in self.income.itertuples(index=False, name=None)}
        self._ppp_hh = {
            (c, int(y)): float(v) for c, y, v in self.ppp_household.itertuples(index=False, name=None)
        }

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
        self._inflation: dict[str, float] = {}

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
            check_currency_code(code, field, error=ConversionError)
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
        new._inflation = dict(self._inflation)
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
                    self._inflation,
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
        basis : {'explicit', 'ppp', 'ppp_household', 'market'}
            Which requested basis this rate answers; a ``'ppp'``, ``'ppp_household'`` or
            ``'market'`` rate overrides the packaged tables for that pair and year.
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
        from_currency = check_currency_code(from_currency, field, error=ConversionError)
        to_currency = check_currency_code(to_currency, field, error=ConversionError)
        year_ = check_year(year, "year", error=ConversionError)
        value = check_positive(rate, "rate", error=ConversionError)
        if basis not in BASES:
            raise ConversionError(f"basis must be one of {BASES}, got {basis!r}", field)
        if from_currency == to_currency:
            raise ConversionError(f"a rate needs two different currencies, got {from_currency} twice", field)
        new = self._copy()
        new._explicit[(from_currency, to_currency, year_, basis)] = (value, source)
        new._explicit[(to_currency, from_currency, year_, basis)] = (1.0 / value, f"inverse of {source}")
        return new

    def with_extrapolated_inflation(self, currency: str, rate: float) -> Rates:
        """A copy of these rates that extends ``currency``'s price index past its last year at a
        stated inflation ``rate`` a year (docs/method.md §5.6).

        Without it, a price year after the last year of the price index is an error: the
        index is never extrapolated silently. With it, ``P[y] = P[last] (1 + rate)^(y - last)``
        for ``y`` after the last year; a rate table (PPP, market, income) that also ends before
        the target price year is read at its last year and the result uprated in the target
        currency. Each conversion that uses it says so in its record
        (:attr:`Conversion.extrapolation`) and warns (:class:`~sroi.exceptions.SROIWarning`).

        Parameters
        ----------
        currency : str
            ISO 4217 code of a currency with a price index.
        rate : float
            Assumed inflation a year after the data, as a fraction in (-0.5, 1] (0.02 is 2%).

        Returns
        -------
        Rates

        Raises
        ------
        ConversionError
            An unknown currency, a currency without a price index, or a rate outside (-0.5, 1].

        Examples
        --------
        >>> import warnings
        >>> from sroi.money import Rates, conversion_factor
        >>> r = Rates.default().with_extrapolated_inflation("GBP", 0.02)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     c = conversion_factor("GBP", "GBP", 2024, 2026, rates=r)
        >>> round(c.index_ratio, 6), c.extrapolation
        (1.0404, 'GBP price index extrapolated from 2024 to 2026 at 2% a year (stated assumption)')
        """
        field = f"extrapolate_inflation.{currency}" if isinstance(currency, str) else "extrapolate_inflation"
        currency = check_currency_code(currency, field, error=ConversionError)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not -0.5 < float(rate) <= 1.0:
            raise ConversionError(
                f"expected an inflation rate a year as a fraction in (-0.5, 1], e.g. 0.02 for 2%, got {rate!r:.40}",
                field,
            )
        if not self._cpi_country.get(currency):
            raise ConversionError(
                f"{currency} has no price index to extend; map it to a country with "
                f"Rates.with_country({currency!r}, cpi_country=...)",
                field,
            )
        new = self._copy()
        new._inflation[currency] = float(rate)
        return new

    @property
    def extrapolated_inflation(self) -> dict[str, float]:
        """Currency -> the inflation a year stated for years after its price index
        (:meth:`with_extrapolated_inflation`)."""
        return dict(self._inflation)

    def last_year(self, table: str, currency: str) -> int | None:
        """The last year of ``table`` (``'price_index'``, ``'ppp'``, ``'ppp_household'``,
        ``'market'`` or ``'income'``) for ``currency``; None without data."""
        if table == "price_index":
            country = self._cpi_country.get(currency)
            years = [y for c, y in self._cpi if c == country]
        elif table in ("ppp", "ppp_household"):
            country = self._ppp_country.get(currency)
            years = [y for c, y in (self._ppp if table == "ppp" else self._ppp_hh) if c == country]
        elif table == "market":
            years = [y for c, y in self._fx if c == currency]
        elif table == "income":
            years = [y for c, y in self._gdp_head if c == currency]
        else:
            raise ConversionError(f"unknown table {table!r}", "table")
        return max(years) if years else None

    def extrapolation_note(self, currency: str, from_year: int | None, to_year: int | None) -> str:
        """How uprating ``currency`` between the years goes past its price index with a stated
        inflation (:meth:`with_extrapolated_inflation`); ``''`` when it does not."""
        rate = self._inflation.get(currency)
        last = self.last_year("price_index", currency)
        if rate is None or last is None:
            return ""
        beyond = [y for y in (from_year, to_year) if y is not None and y > last]
        if not beyond:
            return ""
        return (
            f"{currency} price index extrapolated from {last} to {max(beyond)} at {rate * 100:g}% a year "
            "(stated assumption)"
        )

    def _level(
        self, currency: str, country: str, year: int, years: list[int], field: str
    ) -> tuple[float, int]:
        """Price index level and chain of ``currency`` in ``year`` (extrapolated past the data at
        a stated inflation, else an error saying how to state one)."""
        if (country, year) in self._cpi:
            return self._cpi[(country, year)]
        if years and years[0] < year < years[-1]:
            raise ConversionError(
                f"the price index for {currency} ({country}) has a gap at {year} (available "
                f"{_describe_years(years)}); it is not interpolated: choose a price year with data "
                "or supply a complete price_index",
                field,
            )
        if years and year > years[-1]:
            last = years[-1]
            rate = self._inflation.get(currency)
            if rate is None:
                raise ConversionError(
                    f"the price index for {currency} ends in {last}, so prices cannot be uprated to {year} "
                    f"from the data; choose a price year up to {last}, or state the inflation to assume "
                    f"after {last}: in the model file 'extrapolate_inflation: {{{currency}: 0.02}}', on the "
                    f"command line '--extrapolate-inflation {currency}=0.02', or in Python "
                    f"Rates.default().with_extrapolated_inflation({currency!r}, 0.02) (0.02 is 2% a year: "
                    "state your own figure and its source)",
                    field,
                )
            level, chain = self._cpi[(country, last)]
            return level * (1.0 + rate) ** (year - last), chain
        raise ConversionError(
            f"no price index for {currency} ({country}) in {year}; available years {_describe_years(years)}",
            field,
        )

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
        from_currency = check_currency_code(from_currency, field, error=ConversionError)
        to_currency = check_currency_code(to_currency, field, error=ConversionError)
        value = check_positive(ratio, "ratio", error=ConversionError)
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
        currency = check_currency_code(currency, field, error=ConversionError)
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
    def check_known(self, currency: str, field: str) -> None:
        """ConversionError naming ``field`` unless these rates can convert ``currency``."""
        if currency not in self.available():
            raise ConversionError(
                f"unknown currency {currency!r}; rates are available for {', '.join(self.available())} "
                "(add one with Rates.with_rate or pass your own tables to Rates(...))",
                field,
            )

    def fx_per_usd(self, currency: str, year: int, field: str) -> float:
        """Annual mean market rate [currency per USD] in ``year``."""
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

    def ppp_of(self, currency: str, year: int, field: str) -> tuple[float, str]:
        """GDP PPP factor [LCU per international $] of the currency's country in ``year``, and the country."""
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

    def index_ratio(self, currency: str, from_year: int, to_year: int, field: str) -> tuple[float, str]:
        """P[to_year] / P[from_year] of the currency's price index, and its source; a gap in the
        chain or a year outside the data is a ConversionError (never interpolated)."""
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
        (p_from, chain_from), (p_to, chain_to) = (
            self._level(currency, country, year, years, field) for year in (from_year, to_year)
        )
        if chain_from != chain_to:
            raise ConversionError(
                f"the price index for {currency} ({country}) has a gap between {from_year} and {to_year} "
                f"(available {_describe_years(years)}): inflation is missing, so the chain is broken "
                "and prices cannot be uprated across it; choose price years on one side of the gap",
                field,
            )
        note = self.extrapolation_note(currency, from_year, to_year)
        if note:
            return p_to / p_from, (
                f"price index {country} {from_year}->{to_year}, {note}: {self.sources['price_index']}"
            )
        return p_to / p_from, f"price index {country} {from_year}->{to_year}: {self.sources['price_index']}"

    def explicit_rate(
        self, from_currency: str, to_currency: str, year: int | None, basis: str
    ) -> tuple[float, str] | None:
        """A rate added with :meth:`with_rate` for this pair, year and basis, with its source."""
        return self._explicit.get((from_currency, to_currency, year, basis))

    def explicit_pairs(self) -> list[tuple[str, str, int | None]]:
        """The (from, to, year) of every rate added with basis ``'explicit'``."""
        return sorted({(a, b, y) for a, b, y, s in self._explicit if s == "explicit"}, key=str)

    def income_ratio(self, from_currency: str, to_currency: str) -> tuple[float, str] | None:
        """The income ratio added with :meth:`with_income_ratio` for this pair, with its source."""
        return self._income.get((from_currency, to_currency))

    def income_per_head(self, currency: str, year: int, field: str) -> tuple[float, str]:
        """GDP per head in international $ of the currency's country in ``year``, and its source.

        ``gdp_per_head_ppp = GDP [current US$] x market rate [LCU per US$] / GDP PPP [LCU per
        international $] / population`` (docs/method.md §5.3), built by ``scripts/build_rates.py``.
        """
        if (currency, year) in self._gdp_head:
            return self._gdp_head[
                (currency, year)
            ], f"GDP per head in international $: {self.sources['income']}"
        years = sorted(y for c, y in self._gdp_head if c == currency)
        if not years:
            have = sorted({c for c, _ in self._gdp_head})
            raise ConversionError(
                f"no income per head for {currency}; it exists for {', '.join(have) or 'no currency'} "
                "(give the income ratio with Rates.with_income_ratio)",
                field,
            )
        raise ConversionError(
            f"no income per head for {currency} in {year}; available years {_describe_years(years)}", field
        )

    def income_ratio_between(
        self, from_currency: str, to_currency: str, year: int, field: str
    ) -> tuple[float, str]:
        """Y_target / Y_source: income per head of ``to_currency``'s country over ``from_currency``'s
        in ``year`` (an explicit ratio from :meth:`with_income_ratio` wins), and its source."""
        explicit = self.income_ratio(from_currency, to_currency)
        if explicit is not None:
            return explicit
        y_to, source = self.income_per_head(to_currency, year, field)
        y_from, _ = self.income_per_head(from_currency, year, field)
        return y_to / y_from, f"{to_currency} {y_to:,.0f} / {from_currency} {y_from:,.0f} ({year}); {source}"

    def ppp_household_of(self, currency: str, year: int, field: str) -> tuple[float, str]:
        """Household-consumption PPP factor [LCU per international $] of the currency's country."""
        country = self._ppp_country.get(currency, "")
        if (country, year) in self._ppp_hh:
            return self._ppp_hh[(country, year)], country
        have = ", ".join(f"{c} {y}" for c, y in sorted(self._ppp_hh)) or "none"
        raise ConversionError(
            f"no household-consumption PPP for {currency} ({country or 'no country'}) in {year}; the "
            f"packaged table has {have} (World Bank PA.NUS.PRVT.PP); use proxy_conversion 'ppp' (GDP PPP) "
            "or add the rate with Rates.with_rate(..., basis='ppp_household', source=...)",
            field,
        )

    def __repr__(self) -> str:
        return (
            f"Rates({len(self._fx)} market rates, {len(self._ppp)} PPP factors, {len(self._cpi)} index "
            f"levels, {len(self._explicit) // 2} explicit rates; currencies {', '.join(self.available())})"
        )


@cache
def _default_rates() -> Rates:
    # keep_default_na=False: a code such as 'NA' must never be read as a missing value.
    fx, ppp, cpi, currencies, income, ppp_household = (
        pd.read_csv(dataset_path("rates", name), keep_default_na=False)
        for name in (
            "fx_annual.csv",
            "ppp_gdp.csv",
            "cpi_index.csv",
            "currencies.csv",
            "income_per_head.csv",
            "ppp_household.csv",
        )
    )
    return Rates(fx, ppp, cpi, currencies, _PACKAGED_SOURCES, income, ppp_household)
