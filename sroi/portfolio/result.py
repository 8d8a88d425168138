"""The result of a book's simulation: summaries, lines, concentration, display.

:class:`BookSimulation` keeps the book's per-draw totals (present value, inputs, eligible cash
per period), each borrower's and payer's eligible cash per draw, and per programme the merged
summaries of the tasks (docs/method.md §13.3-14.5). It only formats and sizes what the engine
returned: the lines are :func:`sroi.finance.credit_line` on the stored cash (STYLE.md 4b).
"""

from __future__ import annotations

import html
import math
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from sroi.finance import CreditLine, credit_line
from sroi.finance.formatting import format_amount, frame_html
from sroi.portfolio.streams import SharedLayer
from sroi.portfolio.tasks import BINS, METRICS
from sroi.result import cash_flow_sources

if TYPE_CHECKING:
    from sroi.portfolio.book import Portfolio
    from sroi.sampling import Seed

__all__ = ["BookSimulation", "html_section"]

_Q = (0.10, 0.50, 0.90)


class _Cash:
    """Eligible cash of part of the book, as a :class:`sroi.finance.CashFlowSource`."""

    def __init__(self, flows: np.ndarray, currency: str, table: pd.DataFrame) -> None:
        self._flows = flows
        self.currency = currency
        self._table = table

    def eligible_cash_flows(self) -> np.ndarray:
        return self._flows

    @property
    def tenor_cap(self) -> int:
        nz = np.flatnonzero(self._flows.max(axis=0, initial=0.0) > 0) if self._flows.size else np.array([])
        return int(nz[-1] + 1) if nz.size else 0

    def cash_flow_sources(self) -> pd.DataFrame:
        return self._table


def _cell(df: pd.DataFrame, row: str, col: str) -> float:
    """One number of a table, as a float."""
    return float(cast("float", df.loc[row, col]))


def _hist_quantile(hist: np.ndarray, edges: np.ndarray, q: float) -> float:
    """Quantile ``q`` of a fixed histogram (:data:`~sroi.portfolio.tasks.BINS` bins over
    ``edges``, one bin below and one above), interpolated linearly in its bin."""
    n = hist.sum()
    cum = np.cumsum(hist)
    target = q * n
    i = int(np.searchsorted(cum, target, side="left"))
    low, high = float(edges[0]), float(edges[1])
    if i == 0:
        return low
    if i >= BINS + 1:
        return high
    width = (high - low) / BINS
    before = cum[i - 1]
    frac = (target - before) / hist[i] if hist[i] else 0.0
    return low + (i - 1 + frac) * width


