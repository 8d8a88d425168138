"""The coordinator: :class:`Analysis`, a Value Map with the conventions used to evaluate it.

An :class:`Analysis` validates itself when built, compiles once (:mod:`sroi.compiler`) and
offers every analysis of the model as a typed method that delegates to the free function of
the layer below (``analysis.simulate(...)`` is :func:`sroi.uncertainty.simulate`, with the
same signature and return type). It is the only module that knows all the layers below it;
none of them imports it.

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

import html
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pint

from sroi import defaults
from sroi.audit import Audit, audit
from sroi.compiler import Compiled, compile_analysis, estimates_table
from sroi.distributions import Distribution
from sroi.exceptions import SROIError, SROIWarning, UnitError
from sroi.global_sensitivity import sobol
from sroi.glossary import DISCOUNT_TIMINGS
from sroi.indicators import IndicatorSystem, as_indicators
from sroi.money import Rates
from sroi.monitoring import Monitoring, monitor, with_actuals
from sroi.result import Result, evaluate, evaluate_many
from sroi.sampling import Seed, correlation_matrices, split_fixed_correlations
from sroi.sensitivity import scenarios, tornado, two_way
from sroi.switching import break_even
from sroi.tabular import to_frame
from sroi.uncertainty import Simulation, simulate
from sroi.units import CURRENCIES
from sroi.validation import check_choice
from sroi.valuemap import (
    Exclusion,
    Input,
    Outcome,
    Output,
    Ref,
    Stakeholder,
    as_amount,
    as_estimate,
    as_exclusions,
    as_rate,
    as_text,
    as_whole_number,
    check_sequence,
    slug,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Analysis"]

#: Fields that hold cached computations, not data (left out of pickles, equality and hashing).
_CACHES = ("compiled", "outcome_ids")


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
        Default 3.5%, HM Treasury Green Book (:data:`sroi.defaults.DISCOUNT_RATE`).
    discount_timing : {"end_of_year", "mid_year", "start_of_year", "none"}
        Default ``end_of_year``, as Excel's NPV() in the Value Map template.
    drop_off_from_year : {1, 2}
        Default 2: year 1 has no drop-off (the Guide's 100, 90, 81).
    reference_period : int
        Period whose money the results are stated in (default 0, present values). An
        evaluative analysis of past years can compound them forward to a later period k
        (docs/method.md §3); the ratio is the same, PV, inputs and NPV are in period-k money.
    parameters : mapping of str to value, optional
        Named estimates referenced from fields with :class:`~sroi.valuemap.Ref` (``{param: name}``).
    correlations : sequence of (str, str, float), optional
        Rank correlations between estimates, by parameter name or field path (used by the
        Monte Carlo).
    description : str, optional
    rates : sroi.money.Rates, optional
        Exchange rates, PPP and price indices for conversions (default: the packaged data).
        Two analyses with different rates are different analyses (they compare unequal).
    negative_outcomes_considered : sequence of Exclusion or mappings, optional
        Negative (unintended) outcomes that were considered and are not valued, each with the
        reason (SROI principle 2; :func:`sroi.audit` asks for them when no outcome is a
        disbenefit).
    inputs_not_valued : sequence of Exclusion or mappings, optional
        Inputs left out of the valuation, with the reason (e.g. users' own learning time).
    sector : str, optional
        Sector of the programme, matched against the practice benchmarks' sectors by the audit.
    indicators : IndicatorSystem or list of indicators, optional
        The SROI indicator system (docs/method.md §12): what is monitored, with baselines,
        targets and framework tags; checked against the model (unknown outcome ids, units).
        Also read from a separate file with :func:`sroi.indicators.load_indicators`.

    Raises
    ------
    SROIError
        Naming the field path (e.g. ``outcomes[2].deadweight``) of any invalid value.

    Notes
    -----
    Analyses are immutable, compare by value (rates included) and hash; they pickle (the
    compiled model is rebuilt on demand), so they can be sent to other processes.
    """

    name: str
    currency: str
    outcomes: Sequence[Outcome]
    inputs: Sequence[Input]
    outputs: Sequence[Output] = ()
    stakeholders: Sequence[Stakeholder] = ()
    price_year: int | None = None
    discount_rate: Any = defaults.DISCOUNT_RATE
    discount_timing: str = defaults.DISCOUNT_TIMING
    drop_off_from_year: int = defaults.DROP_OFF_FROM_YEAR
    reference_period: int = 0
    parameters: Mapping[str, Any] = field(default_factory=dict)
    correlations: Sequence[tuple[str, str, float]] = ()
    description: str = ""
    rates: Rates | None = field(default=None, repr=False)
    negative_outcomes_considered: Sequence[Exclusion] = ()
    inputs_not_valued: Sequence[Exclusion] = ()
    sector: str = ""
    indicators: IndicatorSystem = field(default_factory=IndicatorSystem)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        as_text(self.name, "name", required=True)
        as_text(self.description, "description")
        if not isinstance(self.currency, str) or self.currency not in CURRENCIES:
            raise UnitError(
                f"unknown currency {self.currency!r}; expected an ISO 4217 code such as "
                f"{', '.join(CURRENCIES[:8])} (add others with sroi.units.define_currency)",
                "currency",
            )
        if self.price_year is not None:
            set_(self, "price_year", as_whole_number(self.price_year, "price_year", 1900, 2200, "a year"))
        set_(self, "outcomes", check_sequence(self.outcomes, "outcomes", Outcome, "outcomes"))
        set_(self, "inputs", check_sequence(self.inputs, "inputs", Input, "inputs"))
        set_(self, "outputs", check_sequence(self.outputs, "outputs", Output, "outputs"))
        set_(
            self,
            "stakeholders",
            check_sequence(self.stakeholders, "stakeholders", Stakeholder, "stakeholders"),
        )
        if not self.outcomes:
            raise SROIError("an analysis needs at least one outcome", "outcomes")
        set_(
            self,
            "negative_outcomes_considered",
            as_exclusions(self.negative_outcomes_considered, "negative_outcomes_considered"),
        )
        set_(self, "inputs_not_valued", as_exclusions(self.inputs_not_valued, "inputs_not_valued"))
        as_text(self.sector, "sector")
        ids = self.outcome_ids  # unique, checked here
        for i, o in enumerate(self.outcomes):
            for other in o.overlaps:
                if other not in ids:
                    raise SROIError(
                        f"overlaps names {other!r}, which is not an outcome id; ids: {', '.join(ids)}",
                        f"outcomes[{i}].overlaps",
                    )
                if other == ids[i]:
                    raise SROIError("an outcome cannot overlap itself", f"outcomes[{i}].overlaps")
        if not self.inputs:
            raise SROIError(
                "an analysis needs at least one input (the SROI ratio divides by inputs)", "inputs"
            )
        dr = self.discount_rate
        if isinstance(dr, (list, tuple)):
            if not dr:
                raise SROIError("expected a rate or a non-empty list of rates", "discount_rate")
            set_(self, "discount_rate", tuple(as_rate(r, f"discount_rate[{t}]") for t, r in enumerate(dr)))
        else:
            set_(self, "discount_rate", as_rate(dr, "discount_rate"))
        check_choice(self.discount_timing, "discount_timing", DISCOUNT_TIMINGS)
        set_(
            self,
            "drop_off_from_year",
            as_whole_number(self.drop_off_from_year, "drop_off_from_year", 1, 2, "1 or 2"),
        )
        set_(
            self,
            "reference_period",
            as_whole_number(self.reference_period, "reference_period", 0, 200, "a period"),
        )
        if not isinstance(self.parameters, Mapping):
            raise SROIError(f"expected a mapping of name to value, got {self.parameters!r}", "parameters")
        params = {}
        for key, value in self.parameters.items():
            if not isinstance(key, str) or not key.strip():
                raise SROIError(f"expected a parameter name, got {key!r}", "parameters")
            value = as_estimate(value, f"parameters.{key}")
            if isinstance(value, Ref):
                raise SROIError("a parameter cannot refer to another parameter", f"parameters.{key}")
            if not isinstance(value, Distribution):
                if isinstance(value, (list, tuple)):
                    raise SROIError("expected one value or a distribution", f"parameters.{key}")
                value = as_amount(value, f"parameters.{key}", "a parameter value")
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
        if self.rates is not None and not isinstance(self.rates, Rates):
            raise SROIError(f"expected sroi.money.Rates or None, got {type(self.rates).__name__}", "rates")
        # Resolve references, check units and money conversions, check inputs are positive.
        compiled = self.compiled
        if self.correlations:  # names, symmetry and positive semi-definiteness, checked now
            correlation_matrices(compiled.slots, self.active_correlations)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            totals = compiled.run()
        disc = np.asarray(totals.discount)[:, 0]
        if not (np.isfinite(disc).all() and (disc > 0).all()):
            raise SROIError(
                f"the discount factors overflow a float: a rate of {self.discount_rate!r} compounded over "
                f"{len(disc) - 1} periods (reference period {self.reference_period}) gives factors beyond "
                "1e308; use a rate nearer 0 or fewer periods",
                "discount_rate",
            )
        bad = np.flatnonzero(~np.isfinite(totals.present_value_by_outcome[:, 0]))
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
        if not np.isfinite(totals.ratio[0]):
            raise SROIError(
                f"the SROI ratio overflows a float: the inputs ({float(totals.total_inputs[0]):g} "
                f"{self.currency}) are too small against the present value "
                f"({float(totals.present_value[0]):g}); check the magnitudes and units",
                "inputs",
            )
        set_(self, "indicators", as_indicators(self.indicators, self))

    # -- the one door to the engine ---------------------------------------------------------
    @cached_property
    def compiled(self) -> Compiled:
        """The compiled model (:class:`sroi.compiler.Compiled`): slots, unit factors and
        conventions; :meth:`Compiled.run <sroi.compiler.Compiled.run>` runs the engine."""
        return compile_analysis(self)

    def evaluate(self) -> Result:
        """Evaluate the analysis at the point value of every estimate (the engine at one sample).

        Returns
        -------
        Result
            PV, inputs, NPV, ratio, net ratio, payback and the breakdowns (docs/method.md §3).
        """
        return evaluate(self)

    def evaluate_many(self, values: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
        """Thousands of what-ifs in one vectorised pass; see :func:`sroi.result.evaluate_many`."""
        return evaluate_many(self, values)

    # -- analyses of the model: typed one-line delegates to the free functions ----------------
    def simulate(
        self,
        n: int = defaults.DRAWS,
        seed: Seed = None,
        *,
        chunk_size: int | None = None,
        progress: bool | None = None,
        keep_draws: bool | None = None,
        targets: Sequence[float] = (1.0,),
    ) -> Simulation:
        """Monte Carlo simulation; see :func:`sroi.uncertainty.simulate`."""
        return simulate(
            self, n, seed, chunk_size=chunk_size, progress=progress, keep_draws=keep_draws, targets=targets
        )

    def tornado(
        self,
        low: float = defaults.TORNADO_QUANTILES[0],
        high: float = defaults.TORNADO_QUANTILES[1],
        include: str = "uncertain",
        relative: float = defaults.RELATIVE_CHANGE,
        output: str = "ratio",
    ) -> pd.DataFrame:
        """One-way sensitivity over every uncertain estimate; see :func:`sroi.sensitivity.tornado`."""
        return tornado(self, low, high, include, relative, output)

    def scenarios(
        self,
        scenarios: Mapping[str, Mapping[str, Any]] | None = None,
        low: float = defaults.TORNADO_QUANTILES[0],
        high: float = defaults.TORNADO_QUANTILES[1],
    ) -> pd.DataFrame:
        """Scenario table; see :func:`sroi.sensitivity.scenarios`."""
        return _scenarios(self, scenarios, low, high)

    def two_way(
        self,
        a: str,
        b: str,
        a_values: Sequence[float] | np.ndarray | None = None,
        b_values: Sequence[float] | np.ndarray | None = None,
        n: int = 11,
        output: str = "ratio",
    ) -> pd.DataFrame:
        """Two-way sensitivity grid; see :func:`sroi.sensitivity.two_way`."""
        return two_way(self, a, b, a_values, b_values, n, output)

    def break_even(self, target: float = 1.0) -> pd.DataFrame:
        """Switching values (docs/method.md §7); see :func:`sroi.switching.break_even`."""
        return break_even(self, target)

    def sobol(
        self,
        n: int = 1024,
        seed: Seed = None,
        calc_second_order: bool = False,
        output: str = "ratio",
        conf_level: float = 0.95,
        num_resamples: int = 100,
    ) -> pd.DataFrame:
        """Sobol first-order and total indices; see :func:`sroi.global_sensitivity.sobol`."""
        return sobol(self, n, seed, calc_second_order, output, conf_level, num_resamples)

    def audit(
        self, simulation: Simulation | None = None, *, n: int = defaults.DRAWS, seed: Any = defaults.SEED
    ) -> Audit:
        """The over-claim audit against the principles of social value; see :func:`sroi.audit.audit`."""
        return audit(self, simulation, n=n, seed=seed)

    def monitor(
        self,
        actuals: Any,
        indicators: IndicatorSystem | None = None,
        *,
        n: int = defaults.DRAWS,
        seed: Seed = defaults.SEED,
        level: float = defaults.INTERVAL_LEVEL,
    ) -> Monitoring:
        """Forecast against actual per indicator and period; see :func:`sroi.monitoring.monitor`."""
        return monitor(self, actuals, indicators, n=n, seed=seed, level=level)

    def with_actuals(
        self,
        actuals: Any,
        indicators: IndicatorSystem | None = None,
        *,
        n: int = defaults.UPDATE_DRAWS,
        seed: Seed = defaults.SEED,
    ) -> Analysis:
        """The analysis updated by monitoring data; see :func:`sroi.monitoring.with_actuals`."""
        return with_actuals(self, actuals, indicators, n=n, seed=seed)

    def estimates(self) -> pd.DataFrame:
        """Every numeric estimate: key, fields using it, kind, unit, point value, distribution;
        see :func:`sroi.compiler.estimates_table`."""
        return estimates_table(self)

    def to_frame(self) -> pd.DataFrame:
        """The Value Map as a DataFrame, one row per outcome; see :func:`sroi.tabular.to_frame`."""
        return to_frame(self)

    def replace(self, **changes: Any) -> Analysis:
        """A copy with some fields changed (validated again).

        A what-if that fixes a correlated estimate to one value (e.g. ``parameters={**a.parameters,
        "active_share": 0.3}``) drops the correlations naming it, since a fixed value is correlated
        with nothing: an :class:`~sroi.exceptions.SROIWarning` names the estimate and the pairs
        dropped, and the same note is kept in :attr:`notes`. The correlations left are a
        principal submatrix of the original, so they stay valid (docs/method.md §6.2). Pass
        ``correlations=`` explicitly to choose them yourself (nothing is then dropped).

        Examples
        --------
        >>> import sroi, warnings
        >>> a = sroi.Analysis(
        ...     name="Example", currency="GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
        ...     parameters={"dw": {"distribution": "uniform", "low": 0.1, "high": 0.3},
        ...                 "reach": {"distribution": "uniform", "low": 8, "high": 12}},
        ...     outcomes=[sroi.Outcome("People", "Less isolated", quantity={"param": "reach"},
        ...                            proxy="500 GBP", deadweight={"param": "dw"})],
        ...     correlations=[("dw", "reach", 0.5)])
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     b = a.replace(parameters={**a.parameters, "dw": 0.2})
        >>> b.correlations, b.notes
        ((), ("parameter 'dw' fixed to one value: its correlations dropped: (dw, reach, 0.5)",))
        """
        notes = self.notes
        try:
            new = replace(self, **changes)
        except SROIError as exc:
            if "correlations" in changes or not self.correlations:
                raise
            try:  # is it a correlated estimate now fixed to one value?
                trial = replace(self, **{**changes, "correlations": ()})
            except SROIError:
                raise exc from None
            kept, dropped = split_fixed_correlations(trial.compiled.slots, self.correlations)
            if not dropped:
                raise
            new = replace(trial, correlations=kept)
            notes += _dropped_notes(trial, dropped)
            for note in notes[len(self.notes) :]:
                warnings.warn(
                    f"{note}; give correlations= to choose them yourself", SROIWarning, stacklevel=2
                )
        for key, value in (("_source", self.__dict__.get("_source")), ("_notes", notes)):
            if value:
                object.__setattr__(new, key, value)
        return new

    @property
    def notes(self) -> tuple[str, ...]:
        """What was changed on the way to this analysis that a reader should know (e.g. the
        correlations a what-if dropped, see :meth:`replace`)."""
        return tuple(self.__dict__.get("_notes", ()))

    # -- identity ------------------------------------------------------------------------------
    def _key(self) -> tuple[Any, ...]:
        dr = self.discount_rate
        return (
            self.name,
            self.currency,
            tuple(self.outcomes),
            tuple(self.inputs),
            tuple(self.outputs),
            tuple(self.stakeholders),
            self.price_year,
            dr,
            self.discount_timing,
            self.drop_off_from_year,
            self.reference_period,
            tuple(sorted(self.parameters.items())),
            tuple(self.correlations),
            self.description,
            self.rates,
            tuple(self.negative_outcomes_considered),
            tuple(self.inputs_not_valued),
            self.sector,
            self.indicators,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Analysis):
            return NotImplemented
        return self is other or self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _CACHES}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__dict__.update(state)

    # -- display ------------------------------------------------------------------------------
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

    # -- derived facts -------------------------------------------------------------------------
    @property
    def active_correlations(self) -> tuple[tuple[str, str, float], ...]:
        """The correlations that apply: those naming a parameter that no field uses are left out
        (a correlation between estimates that are never drawn has no effect)."""
        used = set(self.compiled.slots)
        unused = {name for name in self.parameters if name not in used}
        return tuple(c for c in self.correlations if c[0] not in unused and c[1] not in unused)

    @cached_property
    def outcome_ids(self) -> tuple[str, ...]:
        """The id of each outcome: the one given, or one made from its stakeholder and outcome
        (:func:`sroi.valuemap.slug`; ``_2``, ``_3``... for repeats). A given id used twice is an
        error naming both outcomes. Give ids to outcomes that other files refer to: made ids
        change when the text changes."""
        given: dict[str, int] = {}
        for i, o in enumerate(self.outcomes):
            if o.id in given:
                raise SROIError(
                    f"the id {o.id!r} is given to outcomes[{given[o.id]}] and outcomes[{i}]; ids must be unique",
                    f"outcomes[{i}].id",
                )
            if o.id:
                given[o.id] = i
        ids: list[str] = []
        taken = set(given)
        for o in self.outcomes:
            if o.id:
                ids.append(o.id)
                continue
            base = slug(f"{o.stakeholder} {o.outcome}")
            oid, n = base, 1
            while oid in taken:  # the same stakeholder and outcome twice: _2, _3... in order
                n += 1
                oid = f"{base[:60]}_{n}"
            taken.add(oid)
            ids.append(oid)
        return tuple(ids)

    def outcome_index(self, outcome_id: str, field: str = "outcome") -> int:
        """Position of the outcome with this id; SROIError listing the ids when there is none
        (a position such as ``outcomes[4]`` is refused: rows move, ids do not)."""
        ids = self.outcome_ids
        if isinstance(outcome_id, str) and outcome_id in ids:
            return ids.index(outcome_id)
        hint = " (refer to outcomes by id, not by position)" if "[" in str(outcome_id) else ""
        raise SROIError(f"no outcome with id {outcome_id!r:.80}{hint}; ids: {', '.join(ids)}", field)

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


# ``Analysis.scenarios`` takes an argument named like the function it delegates to.
_scenarios = scenarios


def _dropped_notes(analysis: Analysis, dropped: Sequence[tuple[str, str, float]]) -> tuple[str, ...]:
    """One note per estimate fixed to one value, naming the correlations dropped with it."""
    slots = analysis.compiled.slots
    paths = {p: s.key for s in slots.values() for p in s.paths}
    by_name: dict[str, list[str]] = {}
    for a, b, rho in dropped:
        for name in (a, b):
            key = name if name in slots else paths.get(name, name)
            if key in slots and slots[key].distribution is None:
                by_name.setdefault(name, []).append(f"({a}, {b}, {rho:g})")
    notes = []
    for name, pairs in by_name.items():
        what = "parameter" if name in analysis.parameters else "estimate"
        notes.append(f"{what} {name!r} fixed to one value: its correlations dropped: {', '.join(pairs)}")
    return tuple(notes)
