"""Credit-line scenarios: who is bound to pay for which outcome, and the lender's terms.

A scenario changes only the cash tier, contract status and payer of some outcomes (never the
social value) and names the credit-line options of that case. Read them from YAML with
:func:`load_credit_scenarios` (e.g. ``datasets/elderly_mode/credit_scenarios.yaml``).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sroi.exceptions import SROIError, field_prefix
from sroi.safe_yaml import read_yaml_file
from sroi.validation import check_bool, check_number
from sroi.valuemap import as_id, as_text

if TYPE_CHECKING:
    from sroi.analysis import Analysis

__all__ = ["CreditScenario", "apply_changes", "check_scenarios", "load_credit_scenarios"]

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
_POSITION_RE = re.compile(r"^outcomes\[\d+\]$")


@dataclass(frozen=True)
class CreditScenario:
    """Who is bound to pay for which outcome, and the lender's terms, for one credit-line case.

    Parameters
    ----------
    name : str
    description : str
        Plain-language statement of the scenario (shown next to the line).
    changes : mapping
        ``{outcome_id: {"cash_tier": ..., "contracted": ..., "payer": ...}}``, outcomes named by
        their id (:attr:`sroi.Analysis.outcome_ids`), never by position (rows move, ids do not).
        Only the cash tier, contract and payer can change: a scenario never changes the social
        value.
    credit : mapping
        Keyword arguments of :func:`sroi.finance.credit_line` (``haircut``, ``dscr_p50``,
        ``dscr_p90``, ``loan_rate``, ``percentile``, ``tenor``, ``cv``, ``contract`` (a mapping of
        :class:`~sroi.finance.ContractTerms` fields), ``percentile_basis``, ``reserve_months``,
        ``tail_years``, ``max_gearing``, ``project_cost``, ``allow_dscr_below_one``).
    illustrative : bool
        True when the scenario is not a real contract; reports label it so. Only ``True`` or
        ``False`` (in a file, ``true`` or ``false``): the text ``'false'`` is an error, never
        read as true.

    Raises
    ------
    SROIError
        Naming the field of anything malformed.
    """

    name: str
    description: str = ""
    changes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    credit: Mapping[str, Any] = field(default_factory=dict)
    illustrative: bool = False

    def __post_init__(self) -> None:
        as_text(self.name, "name", required=True)
        as_text(self.description, "description")
        if len(self.name) > 200:
            raise SROIError(f"a scenario name has at most 200 characters, got {len(self.name):,}", "name")
        if not isinstance(self.changes, Mapping):
            raise SROIError(
                "expected a mapping such as {'channel_shift': {'cash_tier': 'B', 'contracted': true}}, "
                f"got {type(self.changes).__name__} {self.changes!r:.60}",
                "changes",
            )
        for key, change in self.changes.items():
            if isinstance(key, str) and _POSITION_RE.match(key):
                raise SROIError(
                    f"{key!r} refers to an outcome by its position; refer to it by its id (the outcome's "
                    "'id', or sroi.Analysis.outcome_ids): rows move, ids do not",
                    "changes",
                )
            as_id(key, "changes")
            if not isinstance(change, Mapping) or set(change) - set(_OUTCOME_CHANGES):
                raise SROIError(
                    f"a scenario may change only {_OUTCOME_CHANGES} of an outcome, got {change!r:.80}",
                    f"changes.{key}",
                )
            if "contracted" in change:
                check_bool(change["contracted"], f"changes.{key}.contracted")
            for name in ("cash_tier", "payer"):
                if name in change:
                    as_text(change[name], f"changes.{key}.{name}")
        if not isinstance(self.credit, Mapping):
            raise SROIError(
                f"expected a mapping of credit options such as {{'haircut': 0.8}}, got "
                f"{type(self.credit).__name__} {self.credit!r:.60}",
                "credit",
            )
        unknown = set(self.credit) - set(_CREDIT_OPTIONS)
        if unknown:
            raise SROIError(
                f"unknown credit option(s) {sorted(map(str, unknown))}; expected {_CREDIT_OPTIONS}", "credit"
            )
        check_bool(self.illustrative, "illustrative")


def check_scenarios(scenarios: Any, name: str = "credit_scenarios") -> list[CreditScenario]:
    """A list of credit scenarios with distinct names (a report keys its credit lines by name).

    Parameters
    ----------
    scenarios : sequence of CreditScenario
    name : str
        The argument's name, for error messages.

    Returns
    -------
    list of CreditScenario

    Raises
    ------
    SROIError
        Not a sequence of :class:`CreditScenario`, or two scenarios with the same name (the
        second would silently replace the first in a report).

    Examples
    --------
    >>> check_scenarios([CreditScenario("A"), CreditScenario("A")])
    Traceback (most recent call last):
    ...
    sroi.exceptions.SROIError: credit_scenarios[1].name: the name 'A' is already the name of credit_scenarios[0]; give each scenario its own name
    """
    if isinstance(scenarios, (str, bytes, Mapping)) or not isinstance(scenarios, Sequence):
        raise SROIError(f"expected a list of CreditScenario, got {type(scenarios).__name__}", name)
    seen: dict[str, int] = {}
    for i, sc in enumerate(scenarios):
        if not isinstance(sc, CreditScenario):
            raise SROIError(f"expected a CreditScenario, got {type(sc).__name__}", f"{name}[{i}]")
        key = sc.name.strip().casefold()
        if key in seen:
            raise SROIError(
                f"the name {sc.name[:60]!r} is already the name of {name}[{seen[key]}]; give each scenario "
                "its own name",
                f"{name}[{i}].name",
            )
        seen[key] = i
    return list(scenarios)


def apply_changes(analysis: Analysis, changes: Mapping[str, Mapping[str, Any]]) -> Analysis:
    """A copy of ``analysis`` with the cash tier, contract or payer of some outcomes changed.

    Parameters
    ----------
    analysis : Analysis
    changes : mapping
        ``{outcome_id: {"cash_tier": "B", "contracted": True, "payer": "..."}}``.

    Returns
    -------
    Analysis
        Validated again; the social value is unchanged.

    Raises
    ------
    SROIError
        An outcome named by position or by an unknown id (the message lists the ids), or an
        invalid tier, naming the outcome.
    """
    if not isinstance(changes, Mapping):
        raise SROIError(
            f"expected a mapping such as {{'channel_shift': {{...}}}}, got {type(changes).__name__}",
            "changes",
        )
    outcomes = list(analysis.outcomes)
    for key, change in changes.items():
        i = analysis.outcome_index(key, "changes")
        if not isinstance(change, Mapping) or set(change) - set(_OUTCOME_CHANGES):
            raise SROIError(
                f"a scenario may change only {_OUTCOME_CHANGES} of an outcome, got {change!r:.80}",
                f"changes.{key}",
            )
        with field_prefix(f"outcomes[{i}]"):
            outcomes[i] = dataclasses.replace(outcomes[i], **dict(change))
    return analysis.replace(outcomes=outcomes)


# Credit options read from a file: their type is checked at load, naming the scenario (their
# values are checked by sroi.finance.credit_line). None is allowed where the default is None.
_NUMBER_OPTIONS = (
    "haircut",
    "dscr_p50",
    "dscr_p90",
    "loan_rate",
    "percentile",
    "reserve_months",
    "tail_years",
)
_OPTIONAL_NUMBER_OPTIONS = ("tenor", "max_gearing")


def _check_credit_option(key: Any, value: Any) -> None:
    if key in _NUMBER_OPTIONS or (key in _OPTIONAL_NUMBER_OPTIONS and value is not None):
        check_number(value, f"credit.{key}")
    elif key == "allow_dscr_below_one":
        check_bool(value, f"credit.{key}")
    elif key == "contract" and value is not None and not isinstance(value, Mapping):
        raise SROIError(f"expected a mapping of contract terms, got {value!r:.60}", f"credit.{key}")
    elif key == "percentile_basis" and not isinstance(value, str):
        raise SROIError(f"expected 'year_by_year' or 'whole_stream', got {value!r:.60}", f"credit.{key}")


def load_credit_scenarios(path: str | os.PathLike[str]) -> list[CreditScenario]:
    """Read credit-line scenarios from YAML (``scenarios: [{name, description, changes, credit,
    illustrative}]``), e.g. ``datasets/elderly_mode/credit_scenarios.yaml``.

    Parameters
    ----------
    path : str or path-like
        A YAML file (read by :func:`sroi.safe_yaml.read_yaml_file`: bounded, regular files only).

    Returns
    -------
    list of CreditScenario

    Raises
    ------
    SROIError
        Naming ``scenarios[i]`` and the field: a missing or blank name, two scenarios with the
        same name, ``illustrative``, ``contracted`` or ``allow_dscr_below_one`` other than
        ``true``/``false`` (``'false'``, ``'no'``, ``0`` are refused, never read as true), a
        numeric credit option that is not a number, or any other malformed entry.
    """
    doc = read_yaml_file(path, "credit scenarios")
    if not isinstance(doc, Mapping) or not isinstance(doc.get("scenarios"), list):
        raise SROIError("expected a mapping with a list under 'scenarios'", "credit scenarios")
    extra = set(doc) - {"scenarios"}
    if extra:
        raise SROIError(f"unknown key(s) {sorted(map(str, extra))}; expected 'scenarios'", "credit scenarios")
    out = []
    for i, s in enumerate(doc["scenarios"]):
        if not isinstance(s, Mapping):
            raise SROIError(f"expected a mapping, got {s!r:.60}", f"scenarios[{i}]")
        unknown = set(s) - {"name", "description", "changes", "credit", "illustrative"}
        if unknown:
            raise SROIError(f"unknown key(s) {sorted(map(str, unknown))}", f"scenarios[{i}]")
        with field_prefix(f"scenarios[{i}]"):
            credit = s.get("credit")
            for key, value in credit.items() if isinstance(credit, Mapping) else ():
                _check_credit_option(key, value)
            out.append(
                CreditScenario(
                    name=s.get("name", ""),
                    description=s.get("description") or "",
                    changes=s.get("changes") or {},
                    credit=credit if credit is not None else {},
                    illustrative=s.get("illustrative", False),
                )
            )
    return check_scenarios(out, "scenarios")
