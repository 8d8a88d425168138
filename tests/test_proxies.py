"""Tests of sroi.proxies: the published proxy library."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sroi.exceptions import SROIError
from sroi.money import convert
from sroi.proxies import ProxyRecord, get_proxy, load_proxies, search_proxies
from sroi.units import Q_, currency_of, parse_unit

# Published values transcribed from the source notes (elderly_mode_sources.md); exact.
PUBLISHED = [
    ("wellby_uk_hmt_2021", 13000, 10000, 16000, "GBP/person/year", 2019),
    ("going_online_new_user_bt_2014", 1064, None, None, "GBP/person/year", 2014),
    ("going_online_advanced_user_bt_2014", 1756, None, None, "GBP/person/year", 2014),
    ("going_online_professional_user_bt_2014", 3568, None, None, "GBP/person/year", 2014),
    ("online_household_savings_uk_pwc_2009", 560, None, None, "GBP/household/year", 2009),
    ("average_wage_urban_non_private_cn_nbs_2023", 120698, None, None, "CNY/person/year", 2023),
    ("average_wage_urban_private_cn_nbs_2023", 68340, None, None, "CNY/person/year", 2023),
    ("online_follow_up_visit_saving_cn_jmir_2024", None, 6, 991, "CNY/visit", 2021),
]


@pytest.mark.parametrize(("proxy_id", "value", "low", "high", "unit", "price_year"), PUBLISHED)
def test_published_values(proxy_id, value, low, high, unit, price_year):
    record = get_proxy(proxy_id)
    assert isinstance(record, ProxyRecord)
    assert record.quantity == (None if value is None else Q_(value, unit))
    assert record.low == (None if low is None else Q_(low, unit))
    assert record.high == (None if high is None else Q_(high, unit))
    assert record.price_year == price_year
    assert record.source


def test_library_holds_only_the_published_rows():
    assert sorted(load_proxies()["id"]) == sorted(p[0] for p in PUBLISHED)


def test_table_is_consistent():
    table = load_proxies()
    assert table["id"].is_unique
    for row in table.itertuples(index=False):
        assert currency_of(parse_unit(row.unit)) == row.currency
        assert not (math.isnan(row.value) and math.isnan(row.low))
        if not math.isnan(row.low):
            assert row.low <= row.high
            if not math.isnan(row.value):
                assert row.low <= row.value <= row.high
        assert row.publisher, row.id
    assert "proxies_README" in table.attrs["source"]


def test_load_returns_a_copy():
    table = load_proxies()
    table.loc[0, "value"] = -1.0
    assert load_proxies().loc[0, "value"] != -1.0


def test_citation_is_formatted():
    assert get_proxy("wellby_uk_hmt_2021").source == (
        "HM Treasury (2021). Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance."
    )
    assert get_proxy("online_follow_up_visit_saving_cn_jmir_2024").source.endswith("JMIR 2024;26:e54902.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WELLBY", ["wellby_uk_hmt_2021"]),
        ("just economics", [p[0] for p in PUBLISHED if p[0].endswith("bt_2014")]),
        ("retirees", [p[0] for p in PUBLISHED if "bt_2014" in p[0] or "nbs" in p[0]]),
        ("no such thing", []),
    ],
)
def test_search_is_case_insensitive_over_id_name_notes_source(text, expected):
    assert sorted(search_proxies(text)["id"]) == sorted(expected)


def test_search_empty_text_returns_all():
    assert len(search_proxies("")) == len(PUBLISHED)


def test_search_text_is_not_a_regex():
    assert search_proxies("e54902")["id"].tolist() == ["online_follow_up_visit_saving_cn_jmir_2024"]
    assert search_proxies("(0-10 scale)")["id"].tolist() == ["wellby_uk_hmt_2021"]
    assert search_proxies("[").empty  # an invalid regular expression, searched as text


def test_search_needs_text():
    with pytest.raises(SROIError, match="expected text"):
        search_proxies(None)  # type: ignore[arg-type]


def test_unknown_id_names_field_and_close_matches():
    with pytest.raises(
        SROIError, match=r"^proxy\.ref: unknown proxy id 'wellby_uk_hmt_2020'.*'wellby_uk_hmt_2021'"
    ):
        get_proxy("wellby_uk_hmt_2020")
    with pytest.raises(SROIError, match=r"load_proxies\(\)"):
        get_proxy("zzzz")


def test_proxy_converts_with_its_price_year():
    record = get_proxy("wellby_uk_hmt_2021")
    value, conversion = convert(record.quantity, "CNY", record.price_year, 2023, field="outcomes[0].proxy")
    assert str(value.units) == "CNY / person / year"
    assert conversion.from_year == 2019


def test_frame_types():
    table = load_proxies()
    assert pd.api.types.is_float_dtype(table["value"])
    assert str(table["price_year"].dtype) == "Int64"
