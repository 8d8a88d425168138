"""A programme of a lender's book: an analysis with its key, borrower, payer and loan terms.

:class:`Programme` is one line of the book; :func:`read_programmes` turns what a
:class:`~sroi.portfolio.Portfolio` is given (programmes, analyses, model files, a folder of
them) into programmes with checked, unique keys (docs/method.md §13.1).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sroi.analysis import Analysis
from sroi.exceptions import SROIError
from sroi.finance import credit_line
from sroi.io import load
from sroi.result import cash_flow_sources

__all__ = ["Programme", "read_programmes"]

_MODEL_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Programme:
    """One programme of a book: its analysis, key, borrower, payer and loan terms.

    Parameters
    ----------
    key : str
        Unique name of the programme in the book; it names the programme's random streams,
        so a programme keeps its draws whatever else is in the book (docs/method.md §13.2).
    analysis : Analysis
    borrower : str, optional
        Who borrows against the programme's eligible cash; default the key. Programmes of one
        borrower are sized together as one line (:meth:`BookSimulation.borrower_lines`).
    payer : str, optional
        Who pays the programme's eligible cash (for concentration by payer); default the payers
        named on its eligible outcomes, joined, or ``"unknown"``.
    credit : mapping, optional
        The loan terms of the borrower's line: keyword arguments of
        :func:`sroi.finance.credit_line` (``haircut``, ``dscr_p50``, ``dscr_p90``,
        ``loan_rate``, ``tenor``, ...). Programmes of one borrower must give the same terms.
    specific : tuple of str
        Named parameters of this programme drawn for it alone rather than shared with the book.

    Examples
    --------
    >>> import sroi
    >>> from sroi.portfolio import Programme
    >>> a = sroi.Analysis(name="Pilot", currency="GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    ...     outcomes=[sroi.Outcome("People", "Better", quantity="10 person", proxy="500 GBP/person")])
    >>> Programme("north", a, borrower="Provider A").borrower
    'Provider A'
    """

    key: str
    analysis: Analysis
    borrower: str | None = None
    payer: str | None = None
    credit: Mapping[str, Any] = field(default_factory=dict)
    specific: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.strip():
            raise SROIError(f"expected a non-empty text key, got {self.key!r}", "key")
        if not isinstance(self.analysis, Analysis):
            raise SROIError(f"expected an sroi.Analysis, got {type(self.analysis).__name__}", "analysis")
        for name in ("borrower", "payer"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, str) or not v.strip()):
                raise SROIError(f"expected a non-empty text or None, got {v!r}", name)
        if not isinstance(self.credit, Mapping):
            raise SROIError(
                f"expected a mapping of credit_line arguments, got {type(self.credit).__name__}", "credit"
            )
        known = set(credit_line.__kwdefaults__ or {})
        unknown = sorted(set(map(str, self.credit)) - known)
        if unknown:
            raise SROIError(f"unknown loan term(s) {unknown}; expected some of {sorted(known)}", "credit")
        if isinstance(self.specific, str) or not all(isinstance(s, str) for s in self.specific):
            raise SROIError(f"expected a tuple of parameter names, got {self.specific!r}", "specific")
        object.__setattr__(self, "specific", tuple(self.specific))
        object.__setattr__(self, "credit", dict(self.credit))

    @property
    def borrower_name(self) -> str:
        """The borrower, or the key when none is given."""
        return self.borrower or self.key

    @property
    def payer_name(self) -> str:
        """The payer given, else the payers of the eligible outcomes (joined by ``; ``), else
        ``"unknown"``."""
        if self.payer:
            return self.payer
        table = cash_flow_sources(self.analysis.outcomes)
        names = sorted({str(p) for p in table.loc[table["eligible"], "payer"].dropna() if str(p).strip()})
        return "; ".join(names) or "unknown"


def _from_path(path: Path, where: str) -> list[Programme]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _MODEL_SUFFIXES and p.is_file())
        if not files:
            raise SROIError(f"the folder {str(path)!r} holds no model file (*.yaml, *.yml)", where)
        return [Programme(p.stem, load(p)) for p in files]
    if not path.is_file():
        raise SROIError(f"no model file or folder at {str(path)!r}", where)
    return [Programme(path.stem, load(path))]


def read_programmes(programmes: Any) -> list[Programme]:
    """Programmes from a folder, a model file, or a sequence of Programme, Analysis, model
    files, mappings of Programme arguments or (key, Analysis) pairs.

    Raises
    ------
    SROIError
        Naming ``programmes[i]`` (and its field): an item of another kind, an empty book, a
        duplicate key, or a currency other than the first programme's.
    """
    if isinstance(programmes, (str, os.PathLike)):
        items: list[Programme] = _from_path(Path(programmes), "programmes")
    elif isinstance(programmes, Iterable) and not isinstance(programmes, (bytes, Mapping)):
        items = []
        for i, item in enumerate(programmes):
            where = f"programmes[{i}]"
            if isinstance(item, Programme):
                items.append(item)
            elif isinstance(item, Analysis):
                items.append(Programme(item.name, item))
            elif isinstance(item, (str, os.PathLike)):
                items += _from_path(Path(item), where)
            elif isinstance(item, Mapping):
                try:
                    items.append(Programme(**{str(k): v for k, v in item.items()}))
                except TypeError as err:
                    raise SROIError(
                        f"{err}; expected the arguments of sroi.portfolio.Programme", where
                    ) from None
                except SROIError as err:
                    raise SROIError(str(err), f"{where}.{err.field}" if err.field else where) from None
            elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Analysis):
                items.append(Programme(str(item[0]), item[1]))
            else:
                raise SROIError(
                    f"expected a Programme, an Analysis, a model file or a mapping, got {type(item).__name__}",
                    where,
                )
    else:
        raise SROIError(
            f"expected a folder, a model file or a sequence of programmes, got {type(programmes).__name__}",
            "programmes",
        )
    if not items:
        raise SROIError("the book is empty; give at least one programme", "programmes")
    seen: dict[str, int] = {}
    currency = items[0].analysis.currency
    for i, p in enumerate(items):
        if p.key in seen:
            raise SROIError(
                f"duplicate key {p.key!r} (also programmes[{seen[p.key]}]); every programme needs its own key",
                f"programmes[{i}].key",
            )
        seen[p.key] = i
        if p.analysis.currency != currency:
            raise SROIError(
                f"amounts in {p.analysis.currency}, but the book is in {currency} (programmes[0]); "
                "convert the analysis to one currency (its rates:) before adding it",
                f"programmes[{i}].currency",
            )
    return items
