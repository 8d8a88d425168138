"""Probability distributions for uncertain estimates.

Any numeric estimate of an analysis (a quantity, a proxy, a filter, a duration, a discount
rate, an input value) may be a :class:`Distribution` instead of a number. All families share
one interface: :meth:`Distribution.ppf` (the inverse CDF, used by the Monte Carlo engine with
uniform or copula-correlated draws), :meth:`Distribution.central` (the point value used by
``Analysis.evaluate()``), :meth:`Distribution.support` and :meth:`Distribution.to_dict` (the
model-file form).

The central value is the family's natural point estimate, the value an analyst names as
"most likely": the mode of ``triangular`` and ``pert``; the mean of ``normal`` (clipped into
its truncation bounds); the median of ``lognormal`` and ``logitnormal``; the midpoint of
``uniform``; the mean of ``beta``; the most probable value of ``discrete`` (on ties, the middle one of the tied values, e.g. 2
for equally likely 1, 2, 3).

Magnitudes are in :attr:`Distribution.unit` (None = dimensionless), so unit-bearing estimates
keep their unit: ``Uniform(Q_("800 person"), Q_("1200 person"))``.

References
----------
.. [1] Vose, D. (2008). Risk Analysis: A Quantitative Guide, 3rd ed. Wiley (PERT, triangular).
.. [2] Briggs, A., Claxton, K., Sculpher, M. (2006). Decision Modelling for Health Economic
   Evaluation. Oxford University Press, ch. 4 (choosing distributions for parameters).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pint

from sroi.exceptions import SROIError
from sroi.units import format_quantity, parse_quantity, ureg

__all__ = [
    "Beta",
    "Discrete",
    "Distribution",
    "LogNormal",
    "LogitNormal",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
    "distribution_from_dict",
    "make_rng",
]

_Z95 = 1.6448536269514722  # standard normal 0.95 quantile


def make_rng(seed: int | np.random.Generator | np.random.SeedSequence | None) -> np.random.Generator:
    """A numpy Generator from an int, a SeedSequence, a Generator (returned as is) or None.

    Never touches numpy's global random state.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer, np.random.SeedSequence)):
        if isinstance(seed, bool) or (isinstance(seed, (int, np.integer)) and seed < 0):
            raise SROIError(
                f"expected a non-negative int, a numpy Generator or SeedSequence, got {seed!r}", "seed"
            )
        return np.random.default_rng(seed)
    raise SROIError(f"expected an int, a numpy Generator or SeedSequence, got {seed!r}", "seed")


def _as_magnitudes(field_path: str, params: Mapping[str, Any]) -> tuple[dict[str, float], pint.Unit | None]:
    """Parse parameter values (numbers or unit strings) to magnitudes in one common unit."""
    unit: Any = None
    out: dict[str, float] = {}
    for name, value in params.items():
        if value is None:
            continue
        q = parse_quantity(value, f"{field_path}.{name}")
        if q.dimensionless and q.units == ureg.dimensionless:
            if unit is not None and unit != ureg.dimensionless:
                raise SROIError(
                    f"{name} = {value!r} has no unit but the other parameters are in {unit}; "
                    f"write '{value} {unit}'",
                    field_path,
                )
            out[name] = float(q.magnitude)
            unit = unit or ureg.dimensionless
            continue
        if unit is None or unit == ureg.dimensionless:
            if unit == ureg.dimensionless and out:
                raise SROIError(
                    f"{name} = {value!r} has a unit but earlier parameters have none; give every "
                    "parameter the same unit",
                    field_path,
                )
            unit = q.units
            out[name] = float(q.magnitude)
        else:
            try:
                out[name] = float(q.to(unit).magnitude)
            except pint.errors.DimensionalityError:
                raise SROIError(
                    f"{name} = {value!r} is not in the same dimension as the other parameters ({unit})",
                    field_path,
                ) from None
    if unit == ureg.dimensionless:
        unit = None
    return out, unit


def _check_finite(field_path: str, **values: float) -> None:
    for k, v in values.items():
        if not math.isfinite(v):
            raise SROIError(f"{k} must be a finite number, got {v!r}", field_path)


