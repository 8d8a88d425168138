"""Build the packaged rate tables in ``datasets/rates/`` from the raw public files.

Usage::

    .venv/bin/python scripts/build_rates.py [DATA_DIR] [--out OUT_DIR]

``DATA_DIR`` holds the raw files (default ``../shared/data`` beside the repository):

- ``fred_fx_monthly.csv``: Federal Reserve H.10 monthly exchange rates via FRED
  (``Date,Country,Exchange rate``; units of currency per US dollar);
- ``worldbank_ppp_gdp.csv``: World Bank PA.NUS.PPP, GDP PPP conversion factor
  (``Country,Country ID,Year,PPP``; local currency units per international $; ISO2 ids);
- ``worldbank_cpi_inflation.csv``: World Bank FP.CPI.TOTL.ZG, consumer price inflation
  (``Country,Country Code,Year,CPI``; percent change on the previous year; ISO3 codes);
- ``worldbank_gdp_current_usd.csv``: World Bank NY.GDP.MKTP.CD, GDP in current US$
  (``Country Name,Country Code,Year,Value``; ISO3 codes);
- ``worldbank_population.csv``: World Bank SP.POP.TOTL, total population
  (``Country Name,Country Code,Year,Value``; ISO3 codes).

Writes (``OUT_DIR`` default: ``datasets/rates`` beside this script's repository):

- ``fx_annual.csv`` ``currency,year,per_usd``: annual mean of the twelve monthly values, only
  for complete years; USD = 1.0 in every year covered by another currency;
- ``ppp_gdp.csv`` ``country,year,ppp``: ISO3 country code, LCU per international $;
- ``cpi_index.csv`` ``country,year,index,chain_start``: price index chained from inflation,
  100 in :data:`BASE_YEAR` for the chain that contains it; a gap in the inflation series
  breaks the chain (never interpolated), and a chain that does not contain the base year is
  100 in its own first year; ``chain_start`` names the chain;
- ``currencies.csv`` ``currency,fx_series,ppp_country,cpi_country,note``: the mapping between
  ISO 4217 currencies and the series used for each;
- ``income_per_head.csv`` ``country,currency,year,gdp_usd,population,per_usd,ppp,
  gdp_per_head_ppp``: GDP per head in international $ (the income measure of the
  benefit-transfer income adjustment, docs/method.md §5.3), for the country of each currency
  with a market rate, a GDP PPP factor, GDP and population in the same year:
  ``gdp_per_head_ppp = gdp_usd x per_usd / ppp / population``;
- ``ppp_household.csv`` ``country,year,ppp,source``: household final consumption PPP
  (World Bank PA.NUS.PRVT.PP), from :data:`PPP_HOUSEHOLD` (the raw folder has no such file).

The output is deterministic: rows sorted, floats written with 10 significant digits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["BASE_YEAR", "CURRENCIES", "build", "main"]

BASE_YEAR = 2020
"""Year in which the chained price index equals 100."""

#: Household final consumption PPP [LCU per international $], World Bank WDI PA.NUS.PRVT.PP:
#: (country, year) -> value. The 2023 values for China and the United Kingdom are those given
#: in the raw data folder's README ("2023 values found in public copies"), cited as World Bank WDI.
PPP_HOUSEHOLD: dict[tuple[str, int], float] = {("CHN", 2023): 3.6476, ("GBR", 2023): 0.7476}
PPP_HOUSEHOLD_SOURCE = "World Bank, World Development Indicators, PA.NUS.PRVT.PP (2023)"

FLOAT_FORMAT = "%.10g"

#: ISO 4217 code -> (FRED H.10 series name or "", ISO3 for PPP or "", ISO3 for CPI or "", note).
CURRENCIES: dict[str, tuple[str, str, str, str]] = {
    "USD": ("", "USA", "USA", "US dollar: 1.0 per USD by definition"),
    "AUD": ("Australia", "AUS", "AUS", ""),
    "BRL": ("Brazil", "BRA", "BRA", ""),
    "CAD": ("Canada", "CAN", "CAN", ""),
    "CHF": ("Switzerland", "CHE", "CHE", ""),
    "CNY": ("China", "CHN", "CHN", ""),
    "DKK": ("Denmark", "DNK", "DNK", ""),
    "EUR": (
        "Euro",
        "",
        "EMU",
        "CPI: World Bank euro-area aggregate EMU; the PPP file has no euro-area row, so PPP "
        "conversions of EUR need a member country (Rates.with_country) or an explicit rate",
    ),
    "GBP": ("United Kingdom", "GBR", "GBR", ""),
    "HKD": ("Hong Kong", "HKG", "HKG", ""),
    "INR": ("India", "IND", "IND", ""),
    "JPY": ("Japan", "JPN", "JPN", ""),
    "KRW": ("South Korea", "KOR", "KOR", ""),
    "LKR": ("Sri Lanka", "LKA", "LKA", ""),
    "MXN": ("Mexico", "MEX", "MEX", ""),
    "MYR": ("Malaysia", "MYS", "MYS", ""),
    "NOK": ("Norway", "NOR", "NOR", ""),
    "NZD": ("New Zealand", "NZL", "NZL", ""),
    "SEK": ("Sweden", "SWE", "SWE", ""),
    "SGD": ("Singapore", "SGP", "SGP", ""),
    "THB": ("Thailand", "THA", "THA", ""),
    "TWD": ("Taiwan", "", "", "Taiwan is not in the World Bank files: market rate only"),
    "ZAR": ("South Africa", "ZAF", "ZAF", ""),
    # No FRED series in the raw file: PPP and CPI only (no market rate).
    "AED": ("", "ARE", "ARE", "no market rate in the FRED file"),
    "ARS": ("", "ARG", "", "no market rate in the FRED file; no CPI row for Argentina in the WB file"),
    "BDT": ("", "BGD", "BGD", "no market rate in the FRED file"),
    "CLP": ("", "CHL", "CHL", "no market rate in the FRED file"),
    "COP": ("", "COL", "COL", "no market rate in the FRED file"),
    "CZK": ("", "CZE", "CZE", "no market rate in the FRED file"),
    "EGP": ("", "EGY", "EGY", "no market rate in the FRED file"),
    "HUF": ("", "HUN", "HUN", "no market rate in the FRED file"),
    "IDR": ("", "IDN", "IDN", "no market rate in the FRED file"),
    "ILS": ("", "ISR", "ISR", "no market rate in the FRED file"),
    "KES": ("", "KEN", "KEN", "no market rate in the FRED file"),
    "NGN": ("", "NGA", "NGA", "no market rate in the FRED file"),
    "PEN": ("", "PER", "PER", "no market rate in the FRED file"),
    "PHP": ("", "PHL", "PHL", "no market rate in the FRED file"),
    "PKR": ("", "PAK", "PAK", "no market rate in the FRED file"),
    "PLN": ("", "POL", "POL", "no market rate in the FRED file"),
    "RUB": ("", "RUS", "RUS", "no market rate in the FRED file"),
    "SAR": ("", "SAU", "SAU", "no market rate in the FRED file"),
    "TRY": ("", "TUR", "TUR", "no market rate in the FRED file"),
    "VND": ("", "VNM", "VNM", "no market rate in the FRED file"),
}

#: FRED series deliberately left out, with the reason (written to the README by hand).
EXCLUDED_FX_SERIES: dict[str, str] = {
    **{
        name: "pre-euro legacy currency (series ends 2000-2001); World Bank PPP/CPI are in EUR"
        for name in (
            "Austria Belgium Finland France Germany Greece Ireland Italy Netherlands Portugal Spain".split()
        )
    },
    "Venezuela": "series mixes redenominated bolivars (VEB, VEF, VES); 2018-2021 values inconsistent",
}

#: ISO 3166 alpha-2 -> alpha-3 for PPP-file countries whose name has no match in the CPI file.
ISO2_TO_ISO3_EXTRA: dict[str, str] = {
    "AD": "AND",
    "AR": "ARG",
    "BM": "BMU",
    "CU": "CUB",
    "ER": "ERI",
    "FO": "FRO",
    "GL": "GRL",
    "MH": "MHL",
    "PR": "PRI",
    "SO": "SOM",
    "TC": "TCA",
    "TM": "TKM",
    "VG": "VGB",
    "VI": "VIR",
}

#: 2024 annual means, units per USD, as verified in the raw data's README. The check guards the
#: quotation direction (per USD, not USD per unit), so a relative tolerance of 0.2% is enough:
#: the README rounds to three figures (EUR is 0.92458, quoted there as 0.924).
CHECK_2024 = {"CNY": 7.20, "EUR": 0.924, "GBP": 0.783}
CHECK_RTOL = 2e-3


def _fail(message: str) -> None:
    raise SystemExit(f"build_rates: {message}")


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        _fail(f"missing raw file {path}")
    # keep_default_na=False: Namibia's ISO2 code "NA" must not become NaN.
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def build_fx(raw: pd.DataFrame) -> pd.DataFrame:
    """Annual means (complete years only) of monthly per-USD rates, by ISO 4217 code."""
    raw = raw.rename(columns={"Date": "date", "Country": "series", "Exchange rate": "rate"})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y-%m-%d")
    raw["year"] = raw["date"].dt.year
    if raw.duplicated(["series", "date"]).any():
        _fail("duplicate (Country, Date) rows in the FX file")
    if raw["rate"].isna().any() or (raw["rate"] <= 0).any():
        _fail("missing or non-positive monthly exchange rates in the FX file")
    known = {v[0] for v in CURRENCIES.values() if v[0]} | set(EXCLUDED_FX_SERIES)
    unknown = sorted(set(raw["series"]) - known)
    if unknown:
        _fail(f"FX series with no currency mapping: {unknown}; add them to CURRENCIES")
    series_to_code = {v[0]: k for k, v in CURRENCIES.items() if v[0]}
    raw = raw[raw["series"].isin(series_to_code)]
    annual = raw.groupby(["series", "year"])["rate"].agg(["mean", "count"]).reset_index()
    annual = annual[annual["count"] == 12]
    annual["currency"] = annual["series"].map(series_to_code)
    fx = annual[["currency", "year", "mean"]].rename(columns={"mean": "per_usd"})
    years = range(int(fx["year"].min()), int(fx["year"].max()) + 1)
    usd = pd.DataFrame({"currency": "USD", "year": list(years), "per_usd": 1.0})
    fx = pd.concat([fx, usd], ignore_index=True)
    fx = fx.sort_values(["currency", "year"]).reset_index(drop=True)
    for code, expected in CHECK_2024.items():
        got = fx.loc[(fx["currency"] == code) & (fx["year"] == 2024), "per_usd"]
        if len(got) != 1 or abs(float(got.iloc[0]) / expected - 1.0) > CHECK_RTOL:
            _fail(f"2024 mean for {code} should be {expected} per USD (FRED note), got {got.tolist()}")
    return fx


def iso2_to_iso3(ppp_raw: pd.DataFrame, cpi_raw: pd.DataFrame) -> dict[str, str]:
    """Map the PPP file's ISO2 ids to ISO3 by country name (CPI file), plus a fixed list."""
    names2 = ppp_raw[["Country", "Country ID"]].drop_duplicates()
    names3 = cpi_raw[["Country", "Country Code"]].drop_duplicates()
    if names2["Country ID"].duplicated().any() or names3["Country"].duplicated().any():
        _fail("country names or ids are not unique in the World Bank files")
    joined = names2.merge(names3, on="Country", how="left")
    mapping: dict[str, str] = {}
    for iso2, iso3 in zip(joined["Country ID"], joined["Country Code"], strict=True):
        if isinstance(iso3, str):
            mapping[iso2] = iso3
        elif iso2 in ISO2_TO_ISO3_EXTRA:
            mapping[iso2] = ISO2_TO_ISO3_EXTRA[iso2]
        else:
            _fail(f"no ISO3 code for PPP country id {iso2!r}; add it to ISO2_TO_ISO3_EXTRA")
    if len(set(mapping.values())) != len(mapping):
        _fail("two PPP country ids map to the same ISO3 code")
    return mapping


