"""Commission: what guides and stores earn, facade over the use-case modules.

plans       plans and rules, checked whole before saving; the active plan as pure specs
accrual     the ledger follows orders: price on payment, reprice on refunds and returns,
            release on fulfilment (the outbox consumer's work; also callable directly
            over a batch of orders, for settlement and benchmarks)
adjust      repricing a line on what it keeps: cancel and re-accrue, or post a difference
recruits    CPA for members recruited by a guide
tester      what a line would earn, and why
ledger      entries by the visibility ladder
guides      a guide's own membership (their own purchases)
"""

from newretail.commission.accrual import accrue_orders
from newretail.commission.guides import own_membership, set_own_membership
from newretail.commission.ledger import list_entries
from newretail.commission.plans import (
    active_spec,
    add_rule,
    create_plan,
    delete_rule,
    get_plan,
    list_plans,
    update_plan,
    update_rule,
)
from newretail.commission.recruits import accrue_joins, first_bindings
from newretail.commission.tester import explain, sku_by_code, test_line

__all__ = [
    "accrue_joins",
    "accrue_orders",
    "active_spec",
    "add_rule",
    "create_plan",
    "delete_rule",
    "explain",
    "first_bindings",
    "get_plan",
    "list_entries",
    "list_plans",
    "own_membership",
    "set_own_membership",
    "sku_by_code",
    "test_line",
    "update_plan",
    "update_rule",
]
