"""From SROI to a credit line: debt sizing a lender could follow (docs/method.md §9).

Modules: :mod:`sroi.finance.credit` (debt capacity and the P50/P90 credit line),
:mod:`sroi.finance.ratchet` (the sustainability-linked margin ratchet),
:mod:`sroi.finance.scenarios` (who pays for which outcome, per credit case),
:mod:`sroi.finance.cashflows` (what a cash-flow source provides). Every name below is
importable from ``sroi.finance`` directly.

Examples
--------
>>> from sroi.finance import credit_line
>>> round(credit_line([100.0] * 5, cv=0.2).value, 1)
220.7
"""

from sroi.finance.cashflows import CashFlowSource
from sroi.finance.credit import DEFAULTS, CreditLine, credit_line, debt_capacity
from sroi.finance.ratchet import MarginRatchet, margin_ratchet
from sroi.finance.scenarios import CreditScenario, apply_changes, load_credit_scenarios

__all__ = [
    "DEFAULTS",
    "CashFlowSource",
    "CreditLine",
    "CreditScenario",
    "MarginRatchet",
    "apply_changes",
    "credit_line",
    "debt_capacity",
    "load_credit_scenarios",
    "margin_ratchet",
]
