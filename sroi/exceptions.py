"""Exceptions and warnings raised by :mod:`sroi`.

Every error a user can cause is an :class:`SROIError` (a :class:`ValueError`), whose
message names the field (with its path, e.g. ``outcomes[2].deadweight``), the value
received, what was expected and, where it helps, what to do.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["ConversionError", "ConvergenceError", "SROIError", "SROIWarning", "UnitError", "field_prefix"]


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


@contextlib.contextmanager
def field_prefix(prefix: str) -> Iterator[None]:
    """Re-raise :class:`SROIError` raised inside the block with ``prefix`` added to its field path.

    Used where a nested object is validated on its own (an outcome knows its fields as
    ``deadweight``; inside an analysis it is ``outcomes[2].deadweight``).

    Examples
    --------
    >>> try:
    ...     with field_prefix("outcomes[2]"):
    ...         raise SROIError("expected a fraction", "deadweight")
    ... except SROIError as exc:
    ...     print(exc)
    outcomes[2].deadweight: expected a fraction
    """
    try:
        yield
    except SROIError as exc:
        if exc.field and exc.field.startswith(prefix):
            raise
        sub = exc.field or ""
        msg = str(exc)
        if sub and msg.startswith(f"{sub}: "):
            msg = msg[len(sub) + 2 :]
        joined = f"{prefix}.{sub}" if sub and not sub.startswith("[") else f"{prefix}{sub}"
        raise type(exc)(msg, joined) from None