def build_ppp(raw: pd.DataFrame, to_iso3: dict[str, str]) -> pd.DataFrame:
    """GDP PPP conversion factors (LCU per international $) by ISO3 code and year."""
    ppp = pd.DataFrame(
        {"country": raw["Country ID"].map(to_iso3), "year": raw["Year"].astype(int), "ppp": raw["PPP"]}
    )
    if ppp.duplicated(["country", "year"]).any():
        _fail("duplicate (country, year) rows in the PPP file")
    if ppp["ppp"].isna().any() or (ppp["ppp"] <= 0).any():
        _fail("missing or non-positive PPP factors")
    return ppp.sort_values(["country", "year"]).reset_index(drop=True)


def chain_index(inflation: pd.Series, base_year: int = BASE_YEAR) -> pd.DataFrame:
    """Chain one country's inflation (percent, indexed by year) into price-index levels.

    A run of consecutive inflation years y0..y1 gives levels for y0-1..y1; a missing year
    starts a new chain. The chain holding ``base_year`` is 100 there; any other chain is 100
    in its own first year.
    """
    inflation = inflation.sort_index()
    years = inflation.index.to_numpy(dtype=int)
    growth = 1.0 + inflation.to_numpy(dtype=float) / 100.0
    if (growth <= 0).any():
        _fail("inflation at or below -100% cannot be chained")
    breaks = np.flatnonzero(np.diff(years) != 1) + 1
    frames = []
    for run_years, run_growth in zip(np.split(years, breaks), np.split(growth, breaks), strict=True):
        start = int(run_years[0]) - 1
        level_years = np.concatenate([[start], run_years])
        levels = np.concatenate([[1.0], np.cumprod(run_growth)])
        anchor = base_year if start <= base_year <= int(run_years[-1]) else start
        levels = 100.0 * levels / levels[level_years == anchor][0]
        frames.append(pd.DataFrame({"year": level_years, "index": levels, "chain_start": start}))
    return pd.concat(frames, ignore_index=True)


