"""The one SROI calculation engine: pure functions vectorised over a trailing sample axis.

Every result in :mod:`sroi` comes from :func:`run` (totals and per-outcome values) and
:func:`by_period` (values period by period, only where something needs them): a deterministic
evaluation is this engine at one sample; Monte Carlo, tornado, scenarios and break-even call
it with other parameter arrays. Nothing here knows about units, files or distributions: inputs
are plain float arrays already in the analysis currency.

Shapes: ``O`` outcomes, ``S`` samples (a sample axis of length 1 broadcasts), ``K`` years of
an outcome's life, ``T`` analysis periods, ``J`` inputs. Per-outcome arrays are outcome-major,
``(O, S)``, so that each field is one gather from the compiled model's values.

Notes
-----
For outcome i in year k of its life (k = 1..n_i, n_i its duration), falling in period
t = s_i + k - 1 (s_i its start; docs/method.md §3)::

    impact_i   = quantity_i * proxy_i * (1 - deadweight_i) * (1 - displacement_i) * (1 - attribution_i)
                 * (1 - overlap_i)          overlap_i: share already counted by another outcome
    value_i,k  = impact_i,k * (1 - drop_off_i) ** max(0, k - f_i + 1)     f_i = drop-off from year (1 or 2)
    PV         = sum_i sum_k value_i,k * D(t)
    inputs     = sum_j input_j * D(year_j),   D(0) = 1
    NPV        = PV - inputs;  ratio = PV / inputs;  net ratio = NPV / inputs
    payback    = inputs / (sum_i impact_i / 12)   [months]

with D(t) by discount timing: end_of_year prod_{u<=t} (1 + r_u)^-1; start_of_year D_end(t - 1);
mid_year D_end(t - 1) (1 + r_t)^-1/2; none 1 (docs/method.md §4). When an outcome's value is
the same every year (no per-year profile) and the discount rate is the same in every period,
the sum over years is a geometric series, evaluated in closed form with ``x = (1 - d) v``,
``v = 1 / (1 + r)``::

    sum_{k=1..n} (1 - d)^(k - 1) v^(s + k - 1) = v^s (1 - x^n) / (1 - x)      (n when x = 1)

times ``(1 - d)`` when drop-off applies from year 1, and times ``(1 + r)^(1/2)`` (mid-year) or
``(1 + r)`` (start of year). ``1 - x = (r + d) / (1 + r)`` is computed directly and ``x^n``
as ``exp(n log1p(-(1 - x)))`` so that the cost does not grow with the years and no precision
is lost near ``x = 1``. A rate schedule, or a per-year profile, is summed year by year.

References
----------
.. [1] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment, stages
   4 and 5 (impact, drop-off, present value, ratio, payback).
.. [2] HM Treasury (2022). The Green Book, annex A6 (discounting).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sroi.glossary import DISCOUNT_TIMINGS

__all__ = [
    "DISCOUNT_TIMINGS",
    "EngineArrays",
    "EngineOutput",
    "PeriodOutput",
    "by_period",
    "discount_factors",
    "outcome_values",
    "run",
]


@dataclass(frozen=True)
class EngineArrays:
    """Numeric inputs of the engine, all in the analysis currency; sample axis last.

    Attributes
    ----------
    quantity : ndarray, shape (O, S)
        Units reached by each outcome in its first year [count].
    proxy : ndarray, shape (O, S)
        Value of one unit reached for one year in the first year [currency count^-1 year^-1].
    deadweight, displacement, attribution, drop_off : ndarray, shape (O, S)
        Fractions in [0, 1].
    overlap : ndarray, shape (O, S)
        Share of each outcome's value already counted by another outcome (double counting
        taken out), a fraction in [0, 1]; 0 for most outcomes.
    duration : ndarray, shape (O, S)
        Whole years each outcome lasts (1..100), as floats.
    start : ndarray of int, shape (O,)
        Period of each outcome's first year (1..100).
    drop_off_from : ndarray of int, shape (O,)
        First year of each outcome's life that drop-off applies to (1 or 2).
    rates : ndarray, shape (T, S)
        Discount rate of each period 1..T.
    inputs : ndarray, shape (J, S)
        Input values [currency].
    input_years : ndarray of int, shape (J,)
        Period of each input (0 = undiscounted).
    profile_outcomes : ndarray of int, shape (P,)
        Outcomes whose value changes from year to year (quantity or proxy lists).
    profile : ndarray, shape (K, P, S) or None
        quantity x proxy of those outcomes in each year of life 1..K [currency year^-1] (zero
        beyond their duration); their ``quantity`` and ``proxy`` are those of year 1.
    """

    quantity: np.ndarray
    proxy: np.ndarray
    deadweight: np.ndarray
    displacement: np.ndarray
    attribution: np.ndarray
    drop_off: np.ndarray
    overlap: np.ndarray
    duration: np.ndarray
    start: np.ndarray
    drop_off_from: np.ndarray
    rates: np.ndarray
    inputs: np.ndarray
    input_years: np.ndarray
    profile_outcomes: np.ndarray
    profile: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        """S, the number of samples the arrays broadcast to."""
        return max(
            1,
            *(
                a.shape[-1]
                for a in (self.quantity, self.proxy, self.deadweight, self.duration, self.rates, self.inputs)
            ),
        )

    @property
    def n_periods(self) -> int:
        """T, the analysis periods (1..T) the rates cover."""
        return int(self.rates.shape[0])


@dataclass(frozen=True)
class EngineOutput:
    """Results of :func:`run` (money in the analysis currency, in reference-period money).

    Attributes
    ----------
    impact : ndarray (O, S)
        First-year impact of each outcome after deadweight, displacement and attribution.
    present_value_by_outcome : ndarray (O, S)
    present_value, total_inputs, net_present_value, ratio, net_ratio, payback_months : ndarray (S,)
    discount : ndarray (T + 1, S or 1)
        Discount factor of periods 0..T (divided by that of the reference period).
    """

    impact: np.ndarray
    present_value_by_outcome: np.ndarray
    present_value: np.ndarray
    total_inputs: np.ndarray
    net_present_value: np.ndarray
    ratio: np.ndarray
    net_ratio: np.ndarray
    payback_months: np.ndarray
    discount: np.ndarray


@dataclass(frozen=True)
class PeriodOutput:
    """Results of :func:`by_period`: values period by period.

    Attributes
    ----------
    values : ndarray (T, O', S)
        Undiscounted value of each selected outcome in each period 1..T.
    present_values : ndarray (T, O', S)
        The same, discounted (reference-period money); sums over periods to each outcome's PV.
    inputs : ndarray (T + 1, S)
        Inputs paid in each period 0..T, undiscounted.
    discount : ndarray (T + 1, S or 1)
        Discount factor of periods 0..T.
    """

    values: np.ndarray
    present_values: np.ndarray
    inputs: np.ndarray
    discount: np.ndarray


def discount_factors(rates: np.ndarray, timing: str = "end_of_year", axis: int = -1) -> np.ndarray:
    """Discount factors D(0..T) for per-period rates.

    Parameters
    ----------
    rates : array_like
        Discount rate of each period 1..T (fractions, > -1) along ``axis``.
    timing : {"end_of_year", "mid_year", "start_of_year", "none"}
        When in each period the value is received (docs/method.md §4).
    axis : int
        The period axis (default the last).

    Returns
    -------
    ndarray
        As ``rates`` with one more entry along ``axis``: ``D[0] = 1`` (period 0, e.g. inputs
        paid up front) and ``D[t]`` for period t.

    Examples
    --------
    >>> discount_factors([0.035, 0.035], "end_of_year").round(6)
    array([1.      , 0.966184, 0.933511])
    >>> discount_factors([0.035, 0.035], "mid_year").round(6)
    array([1.      , 0.982946, 0.949706])
    """
    if timing not in DISCOUNT_TIMINGS:
        raise ValueError(f"unknown discount timing {timing!r}; expected one of {DISCOUNT_TIMINGS}")
    r = np.moveaxis(np.asarray(rates, dtype=float), axis, -1)
    one = np.ones((*r.shape[:-1], 1))
    with np.errstate(over="ignore", divide="ignore"):  # extreme rates: callers check finiteness
        end = np.concatenate([one, 1.0 / np.cumprod(1.0 + r, axis=-1)], axis=-1)
    if timing == "end_of_year":
        out = end
    elif timing == "start_of_year":
        out = np.concatenate([one, end[..., :-1]], axis=-1)
    elif timing == "mid_year":
        out = np.concatenate([one, end[..., :-1] * (1.0 + r) ** -0.5], axis=-1)
    else:
        out = np.ones_like(end)
    return np.moveaxis(out, -1, axis)


def outcome_values(
    impact: np.ndarray,
    drop_off: np.ndarray,
    duration: np.ndarray,
    drop_off_from_year: int | np.ndarray = 2,
    years: int | None = None,
) -> np.ndarray:
    """Value of each outcome in each year of its life, after drop-off (year by year).

    Parameters
    ----------
    impact : ndarray, shape (O, S)
        Impact in the first year [currency].
    drop_off : ndarray, shape (O, S)
        Annual drop-off fraction.
    duration : ndarray, shape (O, S)
        Years the outcome lasts; years beyond it are zero.
    drop_off_from_year : int or ndarray (O,)
        First year of life that drop-off applies to (2 by default, the Guide's 100, 90, 81).
    years : int, optional
        K, the number of years of life to compute (default: the largest duration).

    Returns
    -------
    ndarray, shape (K, O, S)

    Examples
    --------
    >>> import numpy as np
    >>> outcome_values(np.array([[100.0]]), np.array([[0.1]]), np.array([[3]]))[:, 0, 0]
    array([100.,  90.,  81.])
    """
    impact, drop_off, duration = (np.asarray(a, dtype=float) for a in (impact, drop_off, duration))
    k_max = int(np.max(duration)) if years is None else years
    keep = 1.0 - drop_off
    f = np.broadcast_to(np.asarray(drop_off_from_year), impact.shape[:1])[:, None]
    out = np.empty((k_max, *np.broadcast_shapes(impact.shape, keep.shape)))
    factor = np.where(f == 1, keep, 1.0) * np.ones_like(impact)
    for k in range(k_max):
        out[k] = np.where(k < duration, impact * factor, 0.0)
        factor = factor * keep
    return out


def _constant_rate(rates: np.ndarray) -> np.ndarray | None:
    """The rate per sample, shape (1, S), when every period has the same rate; else None."""
    if rates.shape[0] == 0:
        return None
    first = rates[:1]
    if rates.shape[0] == 1 or bool(np.all(rates == first)):
        return first
    return None


def _times(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * y``, written into ``x`` when ``x`` (a temporary of the caller's) has the result's shape.

    The product is the same float operation either way; only the memory differs (one buffer
    reused instead of a fresh one per step keeps a chunk's working set in cache).
    """
    if x.shape == np.broadcast_shapes(x.shape, y.shape):
        return np.multiply(x, y, out=x)
    return x * y


def _filtered_impact(a: EngineArrays) -> tuple[np.ndarray, np.ndarray]:
    """(filters, impact) of :func:`run`: the products of docs/method.md §3 in the formula's order.

    A share that is 0 in every outcome and sample (a constant column, e.g. no displacement) is
    skipped: ``x * (1 - 0)`` is ``x`` exactly.
    """
    filters = 1.0 - a.deadweight
    for share in (a.displacement, a.attribution, a.overlap):
        if share.shape[-1] == 1 and not share.any():
            continue
        filters = _times(filters, 1.0 - share)
    return filters, _times(a.quantity * a.proxy, filters)


def _geometric_pv(
    impact: np.ndarray,
    drop_off: np.ndarray,
    duration: np.ndarray,
    start: np.ndarray,
    drop_off_from: np.ndarray,
    rate: np.ndarray,
    timing: str,
) -> np.ndarray:
    """PV of outcomes valued alike every year, at one rate for every period (closed form).

    Each step writes into the previous step's temporary where the shapes allow (the same
    operations in the same order as the formula in the module Notes).
    """
    r = np.zeros_like(rate) if timing == "none" else rate  # (1, S)
    log_v = -np.log1p(r)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        one_minus_x = r + drop_off
        one_minus_x = _divide(one_minus_x, 1.0 + r)  # 1 - x = 1 - (1 - d) v = (r + d) / (1 + r)
        t = np.negative(one_minus_x)
        np.log1p(t, out=t)
        t = _times(t, duration)  # n log x
        np.expm1(t, out=t)
        np.negative(t, out=t)
        series = _divide(t, one_minus_x)  # (1 - x^n) / (1 - x)
        zero = one_minus_x == 0.0
        if zero.any():  # x = 1: the sum of n ones
            series = np.where(zero, duration, series)
    factor = np.exp(start[:, None] * log_v)  # v^s
    if timing == "mid_year":
        factor = factor * np.sqrt(1.0 + r)
    elif timing == "start_of_year":
        factor = factor * (1.0 + r)
    if np.any(drop_off_from == 1):
        factor = factor * np.where(drop_off_from[:, None] == 1, 1.0 - drop_off, 1.0)
    return _times(impact * factor, series)


def _divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x / y``, written into ``x`` when ``x`` (a temporary) has the result's shape."""
    if x.shape == np.broadcast_shapes(x.shape, y.shape):
        return np.divide(x, y, out=x)
    return x / y


def _yearly_pv(
    gross_years: np.ndarray | None,
    impact: np.ndarray,
    filters: np.ndarray,
    drop_off: np.ndarray,
    duration: np.ndarray,
    start: np.ndarray,
    drop_off_from: np.ndarray,
    discount: np.ndarray,
) -> np.ndarray:
    """PV summed year by year (rate schedules, per-year profiles): K passes over (O, S)."""
    k_max = int(np.max(duration))
    last = discount.shape[0] - 1
    keep = 1.0 - drop_off
    factor = np.where(drop_off_from[:, None] == 1, keep, 1.0) * np.ones_like(impact)
    shapes = [impact.shape, drop_off.shape, duration.shape, (1, *discount.shape[1:])]
    if gross_years is not None:
        shapes.append(gross_years.shape[1:])
    pv = np.zeros(np.broadcast_shapes(*shapes))
    if gross_years is not None:
        k_max = min(k_max, gross_years.shape[0])  # a per-year list has no value beyond its years
    for k in range(k_max):
        value = impact if gross_years is None else gross_years[k] * filters
        d_k = discount[np.minimum(start + k, last)]  # (O, S or 1): period start + k (zero value beyond)
        pv += np.where(k < duration, value * factor, 0.0) * d_k
        factor = factor * keep
    return pv


def run(arrays: EngineArrays, timing: str = "end_of_year", reference_period: int = 0) -> EngineOutput:
    """Evaluate the SROI arithmetic for every sample at once.

    Parameters
    ----------
    arrays : EngineArrays
        Numeric inputs (see :class:`EngineArrays`).
    timing : str
        Discount timing, one of :data:`DISCOUNT_TIMINGS`.
    reference_period : int
        Period whose money values are reported (default 0: present values). An evaluative
        analysis of past periods can state them at a later reference period k: every discount
        factor is divided by D(k), compounding earlier periods forward (docs/method.md §3.7). The
        ratio does not change; PV, inputs and NPV are in period-k money.

    Returns
    -------
    EngineOutput

    Notes
    -----
    The formulas are in the module docstring (docs/method.md §3-4). Where inputs are zero the
    ratio is NaN; :class:`sroi.Analysis` rejects such models before they reach the engine.
    """
    a = arrays
    disc = discount_factors(a.rates, timing, axis=0)  # (T + 1, S or 1)
    ref = disc[reference_period]
    if reference_period:
        disc = disc / ref
    filters, impact = _filtered_impact(a)
    rate = _constant_rate(a.rates)
    with np.errstate(over="ignore", invalid="ignore"):
        if rate is not None:
            pv_o = _geometric_pv(impact, a.drop_off, a.duration, a.start, a.drop_off_from, rate, timing)
            if reference_period:
                pv_o = pv_o / ref
        else:
            pv_o = _yearly_pv(None, impact, filters, a.drop_off, a.duration, a.start, a.drop_off_from, disc)
        if a.profile is not None and a.profile_outcomes.size:
            p = a.profile_outcomes
            pv_p = _yearly_pv(
                a.profile,
                impact[p],
                filters[p],
                a.drop_off[p],
                a.duration[p],
                a.start[p],
                a.drop_off_from[p],
                disc,
            )
            width = max(pv_o.shape[1], pv_p.shape[1])
            pv_o = np.array(np.broadcast_to(pv_o, (pv_o.shape[0], width)))
            pv_o[p] = pv_p
        pv = pv_o.sum(axis=0)
        d_in = disc[a.input_years] if a.input_years.size else np.zeros((0, 1))
        total_inputs = (a.inputs * d_in).sum(axis=0)
    n = max(pv.shape[-1], total_inputs.shape[-1])
    pv, total_inputs = np.broadcast_to(pv, (n,)), np.broadcast_to(total_inputs, (n,))
    npv = pv - total_inputs
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        safe = np.where(total_inputs != 0, total_inputs, 1.0)
        ratio = np.where(total_inputs != 0, pv / safe, np.nan)
        net_ratio = ratio - 1.0
        annual = impact.sum(axis=0)
        # payback on present-value inputs whatever the reference period (the impact is not rebased)
        inputs_pv = total_inputs * ref
        payback = np.where(annual > 0, inputs_pv / np.where(annual > 0, annual, 1.0) * 12.0, np.inf)
    return EngineOutput(
        impact=impact,
        present_value_by_outcome=pv_o,
        present_value=pv,
        total_inputs=total_inputs,
        net_present_value=npv,
        ratio=ratio,
        net_ratio=net_ratio,
        payback_months=np.broadcast_to(payback, (n,)),
        discount=disc,
    )


def by_period(
    arrays: EngineArrays,
    timing: str = "end_of_year",
    reference_period: int = 0,
    outcomes: np.ndarray | None = None,
) -> PeriodOutput:
    """Values period by period, for tables and cash flows (year by year, K passes).

    Parameters
    ----------
    arrays : EngineArrays
    timing : str
        Discount timing.
    reference_period : int
        As for :func:`run`.
    outcomes : ndarray of int or bool, optional
        The outcomes to lay out (default all).

    Returns
    -------
    PeriodOutput
        Values and present values by period and outcome; they sum to what :func:`run` gives.
    """
    a = arrays
    disc = discount_factors(a.rates, timing, axis=0)
    if reference_period:
        disc = disc / disc[reference_period]
    if outcomes is None:
        sel = np.arange(a.quantity.shape[0])
    else:
        chosen = np.asarray(outcomes)
        sel = np.flatnonzero(chosen) if chosen.dtype == bool else chosen.astype(np.intp)
    n_periods = a.n_periods
    s = a.n_samples
    filters = (
        (1.0 - a.deadweight[sel])
        * (1.0 - a.displacement[sel])
        * (1.0 - a.attribution[sel])
        * (1.0 - a.overlap[sel])
    )
    impact = a.quantity[sel] * a.proxy[sel] * filters
    keep = 1.0 - a.drop_off[sel]
    duration = a.duration[sel]
    start = a.start[sel]
    factor = np.where(a.drop_off_from[sel][:, None] == 1, keep, 1.0) * np.ones_like(impact)
    profile_row = {int(o): j for j, o in enumerate(a.profile_outcomes)}
    values = np.zeros((n_periods, sel.size, s))
    k_max = int(np.max(duration)) if sel.size else 0
    rows = np.arange(sel.size)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(k_max):
            value = impact
            if a.profile is not None and profile_row:
                value = np.array(np.broadcast_to(value, (sel.size, s)))
                for r, o in enumerate(sel):
                    if int(o) in profile_row:
                        inside_list = k < a.profile.shape[0]
                        value[r] = a.profile[k, profile_row[int(o)]] * filters[r] if inside_list else 0.0
            periods = start + k - 1  # index of period start + k (periods are 1-based)
            inside = periods < n_periods
            v = np.where(k < duration, value * factor, 0.0)
            values[periods[inside], rows[inside]] = np.broadcast_to(v, (sel.size, s))[inside]
            factor = factor * keep
        present = values * disc[1:, None, :]
    inputs = np.zeros((n_periods + 1, a.inputs.shape[-1]))
    for j, year in enumerate(a.input_years):
        inputs[year] += a.inputs[j]
    return PeriodOutput(values=values, present_values=present, inputs=inputs, discount=disc)
