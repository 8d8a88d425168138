"""The book's random streams: shared parameters drawn once per draw, the rest per programme.

Every uncertain estimate of every programme gets one uniform per draw from a stream named by
what it is (docs/method.md §13.2):

* a **shared** parameter (a named parameter, the same name in any programme) reads the stream
  ``SeedSequence(base, spawn_key=(0, id(name)))``; every programme that uses it applies its own
  distribution's inverse CDF to the same uniform (one draw for the whole book);
* a **programme-specific** estimate (unnamed estimates, and named parameters declared
  specific) reads ``SeedSequence(base, spawn_key=(1, id(programme key), id(slot key)))``.

``id`` is the 64-bit BLAKE2b digest of :func:`sroi.sampling.stream_id`, never Python's
``hash()``. Draw ``i`` of a stream is its ``i``-th ``random()`` double: a task that computes
draws ``start..stop`` jumps the PCG64 generator ahead by ``start`` (``advance``), so a draw's
value depends only on the seed, the stream's name and ``i``: not on the order of the
programmes, the chunks or the worker that computes it.

Rank correlations between shared parameters (declared by the portfolio, or by a programme
between two shared parameters) go through one Gaussian copula for the book. A programme's
correlations that involve its own estimates are drawn conditionally on the shared normals:
``z_l = A z_s + L e`` with ``A = R_ls R_ss^+`` and ``L L^T = R_ll - A R_sl``, which gives the
programme's estimates exactly the programme's correlation matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from sroi.exceptions import SROIError
from sroi.quantiles import BatchQuantile
from sroi.result import is_eligible
from sroi.sampling import U_MAX, U_MIN, correlate, correlation_factor, correlation_matrices, stream_id

if TYPE_CHECKING:
    from sroi.analysis import Analysis
    from sroi.distributions import Distribution

__all__ = ["ProgrammePlan", "SharedLayer", "stream_uniforms"]

_SHARED, _LOCAL = 0, 1


def stream_uniforms(base: Sequence[int], spawn_key: tuple[int, ...], start: int, m: int) -> np.ndarray:
    """Draws ``start .. start + m - 1`` of the stream named ``spawn_key``: uniforms in (0, 1).

    Parameters
    ----------
    base : sequence of int
        The book's entropy (four 63-bit integers drawn from the seed).
    spawn_key : tuple of int
        The stream's name (docs/method.md §13.2).
    start, m : int
        First draw and number of draws.

    Returns
    -------
    ndarray, shape (m,)
        The same values as the ``start``-th to ``start + m - 1``-th ``random()`` doubles of the
        stream read from its beginning (PCG64 jumps ahead exactly).

    Examples
    --------
    >>> a = stream_uniforms((1, 2, 3, 4), (0, 7), 0, 10)
    >>> b = stream_uniforms((1, 2, 3, 4), (0, 7), 4, 6)
    >>> bool((a[4:] == b).all())
    True
    """
    bit = np.random.PCG64(np.random.SeedSequence(list(base), spawn_key=spawn_key))
    if start:
        bit.advance(start)
    u = np.random.Generator(bit).random(m)
    np.maximum(u, U_MIN, out=u)
    return u


def _ndtri(u: np.ndarray) -> np.ndarray:
    from scipy import special

    return cast("np.ndarray", special.ndtri(u))


def _ndtr(z: np.ndarray) -> np.ndarray:
    from scipy import special

    return cast("np.ndarray", np.clip(special.ndtr(z), U_MIN, U_MAX))


@dataclass
class SharedLayer:
    """The shared parameters of a book and their Gaussian copula.

    Attributes
    ----------
    base : tuple of int
    names : tuple of str
        Every shared parameter, sorted by name.
    correlated : tuple of str
        The shared parameters in a rank correlation (sorted), rows of ``spearman``.
    spearman : ndarray
        Their rank correlation matrix.
    """

    base: tuple[int, ...]
    names: tuple[str, ...]
    correlated: tuple[str, ...] = ()
    spearman: np.ndarray = field(default_factory=lambda: np.eye(0))
    _factor: tuple[np.ndarray, bool] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.correlated:
            self._factor = correlation_factor(2.0 * np.sin(np.pi * self.spearman / 6.0))

    def normals(
        self, names: Sequence[str], start: int, m: int, fixed: Mapping[str, float] | None = None
    ) -> dict[str, np.ndarray]:
        """Standard normals ``z`` of the shared parameters ``names`` for draws ``start..start+m-1``.

        The uniform of a parameter is ``Phi(z)``; ``fixed`` (name -> uniform in (0, 1)) holds a
        parameter at one quantile in every draw (a stress), the others keep their draws.
        """
        fixed = fixed or {}
        need = set(names)
        out: dict[str, np.ndarray] = {}
        if self._factor is not None and need & set(self.correlated):
            e = np.vstack(
                [
                    _ndtri(stream_uniforms(self.base, (_SHARED, stream_id(s)), start, m))
                    for s in self.correlated
                ]
            )
            z = correlate(self._factor[0], self._factor[1], e)
            out.update({s: z[i] for i, s in enumerate(self.correlated) if s in need})
        for s in names:
            if s not in out:
                out[s] = _ndtri(stream_uniforms(self.base, (_SHARED, stream_id(s)), start, m))
        for s, q in fixed.items():
            if s in need:
                out[s] = np.full(m, float(_ndtri(np.array([q]))[0]))
        return out


@dataclass
class ProgrammePlan:
    """How one programme's draws are made and which of its outcomes carry debt.

    Attributes
    ----------
    key : str
        The programme's key.
    analysis : Analysis
    keys : list of str
        Its uncertain slot keys (slot order): the rows of the draws given to the engine.
    shared : dict of int to str
        Row -> shared parameter name.
    local : dict of int to int
        Row -> stream id of a programme-specific estimate.
    eligible : ndarray of bool
        Outcomes whose value is eligible cash (tier A, or contracted tier B).
    """

    key: str
    analysis: Analysis
    keys: list[str]
    shared: dict[int, str]
    local: dict[int, int]
    eligible: np.ndarray
    cond_shared: list[str] = field(default_factory=list)
    cond_local: list[int] = field(default_factory=list)
    cond_mean: np.ndarray | None = None
    cond_factor: tuple[np.ndarray, bool] | None = None
    _quantile: BatchQuantile | None = field(default=None, repr=False)

    @property
    def quantile(self) -> BatchQuantile:
        """Inverse CDFs of the uncertain estimates, in row order."""
        if self._quantile is None:
            slots = self.analysis.compiled.slots
            self._quantile = BatchQuantile([cast("Distribution", slots[k].distribution) for k in self.keys])
        return self._quantile

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_quantile"} | {"_quantile": None}

    def values(
        self, layer: SharedLayer, start: int, m: int, fixed: Mapping[str, float] | None = None
    ) -> np.ndarray:
        """The draws ``start..start+m-1`` of every uncertain estimate, shape (k, m).

        Raises
        ------
        SROIError
            Naming the programme and the estimate when a draw is not a finite number.
        """
        k = len(self.keys)
        u = np.empty((k, m))
        if not k:
            return u
        z_shared = layer.normals(sorted(set(self.shared.values()) | set(self.cond_shared)), start, m, fixed)
        for row, name in self.shared.items():
            u[row] = _ndtr(z_shared[name])
        cond = set(self.cond_local)
        base = layer.base
        pid = stream_id(self.key)
        for row, sid in self.local.items():
            if row not in cond:
                u[row] = stream_uniforms(base, (_LOCAL, pid, sid), start, m)
        if self.cond_local and self.cond_factor is not None:
            e = np.vstack(
                [
                    _ndtri(stream_uniforms(base, (_LOCAL, pid, self.local[r]), start, m))
                    for r in self.cond_local
                ]
            )
            z = correlate(self.cond_factor[0], self.cond_factor[1], e)
            if self.cond_mean is not None and self.cond_shared:
                zs = np.vstack([z_shared[s] for s in self.cond_shared])
                z = z + correlate(self.cond_mean, False, zs)
            for i, row in enumerate(self.cond_local):
                u[row] = _ndtr(z[i])
        values = self.quantile(u)
        finite = np.isfinite(values)
        if not finite.all():
            row = int(np.flatnonzero(~finite.all(axis=1))[0])
            raise SROIError(
                f"a draw of {self.keys[row]!r} is not a finite number in draws {start:,}..{start + m - 1:,}; "
                "narrow its distribution",
                f"programmes[{self.key!r}]",
            )
        return values


def plan_programme(
    key: str,
    analysis: Analysis,
    shared_of: Mapping[str, str],
    layer_spearman: Mapping[tuple[str, str], float],
    where: str,
) -> ProgrammePlan:
    """The :class:`ProgrammePlan` of one programme (docs/method.md §13.2).

    ``shared_of``: slot key -> shared name of this programme's estimates drawn from the shared
    streams; ``layer_spearman``: the book's rank correlations between shared names (pairs sorted).
    """
    comp = analysis.compiled
    keys = comp.uncertain_keys()
    shared = {i: shared_of[k] for i, k in enumerate(keys) if k in shared_of}
    local = {i: stream_id(k) for i, k in enumerate(keys) if k not in shared_of}
    eligible = np.array([is_eligible(o) for o in analysis.outcomes], dtype=bool)
    plan = ProgrammePlan(key, analysis, keys, shared, local, eligible)
    with_local = []
    for a, b, rho in analysis.active_correlations:
        ka, kb = comp.resolve(a, f"{where}.correlations")[0], comp.resolve(b, f"{where}.correlations")[0]
        if ka not in shared_of or kb not in shared_of:
            with_local.append((ka, kb, rho))
    if not with_local:
        return plan
    corr_keys, spearman, _ = correlation_matrices(comp.slots, with_local)
    # the shared parameters in the block take the book's correlations between them
    s_keys = [k for k in corr_keys if k in shared_of]
    l_keys = [k for k in corr_keys if k not in shared_of]
    order = s_keys + l_keys
    pos = {k: corr_keys.index(k) for k in order}
    r = spearman[np.ix_([pos[k] for k in order], [pos[k] for k in order])].copy()
    for i, a in enumerate(s_keys):
        for j, b in enumerate(s_keys):
            if i != j:
                sa, sb = shared_of[a], shared_of[b]
                r[i, j] = layer_spearman.get((sa, sb) if sa < sb else (sb, sa), 0.0)
    normal = 2.0 * np.sin(np.pi * r / 6.0)
    if (w := float(np.linalg.eigvalsh(normal)[0])) < -1e-10:
        raise SROIError(
            f"the rank correlations of {order} (the book's between shared parameters, the programme's "
            f"with its own estimates) are not positive semi-definite (smallest eigenvalue {w:.4g}); weaken some",
            f"{where}.correlations",
        )
    ns = len(s_keys)
    r_ss, r_sl, r_ll = normal[:ns, :ns], normal[:ns, ns:], normal[ns:, ns:]
    mean = r_sl.T @ np.linalg.pinv(r_ss) if ns else np.zeros((len(l_keys), 0))
    cov = r_ll - mean @ r_sl
    cov = (cov + cov.T) / 2
    eig, vec = np.linalg.eigh(cov)
    f = vec * np.sqrt(np.clip(eig, 0.0, None))
    plan.cond_shared = [shared_of[k] for k in s_keys]
    plan.cond_local = [keys.index(k) for k in l_keys]
    plan.cond_mean = mean
    plan.cond_factor = (f, False)
    return plan
