"""Plain-text and HTML formatting shared by credit lines and margin ratchets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sroi.formatting import format_number

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["cell_value", "format_amount", "frame_html", "records"]


def format_amount(x: float, code: str | None = None) -> str:
    """``12,345`` (or ``12.3`` below 10,000), followed by the currency code when given."""
    text = f"{x:,.0f}" if abs(x) >= 10_000 else f"{x:,.1f}"
    return f"{text} {code}" if code else text


def cell_value(column: pd.Series, row: str) -> float:
    """One cell of a column by row label, as a float."""
    return float(np.asarray(column.loc[[row]], dtype=float)[0])


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-ready records (numpy scalars and NaN made plain)."""
    clean = df.astype(object).where(df.notna(), None)
    return [
        {str(k): v.item() if isinstance(v, np.generic) else v for k, v in r.items()}
        for r in clean.to_dict("records")
    ]


def frame_html(df: pd.DataFrame) -> str:
    """A DataFrame as a borderless HTML table in the package's one number format
    (:func:`sroi.formatting.format_number`: thousands separators, never an exponent)."""
    return df.to_html(float_format=format_number, border=0)
