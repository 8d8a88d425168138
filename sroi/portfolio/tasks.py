"""The book's unit of work: a fixed block of programmes over a chunk of draws, and its merge.

A task (:func:`run_block`) runs the engine (``Compiled.run`` and ``Compiled.by_period``, the
arithmetic of docs/method.md §3, once) for each programme of its block on draws
``start..stop`` and returns a :class:`Partial`: the block's per-draw totals (present value,
inputs, eligible cash per period, per borrower and per payer) and, per programme, sums and
sums of squares per block of :data:`BLOCK` draws, counts above the ratio targets, fixed
histograms and the eligible cash per period. Partials merge by addition in a fixed order
(programme block, then draw block), so the result does not depend on the chunk size, the
executor or the number of workers (docs/method.md §13.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sroi.exceptions import SROIError

if TYPE_CHECKING:
    from sroi.portfolio.streams import ProgrammePlan, SharedLayer

__all__ = ["BLOCK", "BINS", "METRICS", "BlockPlan", "Partial", "run_block"]

#: Draws per summing block: sums are taken per block of draws aligned to multiples of BLOCK, then
#: added in order, so a chunk size that is a multiple of BLOCK changes nothing.
BLOCK = 1024
#: Bins of each programme's histograms (between the pilot's range widened by half on each side,
#: plus one bin below and one above).
BINS = 1000
#: The per-programme metrics summarised: present value, ratio, total eligible cash [currency, -, currency].
METRICS = ("present_value", "ratio", "eligible_cash")


@dataclass
class BlockPlan:
    """A fixed block of programmes (consecutive in the book) and what its tasks need.

    Attributes
    ----------
    first : int
        Position of the block's first programme in the book.
    programmes : list of ProgrammePlan
    layer : SharedLayer
    n_periods : int
        Periods T of the book's cash (the longest programme's).
    borrower_of, payer_of : list of int
        The borrower and the payer (positions in the book's lists) of each programme.
    targets : tuple of float
        Ratio targets counted.
    """

    first: int
    programmes: list[ProgrammePlan]
    layer: SharedLayer
    n_periods: int
    borrower_of: list[int]
    payer_of: list[int]
    targets: tuple[float, ...]


@dataclass
class Partial:
    """What a task returns for its block of programmes on draws ``start..stop``.

    Per-draw arrays are float64 of the book (``pv``, ``inputs``: (m,); ``cash``: (T, m)); the
    borrowers' and payers' per-draw eligible cash are keyed by their position. ``stats[i]``
    holds programme ``first + i``'s summaries.
    """

    first: int
    start: int
    stop: int
    pv: np.ndarray
    inputs: np.ndarray
    cash: np.ndarray
    borrowers: dict[int, np.ndarray]
    payers: dict[int, np.ndarray]
    stats: list[dict[str, np.ndarray]] = field(default_factory=list)
    programme_pv: np.ndarray | None = None


def _hist(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts in ``BINS`` equal bins from ``edges = (low, high)`` plus one bin below and above."""
    low, high = float(edges[0]), float(edges[1])
    idx = np.floor((x - low) * (BINS / (high - low)))
    idx = np.clip(np.nan_to_num(idx, nan=BINS, posinf=BINS, neginf=-1), -1, BINS).astype(np.intp) + 1
    return np.bincount(idx, minlength=BINS + 2).astype(np.int64)


def _block_sums(x: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums and sums of squares of ``x`` (last axis: draws from ``start``) per block of BLOCK draws."""
    m = x.shape[-1]
    cuts = list(range(0, m, BLOCK))
    if start % BLOCK:
        raise ValueError("chunks start at a multiple of BLOCK")
    s = np.stack([x[..., c : c + BLOCK].sum(axis=-1) for c in cuts], axis=-1)
    q = np.stack([np.square(x[..., c : c + BLOCK]).sum(axis=-1) for c in cuts], axis=-1)
    return s, q


def run_block(
    plan: BlockPlan,
    start: int,
    stop: int,
    edges: Sequence[np.ndarray] | None = None,
    fixed: Mapping[str, float] | None = None,
    keep_programme_pv: bool = False,
) -> Partial:
    """Run one task: every programme of ``plan`` on draws ``start..stop - 1``.

    Parameters
    ----------
    plan : BlockPlan
    start, stop : int
        Draw range; ``start`` is a multiple of :data:`BLOCK`.
    edges : sequence of ndarray, optional
        Per programme, a (3, 2) array: the histogram range of each metric; None in the pilot,
        which reports the range (``stats[i]["range"]``) instead.
    fixed : mapping of str to float, optional
        Shared parameters held at one quantile in every draw (a stress).
    keep_programme_pv : bool
        Also return each programme's present value per draw (float32).

    Returns
    -------
    Partial

    Raises
    ------
    SROIError
        Naming the programme: inputs that total zero or less, or results that are not finite.
    """
    m = stop - start
    t_book = plan.n_periods
    pv_book = np.zeros(m)
    in_book = np.zeros(m)
    cash_book = np.zeros((t_book, m))
    borrowers: dict[int, np.ndarray] = {}
    payers: dict[int, np.ndarray] = {}
    stats: list[dict[str, np.ndarray]] = []
    kept = np.empty((len(plan.programmes), m), dtype=np.float32) if keep_programme_pv else None
    for i, prog in enumerate(plan.programmes):
        comp = prog.analysis.compiled
        values = prog.values(plan.layer, start, m, fixed)
        draws = (prog.keys, values)
        out = comp.run(draws=draws)
        pv = np.broadcast_to(out.present_value, (m,))
        ti = np.broadcast_to(out.total_inputs, (m,))
        if not (ti > 0).all() or not np.isfinite(pv).all():
            bad = "inputs total zero or less" if not (ti > 0).all() else "the present value is not finite"
            raise SROIError(
                f"{bad} in some of draws {start:,}..{stop - 1:,}; check the programme's estimates",
                f"programmes[{prog.key!r}]",
            )
        ratio = np.broadcast_to(out.ratio, (m,))
        cash = np.zeros((t_book, m))
        if prog.eligible.any():
            periods = comp.by_period(draws=draws)
            t_c = periods.values.shape[0]
            v = np.broadcast_to(periods.values, (t_c, len(prog.eligible), m))
            for o in np.flatnonzero(prog.eligible):
                cash[:t_c] += v[:, o, :]
        total_cash = cash.sum(axis=0)
        pv_book += pv
        in_book += ti
        cash_book += cash
        b = plan.borrower_of[i]
        if b in borrowers:
            borrowers[b] += cash
        else:
            borrowers[b] = cash.copy()
        p = plan.payer_of[i]
        payers[p] = payers[p] + total_cash if p in payers else total_cash.copy()
        if kept is not None:
            kept[i] = pv
        metrics = np.vstack([pv, ratio, total_cash])
        st: dict[str, np.ndarray] = {}
        if edges is None:
            st["range"] = np.column_stack([metrics.min(axis=1), metrics.max(axis=1)])
        else:
            s, q = _block_sums(metrics, start)
            st["sum"], st["sumsq"] = s, q
            st["hist"] = np.vstack([_hist(metrics[j], edges[i][j]) for j in range(len(metrics))])
            st["above"] = np.array([int((ratio > t).sum()) for t in plan.targets], dtype=np.int64)
            st["cash_sum"] = _block_sums(cash, start)[0]
        stats.append(st)
    return Partial(plan.first, start, stop, pv_book, in_book, cash_book, borrowers, payers, stats, kept)


def merge_stats(
    total: list[dict[str, Any]] | None, part: list[dict[str, np.ndarray]]
) -> list[dict[str, Any]]:
    """Add a later chunk's per-programme summaries to the running ones (sums block by block, in
    draw order; counts and histograms exactly)."""
    if total is None:
        total = [
            {"sum": np.zeros(3), "sumsq": np.zeros(3), "hist": None, "above": None, "cash_sum": None, "n": 0}
            for _ in part
        ]
    for acc, st in zip(total, part, strict=True):
        for blk in range(st["sum"].shape[-1]):
            acc["sum"] = acc["sum"] + st["sum"][:, blk]
            acc["sumsq"] = acc["sumsq"] + st["sumsq"][:, blk]
            acc["cash_sum"] = (
                st["cash_sum"][:, blk].copy()
                if acc["cash_sum"] is None
                else acc["cash_sum"] + st["cash_sum"][:, blk]
            )
        acc["hist"] = st["hist"].copy() if acc["hist"] is None else acc["hist"] + st["hist"]
        acc["above"] = st["above"].copy() if acc["above"] is None else acc["above"] + st["above"]
    return total
