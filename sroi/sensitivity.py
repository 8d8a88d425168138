"""Sensitivity analysis on the one engine: tornado, scenarios, two-way grids and switching values.

Every function here evaluates the model only through ``analysis._run(values)``, the single
vectorised engine (:func:`sroi.engine.run`): the settings to compare are stacked along the
sample axis and evaluated in one call (all tornado end points at once, a whole two-way grid
at once, every Sobol sample at once). Values are given per *key* (a named parameter or a field
path, see :mod:`sroi.parameters`); a field path changes that one field only, even when its
value comes from a shared named parameter.

Sobol indices and sample-based measures are in :mod:`sroi.global_sensitivity`; value of
information (EVPI, EVPPI) is in :mod:`sroi.voi`.

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
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pint
from scipy import optimize

from sroi.exceptions import SROIError
from sroi.units import parse_quantity, ureg

if TYPE_CHECKING:
    from sroi.model import Analysis
    from sroi.parameters import Slot

__all__ = [
    "OUTPUTS",
    "break_even",
    "describe_key",
    "scenarios",
    "tornado",
    "two_way",
]

#: Engine outputs (one value per sample) that sensitivity functions can report.
OUTPUTS = ("ratio", "net_ratio", "present_value", "net_present_value", "total_inputs")

_FILTERS = ("deadweight", "displacement", "attribution")
_BREAK_EVEN_PARAMETERS = ("quantity", "proxy", *_FILTERS, "drop_off", "duration")


# -- helpers ----------------------------------------------------------------------------------
def _point(analysis: Analysis) -> dict[str, float]:
    return {k: s.base for k, s in analysis._compiled.slots.items()}


def _path_keys(analysis: Analysis) -> dict[str, str]:
    """Field path -> slot key, for every field of the analysis."""
    return {p: s.key for s in analysis._compiled.slots.values() for p in s.paths}


def _check_output(output: str) -> str:
    if output not in OUTPUTS:
        raise SROIError(f"unknown output {output!r}; expected one of {OUTPUTS}", "output")
    return output


def _resolve(analysis: Analysis, name: Any, field: str) -> tuple[str, Slot]:
    """A key or field path -> (the slot key, its slot); SROIError listing valid names."""
    slots = analysis._compiled.slots
    if isinstance(name, str):
        if name in slots:
            return name, slots[name]
        paths = _path_keys(analysis)
        if name in paths:
            return paths[name], slots[paths[name]]
    valid = sorted(set(slots) | set(_path_keys(analysis)))
    raise SROIError(
        f"unknown estimate {name!r}; expected a parameter name or field path, one of: {', '.join(valid)}",
        field,
    )


def _stack(analysis: Analysis, settings: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Stack settings (each a mapping key-or-path -> value) into per-name sample arrays.

    Sample ``s`` of the result reproduces ``settings[s]`` exactly: a path not set in a setting
    takes that setting's value for its key if given, else the point value.
    """
    slots = analysis._compiled.slots
    paths = _path_keys(analysis)
    names: dict[str, None] = {}
    for s in settings:
        names.update(dict.fromkeys(s))
    out: dict[str, np.ndarray] = {}
    for name in names:
        if name in slots:
            out[name] = np.array([float(s.get(name, slots[name].base)) for s in settings])
        else:
            key = paths[name]
            base = slots[key].base
            out[name] = np.array([float(s.get(name, s.get(key, base))) for s in settings])
    return out


def _evaluate(analysis: Analysis, settings: Sequence[Mapping[str, Any]]) -> Any:
    """One engine call for a list of settings; EngineOutput with S = len(settings)."""
    values: Mapping[str, Any] = _stack(analysis, settings) if settings else {}
    out = analysis._run(values)
    if len(settings) > 1 and out.ratio.shape[0] != len(settings):
        # Every name at its point value in every setting: broadcast the one sample.
        values = {k: np.full(len(settings), s.base) for k, s in analysis._compiled.slots.items()}
        out = analysis._run(values)
    return out


