"""Tests of sroi.proxies: the published proxy library, users' own proxy files, and library
references in model files and value-map tables."""

from __future__ import annotations

import math
import re
import warnings

import pandas as pd
import pytest

from sroi.datasets import dataset_path
from sroi.distributions import Triangular, Uniform
from sroi.exceptions import SROIError, SROIWarning, UnitError
from sroi.io.modelfile import dumps, loads
from sroi.money import convert
from sroi.proxies import (
    LIBRARY_COLUMNS,
    ProxyRecord,
    get_proxy,
    library_fields,
    load_proxies,
    reference_from_file,
    register_proxies,
    search_proxies,
    unregister_proxies,
)
from sroi.tabular import outcomes_from_frame, to_frame_row
from sroi.units import Q_, currency_of, parse_unit

LIBRARY = load_proxies()
IDS = LIBRARY["id"].tolist()

# Spot checks against the figures as printed in the sources (see datasets/proxies_README.md);
# exact: the library transcribes them, nothing is computed.
PUBLISHED = [
    ("wellby_uk_hmt_2021", 13000, 10000, 16000, "GBP/WELLBY", 2019),
    ("chronic_loneliness_uk_dcms_2020", 9537, None, None, "GBP/person/year", None),
    ("going_online_new_user_bt_2014", 1064, None, None, "GBP/person/year", 2014),
    ("online_household_savings_uk_pwc_2009", 560, None, None, "GBP/household/year", 2009),
    ("average_wage_urban_non_private_cn_nbs_2023", 120698, None, None, "CNY/person/year", 2023),
    ("average_wage_urban_private_cn_nbs_2023", 68340, None, None, "CNY/person/year", 2023),
    ("online_follow_up_visit_saving_cn_jmir_2024", None, 6, 991, "CNY/visit", 2021),
    ("vsl_us_dot_2023", 13_200_000, None, None, "USD/person", 2023),
    ("vsl_us_dot_2015", 9_400_000, 5_200_000, 13_000_000, "USD/person", 2015),
    ("qaly_threshold_uk_nice_2013", None, 20000, 30000, "GBP/person/year", 2013),
    ("national_living_wage_uk_2024", 11.44, None, None, "GBP/hour", 2024),
    ("volunteering_wellbeing_uk_dcms_2022", 673, None, None, "GBP/person/year", 2022),
    ("crime_violence_with_injury_uk_home_office_2018", 14050, None, None, "GBP/offence", 2016),
    ("carbon_value_2025_uk_desnz_2023", 273.06, 136.53, 409.6, "GBP/tonne", 2022),
]


@pytest.fixture(autouse=True)
def _no_registered_files():
    unregister_proxies()
    yield
    unregister_proxies()


# ------------------------------------------------------------------ the shipped library


def test_library_has_at_least_40_rows_over_the_themes_of_the_issue():
    assert len(LIBRARY) >= 40
    themes = set(LIBRARY["theme"])
    for theme in (
        "loneliness",
        "digital inclusion",
        "health",
        "employment",
        "volunteering",
        "time",
        "wellbeing",
    ):
        assert theme in themes, theme
    assert list(LIBRARY.columns[: len(LIBRARY_COLUMNS)]) == list(LIBRARY_COLUMNS)


@pytest.mark.parametrize("proxy_id", IDS)
def test_every_row_loads_with_a_parsable_unit_a_citation_and_a_licence(proxy_id):
    record = get_proxy(proxy_id)
    assert isinstance(record, ProxyRecord)
    unit = parse_unit(record.unit)
    assert currency_of(unit) == record.currency
    assert record.source_title and record.publisher, proxy_id
    assert record.url or record.table_or_page, proxy_id
    # the year of publication is given, or the note says why it is not
    assert record.year is not None or "publication year" in record.note, proxy_id
    assert record.theme and record.name and record.country
    assert record.licence, proxy_id  # the licence, or 'not stated in the pages found'
    assert not re.search(r"non-?commercial|no-?deriv|BY-NC|-ND\b", record.licence, re.I), proxy_id
    assert record.quantity is not None or record.distribution is not None


