"""Units: one registry, strict number parsing, counts and currencies that never mix."""

from __future__ import annotations

import pytest

import sroi
from sroi import SROIError, UnitError


@pytest.mark.parametrize("text", ["1,5 person", "12,50 GBP/person", "1,2345 person"])
def test_decimal_comma_is_an_error_not_a_thousands_separator(text):
    with pytest.raises(SROIError, match="thousands separator"):
        sroi.units.parse_quantity(text, "outcomes[0].quantity")


def test_thousands_separators_still_read():
    assert sroi.units.parse_quantity("1,200,000.5 device").magnitude == 1_200_000.5


def test_offset_units_rejected():
    with pytest.raises(SROIError, match="offset unit"):
        sroi.units.parse_quantity("5 degC", "outcomes[0].quantity")


def test_per_person_price_cannot_multiply_devices_without_a_conversion():
    from sroi.units import Q_

    value = Q_("500 GBP/person") * Q_("1000 device")
    assert sroi.units.currency_of(value) == "GBP"
    assert not sroi.units.is_money(value)  # person^-1 device remains: not an amount of money
    assert sroi.units.is_money(value * Q_("0.3 person/device"))


def test_currency_of_refuses_two_currencies():
    from sroi.units import Q_

    with pytest.raises(UnitError, match="exactly one currency"):
        sroi.units.currency_of(Q_("1 GBP * CNY"))


def test_format_quantity_reads_back():
    from sroi.units import Q_, format_quantity, parse_quantity

    for text in ("500 GBP/person/year", "0.1 person/device", "120000000 device"):
        q = Q_(text)
        assert parse_quantity(format_quantity(q)) == q


def test_quantities_of_the_registry_pickle():
    import pickle

    from sroi.units import Q_

    q = Q_("13000 GBP/person/year")
    assert pickle.loads(pickle.dumps(q)) == q
    assert pickle.loads(pickle.dumps(q.units)) == q.units
