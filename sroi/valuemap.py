"""The Value Map of a programme: stakeholders, inputs, outputs and outcomes (docs/method.md §2).

Small frozen dataclasses validated at construction. Numeric estimates may be numbers, unit
strings (``"120 person"``, ``"500 GBP/person"``), pint quantities,
:class:`~sroi.distributions.Distribution` objects (uncertain estimates; the central value is
the point value) or :class:`Ref` references to a named parameter of the analysis (one
estimate used in several places, drawn once in a Monte Carlo). The ``as_*`` functions are
the normalisers every layer uses to read an estimate of a given kind.

:class:`sroi.Analysis` (:mod:`sroi.analysis`) holds a Value Map with the conventions used to
evaluate it.

Examples
--------
>>> from sroi.valuemap import Outcome
>>> o = Outcome("Older people", "Less isolated", quantity="10 person", proxy="500 GBP/person",
...             duration=3, drop_off=0.1)
>>> o.label, o.duration, o.drop_off
('Older people: Less isolated', 3, 0.1)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pint

from sroi.distributions import Distribution, distribution_from_dict
from sroi.exceptions import SROIError, UnitError
from sroi.glossary import CASH_TIERS, FILTERS, PROXY_CONVERSIONS
from sroi.units import as_float, currency_of, parse_quantity
from sroi.validation import check_whole_number

__all__ = [
    "Value",
    "Input",
    "Outcome",
    "Output",
    "Ref",
    "Stakeholder",
    "Exclusion",
    "as_amount",
    "as_duration",
    "as_elasticity",
    "as_id",
    "as_exclusions",
    "as_overlaps",
    "as_proxy",
    "as_estimate",
    "as_fraction",
    "as_rate",
    "as_text",
    "as_whole_number",
    "central_value",
    "check_sequence",
    "slug",
]


@dataclass(frozen=True)
class Ref:
    """A reference to a named parameter of the analysis (``{param: name}`` in a model file).

    Every field that refers to the same name uses the same draw in a Monte Carlo.

    Examples
    --------
    >>> Ref("older_share")
    Ref('older_share')
    """

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SROIError(f"expected a parameter name, got {self.name!r}", "param")

    def __repr__(self) -> str:
        return f"Ref({self.name!r})"


#: A numeric estimate: a number, a quantity, a distribution or a reference to a named parameter.
Value = float | pint.Quantity | Distribution | Ref


def as_estimate(value: Any, path: str) -> Any:
    """Turn Estimate-like objects (with ``to_distribution``) and dict specs into distributions."""
    if hasattr(value, "to_distribution") and not isinstance(value, Distribution):
        return value.to_distribution()
    if isinstance(value, Mapping):
        if "param" in value and len(value) == 1:
            return Ref(str(value["param"]))
        return distribution_from_dict(value, path)
    return value


def as_fraction(value: Any, path: str) -> float | Distribution | Ref:
    """A fraction in [0, 1] (``0.2`` or ``"20%"``) or a distribution on [0, 1] (a Value Map filter)."""
    value = as_estimate(value, path)
    if isinstance(value, Ref):
        return value
    if isinstance(value, Distribution):
        if value.unit is not None:
            raise SROIError(f"expected a fraction without a unit, got a distribution in {value.unit}", path)
        lo, hi = value.support()
        if lo < 0 or hi > 1:
            raise SROIError(
                f"the distribution {value!r} can take values outside [0, 1] (support {lo}..{hi}); "
                "use a bounded family (beta, triangular, pert, uniform) or truncate a normal with low/high",
                path,
            )
        return value
    if isinstance(value, bool) or value is None:
        raise SROIError(f"expected a fraction in [0, 1] such as 0.2 or '20%', got {value!r}", path)
    if isinstance(value, str):
        q = parse_quantity(value, path)
        if not q.dimensionless:
            raise SROIError(f"expected a fraction without a unit, got {value!r}", path)
        number = float(q.to("dimensionless").magnitude)
    elif isinstance(value, pint.Quantity):
        if not value.dimensionless:
            raise SROIError(f"expected a fraction without a unit, got {value!r}", path)
        number = float(value.to("dimensionless").magnitude)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        number = as_float(value, path)
    else:
        raise SROIError(f"expected a fraction in [0, 1] such as 0.2 or '20%', got {value!r}", path)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        hint = (
            f" (write {number / 100:g} or '{number:g}%' for {number:g} percent)" if 1 < number <= 100 else ""
        )
        raise SROIError(f"expected a fraction in [0, 1], got {value!r}{hint}", path)
    return number


def as_amount(value: Any, path: str, what: str) -> pint.Quantity | Distribution | Ref:
    """A non-negative quantity (with unit) or a distribution with non-negative support."""
    value = as_estimate(value, path)
    if isinstance(value, Ref):
        return value
    if isinstance(value, Distribution):
        lo, _ = value.support()
        if lo < 0:
            raise SROIError(f"{what} cannot be negative, but {value!r} can take values down to {lo}", path)
        return value
    if isinstance(value, bool) or value is None:
        raise SROIError(f"expected {what} such as '120 person', got {value!r}", path)
    q = parse_quantity(value, path)
    if q.magnitude < 0:
        raise SROIError(f"{what} cannot be negative, got {value!r}", path)
    return q


def as_proxy(value: Any, path: str, what: str = "a financial proxy") -> pint.Quantity | Distribution | Ref:
    """A financial proxy: a quantity with a unit, or a distribution, of either sign (a negative
    proxy values a disbenefit, SROI principle 2)."""
    value = as_estimate(value, path)
    if isinstance(value, (Ref, Distribution)):
        return value
    if isinstance(value, bool) or value is None:
        raise SROIError(f"expected {what} such as '500 GBP/person', got {value!r}", path)
    return parse_quantity(value, path)


def as_elasticity(value: Any, path: str) -> float | Distribution | Ref:
    """An income elasticity in [0, 2] (a number, a distribution within [0, 2] or a reference)."""
    value = as_estimate(value, path)
    if isinstance(value, Ref):
        return value
    if isinstance(value, Distribution):
        lo, hi = value.support()
        if value.unit is not None or lo < 0 or hi > 2:
            raise SROIError(
                f"an income elasticity distribution must stay within [0, 2] with no unit, got {value!r}", path
            )
        return value
    if isinstance(value, str):
        value = float(parse_quantity(value, path).to("dimensionless").magnitude)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SROIError(f"expected an income elasticity in [0, 2] such as 0.8, got {value!r:.40}", path)
    if not 0.0 <= float(value) <= 2.0:
        raise SROIError(
            f"expected an income elasticity in [0, 2] (0: PPP only; guidance uses 0.8-1.0), got {value!r}",
            path,
        )
    return float(value)


_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def as_id(value: Any, path: str) -> str:
    """An outcome id: letters, digits, ``_``, ``-``, ``.`` (at most 64), or empty for none."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise SROIError(
            f"expected an id of letters, digits, '_', '-' or '.' (at most 64, starting with a letter or "
            f"digit) such as 'independent_use', got {value!r:.80}",
            path,
        )
    return value


