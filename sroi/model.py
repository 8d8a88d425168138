"""The domain model of a programme: stakeholders, inputs, outputs, outcomes and the analysis.

Small frozen dataclasses validated at construction (SROI_METHOD.md §1). Numeric estimates may
be numbers, unit strings (``"120 person"``, ``"500 GBP/person"``), pint quantities,
:class:`~sroi.distributions.Distribution` objects (uncertain estimates; the central value is
the point value) or :class:`Ref` references to a named parameter of the analysis (one
estimate used in several places, drawn once in a Monte Carlo).

Examples
--------
>>> import sroi
>>> a = sroi.Analysis(
...     name="Example", currency="GBP",
...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
...                            proxy="500 GBP/person", duration=3, drop_off=0.1)],
... )
>>> round(a.evaluate().ratio, 4)
12.6846
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pint

from sroi.distributions import Distribution
from sroi.engine import DISCOUNT_TIMINGS
from sroi.exceptions import SROIError, UnitError
from sroi.units import CURRENCIES, _as_float, currency_of, parse_quantity, ureg

if TYPE_CHECKING:
    from sroi.result import Result

__all__ = [
    "DEFAULT_DISCOUNT_RATE",
    "Analysis",
    "Input",
    "Outcome",
    "Output",
    "Ref",
    "Stakeholder",
    "central_value",
]

#: Default discount rate, 3.5%: HM Treasury Green Book, years 1-30.
DEFAULT_DISCOUNT_RATE = 0.035

CASH_TIERS = ("A", "B", "C")
PROXY_CONVERSIONS = ("ppp", "market")


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


Value = float | pint.Quantity | Distribution | Ref


@contextlib.contextmanager
def _prefixed(prefix: str) -> Iterator[None]:
    """Re-raise SROIErrors with ``prefix`` added to their field path."""
    try:
        yield
    except SROIError as exc:
        if exc.field and exc.field.startswith(prefix):
            raise
        sub = exc.field or ""
        msg = str(exc)
        if sub and msg.startswith(f"{sub}: "):
            msg = msg[len(sub) + 2 :]
        joined = f"{prefix}.{sub}" if sub and not sub.startswith("[") else f"{prefix}{sub}"
        raise type(exc)(msg, joined) from None


def _as_estimate(value: Any, path: str) -> Any:
    """Turn Estimate-like objects (with ``to_distribution``) and dict specs into distributions."""
    if hasattr(value, "to_distribution") and not isinstance(value, Distribution):
        return value.to_distribution()
    if isinstance(value, Mapping):
        from sroi.distributions import distribution_from_dict

        if "param" in value and len(value) == 1:
            return Ref(str(value["param"]))
        return distribution_from_dict(value, path)
    return value


def _norm_fraction(value: Any, path: str) -> float | Distribution | Ref:
    value = _as_estimate(value, path)
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
        number = _as_float(value, path)
    else:
        raise SROIError(f"expected a fraction in [0, 1] such as 0.2 or '20%', got {value!r}", path)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        hint = (
            f" (write {number / 100:g} or '{number:g}%' for {number:g} percent)" if 1 < number <= 100 else ""
        )
        raise SROIError(f"expected a fraction in [0, 1], got {value!r}{hint}", path)
    return number


def _norm_amount(value: Any, path: str, what: str) -> pint.Quantity | Distribution | Ref:
    """A non-negative quantity (with unit) or a distribution with non-negative support."""
    value = _as_estimate(value, path)
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


def _norm_int(value: Any, path: str, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SROIError(f"expected {what}, a whole number in {lo}..{hi}, got {value!r:.40}", path)
    if isinstance(value, (int, np.integer)) and not lo <= int(value) <= hi:
        raise SROIError(f"expected {what}, a whole number in {lo}..{hi}, got {str(value)[:40]}", path)
    if not math.isfinite(value) or float(value) != int(value) or not lo <= int(value) <= hi:
        raise SROIError(f"expected {what}, a whole number in {lo}..{hi}, got {value!r}", path)
    return int(value)


def _norm_duration(value: Any, path: str) -> int | Distribution | Ref:
    value = _as_estimate(value, path)
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
    return _norm_int(value, path, 1, 100, "a duration in years")


def _norm_rate(value: Any, path: str) -> float | Distribution | Ref:
    value = _as_estimate(value, path)
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
    value = _as_float(value, path)
    if not math.isfinite(value) or value <= -1:
        raise SROIError(f"expected a discount rate greater than -1, got {value!r}", path)
    if value >= 1:
        raise SROIError(
            f"a discount rate of {value!r} is {value:.0%}; write 0.035 or '3.5%' for 3.5 percent", path
        )
    return float(value)


def _norm_text(value: Any, path: str, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise SROIError(f"expected text, got {value!r}", path)
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
        _norm_text(self.name, "name", required=True)
        _norm_text(self.description, "description")


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
        _norm_text(self.stakeholder, "stakeholder", required=True)
        _norm_text(self.description, "description")
        _norm_text(self.source, "source")
        value = _norm_amount(self.value, "value", "an input value")
        if isinstance(value, pint.Quantity) and currency_of(value, "value") is None:
            raise UnitError(f"expected an amount of money such as '1000 GBP', got {self.value!r}", "value")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "year", _norm_int(self.year, "year", 0, 100, "the input's period"))
        if self.price_year is not None:
            object.__setattr__(
                self, "price_year", _norm_int(self.price_year, "price_year", 1900, 2200, "a year")
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
        _norm_text(self.stakeholder, "stakeholder", required=True)
        _norm_text(self.description, "description")
        _norm_text(self.source, "source")
        if self.quantity is not None:
            object.__setattr__(self, "quantity", _norm_amount(self.quantity, "quantity", "a quantity"))


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
    proxy : Quantity [currency count^-1 (year^-1)]
        Money value of one unit of the outcome for one year.
    proxy_source : str
    duration : int [year] in 1..100
        Defaults to 1, or to the length of a quantity profile.
    start : {1, 2}
        1 = starts in the period of activity; 2 = in the period after.
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
    """

    stakeholder: str
    outcome: str
    indicator: str = ""
    source: str = ""
    quantity: Value | tuple[Value, ...] = 0.0
    proxy: Value = 0.0
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

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        _norm_text(self.stakeholder, "stakeholder", required=True)
        _norm_text(self.outcome, "outcome", required=True)
        for name in ("indicator", "source", "proxy_source", "payer"):
            _norm_text(getattr(self, name), name)
        q = self.quantity
        if isinstance(q, (list, tuple)):
            if not q:
                raise SROIError("expected a quantity or a non-empty list, one per year", "quantity")
            if len(q) > 100:
                raise SROIError(f"a quantity profile has at most 100 years, got {len(q)}", "quantity")
            profile = tuple(_norm_amount(v, f"quantity[{k}]", "a quantity") for k, v in enumerate(q))
            set_(self, "quantity", profile)
            if self.duration is None:
                set_(self, "duration", len(profile))
            elif not isinstance(self.duration, (int, float)) or int(self.duration) != len(profile):
                raise SROIError(
                    f"the quantity profile has {len(profile)} years but duration is {self.duration!r}; "
                    "give one quantity per year of the duration",
                    "duration",
                )
        else:
            set_(self, "quantity", _norm_amount(q, "quantity", "a quantity"))
        set_(self, "proxy", _norm_amount(self.proxy, "proxy", "a financial proxy"))
        set_(self, "duration", _norm_duration(1 if self.duration is None else self.duration, "duration"))
        set_(self, "start", _norm_int(self.start, "start", 1, 2, "the outcome start (1 or 2)"))
        for name in ("deadweight", "displacement", "attribution", "drop_off"):
            set_(self, name, _norm_fraction(getattr(self, name), name))
        if isinstance(self.quantity_factors, (str, bytes)) or not isinstance(self.quantity_factors, Sequence):
            raise SROIError(
                f"expected a list of conversions such as ['0.3 person/device'], got {self.quantity_factors!r}",
                "quantity_factors",
            )
        set_(
            self,
            "quantity_factors",
            tuple(
                _norm_amount(v, f"quantity_factors[{j}]", "a conversion factor")
                for j, v in enumerate(self.quantity_factors)
            ),
        )
        if self.proxy_price_year is not None:
            set_(
                self,
                "proxy_price_year",
                _norm_int(self.proxy_price_year, "proxy_price_year", 1900, 2200, "a year"),
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


def _norm_sequence(value: Any, path: str, cls: type, what: str) -> tuple[Any, ...]:
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
class Analysis:
    """An SROI analysis: the Value Map plus the conventions used to evaluate it.

    Parameters
    ----------
    name : str
    currency : str
        Analysis currency, ISO 4217 (e.g. ``"GBP"``).
    outcomes : sequence of Outcome
        At least one.
    inputs : sequence of Input
        At least one, totalling more than zero (a ratio over zero inputs is undefined).
    outputs : sequence of Output, optional
    stakeholders : sequence of Stakeholder, optional
        Descriptions of stakeholders; names used by outcomes need not be listed.
    price_year : int, optional
        Price base of the analysis: the target of proxy uprating and conversion.
    discount_rate : float or sequence of float or Distribution
        One rate, or one rate per period 1..T (a shorter schedule continues at its last rate).
        Default 3.5%, HM Treasury Green Book.
    discount_timing : {"end_of_year", "mid_year", "start_of_year", "none"}
        Default ``end_of_year``, as Excel's NPV() in the Value Map template.
    drop_off_from_year : {1, 2}
        Default 2: year 1 has no drop-off (the Guide's 100, 90, 81).
    reference_period : int
        Period whose money the results are stated in (default 0, present values). An
        evaluative analysis of past years can compound them forward to a later period k
        (SROI_METHOD.md §3); the ratio is the same, PV, inputs and NPV are in period-k money.
    parameters : mapping of str to value, optional
        Named estimates referenced from fields with :class:`Ref` (``{param: name}``).
    correlations : sequence of (str, str, float), optional
        Rank correlations between estimates, by parameter name or field path (used by the
        Monte Carlo).
    description : str, optional
    rates : sroi.money.Rates, optional
        Exchange rates, PPP and price indices for conversions (default: the packaged data).

    Raises
    ------
    SROIError
        Naming the field path (e.g. ``outcomes[2].deadweight``) of any invalid value.
    """

    name: str
    currency: str
    outcomes: Sequence[Outcome]
    inputs: Sequence[Input]
    outputs: Sequence[Output] = ()
    stakeholders: Sequence[Stakeholder] = ()
    price_year: int | None = None
    discount_rate: Any = DEFAULT_DISCOUNT_RATE
    discount_timing: str = "end_of_year"
    drop_off_from_year: int = 2
    reference_period: int = 0
    parameters: Mapping[str, Any] = field(default_factory=dict)
    correlations: Sequence[tuple[str, str, float]] = ()
    description: str = ""
    rates: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        _norm_text(self.name, "name", required=True)
        _norm_text(self.description, "description")
        if not isinstance(self.currency, str) or self.currency not in CURRENCIES:
            raise UnitError(
                f"unknown currency {self.currency!r}; expected an ISO 4217 code such as "
                f"{', '.join(CURRENCIES[:8])} (add others with sroi.units.define_currency)",
                "currency",
            )
        if self.price_year is not None:
            set_(self, "price_year", _norm_int(self.price_year, "price_year", 1900, 2200, "a year"))
        set_(self, "outcomes", _norm_sequence(self.outcomes, "outcomes", Outcome, "outcomes"))
        set_(self, "inputs", _norm_sequence(self.inputs, "inputs", Input, "inputs"))
        set_(self, "outputs", _norm_sequence(self.outputs, "outputs", Output, "outputs"))
        set_(
            self,
            "stakeholders",
            _norm_sequence(self.stakeholders, "stakeholders", Stakeholder, "stakeholders"),
        )
        if not self.outcomes:
            raise SROIError("an analysis needs at least one outcome", "outcomes")
        if not self.inputs:
            raise SROIError(
                "an analysis needs at least one input (the SROI ratio divides by inputs)", "inputs"
            )
        dr = self.discount_rate
        if isinstance(dr, (list, tuple)):
            if not dr:
                raise SROIError("expected a rate or a non-empty list of rates", "discount_rate")
            set_(self, "discount_rate", tuple(_norm_rate(r, f"discount_rate[{t}]") for t, r in enumerate(dr)))
        else:
            set_(self, "discount_rate", _norm_rate(dr, "discount_rate"))
        if self.discount_timing not in DISCOUNT_TIMINGS:
            raise SROIError(
                f"expected one of {DISCOUNT_TIMINGS}, got {self.discount_timing!r}", "discount_timing"
            )
        set_(
            self,
            "drop_off_from_year",
            _norm_int(self.drop_off_from_year, "drop_off_from_year", 1, 2, "1 or 2"),
        )
        set_(
            self, "reference_period", _norm_int(self.reference_period, "reference_period", 0, 200, "a period")
        )
        if not isinstance(self.parameters, Mapping):
            raise SROIError(f"expected a mapping of name to value, got {self.parameters!r}", "parameters")
        params = {}
        for key, value in self.parameters.items():
            if not isinstance(key, str) or not key.strip():
                raise SROIError(f"expected a parameter name, got {key!r}", "parameters")
            value = _as_estimate(value, f"parameters.{key}")
            if isinstance(value, Ref):
                raise SROIError("a parameter cannot refer to another parameter", f"parameters.{key}")
            if not isinstance(value, Distribution):
                if isinstance(value, (list, tuple)):
                    raise SROIError("expected one value or a distribution", f"parameters.{key}")
                value = _norm_amount(value, f"parameters.{key}", "a parameter value")
                if isinstance(value, pint.Quantity) and value.dimensionless:
                    value = float(value.to("dimensionless").magnitude)
            params[key] = value
        set_(self, "parameters", params)
        corr = []
        for i, item in enumerate(self.correlations or ()):
            if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 3:
                raise SROIError(f"expected [name_a, name_b, rho], got {item!r}", f"correlations[{i}]")
            a, b, rho = item
            if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not -1 <= rho <= 1:
                raise SROIError(f"expected a rank correlation in [-1, 1], got {rho!r}", f"correlations[{i}]")
            corr.append((str(a), str(b), float(rho)))
        set_(self, "correlations", tuple(corr))
        # Resolve references, check units and money conversions, check inputs are positive.
        compiled = self._compiled  # noqa: F841  (validation happens here)
        if self.correlations:  # names, symmetry and positive semi-definiteness, checked now
            from sroi.uncertainty import rank_correlation_matrix

            rank_correlation_matrix(self)
        from sroi.parameters import point_values

        with np.errstate(over="ignore", invalid="ignore"):
            totals = self._run(point_values(self), per_period=False)
        bad = np.flatnonzero(~np.isfinite(totals.present_value_by_outcome[0]))
        if bad.size:
            raise SROIError(
                "the present value is too large for a float (quantity x conversions x proxy overflows); "
                "check the magnitudes and units",
                f"outcomes[{int(bad[0])}]",
            )
        if not np.isfinite(totals.total_inputs[0]):
            raise SROIError("the inputs are too large for a float; check the magnitudes", "inputs")
        if not float(totals.total_inputs[0]) > 0:
            raise SROIError(
                f"the inputs total {float(totals.total_inputs[0]):g} {self.currency}; the SROI ratio is undefined "
                "unless inputs total more than zero",
                "inputs",
            )

    # -- the one engine -------------------------------------------------------------------
    @cached_property
    def _compiled(self) -> Any:
        from sroi.parameters import compile_analysis

        return compile_analysis(self)

    def _run(self, values: Mapping[str, Any], per_period: bool = False) -> Any:
        """Run the engine for parameter values (key or field path -> scalar or (S,) array)."""
        from sroi import engine

        arrays = self._compiled.arrays(values)
        return engine.run(
            arrays,
            self.discount_timing,
            self.drop_off_from_year,
            per_period=per_period,
            reference_period=self.reference_period,
        )

    def evaluate(self) -> Result:
        """Evaluate the analysis at the point value of every estimate.

        Returns
        -------
        Result
            PV, inputs, NPV, ratio, net ratio, payback and the breakdowns (SROI_METHOD.md §2).
        """
        from sroi.parameters import point_values
        from sroi.result import Result

        out = self._run(point_values(self), per_period=True)
        return Result(self, out)

    # -- uncertainty and sensitivity (delegating to sroi.uncertainty / sroi.sensitivity) ----
    def simulate(self, n: int = 10_000, seed: Any = None, **kwargs: Any) -> Any:
        """Monte Carlo simulation; see :func:`sroi.uncertainty.simulate`."""
        from sroi.uncertainty import simulate

        return simulate(self, n, seed=seed, **kwargs)

    def tornado(self, **kwargs: Any) -> Any:
        """One-way sensitivity over every uncertain estimate; see :func:`sroi.sensitivity.tornado`."""
        from sroi.sensitivity import tornado

        return tornado(self, **kwargs)

    def scenarios(self, scenarios: Any = None, **kwargs: Any) -> Any:
        """Scenario table; see :func:`sroi.sensitivity.scenarios`."""
        from sroi.sensitivity import scenarios as _scenarios

        return _scenarios(self, scenarios, **kwargs)

    def two_way(self, a: str, b: str, **kwargs: Any) -> Any:
        """Two-way sensitivity grid; see :func:`sroi.sensitivity.two_way`."""
        from sroi.sensitivity import two_way

        return two_way(self, a, b, **kwargs)

    def break_even(self, target: float = 1.0, **kwargs: Any) -> Any:
        """Switching values (SROI_METHOD.md §4); see :func:`sroi.sensitivity.break_even`."""
        from sroi.sensitivity import break_even

        return break_even(self, target=target, **kwargs)

    def sobol(self, n: int = 1024, seed: Any = None, **kwargs: Any) -> Any:
        """Sobol first-order and total indices; see :func:`sroi.global_sensitivity.sobol`."""
        from sroi.global_sensitivity import sobol

        return sobol(self, n, seed=seed, **kwargs)

    def estimates(self) -> Any:
        """Table of every numeric estimate: key, fields using it, kind, unit, point value, distribution."""
        from sroi.parameters import estimates_table

        return estimates_table(self)

    def replace(self, **changes: Any) -> Analysis:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_frame(self) -> Any:
        """The Value Map as a DataFrame, one row per outcome (see :func:`sroi.io.to_frame`)."""
        from sroi.io import to_frame

        return to_frame(self)

    def __repr__(self) -> str:
        dr = self.discount_rate
        rate = f"{len(dr)} rates" if isinstance(dr, tuple) else repr(dr)
        price = f", price_year={self.price_year}" if self.price_year is not None else ""
        return (
            f"Analysis({self.name!r}, currency={self.currency!r}{price}, {len(self.outcomes)} outcomes, "
            f"{len(self.inputs)} inputs, {len(self.parameters)} named parameters, discount_rate={rate}, "
            f"discount_timing={self.discount_timing!r})"
        )

    def _repr_html_(self) -> str:
        import html

        cols = [
            "stakeholder",
            "outcome",
            "indicator",
            "quantity",
            "proxy",
            "duration",
            "deadweight",
            "displacement",
            "attribution",
            "drop_off",
            "cash_tier",
        ]
        table = self.to_frame()[cols].to_html(index=False, border=0)
        inputs = "; ".join(f"{html.escape(i.description or i.stakeholder)}" for i in self.inputs)
        return (
            f"<div class='sroi-analysis'><h4>{html.escape(self.name)}</h4>"
            f"<p>{html.escape(repr(self))}</p><p>Inputs: {inputs}</p>{table}</div>"
        )

    @property
    def active_correlations(self) -> tuple[tuple[str, str, float], ...]:
        """The correlations that apply: those naming a parameter that no field uses are left out
        (a correlation between estimates that are never drawn has no effect)."""
        used = set(self._compiled.slots)
        unused = {name for name in self.parameters if name not in used}
        return tuple(c for c in self.correlations if c[0] not in unused and c[1] not in unused)

    @property
    def stakeholder_names(self) -> list[str]:
        """Stakeholders in order of first appearance (listed, then inputs, then outcomes)."""
        seen: dict[str, None] = {}
        for s in self.stakeholders:
            seen.setdefault(s.name, None)
        for i in self.inputs:
            seen.setdefault(i.stakeholder, None)
        for o in self.outcomes:
            seen.setdefault(o.stakeholder, None)
        return list(seen)


def _field_names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


__all__ += []
_ = ureg
