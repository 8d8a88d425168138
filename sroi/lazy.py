"""Lazy public names for a package (PEP 562): ``import sroi`` stays cheap.

A package lists where each public name lives; the name is imported from that module on first
use and cached in the package, and a submodule is imported on first attribute access. Used by
:mod:`sroi`, :mod:`sroi.io` and :mod:`sroi.evidence`, so ``sroi --help`` and ``import sroi``
load none of scipy, statsmodels, matplotlib or openpyxl (``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["attach"]


def attach(
    package: str, names: Mapping[str, str], public: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of a package with lazy public names.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : mapping of str to str
        Public name -> the module that defines it.
    public : sequence of str
        The package's ``__all__`` (listed by ``dir()`` before first use).

    Returns
    -------
    (__getattr__, __dir__)
        To assign at the package's top level (PEP 562).

    Examples
    --------
    >>> import sroi
    >>> "Analysis" in dir(sroi)
    True
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is not None:
            value = getattr(importlib.import_module(module), name)
            vars(sys.modules[package])[name] = value  # later look-ups skip this function
            return value
        if not name.startswith("_"):
            try:
                return importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *public})

    return __getattr__, __dir__