class BookSimulation:
    """A simulated book: per-draw totals of the book and summaries of each programme.

    Attributes
    ----------
    portfolio : Portfolio
    n : int
        Draws.
    seed : int, Generator or SeedSequence
        The seed given (or the fresh SeedSequence used).
    currency : str
    present_value, total_inputs : ndarray, shape (n,) [currency]
        The book's totals per draw.
    ratio : ndarray, shape (n,) [-]
        The book's ratio per draw: total present value / total inputs.
    eligible_cash : ndarray, shape (T, n) [currency]
        The book's eligible cash per period and draw (undiscounted).
    borrower_cash : ndarray, shape (borrowers, T, n), float32 [currency]
    payer_cash : ndarray, shape (payers, n) [currency]
        Each payer's total eligible cash over the periods, per draw.
    programme_present_value : DataFrame (n x programmes, float32) or None
        With ``keep_programme_draws=True``.
    fixed : dict
        The stressed shared parameters (name -> quantile), empty for a plain run.

    Notes
    -----
    The book's percentiles are exact (taken on the kept draws). A programme's are read from a
    fixed histogram of 1,000 bins over its pilot range (its first 1,024 draws) widened by half
    on each side: within 0.2% of that range (docs/method.md §13.3).
    """

    def __init__(
        self,
        portfolio: Portfolio,
        *,
        n: int,
        seed: Seed,
        base: tuple[int, ...],
        present_value: np.ndarray,
        total_inputs: np.ndarray,
        eligible_cash: np.ndarray,
        borrower_cash: np.ndarray,
        payer_cash: np.ndarray,
        programme_stats: list[dict[str, Any]],
        edges: list[np.ndarray],
        programme_present_value: np.ndarray | None,
        fixed: dict[str, float],
    ) -> None:
        self.portfolio = portfolio
        self.n = n
        self.seed = seed
        self.base = base
        self.currency = portfolio.currency
        self.present_value = present_value
        self.total_inputs = total_inputs
        self.ratio = present_value / total_inputs
        self.eligible_cash = eligible_cash
        self.borrower_cash = borrower_cash
        self.payer_cash = payer_cash
        self._stats = programme_stats
        self._edges = edges
        keys = [p.key for p in portfolio.programmes]
        self.programme_present_value = (
            None
            if programme_present_value is None
            else pd.DataFrame(programme_present_value.T, columns=keys, copy=False)
        )
        self.fixed = dict(fixed)

    # -- summaries ------------------------------------------------------------------------------
    @cached_property
    def book_summary(self) -> pd.DataFrame:
        """The book's mean, sd and P10/P50/P90 of present value, ratio, eligible cash (total over
        the periods) and inputs, with P(ratio > target) on the ratio row."""
        rows = {}
        cash_total = self.eligible_cash.sum(axis=0)
        for name, x in (
            ("present_value", self.present_value),
            ("ratio", self.ratio),
            ("eligible_cash", cash_total),
            ("total_inputs", self.total_inputs),
        ):
            q = np.quantile(x, _Q)
            row = {
                "mean": float(np.mean(x)),
                "sd": float(np.std(x, ddof=1)) if x.size > 1 else math.nan,
                **{f"p{round(p * 100)}": float(v) for p, v in zip(_Q, q, strict=True)},
            }
            for t in self.portfolio.targets:
                row[f"P(ratio > {t:g})"] = float(np.mean(self.ratio > t)) if name == "ratio" else math.nan
            rows[name] = row
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.attrs["currency"] = self.currency
        return df

    @cached_property
    def programme_summary(self) -> pd.DataFrame:
        """One row per programme: borrower, payer, and for present value, ratio and eligible cash
        the mean, sd, P10, P50 and P90 (from the merged sums and histograms), P(ratio > target)
        and the mean eligible cash of each period."""
        rows = []
        n = self.n
        for p, st, edges in zip(self.portfolio.programmes, self._stats, self._edges, strict=True):
            row: dict[str, Any] = {"key": p.key, "borrower": p.borrower_name, "payer": p.payer_name}
            for j, metric in enumerate(METRICS):
                mean = st["sum"][j] / n
                var = (st["sumsq"][j] - n * mean * mean) / (n - 1) if n > 1 else math.nan
                row[f"{metric}_mean"] = float(mean)
                row[f"{metric}_sd"] = math.sqrt(max(var, 0.0)) if n > 1 else math.nan
                for q in _Q:
                    row[f"{metric}_p{round(q * 100)}"] = _hist_quantile(st["hist"][j], edges[j], q)
            for t, count in zip(self.portfolio.targets, st["above"], strict=True):
                row[f"P(ratio > {t:g})"] = float(count) / n
            for period, s in enumerate(st["cash_sum"], start=1):
                row[f"cash_mean_{period}"] = float(s) / n
            rows.append(row)
        df = pd.DataFrame(rows).set_index("key")
        df.attrs["currency"] = self.currency
        return df

    def headline_figures(self) -> dict[str, float]:
        """P50 and P10 of the book's present value, ratio and eligible cash, and its line."""
        s = self.book_summary
        out = {
            f"{m}_{c}": _cell(s, m, c)
            for m in ("present_value", "ratio", "eligible_cash")
            for c in ("p50", "p10")
        }
        out["line"] = self.book_line.value
        return out

    # -- lines -----------------------------------------------------------------------------------
    def _sources(self, mask: list[bool]) -> pd.DataFrame:
        frames = []
        for p, keep in zip(self.portfolio.programmes, mask, strict=True):
            if keep:
                t = cash_flow_sources(p.analysis.outcomes)
                t.insert(0, "programme", p.key)
                frames.append(t)
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def book_line(self) -> CreditLine:
        """The book's credit line: :func:`sroi.finance.credit_line` on the book's eligible cash
        per draw and period, with the portfolio's ``credit`` terms (docs/method.md §9, §13.4)."""
        source = _Cash(self.eligible_cash.T, self.currency, self._sources([True] * len(self.portfolio)))
        return credit_line(source, **self.portfolio.credit)

    @cached_property
    def borrower_lines(self) -> dict[str, CreditLine]:
        """Each borrower's line: :func:`sroi.finance.credit_line` on the eligible cash of its
        programmes (summed per draw), with its programmes' loan terms."""
        out = {}
        for i, b in enumerate(self.portfolio.borrowers):
            mask = [p.borrower_name == b for p in self.portfolio.programmes]
            flows = self.borrower_cash[i].T.astype(np.float64)
            out[b] = credit_line(
                _Cash(flows, self.currency, self._sources(mask)), **self.portfolio.borrower_terms[b]
            )
        return out

    def lines(self) -> pd.DataFrame:
        """Each borrower's line, their sum, and the book's line [currency].

        Returns
        -------
        DataFrame
            Rows: borrowers, ``sum of borrower lines``, ``book line``; columns ``line``,
            ``tenor``, ``binding_case``.
        """
        rows: dict[str, dict[str, Any]] = {
            b: {"line": ln.value, "tenor": ln.tenor, "binding_case": ln.binding_case}
            for b, ln in self.borrower_lines.items()
        }
        rows["sum of borrower lines"] = {
            "line": float(sum(r["line"] for r in rows.values())),
            "tenor": max((ln.tenor for ln in self.borrower_lines.values()), default=0),
            "binding_case": "",
        }
        bl = self.book_line
        rows["book line"] = {"line": bl.value, "tenor": bl.tenor, "binding_case": bl.binding_case}
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.attrs["currency"] = self.currency
        return df

    # -- concentration -------------------------------------------------------------------------
    def concentration_by_payer(self, quantile: float = 0.10) -> pd.DataFrame:
        """How much of the book's downside in eligible cash comes from each payer.

        Parameters
        ----------
        quantile : float
            The downside: draws whose book eligible cash is at or below this quantile
            (default 0.10, the P90 case).

        Returns
        -------
        DataFrame
            One row per payer: ``mean_cash`` E[X_g], ``downside_cash`` E[X_g | B <= b_q]
            [currency], ``shortfall`` their difference and ``share_of_shortfall`` (summing to
            1 over the payers when the book has a shortfall).

        Notes
        -----
        With B the book's total eligible cash per draw and b_q its ``quantile``, a payer's
        contribution is its part of the expected shortfall E[B] - E[B | B <= b_q], which is
        additive over payers (docs/method.md §13.4).
        """
        book = self.eligible_cash.sum(axis=0)
        down = book <= np.quantile(book, quantile)
        gap = float(book.mean() - book[down].mean())
        rows = {}
        for g, name in enumerate(self.portfolio.payers):
            x = self.payer_cash[g]
            mean, low = float(x.mean()), float(x[down].mean())
            rows[name] = {
                "mean_cash": mean,
                "downside_cash": low,
                "shortfall": mean - low,
                "share_of_shortfall": (mean - low) / gap if gap > 0 else math.nan,
            }
        df = pd.DataFrame.from_dict(rows, orient="index").rename_axis("payer")
        df.attrs["currency"] = self.currency
        return df

    def shared_uniforms(self, name: str) -> np.ndarray:
        """The uniform of shared parameter ``name`` in each draw (its streams read again, through
        the book's copula), shape (n,)."""
        from scipy import special

        pf = self.portfolio
        layer = SharedLayer(self.base, pf.shared_parameters, pf._correlated, pf._spearman)
        z = layer.normals([name], 0, self.n, self.fixed)[name]
        return np.asarray(special.ndtr(z))

    def concentration_by_parameter(self, bins: int = 20) -> pd.DataFrame:
        """How much of the variation of the book's eligible cash each shared parameter drives.

        Parameters
        ----------
        bins : int
            Equal-probability bins of the parameter's uniform (default 20).

        Returns
        -------
        DataFrame
            One row per shared parameter: ``first_order_share`` Var(E[B | s]) / Var(B) [-],
            and ``downside_shift``: E[B] - E[B | s in its worst bin] [currency].

        Notes
        -----
        B is the book's total eligible cash per draw. E[B | s] is estimated by the mean of B
        in each of ``bins`` equal-probability bins of the parameter's uniform (a first-order
        sensitivity index by binning, Saltelli et al. 2008 §4.3); the shares do not sum to 1
        when parameters interact or the programmes' own estimates matter (docs/method.md §13.4).
        """
        book = self.eligible_cash.sum(axis=0)
        var = float(np.var(book))
        rows = {}
        for name in self.portfolio.shared_parameters:
            u = self.shared_uniforms(name)
            idx = np.minimum((u * bins).astype(np.intp), bins - 1)
            counts = np.bincount(idx, minlength=bins)
            sums = np.bincount(idx, weights=book, minlength=bins)
            means = np.where(counts > 0, sums / np.maximum(counts, 1), book.mean())
            between = float(np.sum(counts * (means - book.mean()) ** 2) / book.size)
            rows[name] = {
                "first_order_share": between / var if var > 0 else 0.0,
                "downside_shift": float(book.mean() - means[counts > 0].min()) if counts.any() else 0.0,
            }
        df = pd.DataFrame.from_dict(rows, orient="index", columns=["first_order_share", "downside_shift"])
        df = df.rename_axis("shared_parameter").sort_values("first_order_share", ascending=False)
        df.attrs["currency"] = self.currency
        return df

    # -- display --------------------------------------------------------------------------------
    def headline(self) -> str:
        """The book in one sentence: programmes, draws, the ratio's P50 (P10-P90) and the line."""
        s = self.book_summary
        return (
            f"Book of {len(self.portfolio)} programmes ({self.n:,} draws): ratio P50 {_cell(s, 'ratio', 'p50'):.2f} "
            f"(P10 {_cell(s, 'ratio', 'p10'):.2f} to P90 {_cell(s, 'ratio', 'p90'):.2f}); eligible cash P50 "
            f"{format_amount(_cell(s, 'eligible_cash', 'p50'), self.currency)}; book line "
            f"{format_amount(self.book_line.value, self.currency)}"
            + (f"; stressed: {self.fixed}" if self.fixed else "")
        )

    def __repr__(self) -> str:
        return f"BookSimulation: {self.headline()}"

    def _repr_html_(self) -> str:
        return html_section(self)


