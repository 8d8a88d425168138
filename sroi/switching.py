"""Switching values: how far each estimate alone must move for the ratio to reach a target.

The SROI Guide asks, at stage 5, how much each estimate must change to bring the ratio to
1:1. :func:`break_even` answers it for every outcome's quantity, proxy, filters, drop-off and
duration, for the inputs, the discount rate and each named parameter, against any target
ratio (1:1, the practice median, the practice P90...). Closed forms where the ratio is linear
in the estimate (docs/method.md §7); Brent's method or a whole-year search otherwise. Every
evaluation goes through the compiled model's engine (:meth:`sroi.compiler.Compiled.run`).

References
----------
.. [1] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment, stage 5
   (switching values: how much an estimate must change to bring the ratio to 1:1).
.. [2] Brent, R. P. (1973). Algorithms for Minimization without Derivatives. Prentice-Hall, ch. 4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi.glossary import REDUCTIONS
from sroi.validation import check_target_ratio

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike, Compiled

__all__ = ["PARAMETERS", "break_even"]

#: Outcome fields with a switching value, in the order of the table.
PARAMETERS = ("quantity", "proxy", *REDUCTIONS, "drop_off", "duration")


def _profile_total(comp: Compiled, i: int) -> float:
    """Total quantity of outcome i's profile, in its first year's unit."""
    vals = comp.point_values()
    return float(sum(vals[k] * scale for k, _, scale in comp.outcomes[i].quantity))


def _shared_note(comp: Compiled, key: str, path: str) -> str:
    slot = comp.slots[key]
    if slot.named and len(slot.paths) > 1:
        return (
            f" Only this outcome's field {path} changes: the named parameter {key!r} keeps its value "
            f"in its {len(slot.paths) - 1} other field(s)."
        )
    return ""


def _solve(fun: Any, lo: float, hi: float) -> float:
    """brentq with tight tolerances (the output is smooth on the bracket)."""
    from scipy import optimize

    return float(optimize.brentq(fun, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500))


def break_even(analysis: AnalysisLike, target: float = 1.0) -> pd.DataFrame:
    """Switching values: how far each estimate alone must move for the ratio to reach ``target``.

    Parameters
    ----------
    analysis : Analysis
    target : float
        Target SROI ratio R (default 1, the 1:1 of the SROI Guide); must be > 0.

    Returns
    -------
    DataFrame
        One row per outcome for each of ``quantity``, ``proxy``, ``deadweight``,
        ``displacement``, ``attribution``, ``drop_off``, ``duration``, then one row for
        ``inputs`` (outcome empty), one for ``discount_rate`` and one for each named parameter
        (quantity, factor, proxy, fraction or duration) changed in every field that uses it. Columns: ``outcome``
        (``stakeholder: outcome``), ``parameter``, ``field`` (the field path(s) changed),
        ``base``, ``switching_value`` [unit of the estimate; inputs and PV in the analysis
        currency], ``relative_change`` = ``switching_value / base - 1`` (NaN when base is 0)
        and ``explanation``. ``switching_value`` is NaN where no value of that estimate alone
        reaches the target; the explanation says why.

    Notes
    -----
    With PV, each outcome's PV_i and inputs I at the point values (docs/method.md §7), PV_i
    is linear in quantity_i, proxy_i and each (1 - filter_i), so::

        k* = 1 - (PV - R I) / PV_i         quantity_i or proxy_i x k*
        x* = 1 - (1 - x_i) k*              deadweight, displacement or attribution
        I* = PV / R                        inputs (present value)

    No value of the estimate alone reaches the target when k* <= 0 (x* >= 1: the other
    outcomes alone give R I or more) or x* < 0. A quantity profile is scaled as a whole
    (``base`` and ``switching_value`` are its total over the years). Drop-off (in [0, 1]) and the discount rate (in (-0.99, 10);
    a schedule is shifted as a whole, ``base`` is its first rate) are solved with Brent's
    bracketing method; duration is searched over whole years 1..100, where the ratio is a
    step function: the switching value is the whole duration next to the base at which the
    ratio is on the other side of the target. Every outcome-level change is a field-path
    override, so an outcome whose value comes from a shared named parameter changes alone.

    References
    ----------
    .. [1] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment,
       stage 5 (switching values: how much an estimate must change to bring the ratio to 1:1).

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP",
    ...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person", deadweight=0.2)],
    ...     discount_rate=0.0,
    ... )
    >>> be = break_even(a)
    >>> be.set_index("parameter").loc[["quantity", "deadweight", "inputs"],
    ...                               ["base", "switching_value"]].round(4)
                  base  switching_value
    parameter
    quantity      10.0             2.50
    deadweight     0.2             0.80
    inputs      1000.0          4000.00
    """
    R = check_target_ratio(target)
    comp = analysis.compiled
    vals = comp.point_values()
    base = comp.run(vals)
    whole_years = comp.arrays(vals).duration[:, 0]  # durations as the engine counts them
    pv, inputs = float(base.present_value[0]), float(base.total_inputs[0])
    pv_o = base.present_value_by_outcome[:, 0]
    rows: list[dict[str, Any]] = []

    def ratio_of(values: Mapping[str, Any]) -> np.ndarray:
        return np.asarray(comp.run(values).ratio)

    for i, (outcome, spec) in enumerate(zip(analysis.outcomes, comp.outcomes, strict=True)):
        label = outcome.label
        pv_i = float(pv_o[i])
        others = pv - pv_i
        k = 1.0 - (pv - R * inputs) / pv_i if pv_i != 0 else math.nan
        kind = "disbenefit" if pv_i < 0 else "outcome"
        for parameter in PARAMETERS:
            if parameter == "quantity":
                key, path = spec.quantity[0][0], spec.quantity[0][1]
                field = ", ".join(p for _, p, _ in spec.quantity)
            elif parameter == "proxy":
                key, path = spec.proxy[0][0], spec.proxy[0][1]
                field = ", ".join(p for _, p, _ in spec.proxy)
            elif parameter == "duration":
                key, path = spec.duration
                field = path
            else:
                key, path = spec.filters[parameter]
                field = path
            x = float(vals[key])
            if parameter == "duration":
                x = float(whole_years[i])  # the whole years the engine counts, not the raw estimate
            if parameter == "quantity" and len(spec.quantity) > 1:
                x = _profile_total(comp, i)
            if parameter == "proxy" and len(spec.proxy) > 1:
                x = float(sum(vals[pk] for pk, _, _ in spec.proxy))
            note = _shared_note(comp, key, path)
            name = parameter.replace("_", "-")
            sv = math.nan
            at_zero = others / inputs  # the ratio with this outcome's value removed
            if pv_i == 0 and parameter in REDUCTIONS and x == 1.0:
                # the filter itself removes all the value: the ratio is linear in (1 - x)
                r_full, r_none = (float(v) for v in ratio_of({path: np.array([1.0, 0.0])}))
                xs = 1.0 - (R - r_full) / (r_none - r_full) if r_none != r_full else math.nan
                if 0.0 <= xs <= 1.0:
                    sv = xs
                    why = f"{name} of {xs:.6g} brings the ratio to {R:g} (the ratio is linear in 1 - {name})."
                else:
                    why = (
                        f"no {name} in [0, 1] brings the ratio to {R:g}: it is {r_none:.4g} at 0% and "
                        f"{r_full:.4g} at 100% {name}."
                    )
            elif pv_i == 0:
                # no value at the point values: scaling the quantity or proxy, another filter, the
                # drop-off or the duration leaves it at zero
                how = "multiple of its" if parameter in ("quantity", "proxy") else "change in its"
                why = (
                    "this outcome adds no present value at the point values of its estimates, so no "
                    f"{how} {name} alone moves the ratio."
                )
            elif parameter in ("quantity", "proxy"):
                if k < 0:
                    why = (
                        f"no {name} of the same sign brings the ratio to {R:g}: with this {kind} at zero the "
                        f"ratio is {at_zero:.4g}, the other outcomes alone give PV {others:,.2f} against "
                        f"{R:g} x inputs {inputs:,.2f}."
                    )
                else:
                    sv = x * k
                    listed = len(spec.quantity) > 1 if parameter == "quantity" else len(spec.proxy) > 1
                    what = f"every year of the {name} list" if listed else name
                    why = (
                        f"multiplying {what} by k* = {k:.6g} ({k - 1:+.2%}) brings the ratio to {R:g} "
                        f"(k* = 1 - (PV - R x inputs) / PV_i)."
                    ) + note
            elif parameter in REDUCTIONS:
                xs = 1.0 - (1.0 - x) * k
                if not 0.0 <= xs <= 1.0:
                    at_full = at_zero  # at 100% the outcome's value is removed
                    at_none = (others + pv_i / (1.0 - x)) / inputs if x < 1 else math.nan
                    why = (
                        f"no {name} in [0, 1] brings the ratio to {R:g}: it is {at_none:.4g} at 0% and "
                        f"{at_full:.4g} at 100% {name}."
                    )
                else:
                    sv = xs
                    why = (
                        f"{name} of {xs:.6g} brings the ratio to {R:g} (x* = 1 - (1 - x_i) k*, k* = {k:.6g})."
                    ) + note
            elif parameter == "drop_off":
                ends = ratio_of({path: np.array([0.0, 1.0])}) - R
                if ends[0] == ends[1] and whole_years[i] < comp.drop_off_from_year:
                    why = (
                        f"drop-off has no effect on this outcome (it lasts {int(whole_years[i])} "
                        f"year(s) and drop-off starts in year {comp.drop_off_from_year})."
                    )
                elif ends[0] == ends[1]:
                    why = (
                        f"the ratio is {ends[0] + R:.4g} at 0% and at 100% drop-off: all of this outcome's "
                        f"value comes from years of its life before year {comp.drop_off_from_year}, "
                        "where drop-off starts."
                    )
                elif ends[0] * ends[1] > 0:
                    why = (
                        f"even at 100% drop-off the ratio stays above {R:g} ({ends[1] + R:.4g})."
                        if ends[1] > 0
                        else f"even with no drop-off the ratio stays below {R:g} ({ends[0] + R:.4g})."
                    )
                else:
                    sv = _solve(lambda d, p=path: float(ratio_of({p: d})[0]) - R, 0.0, 1.0)
                    why = f"drop-off of {sv:.6g} brings the ratio to {R:g} (Brent's method on [0, 1])." + note
            else:  # duration
                durations = np.arange(1, 101)
                r = ratio_of({path: durations.astype(float)})
                d0 = int(whole_years[i])
                if r[d0 - 1] >= R:
                    below = np.nonzero(r[: d0 - 1] < R)[0]
                    if below.size == 0:
                        why = f"even at 1 year the ratio stays at or above {R:g} ({r[0]:.4g})."
                    else:
                        d = int(below[-1] + 1)
                        sv = float(d)
                        why = (
                            f"the ratio is a step function of whole years: {r[d - 1]:.6g} at {d} year(s), "
                            f"below {R:g}, and {r[d]:.6g} at {d + 1}; {d} is the largest duration below "
                            "the target."
                        ) + note
                else:
                    above = np.nonzero(r[d0:] >= R)[0]
                    if above.size == 0:
                        extra = (
                            f" (the quantity profile has no quantities beyond year {len(spec.quantity)})"
                            if len(spec.quantity) > 1
                            else ""
                        )
                        why = f"even at 100 years the ratio stays below {R:g} ({r[-1]:.4g}){extra}."
                    else:
                        d = int(d0 + above[0] + 1)
                        sv = float(d)
                        why = (
                            f"the ratio is a step function of whole years: {r[d - 2]:.6g} at {d - 1} "
                            f"year(s), below {R:g}, and {r[d - 1]:.6g} at {d}; {d} is the smallest "
                            "duration that reaches the target."
                        ) + note
            rows.append(_row(label, parameter, field, x, sv, why))

    # inputs
    i_star = pv / R
    rows.append(
        _row(
            "",
            "inputs",
            ", ".join(p for _, p, _ in comp.inputs),
            inputs,
            i_star,
            f"inputs (present value) of {i_star:,.2f} {analysis.currency} bring the ratio to {R:g} "
            f"(I* = PV / R; every input scaled by {i_star / inputs:.6g}).",
        )
    )
    # discount rate
    r_paths = [p for _, p in comp.rates]
    r_base = [float(vals[k]) for k, _ in comp.rates]
    r0 = r_base[0]
    sv = math.nan
    schedule = len(r_paths) > 1
    if comp.timing == "none":
        why = "the discount timing is 'none', so the discount rate has no effect."
    else:
        lo, hi = -0.99 - min(r_base), 10.0 - max(r_base)
        grid = np.unique(np.concatenate([np.linspace(lo, min(hi, 1.0), 400), np.geomspace(1.0, hi, 60)]))
        grid = grid[(grid >= lo) & (grid <= hi)]
        grid = np.unique(np.concatenate([grid, [0.0]]))

        def shifted(delta: Any) -> dict[str, Any]:
            return {p: b + delta for p, b in zip(r_paths, r_base, strict=True)}

        f = ratio_of(shifted(grid)) - R
        sign = np.sign(f)
        change = np.nonzero(sign[:-1] * sign[1:] <= 0)[0]
        change = change[(sign[change] != 0) | (sign[change + 1] != 0)]
        if change.size == 0:
            side = "above" if f[0] > 0 else "below"
            why = (
                f"no discount rate in (-99%, 1000%) brings the ratio to {R:g}: it stays {side} the target "
                f"(from {f.min() + R:.4g} to {f.max() + R:.4g})."
            )
        else:
            zero = int(np.searchsorted(grid, 0.0))
            j = int(change[np.argmin(np.abs(change - zero))])
            delta = _solve(lambda t: float(ratio_of(shifted(t))[0]) - R, float(grid[j]), float(grid[j + 1]))
            sv = r0 + delta
            how = f"every rate of the schedule shifted by {delta:+.6g}" if schedule else "Brent's method"
            why = f"a discount rate of {sv:.6g} brings the ratio to {R:g} ({how})."
    rows.append(_row("", "discount_rate", ", ".join(r_paths), r0, sv, why))
    rows.extend(_named_parameter_rows(comp, R, ratio_of))
    df = pd.DataFrame(rows)
    df.attrs["target"] = R
    df.attrs["currency"] = analysis.currency
    return df


def _named_parameter_rows(comp: Compiled, R: float, ratio_of: Any) -> list[dict[str, Any]]:
    """Switching values of named parameters: the shared estimate changed in every field using it.

    Quantities, conversion factors and proxies enter PV linearly, so x* solves a straight line
    through the ratio at 0 and at the base; fractions are solved with Brent's method on [0, 1]
    (the bracket nearest the base); durations by whole years.
    """
    rows = []
    for key, slot in comp.slots.items():
        if not slot.named or slot.kind not in ("quantity", "factor", "proxy", "fraction", "duration"):
            continue
        x, field, label = float(slot.base), ", ".join(slot.paths), "(named parameter: every field using it)"
        sv = math.nan
        if slot.kind in ("quantity", "factor", "proxy"):
            r0, r1 = (float(v) for v in ratio_of({key: np.array([0.0, x])}))
            if x == 0 or r1 == r0:
                why = f"{key!r} has no effect on the ratio at its point value."
            else:
                candidate = x * (R - r0) / (r1 - r0)
                linear = candidate >= 0 and abs(
                    float(ratio_of({key: np.array([candidate])})[0]) - R
                ) <= 1e-9 * max(1.0, R)
                if linear:
                    sv = candidate
                    why = f"a value of {sv:.6g} for {key!r} brings the ratio to {R:g} (PV is linear in it; {len(slot.paths)} field(s))."
                else:
                    # not linear (e.g. the parameter multiplies one outcome twice): bracket and solve
                    grid = x * np.concatenate([[0.0], np.geomspace(1e-6, 1e6, 241)])
                    f = np.asarray(ratio_of({key: grid})) - R
                    change = np.nonzero(np.sign(f[:-1]) * np.sign(f[1:]) <= 0)[0]
                    if change.size == 0:
                        side = "above" if f[0] > 0 else "below"
                        why = f"no value of {key!r} between 0 and 1e6 times its point value brings the ratio to {R:g}: it stays {side}."
                    else:
                        j = int(change[np.argmin(np.abs(grid[change] - x))])
                        sv = _solve(
                            lambda t, key=key: float(ratio_of({key: np.array([t])})[0]) - R,
                            float(grid[j]),
                            float(grid[j + 1]),
                        )
                        why = f"a value of {sv:.6g} for {key!r} brings the ratio to {R:g} (Brent's method; the ratio is not linear in it)."
        elif slot.kind == "fraction":
            grid = np.linspace(0.0, 1.0, 201)
            f = np.asarray(ratio_of({key: grid})) - R
            change = np.nonzero(np.sign(f[:-1]) * np.sign(f[1:]) <= 0)[0]
            if change.size == 0:
                side = "above" if f[0] > 0 else "below"
                why = f"no value of {key} in [0, 1] brings the ratio to {R:g}: it stays {side} the target."
            else:
                j = int(change[np.argmin(np.abs(grid[change] - x))])
                sv = _solve(
                    lambda t, key=key: float(ratio_of({key: np.array([t])})[0]) - R,
                    float(grid[j]),
                    float(grid[j + 1]),
                )
                why = f"a value of {sv:.6g} for {key!r} brings the ratio to {R:g} (Brent's method; {len(slot.paths)} field(s))."
        else:
            years = np.arange(1, 101)
            r = np.asarray(ratio_of({key: years.astype(float)}))
            above = float(ratio_of({key: np.array([x])})[0]) >= R
            hits = years[(years < x) & (r < R)] if above else years[(years > x) & (r >= R)]
            if hits.size == 0:
                why = f"no whole duration 1..100 for {key!r} brings the ratio to {R:g} (a step function of years)."
            else:
                sv = float(hits.max() if above else hits.min())
                why = f"a duration of {sv:g} years for {key!r} is the nearest whole duration on the other side of {R:g}."
        rows.append(_row(label, key, field, x, sv, why))
    return rows


def _row(outcome: str, parameter: str, field: str, base: float, sv: float, why: str) -> dict[str, Any]:
    rel = sv / base - 1.0 if base != 0 and math.isfinite(sv) else math.nan
    return {
        "outcome": outcome,
        "parameter": parameter,
        "field": field,
        "base": base,
        "switching_value": sv,
        "relative_change": rel,
        "explanation": why[0].upper() + why[1:],
    }
