"""Derive the Elderly Mode case's two time inputs from the estimates of its model file.

Usage::

    .venv/bin/python scripts/derive_elderly_mode_time_inputs.py          # print the YAML to paste
    .venv/bin/python scripts/derive_elderly_mode_time_inputs.py --check  # exit 1 if the file differs

Why a script: an ``Input`` in `sroi` is one value, not a product of estimates, so the time that
older users and families spend setting up and learning the mode (the same persons and the same
value of an hour as the outcomes) cannot be written as a product in the model file. This script
computes, from the model file's own estimates,

    older users' time = devices x in_use_in_china_share x older_users_per_device x active_share
                        x setup_hours_older_user x value_of_leisure_hour                  [CNY]
    families' time    = the same active older users x family_help_share x setup_hours_family
                        x value_of_leisure_hour                                           [CNY]

and represents each as a lognormal with the median and the geometric standard deviation of the
product over independent draws of its factors, and with the rank (Spearman) correlations of the
product with each uncertain factor that the outcomes share, and between the two products. The
model file's ``correlations`` then carry that dependence into every Monte Carlo run
(docs/method.md §6.2). The lognormal's central value is its median, so the point evaluation uses
the median of the product, not the product of the factors' central values (which is lower,
because the factors are right-skewed): the point ratio is the more conservative for it. The
test suite compares the library's Monte Carlo with one that recomputes the two inputs exactly
from the same draws (tests/test_elderly_mode.py).

Seed 20231125, 100,000 draws: Monte Carlo error about 0.003 on each correlation and 0.2% on the
geometric standard deviation; the file rounds them to two decimals.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from sroi.distributions import Distribution
from sroi.io.modelfile import analysis_from_dict
from sroi.safe_yaml import parse_yaml
from sroi.units import ureg

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "datasets" / "elderly_mode" / "elderly_mode.yaml"
SEED = 20231125
N = 100_000

REACH = ("devices", "in_use_in_china_share", "older_users_per_device", "active_share")
PRODUCTS = {
    "older_users_setup_time": (*REACH, "setup_hours_older_user", "value_of_leisure_hour"),
    "families_setup_time": (*REACH, "family_help_share", "setup_hours_family", "value_of_leisure_hour"),
}
#: Factors used only to derive the inputs: no correlation with them is needed (no field uses them).
DERIVATION_ONLY = ("setup_hours_older_user", "setup_hours_family")


def _draws(value: object, u: np.ndarray) -> tuple[np.ndarray, str]:
    if isinstance(value, Distribution):
        return np.asarray(value.ppf(u), dtype=float), str(value.unit or "")
    magnitude = float(getattr(value, "magnitude", value))
    return np.full(u.shape, magnitude), str(getattr(value, "units", ""))


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Rank correlation of two samples without ties (continuous draws)."""
    ranks = [np.argsort(np.argsort(x)).astype(float) for x in (a, b)]
    return float(np.corrcoef(ranks[0], ranks[1])[0, 1])


def derive(model: Path = MODEL, n: int = N, seed: int = SEED) -> dict[str, dict[str, object]]:
    """The lognormal median and gsd of each time input, and its rank correlations [CNY]."""
    doc = parse_yaml(model.read_text(encoding="utf-8"), str(model))
    doc.pop("correlations", None)  # they name the inputs this script derives
    parameters = analysis_from_dict(doc).parameters
    names = sorted({name for factors in PRODUCTS.values() for name in factors})
    rng = np.random.default_rng(seed)
    draws, units = {}, {}
    for name in names:  # sorted, so each factor always gets the same stream
        draws[name], units[name] = _draws(parameters[name], rng.random(n))
    out: dict[str, dict[str, object]] = {}
    products = {}
    for product, factors in PRODUCTS.items():
        unit = ureg.Unit("dimensionless")
        for f in factors:
            unit = unit * ureg.Unit(units[f] or "dimensionless")
        if unit != ureg.Unit("CNY"):
            raise SystemExit(f"{product}: the factors multiply to {unit}, not CNY")
        products[product] = np.prod([draws[f] for f in factors], axis=0)
        median = float(np.median(products[product]))
        gsd = float(np.exp(np.std(np.log(products[product]), ddof=1)))
        corr = {
            f: _spearman(products[product], draws[f])
            for f in factors
            if f not in DERIVATION_ONLY and isinstance(parameters[f], Distribution)
        }
        out[product] = {"median": median, "gsd": gsd, "correlations": corr}
    out["older_users_setup_time"]["correlations"]["families_setup_time"] = _spearman(  # type: ignore[index]
        products["older_users_setup_time"], products["families_setup_time"]
    )
    return out


def to_yaml(derived: dict[str, dict[str, object]]) -> tuple[list[str], list[str]]:
    """The ``parameters`` lines and the ``correlations`` lines for the model file."""
    params, corrs = [], []
    for product, d in derived.items():
        params.append(
            f"  {product}: {{distribution: lognormal, median: {d['median']:.2f} CNY, gsd: {d['gsd']:.2f}}}"
        )
        for other, rho in d["correlations"].items():  # type: ignore[attr-defined]
            corrs.append(f"  - [{product}, {other}, {rho:.2f}]")
    return params, corrs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the model file differs")
    args = parser.parse_args(argv)
    params, corrs = to_yaml(derive())
    if args.check:
        text = MODEL.read_text(encoding="utf-8")
        missing = [line for line in params + corrs if line not in text]
        for line in missing:
            print(f"not in {MODEL.name}: {line}")
        return 1 if missing else 0
    print("parameters:")
    print("\n".join(params))
    print("correlations:")
    print("\n".join(corrs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
