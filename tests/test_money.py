"""Tests of sroi.money: conversions between currencies and price years (docs/method.md §5)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sroi.datasets import dataset_path
from sroi.exceptions import ConversionError, SROIError
from sroi.money import Conversion, Rates, conversion_factor, convert
from sroi.units import Q_

RAW = Path(__file__).resolve().parents[2] / "shared" / "data"  # the raw files sit beside the repository
needs_raw = pytest.mark.skipif(not RAW.is_dir(), reason="raw public data folder not available")

# The packaged tables store 10 significant digits, so values agree with the raw files to ~1e-10.
RTOL_TABLES = 1e-9


def _raw_cpi_ratio(iso3: str, from_year: int, to_year: int) -> float:
    """P[to_year] / P[from_year] straight from the raw World Bank inflation file."""
    cpi = pd.read_csv(RAW / "worldbank_cpi_inflation.csv", keep_default_na=False)
    inflation = cpi[cpi["Country Code"] == iso3].set_index("Year")["CPI"]
    return math.prod(1.0 + float(inflation.loc[y]) / 100.0 for y in range(from_year + 1, to_year + 1))


def _raw_ppp(iso2: str, year: int) -> float:
    ppp = pd.read_csv(RAW / "worldbank_ppp_gdp.csv", keep_default_na=False)
    return float(ppp[(ppp["Country ID"] == iso2) & (ppp["Year"] == year)]["PPP"].iloc[0])


def _raw_fx_mean(country: str, year: int) -> float:
    fx = pd.read_csv(RAW / "fred_fx_monthly.csv")
    rows = fx[(fx["Country"] == country) & fx["Date"].str.startswith(str(year))]
    assert len(rows) == 12
    return float(rows["Exchange rate"].mean())


# -- known answers -------------------------------------------------------------------------------


@needs_raw
def test_known_answer_wellby_gbp2019_to_cny2023_ppp_against_raw_worldbank_files():
    # 13,000 GBP/person at 2019 prices -> CNY at 2023 prices by GDP PPP (docs/method.md §5):
    # 13,000 x (UK CPI index 2023 / 2019) x (China PPP 2023 / UK PPP 2023), computed here
    # from the raw World Bank CSVs, independently of the packaged tables.
    index_ratio = _raw_cpi_ratio("GBR", 2019, 2023)
    rate = _raw_ppp("CN", 2023) / _raw_ppp("GB", 2023)
    expected = 13000 * index_ratio * rate

    value, conversion = convert(Q_(13000, "GBP/person"), "CNY", 2019, 2023, field="outcomes[0].proxy")

    assert value.units == Q_(1, "CNY/person").units
    np.testing.assert_allclose(conversion.index_ratio, index_ratio, rtol=RTOL_TABLES)
    np.testing.assert_allclose(conversion.rate, rate, rtol=RTOL_TABLES)
    np.testing.assert_allclose(value.magnitude, expected, rtol=RTOL_TABLES)
    assert conversion.basis == "ppp"
    assert conversion.field == "outcomes[0].proxy"


def test_known_answer_wellby_gbp2019_to_cny2023_ppp_from_published_values():
    # Same case from the values printed in the World Bank files (copied here so the test runs
    # without the raw folder): UK CPI inflation 2020-2023 (%) and GDP PPP 2023 (LCU per intl $).
    uk_inflation = [0.989486703772491, 2.51837109614213, 7.92204883147902, 6.79396706793963]
    ppp_china_2023, ppp_uk_2023 = 3.64373827497296, 0.660709
    expected = 13000 * math.prod(1 + i / 100 for i in uk_inflation) * ppp_china_2023 / ppp_uk_2023

    value, _ = convert(Q_(13000, "GBP/person/year"), "CNY", 2019, 2023)

    np.testing.assert_allclose(value.magnitude, expected, rtol=RTOL_TABLES)
    np.testing.assert_allclose(value.magnitude, 85549.0256, rtol=1e-9)  # 85,549.03 CNY


@needs_raw
def test_market_rate_gbp_to_cny_2024_against_raw_fred_monthly_means():
    # Annual mean of the twelve monthly H.10 values, both per USD.
    expected = _raw_fx_mean("China", 2024) / _raw_fx_mean("United Kingdom", 2024)
    conversion = conversion_factor("GBP", "CNY", 2024, 2024, basis="market")
    np.testing.assert_allclose(conversion.rate, expected, rtol=RTOL_TABLES)
    assert conversion.index_ratio == 1.0


@needs_raw
def test_build_script_reproduces_packaged_tables(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_rates", Path(__file__).resolve().parent.parent / "scripts" / "build_rates.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(RAW, tmp_path)
    for name in ("fx_annual.csv", "ppp_gdp.csv", "cpi_index.csv", "currencies.csv"):
        assert (tmp_path / name).read_bytes() == dataset_path("rates", name).read_bytes(), name


def test_packaged_fx_2024_is_per_usd():
    # Data README: 2024 means CNY 7.20, EUR 0.924, GBP 0.783 per USD (rounded to 3 figures).
    fx = Rates.default().fx.set_index(["currency", "year"])["per_usd"]
    np.testing.assert_allclose(fx[("CNY", 2024)], 7.20, rtol=2e-3)
    np.testing.assert_allclose(fx[("EUR", 2024)], 0.924, rtol=2e-3)
    np.testing.assert_allclose(fx[("GBP", 2024)], 0.783, rtol=2e-3)
    assert fx[("USD", 2024)] == 1.0


# -- identities and invariants -----------------------------------------------------------------


@pytest.mark.parametrize(("from_year", "to_year"), [(None, None), (2019, None), (None, 2023)])
def test_same_currency_without_years_is_identity(from_year, to_year):
    value, conversion = convert(Q_(500, "GBP/household"), "GBP", from_year, to_year)
    assert value == Q_(500, "GBP/household")
    assert (conversion.basis, conversion.rate, conversion.index_ratio, conversion.factor) == (
        "none",
        1.0,
        1.0,
        1.0,
    )


def test_same_currency_same_year_is_identity():
    assert conversion_factor("CNY", "CNY", 2023, 2023).factor == 1.0


def test_same_currency_uprating_uses_only_the_price_index():
    conversion = conversion_factor("GBP", "GBP", 2019, 2023)
    index = Rates.default().price_index.set_index(["country", "year"])["index"]
    assert conversion.rate == 1.0
    assert conversion.basis == "none"
    np.testing.assert_allclose(conversion.factor, index[("GBR", 2023)] / index[("GBR", 2019)], rtol=1e-12)


@pytest.mark.parametrize(
    ("c1", "c2", "basis", "year"),
    [
        ("GBP", "CNY", "ppp", 2023),
        ("GBP", "USD", "market", 2020),
        ("EUR", "JPY", "market", 2010),
        ("INR", "GBP", "ppp", 2015),
        ("CNY", "IDR", "ppp", 2022),
    ],
)
def test_round_trip_returns_the_value(c1, c2, basis, year):
    original = Q_(1234.5, f"{c1}/person/year")
    there, _ = convert(original, c2, year, year, basis=basis)
    back, _ = convert(there, c1, year, year, basis=basis)
    assert back.units == original.units
    np.testing.assert_allclose(back.magnitude, original.magnitude, rtol=1e-12)  # float round-off only


@settings(max_examples=50, deadline=None)
@given(
    pair=st.sampled_from([("GBP", "CNY"), ("USD", "JPY"), ("EUR", "GBP"), ("AUD", "ZAR"), ("CHF", "KRW")]),
    year=st.integers(min_value=2000, max_value=2024),
    magnitude=st.floats(min_value=1e-3, max_value=1e9),
)
def test_market_round_trip_and_linearity(pair, year, magnitude):
    there, conversion = convert(Q_(magnitude, f"{pair[0]}/visit"), pair[1], year, year, basis="market")
    np.testing.assert_allclose(there.magnitude, magnitude * conversion.factor, rtol=1e-12)
    back, _ = convert(there, pair[0], year, year, basis="market")
    np.testing.assert_allclose(back.magnitude, magnitude, rtol=1e-12)


def test_only_the_currency_part_of_the_unit_changes():
    value, _ = convert(Q_(13, "kGBP/person/year"), "CNY", 2023, 2023)
    assert value.units == Q_(1, "CNY/person/year").units
    single, _ = convert(Q_(13000, "GBP/person/year"), "CNY", 2023, 2023)
    np.testing.assert_allclose(value.magnitude, single.magnitude, rtol=1e-12)


def test_array_magnitudes_convert_elementwise():
    values, conversion = convert(Q_(np.array([1.0, 2.0, 3.0]), "GBP"), "CNY", 2023, 2023)
    np.testing.assert_allclose(values.magnitude, np.array([1.0, 2.0, 3.0]) * conversion.factor)


def test_currencies_still_never_mix_outside_a_conversion():
    convert(Q_(1, "GBP"), "CNY", 2023, 2023)
    with pytest.raises(pint.DimensionalityError):
        Q_(1, "GBP").to("CNY")


def test_string_value_is_parsed():
    value, _ = convert("13000 GBP/person/year", "GBP", 2019, 2019)
    assert value == Q_(13000, "GBP/person/year")


def test_conversion_record_to_dict_and_str():
    conversion = conversion_factor("GBP", "CNY", 2019, 2023, field="outcomes[0].proxy")
    record = conversion.to_dict()
    assert list(record) == [
        "from_currency",
        "from_year",
        "to_currency",
        "to_year",
        "basis",
        "rate",
        "index_ratio",
        "income_adjustment",
        "factor",
        "source",
        "field",
        "extrapolation",
    ]
    assert record["field"] == "outcomes[0].proxy"
    assert "PA.NUS.PPP" in record["source"] and "FP.CPI.TOTL.ZG" in record["source"]
    np.testing.assert_allclose(record["factor"], record["rate"] * record["index_ratio"], rtol=1e-15)
    assert "GBP 2019 -> CNY 2023 (ppp)" in str(conversion)
    assert isinstance(conversion, Conversion)


def test_default_rates_are_cached():
    assert Rates.default() is Rates.default()


# -- explicit rates, countries, income adjustment --------------------------------------------


def test_user_supplied_explicit_rate_and_its_inverse():
    rates = Rates.default().with_rate("GBP", "CNY", 2023, 9.0, source="bank quote")
    conversion = conversion_factor("GBP", "CNY", 2019, 2023, basis="explicit", rates=rates)
    uk = conversion_factor("GBP", "GBP", 2019, 2023)
    assert conversion.rate == 9.0
    assert conversion.basis == "explicit"
    assert "bank quote" in conversion.source
    np.testing.assert_allclose(conversion.factor, 9.0 * uk.factor, rtol=1e-12)
    inverse = conversion_factor("CNY", "GBP", 2023, 2023, basis="explicit", rates=rates)
    np.testing.assert_allclose(inverse.rate, 1 / 9.0, rtol=1e-15)


def test_explicit_rate_without_years():
    rates = Rates.default().with_rate("EUR", "GBP", None, 0.85, source="contract rate")
    value, conversion = convert(Q_(100, "EUR"), "GBP", basis="explicit", rates=rates)
    np.testing.assert_allclose(value.magnitude, 85.0, rtol=1e-12)
    assert conversion.index_ratio == 1.0


def test_household_consumption_ppp_overrides_gdp_ppp():
    # Household-consumption PPP 2023 (World Bank WDI PA.NUS.PRVT.PP): China 3.6476, UK 0.7476.
    rates = Rates.default().with_rate(
        "GBP", "CNY", 2023, 3.6476 / 0.7476, basis="ppp", source="World Bank WDI PA.NUS.PRVT.PP"
    )
    conversion = conversion_factor("GBP", "CNY", 2023, 2023, rates=rates)
    np.testing.assert_allclose(conversion.rate, 4.879, rtol=1e-4)  # sources file rounds to 4.879
    assert "PA.NUS.PRVT.PP" in conversion.source


def test_with_country_gives_eur_a_ppp():
    rates = Rates.default().with_country("EUR", ppp_country="DEU")
    conversion = conversion_factor("EUR", "GBP", 2022, 2023, rates=rates)
    ppp = Rates.default().ppp.set_index(["country", "year"])["ppp"]
    np.testing.assert_allclose(conversion.rate, ppp[("GBR", 2023)] / ppp[("DEU", 2023)], rtol=1e-12)


def test_income_elasticity_adjustment():
    rates = Rates.default().with_income_ratio("GBP", "CNY", 0.25, source="illustrative ratio")
    plain = conversion_factor("GBP", "CNY", 2023, 2023, rates=rates)
    adjusted = conversion_factor("GBP", "CNY", 2023, 2023, rates=rates, elasticity=0.5)
    assert adjusted.income_adjustment == 0.5  # 0.25 ** 0.5
    np.testing.assert_allclose(adjusted.factor, 0.5 * plain.factor, rtol=1e-12)
    back = conversion_factor("CNY", "GBP", 2023, 2023, rates=rates, elasticity=0.5)
    assert back.income_adjustment == 2.0


def test_user_dataframes():
    fx = pd.DataFrame({"currency": ["USD", "GBP"], "year": [2024, 2024], "per_usd": [1.0, 0.8]})
    rates = Rates(fx=fx, sources={"fx": "my table"})
    conversion = conversion_factor("USD", "GBP", 2024, 2024, basis="market", rates=rates)
    assert conversion.rate == 0.8
    assert "my table" in conversion.source


# -- error paths ---------------------------------------------------------------------------------


def test_foreign_currency_with_a_missing_year_raises():
    with pytest.raises(
        ConversionError, match=r"outcomes\[0\]\.proxy: .*price year of the value .* is missing"
    ) as e:
        convert(Q_(100, "EUR/person"), "GBP", None, 2023, field="outcomes[0].proxy")
    assert "year None" not in str(e.value)  # #17: no internals in the message
    with pytest.raises(SROIError, match=r"target price year \(to_year; the analysis price_year\) is missing"):
        conversion_factor("EUR", "GBP", 2019, None, basis="market")


def test_year_outside_the_data_raises_with_the_range():
    with pytest.raises(
        ConversionError,
        match=r"price index for GBP ends in 2024.*uprated to 2031.*extrapolate_inflation: {GBP: 0.02}.*--extrapolate-inflation GBP=0.02",
    ):
        conversion_factor("GBP", "CNY", 2019, 2031)  # past the data: the message says how to state inflation
    with pytest.raises(ConversionError, match=r"PPP factor for CNY \(CHN\) in 1985.*1990-2024"):
        conversion_factor("GBP", "CNY", 1985, 1985)
    with pytest.raises(ConversionError, match=r"market exchange rate for EUR in 1995.*1999-2025"):
        conversion_factor("EUR", "USD", 1995, 1995, basis="market")


def test_unknown_currency_raises_with_what_is_available():
    with pytest.raises(ConversionError, match=r"unknown currency 'XYZ'.*GBP"):
        conversion_factor("XYZ", "GBP", 2020, 2020)
    with pytest.raises(ConversionError, match="ISO 4217"):
        conversion_factor("pounds", "GBP", 2020, 2020)
    with pytest.raises(ConversionError, match="define_currency"):
        convert(Q_(1, "GBP"), "XYZ", 2020, 2020)


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan"), float("inf")])
def test_non_positive_rate_raises(rate):
    with pytest.raises(ConversionError, match="rate: expected a positive"):
        Rates.default().with_rate("GBP", "CNY", 2023, rate)


def test_non_positive_rate_in_a_user_table_raises():
    fx = pd.DataFrame({"currency": ["USD", "GBP"], "year": [2024, 2024], "per_usd": [1.0, 0.0]})
    with pytest.raises(ConversionError, match=r"rates\.fx: per_usd must be positive"):
        Rates(fx=fx)


def _gap_rates() -> Rates:
    index = pd.DataFrame(
        {
            "country": ["AAA"] * 5,
            "year": [2017, 2018, 2019, 2021, 2022],
            "index": [98.0, 99.0, 100.0, 100.0, 103.0],
            "chain_start": [2017, 2017, 2017, 2021, 2021],
        }
    )
    currencies = pd.DataFrame({"currency": ["GBP"], "ppp_country": [""], "cpi_country": ["AAA"]})
    return Rates(price_index=index, currencies=currencies)


def test_gap_in_the_price_index_raises():
    rates = _gap_rates()
    with pytest.raises(ConversionError, match=r"gap between 2018 and 2022.*chain is broken"):
        conversion_factor("GBP", "GBP", 2018, 2022, rates=rates)
    with pytest.raises(ConversionError, match=r"gap at 2020.*not interpolated"):
        conversion_factor("GBP", "GBP", 2020, 2022, rates=rates)
    np.testing.assert_allclose(conversion_factor("GBP", "GBP", 2021, 2022, rates=rates).factor, 1.03)


def test_packaged_gap_barbados_is_not_bridged():
    # World Bank CPI for Barbados has no inflation for 2020-2022: the chain breaks.
    rates = Rates.default().with_country("USD", cpi_country="BRB")
    with pytest.raises(ConversionError, match="gap"):
        conversion_factor("USD", "USD", 2019, 2023, rates=rates)


def test_eur_ppp_without_a_country_raises_with_a_hint():
    with pytest.raises(ConversionError, match=r"no PPP country for EUR.*with_country"):
        conversion_factor("EUR", "GBP", 2023, 2023)


def test_explicit_basis_without_a_rate_raises():
    with pytest.raises(ConversionError, match="no explicit rate GBP->CNY for 2023"):
        conversion_factor("GBP", "CNY", 2023, 2023, basis="explicit")


def test_bad_basis_and_years_raise():
    with pytest.raises(ConversionError, match="basis must be one of"):
        conversion_factor("GBP", "CNY", 2023, 2023, basis="nominal")
    with pytest.raises(ConversionError, match="calendar year"):
        conversion_factor("GBP", "CNY", 2023.5, 2023)
    with pytest.raises(ConversionError, match="calendar year"):
        conversion_factor("GBP", "CNY", True, 2023)


def test_elasticity_outside_0_2_and_income_missing_are_errors():
    with pytest.raises(ConversionError, match="income elasticity in \\[0, 2\\]"):
        conversion_factor("GBP", "CNY", 2023, 2023, elasticity=-1)
    with pytest.raises(ConversionError, match="income elasticity in \\[0, 2\\]"):
        conversion_factor("GBP", "CNY", 2023, 2023, elasticity=2.5)
    rates = Rates.default().with_rate("GBP", "CNY", 1985, 3.0, basis="market", source="for the test")
    with pytest.raises(ConversionError, match="no income per head for CNY in 1985"):
        conversion_factor("GBP", "CNY", 1985, 1985, elasticity=1.0, basis="market", rates=rates)


def test_value_without_money_raises():
    with pytest.raises(ConversionError, match="expected an amount of money"):
        convert(Q_(3, "person"), "GBP", 2023, 2023)
    with pytest.raises(SROIError, match="exactly one currency"):
        convert(Q_(3, "GBP*CNY"), "GBP", 2023, 2023)


def test_with_country_unknown_country_raises():
    with pytest.raises(ConversionError, match="no country 'ZZZ'"):
        Rates.default().with_country("EUR", ppp_country="ZZZ")


def test_user_table_missing_columns_raises():
    with pytest.raises(ConversionError, match=r"rates\.ppp: missing columns \['ppp'\]"):
        Rates(ppp=pd.DataFrame({"country": ["GBR"], "year": [2020], "value": [0.7]}))


# -- price years past the data: stated inflation (#17, docs/method.md §5.6) ----------------------
import textwrap  # noqa: E402

import sroi  # noqa: E402
from sroi.exceptions import SROIWarning  # noqa: E402

_GBP = Rates.default().with_extrapolated_inflation("GBP", 0.02)


def test_stated_inflation_extends_the_index_and_is_recorded():
    p = Rates.default().index_ratio("GBP", 2019, 2024, "x")[0]
    with pytest.warns(
        SROIWarning, match=r"outcomes\[0\]\.proxy: GBP price index extrapolated from 2024 to 2030 at 2%"
    ):
        c = conversion_factor("GBP", "GBP", 2019, 2030, rates=_GBP, field="outcomes[0].proxy")
    # closed form P[2030] / P[2019] = P[2024] / P[2019] x 1.02^6; rtol: float rounding only
    assert c.index_ratio == pytest.approx(p * 1.02**6, rel=1e-12)
    assert "stated assumption" in c.extrapolation and "extrapolated" in c.source
    assert "extrapolated" in str(c)
    # inside the data nothing changes and nothing is said
    inside = conversion_factor("GBP", "GBP", 2019, 2024, rates=_GBP)
    assert inside.extrapolation == "" and inside.factor == conversion_factor("GBP", "GBP", 2019, 2024).factor


def test_a_foreign_currency_past_the_rate_tables_converts_at_their_last_year():
    r = _GBP.with_extrapolated_inflation("CNY", 0.01)
    with pytest.warns(SROIWarning, match="converted at"):
        c = conversion_factor("GBP", "CNY", 2019, 2030, rates=r, field="outcomes[0].proxy")
    k = min(r.last_year("ppp", "GBP"), r.last_year("ppp", "CNY"))
    at_k = conversion_factor("GBP", "CNY", 2019, k)
    then = r.index_ratio("CNY", k, 2030, "x")[0]
    # docs/method.md §5.6: convert at K, then uprate in the target currency; rtol: float rounding
    assert c.factor == pytest.approx(at_k.factor * then, rel=1e-12)
    assert f"converted at {k}" in c.extrapolation and "CNY price index extrapolated" in c.extrapolation


def test_without_a_stated_rate_for_the_target_the_rate_table_year_is_missing():
    with pytest.raises(ConversionError, match=r"no PPP factor for CNY \(CHN\) in 2030"):
        conversion_factor("GBP", "CNY", 2019, 2030, rates=_GBP)


@pytest.mark.parametrize(
    ("currency", "rate", "match"),
    [
        ("GBP", 1.5, r"extrapolate_inflation\.GBP: expected an inflation rate .* got 1\.5"),
        ("GBP", "2%", "expected an inflation rate"),
        ("GBP", True, "expected an inflation rate"),
        ("gbp", 0.02, "ISO 4217|three upper-case"),
        ("XTS", 0.02, "no price index to extend"),
    ],
)
def test_a_stated_rate_is_checked(currency, rate, match):
    with pytest.raises(ConversionError, match=match):
        Rates.default().with_extrapolated_inflation(currency, rate)


def test_rates_with_a_stated_inflation_differ():
    assert _GBP != Rates.default() and _GBP == Rates.default().with_extrapolated_inflation("GBP", 0.02)
    assert _GBP.extrapolated_inflation == {"GBP": 0.02}


_MODEL = textwrap.dedent(
    """\
    name: t
    currency: GBP
    price_year: 2030
    extrapolate_inflation: {GBP: 0.02}  # stated assumption
    inputs: [{stakeholder: f, value: 100 GBP, price_year: 2030}]
    outcomes:
      - {stakeholder: s, outcome: o, quantity: 10 person, proxy: 5 GBP/person, proxy_price_year: 2019}
    """
)


def test_the_model_file_states_the_inflation_and_saves_it_back():
    with pytest.warns(SROIWarning, match="extrapolated from 2024 to 2030"):
        a = sroi.loads(_MODEL)
    conv = a.evaluate().conversions
    assert conv.loc[conv["field"] == "outcomes[0].proxy", "extrapolation"].str.contains("2% a year").all()
    assert sroi.dumps(a) == _MODEL
    without = _MODEL.replace("extrapolate_inflation: {GBP: 0.02}  # stated assumption\n", "")
    with pytest.raises(
        SROIError, match=r"outcomes\[0\]\.proxy: the price index for GBP ends in 2024.*to 2030"
    ):
        sroi.loads(without)
    # the caller's rate (the CLI's --extrapolate-inflation) is added to the file on save
    with pytest.warns(SROIWarning):
        b = sroi.loads(without, extrapolate_inflation={"GBP": 0.03})
    assert sroi.dumps(b) == without.replace(
        "price_year: 2030\n", "price_year: 2030\nextrapolate_inflation:\n  GBP: 0.03\n", 1
    )


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("0.02", "expected a mapping of currency"),
        ("{GBP: two}", r"extrapolate_inflation\.GBP: expected an inflation"),
    ],
)
def test_the_model_file_key_is_checked(value, match):
    text = _MODEL.replace("{GBP: 0.02}", value)
    with pytest.raises(SROIError, match=match):
        sroi.loads(text)


def test_cli_extrapolate_inflation(capsys):
    from sroi.cli import main

    argv = ["convert", "100", "--from", "GBP:2019", "--to", "GBP:2030"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "VALUE" not in err and "None" not in err
    assert "ends in 2024" in err and "--extrapolate-inflation GBP=0.02" in err
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("always", SROIWarning)  # as on the command line (pytest makes them errors)
        assert main([*argv, "--extrapolate-inflation", "GBP=0.02"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("warning: GBP price index extrapolated from 2024 to 2030 at 2% a year")
    expected = 100 * Rates.default().index_ratio("GBP", 2019, 2024, "x")[0] * 1.02**6
    assert float(out.split()[0]) == pytest.approx(expected, rel=1e-9)  # printed to 10 digits
    assert main([*argv, "--extrapolate-inflation", "GBP"]) == 1
    assert "expected CURRENCY=RATE" in capsys.readouterr().err