@pytest.mark.parametrize("proxy_id", IDS)
def test_published_ranges_contain_the_central_value(proxy_id):
    record = get_proxy(proxy_id)
    if record.distribution is None:
        assert record.low is None and record.high is None
        return
    low, high = record.distribution.support()
    assert record.low == Q_(low, record.unit) and record.high == Q_(high, record.unit)
    assert low <= high
    if record.quantity is not None:
        assert low <= record.quantity.magnitude <= high
        assert record.distribution.central() == record.quantity.magnitude  # the mode is the central value
    else:
        assert isinstance(record.distribution, Uniform)  # a range only: no central value is invented
    assert record.distribution.unit == parse_unit(record.unit)


@pytest.mark.parametrize(("proxy_id", "value", "low", "high", "unit", "price_year"), PUBLISHED)
def test_published_values(proxy_id, value, low, high, unit, price_year):
    record = get_proxy(proxy_id)
    assert record.quantity == (None if value is None else Q_(value, unit))
    assert record.low == (None if low is None else Q_(low, unit))
    assert record.high == (None if high is None else Q_(high, unit))
    assert record.price_year == price_year


def test_every_row_is_described_in_the_readme():
    readme = dataset_path("proxies_README.md").read_text(encoding="utf-8")
    missing = [i for i in IDS if i not in readme]
    assert not missing


def test_wellby_keeps_its_published_range_as_a_triangular_distribution():
    record = get_proxy("wellby_uk_hmt_2021")
    assert record.distribution == Triangular(10000, 13000, 16000, unit=parse_unit("GBP/WELLBY"))
    assert record.estimate is record.distribution
    assert get_proxy("going_online_new_user_bt_2014").estimate == Q_(1064, "GBP/person/year")


def test_load_returns_a_copy():
    table = load_proxies()
    table.loc[0, "value"] = -1.0
    assert load_proxies().loc[0, "value"] != -1.0


def test_citation_is_formatted():
    assert get_proxy("online_follow_up_visit_saving_cn_jmir_2024").source.startswith(
        "Journal of Medical Internet Research (JMIR) (2024). Accessibility, Cost, and Quality"
    )
    assert get_proxy("wellby_uk_hmt_2021").notes == get_proxy("wellby_uk_hmt_2021").note


def test_frame_types():
    assert pd.api.types.is_float_dtype(LIBRARY["value"])
    assert str(LIBRARY["price_year"].dtype) == "Int64"
    assert str(LIBRARY["year"].dtype) == "Int64"
    assert "proxies_README" in LIBRARY.attrs["source"]


def test_proxy_converts_with_its_price_year():
    record = get_proxy("average_wage_urban_non_private_cn_nbs_2023")
    value, conversion = convert(record.quantity, "GBP", record.price_year, 2023, field="outcomes[0].proxy")
    assert str(value.units) == "GBP / person / year"
    assert conversion.from_year == 2023


# ------------------------------------------------------------------ search


def test_search_loneliness_finds_loneliness_and_social_isolation_rows():
    found = search_proxies("loneliness")["id"].tolist()
    assert "chronic_loneliness_uk_dcms_2020" in found
    assert "going_online_new_user_bt_2014" in found  # its note: 'less socially isolated'
    assert sorted(search_proxies("Social Isolation")["id"]) == sorted(found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WELLBY", "wellby_uk_hmt_2021"),
        ("wellbeing", "volunteering_wellbeing_uk_dcms_2022"),
        ("volunteer", "volunteering_replacement_cost_uk_dcms_2022"),
        ("digital inclusion", "online_tariff_saving_uk_cebr_2014"),
        ("employment", "national_living_wage_uk_2024"),
        ("VSL", "vsl_oecd_2005"),
        ("just economics", "going_online_advanced_user_bt_2014"),
    ],
)
def test_search_matches_name_theme_note_source_and_synonyms(text, expected):
    assert expected in search_proxies(text)["id"].tolist()


