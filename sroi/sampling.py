"""Joint draws of the uncertain estimates: per-key random streams and a Gaussian copula.

Every uncertain estimate (a slot whose value is a :class:`~sroi.distributions.Distribution`,
see :mod:`sroi.compiler`) gets one uniform draw per sample; a Gaussian copula gives the draws
the rank (Spearman) correlations listed in ``Analysis.correlations``; each slot's distribution
turns its uniforms into values through its inverse CDF (:mod:`sroi.uncertainty` does that and
runs the engine). A named parameter used in several fields is one slot, so one draw.

Notes
-----
Draws (docs/method.md §6, "Monte Carlo with distributions on any estimate and correlations
between them"). For the uncertain keys ``j = 1..k`` in slot order:

1. ``base = make_rng(seed).integers(0, 2**63, size=4)``; key j has its own stream
   ``default_rng(SeedSequence(base, spawn_key=(h(key_j),)))`` with ``h`` the 64-bit BLAKE2b
   digest of the key, and its uniforms are that stream's ``random()`` values in order, with 0
   replaced by 2^-54 so that every ``u`` lies in (0, 1). Streams are read sequentially, so the
   draws do not depend on the chunk size, and a key's draws do not depend on which other
   keys exist (common random numbers when comparing variants of a model with one seed).
2. Correlated keys (those named in ``correlations``) are moved through a Gaussian copula:
   ``z = Phi^-1(u)``, ``z' = L z`` with ``L L^T = R``, ``u' = Phi(z')``, where the normal
   correlation for a requested Spearman correlation ``rho_s`` is::

       R_ab = 2 sin(pi rho_s / 6)

   (exact for the Gaussian copula; Kruskal 1958, Nelsen 2006 §5.1). Being a rank
   correlation it survives every (monotone) inverse CDF, as in Iman & Conover (1982). The
   matrix must be positive semi-definite; ``L z`` is summed in a fixed order per sample (not
   by BLAS, whose rounding depends on the number of columns).
3. ``value_j = distribution_j.ppf(u'_j)``.

References
----------
.. [1] Iman, R. L., Conover, W. J. (1982). A distribution-free approach to inducing rank
   correlation among input variables. Communications in Statistics - Simulation and
   Computation 11(3), 311-334.
.. [2] Nelsen, R. B. (2006). An Introduction to Copulas, 2nd ed. Springer, §5.1.
.. [3] Kruskal, W. H. (1958). Ordinal measures of association. JASA 53(284), 814-861.
.. [4] Cabinet Office / The SROI Network (2012). A Guide to Social Return on Investment,
   stage 5 (sensitivity analysis).

"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi.distributions import make_rng
from sroi.exceptions import SROIError
from sroi.validation import check_whole_number

if TYPE_CHECKING:
    from sroi.compiler import AnalysisLike, Slot

__all__ = [
    "U_MAX",
    "U_MIN",
    "Sampler",
    "Seed",
    "correlate",
    "correlation_factor",
    "correlation_matrices",
    "rank_correlation_matrix",
    "sample_uniforms",
    "stream_id",
    "split_fixed_correlations",
]

#: What every sampling function accepts as ``seed``.
Seed = int | np.random.Generator | np.random.SeedSequence | None

_U_MIN = 2.0**-54  # smallest uniform used (a draw of exactly 0 becomes this)
_U_MAX = 1.0 - 2.0**-53  # largest float below 1


def _slots_of(source: Any) -> dict[str, Slot]:
    if isinstance(source, Mapping):
        return dict(source)
    compiled = getattr(source, "compiled", None)
    if compiled is None:
        raise SROIError(
            f"expected an Analysis or a mapping of key to Slot, got {type(source).__name__}", "analysis"
        )
    return dict(compiled.slots)


def _uncertain(slots: Mapping[str, Slot]) -> list[str]:
    return [k for k, s in slots.items() if s.distribution is not None]


def _resolve(name: Any, slots: Mapping[str, Slot], paths: Mapping[str, str], where: str) -> str:
    valid = _uncertain(slots)
    listing = ", ".join(valid) if valid else "none (no estimate has a distribution)"
    key = name if isinstance(name, str) and name in slots else paths.get(str(name))
    if key is None:
        raise SROIError(
            f"unknown estimate {name!r}; correlations take a parameter name or field path of an "
            f"uncertain estimate: {listing}",
            where,
        )
    if slots[key].distribution is None:
        raise SROIError(
            f"{name!r} has no distribution, so it cannot be correlated; give it one, or use one of: "
            f"{listing}",
            where,
        )
    return key


def split_fixed_correlations(
    slots: Mapping[str, Slot], correlations: Iterable[Any]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Split correlations into those kept and those naming an estimate fixed to one value.

    A what-if that fixes a correlated estimate (docs/method.md §6.2) leaves it correlated with
    nothing. Dropping every pair that names it leaves the rank and Gaussian-copula matrices
    of the other estimates as principal submatrices of the original ones, so they stay
    positive semi-definite when the original were.

    Parameters
    ----------
    slots : mapping of str to Slot
    correlations : iterable of (name_a, name_b, rho)

    Returns
    -------
    kept, dropped : tuple
        The items kept (unknown names are kept, for :func:`correlation_matrices` to report) and
        those naming an estimate without a distribution.
    """
    paths = {p: s.key for s in slots.values() for p in s.paths}
    kept: list[Any] = []
    dropped: list[Any] = []
    for item in correlations:
        names = item[:2] if isinstance(item, Sequence) and not isinstance(item, (str, bytes)) else ()
        keys = [n if isinstance(n, str) and n in slots else paths.get(str(n)) for n in names]
        fixed = any(k is not None and slots[k].distribution is None for k in keys)
        (dropped if fixed else kept).append(item)
    return tuple(kept), tuple(dropped)


