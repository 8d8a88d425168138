"""The one SROI calculation engine: pure functions vectorised over a leading sample axis.

Every result in :mod:`sroi` comes from :func:`run`: a deterministic evaluation is this engine
at one sample; Monte Carlo, tornado, scenarios and break-even call it with other parameter
arrays. Nothing here knows about units, files or distributions: inputs are plain float arrays
already in the analysis currency.

Shapes: ``S`` samples, ``O`` outcomes, ``K`` years of an outcome's life (the longest duration),
``T`` analysis periods, ``J`` inputs. A leading axis of length 1 broadcasts over samples.

Notes
-----
For outcome i in year k of its life (k = 1..duration), falling in period t = start + k - 1
(docs/method.md §3)::

    impact_i     = quantity_i * proxy_i * (1 - deadweight_i) * (1 - displacement_i) * (1 - attribution_i)
    value_i,k    = impact_i,k * (1 - drop_off_i) ** max(0, k - f + 1)     f = drop_off_from_year
    PV           = sum_i sum_k value_i,k * D(t)
    inputs       = sum_j input_j * D(year_j),   D(0) = 1
    NPV          = PV - inputs;  ratio = PV / inputs;  net ratio = NPV / inputs
    payback      = inputs / (sum_i impact_i,1 / 12)   [months]

with D(t) by discount timing: end_of_year prod_{s<=t} (1 + r_s)^-1; start_of_year D_end(t - 1);
mid_year D_end(t - 1) (1 + r_t)^-1/2; none 1. With one rate these are (1+r)^-t, (1+r)^-(t-1)
and (1+r)^-(t-0.5).

References
----------
.. [1] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment, stages
   4 and 5 (impact, drop-off, present value, ratio, payback).
.. [2] HM Treasury (2022). The Green Book, annex A6 (discounting; 3.5% declining schedule).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DISCOUNT_TIMINGS", "EngineArrays", "EngineOutput", "discount_factors", "outcome_values", "run"]

from sroi.glossary import DISCOUNT_TIMINGS


@dataclass(frozen=True)
class EngineArrays:
    """Numeric inputs of the engine, all in the analysis currency.

    Attributes
    ----------
    quantity : ndarray, shape (S, O, K) or (S, O, 1)
        Units reached by each outcome in each year of its life (a last axis of length 1: the
        same every year) [count].
    proxy : ndarray, shape (S, O, K) or (S, O, 1)
        Value of one unit reached for one year, in the analysis currency [currency count^-1
        year^-1] (the same every year when the last axis has length 1).
    deadweight, displacement, attribution, drop_off : ndarray, shape (S, O)
        Fractions in [0, 1].
    duration : ndarray of int, shape (S, O)
        Years each outcome lasts (1..100).
    start : ndarray of int, shape (O,)
        Period of each outcome's first year (1..100).
    rates : ndarray, shape (S, T) or (1, T)
        Discount rate of each period 1..T.
    inputs : ndarray, shape (S, J)
        Input values [currency].
    input_years : ndarray of int, shape (J,)
        Period of each input (0 = undiscounted).
    """

    quantity: np.ndarray
    proxy: np.ndarray
    deadweight: np.ndarray
    displacement: np.ndarray
    attribution: np.ndarray
    drop_off: np.ndarray
    duration: np.ndarray
    start: np.ndarray
    rates: np.ndarray
    inputs: np.ndarray
    input_years: np.ndarray


@dataclass(frozen=True)
class EngineOutput:
    """Results of :func:`run` (money in the analysis currency).

    Attributes
    ----------
    impact : ndarray (S, O)
        First-year impact of each outcome after deadweight, displacement and attribution.
    present_value_by_outcome : ndarray (S, O)
    present_value, total_inputs, net_present_value, ratio, net_ratio, payback_months : ndarray (S,)
    period_values : ndarray (S, O, T) or None
        Undiscounted value of each outcome in each period 1..T (only when asked for).
    period_present_values : ndarray (S, O, T) or None
        The same, discounted (in the reference period's money); sums to
        ``present_value_by_outcome`` over periods.
    period_inputs : ndarray (S, T + 1) or None
        Inputs paid in each period 0..T, undiscounted (only when asked for).
    discount : ndarray (S or 1, T + 1)
        Discount factor of periods 0..T.
    """

    impact: np.ndarray
    present_value_by_outcome: np.ndarray
    present_value: np.ndarray
    total_inputs: np.ndarray
    net_present_value: np.ndarray
    ratio: np.ndarray
    net_ratio: np.ndarray
    payback_months: np.ndarray
    period_values: np.ndarray | None
    discount: np.ndarray
    period_present_values: np.ndarray | None = None
    period_inputs: np.ndarray | None = None


def discount_factors(rates: np.ndarray, timing: str = "end_of_year") -> np.ndarray:
    """Discount factors D(0..T) for per-period rates.

    Parameters
    ----------
    rates : array_like, shape (..., T)
        Discount rate of each period 1..T (fractions, > -1).
    timing : {"end_of_year", "mid_year", "start_of_year", "none"}
        When in each period the value is received (docs/method.md §4).

    Returns
    -------
    ndarray, shape (..., T + 1)
        ``D[..., 0] = 1`` (period 0, e.g. inputs paid up front) and ``D[..., t]`` for period t.

    Examples
    --------
    >>> discount_factors([0.035, 0.035], "end_of_year").round(6)
    array([1.      , 0.966184, 0.933511])
    >>> discount_factors([0.035, 0.035], "mid_year").round(6)
    array([1.      , 0.982946, 0.949706])
    """
    r = np.asarray(rates, dtype=float)
    one = np.ones((*r.shape[:-1], 1))
    end = np.concatenate([one, 1.0 / np.cumprod(1.0 + r, axis=-1)], axis=-1)
    if timing == "end_of_year":
        return end
    if timing == "start_of_year":
        return np.concatenate([one, end[..., :-1]], axis=-1)
    if timing == "mid_year":
        return np.concatenate([one, end[..., :-1] * (1.0 + r) ** -0.5], axis=-1)
    if timing == "none":
        return np.ones_like(end)
    raise ValueError(f"unknown discount timing {timing!r}; expected one of {DISCOUNT_TIMINGS}")


def outcome_values(
    impact: np.ndarray,
    drop_off: np.ndarray,
    duration: np.ndarray,
    drop_off_from_year: int = 2,
    years: int | None = None,
) -> np.ndarray:
    """Value of each outcome in each year of its life, after drop-off.

    Parameters
    ----------
    impact : ndarray, shape (S, O, K) or (S, O, 1)
        Impact per year of life before drop-off [currency].
    drop_off : ndarray, shape (S, O)
        Annual drop-off fraction.
    duration : ndarray of int, shape (S, O)
        Years the outcome lasts; years beyond it are zero.
    drop_off_from_year : {1, 2}
        First year of life that drop-off applies to (2 by default, the Guide's 100, 90, 81).
    years : int, optional
        K, the number of years of life to compute (default: the largest duration).

    Returns
    -------
    ndarray, shape (S, O, K)

    Examples
    --------
    >>> import numpy as np
    >>> outcome_values(np.array([[[100.0]]]), np.array([[0.1]]), np.array([[3]]))
    array([[[100.,  90.,  81.]]])
    """
    k_max = int(np.max(duration)) if years is None else years
    k = np.arange(1, k_max + 1)
    keep = 1.0 - drop_off
    # year k keeps keep**max(0, k - f + 1): built year by year with one multiply over all
    # samples and outcomes per year (cheaper than an element-wise power)
    decay = np.empty((*keep.shape, k_max))
    decay[..., 0] = 1.0 if drop_off_from_year >= 2 else keep
    for j in range(1, k_max):
        np.multiply(decay[..., j - 1], keep, out=decay[..., j])
    if np.all(duration >= k_max):  # every outcome lasts all K years: nothing to mask
        return impact * decay
    mask = k <= duration[..., None]
    return impact * np.where(mask, decay, 0.0)


def run(
    arrays: EngineArrays,
    timing: str = "end_of_year",
    drop_off_from_year: int = 2,
    per_period: bool = False,
    reference_period: int = 0,
) -> EngineOutput:
    """Evaluate the SROI arithmetic for every sample at once.

    Parameters
    ----------
    arrays : EngineArrays
        Numeric inputs (see :class:`EngineArrays`).
    timing : str
        Discount timing, one of :data:`DISCOUNT_TIMINGS`.
    drop_off_from_year : {1, 2}
        See :func:`outcome_values`.
    per_period : bool
        Also return the undiscounted value of each outcome in each period.
    reference_period : int
        Period whose money values are reported (default 0: present values). An evaluative
        analysis of past periods can state them at a later reference period k: every discount
        factor is divided by D(k), compounding earlier periods forward (docs/method.md §4). The
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
    filters = (1.0 - a.deadweight) * (1.0 - a.displacement) * (1.0 - a.attribution)
    impact_years = a.quantity * a.proxy * filters[..., None]
    k_max = int(np.max(a.duration))
    values = outcome_values(impact_years, a.drop_off, a.duration, drop_off_from_year, k_max)
    n_periods = a.rates.shape[-1]
    disc = discount_factors(a.rates, timing)
    ref = disc[..., reference_period]  # D(k): 1 for present values (k = 0)
    if reference_period:
        disc = disc / ref[..., None]
    idx = a.start[:, None] - 1 + np.arange(1, k_max + 1)[None, :]
    if disc.shape[0] == 1:
        pv_o = np.einsum("sok,ok->so", values, disc[0][idx])
    else:
        pv_o = np.einsum("sok,sok->so", values, disc[:, idx])
    pv = pv_o.sum(axis=1)
    d_in = disc[..., a.input_years] if a.input_years.size else np.zeros((disc.shape[0], 0))
    total_inputs = (a.inputs * d_in).sum(axis=1)
    npv = pv - total_inputs
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(total_inputs != 0, pv / np.where(total_inputs != 0, total_inputs, 1.0), np.nan)
        net_ratio = ratio - 1.0
        impact = impact_years[..., 0]
        annual = impact.sum(axis=1)
        # payback on present-value inputs whatever the reference period (the impact is not rebased)
        inputs_pv = total_inputs * ref
        payback = np.where(annual > 0, inputs_pv / np.where(annual > 0, annual, 1.0) * 12.0, np.inf)
    period_values = period_pv = period_inputs = None
    if per_period:
        s = values.shape[0]
        if n_periods == k_max and np.all(a.start == 1):
            period_values = values  # outcome year k is period k: already laid out by period
        else:
            period_values = np.zeros((s, values.shape[1], n_periods))
            for st in np.unique(a.start):
                sel = a.start == st
                if sel.all():  # one start for every outcome: a plain slice, no fancy-index copy
                    period_values[:, :, st - 1 : st - 1 + k_max] = values
                else:
                    period_values[:, sel, st - 1 : st - 1 + k_max] = values[:, sel]
        period_pv = period_values * disc[:, None, 1:]
        period_inputs = np.zeros((a.inputs.shape[0], n_periods + 1))
        for j, year in enumerate(a.input_years):
            period_inputs[:, year] += a.inputs[:, j]
    return EngineOutput(
        impact=np.broadcast_to(impact, pv_o.shape),
        present_value_by_outcome=pv_o,
        present_value=pv,
        total_inputs=np.broadcast_to(total_inputs, pv.shape),
        net_present_value=npv,
        ratio=ratio,
        net_ratio=net_ratio,
        payback_months=payback,
        period_values=period_values,
        discount=disc,
        period_present_values=period_pv,
        period_inputs=period_inputs,
    )