def test_search_edge_cases():
    assert search_proxies("no such thing").empty
    assert len(search_proxies("")) == len(LIBRARY)
    assert search_proxies("e54902")["id"].tolist() == ["online_follow_up_visit_saving_cn_jmir_2024"]
    assert search_proxies("[").empty  # an invalid regular expression, searched as text
    with pytest.raises(SROIError, match="expected text"):
        search_proxies(None)  # type: ignore[arg-type]


def test_unknown_id_names_field_and_close_matches():
    with pytest.raises(
        SROIError, match=r"^proxy\.ref: unknown proxy id 'wellby_uk_hmt_2020'.*'wellby_uk_hmt_2021'"
    ):
        get_proxy("wellby_uk_hmt_2020")
    with pytest.raises(SROIError, match=r"load_proxies\(\)"):
        get_proxy("zzzz")


# ------------------------------------------------------------------ a user's own (licensed) file

GOOD = (
    "id,name,theme,value,unit,currency,price_year,country,distribution,source_title,publisher,year,"
    "table_or_page,url,licence,note\n"
    "vb_befriending,Befriending (licensed value),loneliness,1500,GBP/person/year,GBP,2023,GBR,"
    '"triangular(low=1000, mode=1500, high=2000)",Licensed value bank,Licensor,2023,Table 1,,'
    "CC BY-NC-ND 4.0 (licensed to the user),\n"
)


def _write(tmp_path, text, name="mine.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_licensed_user_file_loads_and_registers(tmp_path):
    path = _write(tmp_path, GOOD)
    table = load_proxies(path)
    assert table["id"].tolist() == ["vb_befriending"]
    assert table.loc[0, "library"] == str(path)
    assert "vb_befriending" not in load_proxies()["id"].tolist()  # loading does not register
    assert register_proxies(path) == ["vb_befriending"]
    record = get_proxy("vb_befriending")
    assert record.distribution == Triangular(1000, 1500, 2000, unit=parse_unit("GBP/person/year"))
    assert record.library == str(path)
    assert "vb_befriending" in search_proxies("social isolation")["id"].tolist()
    with pytest.raises(SROIError, match="already exist"):
        register_proxies(path)
    unregister_proxies(["vb_befriending"])
    with pytest.raises(SROIError, match="unknown proxy id"):
        get_proxy("vb_befriending")


def test_a_user_file_needs_only_the_required_columns(tmp_path):
    path = _write(tmp_path, "id,name,value,unit,source_title\nx1,A value,10,USD/person,Report\n")
    table = load_proxies(path)
    assert table.loc[0, "currency"] == "USD"
    assert math.isnan(table.loc[0, "low"])


def test_a_user_file_clashing_with_the_library_is_refused(tmp_path):
    path = _write(tmp_path, GOOD.replace("vb_befriending", "wellby_uk_hmt_2021"))
    with pytest.raises(SROIError, match=r"\['wellby_uk_hmt_2021'\] already exist"):
        register_proxies(path)


def test_a_row_without_a_source_warns(tmp_path):
    path = _write(tmp_path, "id,name,value,unit\nx1,A value,10,GBP/person\nx2,Another,5,GBP/person\n")
    with pytest.warns(SROIWarning, match=r"2 proxy row\(s\) give no source.*x1, x2"):
        load_proxies(path)


def test_negative_values_need_the_flag(tmp_path):
    with pytest.raises(SROIError, match=r"row 2, column value: negative value -10"):
        load_proxies(_write(tmp_path, "id,name,value,unit,source_title\nx1,Cost,-10,GBP/person,Report\n"))
    table = load_proxies(
        _write(
            tmp_path,
            "id,name,value,unit,source_title,negative\nx1,Cost,-10,GBP/person,Report,true\n",
            "b.csv",
        )
    )
    assert table.loc[0, "value"] == -10.0


HEADER = "id,name,value,unit,currency,price_year,distribution,source_title\n"


@pytest.mark.parametrize(
    ("rows", "error", "message"),
    [
        ("a,A,10,GBP/person,,,,S\nb,B,10,GBP/persn,,,,S\n", UnitError, r"row 3, column unit: .*persn"),
        ("a,A,10,person,,,,S\n", UnitError, r"row 2, column unit: expected a money unit"),
        ("a,A,10,GBP/person,USD,,,S\n", SROIError, r"row 2, column currency: currency 'USD' does not match"),
        ("a,A,ten,GBP/person,,,,S\n", SROIError, r"row 2, column value: expected a number, got 'ten'"),
        ("a,A,,GBP/person,,,,S\n", SROIError, r"row 2, column value: a proxy needs a value or"),
        ("a,A,10,GBP/person,,20x1,,S\n", SROIError, r"row 2, column price_year: expected a year"),
        (
            'a,A,30,GBP/person,,,"uniform(low=1, high=2)",S\n',
            SROIError,
            r"row 2, column value: the value 30 lies outside",
        ),
        (
            'a,A,1.5,GBP/person,,,"triangular(low=1, mode=1.2, high=2)",S\n',
            SROIError,
            r"row 2, column distribution: the mode",
        ),
        (
            'a,A,1,GBP/person,,,"normal(mean=1, sd=2)",S\n',
            SROIError,
            r"row 2, column distribution: expected a distribution",
        ),
        ('a,A,1,GBP/person,,,"uniform(low=1)",S\n', SROIError, r"row 2, column distribution: uniform takes"),
        ('a,A,1,GBP/person,,,"uniform(low=2, high=1)",S\n', SROIError, r"row 2, column distribution"),
        ("a,A,1,GBP/person,,,,S\na,B,2,GBP/person,,,,S\n", SROIError, r"row 3, column id: duplicate id 'a'"),
        ("a b,A,1,GBP/person,,,,S\n", SROIError, r"row 2, column id: expected an id"),
        ("a,,1,GBP/person,,,,S\n", SROIError, r"row 2, column name: the name is empty"),
    ],
)
def test_bad_rows_are_named_by_file_row_and_column(tmp_path, rows, error, message):
    path = _write(tmp_path, HEADER + rows)
    with pytest.raises(error, match=re.escape(str(path)) + ", " + message):
        load_proxies(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "id,name,value,unit,sorce_title\na,A,1,GBP/person,S\n",
            r"unknown column 'sorce_title'; did you mean 'source_title'",
        ),
        ("id,name,value\na,A,1\n", r"missing required column 'unit'"),
        ("id,name,unit\na,A,GBP/person\n", r"needs a 'value' or a 'distribution' column"),
    ],
)
def test_bad_columns_are_named(tmp_path, text, message):
    with pytest.raises(SROIError, match=message):
        load_proxies(_write(tmp_path, text))


