"""Deprecated location of the margin ratchet; use :mod:`sroi.finance` (``sroi.finance.margin_ratchet``)."""

import warnings

from sroi.finance.ratchet import MarginRatchet, margin_ratchet

__all__ = ["MarginRatchet", "margin_ratchet"]

warnings.warn(
    "sroi.ratchet is deprecated and will be removed in sroi 0.3: use sroi.finance.margin_ratchet",
    DeprecationWarning,
    stacklevel=2,
)
