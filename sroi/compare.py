"""Options appraisal: two or more analyses compared on common random numbers.

A commissioner choosing between programmes (or between designs of one, made with
:meth:`Analysis.replace`) needs more than each option's own ratio: what one option adds over
another (incremental present value, inputs, net value and ratio), how likely each is to be the
best choice, whether some option is never worth choosing (dominance), and what it would be worth
to resolve the uncertainty before choosing (EVPI). :func:`compare` simulates every option with
the one Monte Carlo engine (:func:`sroi.uncertainty.simulate`) and the same seed, and derives
all of these from the per-draw present values and inputs. The formulas are in docs/method.md §14.

**Common random numbers.** Each uncertain estimate has its own random stream, keyed by its name
(a named parameter) or field path (:mod:`sroi.sampling`, docs/method.md §6.2), derived from the
seed. With one seed, an estimate of the same name in several options gets the same uniforms in
the same order, whatever else the options contain, so the differences between options are not
blurred by independent sampling noise: an option compared with itself gives increments of
exactly zero. The same key under a different distribution is drawn at the same quantiles
(comonotone). Estimates whose keys differ (a field path whose position moved, e.g. after an
outcome was inserted before it) are drawn independently: name an estimate (a parameter) to
keep it common. A rank correlation that differs between options changes the copula and so the
draws of the estimates in it.

References
----------
.. [1] HM Treasury (2022). The Green Book: Central Government Guidance on Appraisal and
   Evaluation, chapter 5 (shortlist options appraisal: net present social value, benefit-cost
   ratio, preferred option selection).
   https://www.gov.uk/government/publications/the-green-book-appraisal-and-evaluation-in-central-governent
.. [2] Baio, G. BCEA: Bayesian Cost-Effectiveness Analysis, ``multi.ce`` (probability that each
   intervention is the most cost-effective; cost-effectiveness acceptability frontier).
   https://rdrr.io/cran/BCEA/man/multi.ce.html
.. [3] Alarid-Escudero, F., Knowlton, G., Enns, E. et al. dampack: ``calculate_icers`` (strong and
   extended dominance), ``ceac``, ``calc_evpi``. https://rdrr.io/cran/dampack/man/calculate_icers.html
.. [4] Fenwick, E., Claxton, K., Sculpher, M. (2001). Representing uncertainty: the role of
   cost-effectiveness acceptability curves. Health Economics 10(8), 779-787.
.. [5] Claxton, K. (1999). The irrelevance of inference. Journal of Health Economics 18(3),
   341-364.

Examples
--------
>>> import sroi
>>> a = sroi.Analysis(
...     name="Small", currency="GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
...     parameters={"dw": sroi.Uniform(0.1, 0.3)},
...     outcomes=[sroi.Outcome("People", "Better", quantity="10 person", proxy="300 GBP/person",
...                            deadweight=sroi.Ref("dw"))],
... )
>>> b = a.replace(name="Large", inputs=[sroi.Input("Funder", "Grant", "2500 GBP")],
...               outcomes=[a.outcomes[0].replace(quantity="30 person")])
>>> c = compare([a, b], n=2000, seed=1)
>>> float(c.probability_best(1.0)["Large"])
1.0
>>> round(float(c.incremental().loc["Large", ("incremental_inputs", "mean")]), 6)
1500.0
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sroi import defaults
from sroi.analysis import Analysis
from sroi.exceptions import SROIError
from sroi.plot import plot_acceptability
from sroi.uncertainty import Simulation, simulate
from sroi.validation import check_level, check_target_ratio
from sroi.voi import net_benefit

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sroi.sampling import Seed

__all__ = ["Comparison", "compare"]

_METRICS = ("present_value", "total_inputs", "net_present_value", "ratio")
_THRESHOLD_POINTS = 50  # default acceptability grid: this many thresholds, plus 1:1
#: Label of the option of funding nothing (PV = inputs = 0 in every draw), with ``do_nothing=True``.
DO_NOTHING = "do nothing"


def _labelled(options: Any, minimum: int = 2) -> list[tuple[str, Analysis]]:
    """(label, analysis) pairs from a sequence (labels: the names, made unique) or a mapping."""
    if isinstance(options, Mapping):
        items = [(str(k), v) for k, v in options.items()]
    elif isinstance(options, Sequence) and not isinstance(options, (str, bytes)):
        items = [(getattr(a, "name", ""), a) for a in options]
    else:
        raise SROIError(
            f"expected a list of analyses or a mapping of label to analysis, got {type(options).__name__}",
            "options",
        )
    if len(items) < minimum:
        raise SROIError(
            f"an options appraisal needs at least 2 options, got {len(items)}; add the alternative "
            "(e.g. a variant made with analysis.replace(...), or do_nothing=True)",
            "options",
        )
    out: list[tuple[str, Analysis]] = []
    seen: dict[str, int] = {}
    for i, (label, a) in enumerate(items):
        if not isinstance(a, Analysis):
            raise SROIError(f"expected an sroi.Analysis, got {type(a).__name__}", f"options[{i}]")
        label = label or f"option {i + 1}"
        if label in seen:  # a variant made with replace() keeps its name: number the repeats
            seen[label] += 1
            label = f"{label} [{seen[label]}]"
        seen.setdefault(label, 1)
        out.append((label, a))
    return out


def _check_same_basis(items: Sequence[tuple[str, Analysis]]) -> None:
    """SROIError naming both options when currencies or price years differ."""
    label0, a0 = items[0]
    for i, (label, a) in enumerate(items[1:], start=1):
        for field in ("currency", "price_year"):
            v0, v = getattr(a0, field), getattr(a, field)
            if v != v0:
                raise SROIError(
                    f"option {label!r} has {field} {v!r} but option {label0!r} has {v0!r}; options are "
                    f"compared in one {field.replace('_', ' ')}: build them with the same one (each "
                    "analysis converts its values to its own currency and price year and records the "
                    "conversion, docs/method.md §5)",
                    f"options[{i}].{field}",
                )


def _common_seed(seed: Seed) -> int | np.random.SeedSequence:
    """One seed every option is simulated with (a Generator would advance between options)."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence([int(x) for x in seed.integers(0, 2**63, size=4)])
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer, np.random.SeedSequence)):
        raise SROIError(f"expected an int, a numpy Generator or SeedSequence, got {seed!r:.60}", "seed")
    return seed if isinstance(seed, np.random.SeedSequence) else int(seed)


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is >= x (x > 0)."""
    p = 10.0 ** math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * p >= x * (1 - 1e-12):
            return m * p
    return 10.0 * p  # pragma: no cover - the loop always returns


def _quantile_labels(level: float) -> tuple[str, str]:
    lo, hi = (1 - level) / 2, (1 + level) / 2
    return f"p{lo * 100:g}", f"p{hi * 100:g}"


def _table(rows: Mapping[str, Mapping[tuple[str, str], float]]) -> pd.DataFrame:
    """Rows of {(metric, statistic): value} (one key order) as a DataFrame indexed by option."""
    columns = list(next(iter(rows.values())))
    return pd.DataFrame(
        [[row[c] for c in columns] for row in rows.values()],
        index=pd.Index(list(rows), name="option"),
        columns=pd.MultiIndex.from_tuples(columns),
    )


def compare(
    options: Sequence[Analysis] | Mapping[str, Analysis],
    n: int = defaults.DRAWS,
    seed: Seed = None,
    base: str | int | None = None,
    thresholds: Sequence[float] | None = None,
    *,
    do_nothing: bool = False,
    level: float = defaults.INTERVAL_LEVEL,
) -> Comparison:
    """Options appraisal of two or more analyses on common random numbers.

    Parameters
    ----------
    options : sequence of Analysis, or mapping of label to Analysis
        At least two (one with ``do_nothing=True``), in one currency and price year. Labels are the analyses' names (a repeated
        name is numbered: ``"X [2]"``) or the mapping's keys.
    n : int
        Monte Carlo draws per option (default 10,000, ``sroi.defaults.DRAWS``).
    seed : int, numpy Generator or SeedSequence, optional
        One seed for every option, so that estimates with the same key get the same draws
        (module Notes). ``None`` draws fresh entropy, kept in :attr:`Comparison.seed`.
    base : str or int, optional
        Label or position of the option the increments are measured against; default the first.
    thresholds : sequence of float, optional
        Thresholds λ > 0 [currency of value per unit of currency of inputs] of the acceptability
        curve and EVPI: an option's net benefit is ``PV - λ x inputs``. Default 50 evenly spaced
        values up to a round number at least twice the largest ratio of expected PV to expected
        inputs, plus 1.
    do_nothing : bool
        Add the option of funding none of them, labelled ``"do nothing"``: present value and
        inputs 0 in every draw (net benefit 0 at every threshold; ratio undefined). The Green
        Book's shortlist keeps such a baseline; with it, P(best) and EVPI answer "which, if any".
    level : float
        Level of the intervals (default 0.80, ``sroi.defaults.INTERVAL_LEVEL``: P10 to P90).

    Returns
    -------
    Comparison

    Raises
    ------
    SROIError
        Fewer than two options; an option that is not an Analysis; options in different
        currencies or price years (naming both); an unknown ``base``; a threshold that is not a
        finite number > 0; anything :func:`sroi.simulate` refuses.

    Notes
    -----
    Each option is ``sroi.simulate(option, n, seed)`` (the one engine, docs/method.md §3 and §6);
    the appraisal uses its per-draw ``present_value`` and ``total_inputs``. Definitions in
    docs/method.md §14: increments per draw against the base, net benefit
    ``NB_j(λ) = PV_j - λ I_j``, P(best) with ties shared equally, dominance on expected values
    (dampack's rules), ``EVPI(λ) = E[max_j NB_j] - max_j E[NB_j]``.

    Examples
    --------
    >>> import sroi
    >>> a = sroi.Analysis(
    ...     name="A", currency="GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("People", "Better", quantity=sroi.Uniform(5, 15, unit="person"),
    ...                            proxy="200 GBP/person")],
    ... )
    >>> same = compare([a, a], n=500, seed=3)
    >>> float(same.incremental().loc["A [2]", ("incremental_present_value", "mean")])
    0.0
    """
    if not isinstance(do_nothing, (bool, np.bool_)):
        raise SROIError(f"expected True or False, got {do_nothing!r:.60}", "do_nothing")
    items = _labelled(options, minimum=1 if do_nothing else 2)
    _check_same_basis(items)
    level = check_level(level)
    labels = [label for label, _ in items]
    if do_nothing:
        if DO_NOTHING in labels:
            raise SROIError(
                f"an option is already labelled {DO_NOTHING!r}; rename it or leave do_nothing=False",
                "do_nothing",
            )
        labels.append(DO_NOTHING)
    if base is None:
        base_label = labels[0]
    elif isinstance(base, (int, np.integer)) and not isinstance(base, (bool, np.bool_)):
        if not -len(labels) <= int(base) < len(labels):
            raise SROIError(f"expected a position 0..{len(labels) - 1}, got {base}", "base")
        base_label = labels[int(base)]
    elif isinstance(base, str) and base in labels:
        base_label = base
    else:
        raise SROIError(f"expected one of the option labels {labels} or a position, got {base!r:.60}", "base")
    lambdas: np.ndarray | None = None
    if thresholds is not None:  # checked before any simulation runs
        if isinstance(thresholds, (str, bytes)) or not isinstance(thresholds, (Sequence, np.ndarray)):
            raise SROIError(f"expected a sequence of numbers > 0, got {thresholds!r:.60}", "thresholds")
        values = [check_target_ratio(t, f"thresholds[{i}]") for i, t in enumerate(thresholds)]
        if not values:
            raise SROIError("expected at least one threshold", "thresholds")
        lambdas = np.unique(np.asarray(values, dtype=float))
    common = _common_seed(seed)
    sims = {label: simulate(a, n, common) for label, a in items}
    if lambdas is None:
        top = max(float(np.mean(s.present_value)) / float(np.mean(s.total_inputs)) for s in sims.values())
        upper = _nice_ceiling(2.0 * max(top, 0.5))
        grid = np.linspace(0.0, upper, _THRESHOLD_POINTS + 1)[1:]
        lambdas = np.unique(np.append(grid, 1.0))
    return Comparison(
        sims, base=base_label, thresholds=lambdas, seed=common, level=level, do_nothing=bool(do_nothing)
    )


class Comparison:
    """Result of :func:`compare`: each option's simulation and the appraisal built on them.

    Money is in :attr:`currency` at :attr:`price_year` prices; thresholds are ratios (value per
    unit of inputs). Tables (DataFrames): :meth:`summary`, :meth:`incremental`,
    :meth:`dominance`, :attr:`acceptability`, :attr:`evpi`; per draw: :meth:`to_frame`.

    Attributes
    ----------
    labels : list of str
        The options, in the order given.
    simulations : dict of str to Simulation
        Each option's Monte Carlo result (``n`` draws, one seed); ``"do nothing"``, when
        included, has none (its values are 0).
    base : str
        The option increments are measured against.
    thresholds : ndarray
        The thresholds λ of :attr:`acceptability` and :attr:`evpi`.
    n : int
    seed : int or SeedSequence
        The seed every option was simulated with: ``sroi.compare(options, n, seed)`` repeats it.
    level : float
        Level of the intervals.
    currency : str
    price_year : int or None
    """

    def __init__(
        self,
        simulations: Mapping[str, Simulation],
        *,
        base: str,
        thresholds: np.ndarray,
        seed: int | np.random.SeedSequence,
        level: float,
        do_nothing: bool = False,
    ) -> None:
        self.simulations = dict(simulations)
        self.labels = list(self.simulations) + ([DO_NOTHING] if do_nothing else [])
        self.base = base
        self.thresholds = np.asarray(thresholds, dtype=float)
        self.seed = seed
        self.level = level
        first = next(iter(self.simulations.values()))
        self.n: int = first.n
        self.currency: str = first.currency
        self.price_year: int | None = getattr(first.analysis, "price_year", None)
        self._pv = np.stack([self._values(label, "present_value") for label in self.labels])
        self._inputs = np.stack([self._values(label, "total_inputs") for label in self.labels])

    def _values(self, label: str, metric: str) -> np.ndarray:
        """Per-draw values of one metric of one option (zeros, or NaN ratios, for do nothing)."""
        sim = self.simulations.get(label)
        if sim is None:  # do nothing
            return np.full(self.n, np.nan) if metric == "ratio" else np.zeros(self.n)
        return np.asarray(getattr(sim, metric), dtype=float)

    # -- per option and incremental ----------------------------------------------------------
    def _stats(self, x: np.ndarray) -> dict[str, float]:
        lo, hi = _quantile_labels(self.level)
        if np.isnan(x).all():  # the ratio of doing nothing
            return {"mean": math.nan, lo: math.nan, "p50": math.nan, hi: math.nan}
        q = np.quantile(x, [(1 - self.level) / 2, 0.5, (1 + self.level) / 2])
        return {"mean": float(np.mean(x)), lo: float(q[0]), "p50": float(q[1]), hi: float(q[2])}

    def summary(self) -> pd.DataFrame:
        """Each option's present value, inputs, net present value and ratio.

        Returns
        -------
        DataFrame
            One row per option; columns (metric, statistic) with metrics ``present_value``,
            ``total_inputs``, ``net_present_value`` [currency] and ``ratio``, statistics
            ``mean``, the interval's ends (``p10``, ``p90`` at the default level) and ``p50``.
        """
        rows: dict[str, dict[tuple[str, str], float]] = {}
        for label in self.labels:
            row = {}
            for metric in _METRICS:
                for stat, v in self._stats(self._values(label, metric)).items():
                    row[(metric, stat)] = v
            rows[label] = row
        df = _table(rows)
        df.attrs.update(currency=self.currency, level=self.level)
        return df

    def incremental(self) -> pd.DataFrame:
        """Increments of every other option over the base, draw by draw (common random numbers).

        Returns
        -------
        DataFrame
            One row per option other than :attr:`base`; columns (metric, statistic):
            ``incremental_present_value``, ``incremental_inputs``, ``incremental_net_present_value``
            [currency] with ``mean``, the interval ends and ``p50``; ``incremental_ratio`` with
            ``ratio of means`` = ΔE[PV] / ΔE[inputs] (NaN when the expected inputs are equal) and the
            interval of the per-draw ratio ΔPV / Δinputs (NaN unless Δinputs has one sign, never
            zero, in every draw); ``P(incremental net present value > 0)``.

        Notes
        -----
        docs/method.md §14. ``attrs["base"]`` names the base option.
        """
        b = self.labels.index(self.base)
        lo, hi = _quantile_labels(self.level)
        rows: dict[str, dict[tuple[str, str], float]] = {}
        for j, label in enumerate(self.labels):
            if j == b:
                continue
            d_pv = self._pv[j] - self._pv[b]
            d_in = self._inputs[j] - self._inputs[b]
            d_npv = (self._pv[j] - self._inputs[j]) - (self._pv[b] - self._inputs[b])
            row: dict[tuple[str, str], float] = {}
            for metric, x in (
                ("incremental_present_value", d_pv),
                ("incremental_inputs", d_in),
                ("incremental_net_present_value", d_npv),
            ):
                for stat, v in self._stats(x).items():
                    row[(metric, stat)] = v
            mean_in = float(np.mean(d_in))
            row[("incremental_ratio", "ratio of means")] = (
                float(np.mean(d_pv)) / mean_in if mean_in != 0 else math.nan
            )
            if np.all(d_in > 0) or np.all(d_in < 0):
                for stat, v in self._stats(d_pv / d_in).items():
                    if stat != "mean":
                        row[("incremental_ratio", stat)] = v
            else:
                for stat in (lo, "p50", hi):
                    row[("incremental_ratio", stat)] = math.nan
            row[("P(incremental net present value > 0)", "")] = float(np.mean(d_npv > 0))
            rows[label] = row
        df = _table(rows)
        df.attrs.update(currency=self.currency, level=self.level, base=self.base)
        return df

    # -- the decision at a threshold ---------------------------------------------------------
    def _net_benefit(self, threshold: float) -> np.ndarray:
        """NB_j = PV_j - λ inputs_j per draw, shape (options, n) (sroi.voi.net_benefit)."""
        return np.stack(
            [
                net_benefit(self.simulations[label], threshold)
                if label in self.simulations
                else np.zeros(self.n)
                for label in self.labels
            ]
        )

    @staticmethod
    def _share_best(nb: np.ndarray) -> np.ndarray:
        """P(option j is best) from net benefits (J, n): ties shared equally within a draw."""
        best = nb == nb.max(axis=0)
        return (best / best.sum(axis=0)).mean(axis=1)

    def probability_best(self, threshold: float = 1.0) -> pd.Series:
        """P(option has the highest net benefit PV - λ x inputs) at one threshold λ.

        Parameters
        ----------
        threshold : float
            λ > 0; 1 (default) compares net present values (the Green Book's net present social
            value).

        Returns
        -------
        Series
            Indexed by option; sums to 1 (draws where options tie count 1/k for each of the k).
        """
        lam = check_target_ratio(threshold, "threshold")
        return pd.Series(
            self._share_best(self._net_benefit(lam)), index=self.labels, name=f"P(best | λ={lam:g})"
        )

    @cached_property
    def _decisions(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(acceptability, evpi) over :attr:`thresholds`, computed once."""
        rows: list[np.ndarray] = []
        evpi_rows: list[dict[str, Any]] = []
        for lam in self.thresholds:
            nb = self._net_benefit(float(lam))
            rows.append(self._share_best(nb))
            means = nb.mean(axis=1)
            k = int(np.argmax(means))
            evpi_rows.append(
                {
                    "optimal": self.labels[k],
                    "expected_net_benefit": float(means[k]),
                    "P(optimal is best)": float(rows[-1][k]),
                    "evpi": float(np.mean(nb.max(axis=0))) - float(means[k]),
                }
            )
        idx = pd.Index(self.thresholds, name="threshold")
        evpi = pd.DataFrame(evpi_rows, index=idx)
        evpi.attrs["currency"] = self.currency
        return pd.DataFrame(rows, index=idx, columns=self.labels), evpi

    @property
    def acceptability(self) -> pd.DataFrame:
        """Acceptability curves: P(best) of each option (columns) at each threshold λ (rows).

        Every row sums to 1. docs/method.md §14 (BCEA's ``multi.ce``, dampack's ``ceac``).
        """
        return self._decisions[0]

    @property
    def evpi(self) -> pd.DataFrame:
        """The decision at each threshold λ and the value of resolving its uncertainty.

        Columns: ``optimal`` (the option with the highest expected net benefit),
        ``expected_net_benefit`` [currency], ``P(optimal is best)`` (the acceptability frontier,
        Fenwick et al. 2001) and ``evpi`` = E[max_j NB_j] - max_j E[NB_j] [currency per
        decision], >= 0 and 0 when one option is best in every draw. docs/method.md §14.
        """
        return self._decisions[1]

    # -- dominance -----------------------------------------------------------------------------
    def dominance(self) -> pd.DataFrame:
        """Strong and extended dominance on expected inputs and expected present value.

        Returns
        -------
        DataFrame
            One row per option, by expected inputs: ``expected_inputs``,
            ``expected_present_value`` [currency]; ``status`` one of ``"frontier"``,
            ``"dominated"`` (another option has no more expected inputs and at least as much
            expected PV, one of them strictly), ``"extendedly dominated"`` (a mix of two frontier
            options would do better: its incremental ratio is below the next option's),
            ``"equivalent"`` (the same expected inputs and PV as an option listed before it);
            ``dominated_by``; and, on the frontier, the increments over the previous frontier
            option and ``incremental_ratio`` = ΔPV / Δinputs, the threshold λ below which the
            costlier option has the higher expected net benefit.

        Notes
        -----
        The rules of dampack's ``calculate_icers`` with PV for effect and inputs for cost,
        docs/method.md §14.
        """
        cost = self._inputs.mean(axis=1)
        value = self._pv.mean(axis=1)
        order = sorted(range(len(self.labels)), key=lambda j: (cost[j], -value[j], j))
        status = dict.fromkeys(order, "frontier")
        by: dict[int, str] = {}
        for pos, j in enumerate(order):
            for k in order[:pos]:
                if status[k] == "frontier" and cost[k] <= cost[j] and value[k] >= value[j]:
                    same = cost[k] == cost[j] and value[k] == value[j]
                    status[j] = "equivalent" if same else "dominated"
                    by[j] = self.labels[k]
                    break
        while True:
            nd = [j for j in order if status[j] == "frontier"]
            ratios = [(value[b] - value[a]) / (cost[b] - cost[a]) for a, b in itertools.pairwise(nd)]
            # ratios[i] is that of nd[i + 1] over nd[i]: nd[i + 1] is extendedly dominated when its
            # incremental ratio is below the next one's (dampack: ICER above the next ICER)
            newly = [nd[i + 1] for i in range(len(ratios) - 1) if ratios[i] < ratios[i + 1]]
            if not newly:
                break
            for j in newly:
                status[j] = "extendedly dominated"
                pos = nd.index(j)
                by[j] = f"{self.labels[nd[pos - 1]]} and {self.labels[nd[pos + 1]]}"
        nd = [j for j in order if status[j] == "frontier"]
        rows = []
        for j in order:
            row: dict[str, Any] = {
                "option": self.labels[j],
                "expected_inputs": float(cost[j]),
                "expected_present_value": float(value[j]),
                "status": status[j],
                "dominated_by": by.get(j, ""),
                "incremental_inputs": math.nan,
                "incremental_present_value": math.nan,
                "incremental_ratio": math.nan,
            }
            if status[j] == "frontier" and nd.index(j) > 0:
                prev = nd[nd.index(j) - 1]
                d_in, d_pv = float(cost[j] - cost[prev]), float(value[j] - value[prev])
                row.update(
                    incremental_inputs=d_in, incremental_present_value=d_pv, incremental_ratio=d_pv / d_in
                )
            rows.append(row)
        df = pd.DataFrame(rows).set_index("option")
        df.attrs["currency"] = self.currency
        return df

    # -- per draw, plots, display ------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per draw; columns (metric, option) for ``present_value``, ``total_inputs``,
        ``net_present_value`` [currency] and ``ratio``. Draw i of every option used the same
        random numbers for the estimates the options share."""
        data = {(metric, label): self._values(label, metric) for metric in _METRICS for label in self.labels}
        df = pd.DataFrame(data)
        df.columns = pd.MultiIndex.from_tuples(list(data), names=["metric", "option"])
        df.index.name = "draw"
        df.attrs["currency"] = self.currency
        return df

    def plot_acceptability(self, ax: Axes | None = None, frontier: bool = True) -> Axes:
        """The acceptability curves (:func:`sroi.plot.plot_acceptability`); returns the Axes."""
        return plot_acceptability(self.acceptability, ax=ax, frontier=self.evpi if frontier else None)

    def _lines(self) -> list[str]:
        cur = self.currency
        p1 = self.probability_best(1.0)
        out = [
            f"SROI options appraisal: {len(self.labels)} options, {self.n:,} draws each on common random numbers"
        ]
        s = self.summary()
        lo, hi = _quantile_labels(self.level)
        for label in self.labels:
            if label not in self.simulations:
                out.append(f"  {label}: present value and inputs 0, P(best at 1:1) {p1[label]:.3f}")
                continue
            r = s.loc[label]
            out.append(
                f"  {label}: NPV median {r[('net_present_value', 'p50')]:,.0f} {cur} "
                f"({self.level:.0%} interval {r[('net_present_value', lo)]:,.0f} to "
                f"{r[('net_present_value', hi)]:,.0f}), ratio median {r[('ratio', 'p50')]:.2f}, "
                f"P(best at 1:1) {p1[label]:.3f}"
            )
        return out

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        def table(df: pd.DataFrame) -> str:
            return df.to_html(
                float_format=lambda x: f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}", border=0, na_rep=""
            )

        title = html.escape(f"SROI options appraisal ({self.n:,} draws per option, common random numbers)")
        money = html.escape(
            f"money in {self.currency}"
            + (f", {self.price_year} prices" if self.price_year is not None else "")
        )
        p1 = self.probability_best(1.0).to_frame().T
        return (
            f"<div class='sroi-comparison'><h4>{title}</h4><p>{money}; intervals {self.level:.0%}</p>"
            f"<h5>Options</h5>{table(self.summary())}"
            f"<h5>Against {html.escape(self.base)}</h5>{table(self.incremental())}"
            f"<h5>Dominance (expected values)</h5>{table(self.dominance())}"
            f"<h5>Probability best at 1:1</h5>{table(p1)}</div>"
        )