def test_a_missing_file_is_an_sroi_error(tmp_path):
    with pytest.raises(SROIError, match="no such file"):
        load_proxies(tmp_path / "nope.csv")


# ------------------------------------------------------------------ references in model files

MODEL = """
sroi: 1
name: refs
currency: GBP
price_year: 2019
inputs: [{{stakeholder: Funder, description: Grant, value: 1000 GBP, source: Grant letter}}]
outcomes:
  - {{stakeholder: People, outcome: Better life satisfaction, quantity: 10 person year, proxy: {proxy}}}
"""
# the WELLBY is priced per WELLBY (one point of life satisfaction, one person, one year)
MODEL_WELLBY = MODEL.replace("quantity: 10 person year", "quantity: 10 WELLBY")


def test_a_reference_keeps_the_library_id_and_range_and_saves_as_the_reference():
    a = loads(MODEL_WELLBY.format(proxy="{ref: wellby_uk_hmt_2021}"))
    o = a.outcomes[0]
    assert o.proxy_ref == "wellby_uk_hmt_2021"
    assert o.proxy == get_proxy("wellby_uk_hmt_2021").distribution  # the range, not just 13,000
    assert o.proxy_price_year == 2019 and o.proxy_source.startswith("HM Treasury (2021).")
    text = dumps(a)
    assert "ref: wellby_uk_hmt_2021" in text
    assert "13000" not in text and "triangular" not in text  # the reference, not the expanded value
    assert loads(text).outcomes[0].proxy == o.proxy


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("{ref: wellby_uk_hmt_2021, value: 12000 GBP/WELLBY}", Q_(12000, "GBP/WELLBY")),
        ("{ref: wellby_uk_hmt_2021, value: 12000}", Q_(12000, "GBP/WELLBY")),
        (
            "{ref: wellby_uk_hmt_2021, distribution: uniform, low: 11000, high: 15000}",
            Uniform(11000, 15000, unit=parse_unit("GBP/WELLBY")),
        ),
    ],
)
def test_a_user_override_keeps_the_reference_and_round_trips(override, expected):
    a = loads(MODEL_WELLBY.format(proxy=override))
    o = a.outcomes[0]
    assert o.proxy == expected and o.proxy_ref == "wellby_uk_hmt_2021"
    text = dumps(a)
    assert "ref: wellby_uk_hmt_2021" in text
    again = loads(text)
    assert again.outcomes[0].proxy == expected and dumps(again) == text


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"ref": "wellby_uk_hmt_2021", "low": 1}, r"takes 'ref' and optionally 'value'"),
        ({"ref": "wellby_uk_hmt_2021", "value": "5 GBP/visit"}, r"expected a value in GBP / WELLBY"),
        ({"ref": "nope"}, r"unknown proxy id 'nope'"),
        ({"ref": 3}, r"expected a library id"),
    ],
)
def test_bad_references_are_errors(spec, message):
    with pytest.raises(SROIError, match=message):
        reference_from_file(spec, "outcomes[0].proxy")