@dataclass(frozen=True)
class Distribution(ABC):
    """Base class of the distribution families; see the module docstring."""

    family: ClassVar[str] = ""
    unit: pint.Unit | None = field(default=None, kw_only=True, compare=True)

    @abstractmethod
    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Inverse CDF at probabilities ``u`` in (0, 1) [unit of the estimate]."""

    @abstractmethod
    def central(self) -> float:
        """The point value used by ``Analysis.evaluate()`` (see the module docstring)."""

    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Smallest and largest values the distribution can take (may be infinite)."""

    @abstractmethod
    def _params(self) -> dict[str, Any]:
        """Family parameters as plain numbers, for :meth:`to_dict`."""

    def sample(
        self, n: int, seed: int | np.random.Generator | np.random.SeedSequence | None = None
    ) -> np.ndarray:
        """Draw ``n`` independent values (inverse-CDF sampling)."""
        rng = make_rng(seed)
        return self.ppf(rng.random(n))

    def quantile(self, q: float) -> float:
        """The ``q`` quantile, e.g. ``quantile(0.1)`` is P10."""
        return float(np.asarray(self.ppf(np.asarray([q], dtype=float)))[0])

    def mean(self) -> float:
        """Mean, by numerical integration of the quantile function unless overridden."""
        u = (np.arange(20000) + 0.5) / 20000
        return float(np.mean(self.ppf(u)))

    def to_dict(self) -> dict[str, Any]:
        """Model-file form: ``{distribution: family, param: value...}`` with unit strings."""
        out: dict[str, Any] = {"distribution": self.family}
        for k, v in self._params().items():
            if v is None:
                continue
            if isinstance(v, (list, tuple)):
                out[k] = [self._fmt(x) for x in v] if k == "values" else list(v)
            elif k in _UNITLESS_PARAMS.get(self.family, ()):
                out[k] = v
            else:
                out[k] = self._fmt(v)
        return out

    def _fmt(self, v: float) -> Any:
        if self.unit is None:
            return float(v)
        return format_quantity(ureg.Quantity(float(v), self.unit), digits=None)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items() if v is not None)
        unit = f", unit='{self.unit}'" if self.unit is not None else ""
        return f"{type(self).__name__}({params}{unit})"


_UNITLESS_PARAMS = {
    "lognormal": ("gsd",),
    "beta": ("alpha", "beta"),
    "discrete": ("weights",),
    "logitnormal": ("mu", "sigma"),
}


@dataclass(frozen=True, repr=False)
class Uniform(Distribution):
    """Uniform between ``low`` and ``high``; central value the midpoint.

    Examples
    --------
    >>> Uniform(0.1, 0.3).central()
    0.2
    """

    low: float
    high: float
    family: ClassVar[str] = "uniform"

    def __post_init__(self) -> None:
        _check_finite("uniform", low=self.low, high=self.high)
        if not self.low <= self.high:
            raise SROIError(f"expected low <= high, got low={self.low}, high={self.high}", "uniform")

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)

    def central(self) -> float:
        return 0.5 * (self.low + self.high)

    def mean(self) -> float:
        return self.central()

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def _params(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high}


@dataclass(frozen=True, repr=False)
class Triangular(Distribution):
    """Triangular on [low, high] with the given mode; central value the mode.

    Examples
    --------
    >>> d = Triangular(0.1, 0.2, 0.4)
    >>> d.central(), round(d.mean(), 6)
    (0.2, 0.233333)
    """

    low: float
    mode: float
    high: float
    family: ClassVar[str] = "triangular"

    def __post_init__(self) -> None:
        _check_finite("triangular", low=self.low, mode=self.mode, high=self.high)
        if not (self.low <= self.mode <= self.high):
            raise SROIError(
                f"expected low <= mode <= high, got low={self.low}, mode={self.mode}, high={self.high}",
                "triangular",
            )

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full_like(u, a)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)

    def central(self) -> float:
        return self.mode

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def _params(self) -> dict[str, Any]:
        return {"low": self.low, "mode": self.mode, "high": self.high}