def build_cpi(raw: pd.DataFrame, countries: set[str]) -> pd.DataFrame:
    """Chained CPI index for the given ISO3 countries (aggregates other than EMU dropped)."""
    raw = raw[raw["Country Code"].isin(countries)]
    if raw.duplicated(["Country Code", "Year"]).any():
        _fail("duplicate (country, year) rows in the CPI file")
    if raw["CPI"].isna().any():
        _fail("missing inflation values in the CPI file")
    frames = []
    for code, group in raw.groupby("Country Code", sort=True):
        chained = chain_index(group.set_index("Year")["CPI"])
        chained.insert(0, "country", code)
        frames.append(chained)
    cpi = pd.concat(frames, ignore_index=True)
    return cpi.sort_values(["country", "year"]).reset_index(drop=True)


def build_currencies() -> pd.DataFrame:
    """The currency <-> series/country mapping as a table."""
    rows = [
        {"currency": k, "fx_series": v[0], "ppp_country": v[1], "cpi_country": v[2], "note": v[3]}
        for k, v in sorted(CURRENCIES.items())
    ]
    return pd.DataFrame(rows)


def build_income(
    gdp_raw: pd.DataFrame, pop_raw: pd.DataFrame, fx: pd.DataFrame, ppp: pd.DataFrame
) -> pd.DataFrame:
    """GDP per head in international $ for the country of each currency with a market rate."""
    gdp = gdp_raw.rename(columns={"Country Code": "country", "Year": "year", "Value": "gdp_usd"})
    pop = pop_raw.rename(columns={"Country Code": "country", "Year": "year", "Value": "population"})
    rows = []
    for currency, (series, ppp_country, _, _) in sorted(CURRENCIES.items()):
        if not ppp_country or (not series and currency != "USD"):
            continue
        rows.append({"country": ppp_country, "currency": currency})
    pairs = pd.DataFrame(rows)
    table = (
        pairs.merge(gdp[["country", "year", "gdp_usd"]], on="country")
        .merge(pop[["country", "year", "population"]], on=["country", "year"])
        .merge(fx.rename(columns={"per_usd": "per_usd"}), on=["currency", "year"])
        .merge(ppp, on=["country", "year"])
    )
    table = table[(table["gdp_usd"] > 0) & (table["population"] > 0) & (table["ppp"] > 0)].copy()
    table["gdp_per_head_ppp"] = table["gdp_usd"] * table["per_usd"] / table["ppp"] / table["population"]
    table = table.sort_values(["country", "year"]).reset_index(drop=True)
    return table[
        ["country", "currency", "year", "gdp_usd", "population", "per_usd", "ppp", "gdp_per_head_ppp"]
    ]