def as_overlaps(value: Any, path: str) -> dict[str, Any]:
    """Overlaps as {outcome id: share taken out (a fraction or distribution) or None}."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, (list, tuple)):
        items = [(v, None) for v in value]
    else:
        raise SROIError(
            f"expected a list of outcome ids or a mapping {{id: share already counted}}, got {value!r:.80}",
            path,
        )
    out: dict[str, Any] = {}
    for other, share in items:
        key = as_id(other, f"{path}[{other!r}]")
        if not key:
            raise SROIError("expected an outcome id, got an empty one", path)
        if key in out:
            raise SROIError(f"{key!r} is listed twice", path)
        out[key] = None if share is None else as_fraction(share, f"{path}.{key}")
    return out


def slug(text: str) -> str:
    """An id made from text: lower case words joined by ``_`` (at most 64 characters).

    Examples
    --------
    >>> slug("Older users: Saves time on everyday phone tasks")
    'older_users_saves_time_on_everyday_phone_tasks'
    """
    words = re.findall(r"[0-9A-Za-z]+", text.lower())
    return "_".join(words)[:64].rstrip("_") or "outcome"


def _hashable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value


def as_whole_number(value: Any, path: str, lo: int, hi: int, what: str) -> int:
    """A whole number in ``lo..hi`` (an int, or a float without a fractional part)."""
    return check_whole_number(value, path, lo, hi, what=what)


def as_duration(value: Any, path: str) -> int | Distribution | Ref:
    """A whole number of years in 1..100 (``3`` or ``"3 year"``) or a distribution within 1..100."""
    value = as_estimate(value, path)
    if isinstance(value, Ref):
        return value
    if isinstance(value, Distribution):
        lo, hi = value.support()
        if value.unit is not None or lo < 0.5 or hi >= 100.5:
            raise SROIError(
                f"a duration distribution must stay within 1..100 years with no unit, got {value!r} "
                f"(support {lo}..{hi}); draws are rounded to whole years",
                path,
            )
        return value
    if isinstance(value, (str, pint.Quantity)):
        q = parse_quantity(value, path, default_unit="year")
        if q.dimensionless:
            value = float(q.magnitude)
        else:
            try:
                value = float(q.to("year").magnitude)
            except pint.errors.DimensionalityError:
                raise SROIError(f"expected a duration in years, got {value!r}", path) from None
    return as_whole_number(value, path, 1, 100, "a duration in years")


def as_rate(value: Any, path: str) -> float | Distribution | Ref:
    """A discount rate: a number in (-1, 1) (``0.035`` or ``"3.5%"``) or a distribution above -1."""
    value = as_estimate(value, path)
    if isinstance(value, Ref):
        return value
    if isinstance(value, Distribution):
        if value.support()[0] <= -1 or value.unit is not None:
            raise SROIError(
                f"a discount rate distribution must stay above -1 with no unit, got {value!r}", path
            )
        return value
    if isinstance(value, str):
        q = parse_quantity(value, path)
        if not q.dimensionless:
            raise SROIError(f"expected a rate without a unit, got {value!r}", path)
        value = float(q.to("dimensionless").magnitude)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SROIError(f"expected a discount rate such as 0.035 or '3.5%', got {value!r}", path)
    value = as_float(value, path)
    if not math.isfinite(value) or value <= -1:
        raise SROIError(f"expected a discount rate greater than -1, got {value!r}", path)
    if value >= 1:
        raise SROIError(
            f"a discount rate of {value!r} is {value:.0%}; write 0.035 or '3.5%' for 3.5 percent", path
        )
    return float(value)


def as_text(value: Any, path: str, required: bool = False) -> str:
    """Free text (None reads as empty); ``required`` refuses an empty or blank text.

    The text must be writable as UTF-8 (every export, CSV, workbook and report writes it so): a
    lone surrogate (``"\\ud800"``, which a broken decoder or a YAML escape can produce) is
    refused here, at load, naming the field, rather than failing later in an export.

    Examples
    --------
    >>> as_text("Older people", "stakeholder")
    'Older people'
    >>> as_text("Older \\ud800people", "outcomes[0].stakeholder")
    Traceback (most recent call last):
    ...
    sroi.exceptions.SROIError: outcomes[0].stakeholder: the text 'Older \\ud800people' holds a character that cannot be written (a lone surrogate, U+D800, at position 6); retype it or remove it
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise SROIError(f"expected text, got {value!r:.80}", path)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        shown = repr(value[max(0, exc.start - 30) : exc.start + 30])
        raise SROIError(
            f"the text {shown} holds a character that cannot be written (a lone surrogate, "
            f"U+{ord(bad):04X}, at position {exc.start}); retype it or remove it",
            path,
        ) from None
    if required and not value.strip():
        raise SROIError("expected a non-empty text", path)
    return value