@dataclass(frozen=True, repr=False)
class Pert(Distribution):
    """PERT (scaled beta) on [low, high] with the given mode; central value the mode.

    Shape parameters alpha = 1 + lamb (mode - low)/(high - low), beta = 1 + lamb (high - mode)/
    (high - low), with ``lamb`` = 4 (Vose 2008).

    Examples
    --------
    >>> Pert(0.1, 0.2, 0.4).mean()
    0.21666666666666667
    """

    low: float
    mode: float
    high: float
    lamb: float = 4.0
    family: ClassVar[str] = "pert"

    def __post_init__(self) -> None:
        _check_finite("pert", low=self.low, mode=self.mode, high=self.high, lamb=self.lamb)
        if not (self.low <= self.mode <= self.high):
            raise SROIError(
                f"expected low <= mode <= high, got low={self.low}, mode={self.mode}, high={self.high}",
                "pert",
            )
        if self.lamb <= 0:
            raise SROIError(f"expected lamb > 0, got {self.lamb}", "pert")

    def _ab(self) -> tuple[float, float]:
        r = self.high - self.low
        return 1 + self.lamb * (self.mode - self.low) / r, 1 + self.lamb * (self.high - self.mode) / r

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        from scipy import special

        u = np.asarray(u, dtype=float)
        if self.high == self.low:
            return np.full_like(u, self.low)
        a, b = self._ab()
        return self.low + (self.high - self.low) * special.betaincinv(a, b, u)

    def central(self) -> float:
        return self.mode

    def mean(self) -> float:
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def _params(self) -> dict[str, Any]:
        p: dict[str, Any] = {"low": self.low, "mode": self.mode, "high": self.high}
        if self.lamb != 4.0:
            p["lamb"] = self.lamb
        return p


_UNITLESS_PARAMS["pert"] = ("lamb",)


@dataclass(frozen=True, repr=False)
class Normal(Distribution):
    """Normal with ``mean`` and ``sd``, optionally truncated to [low, high].

    Examples
    --------
    >>> d = Normal(0.2, 0.05, low=0.0, high=1.0)
    >>> d.central(), d.support()
    (0.2, (0.0, 1.0))
    """

    mean_: float
    sd: float
    low: float | None = None
    high: float | None = None
    family: ClassVar[str] = "normal"

    def __post_init__(self) -> None:
        _check_finite("normal", mean=self.mean_, sd=self.sd)
        if self.sd < 0:
            raise SROIError(f"expected sd >= 0, got {self.sd}", "normal")
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if not lo < hi:
            raise SROIError(f"expected low < high, got low={self.low}, high={self.high}", "normal")

    def _bounds_u(self) -> tuple[float, float]:
        from scipy import stats

        if self.sd == 0:
            return 0.0, 1.0
        lo = 0.0 if self.low is None else float(stats.norm.cdf((self.low - self.mean_) / self.sd))
        hi = 1.0 if self.high is None else float(stats.norm.cdf((self.high - self.mean_) / self.sd))
        if hi - lo <= 1e-12:
            raise SROIError(
                "the truncation bounds leave almost no probability; check mean, sd, low, high", "normal"
            )
        return lo, hi

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        from scipy import special

        u = np.asarray(u, dtype=float)
        if self.sd == 0:
            return np.full_like(u, self.central())
        lo, hi = self._bounds_u()
        x = self.mean_ + self.sd * special.ndtri(lo + (hi - lo) * u)
        if self.low is not None or self.high is not None:
            x = np.clip(
                x, -np.inf if self.low is None else self.low, np.inf if self.high is None else self.high
            )
        return x

    def central(self) -> float:
        x = self.mean_
        if self.low is not None:
            x = max(x, self.low)
        if self.high is not None:
            x = min(x, self.high)
        return x

    def mean(self) -> float:
        if self.low is None and self.high is None:
            return self.mean_
        return super().mean()

    def support(self) -> tuple[float, float]:
        if self.sd == 0:
            return (self.central(), self.central())
        return (-math.inf if self.low is None else self.low, math.inf if self.high is None else self.high)

    def _params(self) -> dict[str, Any]:
        return {"mean": self.mean_, "sd": self.sd, "low": self.low, "high": self.high}


