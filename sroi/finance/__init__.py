"""From SROI to a credit line: debt sizing a lender could follow (docs/method.md §9).

Modules: :mod:`sroi.finance.credit` (the credit line: one repayment profile over the P50 and
P90 cases), :mod:`sroi.finance.schedule` (sculpted debt service, the debt schedule, cover
ratios), :mod:`sroi.finance.contract` (cash from an outcomes contract),
:mod:`sroi.finance.line` (the :class:`CreditLine` result and its term sheet),
:mod:`sroi.finance.ratchet` (the sustainability-linked margin ratchet),
:mod:`sroi.finance.scenarios` (who pays for which outcome, per credit case),
:mod:`sroi.finance.cashflows` (what a cash-flow source provides, argument checks),
:mod:`sroi.finance.options` (defaults of the sizing options). Every name below is importable
from ``sroi.finance`` directly.

Examples
--------
>>> from sroi.finance import credit_line
>>> round(credit_line([100.0] * 5, cv=0.2).value, 1)
220.7
"""

from sroi.finance.cashflows import CashFlowSource
from sroi.finance.contract import ContractCash, ContractTerms, contract_cash
from sroi.finance.credit import DEFAULTS, credit_line, debt_capacity
from sroi.finance.line import CreditLine
from sroi.finance.ratchet import KPI, MarginRatchet, margin_ratchet
from sroi.finance.scenarios import CreditScenario, apply_changes, load_credit_scenarios
from sroi.finance.schedule import cover_ratios, debt_schedule, sculpted_debt_service

__all__ = [
    "DEFAULTS",
    "KPI",
    "CashFlowSource",
    "ContractCash",
    "ContractTerms",
    "CreditLine",
    "CreditScenario",
    "MarginRatchet",
    "apply_changes",
    "contract_cash",
    "cover_ratios",
    "credit_line",
    "debt_capacity",
    "debt_schedule",
    "load_credit_scenarios",
    "margin_ratchet",
    "sculpted_debt_service",
]
