"""A lender's book: many programmes simulated together, shared assumptions drawn once.

:class:`Portfolio` holds the programmes; :meth:`Portfolio.simulate` streams (programme block,
draw chunk) tasks through an executor (in-process, any ``concurrent.futures.Executor`` or a
Dask ``distributed.Client``) and merges their partial results in a fixed order into a
:class:`~sroi.portfolio.BookSimulation` (docs/method.md §13).
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from sroi import defaults
from sroi.distributions import make_rng
from sroi.exceptions import SROIError
from sroi.portfolio.programme import Programme, read_programmes
from sroi.portfolio.result import BookSimulation
from sroi.portfolio.streams import ProgrammePlan, SharedLayer, plan_programme
from sroi.portfolio.tasks import BLOCK, BlockPlan, Partial, merge_stats, run_block
from sroi.sampling import Seed, correlation_matrices
from sroi.validation import check_targets, check_whole_number

__all__ = ["PROGRAMMES_PER_TASK", "Portfolio"]

#: Programmes per task (fixed, so that the order of the book's sums never changes).
PROGRAMMES_PER_TASK = 8
_ID_PATH = re.compile(r"^outcomes\[(\d+)\]")
#: Default draws per task: 16 blocks of 1,024.
_CHUNK = 16 * BLOCK
#: Tasks in flight at once with an executor (bounds the memory of results waiting to be merged).
_WINDOW = 16


class _Done:
    """A finished computation, with the ``result()`` of a future."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _submitter(executor: Any) -> Callable[..., Any]:
    if executor is None:
        return lambda fn, *args: _Done(fn(*args))
    submit = getattr(executor, "submit", None)
    if not callable(submit):
        raise SROIError(
            f"expected None, a concurrent.futures.Executor or a dask distributed.Client, got "
            f"{type(executor).__name__}",
            "executor",
        )
    if hasattr(executor, "scatter") and hasattr(executor, "gather"):  # dask: no key hashing of args
        return lambda fn, *args: submit(fn, *args, pure=False)
    return lambda fn, *args: submit(fn, *args)