def test_a_reference_to_a_range_only_row_gives_its_uniform_range():
    fields = library_fields("online_follow_up_visit_saving_cn_jmir_2024")
    assert fields["proxy"] == Uniform(6, 991, unit=parse_unit("CNY/visit"))


def test_a_reference_to_a_registered_user_row_loads(tmp_path):
    register_proxies(_write(tmp_path, GOOD))
    a = loads(MODEL.format(proxy="{ref: vb_befriending}").replace("price_year: 2019", "price_year: 2023"))
    assert a.outcomes[0].proxy.central() == 1500
    assert "ref: vb_befriending" in dumps(a)


def test_value_map_rows_write_the_reference_and_read_it_back():
    a = loads(MODEL_WELLBY.format(proxy="{ref: wellby_uk_hmt_2021}"))
    row = to_frame_row(a.outcomes[0])
    assert row["proxy"] == "{ref: wellby_uk_hmt_2021}"
    back = outcomes_from_frame(pd.DataFrame([row]))
    assert back[0].proxy == a.outcomes[0].proxy and back[0].proxy_ref == "wellby_uk_hmt_2021"


def test_an_inline_proxy_without_a_source_warns():
    with pytest.warns(SROIWarning, match=r"no source for the financial proxy of outcomes\[0\]"):
        loads(MODEL.format(proxy="13000 GBP/person/year"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loads(MODEL.format(proxy="13000 GBP/person/year, proxy_source: HM Treasury (2021)"))
        loads(MODEL_WELLBY.format(proxy="{ref: wellby_uk_hmt_2021}"))


def test_register_a_table_with_numeric_columns():
    table = pd.DataFrame(
        {
            "id": ["my_value"],
            "name": ["A licensed value"],
            "value": [250.0],
            "unit": ["GBP/person/year"],
            "price_year": [2023.0],
            "source_title": ["Licensed bank"],
        }
    )
    assert register_proxies(table, label="mine") == ["my_value"]
    record = get_proxy("my_value")
    assert record.quantity == Q_(250, "GBP/person/year") and record.price_year == 2023
    assert record.library == "mine"


@pytest.mark.parametrize(
    "parts",
    [
        ("example", "digital_inclusion.yaml"),
        ("published", "helping_hand_linking_youth_2014.yaml"),
        ("elderly_mode", "elderly_mode.yaml"),
        ("elderly_mode", "elderly_mode_2023_forecast.yaml"),
    ],
)
def test_every_shipped_model_cites_its_proxies(parts):
    import sroi

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sroi.load(dataset_path(*parts))
    assert not [w for w in caught if "no source for the financial proxy" in str(w.message)]
