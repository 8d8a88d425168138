"""Credit-line scenarios: who is bound to pay for which outcome, and the lender's terms.

A scenario changes only the cash tier, contract status and payer of some outcomes (never the
social value) and names the credit-line options of that case. Read them from YAML with
:func:`load_credit_scenarios` (e.g. ``datasets/elderly_mode/credit_scenarios.yaml``).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sroi.exceptions import SROIError, field_prefix
from sroi.safe_yaml import read_yaml_file

if TYPE_CHECKING:
    from sroi.analysis import Analysis

__all__ = ["CreditScenario", "apply_changes", "load_credit_scenarios"]

_OUTCOME_CHANGES = ("cash_tier", "contracted", "payer")
_CREDIT_OPTIONS = (
    "haircut",
    "dscr_p50",
    "dscr_p90",
    "loan_rate",
    "percentile",
    "tenor",
    "cv",
    "contract",
    "percentile_basis",
    "reserve_months",
    "tail_years",
    "max_gearing",
    "project_cost",
    "allow_dscr_below_one",
)
_PATH_RE = re.compile(r"^outcomes\[(\d+)\]$")


@dataclass(frozen=True)
class CreditScenario:
    """Who is bound to pay for which outcome, and the lender's terms, for one credit-line case.

    Parameters
    ----------
    name : str
    description : str
        Plain-language statement of the scenario (shown next to the line).
    changes : mapping
        ``{"outcomes[i]": {"cash_tier": ..., "contracted": ..., "payer": ...}}``. Only the cash
        tier, contract and payer can change: a scenario never changes the social value.
    credit : mapping
        Keyword arguments of :func:`sroi.finance.credit_line` (``haircut``, ``dscr_p50``,
        ``dscr_p90``, ``loan_rate``, ``percentile``, ``tenor``, ``cv``, ``contract`` (a mapping of
        :class:`~sroi.finance.ContractTerms` fields), ``percentile_basis``, ``reserve_months``,
        ``tail_years``, ``max_gearing``, ``project_cost``, ``allow_dscr_below_one``).
    illustrative : bool
        True when the scenario is not a real contract; reports label it so.
    """

    name: str
    description: str = ""
    changes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    credit: Mapping[str, Any] = field(default_factory=dict)
    illustrative: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SROIError(f"expected a scenario name, got {self.name!r}", "name")
        for key, change in self.changes.items():
            if not _PATH_RE.match(str(key)):
                raise SROIError(f"expected a field path such as 'outcomes[4]', got {key!r}", "changes")
            if not isinstance(change, Mapping) or set(change) - set(_OUTCOME_CHANGES):
                raise SROIError(
                    f"a scenario may change only {_OUTCOME_CHANGES} of an outcome, got {change!r}",
                    f"changes.{key}",
                )
        unknown = set(self.credit) - set(_CREDIT_OPTIONS)
        if unknown:
            raise SROIError(
                f"unknown credit option(s) {sorted(unknown)}; expected {_CREDIT_OPTIONS}", "credit"
            )


def apply_changes(analysis: Analysis, changes: Mapping[str, Mapping[str, Any]]) -> Analysis:
    """A copy of ``analysis`` with the cash tier, contract or payer of some outcomes changed.

    Parameters
    ----------
    analysis : Analysis
    changes : mapping
        ``{"outcomes[i]": {"cash_tier": "B", "contracted": True, "payer": "..."}}``.

    Returns
    -------
    Analysis
        Validated again; the social value is unchanged.

    Raises
    ------
    SROIError
        An outcome index out of range or an invalid tier, naming ``outcomes[i]``.
    """
    outcomes = list(analysis.outcomes)
    for key, change in changes.items():
        m = _PATH_RE.match(str(key))
        if not m:
            raise SROIError(f"expected a field path such as 'outcomes[4]', got {key!r}", "changes")
        i = int(m.group(1))
        if i >= len(outcomes):
            raise SROIError(
                f"the analysis has {len(outcomes)} outcomes; there is no outcomes[{i}]", "changes"
            )
        with field_prefix(f"outcomes[{i}]"):
            outcomes[i] = dataclasses.replace(outcomes[i], **dict(change))
    return analysis.replace(outcomes=outcomes)


def load_credit_scenarios(path: str | os.PathLike[str]) -> list[CreditScenario]:
    """Read credit-line scenarios from YAML (``scenarios: [{name, description, changes, credit,
    illustrative}]``), e.g. ``datasets/elderly_mode/credit_scenarios.yaml``."""
    doc = read_yaml_file(path, "credit scenarios")
    if not isinstance(doc, Mapping) or not isinstance(doc.get("scenarios"), list):
        raise SROIError("expected a mapping with a list under 'scenarios'", "credit scenarios")
    out = []
    for i, s in enumerate(doc["scenarios"]):
        if not isinstance(s, Mapping):
            raise SROIError(f"expected a mapping, got {s!r}", f"scenarios[{i}]")
        unknown = set(s) - {"name", "description", "changes", "credit", "illustrative"}
        if unknown:
            raise SROIError(f"unknown key(s) {sorted(unknown)}", f"scenarios[{i}]")
        with field_prefix(f"scenarios[{i}]"):
            out.append(
                CreditScenario(
                    name=s.get("name", ""),
                    description=s.get("description", ""),
                    changes=s.get("changes") or {},
                    credit=s.get("credit") or {},
                    illustrative=bool(s.get("illustrative", False)),
                )
            )
    return out