def _quantile(slot: Slot, q: float, field: str) -> float:
    assert slot.distribution is not None
    v = slot.distribution.quantile(q)
    if not math.isfinite(v):
        raise SROIError(
            f"the {q:g} quantile of {slot.key} ({slot.distribution!r}) is {v}; use quantiles strictly "
            "inside (0, 1) for unbounded distributions",
            field,
        )
    return v


def _clip_kind(slot: Slot, value: float) -> float:
    """Keep a value valid for its kind: fractions in [0, 1], amounts >= 0, whole durations."""
    if slot.kind == "fraction":
        return float(min(1.0, max(0.0, value)))
    if slot.kind == "duration":
        return float(min(100, max(1, round(value))))
    if slot.kind == "rate":
        return float(max(value, -0.99))
    return float(max(0.0, value))


def _check_probabilities(low: float, high: float) -> None:
    for name, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
            raise SROIError(f"expected a probability in [0, 1] such as 0.1 (P10), got {v!r}", name)
    if not low < high:
        raise SROIError(f"expected low < high, got low={low}, high={high}", "low")


def _uncertain(analysis: Analysis) -> list[Slot]:
    return [s for s in analysis._compiled.slots.values() if s.distribution is not None]


_PATH_RE = re.compile(r"^outcomes\[(\d+)\]\.(\w+)(?:\[(\d+)\])?$")
_INPUT_RE = re.compile(r"^inputs\[(\d+)\]\.value$")


def describe_key(analysis: Analysis, key: str) -> str:
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
    m = _PATH_RE.match(key)
    if m and int(m.group(1)) < len(analysis.outcomes):
        field = m.group(2).replace("_", " ")
        if field == "quantity factors":
            field = "quantity factor"
        if m.group(3) is not None:
            field = f"{field} {int(m.group(3)) + 1}"
        return f"{analysis.outcomes[int(m.group(1))].label}: {field}"
    m = _INPUT_RE.match(key)
    if m and int(m.group(1)) < len(analysis.inputs):
        return f"input: {analysis.inputs[int(m.group(1))].description or analysis.inputs[int(m.group(1))].stakeholder}"
    return key


