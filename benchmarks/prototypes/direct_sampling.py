"""Prototype (not used by sroi): what two changes to the draw step would buy.

1. Direct sampling: a triangular or uniform estimate that is in no correlation is drawn with
   numpy's ``Generator.triangular`` / ``Generator.uniform`` on the key's own stream. Those
   apply the same inverse CDF to the same ``random()`` values as ``ppf(u)`` does (one double
   per value, in order), so the draws are equal to the current ones (checked below: the
   ratio of every sample agrees to 1e-15; a uniform of exactly 0, probability 2^-53, is the
   only case where the value differs, by at most 2^-54 of the range).
2. Blocked quantiles: the remaining families are evaluated in blocks of rows of about 2^16
   values, so that a chunk of a 2,000-outcome model (10,000 rows x 1,024 samples, 80 MB)
   stays in cache.

It replaces ``sroi.uncertainty._Draws`` for the duration of a ``with`` block and times
``sroi.simulate`` with and without it against the numpy version (benchmarks/model.py).

    .venv/bin/python benchmarks/prototypes/direct_sampling.py [--outcomes 20] [--n 1000000]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness
import numpy as np
from model import Spec, build_analysis, numpy_closed_form

BLOCK = 1 << 16


def make_draws_class() -> type:
    from sroi import uncertainty
    from sroi.distributions import Triangular, Uniform
    from sroi.quantiles import BatchQuantile
    from sroi.sampling import _U_MAX, _U_MIN, _correlate

    class DirectDraws(uncertainty._Draws):  # type: ignore[name-defined]
        def __init__(self, analysis: Any, seed: Any, base: Any = None) -> None:
            super().__init__(analysis, seed, base)
            s = self.sampler
            corr = set(s._corr_idx.tolist())
            dists = self.quantile.distributions
            self.direct = [
                (j, s._streams[j], d)
                for j, d in enumerate(dists)
                if j not in corr and type(d) in (Triangular, Uniform)
            ]
            direct = {j for j, _, _ in self.direct}
            self.rest = np.array([j for j in range(len(dists)) if j not in direct], dtype=np.intp)
            self.rest_streams = [s._streams[j] for j in self.rest]
            self.corr_local = np.array(
                [int(np.flatnonzero(self.rest == j)[0]) for j in s._corr_idx], dtype=np.intp
            )
            per = max(1, BLOCK // 1024)
            self.blocks = [
                (i, BatchQuantile([dists[j] for j in self.rest[i : i + per]]))
                for i in range(0, self.rest.size, per)
            ]

        def next(self, m: int, offset: int) -> np.ndarray:
            from scipy import special

            out = np.empty((len(self.keys), m))
            for j, stream, d in self.direct:
                if type(d) is Triangular:
                    out[j] = stream.triangular(d.low, d.mode, d.high, m) if d.high > d.low else d.low
                else:
                    out[j] = stream.uniform(d.low, d.high, m)
            if self.rest.size:
                u = np.empty((self.rest.size, m))
                for row, stream in zip(u, self.rest_streams, strict=True):
                    stream.random(out=row)
                np.maximum(u, _U_MIN, out=u)
                s = self.sampler
                if s._factor is not None:
                    z = _correlate(s._factor, s._lower, special.ndtri(u[self.corr_local]))
                    u[self.corr_local] = np.clip(special.ndtr(z), _U_MIN, _U_MAX)
                vals = np.empty_like(u)
                for i, bq in self.blocks:
                    bq(u[i : i + len(bq.distributions)], out=vals[i : i + len(bq.distributions)])
                out[self.rest] = vals
            return out

    return DirectDraws


@contextlib.contextmanager
def direct_sampling() -> Iterator[None]:
    from sroi import uncertainty

    saved = uncertainty._Draws
    uncertainty._Draws = make_draws_class()
    try:
        yield
    finally:
        uncertainty._Draws = saved


def main() -> None:
    import sroi

    parser = argparse.ArgumentParser()
    parser.add_argument("--outcomes", type=int, default=20)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--model", choices=["benchmark", "elderly"], default="benchmark")
    args = parser.parse_args()
    spec = Spec(args.outcomes, args.years)
    if args.model == "elderly":
        analysis = sroi.load(Path(harness.ROOT, "datasets", "elderly_mode", "elderly_mode.yaml"))
    else:
        analysis = build_analysis(spec)
    n = args.n
    base = sroi.simulate(analysis, min(n, 100_000), seed=3, keep_draws=False)
    with direct_sampling():
        fast = sroi.simulate(analysis, min(n, 100_000), seed=3, keep_draws=False)
    diff = float(np.max(np.abs(fast.ratio / base.ratio - 1)))
    print(f"largest relative difference of the ratio, current vs prototype draws: {diff:.1e}")

    def proto() -> Any:
        with direct_sampling():
            return sroi.simulate(analysis, n, seed=1, keep_draws=False)

    methods = {
        "sroi now": lambda: sroi.simulate(analysis, n, seed=1, keep_draws=False),
        "sroi + prototype": proto,
    }
    if args.model == "benchmark":
        methods["numpy"] = lambda: numpy_closed_form(spec, n, 2)
    t = harness.interleaved(methods, args.repeat, keep=False)
    ref = t["numpy"] if "numpy" in t else t["sroi now"]
    print(harness.machine())
    print(
        f"{args.model} model, {len(analysis.outcomes)} outcomes, {n:,} draws, CPU s, {args.repeat} interleaved runs"
    )
    rows = [[k, *v.text().split(), f"{harness.ratio(v, ref)[0]:.2f}"] for k, v in t.items()]
    print(harness.table(rows, ["method", "min", "median", "max", f"/ {ref.name} (min)"]))


if __name__ == "__main__":
    main()
