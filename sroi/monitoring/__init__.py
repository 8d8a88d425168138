"""Monitoring: forecast against actual, evidence that updates, the evaluative re-run (docs/method.md §12).

- :func:`read_actuals` reads the monitoring data (:mod:`sroi.actuals`);
- :func:`monitor` (``analysis.monitor(actuals)``) compares each indicator's actual with its
  forecast from the Monte Carlo and its target, and gives a status (on track, at risk, off
  track) by where the actual falls in the forecast distribution;
- :func:`with_actuals` (``analysis.with_actuals(actuals)``) returns the analysis with every
  estimate an indicator measures updated from the data (conjugate where the form allows,
  importance reweighting otherwise; :mod:`sroi.updating`), stated in the money of the last
  monitored period (``reference_period``, docs/method.md §3.7): its ``simulate()`` is the
  updated forecast;
- :func:`evaluation`: the evaluative SROI to date (past periods at the actuals, the engine run
  period by period) and the whole life (actuals to date, the updated forecast after), and how
  much each indicator moved the ratio.

Examples
--------
>>> import sroi
>>> a = sroi.Analysis("t", "GBP", [sroi.Outcome("People", "Better", quantity="100 person",
...     proxy="10 GBP/person", quantity_factors=(sroi.Ref("share"),))],
...     [sroi.Input("Funder", "Grant", "100 GBP")], parameters={"share": sroi.Beta(4, 6)},
...     indicators=[{"id": "share", "name": "Share better", "measures": "share"}])
>>> rows = [{"indicator": "share", "period": 1, "value": 0.5, "unit": "", "n": 200}]
>>> import pandas as pd
>>> updated = a.with_actuals(pd.DataFrame(rows))
>>> updated.parameters["share"]
Beta(alpha=104.0, beta=106.0)
"""

from sroi.monitoring.actuals import Actuals, actuals_from_frame, read_actuals
from sroi.monitoring.evaluate import Evaluation
from sroi.monitoring.monitor import STATUSES, Monitoring, evaluation, monitor
from sroi.monitoring.update import Updatable, with_actuals

__all__ = [
    "STATUSES",
    "Actuals",
    "Evaluation",
    "Monitoring",
    "Updatable",
    "actuals_from_frame",
    "evaluation",
    "monitor",
    "read_actuals",
    "with_actuals",
]