@dataclass(frozen=True, repr=False)
class LogNormal(Distribution):
    """Log-normal with ``median`` and geometric standard deviation ``gsd`` (>= 1).

    :meth:`from_interval` builds one from a 90% interval (P5, P95) and remembers it, so that
    :meth:`to_dict` (and a saved model file) gives the estimate in the form it was given,
    ``{distribution: lognormal, low: ..., high: ...}``; the interval does not take part in
    comparisons (docs/method.md §6.1).

    Examples
    --------
    >>> d = LogNormal.from_interval(100.0, 400.0)
    >>> round(d.central(), 6), round(d.quantile(0.95), 6)
    (200.0, 400.0)
    """

    median: float
    gsd: float
    interval: tuple[float, float] | None = field(default=None, kw_only=True, compare=False)
    family: ClassVar[str] = "lognormal"

    def __post_init__(self) -> None:
        _check_finite("lognormal", median=self.median, gsd=self.gsd)
        if self.median <= 0:
            raise SROIError(f"expected median > 0, got {self.median}", "lognormal")
        if self.gsd < 1:
            raise SROIError(f"expected gsd >= 1 (geometric standard deviation), got {self.gsd}", "lognormal")

    @classmethod
    def from_interval(cls, low: float, high: float, unit: pint.Unit | None = None) -> LogNormal:
        """Log-normal whose 5th and 95th percentiles are ``low`` and ``high`` (both > 0)."""
        if not (0 < low <= high):
            raise SROIError(f"expected 0 < low <= high, got low={low}, high={high}", "lognormal")
        median, gsd = _lognormal_of_interval(low, high)
        return cls(median, gsd, unit=unit, interval=(float(low), float(high)))

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        from scipy import special

        return self.median * np.exp(math.log(self.gsd) * special.ndtri(np.asarray(u, dtype=float)))

    def central(self) -> float:
        return self.median

    def mean(self) -> float:
        return self.median * math.exp(0.5 * math.log(self.gsd) ** 2)

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf) if self.gsd > 1 else (self.median, self.median)

    def _params(self) -> dict[str, Any]:
        return {"median": self.median, "gsd": self.gsd}

    def to_dict(self) -> dict[str, Any]:
        """Model-file form; ``low``/``high`` when built from an interval that still gives this
        median and gsd exactly, else ``median``/``gsd``."""
        if self.interval is not None and _lognormal_of_interval(*self.interval) == (self.median, self.gsd):
            low, high = self.interval
            return {"distribution": self.family, "low": self._fmt(low), "high": self._fmt(high)}
        return super().to_dict()


def _lognormal_of_interval(low: float, high: float) -> tuple[float, float]:
    """Median and gsd of the log-normal whose P5 and P95 are ``low`` and ``high``."""
    return math.sqrt(low * high), math.exp((math.log(high) - math.log(low)) / (2 * _Z95))


@dataclass(frozen=True, repr=False)
class Beta(Distribution):
    """Beta(alpha, beta), optionally scaled to [low, high] (default [0, 1]); central value the mean.

    Examples
    --------
    >>> Beta(2, 8).central()
    0.2
    """

    alpha: float
    beta: float
    low: float = 0.0
    high: float = 1.0
    family: ClassVar[str] = "beta"

    def __post_init__(self) -> None:
        _check_finite("beta", alpha=self.alpha, beta=self.beta, low=self.low, high=self.high)
        if self.alpha <= 0 or self.beta <= 0:
            raise SROIError(f"expected alpha > 0 and beta > 0, got {self.alpha}, {self.beta}", "beta")
        if not self.low < self.high:
            raise SROIError(f"expected low < high, got {self.low}, {self.high}", "beta")

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> Beta:
        """Moment-matched beta on [0, 1] with the given mean and standard deviation."""
        if not (0 < mean < 1) or sd <= 0 or sd**2 >= mean * (1 - mean):
            raise SROIError(
                f"no beta distribution has mean {mean} and sd {sd} (need 0 < mean < 1 and sd^2 < mean(1-mean))",
                "beta",
            )
        k = mean * (1 - mean) / sd**2 - 1
        return cls(mean * k, (1 - mean) * k)

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        from scipy import special

        return self.low + (self.high - self.low) * special.betaincinv(
            self.alpha, self.beta, np.asarray(u, float)
        )

    def central(self) -> float:
        return self.mean()

    def mean(self) -> float:
        return self.low + (self.high - self.low) * self.alpha / (self.alpha + self.beta)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def _params(self) -> dict[str, Any]:
        p: dict[str, Any] = {"alpha": self.alpha, "beta": self.beta}
        if (self.low, self.high) != (0.0, 1.0):
            p.update(low=self.low, high=self.high)
        return p