def html_section(sim: BookSimulation, *, level: int = 3, max_programmes: int = 20) -> str:
    """The book as an HTML section (for a report or a notebook): headline, book summary, lines,
    concentration by payer and by shared parameter, and the first programmes.

    Parameters
    ----------
    sim : BookSimulation
    level : int
        Heading level of the section title (2-5).
    max_programmes : int
        Programmes shown in the per-programme table (the largest by mean present value).

    Returns
    -------
    str
        Self-contained HTML (no scripts); numbers as returned by the simulation
        (docs/method.md §13).
    """
    h = max(2, min(5, int(level)))
    cur = html.escape(sim.currency)
    parts = [
        f"<section class='sroi-portfolio'><h{h}>A lender's book ({cur})</h{h}>",
        f"<p>{html.escape(sim.headline())}</p>",
        f"<h{h + 1}>Book</h{h + 1}>{frame_html(sim.book_summary)}",
        f"<h{h + 1}>Credit lines</h{h + 1}>{frame_html(sim.lines())}",
        f"<h{h + 1}>Concentration by payer (share of the P90-case shortfall)</h{h + 1}>"
        f"{frame_html(sim.concentration_by_payer())}",
    ]
    if sim.portfolio.shared_parameters:
        parts.append(
            f"<h{h + 1}>Concentration by shared parameter</h{h + 1}>{frame_html(sim.concentration_by_parameter())}"
        )
    table = sim.programme_summary
    cols = [c for c in table.columns if not c.startswith("cash_mean_")]
    top = table.sort_values("present_value_mean", ascending=False).head(max_programmes)[cols]
    parts.append(
        f"<details><summary>Programmes ({min(len(table), max_programmes)} of {len(table)})</summary>"
        f"{frame_html(top)}</details></section>"
    )
    return "".join(parts)
