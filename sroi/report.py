"""The whole analysis in one call: point result, Monte Carlo, tornado, switching values,
practice benchmarks and credit-line scenarios, with tables and figures written to a folder.

:func:`analyse` is what ``make demo`` and ``sroi analyse MODEL`` run. It composes the other
modules and adds no arithmetic of its own: every number comes from the one engine through
:meth:`Analysis.evaluate`, :func:`sroi.uncertainty.simulate`, :mod:`sroi.sensitivity` and
:func:`sroi.finance.credit_line`.

Examples
--------
>>> import sroi
>>> from sroi.report import analyse
>>> rep = analyse(sroi.load(sroi.datasets.dataset_path("example", "digital_inclusion.yaml")),
...               n=2000, seed=1)
>>> round(rep.result.ratio, 2), rep.simulation.n
(4.88, 2000)
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sroi.exceptions import SROIError
from sroi.model import Analysis, _prefixed

__all__ = ["CreditScenario", "Report", "analyse", "apply_changes", "load_credit_scenarios"]

_OUTCOME_CHANGES = ("cash_tier", "contracted", "payer")
_CREDIT_OPTIONS = ("haircut", "dscr_p50", "dscr_p90", "loan_rate", "percentile", "tenor", "cv")
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
        ``dscr_p90``, ``loan_rate``, ``percentile``, ``tenor``).
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
        with _prefixed(f"outcomes[{i}]"):
            outcomes[i] = dataclasses.replace(outcomes[i], **dict(change))
    return analysis.replace(outcomes=outcomes)


def load_credit_scenarios(path: str | os.PathLike[str]) -> list[CreditScenario]:
    """Read credit-line scenarios from YAML (``scenarios: [{name, description, changes, credit,
    illustrative}]``), e.g. ``datasets/elderly_mode/credit_scenarios.yaml``."""
    from sroi.io import read_yaml_file

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
        with _prefixed(f"scenarios[{i}]"):
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


@dataclass
class Report:
    """Everything :func:`analyse` computed, with its tables, figures and a printed summary."""

    analysis: Analysis
    result: Any
    simulation: Any
    tornado: pd.DataFrame
    break_even: pd.DataFrame
    practice: pd.DataFrame
    credit: dict[str, Any]
    scenarios: list[CreditScenario]
    target: float = 1.0

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by name (value map, breakdowns, Monte Carlo, sensitivity, credit)."""
        r, s = self.result, self.simulation
        tables = {
            "value_map": r.by_outcome,
            "by_stakeholder": r.by_stakeholder,
            "per_year": r.per_year.reset_index(),
            "value_by_tier": r.value_by_tier.reset_index(),
            "conversions": r.conversions,
            "estimates": self.analysis.estimates(),
            "monte_carlo_summary": s.summary().reset_index(),
            "tornado": self.tornado,
            "break_even": self.break_even,
            "practice_benchmarks": self.practice,
        }
        rows = []
        for sc in self.scenarios:
            line = self.credit[sc.name]
            rows.append(
                {
                    "scenario": sc.name,
                    "illustrative": sc.illustrative,
                    "amount": _magnitude(line.amount),
                    "currency": self.analysis.currency,
                    "binding_case": line.binding_case,
                    "description": sc.description,
                }
            )
            tables[f"credit_steps_{_slug(sc.name)}"] = line.steps
        if rows:
            tables["credit_lines"] = pd.DataFrame(rows)
        return tables

    def figures(self) -> dict[str, Any]:
        """Figures by name (matplotlib Figures): tornado, ratio distribution, waterfall,
        PV by stakeholder, cumulative value against inputs."""
        import matplotlib.pyplot as plt

        from sroi import plot

        draw: dict[str, tuple[Any, tuple[float, float]]] = {
            "tornado": (lambda ax: plot.plot_tornado(self.tornado.head(15), ax=ax), (9, 10)),
            "ratio_distribution": (
                lambda ax: plot.plot_ratio_distribution(self.simulation, target=self.target, ax=ax),
                (7, 4),
            ),
            "waterfall": (lambda ax: plot.plot_waterfall(self.result, ax=ax), (8, 4.5)),
            "by_stakeholder": (lambda ax: plot.plot_by_stakeholder(self.result, ax=ax), (7, 4)),
            "cumulative": (lambda ax: plot.plot_cumulative(self.result, ax=ax), (7, 4)),
        }
        figs = {}
        for name, (fn, size) in draw.items():
            fig, ax = plt.subplots(figsize=size)
            fn(ax)
            fig.tight_layout()
            figs[name] = fig
        return figs

    def write(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write every table (CSV) and figure (PNG) into ``directory``; return the paths."""
        import matplotlib.pyplot as plt

        from sroi.export import export_tables

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = list(export_tables(_TablesOf(self.tables()), out, formats=("csv",)))
        for name, fig in self.figures().items():
            path = out / f"{name}.png"
            fig.savefig(path, dpi=120)
            plt.close(fig)
            paths.append(path)
        (out / "summary.txt").write_text(self.summary_text() + "\n", encoding="utf-8")
        paths.append(out / "summary.txt")
        return paths

    def summary_text(self, top: int = 5) -> str:
        """The headline numbers in plain text (what ``make demo`` prints)."""
        r, s, cur = self.result, self.simulation, self.analysis.currency
        lo, hi = s.interval(0.8)
        p50 = float(pd.Series(s.ratio).median())
        lines = [
            f"{self.analysis.name}",
            "",
            "Value map (point values):",
            _indent(
                r.by_outcome[
                    [
                        "stakeholder",
                        "outcome",
                        "quantity",
                        "quantity_unit",
                        "impact",
                        "present_value",
                        "share",
                    ]
                ].to_string(index=False, float_format=lambda x: f"{x:,.3g}")
            ),
            "",
            f"Present value {r.present_value.magnitude:,.0f} {cur}; inputs {r.total_inputs.magnitude:,.0f} {cur}; "
            f"NPV {r.net_present_value.magnitude:,.0f} {cur}",
            f"SROI ratio (point values) {r.ratio:.2f} : 1",
            f"Monte Carlo ({s.n:,} draws): median {p50:.2f} : 1, 80% interval (P10-P90) {lo:.2f} to {hi:.2f}, "
            f"P(ratio > {self.target:g}) = {s.probability_ratio_exceeds(self.target):.3f}",
            "",
            f"Largest switching values (how far one estimate must move for the ratio to fall to {self.target:g}):",
            _indent(_top_break_even(self.break_even, top)),
        ]
        flagged = self.practice[self.practice["outside_p10_p90"]] if len(self.practice) else self.practice
        if len(flagged):
            lines += ["", "Outside the P10-P90 of 383 published SROI reports (justify these):"]
            lines += [f"  {row.field} = {row.value:.3g} ({row.band})" for row in flagged.itertuples()]
        for sc in self.scenarios:
            line = self.credit[sc.name]
            label = " [ILLUSTRATIVE]" if sc.illustrative else ""
            lines += [
                "",
                f"Credit line, {sc.name}{label}: {_magnitude(line.amount):,.0f} {cur}",
                _indent(line.explanation),
            ]
        return "\n".join(lines)

    def to_html(self, path: str | os.PathLike[str], title: str | None = None) -> Path:
        """Write a self-contained HTML report (see :func:`sroi.html_report.write_html`)."""
        from sroi.html_report import write_html

        return write_html(self, path, title)

    def __repr__(self) -> str:
        return self.summary_text()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary_text())}</pre>"


class _TablesOf:
    """Adapter giving a dict of tables the ``tables()`` interface of :func:`sroi.export.export_tables`."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self._tables = dict(tables)

    def tables(self) -> dict[str, pd.DataFrame]:
        return self._tables


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _indent(text: str, pad: str = "  ") -> str:
    return "\n".join(pad + line for line in text.splitlines())


def _magnitude(x: Any) -> float:
    return float(getattr(x, "magnitude", x))


def _top_break_even(df: pd.DataFrame, top: int) -> str:
    """Rows whose switching value is closest to the base (smallest relative change) first."""
    finite = df[df["switching_value"].notna()].copy()
    finite["abs_change"] = finite["relative_change"].abs()
    finite = finite.sort_values("abs_change").head(top)
    cols = ["outcome", "parameter", "base", "switching_value", "relative_change"]
    return finite[cols].to_string(index=False, float_format=lambda x: f"{x:,.4g}")


def analyse(
    analysis: Analysis,
    *,
    n: int = 20_000,
    seed: Any = 20231125,
    target: float = 1.0,
    credit_scenarios: Sequence[CreditScenario] = (),
    progress: bool | None = None,
) -> Report:
    """Run the whole SROI analysis of a model.

    Parameters
    ----------
    analysis : Analysis
    n : int
        Monte Carlo draws (default 20,000).
    seed : int, Generator or SeedSequence
        Seed of the Monte Carlo (default fixed, so reports are reproducible).
    target : float
        Ratio target of the switching values and of P(ratio > target) (default 1, the Guide's 1:1).
    credit_scenarios : sequence of CreditScenario
        Cases for the credit line; each changes only who is bound to pay (SROI_METHOD.md §6).
    progress : bool, optional
        Show a progress bar for long simulations.

    Returns
    -------
    Report

    Notes
    -----
    The credit line of each scenario is sized on the simulation of that scenario's analysis with
    the same seed, so the draws, and the social value, are the same in every scenario.
    """
    from sroi.benchmarks import check_analysis
    from sroi.finance import credit_line
    from sroi.uncertainty import simulate

    result = analysis.evaluate()
    sim = simulate(analysis, n, seed=seed, progress=progress, targets=(target,))
    uncertain = any(s.distribution is not None for s in analysis._compiled.slots.values())
    # without distributions, the tornado moves every estimate by +-20% (sroi.sensitivity.tornado)
    tornado = analysis.tornado(include="uncertain" if uncertain else "all")
    be = analysis.break_even(target=target)
    practice = check_analysis(analysis, warn=False)
    credit = {}
    for sc in credit_scenarios:
        scenario_analysis = apply_changes(analysis, sc.changes) if sc.changes else analysis
        scenario_sim = sim if not sc.changes else simulate(scenario_analysis, n, seed=seed, progress=progress)
        credit[sc.name] = credit_line(scenario_sim, **dict(sc.credit))
    return Report(analysis, result, sim, tornado, be, practice, credit, list(credit_scenarios), target)