def central_value(value: Any) -> float:
    """Point value of an estimate: the number, the quantity's magnitude or the distribution's
    central value (references are resolved by :class:`Analysis`, not here)."""
    if isinstance(value, Distribution):
        return float(value.central())
    if isinstance(value, pint.Quantity):
        return float(value.magnitude)
    if isinstance(value, Ref):
        raise SROIError(f"the reference {value!r} must be resolved through its Analysis", value.name)
    return float(value)


@dataclass(frozen=True)
class Stakeholder:
    """A group that experiences change or invests (SROI Guide stage 1).

    Parameters
    ----------
    name : str
    description : str, optional
    """

    name: str
    description: str = ""

    def __post_init__(self) -> None:
        as_text(self.name, "name", required=True)
        as_text(self.description, "description")


@dataclass(frozen=True)
class Input:
    """What a stakeholder invests (SROI Guide stage 2), valued in money.

    Parameters
    ----------
    stakeholder : str
    description : str
    value : Quantity [currency] or Distribution or Ref
        E.g. ``"100000 GBP"``.
    year : int
        Period of the payment; 0 (default) is undiscounted.
    price_year : int, optional
        Price base of ``value``, for conversion to the analysis price year.
    source : str
    """

    stakeholder: str
    description: str
    value: Value
    year: int = 0
    price_year: int | None = None
    source: str = ""

    def __post_init__(self) -> None:
        as_text(self.stakeholder, "stakeholder", required=True)
        as_text(self.description, "description")
        as_text(self.source, "source")
        value = as_amount(self.value, "value", "an input value")
        if isinstance(value, pint.Quantity) and currency_of(value, "value") is None:
            raise UnitError(f"expected an amount of money such as '1000 GBP', got {self.value!r}", "value")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "year", as_whole_number(self.year, "year", 0, 100, "the input's period"))
        if self.price_year is not None:
            object.__setattr__(
                self, "price_year", as_whole_number(self.price_year, "price_year", 1900, 2200, "a year")
            )


