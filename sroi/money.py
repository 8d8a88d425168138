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

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pint

from sroi.exceptions import ConversionError, SROIWarning
from sroi.rates import BASES, Rates
from sroi.units import currency_of, parse_quantity, ureg
from sroi.validation import check_currency_code, check_year

__all__ = [
    "BASES",
    "ELASTICITY_RANGE",
    "Conversion",
    "Rates",
    "check_elasticity",
    "conversion_factor",
    "convert",
]

#: Income elasticities accepted for benefit transfer: 0 (PPP only) to 2; appraisal guidance uses
#: 0.8-1.0 (docs/method.md §5.3).
ELASTICITY_RANGE = (0.0, 2.0)


def check_elasticity(value: Any, field: str) -> float:
    """An income elasticity in [0, 2] (docs/method.md §5.3), else ConversionError naming ``field``."""
    lo, hi = ELASTICITY_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= float(value) <= hi:
        raise ConversionError(
            f"expected an income elasticity in [{lo:g}, {hi:g}] (0: PPP only; guidance uses 0.8-1.0), "
            f"got {value!r:.40}",
            field,
        )
    return float(value)


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
    extrapolation : str
        ``''``, or how the conversion went past the packaged data at a stated inflation
        (:meth:`Rates.with_extrapolated_inflation`, docs/method.md §5.6).

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
    extrapolation: str = ""

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
        note = f" ({self.extrapolation})" if self.extrapolation else ""
        return f"{text} = x{self.factor:.6g}{note}"


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
    basis : {'ppp', 'ppp_household', 'market', 'explicit'}
        ``'ppp'`` (default, benefit transfer: docs/method.md §5) uses GDP PPP factors [LCU per
        international $]; ``'ppp_household'`` household-consumption PPP factors (better for
        wellbeing and consumer values; packaged for 2023 China and the United Kingdom);
        ``'market'`` uses annual mean market rates [currency per USD]; ``'explicit'`` uses a
        rate added with :meth:`Rates.with_rate`.
    rates : Rates, optional
        Default :meth:`Rates.default`.
    field : str
        Field path for error messages and the record, e.g. ``'outcomes[0].proxy'``.
    elasticity : float, optional
        Income elasticity e in [0, 2] of the benefit-transfer income adjustment
        ``(Y_target / Y_source) ** e``, Y the GDP per head in international $ of each currency's
        country in ``to_year`` (packaged table, or a ratio given with
        :meth:`Rates.with_income_ratio`); 0 or None: no adjustment.

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
    from_currency = check_currency_code(from_currency, field, error=ConversionError)
    to_currency = check_currency_code(to_currency, field, error=ConversionError)
    from_year = check_year(from_year, f"{field} (from_year)", error=ConversionError)
    to_year = check_year(to_year, f"{field} (to_year)", error=ConversionError)
    if basis not in BASES:
        raise ConversionError(f"basis must be one of {BASES}, got {basis!r}", field)

    def make(
        basis_: str, rate: float, index_ratio: float, income: float, source: str, note: str = ""
    ) -> Conversion:
        factor = index_ratio * rate * income
        if not (math.isfinite(factor) and factor > 0):
            raise ConversionError(
                f"conversion {from_currency}->{to_currency} gave a non-positive or non-finite factor "
                f"{factor!r} (rate {rate!r}, index ratio {index_ratio!r}); check the rate tables",
                field,
            )
        years = (from_currency, from_year, to_currency, to_year)
        if note:
            warnings.warn(
                f"{field + ': ' if field else ''}{note}; recorded in the conversion (its 'extrapolation')",
                SROIWarning,
                stacklevel=3,
            )
        return Conversion(*years, basis_, rate, index_ratio, income, factor, source, field, note)

    if from_currency == to_currency:
        if from_year is None or to_year is None:
            return make("none", 1.0, 1.0, 1.0, "same currency, price year not given: no conversion")
        rates.check_known(from_currency, field)
        ratio, source = rates.index_ratio(from_currency, from_year, to_year, field)
        return make(
            "none", 1.0, ratio, 1.0, source, rates.extrapolation_note(from_currency, from_year, to_year)
        )

    rates.check_known(from_currency, field)
    rates.check_known(to_currency, field)
    explicit = rates.explicit_rate(from_currency, to_currency, to_year, basis)
    if from_year is None or to_year is None:
        if explicit is None:
            missing = " and ".join(
                n
                for n, y in (
                    ("the price year of the value (from_year; a proxy's proxy_price_year)", from_year),
                    ("the target price year (to_year; the analysis price_year)", to_year),
                )
                if y is None
            )
            raise ConversionError(
                f"cannot convert {from_currency} to {to_currency}: {missing} is missing; give it, or add "
                f"a rate that applies without price years: Rates.default().with_rate({from_currency!r}, "
                f"{to_currency!r}, None, rate, source=...)",
                field,
            )
        index_ratio, index_source = 1.0, "price year not given: no uprating"
        note, rate_year = "", to_year
    else:
        rate_year = _rate_year(rates, from_currency, to_currency, to_year, basis, explicit, elasticity)
        index_ratio, index_source = rates.index_ratio(from_currency, from_year, rate_year, field)
        note = rates.extrapolation_note(from_currency, from_year, rate_year)
        if rate_year != to_year:
            then, then_source = rates.index_ratio(to_currency, rate_year, to_year, field)
            index_ratio *= then
            index_source += (
                f"; converted at {rate_year}, the last year of the rate tables, then {then_source}"
            )
            note = "; ".join(
                n
                for n in (
                    note,
                    f"converted at {rate_year} rates (the last year of the data), then uprated in {to_currency}",
                    rates.extrapolation_note(to_currency, rate_year, to_year),
                )
                if n
            )

    if explicit is not None:
        rate, rate_source = explicit
        rate_source = f"{basis} rate {from_currency}->{to_currency} {to_year}: {rate_source}"
    elif basis == "explicit":
        pairs = rates.explicit_pairs()
        raise ConversionError(
            f"no explicit rate {from_currency}->{to_currency} for {to_year}; explicit rates: "
            f"{pairs or 'none'}; add one with Rates.with_rate",
            field,
        )
    elif to_year is None or rate_year is None:  # unreachable: a missing year raised above
        raise ConversionError(f"to_year is missing for {from_currency}->{to_currency}", field)
    elif basis == "ppp":
        ppp_to, country_to = rates.ppp_of(to_currency, rate_year, field)
        ppp_from, country_from = rates.ppp_of(from_currency, rate_year, field)
        rate = ppp_to / ppp_from
        rate_source = (
            f"PPP {rate_year}: {country_to} {ppp_to:.6g} / {country_from} {ppp_from:.6g} LCU per "
            f"international $: {rates.sources['ppp']}"
        )
    elif basis == "ppp_household":
        ppp_to, country_to = rates.ppp_household_of(to_currency, rate_year, field)
        ppp_from, country_from = rates.ppp_household_of(from_currency, rate_year, field)
        rate = ppp_to / ppp_from
        rate_source = (
            f"household-consumption PPP {rate_year}: {country_to} {ppp_to:.6g} / {country_from} "
            f"{ppp_from:.6g} LCU per international $: {rates.sources['ppp_household']}"
        )
    else:
        fx_to = rates.fx_per_usd(to_currency, rate_year, field)
        fx_from = rates.fx_per_usd(from_currency, rate_year, field)
        rate = fx_to / fx_from
        rate_source = (
            f"market rate {rate_year}: {to_currency} {fx_to:.6g} / {from_currency} {fx_from:.6g} per USD: "
            f"{rates.sources['fx']}"
        )
    if not (math.isfinite(rate) and rate > 0):
        raise ConversionError(
            f"the {basis} rate {from_currency}->{to_currency} must be a positive finite number, got {rate!r}",
            field,
        )

    income, income_source = 1.0, ""
    if elasticity is not None and elasticity != 0:
        e = check_elasticity(elasticity, f"{field} (income elasticity)")
        if to_year is None or rate_year is None:
            raise ConversionError("an income adjustment needs the target price year", field)
        ratio, source = rates.income_ratio_between(from_currency, to_currency, rate_year, field)
        income = ratio**e
        income_source = f"; income ratio {ratio:.6g} ** {e:g}: {source}"
    return make(basis, rate, index_ratio, income, f"{index_source}; {rate_source}{income_source}", note)