@dataclass(frozen=True, repr=False)
class LogitNormal(Distribution):
    """Logit-normal: logit(X) ~ Normal(mu, sigma); stays inside (0, 1). Central value the median.

    Used to carry an estimated share (with its standard error on the logit scale) into the
    Monte Carlo without leaving [0, 1].

    Examples
    --------
    >>> round(LogitNormal(0.0, 0.5).central(), 6)
    0.5
    """

    mu: float
    sigma: float
    family: ClassVar[str] = "logitnormal"

    def __post_init__(self) -> None:
        _check_finite("logitnormal", mu=self.mu, sigma=self.sigma)
        if self.sigma < 0:
            raise SROIError(f"expected sigma >= 0, got {self.sigma}", "logitnormal")

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        from scipy import special

        return special.expit(self.mu + self.sigma * special.ndtri(np.asarray(u, dtype=float)))

    def central(self) -> float:
        from scipy import special

        return float(special.expit(self.mu))

    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def _params(self) -> dict[str, Any]:
        return {"mu": self.mu, "sigma": self.sigma}


@dataclass(frozen=True, repr=False)
class Discrete(Distribution):
    """A finite set of ``values`` with ``weights`` (normalised); central value the most probable.

    Examples
    --------
    >>> d = Discrete((3, 5, 7), (0.25, 0.5, 0.25))
    >>> d.central(), d.quantile(0.1), d.quantile(0.9)
    (5.0, 3.0, 7.0)
    >>> Discrete((1, 2, 3)).central()  # equally likely: the middle value
    2.0
    """

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None
    family: ClassVar[str] = "discrete"

    def __post_init__(self) -> None:
        vals = tuple(float(v) for v in self.values)
        if not vals:
            raise SROIError("expected at least one value", "discrete.values")
        w = tuple(float(x) for x in (self.weights if self.weights is not None else [1.0] * len(vals)))
        if len(w) != len(vals):
            raise SROIError(f"expected {len(vals)} weights (one per value), got {len(w)}", "discrete.weights")
        if any((not math.isfinite(x)) or x < 0 for x in w) or sum(w) <= 0:
            raise SROIError(
                f"expected non-negative weights with a positive sum, got {list(w)}", "discrete.weights"
            )
        _check_finite("discrete", **{f"values[{i}]": v for i, v in enumerate(vals)})
        order = np.argsort(vals, kind="stable")
        object.__setattr__(self, "values", tuple(vals[i] for i in order))
        total = sum(w)
        object.__setattr__(self, "weights", tuple(w[i] / total for i in order))

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        cdf: np.ndarray = np.cumsum(np.asarray(self.weights, dtype=float))
        cdf[-1] = 1.0
        idx = np.searchsorted(cdf, np.asarray(u, dtype=float), side="left")
        return np.asarray(self.values)[np.minimum(idx, len(self.values) - 1)]

    def central(self) -> float:
        assert self.weights is not None
        w = np.asarray(self.weights)
        tied = np.flatnonzero(np.isclose(w, w.max(), rtol=1e-12, atol=0.0))
        return self.values[int(tied[(len(tied) - 1) // 2])]  # on ties, the middle (lower) one

    def mean(self) -> float:
        assert self.weights is not None
        return float(np.dot(self.values, self.weights))

    def support(self) -> tuple[float, float]:
        return (min(self.values), max(self.values))

    def _params(self) -> dict[str, Any]:
        return {"values": list(self.values), "weights": list(self.weights or ())}


_FAMILIES: dict[str, type[Distribution]] = {
    c.family: c for c in (Uniform, Triangular, Pert, Normal, LogNormal, Beta, Discrete, LogitNormal)
}
_REQUIRED = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "beta": ("alpha", "beta"),
    "discrete": ("values",),
    "logitnormal": ("mu", "sigma"),
}
_ALLOWED = {
    "uniform": {"low", "high"},
    "triangular": {"low", "mode", "high"},
    "pert": {"low", "mode", "high", "lamb"},
    "normal": {"mean", "sd", "low", "high"},
    "lognormal": {"median", "gsd", "low", "high"},
    "beta": {"alpha", "beta", "low", "high"},
    "discrete": {"values", "weights"},
    "logitnormal": {"mu", "sigma"},
}


def distribution_from_dict(spec: Mapping[str, Any], field: str = "value") -> Distribution:
    """Build a distribution from its model-file form.

    Parameters
    ----------
    spec : mapping
        ``{"distribution": family, ...parameters}``. Families and parameters: ``uniform(low,
        high)``, ``triangular(low, mode, high)``, ``pert(low, mode, high[, lamb])``,
        ``normal(mean, sd[, low, high])``, ``lognormal(median, gsd)`` or ``lognormal(low,
        high)`` as a 90% interval, ``beta(alpha, beta[, low, high])``, ``discrete(values[,
        weights])``, ``logitnormal(mu, sigma)``. Unit-bearing estimates take unit strings
        (``low: 800 person``).
    field : str
        Field path for error messages, e.g. ``"outcomes[0].deadweight"``.

    Returns
    -------
    Distribution

    Raises
    ------
    SROIError
        Unknown family, missing or unknown parameter, invalid parameter values.

    Examples
    --------
    >>> distribution_from_dict({"distribution": "triangular", "low": 0.1, "mode": 0.2, "high": 0.4})
    Triangular(low=0.1, mode=0.2, high=0.4)
    >>> distribution_from_dict({"distribution": "uniform", "low": "800 person", "high": "1200 person"})
    Uniform(low=800.0, high=1200.0, unit='person')
    """
    if not isinstance(spec, Mapping):
        raise SROIError(
            f"expected a mapping such as {{distribution: uniform, low: 0, high: 1}}, got {spec!r}", field
        )
    fam = spec.get("distribution")
    if not isinstance(fam, str) or fam.lower() not in _FAMILIES:
        raise SROIError(
            f"unknown distribution family {fam!r}; expected one of {sorted(_FAMILIES)}",
            f"{field}.distribution",
        )
    fam = fam.lower()
    params = {k: v for k, v in spec.items() if k != "distribution"}
    unknown = set(params) - _ALLOWED[fam]
    if unknown:
        raise SROIError(
            f"unknown parameter(s) {sorted(map(str, unknown))} for {fam}; expected {sorted(_ALLOWED[fam])}",
            field,
        )
    required = _REQUIRED.get(fam, ())
    if fam == "lognormal":
        given = set(params)
        if given == {"median", "gsd"}:
            required = ("median", "gsd")
        elif given == {"low", "high"}:
            required = ("low", "high")
        else:
            got = ", ".join(sorted(map(str, given))) or "nothing"
            raise SROIError(
                "lognormal takes either median and gsd, or low and high (a 90% interval), not both "
                f"and not one of each; got {got}",
                field,
            )
    missing = [k for k in required if params.get(k) is None]
    if missing:
        raise SROIError(f"{fam} needs {list(required)}; missing {missing}", field)
    try:
        if fam == "discrete":
            values = params["values"]
            if not isinstance(values, Sequence) or isinstance(values, str):
                raise SROIError(f"expected a list of values, got {values!r}", f"{field}.values")
            mags, unit = _as_magnitudes(field, {f"values[{i}]": v for i, v in enumerate(values)})
            weights = params.get("weights")
            if weights is not None and (not isinstance(weights, Sequence) or isinstance(weights, str)):
                raise SROIError(f"expected a list of weights, got {weights!r}", f"{field}.weights")
            w = None
            if weights is not None:
                w = tuple(float(parse_quantity(x, f"{field}.weights").magnitude) for x in weights)
            return Discrete(tuple(mags.values()), w, unit=unit)
        unitless = set(_UNITLESS_PARAMS.get(fam, ()))
        plain = {}
        for k in unitless & set(params):
            q = parse_quantity(params[k], f"{field}.{k}")
            if not q.dimensionless:
                raise SROIError(f"{k} must be a plain number, got {params[k]!r}", f"{field}.{k}")
            plain[k] = float(q.magnitude)
        mags, unit = _as_magnitudes(field, {k: v for k, v in params.items() if k not in unitless})
        if fam == "lognormal" and "median" not in params:
            return LogNormal.from_interval(mags["low"], mags["high"], unit=unit)
        kwargs: dict[str, Any] = {**mags, **plain}
        if fam == "normal":
            kwargs["mean_"] = kwargs.pop("mean")
        return _FAMILIES[fam](**kwargs, unit=unit)
    except SROIError as exc:
        msg = str(exc)
        if exc.field and msg.startswith(f"{exc.field}: "):
            msg = msg[len(exc.field) + 2 :]
        raise SROIError(msg, field if not exc.field or exc.field == fam else exc.field) from None