@dataclass(frozen=True)
class Output:
    """Activity in numbers (SROI Guide stage 2), e.g. devices with the mode switched on.

    Outputs are reported, not valued.
    """

    stakeholder: str
    description: str
    quantity: Value | None = None
    source: str = ""

    def __post_init__(self) -> None:
        as_text(self.stakeholder, "stakeholder", required=True)
        as_text(self.description, "description")
        as_text(self.source, "source")
        if self.quantity is not None:
            object.__setattr__(self, "quantity", as_amount(self.quantity, "quantity", "a quantity"))


@dataclass(frozen=True)
class Outcome:
    """One row of the Value Map (SROI Guide stages 3-4).

    Parameters
    ----------
    stakeholder : str
        Who experiences the change.
    outcome : str
        The change, as the stakeholder would describe it.
    indicator, source : str
        How the change is measured, and where the figure comes from.
    quantity : Quantity [count] or sequence of them, or Distribution, or Ref
        How many units experience the outcome; a list gives one quantity per year of the
        outcome's life (its length is then the duration).
    proxy : Quantity [currency count^-1 (year^-1)] or sequence of them
        Money value of one unit of the outcome for one year; negative for a disbenefit (an
        unintended negative outcome, SROI principle 2). A list gives one proxy per year of the
        outcome's life (its length is then the duration).
    proxy_source : str
    duration : int [year] in 1..100
        Defaults to 1, or to the length of a quantity or proxy list.
    start : int in 1..100
        Period of the outcome's first year: 1 = the period of activity, 2 = the period after,
        and so on.
    deadweight, displacement, attribution, drop_off : float in [0, 1]
    quantity_factors : sequence of Quantity
        Explicit conversions applied to the quantity, e.g. ``0.3 person/device`` then ``0.6``
        (share active): the only way a count of devices becomes a count of persons.
    proxy_price_year : int, optional
        Price base of the proxy; with the analysis ``price_year`` it drives uprating and
        currency conversion (:mod:`sroi.money`).
    proxy_conversion : {"ppp", "market"}
        Basis for a foreign-currency proxy: PPP (benefit transfer, default) or market rates.
    cash_tier : {"A", "B", "C"}
        A cash to the borrower; B savings to a named third party; C non-cash (default).
    contracted : bool
        Tier B only: the payer has signed an outcomes contract.
    payer : str
        Tier B: who pays or saves.
    id : str
        Stable identifier of the outcome (letters, digits, ``_``, ``-``, ``.``); credit
        scenarios, indicators and reports refer to outcomes by it. Empty: the analysis makes
        one from the stakeholder and outcome (:attr:`sroi.Analysis.outcome_ids`).
    drop_off_from_year : {1, 2}, optional
        First year of life that drop-off applies to, for this outcome; default the analysis's.
    income_elasticity : float in [0, 2] or Distribution or Ref
        Income elasticity of the benefit-transfer income adjustment of a proxy moved between
        countries: the proxy is multiplied by (Y_target / Y_source) ** e (docs/method.md §5.3).
        Default 0: PPP only.
    overlaps : mapping of str to fraction (or None), or sequence of str
        Outcome ids valuing part of the same change (double counting). With a share, that
        share of this outcome's value is taken out as already counted by the other; without
        one (None), the overlap is declared but not adjusted, and :func:`sroi.audit` flags it.
    proxy_ref : str
        Id of the proxy library row the proxy was taken from (kept so that a saved model file
        still says ``proxy: {ref: id}``).
    """

    stakeholder: str
    outcome: str
    indicator: str = ""
    source: str = ""
    quantity: Value | tuple[Value, ...] = 0.0
    proxy: Value | tuple[Value, ...] = 0.0
    proxy_source: str = ""
    duration: Value | None = None
    start: int = 1
    deadweight: Value = 0.0
    displacement: Value = 0.0
    attribution: Value = 0.0
    drop_off: Value = 0.0
    quantity_factors: tuple[Value, ...] = ()
    proxy_price_year: int | None = None
    proxy_conversion: str = "ppp"
    cash_tier: str = "C"
    contracted: bool = False
    payer: str = ""
    id: str = ""
    drop_off_from_year: int | None = None
    income_elasticity: Value = 0.0
    overlaps: Mapping[str, Value | None] | Sequence[str] = ()
    proxy_ref: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        as_text(self.stakeholder, "stakeholder", required=True)
        as_text(self.outcome, "outcome", required=True)
        for name in ("indicator", "source", "proxy_source", "payer"):
            as_text(getattr(self, name), name)
        lists = {}
        for name, read, what in (
            ("quantity", as_amount, "a quantity"),
            ("proxy", as_proxy, "a financial proxy"),
        ):
            v = getattr(self, name)
            if isinstance(v, (list, tuple)):
                if not v:
                    raise SROIError(f"expected {what} or a non-empty list, one per year", name)
                if len(v) > 100:
                    raise SROIError(
                        f"a list of one {name} per year has at most 100 years, got {len(v)}", name
                    )
                lists[name] = tuple(read(x, f"{name}[{k}]", what) for k, x in enumerate(v))
                set_(self, name, lists[name])
            else:
                set_(self, name, read(v, name, what))
        if len(lists) == 2 and len(lists["quantity"]) != len(lists["proxy"]):
            raise SROIError(
                f"the quantity list has {len(lists['quantity'])} years and the proxy list "
                f"{len(lists['proxy'])}; give one of each per year of the same duration",
                "proxy",
            )
        if lists:
            years = len(next(iter(lists.values())))
            which = " and ".join(f"{n} list" for n in lists)
            if self.duration is None:
                set_(self, "duration", years)
            elif not isinstance(self.duration, (int, float)) or int(self.duration) != years:
                raise SROIError(
                    f"the {which} has {years} years but duration is {self.duration!r}; give one value "
                    "per year of the duration",
                    "duration",
                )
        set_(self, "duration", as_duration(1 if self.duration is None else self.duration, "duration"))
        set_(
            self,
            "start",
            as_whole_number(self.start, "start", 1, 100, "the outcome start (the period of its first year)"),
        )
        for name in FILTERS:
            set_(self, name, as_fraction(getattr(self, name), name))
        if isinstance(self.quantity_factors, (str, bytes)) or not isinstance(self.quantity_factors, Sequence):
            raise SROIError(
                f"expected a list of conversions such as ['0.3 person/device'], got {self.quantity_factors!r}",
                "quantity_factors",
            )
        set_(
            self,
            "quantity_factors",
            tuple(
                as_amount(v, f"quantity_factors[{j}]", "a conversion factor")
                for j, v in enumerate(self.quantity_factors)
            ),
        )
        if self.proxy_price_year is not None:
            set_(
                self,
                "proxy_price_year",
                as_whole_number(self.proxy_price_year, "proxy_price_year", 1900, 2200, "a year"),
            )
        if self.proxy_conversion not in PROXY_CONVERSIONS:
            raise SROIError(
                f"expected one of {PROXY_CONVERSIONS}, got {self.proxy_conversion!r}", "proxy_conversion"
            )
        if self.cash_tier not in CASH_TIERS:
            raise SROIError(f"expected a cash tier in {CASH_TIERS}, got {self.cash_tier!r}", "cash_tier")
        if not isinstance(self.contracted, bool):
            raise SROIError(f"expected true or false, got {self.contracted!r}", "contracted")
        if self.contracted and self.cash_tier != "B":
            raise SROIError("only tier B (savings to a third party) can be contracted", "contracted")
        set_(self, "id", as_id(self.id, "id"))
        if self.drop_off_from_year is not None:
            set_(
                self,
                "drop_off_from_year",
                as_whole_number(self.drop_off_from_year, "drop_off_from_year", 1, 2, "1 or 2"),
            )
        set_(self, "income_elasticity", as_elasticity(self.income_elasticity, "income_elasticity"))
        set_(self, "overlaps", as_overlaps(self.overlaps, "overlaps"))
        set_(self, "proxy_ref", as_text(self.proxy_ref, "proxy_ref"))

    def replace(self, **changes: Any) -> Outcome:
        """A copy with some fields changed (validated again), e.g. ``o.replace(deadweight=0.3)``."""
        return replace(self, **changes)

    @property
    def label(self) -> str:
        """``stakeholder: outcome``, the row's name in tables."""
        return f"{self.stakeholder}: {self.outcome}"

    @property
    def quantity_profile(self) -> tuple[Value, ...] | None:
        """The per-year quantities, or None when one quantity applies to every year."""
        return self.quantity if isinstance(self.quantity, tuple) else None

    @property
    def proxy_profile(self) -> tuple[Value, ...] | None:
        """The per-year proxies, or None when one proxy applies to every year."""
        return self.proxy if isinstance(self.proxy, tuple) else None

    def __hash__(self) -> int:
        return hash(tuple(_hashable(getattr(self, f.name)) for f in fields(self)))