# -- tornado -----------------------------------------------------------------------------------
def tornado(
    analysis: Analysis,
    low: float = 0.1,
    high: float = 0.9,
    include: str = "uncertain",
    relative: float = 0.2,
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
    Every low and high point (2P settings for P estimates) is evaluated in one engine call.
    A named parameter moves every field that uses it.

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
    _check_output(output)
    if include not in ("uncertain", "all"):
        raise SROIError(f"expected 'uncertain' or 'all', got {include!r}", "include")
    if isinstance(relative, bool) or not isinstance(relative, (int, float)) or not 0 < relative <= 1:
        raise SROIError(f"expected a relative change in (0, 1] such as 0.2, got {relative!r}", "relative")
    slots = list(analysis._compiled.slots.values())
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
            lo, hi = _quantile(s, low, "low"), _quantile(s, high, "high")
            if s.kind == "duration":
                lo, hi = _clip_kind(s, lo), _clip_kind(s, hi)
        else:
            lo = _clip_kind(s, s.base * (1.0 - relative))
            hi = _clip_kind(s, s.base * (1.0 + relative))
        settings += [{s.key: lo}, {s.key: hi}]
        rows.append(
            {
                "key": s.key,
                "label": describe_key(analysis, s.key),
                "fields": ", ".join(s.paths),
                "base": s.base,
                "low_value": lo,
                "high_value": hi,
            }
        )
    out = getattr(_evaluate(analysis, [*settings, {}]), output)
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
    if slot.kind not in ("fraction", "rate") and number < 0:
        raise SROIError(f"expected a non-negative value, got {value!r}", field)
    return number


def scenarios(
    analysis: Analysis,
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
    low: float = 0.1,
    high: float = 0.9,
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
        unc = _uncertain(analysis)
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
                _, slot = _resolve(analysis, k, field)
                one[k] = _scenario_value(slot, v, f"{field}[{k!r}]")
            settings[str(name)] = one
    out = _evaluate(analysis, list(settings.values()))
    df = pd.DataFrame(
        {
            "scenario": list(settings),
            "ratio": out.ratio,
            "present_value": out.present_value,
            "net_present_value": out.net_present_value,
            "total_inputs": out.total_inputs,
        }
    )
    df.attrs["settings"] = settings
    df.attrs["currency"] = analysis.currency
    return df


# -- two-way -----------------------------------------------------------------------------------
def _grid(analysis: Analysis, slot: Slot, values: Any, n: int, field: str) -> np.ndarray:
    if values is not None:
        arr = np.asarray(values, dtype=float).reshape(-1)
        if arr.size == 0 or not np.all(np.isfinite(arr)):
            raise SROIError(f"expected a non-empty list of finite values, got {values!r}", field)
        for v in arr:
            _scenario_value(slot, float(v), field)
        return arr
    if slot.distribution is not None:
        lo, hi = _quantile(slot, 0.1, field), _quantile(slot, 0.9, field)
    else:
        lo, hi = _clip_kind(slot, slot.base * 0.8), _clip_kind(slot, slot.base * 1.2)
    grid = np.linspace(lo, hi, n)
    if slot.kind == "duration":
        grid = np.unique(np.clip(np.rint(grid), 1, 100))
    return grid


def two_way(
    analysis: Analysis,
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
    The whole grid is one engine call with ``len(a_values) x len(b_values)`` samples.

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
    _check_output(output)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise SROIError(f"expected a whole number of grid points >= 2, got {n!r}", "n")
    _, sa = _resolve(analysis, a, "a")
    _, sb = _resolve(analysis, b, "b")
    if a == b:
        raise SROIError(f"a and b must be different estimates, both are {a!r}", "b")
    av = _grid(analysis, sa, a_values, n, "a_values")
    bv = _grid(analysis, sb, b_values, n, "b_values")
    aa, bb = np.meshgrid(av, bv, indexing="ij")
    out = getattr(analysis._run({a: aa.ravel(), b: bb.ravel()}), output)
    df = pd.DataFrame(out.reshape(av.size, bv.size), index=pd.Index(av, name=a), columns=pd.Index(bv, name=b))
    df.attrs["output"] = output
    return df


# -- break-even (switching values) ------------------------------------------------------------
def _profile_total(analysis: Analysis, i: int) -> float:
    """Total quantity of outcome i's profile, in its first year's unit."""
    vals = _point(analysis)
    return float(sum(vals[k] * scale for k, _, scale in analysis._compiled.outcomes[i].quantity))


def _shared_note(analysis: Analysis, key: str, path: str) -> str:
    slot = analysis._compiled.slots[key]
    if slot.named and len(slot.paths) > 1:
        return (
            f" Only this outcome's field {path} changes: the named parameter {key!r} keeps its value "
            f"in its {len(slot.paths) - 1} other field(s)."
        )
    return ""


def _solve(fun: Any, lo: float, hi: float) -> float:
    """brentq with tight tolerances (the output is smooth on the bracket)."""
    return float(optimize.brentq(fun, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500))


def break_even(analysis: Analysis, target: float = 1.0) -> pd.DataFrame:
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
    With PV, each outcome's PV_i and inputs I at the point values (SROI_METHOD.md §4), PV_i
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
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not (0 < target < math.inf):
        raise SROIError(f"expected a target ratio > 0 such as 1.0, got {target!r}", "target")
    R = float(target)
    comp = analysis._compiled
    vals = _point(analysis)
    base = analysis._run(vals)
    pv, inputs = float(base.present_value[0]), float(base.total_inputs[0])
    pv_o = base.present_value_by_outcome[0]
    rows: list[dict[str, Any]] = []

    def ratio_of(values: Mapping[str, Any]) -> np.ndarray:
        return np.asarray(analysis._run(values).ratio)

    for i, (outcome, spec) in enumerate(zip(analysis.outcomes, comp.outcomes, strict=True)):
        label = outcome.label
        pv_i = float(pv_o[i])
        others = pv - pv_i
        k = 1.0 - (pv - R * inputs) / pv_i if pv_i > 0 else math.nan
        for parameter in _BREAK_EVEN_PARAMETERS:
            if parameter == "quantity":
                key, path = spec.quantity[0][0], spec.quantity[0][1]
                field = ", ".join(p for _, p, _ in spec.quantity)
            elif parameter == "proxy":
                key, path = spec.proxy
                field = path
            elif parameter == "duration":
                key, path = spec.duration
                field = path
            else:
                key, path = spec.filters[parameter]
                field = path
            x = float(vals[key])
            if parameter == "quantity" and len(spec.quantity) > 1:
                x = _profile_total(analysis, i)
            note = _shared_note(analysis, key, path)
            name = parameter.replace("_", "-")
            sv = math.nan
            if parameter in ("quantity", "proxy", *_FILTERS) and pv_i <= 0:
                why = f"this outcome adds no present value, so its {name} cannot move the ratio."
            elif parameter in ("quantity", "proxy"):
                if k <= 0:
                    why = (
                        f"even at zero {name} the ratio stays at or above {R:g}: the other outcomes alone "
                        f"give PV {others:,.2f} >= {R:g} x inputs {inputs:,.2f}."
                    )
                else:
                    sv = x * k
                    what = "every year of the quantity profile" if len(spec.quantity) > 1 else name
                    why = (
                        f"multiplying {what} by k* = {k:.6g} ({k - 1:+.2%}) brings the ratio to {R:g} "
                        f"(k* = 1 - (PV - R x inputs) / PV_i)."
                    ) + note
            elif parameter in _FILTERS:
                xs = 1.0 - (1.0 - x) * k
                if xs >= 1.0:
                    why = (
                        f"even at 100% {name} the ratio stays at or above {R:g} because the other outcomes "
                        f"alone give PV {others:,.2f} >= {R:g} x inputs {inputs:,.2f}."
                    )
                elif xs < 0.0:
                    why = (
                        f"even at 0% {name} the ratio stays below {R:g}: this outcome would need "
                        f"{k:.4g} times its value after {name}."
                    )
                else:
                    sv = xs
                    why = (
                        f"{name} of {xs:.6g} brings the ratio to {R:g} (x* = 1 - (1 - x_i) k*, k* = {k:.6g})."
                    ) + note
            elif parameter == "drop_off":
                ends = ratio_of({path: np.array([0.0, 1.0])}) - R
                if ends[0] == ends[1]:
                    why = (
                        f"drop-off has no effect on this outcome (it lasts {round(vals[spec.duration[0]])} "
                        f"year(s) and drop-off starts in year {analysis.drop_off_from_year})."
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
                d0 = int(min(100, max(1, round(x))))
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
    if analysis.discount_timing == "none":
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
    rows.extend(_named_parameter_rows(analysis, R, ratio_of))
    df = pd.DataFrame(rows)
    df.attrs["target"] = R
    df.attrs["currency"] = analysis.currency
    return df


def _named_parameter_rows(analysis: Analysis, R: float, ratio_of: Any) -> list[dict[str, Any]]:
    """Switching values of named parameters: the shared estimate changed in every field using it.

    Quantities, conversion factors and proxies enter PV linearly, so x* solves a straight line
    through the ratio at 0 and at the base; fractions are solved with Brent's method on [0, 1]
    (the bracket nearest the base); durations by whole years.
    """
    rows = []
    for key, slot in analysis._compiled.slots.items():
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
