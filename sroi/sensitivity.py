"""Sensitivity analysis on the one engine: tornado, scenarios, two-way grids and switching values.

Every function here evaluates the model only through the compiled model's engine: the settings
to compare are stacked along the sample axis (all tornado end points, a whole two-way grid) and
evaluated by :meth:`sroi.compiler.Compiled.run_batched`, in chunks of bounded memory.
Values are given per *key* (a named parameter or a field path, see :mod:`sroi.compiler`); a
field path changes that one field only, even when its value comes from a shared named
parameter.

Switching values are in :mod:`sroi.switching`; Sobol indices and sample-based measures in
:mod:`sroi.global_sensitivity`; value of information (EVPI, EVPPI) in :mod:`sroi.voi`.

References
----------
.. [1] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment, stage 5
   (sensitivity analysis: test the estimates, report the switching values that bring the
   ratio to 1:1).
.. [2] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010).
   Variance based sensitivity analysis of model output. Design and estimator for the total
   sensitivity index. Computer Physics Communications 181(2), 259-270.
.. [3] Iman, R. L., Conover, W. J. (1979). The use of the rank transform in regression.
   Technometrics 21(4), 499-509 (standardised rank regression coefficients).
.. [4] Plischke, E., Borgonovo, E., Smith, C. L. (2013). Global sensitivity measures from given
   data. European Journal of Operational Research 226(3), 536-550 (delta indices).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pint

from sroi import defaults
from sroi.exceptions import SROIError
from sroi.glossary import OUTPUTS
from sroi.units import parse_quantity, ureg
from sroi.validation import check_choice, check_fraction, check_whole_number

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike, Slot

__all__ = [
    "OUTPUTS",
    "check_output",
    "clip_to_kind",
    "describe_key",
    "scenarios",
    "slot_quantile",
    "tornado",
    "two_way",
]


# -- helpers ----------------------------------------------------------------------------------
def check_output(output: Any) -> str:
    """One of :data:`OUTPUTS` (an engine output with one value per sample), else SROIError."""
    if output not in OUTPUTS:
        raise SROIError(f"unknown output {output!r:.60}; expected one of {OUTPUTS}", "output")
    return str(output)


def slot_quantile(slot: Slot, q: float, field: str) -> float:
    """The ``q`` quantile of an uncertain estimate; SROIError naming ``field`` if it is infinite."""
    if slot.distribution is None:
        raise SROIError(f"{slot.key} has no distribution", field)
    v = slot.distribution.quantile(q)
    if not math.isfinite(v):
        raise SROIError(
            f"the {q:g} quantile of {slot.key} ({slot.distribution!r}) is {v}; use quantiles strictly "
            "inside (0, 1) for unbounded distributions",
            field,
        )
    return v


def clip_to_kind(slot: Slot, value: float) -> float:
    """Keep a value valid for its kind: fractions in [0, 1], amounts >= 0 (proxies of either
    sign), whole durations in 1..100 (halves rounded up, as the engine rounds them), rates above
    -0.99, income elasticities in [0, 2]."""
    if slot.kind == "fraction":
        return float(min(1.0, max(0.0, value)))
    if slot.kind == "duration":
        return float(min(100, max(1, math.floor(value + 0.5))))
    if slot.kind == "rate":
        return float(max(value, -0.99))
    if slot.kind == "elasticity":
        return float(min(2.0, max(0.0, value)))
    if slot.kind == "proxy":
        return float(value)  # a proxy may be negative (a disbenefit)
    return float(max(0.0, value))


def _run_settings(
    analysis: AnalysisLike, settings: Sequence[Mapping[str, Any]], outputs: Sequence[str]
) -> dict[str, np.ndarray]:
    """``outputs`` for each setting (a mapping key or field path -> value; the rest at point
    values), through :meth:`~sroi.compiler.Compiled.run_batched`: one value per setting."""
    comp = analysis.compiled
    values = comp.stack(settings)
    if not values:  # every setting is the point values
        point = comp.run()
        return {name: np.full(len(settings), float(np.ravel(getattr(point, name))[0])) for name in outputs}
    return comp.run_batched(values, outputs)


def _check_probabilities(low: float, high: float) -> None:
    check_fraction(low, "low", what="a probability", example="0.1 (P10)")
    check_fraction(high, "high", what="a probability", example="0.9 (P90)")
    if not low < high:
        raise SROIError(f"expected low < high, got low={low}, high={high}", "low")


def describe_key(analysis: AnalysisLike, key: str) -> str:
    """A readable name for an estimate's key: named parameters keep their name; a field path
    becomes ``"<outcome>: <field>"`` (e.g. ``"Families: Less worry: quantity factor 2"``).

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis("t", "GBP", [sroi.Outcome("Carers", "Respite", quantity="5 person",
    ...                    proxy="200 GBP/person")], [sroi.Input("Funder", "Grant", "100 GBP")])
    >>> describe_key(a, "outcomes[0].deadweight"), describe_key(a, "inputs[0].value")
    ('Carers: Respite: deadweight', 'input: Grant')
    """
    return analysis.compiled.describe_key(key)


# -- tornado -----------------------------------------------------------------------------------
def tornado(
    analysis: AnalysisLike,
    low: float = defaults.TORNADO_QUANTILES[0],
    high: float = defaults.TORNADO_QUANTILES[1],
    include: str = "uncertain",
    relative: float = defaults.RELATIVE_CHANGE,
    output: str = "ratio",
) -> pd.DataFrame:
    """One-way sensitivity: move each estimate alone to a low and a high value.

    Parameters
    ----------
    analysis : Analysis
    low, high : float
        Quantiles of each uncertain estimate's distribution (default P10 and P90).
    include : {"uncertain", "all"}
        ``"uncertain"``: the estimates with a distribution. ``"all"``: also every other
        estimate, moved to ``base x (1 -/+ relative)`` (fractions clipped to [0, 1], durations
        rounded to whole years in 1..100).
    relative : float
        Relative change for estimates without a distribution (default 0.2, +-20%).
    output : str
        Engine output to report, one of :data:`OUTPUTS` (default the SROI ratio).

    Returns
    -------
    DataFrame
        One row per estimate, largest swing first: ``key`` (parameter name or field path),
        ``fields`` (the field paths using it), ``base``, ``low_value``, ``high_value`` [unit of
        the estimate], ``ratio_low``, ``ratio_high`` (the output with the estimate at its low
        and high value; named ``{output}_low`` / ``{output}_high`` for other outputs) and
        ``swing`` = ``|ratio_high - ratio_low|``. ``attrs["base_output"]`` holds the output at
        the point values, ``attrs["output"]`` its name.

    Notes
    -----
    Every low and high point (2P settings for P estimates) is stacked along the sample axis
    and evaluated in bounded-memory chunks (:meth:`~sroi.compiler.Compiled.run_batched`). A
    named parameter moves every field that uses it.

    References
    ----------
    .. [1] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment,
       stage 5 (sensitivity analysis).

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP",
    ...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person", deadweight=sroi.Uniform(0.1, 0.3))],
    ...     discount_rate=0.0,
    ... )
    >>> tornado(a)[["key", "low_value", "high_value", "ratio_low", "ratio_high"]].round(3)
                         key  low_value  high_value  ratio_low  ratio_high
    0  outcomes[0].deadweight       0.12        0.28        4.4         3.6
    """
    _check_probabilities(low, high)
    check_output(output)
    check_choice(include, "include", ("uncertain", "all"))
    relative = check_fraction(relative, "relative", low_open=True)
    comp = analysis.compiled
    slots = list(comp.slots.values())
    chosen = [s for s in slots if s.distribution is not None or include == "all"]
    if not chosen:
        raise SROIError(
            "the analysis has no uncertain estimates (none has a distribution); give distributions "
            "or use include='all' to move every estimate by +-relative",
            "include",
        )
    settings: list[dict[str, float]] = []
    rows = []
    for s in chosen:
        if s.distribution is not None:
            lo, hi = slot_quantile(s, low, "low"), slot_quantile(s, high, "high")
            if s.kind == "duration":
                lo, hi = clip_to_kind(s, lo), clip_to_kind(s, hi)
        else:
            lo = clip_to_kind(s, s.base * (1.0 - relative))
            hi = clip_to_kind(s, s.base * (1.0 + relative))
        settings += [{s.key: lo}, {s.key: hi}]
        rows.append(
            {
                "key": s.key,
                "label": comp.describe_key(s.key),
                "fields": ", ".join(s.paths),
                "base": s.base,
                "low_value": lo,
                "high_value": hi,
            }
        )
    out = _run_settings(analysis, [*settings, {}], (output,))[output]
    df = pd.DataFrame(rows)
    df[f"{output}_low"] = out[0:-1:2]
    df[f"{output}_high"] = out[1:-1:2]
    df["swing"] = np.abs(df[f"{output}_high"] - df[f"{output}_low"])
    df = df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    df.attrs["output"] = output
    df.attrs["base_output"] = float(out[-1])
    df.attrs["currency"] = analysis.currency
    return df


# -- scenarios ---------------------------------------------------------------------------------
def _scenario_value(slot: Slot, value: Any, field: str) -> float:
    if isinstance(value, (str, pint.Quantity)):
        q = parse_quantity(value, field) if isinstance(value, str) else value
        unit = slot.unit if slot.unit is not None else ureg.dimensionless
        try:
            number = float(q.to(unit).magnitude)
        except pint.errors.DimensionalityError:
            raise SROIError(f"expected a value in {unit}, got {value!r}", field) from None
    elif isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SROIError(f"expected a number, got {value!r}", field)
    else:
        number = float(value)
    if not math.isfinite(number):
        raise SROIError(f"expected a finite number, got {value!r}", field)
    if slot.kind == "fraction" and not 0.0 <= number <= 1.0:
        raise SROIError(f"expected a fraction in [0, 1], got {value!r}", field)
    if slot.kind == "rate" and number <= -1.0:
        raise SROIError(f"expected a discount rate greater than -1, got {value!r}", field)
    if slot.kind == "elasticity" and not 0.0 <= number <= 2.0:
        raise SROIError(f"expected an income elasticity in [0, 2], got {value!r}", field)
    if slot.kind not in ("fraction", "rate", "proxy") and number < 0:
        raise SROIError(f"expected a non-negative value, got {value!r}", field)
    return number


def scenarios(
    analysis: AnalysisLike,
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
    low: float = defaults.TORNADO_QUANTILES[0],
    high: float = defaults.TORNADO_QUANTILES[1],
) -> pd.DataFrame:
    """Evaluate named scenarios, by default pessimistic, base and optimistic.

    Parameters
    ----------
    analysis : Analysis
    scenarios : mapping of str to mapping, optional
        ``{name: {key or field path: value}}``; values are numbers in the estimate's unit, or
        unit strings / pint quantities (``"1200 person"``, ``"25%"``). A key changes every
        field using it, a field path only that field; unset estimates keep their point value.
        Default: ``pessimistic``, ``base`` and ``optimistic`` (see Notes).
    low, high : float
        Quantiles used by the default scenarios (default P10 and P90).

    Returns
    -------
    DataFrame
        One row per scenario: ``scenario``, ``ratio``, ``present_value``,
        ``net_present_value``, ``total_inputs`` [analysis currency]. ``attrs["settings"]``
        holds each scenario's values.

    Raises
    ------
    SROIError
        An unknown key or path (the message lists the valid ones), or an invalid value.

    Notes
    -----
    Default scenarios: ``base`` is the point value of every estimate (the result of
    ``Analysis.evaluate()``); ``pessimistic`` puts every uncertain estimate at the quantile
    (``low`` or ``high``) that lowers the ratio, ``optimistic`` at the one that raises it. The
    direction of each estimate comes from the tornado (:func:`tornado` at the same quantiles);
    an estimate with no effect stays at its point value. Moving every estimate to its P10 or
    P90 at once is far less likely than 10%: these are bounds for discussion, not intervals
    (use the Monte Carlo for those).

    References
    ----------
    .. [1] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment,
       stage 5 (sensitivity analysis).

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP",
    ...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person", deadweight=sroi.Uniform(0.1, 0.3))],
    ...     discount_rate=0.0,
    ... )
    >>> scenarios(a)[["scenario", "ratio"]].round(3)
          scenario  ratio
    0  pessimistic    3.6
    1         base    4.0
    2   optimistic    4.4
    >>> scenarios(a, {"no deadweight": {"outcomes[0].deadweight": 0.0}})["ratio"].tolist()
    [5.0]
    """
    if scenarios is None:
        _check_probabilities(low, high)
        pess: dict[str, float] = {}
        opt: dict[str, float] = {}
        unc = analysis.compiled.uncertain()
        if unc:
            rows = {str(r["key"]): r for r in tornado(analysis, low=low, high=high).to_dict("records")}
            for s in unc:
                row = rows[s.key]
                r_lo, r_hi = float(row["ratio_low"]), float(row["ratio_high"])
                v_lo, v_hi = float(row["low_value"]), float(row["high_value"])
                if r_hi > r_lo:
                    pess[s.key], opt[s.key] = v_lo, v_hi
                elif r_hi < r_lo:
                    pess[s.key], opt[s.key] = v_hi, v_lo
        settings: dict[str, dict[str, float]] = {"pessimistic": pess, "base": {}, "optimistic": opt}
    else:
        if not isinstance(scenarios, Mapping) or not scenarios:
            raise SROIError(
                "expected a non-empty mapping {name: {key or field path: value}}, e.g. "
                "{'low deadweight': {'outcomes[0].deadweight': 0.1}}",
                "scenarios",
            )
        settings = {}
        for name, spec in scenarios.items():
            field = f"scenarios[{name!r}]"
            if not isinstance(spec, Mapping):
                raise SROIError(f"expected a mapping {{key or field path: value}}, got {spec!r}", field)
            one: dict[str, float] = {}
            for k, v in spec.items():
                _, slot = analysis.compiled.resolve(k, field)
                one[k] = _scenario_value(slot, v, f"{field}[{k!r}]")
            settings[str(name)] = one
    columns = ("ratio", "present_value", "net_present_value", "total_inputs")
    out = _run_settings(analysis, list(settings.values()), columns)
    df = pd.DataFrame({"scenario": list(settings), **out})
    df.attrs["settings"] = settings
    df.attrs["currency"] = analysis.currency
    return df


# -- two-way -----------------------------------------------------------------------------------
def _grid(slot: Slot, values: Any, n: int, field: str) -> np.ndarray:
    if values is not None:
        arr = np.asarray(values, dtype=float).reshape(-1)
        if arr.size == 0 or not np.all(np.isfinite(arr)):
            raise SROIError(f"expected a non-empty list of finite values, got {values!r}", field)
        for v in arr:
            _scenario_value(slot, float(v), field)
        return arr
    if slot.distribution is not None:
        lo, hi = (slot_quantile(slot, q, field) for q in defaults.TORNADO_QUANTILES)
    else:
        rel = defaults.RELATIVE_CHANGE
        lo, hi = clip_to_kind(slot, slot.base * (1 - rel)), clip_to_kind(slot, slot.base * (1 + rel))
    grid = np.linspace(lo, hi, n)
    if slot.kind == "duration":
        grid = np.unique(np.clip(np.floor(grid + 0.5), 1, 100))
    return grid


def two_way(
    analysis: AnalysisLike,
    a: str,
    b: str,
    a_values: Sequence[float] | np.ndarray | None = None,
    b_values: Sequence[float] | np.ndarray | None = None,
    n: int = 11,
    output: str = "ratio",
) -> pd.DataFrame:
    """Two-way sensitivity: the output over a grid of two estimates, the others at point values.

    Parameters
    ----------
    analysis : Analysis
    a, b : str
        Parameter names or field paths (a field path changes that field only).
    a_values, b_values : sequence of float, optional
        Values to try [unit of the estimate]. Default: ``n`` evenly spaced values from P10 to
        P90 of the estimate's distribution, or from -20% to +20% of its point value
        (fractions clipped to [0, 1]; durations as whole years).
    n : int
        Grid size per estimate when values are not given (default 11).
    output : str
        One of :data:`OUTPUTS` (default the SROI ratio).

    Returns
    -------
    DataFrame
        Index: values of ``a``; columns: values of ``b``; cells: the output.

    Notes
    -----
    The grid's ``len(a_values) x len(b_values)`` points are evaluated in chunks of bounded
    memory (:meth:`~sroi.compiler.Compiled.run_batched`): a 1001 x 1001 grid stays far under
    2 GB (benchmarks/README.md).

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP",
    ...     inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("Older people", "Less isolated", quantity="10 person",
    ...                            proxy="500 GBP/person")],
    ...     discount_rate=0.0,
    ... )
    >>> two_way(a, "outcomes[0].deadweight", "outcomes[0].attribution",
    ...         a_values=[0.0, 0.5], b_values=[0.0, 0.2])
    outcomes[0].attribution  0.0  0.2
    outcomes[0].deadweight
    0.0                      5.0  4.0
    0.5                      2.5  2.0
    """
    check_output(output)
    n = check_whole_number(n, "n", 2, what="a whole number of grid points")
    comp = analysis.compiled
    _, sa = comp.resolve(a, "a")
    _, sb = comp.resolve(b, "b")
    if a == b:
        raise SROIError(f"a and b must be different estimates, both are {a!r}", "b")
    av = _grid(sa, a_values, n, "a_values")
    bv = _grid(sb, b_values, n, "b_values")
    aa, bb = np.meshgrid(av, bv, indexing="ij")
    out = comp.run_batched({a: aa.ravel(), b: bb.ravel()}, (output,))[output]
    del aa, bb
    df = pd.DataFrame(out.reshape(av.size, bv.size), index=pd.Index(av, name=a), columns=pd.Index(bv, name=b))
    df.attrs["output"] = output
    return df
