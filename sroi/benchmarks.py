"""Compare an analysis's assumptions with published SROI practice.

The distribution of deadweight, attribution, drop-off, discount rate and SROI ratio in 383
reports of the Social Value International database (docs/method.md §10) flags an assumption that
sits far outside practice. Such an assumption is allowed; it needs a justification, so
:func:`check_analysis` warns (:class:`~sroi.exceptions.SROIWarning`), never raises.

Examples
--------
>>> from sroi.benchmarks import compare_to_practice
>>> table = compare_to_practice([("outcomes[0].deadweight", "deadweight", 0.75)])
>>> table.loc[0, "band"], bool(table.loc[0, "outside_p10_p90"])
('above P90', True)
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterable, Mapping
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from sroi.datasets import dataset_path
from sroi.exceptions import SROIError, SROIWarning

__all__ = ["FACTORS", "check_analysis", "compare_to_practice", "practice_benchmarks", "sector_benchmarks"]

FACTORS: tuple[str, ...] = ("deadweight", "attribution", "drop_off", "discount_rate", "sroi_ratio")
"""Factors with practice benchmarks; all but ``sroi_ratio`` are fractions."""

_PERCENT_FACTORS = ("deadweight", "attribution", "drop_off", "discount_rate")
_STATS = ("n", "p10", "p25", "median", "mean", "p75", "p90", "sd")
_LEVELS = (("P10", "p10"), ("P25", "p25"), ("P50", "median"), ("P75", "p75"), ("P90", "p90"))
_SOURCE = (
    '"SROI Practice at Scale: a systematic content analysis of SROI reporting in the Social Value '
    'International database", jcmunozmora/sroi-meta-analysis (2026), data/factor_benchmarks.json: '
    "383 reports (2003-2024), values extracted from the PDFs by a language model, so approximate; "
    "copy in sroi datasets/benchmarks/"
)


@cache
def _benchmarks() -> pd.DataFrame:
    with open(dataset_path("benchmarks", "sroi_practice_factor_benchmarks.json"), encoding="utf-8") as fh:
        factors = json.load(fh)["factors"]
    rows = []
    for factor in FACTORS:
        stats = factors[factor]
        scale = 100.0 if factor in _PERCENT_FACTORS else 1.0
        row: dict[str, Any] = {"factor": factor, "n": int(stats["n"])}
        # round: 5.2 / 100 would print as 0.052000000000000005; the source has two decimals.
        row.update({k: round(float(stats[k]) / scale, 10) for k in _STATS if k != "n"})
        row["unit"] = "fraction" if factor in _PERCENT_FACTORS else "ratio"
        rows.append(row)
    return pd.DataFrame(rows, columns=["factor", *_STATS, "unit"])


def practice_benchmarks() -> pd.DataFrame:
    """Distribution of key assumptions in published SROI reports.

    Returns
    -------
    pandas.DataFrame
        Columns ``factor, n, p10, p25, median, mean, p75, p90, sd, unit``; one row per factor
        (``deadweight``, ``attribution``, ``drop_off``, ``discount_rate`` [fraction] and
        ``sroi_ratio`` [ratio]). The citation is in ``DataFrame.attrs['source']``.

    Notes
    -----
    Percentages of the source are divided by 100 (``20.0`` -> ``0.20``), matching the
    library's fractions.

    References
    ----------
    "SROI Practice at Scale: a systematic content analysis of SROI reporting in the Social
    Value International database", jcmunozmora/sroi-meta-analysis (2026),
    data/factor_benchmarks.json. docs/method.md §10.

    Examples
    --------
    >>> from sroi.benchmarks import practice_benchmarks
    >>> table = practice_benchmarks().set_index("factor")
    >>> table.loc["deadweight", ["p10", "median", "p90"]].tolist()
    [0.052, 0.2, 0.5]
    """
    table = _benchmarks().copy()
    table.attrs["source"] = _SOURCE
    return table


@cache
def _sectors() -> pd.DataFrame:
    with open(dataset_path("benchmarks", "sroi_practice_factor_benchmarks.json"), encoding="utf-8") as fh:
        breakdown = json.load(fh)["sector_breakdown"]
    rows = [
        {
            "sector": r["sector"],
            "factor": factor,
            "n": int(r["n"]),
            "mean": r["mean"] / 100,
            "median": r["median"] / 100,
        }
        for factor, items in breakdown.items()
        for r in items
    ]
    return pd.DataFrame(rows, columns=["sector", "factor", "n", "mean", "median"])


def sector_benchmarks(sector: str | None = None) -> pd.DataFrame:
    """Mean and median deadweight, attribution and drop-off of published reports by sector.

    Parameters
    ----------
    sector : str, optional
        Keep one sector (case-insensitive), e.g. ``"Social Inclusion"``; default all.

    Returns
    -------
    pandas.DataFrame
        Columns ``sector, factor, n, mean, median`` [fractions]; empty when the sector is not
        in the breakdown. The citation is in ``attrs['source']``.

    References
    ----------
    docs/method.md §10; "SROI Practice at Scale", jcmunozmora/sroi-meta-analysis (2026),
    ``sector_breakdown`` of data/factor_benchmarks.json.

    Examples
    --------
    >>> row = sector_benchmarks("housing").set_index("factor").loc["deadweight"]
    >>> int(row["n"]), float(row["median"])
    (34, 0.15)
    """
    table = _sectors().copy()
    if sector is not None:
        table = table[table["sector"].str.casefold() == str(sector).casefold()].reset_index(drop=True)
    table.attrs["source"] = _SOURCE
    return table


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _fmt(value: float, factor: str) -> str:
    return f"{value:.2f}" if factor == "sroi_ratio" else f"{value:.1%}"


def _band(value: float, stats: dict[str, Any]) -> tuple[str, list[str]]:
    """Band of ``value`` and the percentile levels it equals."""
    points = [(name, float(stats[key])) for name, key in _LEVELS]
    ties = [name for name, p in points if _close(value, p)]
    if value < points[0][1] and not ties:
        return "below P10", ties
    if value > points[-1][1] and not ties:
        return "above P90", ties
    # Closed bands containing the value; with tied percentiles several do: take the one
    # nearest the median (the lower one when two are equally near).
    candidates = []
    for (lo_name, lo), (hi_name, hi) in pairwise(points):
        if (lo < value or _close(value, lo)) and (value < hi or _close(value, hi)):
            centre = (int(lo_name[1:]) + int(hi_name[1:])) / 2
            candidates.append((abs(centre - 50), centre, f"{lo_name}-{hi_name}"))
    return min(candidates)[2], ties


def _check_value(value: Any, factor: str, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SROIError(f"expected a number for {factor}, got {value!r}", field) from None
    if not math.isfinite(number):
        raise SROIError(f"expected a finite number for {factor}, got {value!r}", field)
    if factor != "sroi_ratio" and not 0.0 <= number <= 1.0:
        hint = f"; {number:g} looks like a percentage: use {number / 100:g}" if 1 < number <= 100 else ""
        raise SROIError(f"expected a fraction in [0, 1] for {factor}, got {number!r}{hint}", field)
    return number


def compare_to_practice(rows: Iterable[tuple[str, str, float]]) -> pd.DataFrame:
    """Place assumptions within the distribution of published practice.

    Parameters
    ----------
    rows : iterable of (field, factor, value)
        ``field`` is the path of the assumption (e.g. ``'outcomes[0].deadweight'``);
        ``factor`` one of ``'deadweight'``, ``'attribution'``, ``'drop_off'``,
        ``'discount_rate'`` (value a fraction [0-1]) or ``'sroi_ratio'`` (value a ratio).

    Returns
    -------
    pandas.DataFrame
        Columns ``field, factor, value, band, outside_p10_p90, note``. ``band`` is one of
        ``'below P10'``, ``'P10-P25'``, ``'P25-P50'``, ``'P50-P75'``, ``'P75-P90'``,
        ``'above P90'``; ``outside_p10_p90`` is True when the value is strictly below P10 or
        above P90.

    Raises
    ------
    SROIError
        An unknown factor, or a value that is not a number (a filter outside [0, 1]).

    Notes
    -----
    A value equal to a percentile belongs to the closed band(s) ending there; where tied
    percentiles make several bands contain it (the discount rate's P10 = P25 = P50 = P75 =
    3.5%), the band nearest the median is given and the note names the tied percentiles.

    References
    ----------
    docs/method.md §10; "SROI Practice at Scale", jcmunozmora/sroi-meta-analysis (2026).

    Examples
    --------
    >>> from sroi.benchmarks import compare_to_practice
    >>> table = compare_to_practice([("discount_rate", "discount_rate", 0.035),
    ...                              ("outcomes[0].drop_off", "drop_off", 0.05)])
    >>> table[["field", "band", "outside_p10_p90"]].values.tolist()
    [['discount_rate', 'P25-P50', False], ['outcomes[0].drop_off', 'below P10', True]]
    """
    bench = {
        str(row["factor"]): {str(k): v for k, v in row.items()} for row in _benchmarks().to_dict("records")
    }
    out = []
    for i, item in enumerate(rows):
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise SROIError(f"expected a (field, factor, value) triple, got {item!r}", f"rows[{i}]")
        field, factor, raw = item
        if factor not in bench:
            raise SROIError(f"unknown factor {factor!r}; expected one of {', '.join(FACTORS)}", str(field))
        value = _check_value(raw, factor, str(field))
        stats = bench[factor]
        band, ties = _band(value, stats)
        outside = band in ("below P10", "above P90")
        n = int(stats["n"])
        spread = f"P10-P90 {_fmt(stats['p10'], factor)}-{_fmt(stats['p90'], factor)}"
        if band == "below P10":
            note = f"below the 10th percentile of {n} reports ({_fmt(stats['p10'], factor)}): justify it"
        elif band == "above P90":
            note = f"above the 90th percentile of {n} reports ({_fmt(stats['p90'], factor)}): justify it"
        else:
            note = f"within practice ({spread}, median {_fmt(stats['median'], factor)}, n={n})"
        if ties:
            note += f"; equal to {', '.join(ties)} of practice"
        out.append(
            {
                "field": str(field),
                "factor": factor,
                "value": value,
                "band": band,
                "outside_p10_p90": outside,
                "note": note,
            }
        )
    columns = ["field", "factor", "value", "band", "outside_p10_p90", "note"]
    table = pd.DataFrame(out, columns=columns)
    table["outside_p10_p90"] = table["outside_p10_p90"].astype(bool)
    table.attrs["source"] = _SOURCE
    return table


def _central(value: Any, field: str, parameters: Mapping[str, Any] | None = None) -> float | None:
    """A float from a float, an estimate with ``.central()``, a list of rates (the first), or a
    reference to a named parameter (an object with ``.name`` found in ``parameters``)."""
    if value is None:
        return None
    name = getattr(value, "name", None)
    if isinstance(name, str) and parameters is not None and name in parameters:
        return _central(parameters[name], field, None)
    if callable(getattr(value, "central", None)):
        value = value.central()
    elif isinstance(value, (list, tuple, np.ndarray)):
        if len(value) == 0:
            return None
        return _central(value[0], f"{field}[0]", parameters)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SROIError(f"expected a number or an estimate with .central(), got {value!r}", field) from None


def check_analysis(analysis: Any, warn: bool = True, ratio: bool = True) -> pd.DataFrame:
    """Compare an analysis's deadweight, attribution, drop-off and discount rate with practice.

    Parameters
    ----------
    analysis : Analysis
        Any object with ``outcomes`` (each with ``deadweight``, ``attribution``, ``drop_off``)
        and ``discount_rate``. A value may be a float [fraction], an estimate with a
        ``.central()`` method, a list of rates (the first is used), or a reference to a named
        parameter (an object with ``.name``, looked up in ``analysis.parameters``).
    warn : bool
        Issue one :class:`~sroi.exceptions.SROIWarning` listing the fields outside P10-P90.
    ratio : bool
        Also place the analysis's SROI ratio (at point values, from ``analysis.evaluate()``)
        among published ratios, as a row with field ``ratio`` (only for objects that have an
        ``evaluate`` method).

    Returns
    -------
    pandas.DataFrame
        As :func:`compare_to_practice`, one row per assumption found.

    Notes
    -----
    A value outside the middle 80% of practice is allowed; the warning asks for a reason.
    It is not an error.

    References
    ----------
    docs/method.md §10; "SROI Practice at Scale", jcmunozmora/sroi-meta-analysis (2026).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from sroi.benchmarks import check_analysis
    >>> outcome = SimpleNamespace(deadweight=0.2, attribution=0.9, drop_off=0.1)
    >>> analysis = SimpleNamespace(outcomes=[outcome], discount_rate=0.035)
    >>> table = check_analysis(analysis, warn=False)
    >>> table.loc[table["outside_p10_p90"], "field"].tolist()
    ['outcomes[0].attribution']
    """
    rows: list[tuple[str, str, float]] = []
    parameters = getattr(analysis, "parameters", None)
    parameters = parameters if isinstance(parameters, Mapping) else None
    ids = getattr(analysis, "outcome_ids", None)
    for i, outcome in enumerate(getattr(analysis, "outcomes", None) or []):
        # outcomes named by id where the analysis has them (docs/method.md §2.1), else by position
        row = f"outcomes[id={ids[i]}]" if isinstance(ids, tuple) and i < len(ids) else f"outcomes[{i}]"
        for factor in ("deadweight", "attribution", "drop_off"):
            field = f"{row}.{factor}"
            value = _central(getattr(outcome, factor, None), field, parameters)
            if value is not None:
                rows.append((field, factor, value))
    rate = _central(getattr(analysis, "discount_rate", None), "discount_rate", parameters)
    if rate is not None:
        rows.append(("discount_rate", "discount_rate", rate))
    if ratio and callable(getattr(analysis, "evaluate", None)):
        rows.append(("ratio", "sroi_ratio", float(analysis.evaluate().ratio)))
    table = compare_to_practice(rows)
    flagged = table[table["outside_p10_p90"]]
    if warn and len(flagged):
        listed = "; ".join(
            f"{r['field']} = {_fmt(r['value'], r['factor'])} ({r['band']})"
            for r in flagged.to_dict("records")
        )
        warnings.warn(
            f"{len(flagged)} assumption(s) outside the P10-P90 range of published SROI practice "
            f"(383 reports, Social Value International database): {listed}. This is allowed; "
            "give the evidence for each (see sroi.benchmarks.check_analysis).",
            SROIWarning,
            stacklevel=2,
        )
    return table
