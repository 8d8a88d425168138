"""Exceptions and warnings raised by :mod:`sroi`.

Every error a user can cause is an :class:`SROIError` (a :class:`ValueError`), whose
message names the field (with its path, e.g. ``outcomes[2].deadweight``), the value
received, what was expected and, where it helps, what to do.
"""

from __future__ import annotations

__all__ = ["SROIError", "SROIWarning", "UnitError", "ConversionError", "ConvergenceError"]


class SROIError(ValueError):
    """Bad input or an impossible request.

    Parameters
    ----------
    message : str
        What went wrong, naming the field, the value received and what was expected.
    field : str, optional
        Path of the offending field, e.g. ``"outcomes[2].deadweight"``. When given and not
        already in the message, it is prefixed to it.

    Examples
    --------
    >>> err = SROIError("expected a fraction in [0, 1], got 20", field="outcomes[0].deadweight")
    >>> str(err)
    'outcomes[0].deadweight: expected a fraction in [0, 1], got 20'
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        if field and not message.startswith(f"{field}:"):
            message = f"{field}: {message}"
        super().__init__(message)


class UnitError(SROIError):
    """A unit that is unknown, or a dimension mismatch (e.g. a per-person proxy x devices)."""


class ConversionError(SROIError):
    """A currency or price-year conversion that cannot be made with the rates available."""


class ConvergenceError(SROIError):
    """A numerical fit or root search that did not converge; the message says what to try."""


class SROIWarning(UserWarning):
    """An input that is allowed but needs a justification (e.g. outside published practice)."""