_TABLE_OF_BASIS = {"ppp": "ppp", "ppp_household": "ppp_household", "market": "market"}


def _rate_year(
    rates: Rates,
    from_currency: str,
    to_currency: str,
    to_year: int,
    basis: str,
    explicit: Any,
    elasticity: float | None,
) -> int:
    """The year whose rates convert: ``to_year``, or, when the target currency's inflation
    after the data is stated and a rate table needed ends earlier, that table's last year
    (docs/method.md §5.6)."""
    if (
        explicit is not None
        or basis not in _TABLE_OF_BASIS
        or to_currency not in rates.extrapolated_inflation
    ):
        return to_year
    tables = [_TABLE_OF_BASIS[basis], *(["income"] if elasticity else [])]
    lasts = [rates.last_year(t, c) for t in tables for c in (from_currency, to_currency)]
    if any(y is None for y in lasts):
        return to_year  # no data at all: the look-up reports it
    return min(to_year, *(y for y in lasts if y is not None))


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
        If ``value`` holds no currency, or as :func:`conversion_factor`, or if the result is
        too large for a float (the message names the amount that overflowed).
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
    to_currency = check_currency_code(to_currency, field, error=ConversionError)
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
        with np.errstate(over="ignore", invalid="ignore"):
            same = quantity * conversion.factor
        return _finite(same, quantity, conversion, field), conversion

    target_units = _swap_currency(quantity.units, to_currency)
    factor = conversion.factor
    src_unit, dst_unit = ureg.Unit(source_currency), ureg.Unit(to_currency)
    context = pint.Context(f"sroi.money {source_currency}->{to_currency}")

    def transform(ureg: Any, value: Any, **kwargs: Any) -> Any:  # signature of pint's Transformation
        return value * factor * dst_unit / src_unit

    context.add_transformation(quantity.dimensionality, target_units.dimensionality, transform)
    with np.errstate(over="ignore", invalid="ignore"):
        out = quantity.to(target_units, context)
    return _finite(out, quantity, conversion, field), conversion


def _finite(out: pint.Quantity, value: pint.Quantity, conversion: Conversion, field: str) -> pint.Quantity:
    """The converted quantity, or a ConversionError naming what overflowed."""
    mag = np.asarray(out.magnitude, dtype=float)
    if np.all(np.isfinite(mag)):
        return out
    src = np.asarray(value.magnitude, dtype=float)
    bad = src[~np.isfinite(mag)] if src.shape == mag.shape else src.ravel()
    shown = f"{float(bad.ravel()[0]):.6g}" if bad.size else "?"
    raise ConversionError(
        f"converting {shown} {value.units} to {conversion.to_currency} (x{conversion.factor:.6g}) gives a "
        "number too large for a float (more than about 1.8e308): check the amount and its unit",
        field,
    )