def build_ppp_household() -> pd.DataFrame:
    """Household-consumption PPP factors from :data:`PPP_HOUSEHOLD`."""
    rows = [
        {"country": c, "year": y, "ppp": v, "source": PPP_HOUSEHOLD_SOURCE}
        for (c, y), v in sorted(PPP_HOUSEHOLD.items())
    ]
    return pd.DataFrame(rows)


def build(data_dir: Path, out_dir: Path) -> dict[str, pd.DataFrame]:
    """Build every table from ``data_dir`` and write them to ``out_dir``."""
    fx_raw = _read(data_dir / "fred_fx_monthly.csv")
    ppp_raw = _read(data_dir / "worldbank_ppp_gdp.csv")
    cpi_raw = _read(data_dir / "worldbank_cpi_inflation.csv")

    fx = build_fx(fx_raw)
    to_iso3 = iso2_to_iso3(ppp_raw, cpi_raw)
    ppp = build_ppp(ppp_raw, to_iso3)
    countries = set(ppp["country"]) | {"EMU"}
    cpi = build_cpi(cpi_raw, countries)
    currencies = build_currencies()
    income = build_income(
        _read(data_dir / "worldbank_gdp_current_usd.csv"),
        _read(data_dir / "worldbank_population.csv"),
        fx,
        ppp,
    )
    if not {"CHN", "GBR"} <= set(income["country"]):
        _fail("income per head: China and the United Kingdom are missing")

    for code, (_, ppp_country, cpi_country, _) in CURRENCIES.items():
        if ppp_country and ppp_country not in set(ppp["country"]):
            _fail(f"{code}: PPP country {ppp_country} not in the PPP table")
        if cpi_country and cpi_country not in set(cpi["country"]):
            _fail(f"{code}: CPI country {cpi_country} not in the CPI table")

    tables = {
        "fx_annual.csv": fx,
        "ppp_gdp.csv": ppp,
        "cpi_index.csv": cpi,
        "currencies.csv": currencies,
        "income_per_head.csv": income,
        "ppp_household.csv": build_ppp_household(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(out_dir / name, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return tables


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data_dir", nargs="?", default=Path(__file__).resolve().parents[2] / "shared" / "data", type=Path
    )
    parser.add_argument("--out", default=repo / "datasets" / "rates", type=Path)
    args = parser.parse_args(argv)
    tables = build(args.data_dir, args.out)
    for name, table in tables.items():
        print(f"wrote {args.out / name}: {len(table)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