def correlation_matrices(
    slots: Mapping[str, Slot], correlations: Iterable[Any]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Validate rank correlations between slots.

    Parameters
    ----------
    slots : mapping of str to Slot
    correlations : iterable of (name_a, name_b, rho)
        Spearman rank correlations by parameter name or field path of uncertain estimates.

    Returns
    -------
    keys : list of str
        The correlated slot keys, in slot order.
    spearman, normal : ndarray
        The rank correlation matrix and the Gaussian-copula matrix ``2 sin(pi rho / 6)``.

    Raises
    ------
    SROIError
        ``correlations[i]`` naming an unknown or certain estimate, a rho outside [-1, 1], a pair
        given twice with different values, or (``correlations``) a matrix that is not positive
        semi-definite.
    """
    paths = {p: s.key for s in slots.values() for p in s.paths}
    pairs: dict[tuple[str, str], tuple[float, int]] = {}
    order: list[str] = []
    for i, item in enumerate(correlations):
        where = f"correlations[{i}]"
        if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 3:
            raise SROIError(f"expected (name_a, name_b, rho), got {item!r}", where)
        a, b = (_resolve(x, slots, paths, where) for x in item[:2])
        rho = item[2]
        if isinstance(rho, bool) or not isinstance(rho, (int, float, np.integer, np.floating)):
            raise SROIError(f"expected a rank correlation in [-1, 1], got {rho!r}", where)
        rho = float(rho)
        if not (math.isfinite(rho) and -1.0 <= rho <= 1.0):
            raise SROIError(f"expected a rank correlation in [-1, 1], got {rho!r}", where)
        if a == b:
            if rho != 1.0:
                raise SROIError(
                    f"{a!r} is correlated with itself with rho={rho:g}; only 1 is possible", where
                )
            continue
        pair = (a, b) if a < b else (b, a)
        if pair in pairs and pairs[pair][0] != rho:
            rho0, j = pairs[pair]
            raise SROIError(
                f"the pair ({a!r}, {b!r}) is given rho={rho:g} here and rho={rho0:g} in correlations[{j}]; "
                "the correlation matrix must be symmetric: give each pair once",
                where,
            )
        pairs[pair] = (rho, i)
        order += [k for k in (a, b) if k not in order]
    keys = [k for k in slots if k in order]  # slot order
    pos = {k: i for i, k in enumerate(keys)}
    spearman = np.eye(len(keys))
    for (a, b), (rho, _) in pairs.items():
        spearman[pos[a], pos[b]] = spearman[pos[b], pos[a]] = rho
    normal = 2.0 * np.sin(np.pi * spearman / 6.0)
    for name, m in (
        ("rank correlation matrix", spearman),
        ("Gaussian-copula matrix 2 sin(pi rho / 6)", normal),
    ):
        if keys and (w := float(np.linalg.eigvalsh(m)[0])) < -1e-10:
            raise SROIError(
                f"the {name} of {keys} is not positive semi-definite (smallest eigenvalue {w:.4g}), so no "
                "joint distribution has these correlations; weaken some of them (e.g. if a~b and b~c are "
                "strongly positive, a~c cannot be strongly negative)",
                "correlations",
            )
    return keys, spearman, normal


def _factor(normal: np.ndarray) -> tuple[np.ndarray, bool]:
    """L with L L^T = R, and whether L is lower triangular.

    Cholesky; an eigen-decomposition when R is singular (e.g. a rank correlation of 1).
    """
    try:
        return np.linalg.cholesky(normal), True
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(normal)
        f = v * np.sqrt(np.clip(w, 0.0, None))
        return f / np.linalg.norm(f, axis=1, keepdims=True), False


def _correlate(factor: np.ndarray, lower: bool, z: np.ndarray) -> np.ndarray:
    """``factor @ z`` summed in a fixed order, so a column does not depend on the others (a BLAS
    product rounds differently with the number of columns: draws would depend on the chunk size)."""
    out = np.zeros_like(z)
    for j in range(z.shape[0]):
        lo = j if lower else 0
        out[lo:] += factor[lo:, j, None] * z[j]
    return out


def _key_id(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


#: Smallest and largest uniforms used (a draw of exactly 0 becomes ``U_MIN``).
U_MIN, U_MAX = _U_MIN, _U_MAX


def stream_id(key: str) -> int:
    """The 64-bit BLAKE2b digest of ``key`` that names its random stream (module Notes, step 1).

    Stable across processes and Python versions (unlike ``hash()``), so a stream keyed by a name
    is the same on every worker (docs/method.md §6 and §13).

    Examples
    --------
    >>> stream_id("active_share") == stream_id("active_share")
    True
    """
    return _key_id(key)


def correlation_factor(normal: np.ndarray) -> tuple[np.ndarray, bool]:
    """``L`` with ``L L^T = normal`` and whether it is lower triangular (Cholesky, or an
    eigen-decomposition when the matrix is singular), for :func:`correlate` (docs/method.md §6)."""
    return _factor(np.asarray(normal, dtype=float))


def correlate(factor: np.ndarray, lower: bool, z: np.ndarray) -> np.ndarray:
    """``factor @ z`` summed in a fixed order, so that a sample's value does not depend on how
    many samples are computed with it (a BLAS product rounds differently with the number of
    columns); ``factor`` may be rectangular (rows x len(z)) when ``lower`` is False
    (docs/method.md §6)."""
    if lower:
        return _correlate(factor, lower, z)
    out = np.zeros((factor.shape[0], *z.shape[1:]))
    for j in range(z.shape[0]):
        out += factor[:, j, None] * z[j]
    return out


def _words(n: int) -> np.ndarray:
    """The 32-bit words of a non-negative int, least significant first (``[0]`` for 0): how
    ``SeedSequence`` reads an int of its entropy or spawn key."""
    out = [n & 0xFFFFFFFF]
    n >>= 32
    while n:
        out.append(n & 0xFFFFFFFF)
        n >>= 32
    return np.array(out, dtype=np.uint32)


def _key_streams(base: Sequence[int], keys: Sequence[str]) -> list[np.random.Generator]:
    """``default_rng(SeedSequence(base, spawn_key=(_key_id(k),)))`` for every key.

    The entropy and spawn key are handed to ``SeedSequence`` as the uint32 words it would make
    of them (the same pool, so the same streams, bit for bit: tested), which costs about 60% of
    letting it convert the Python ints for each key (0.14 s against 0.23 s for 10,000 keys).
    """
    if any(b < 0 for b in base):  # not a valid entropy: let numpy say so
        return [np.random.default_rng(np.random.SeedSequence(base, spawn_key=(_key_id(k),))) for k in keys]
    entropy = np.concatenate([_words(int(b)) for b in base]) if len(base) else np.zeros(0, np.uint32)
    return [
        np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(_words(_key_id(k)),))))  # type: ignore[arg-type]
        for k in keys
    ]


class Sampler:
    """Uniforms (k, m) chunk by chunk: one sequential stream per key, then the copula.

    Parameters
    ----------
    slots : mapping of str to Slot
    seed : int, Generator, SeedSequence or None
    correlations : iterable of (name_a, name_b, rho)
    base : sequence of 4 int, optional
        The entropy the per-key streams derive from (see the module Notes); given instead of
        ``seed`` to draw again exactly the same values (:attr:`base` of an earlier sampler).

    Attributes
    ----------
    keys : list of str
        The uncertain keys, in slot order (the rows of :meth:`uniforms`).
    base : tuple of int
        The entropy of the streams: ``Sampler(slots, None, correlations, base=s.base)`` repeats
        the draws of ``s`` from the start.
    """

    def __init__(
        self,
        slots: Mapping[str, Slot],
        seed: Seed,
        correlations: Iterable[Any],
        base: Sequence[int] | None = None,
    ) -> None:
        self.keys = _uncertain(slots)
        corr_keys, _, normal = correlation_matrices(slots, correlations)
        if base is None:
            base = [int(x) for x in make_rng(seed).integers(0, 2**63, size=4)]
        self.base = tuple(int(x) for x in base)
        self._streams = _key_streams(self.base, self.keys)
        self._corr_idx = np.array([self.keys.index(k) for k in corr_keys], dtype=np.intp)
        self._factor: np.ndarray | None = None
        self._lower = True
        if corr_keys:
            self._factor, self._lower = _factor(normal)

    @property
    def correlated(self) -> np.ndarray:
        """Rows (positions in :attr:`keys`) of the estimates in a correlation."""
        return self._corr_idx

    def stream(self, row: int) -> np.random.Generator:
        """The sequential stream of the estimate in row ``row``: ``m`` doubles of it are the
        next ``m`` uniforms of that estimate (one ``random()`` value per draw, in order)."""
        return self._streams[row]

    def uniforms(self, m: int, rows: np.ndarray | None = None) -> np.ndarray:
        """The next ``m`` joint uniforms in (0, 1), shape (k, m).

        ``rows`` (positions in :attr:`keys`, containing every correlated row) restricts the
        draw to those estimates, shape (len(rows), m); the other streams do not advance.
        """
        from scipy import special

        rows_ = np.arange(len(self.keys)) if rows is None else np.asarray(rows, dtype=np.intp)
        u = np.empty((rows_.size, m))
        for row, j in zip(u, rows_, strict=True):
            self._streams[j].random(out=row)
        np.maximum(u, _U_MIN, out=u)
        if self._factor is not None:
            local = self._corr_idx if rows is None else np.searchsorted(rows_, self._corr_idx)
            if rows is not None and not np.array_equal(rows_[local], self._corr_idx):
                raise ValueError("rows must contain every correlated row, in increasing order")
            z = _correlate(self._factor, self._lower, special.ndtri(u[local]))
            u[local] = np.clip(special.ndtr(z), _U_MIN, _U_MAX)
        return u


def sample_uniforms(
    source: AnalysisLike | Mapping[str, Slot],
    n: int,
    seed: Seed = None,
    *,
    correlations: Iterable[Any] | None = None,
    chunk_size: int | None = None,
) -> pd.DataFrame:
    """Uniforms in (0, 1) for every uncertain estimate, with the requested rank correlations.

    Parameters
    ----------
    source : Analysis or mapping of str to Slot
        The analysis (its slots and, by default, its ``correlations``) or a slot table.
    n : int
        Number of samples, >= 1.
    seed : int, numpy Generator or SeedSequence, optional
        Same seed, bit-identical draws; ``None`` draws fresh entropy. A Generator is advanced.
    correlations : sequence of (str, str, float), optional
        Spearman rank correlations by parameter name or field path; default the analysis's.
    chunk_size : int, optional
        Samples drawn at a time (the result does not depend on it).

    Returns
    -------
    DataFrame, shape (n, k)
        One column per uncertain key, in slot order.

    Raises
    ------
    SROIError
        ``n`` not a whole number >= 1; ``correlations[i]`` naming an unknown or certain
        estimate, or a rho outside [-1, 1]; a pair given twice with different values;
        ``correlations``: a matrix that is not positive semi-definite (with its smallest
        eigenvalue).

    Notes
    -----
    The scheme (per-key streams, Gaussian copula with ``R = 2 sin(pi rho_s / 6)``) is in the
    module Notes.

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("People", "Better", quantity=sroi.Uniform(5, 15, unit="person"),
    ...                            proxy="500 GBP/person", deadweight=sroi.Uniform(0.1, 0.3))],
    ...     correlations=[("outcomes[0].quantity", "outcomes[0].deadweight", -0.5)],
    ... )
    >>> u = sample_uniforms(a, 5000, seed=3)
    >>> u.shape, bool(((u > 0) & (u < 1)).all().all())
    ((5000, 2), True)
    >>> round(float(u.corr(method="spearman").iloc[0, 1]), 1)
    -0.5
    """
    n = check_whole_number(n, "n", 1)
    slots = _slots_of(source)
    if correlations is None:
        correlations = getattr(source, "correlations", ())
    sampler = Sampler(slots, seed, correlations)
    step = n if chunk_size is None else check_whole_number(chunk_size, "chunk_size", 1)
    out = np.empty((len(sampler.keys), n))
    for start in range(0, n, step):
        stop = min(n, start + step)
        out[:, start:stop] = sampler.uniforms(stop - start)
    return pd.DataFrame(out.T, columns=sampler.keys)


def rank_correlation_matrix(
    analysis: AnalysisLike, correlations: Iterable[Any] | None = None
) -> pd.DataFrame:
    """The validated Spearman correlation matrix of the correlated estimates.

    Parameters
    ----------
    analysis : Analysis
    correlations : sequence of (str, str, float), optional
        Default ``analysis.correlations``.

    Returns
    -------
    DataFrame
        Square, indexed by slot key, ones on the diagonal (empty when nothing is correlated).

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis(
    ...     name="Example", currency="GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     parameters={"share": sroi.Uniform(0.2, 0.4), "dw": sroi.Uniform(0.1, 0.3)},
    ...     outcomes=[sroi.Outcome("People", "Better", quantity="10 person", proxy="500 GBP/person",
    ...                            quantity_factors=(sroi.Ref("share"),), deadweight=sroi.Ref("dw"))],
    ...     correlations=[("share", "dw", 0.3)],
    ... )
    >>> rank_correlation_matrix(a)
           share   dw
    share    1.0  0.3
    dw       0.3  1.0
    """
    slots = _slots_of(analysis)
    keys, spearman, _ = correlation_matrices(
        slots, analysis.active_correlations if correlations is None else correlations
    )
    return pd.DataFrame(spearman, index=keys, columns=keys)