def check_sequence(value: Any, path: str, cls: type, what: str) -> tuple[Any, ...]:
    """A list of ``cls`` objects as a tuple (None reads as empty), naming the bad item's index."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise SROIError(f"expected a list of {what}, got {type(value).__name__}", path)
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, cls):
            raise SROIError(f"expected a {cls.__name__}, got {type(item).__name__}", f"{path}[{i}]")
        out.append(item)
    return tuple(out)


@dataclass(frozen=True)
class Exclusion:
    """Something considered and left out of the valuation, with the reason (SROI principles 2
    and 3: include what matters, say what is left out and why).

    Used for negative outcomes considered but not valued (``negative_outcomes_considered``)
    and for inputs not valued (``inputs_not_valued``, e.g. users' own learning time).

    Parameters
    ----------
    description : str
        What was considered, e.g. "Exposure to online fraud".
    reason : str
        Why it is not valued (evidence, materiality...).
    stakeholder : str, optional
        Who it concerns.

    Examples
    --------
    >>> Exclusion("Less contact with family", "no evidence of an effect; monitored by indicator F2")
    Exclusion(description='Less contact with family', reason='no evidence of an effect; monitored by indicator F2', stakeholder='')
    """

    description: str
    reason: str
    stakeholder: str = ""

    def __post_init__(self) -> None:
        as_text(self.description, "description", required=True)
        as_text(self.reason, "reason", required=True)
        as_text(self.stakeholder, "stakeholder")


def as_exclusions(value: Any, path: str) -> tuple[Exclusion, ...]:
    """Exclusions from :class:`Exclusion` objects or mappings ``{description, reason, stakeholder}``."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise SROIError(f"expected a list of {{description, reason}} items, got {type(value).__name__}", path)
    out = []
    for i, item in enumerate(value):
        if isinstance(item, Exclusion):
            out.append(item)
            continue
        if not isinstance(item, Mapping):
            raise SROIError(f"expected {{description: ..., reason: ...}}, got {item!r:.80}", f"{path}[{i}]")
        unknown = set(item) - {"description", "reason", "stakeholder"}
        if unknown:
            raise SROIError(
                f"unknown key(s) {sorted(map(str, unknown))}; expected description, reason, stakeholder",
                f"{path}[{i}]",
            )
        try:
            out.append(Exclusion(**{str(k): v for k, v in item.items()}))
        except TypeError:
            raise SROIError("expected both description and reason", f"{path}[{i}]") from None
        except SROIError as exc:
            raise type(exc)(str(exc).split(": ", 1)[-1], f"{path}[{i}].{exc.field}") from None
    return tuple(out)