class Portfolio:
    """A lender's book of SROI programmes simulated together (docs/method.md §13).

    Parameters
    ----------
    programmes : folder, model file, or sequence
        :class:`Programme` objects, :class:`~sroi.Analysis` objects (keyed by their name),
        model files (keyed by file name), mappings of :class:`Programme` arguments, or a
        folder of model files.
    specific : sequence of str
        Named parameters (or shared field paths) drawn for each programme on its own rather than shared by the book
        (e.g. a local take-up rate). Every other named uncertain parameter is **shared**: drawn
        once per draw for the whole book, each programme applying its own distribution to the
        same uniform (docs/method.md §13.1).
    correlations : sequence of (str, str, float)
        Spearman rank correlations between shared parameters, across the whole book (a
        programme's own ``correlations`` also apply).
    credit : mapping, optional
        Loan terms of the book's line: keyword arguments of :func:`sroi.finance.credit_line`.
    targets : sequence of float
        Ratio targets counted per programme and for the book (default 1:1).
    share_identical : bool
        Also share an unnamed estimate between the programmes that have one at the same field
        path (outcomes named by id, e.g. ``outcomes[id=channel_shift].proxy``) with the same
        distribution: the same assumption copied into several programmes (default True, the
        conservative choice; False draws every unnamed estimate per programme).

    Raises
    ------
    SROIError
        Naming the field: duplicate keys (``programmes[i].key``), mixed currencies
        (``programmes[i].currency``), an unknown shared parameter in ``specific``,
        ``programmes[i].specific`` or ``correlations[i]``, a correlation given two values,
        a correlation matrix that is not positive semi-definite, different loan terms for one
        borrower (``programmes[i].credit``), an unknown loan term (``credit``).

    Examples
    --------
    >>> import sroi
    >>> from sroi.portfolio import Portfolio, Programme
    >>> def city(reach):
    ...     return sroi.Analysis(
    ...         name="City", currency="GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...         parameters={"take_up": sroi.Uniform(0.2, 0.6)},
    ...         outcomes=[sroi.Outcome("People", "Better", quantity=f"{reach} person",
    ...                   proxy="500 GBP/person", quantity_factors=(sroi.Ref("take_up"),))])
    >>> book = Portfolio([Programme("north", city(10)), Programme("south", city(20))])
    >>> book.shared_parameters
    ('take_up',)
    >>> sim = book.simulate(2048, seed=1)
    >>> sim.n, sim.currency
    (2048, 'GBP')
    """

    def __init__(
        self,
        programmes: Any,
        *,
        specific: Sequence[str] = (),
        correlations: Iterable[Any] = (),
        credit: Mapping[str, Any] | None = None,
        targets: Sequence[float] = (1.0,),
        share_identical: bool = True,
    ) -> None:
        self.programmes: list[Programme] = read_programmes(programmes)
        self.currency: str = self.programmes[0].analysis.currency
        self.targets = check_targets(targets)
        if isinstance(specific, str) or not all(isinstance(s, str) for s in specific):
            raise SROIError(f"expected a sequence of parameter names, got {specific!r}", "specific")
        self.specific = tuple(specific)
        self.credit = dict(Programme("book", self.programmes[0].analysis, credit=credit or {}).credit)
        # candidate shared names: named parameters by name; with share_identical, unnamed
        # estimates by their field path (outcomes named by id) and distribution
        cands: list[dict[str, str]] = []
        paths: dict[str, dict[str, int]] = {}
        for p in self.programmes:
            comp = p.analysis.compiled
            ids = p.analysis.outcome_ids
            mine: dict[str, str] = {}
            for slot in comp.uncertain():
                if slot.named:
                    mine[slot.key] = slot.key
                elif share_identical:
                    m = _ID_PATH.match(slot.key)
                    name = f"outcomes[id={ids[int(m.group(1))]}]{slot.key[m.end() :]}" if m else slot.key
                    mine[slot.key] = name
                    paths.setdefault(name, {})
                    d = repr(slot.distribution)
                    paths[name][d] = paths[name].get(d, 0) + 1
            cands.append(mine)
        for i, p in enumerate(self.programmes):
            comp = p.analysis.compiled
            for key in list(cands[i]):
                name = cands[i][key]
                if name in paths:  # an unnamed estimate: shared only with identical ones
                    counts = paths[name]
                    d = repr(comp.slots[key].distribution)
                    if counts[d] < 2:
                        del cands[i][key]
                    elif len(counts) > 1:
                        cands[i][key] = f"{name} ~ {d}"
        known = {n for c in cands for n in c.values()} | {
            n.split(" ~ ")[0] for c in cands for n in c.values()
        }
        per: list[dict[str, str]] = []
        for i, p in enumerate(self.programmes):
            names = set(cands[i].values()) | {n.split(" ~ ")[0] for n in cands[i].values()}
            for name in p.specific:
                if name not in names:
                    raise SROIError(
                        f"unknown parameter {name!r}; this programme's shared candidates are {sorted(names) or 'none'}",
                        f"programmes[{i}].specific",
                    )
            drop = set(p.specific) | set(self.specific)
            per.append({k: n for k, n in cands[i].items() if n not in drop and n.split(" ~ ")[0] not in drop})
        for name in self.specific:
            if name not in known:
                raise SROIError(
                    f"unknown shared parameter {name!r}; the book's shared candidates are {sorted(known) or 'none'}",
                    "specific",
                )
        self.shared_parameters: tuple[str, ...] = tuple(sorted({n for m in per for n in m.values()}))
        self._shared_in = per
        self._book_correlations(correlations)
        self._plans: list[ProgrammePlan] = [
            plan_programme(p.key, p.analysis, per[i], self._pairs, f"programmes[{i}]")
            for i, p in enumerate(self.programmes)
        ]
        self.borrowers: list[str] = list(dict.fromkeys(p.borrower_name for p in self.programmes))
        self.payers: list[str] = list(dict.fromkeys(p.payer_name for p in self.programmes))
        terms: dict[str, tuple[int, dict[str, Any]]] = {}
        for i, p in enumerate(self.programmes):
            b = p.borrower_name
            if b in terms and terms[b][1] != dict(p.credit):
                raise SROIError(
                    f"loan terms {dict(p.credit)} differ from programmes[{terms[b][0]}]'s {terms[b][1]} for "
                    f"the same borrower {b!r}; one borrower has one line",
                    f"programmes[{i}].credit",
                )
            terms.setdefault(b, (i, dict(p.credit)))
        self.borrower_terms: dict[str, dict[str, Any]] = {b: t for b, (_, t) in terms.items()}
        self.n_periods = max(p.analysis.compiled.upper_periods()[1] for p in self.programmes)

    def _book_correlations(self, correlations: Iterable[Any]) -> None:
        """The book's rank correlations between shared parameters (docs/method.md §13.2)."""
        shared = set(self.shared_parameters)
        pairs: dict[tuple[str, str], tuple[float, str]] = {}

        def add(a: str, b: str, rho: float, where: str) -> None:
            if a == b:
                return
            pair = (a, b) if a < b else (b, a)
            if pair in pairs and pairs[pair][0] != rho:
                raise SROIError(
                    f"the pair {pair} has rho={rho:g} here and rho={pairs[pair][0]:g} in {pairs[pair][1]}; a "
                    "shared pair has one correlation for the whole book",
                    where,
                )
            pairs[pair] = (rho, where)

        for i, item in enumerate(correlations):
            where = f"correlations[{i}]"
            if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 3:
                raise SROIError(f"expected (name_a, name_b, rho), got {item!r}", where)
            for name in item[:2]:
                if name not in shared:
                    raise SROIError(
                        f"unknown shared parameter {name!r}; the book's shared parameters are "
                        f"{sorted(shared) or 'none'}",
                        where,
                    )
            rho = item[2]
            if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not -1 <= float(rho) <= 1:
                raise SROIError(f"expected a rank correlation in [-1, 1], got {rho!r}", where)
            add(str(item[0]), str(item[1]), float(rho), where)
        for i, p in enumerate(self.programmes):
            comp = p.analysis.compiled
            for a, b, rho in p.analysis.active_correlations:
                ka = comp.resolve(a, f"programmes[{i}].correlations")[0]
                kb = comp.resolve(b, f"programmes[{i}].correlations")[0]
                mine = self._shared_in[i]
                if ka in mine and kb in mine:
                    add(mine[ka], mine[kb], float(rho), f"programmes[{i}].correlations")
        self._pairs: dict[tuple[str, str], float] = {k: v[0] for k, v in pairs.items()}
        names = sorted({n for pair in self._pairs for n in pair})
        self._correlated: tuple[str, ...] = tuple(names)
        self._spearman = np.eye(len(names))
        if names:
            from sroi.assembly import Slot

            slots = {n: Slot(n, "factor", None, 0.0, cast("Any", _Marker()), True) for n in names}
            _, self._spearman, _ = correlation_matrices(
                slots, [(a, b, r) for (a, b), r in self._pairs.items()]
            )

    # -- simulation ---------------------------------------------------------------------------
    def simulate(
        self,
        n: int = defaults.DRAWS,
        seed: Seed = None,
        *,
        chunk_size: int | None = None,
        executor: Any = None,
        keep_programme_draws: bool = False,
        fixed: Mapping[str, float] | None = None,
    ) -> BookSimulation:
        """Simulate the book: ``n`` joint draws of every programme, streamed in tasks.

        Parameters
        ----------
        n : int
            Draws, >= 1 (default 10,000).
        seed : int, numpy Generator or SeedSequence, optional
            The same seed gives bit-identical results whatever the executor, the number of
            workers or ``chunk_size``; None draws fresh entropy (kept in the result).
        chunk_size : int, optional
            Draws per task, a multiple of 1,024 (default 16,384). Results do not depend on it.
        executor : None, concurrent.futures.Executor or distributed.Client
            Where tasks run: in this process (None), or anything with ``submit`` returning
            futures (a thread or process pool; a Dask client, to which the programmes are
            scattered once).
        keep_programme_draws : bool
            Keep each programme's present value per draw (float32, N x n x 4 bytes).
        fixed : mapping of str to float, optional
            Shared parameters held at one quantile (a uniform in (0, 1)) in every draw and every
            programme: a stress (:meth:`stress`). The other estimates keep their draws.

        Returns
        -------
        BookSimulation

        Raises
        ------
        SROIError
            ``n`` or ``chunk_size`` not a whole number (``chunk_size`` a multiple of 1,024),
            ``executor`` without ``submit``, ``fixed`` naming an unknown shared parameter or a
            quantile outside (0, 1), or a programme whose inputs total zero in some draw.

        Notes
        -----
        Memory: the book's per-draw present value, inputs and eligible cash per period
        (float64), each borrower's eligible cash per period (float32: borrowers x T x n x 4
        bytes), each payer's total (float64) and, per programme, fixed-size summaries; plus
        the tasks in flight (docs/method.md §13.3).
        """
        n = check_whole_number(n, "n", 1)
        chunk = _CHUNK if chunk_size is None else check_whole_number(chunk_size, "chunk_size", 1)
        if chunk % BLOCK:
            raise SROIError(
                f"expected a multiple of {BLOCK:,} draws (the summing block), got {chunk:,}; e.g. "
                f"{max(BLOCK, chunk // BLOCK * BLOCK):,}",
                "chunk_size",
            )
        fixed = dict(fixed or {})
        for name, q in fixed.items():
            if name not in self.shared_parameters:
                raise SROIError(
                    f"unknown shared parameter {name!r}; the book's shared parameters are "
                    f"{list(self.shared_parameters) or 'none'}",
                    "fixed",
                )
            if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < float(q) < 1:
                raise SROIError(f"expected a quantile in (0, 1) for {name!r}, got {q!r}", "fixed")
        if seed is None:
            seed = np.random.SeedSequence()
        base = tuple(int(x) for x in make_rng(seed).integers(0, 2**63, size=4))
        layer = SharedLayer(base, self.shared_parameters, self._correlated, self._spearman)
        b_index = {b: i for i, b in enumerate(self.borrowers)}
        p_index = {p: i for i, p in enumerate(self.payers)}
        blocks: list[Any] = []
        for first in range(0, len(self._plans), PROGRAMMES_PER_TASK):
            progs = self.programmes[first : first + PROGRAMMES_PER_TASK]
            blocks.append(
                BlockPlan(
                    first,
                    self._plans[first : first + PROGRAMMES_PER_TASK],
                    layer,
                    self.n_periods,
                    [b_index[p.borrower_name] for p in progs],
                    [p_index[p.payer_name] for p in progs],
                    self.targets,
                )
            )
        submit = _submitter(executor)
        if executor is not None and hasattr(executor, "scatter"):
            blocks = executor.scatter(blocks, hash=False)
        n_prog = len(self.programmes)
        # pilot: the first block of draws sets each programme's histogram ranges
        edges: list[np.ndarray] = []
        for fut in [submit(run_block, b, 0, min(n, BLOCK), None, fixed) for b in blocks]:
            for st in fut.result().stats:
                lo, hi = st["range"][:, 0], st["range"][:, 1]
                width = np.where(hi > lo, hi - lo, np.maximum(np.abs(lo) * 1e-6, 1e-12))
                edges.append(np.column_stack([lo - width / 2, hi + width / 2]))
        t = self.n_periods
        pv = np.zeros(n)
        inputs = np.zeros(n)
        cash = np.zeros((t, n))
        borrower_cash = np.zeros((len(self.borrowers), t, n), dtype=np.float32)
        payer_cash = np.zeros((len(self.payers), n))
        programme_pv = np.empty((n_prog, n), dtype=np.float32) if keep_programme_draws else None
        stats: list[Any] = [None] * len(blocks)

        def merge(part: Partial) -> None:
            s, e = part.start, part.stop
            pv[s:e] += part.pv
            inputs[s:e] += part.inputs
            cash[:, s:e] += part.cash
            for b, arr in part.borrowers.items():
                borrower_cash[b, :, s:e] += arr.astype(np.float32)
            for p, arr in part.payers.items():
                payer_cash[p, s:e] += arr
            k = part.first // PROGRAMMES_PER_TASK
            stats[k] = merge_stats(stats[k], part.stats)
            if programme_pv is not None and part.programme_pv is not None:
                programme_pv[part.first : part.first + len(part.stats), s:e] = part.programme_pv

        pending: deque[Any] = deque()
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            for k, b in enumerate(blocks):
                block_edges = edges[k * PROGRAMMES_PER_TASK : (k + 1) * PROGRAMMES_PER_TASK]
                pending.append(submit(run_block, b, start, stop, block_edges, fixed, keep_programme_draws))
                while len(pending) > (_WINDOW if executor is not None else 0):
                    merge(pending.popleft().result())
        while pending:
            merge(pending.popleft().result())
        flat = [st for block in stats for st in block]
        return BookSimulation(
            self,
            n=n,
            seed=seed,
            base=base,
            present_value=pv,
            total_inputs=inputs,
            eligible_cash=cash,
            borrower_cash=borrower_cash,
            payer_cash=payer_cash,
            programme_stats=flat,
            edges=edges,
            programme_present_value=programme_pv,
            fixed=fixed,
        )

    def stress(
        self,
        parameters: Sequence[str] | None = None,
        n: int = defaults.DRAWS,
        seed: Seed = 0,
        *,
        quantile: float = 0.10,
        **options: Any,
    ) -> pd.DataFrame:
        """The book with each shared parameter held at one quantile (default its P10) in every
        programme, against the unstressed book (docs/method.md §13.5).

        Parameters
        ----------
        parameters : sequence of str, optional
            Shared parameters to stress, one at a time; default all.
        n : int
            Draws of each run.
        seed : int or SeedSequence
            One seed for every run (common random numbers: only the stressed parameter moves).
        quantile : float
            Quantile of each programme's distribution for the parameter, in (0, 1); 0.10 is its
            P10 (its low value: use 0.90 for a parameter whose high values hurt, such as
            deadweight).
        **options
            Passed to :meth:`simulate` (``executor``, ``chunk_size``).

        Returns
        -------
        DataFrame
            One row per run (``base`` then each parameter): the book's P50 and P10 present
            value [currency], P50 and P10 ratio [-], P50 and P10 eligible cash [currency],
            the book line [currency], and the line's change from the base [currency].
        """
        names = list(self.shared_parameters if parameters is None else parameters)
        if isinstance(seed, np.random.Generator) or seed is None:
            raise SROIError(
                "a stress compares runs on the same draws: give an int or a SeedSequence, not "
                f"{type(seed).__name__}",
                "seed",
            )
        seed_ = seed
        rows: dict[str, dict[str, float]] = {}
        for name in ["base", *names]:
            fixed = {} if name == "base" else {name: quantile}
            sim = self.simulate(n, seed_, fixed=fixed, **options)
            rows[name] = sim.headline_figures()
        df = pd.DataFrame.from_dict(rows, orient="index").rename_axis("stressed")
        df["line_change"] = df["line"] - float(cast("float", df.loc["base", "line"]))
        df.attrs["currency"] = self.currency
        df.attrs["quantile"] = quantile
        return df

    def __len__(self) -> int:
        return len(self.programmes)

    def __repr__(self) -> str:
        return (
            f"Portfolio: {len(self.programmes)} programmes, {len(self.borrowers)} borrowers, "
            f"{len(self.payers)} payers, {self.currency}; shared parameters: "
            f"{', '.join(self.shared_parameters) or 'none'}"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per programme: key, name, borrower, payer, loan terms, shared and specific
        uncertain estimates."""
        rows = []
        for p, plan in zip(self.programmes, self._plans, strict=True):
            rows.append(
                {
                    "key": p.key,
                    "name": p.analysis.name,
                    "borrower": p.borrower_name,
                    "payer": p.payer_name,
                    "credit": dict(p.credit),
                    "shared": ", ".join(sorted(set(plan.shared.values()))),
                    "specific_estimates": len(plan.local),
                }
            )
        return pd.DataFrame(rows).set_index("key")


class _Marker:
    """A stand-in distribution, so that the slot-level correlation checks accept a shared name."""

    def support(self) -> tuple[float, float]:
        return (-math.inf, math.inf)
