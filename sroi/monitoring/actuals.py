"""Monitoring data: the actual values of indicators, read and checked row by row (docs/method.md §12.2).

A tidy table with one observation a row: ``indicator, period, value, unit, n, source, note``
(``n``, ``source`` and ``note`` may be left empty; other columns are kept as they are). A period
is an analysis period (``1``, ``2``...), or a calendar year when the indicator system states its
``first_year``; quarterly and monthly indicators add the quarter or month (``2-Q3``,
``2025-M07``). Every bad cell is an :class:`~sroi.exceptions.SROIError` naming its row (as in
the file: the header is row 1) and column; no row is ever dropped.

:func:`read_actuals` is re-exported by :mod:`sroi.monitoring`.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pint

from sroi.exceptions import SROIError, UnitError
from sroi.safe_yaml import read_file_bytes
from sroi.units import parse_unit, ureg
from sroi.updating import Observation

if TYPE_CHECKING:
    import os

    from sroi.compiler import AnalysisLike
    from sroi.indicators import IndicatorSystem, Measure

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "Actuals",
    "actuals_from_frame",
    "aggregate",
    "checked_rows",
    "observation",
    "read_actuals",
]

#: Columns of a monitoring table, in order.
COLUMNS = ("indicator", "period", "value", "unit", "n", "source", "note")
#: Columns every monitoring table must have.
REQUIRED = ("indicator", "period", "value", "unit")
_PERIOD_RE = re.compile(r"^\s*(\d{1,4})(?:\s*[-_/ ]\s*([QqMm])\s*(\d{1,2}))?\s*$")
_SUB = {"quarterly": ("Q", 4), "monthly": ("M", 12)}


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _number(v: Any, where: str, what: str = "a number") -> float:
    if isinstance(v, bool) or _blank(v):
        raise SROIError(f"expected {what}, got {'an empty cell' if _blank(v) else repr(v)}", where)
    try:
        x = float(str(v).strip()) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        raise SROIError(f"expected {what}, got {str(v)[:40]!r}", where) from None
    if not math.isfinite(x):
        raise SROIError(f"expected a finite number, got {v!r}", where)
    return x


@dataclass(frozen=True, eq=False)
class Actuals:
    """Monitoring rows as read (structure checked; units and indicators checked by :meth:`check`).

    Attributes
    ----------
    table : DataFrame
        ``row`` (as in the file), ``indicator``, ``period_label``, ``value``, ``unit``, ``n``
        (NaN when empty), ``source``, ``note`` and any other columns of the file.
    source : str
        Where the rows came from.
    """

    table: pd.DataFrame
    source: str = ""

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        inds = self.table["indicator"].nunique()
        return f"Actuals({len(self)} rows, {inds} indicators, from {self.source or 'a table'})"

    def _repr_html_(self) -> str:
        return f"<div><p>{html.escape(repr(self))}</p>{self.table.to_html(index=False, border=0)}</div>"

    def check(self, system: IndicatorSystem, measures: tuple[Measure, ...] | None = None) -> pd.DataFrame:
        """Rows checked against the indicators: known indicator, period (and its quarter or month,
        as the cadence asks) after the baseline, value in the indicator's unit, shares in [0, 1],
        no duplicate (indicator, period).

        Returns
        -------
        DataFrame
            ``row, indicator, period, subperiod, value`` (in the indicator's unit), ``unit``
            (as given), ``n, source, note``.

        Raises
        ------
        SROIError
            ``row 5.indicator`` (unknown id), ``row 5.period``, ``row 5.unit`` (a
            :class:`UnitError`), ``row 5.value``, ``row 5.n``.
        """
        by_id = {m.id: m for m in measures} if measures is not None else {}
        out = []
        seen: dict[tuple[str, int, str], int] = {}
        for rec in self.table.to_dict("records"):
            r = rec["row"]
            ind_id = rec["indicator"]
            if ind_id not in system.ids:
                raise SROIError(
                    f"no indicator with id {ind_id!r:.60}; ids: {', '.join(system.ids)}", f"row {r}.indicator"
                )
            ind = system[ind_id]
            period, sub = self._period(rec["period_label"], ind, system, f"row {r}.period")
            unit = parse_unit(ind.unit, "unit")
            given = rec["unit"]
            if _blank(given):
                if not unit.dimensionless:
                    raise UnitError(f"empty; the indicator {ind.id!r} is in {ind.unit!r}", f"row {r}.unit")
                factor = 1.0
            else:
                text = "percent" if given.strip() == "%" else given
                try:
                    factor = float(ureg.Quantity(1.0, parse_unit(text, f"row {r}.unit")).to(unit).magnitude)
                except pint.errors.DimensionalityError:
                    raise UnitError(
                        f"{given!r} cannot be converted to the indicator's unit {ind.unit or 'dimensionless'!r} "
                        f"(indicator {ind.id!r})",
                        f"row {r}.unit",
                    ) from None
            value = rec["value"] * factor
            m = by_id.get(ind.id)
            if m is not None and m.share and not 0 <= value / m.factor <= 1:
                raise SROIError(
                    f"{rec['value']!r} {given or ''} is not a share in [0, 1] (indicator {ind.id!r})",
                    f"row {r}.value",
                )
            if ind.measurement_error is not None and ind.measurement_error[0] == "relative" and value <= 0:
                raise SROIError(
                    f"{rec['value']!r}: an indicator with a relative measurement error needs values > 0",
                    f"row {r}.value",
                )
            key = (ind.id, period, sub)
            if key in seen:
                raise SROIError(
                    f"{ind.id!r} period {rec['period_label']} is also given in row {seen[key]}; give each once",
                    f"row {r}.period",
                )
            seen[key] = r
            out.append(
                {
                    "row": r,
                    "indicator": ind.id,
                    "period": period,
                    "subperiod": sub,
                    "value": value,
                    "unit": ind.unit,
                    "n": rec["n"],
                    "source": rec["source"],
                    "note": rec["note"],
                }
            )
        return pd.DataFrame(
            out, columns=["row", "indicator", "period", "subperiod", "value", "unit", "n", "source", "note"]
        )

    @staticmethod
    def _period(label: str, ind: Any, system: IndicatorSystem, where: str) -> tuple[int, str]:
        m = _PERIOD_RE.match(str(label))
        if not m:
            raise SROIError(
                f"expected a period such as 1, 2025, 2-Q3 or 2025-M07, got {str(label)[:40]!r}", where
            )
        period = system.period(int(m.group(1)), where)
        sub = ""
        if ind.cadence == "annual":
            if m.group(2):
                raise SROIError(f"indicator {ind.id!r} is annual: give the year only, got {label!r}", where)
        else:
            letter, count = _SUB[ind.cadence]
            if not m.group(2) or m.group(2).upper() != letter or not 1 <= int(m.group(3)) <= count:
                example = f"{m.group(1)}-{letter}{'1' if letter == 'Q' else '01'}"
                raise SROIError(
                    f"indicator {ind.id!r} is {ind.cadence}: give the {'quarter' if letter == 'Q' else 'month'}, "
                    f"e.g. {example!r}, got {label!r}",
                    where,
                )
            sub = f"{letter}{int(m.group(3)):02d}" if letter == "M" else f"Q{int(m.group(3))}"
        if period < 1:
            raise SROIError("monitoring periods start at 1 (period 0 is the baseline)", where)
        base = ind.baseline
        if base is not None and period <= base.period:
            raise SROIError(
                f"period {period} is not after the baseline of {ind.id!r} (period {base.period})", where
            )
        return period, sub


def actuals_from_frame(frame: pd.DataFrame, *, source: str = "", first_row: int = 2) -> Actuals:
    """Monitoring rows from a DataFrame (see :func:`read_actuals`); ``first_row`` numbers the first
    data row in messages (2: the header is row 1)."""
    if not isinstance(frame, pd.DataFrame):
        raise SROIError(f"expected a table of monitoring rows, got {type(frame).__name__}", "actuals")
    cols = [str(c).strip().lower() for c in frame.columns]
    if len(set(cols)) != len(cols):
        raise SROIError(f"repeated column names: {cols}", "columns")
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise SROIError(
            f"missing column(s) {missing}; a monitoring table has the columns {', '.join(COLUMNS)}", "columns"
        )
    df = frame.copy()
    df.columns = cols
    if df.empty:
        raise SROIError("the table has no rows", "actuals")
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(df.to_dict("records")):
        r = i + first_row
        ind = rec["indicator"]
        if _blank(ind) or not isinstance(ind, str):
            raise SROIError(f"expected an indicator id, got {ind!r:.40}", f"row {r}.indicator")
        if _blank(rec["period"]):
            raise SROIError("expected a period, got an empty cell", f"row {r}.period")
        period = rec["period"]
        if isinstance(period, float) and period.is_integer():
            period = int(period)
        value = _number(rec["value"], f"row {r}.value")
        unit = rec["unit"]
        if _blank(unit):
            unit = ""
        elif not isinstance(unit, str):
            raise SROIError(f"expected a unit such as 'person' or '%', got {unit!r:.40}", f"row {r}.unit")
        n = rec.get("n")
        n = float("nan") if _blank(n) else _number(n, f"row {r}.n", "a sample size > 0")
        if not (math.isnan(n) or n > 0):
            raise SROIError(f"expected a sample size > 0, got {rec.get('n')!r}", f"row {r}.n")
        text: dict[str, str] = {}
        for key in ("source", "note"):
            v = rec.get(key)
            text[key] = "" if _blank(v) else str(v).strip()
        extra: dict[str, Any] = {str(k): v for k, v in rec.items() if k not in COLUMNS}
        rows.append(
            {
                "row": r,
                "indicator": ind.strip(),
                "period_label": str(period).strip(),
                "value": value,
                "unit": unit.strip(),
                "n": n,
                **text,
                **extra,
            }
        )
    return Actuals(pd.DataFrame(rows), source)


def read_actuals(
    path: str | os.PathLike[str] | pd.DataFrame | Actuals,
    indicators: IndicatorSystem | None = None,
    *,
    sheet: str | int | None = None,
) -> Actuals:
    """Read monitoring data: a tidy table in CSV, Parquet or xlsx (docs/method.md §12.2).

    Parameters
    ----------
    path : str, path-like, DataFrame or Actuals
        ``.csv`` (UTF-8), ``.parquet`` (needs pyarrow) or ``.xlsx`` (first sheet unless
        ``sheet``), with the columns ``indicator, period, value, unit`` and optionally ``n,
        source, note``.
    indicators : IndicatorSystem, optional
        When given, every row is also checked against it (:meth:`Actuals.check`).
    sheet : str or int, optional
        Worksheet of an xlsx file.

    Returns
    -------
    Actuals

    Raises
    ------
    SROIError
        A missing or unreadable file, an unknown format, a missing column, or a bad cell (the
        message names ``row N.column``; rows are numbered as in the file, the header being row 1).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"indicator": ["active_share"], "period": [1], "value": [0.41],
    ...                      "unit": [""], "n": [1500]})
    >>> read_actuals(rows)
    Actuals(1 rows, 1 indicators, from a table)
    """
    if isinstance(path, Actuals):
        actuals = path
    elif isinstance(path, pd.DataFrame):
        actuals = actuals_from_frame(path)
    else:
        p = Path(path)
        suffix = p.suffix.lower()
        data = read_file_bytes(p, "actuals")
        try:
            if suffix == ".csv":
                frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
            elif suffix == ".parquet":
                frame = pd.read_parquet(io.BytesIO(data))
            elif suffix in (".xlsx", ".xlsm"):
                frame = pd.read_excel(
                    io.BytesIO(data), sheet_name=sheet or 0, dtype=object, engine="openpyxl"
                )
            else:
                raise SROIError(f"expected a .csv, .parquet or .xlsx file, got {p.name!r}", "actuals")
        except SROIError:
            raise
        except ImportError as exc:
            raise SROIError(f"cannot read {p.name}: {exc}", "actuals") from None
        except Exception as exc:  # pandas and its engines raise many types on malformed files
            raise SROIError(
                f"{p.name} is not a readable {suffix[1:]} table ({type(exc).__name__})", "actuals"
            ) from None
        actuals = actuals_from_frame(frame, source=p.name)
    if indicators is not None:
        actuals.check(indicators)
    return actuals


def aggregate(rows: pd.DataFrame, system: IndicatorSystem, measures: Mapping[str, Measure]) -> pd.DataFrame:
    """One value per (indicator, period) from checked rows (:meth:`Actuals.check`).

    A share with ``n`` on every row is pooled (sum of value x n over sum of n); otherwise the
    indicator's ``aggregate``: mean, sum or the last sub-period. ``n`` is the sum of the rows'
    ``n`` (NaN unless every row has one).
    """
    out = []
    for (ind_id, period), g in rows.groupby(["indicator", "period"], sort=True):
        ind = system[str(ind_id)]
        g = g.sort_values("subperiod")
        n_all = bool(g["n"].notna().all())
        m = measures.get(str(ind_id))
        if ind.aggregate == "sum":
            value = float(g["value"].sum())
        elif ind.aggregate == "last":
            value = float(g["value"].iloc[-1])
        elif n_all and m is not None and m.share:
            value = float((g["value"] * g["n"]).sum() / g["n"].sum())
        else:
            value = float(g["value"].mean())
        out.append(
            {
                "indicator": str(ind_id),
                "period": int(period),  # type: ignore[call-overload]
                "value": value,
                "n": float(g["n"].sum()) if n_all else np.nan,
                "observations": len(g),
                "rows": ", ".join(str(r) for r in g["row"]),
                "source": "; ".join(dict.fromkeys(s for s in g["source"] if s)),
                "note": "; ".join(dict.fromkeys(s for s in g["note"] if s)),
            }
        )
    return pd.DataFrame(
        out, columns=["indicator", "period", "value", "n", "observations", "rows", "source", "note"]
    )


def checked_rows(
    analysis: AnalysisLike, actuals: Any, system: IndicatorSystem, measures: tuple[Measure, ...]
) -> pd.DataFrame:
    """Checked monitoring rows (:meth:`Actuals.check`), within the analysis's periods."""
    rows = read_actuals(actuals).check(system, measures)
    last = analysis.compiled.upper_periods()[1]
    late = rows[rows["period"] > last]
    if len(late):
        r = late.iloc[0]
        raise SROIError(
            f"period {int(r['period'])} is after the analysis's last period ({last})",
            f"row {int(r['row'])}.period",
        )
    return rows


def observation(m: Measure, row: Mapping[Any, Any]) -> Observation | None:
    """The period's observation on the model's scale (binomial with ``n`` for a share, else the
    indicator's stated error), or None when it states no uncertainty."""
    y = float(row["value"]) / m.factor
    err = m.indicator.measurement_error
    if m.share and not math.isnan(row["n"]):
        return Observation(y, "binomial", float(row["n"]))
    if err is None:
        return None
    return Observation(y, err[0], err[1] if err[0] == "relative" else err[1] / m.factor)
