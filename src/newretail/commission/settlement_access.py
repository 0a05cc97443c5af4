"""Who sees and does what in settlement.

    brand admin          sets the schedule, closes periods, approves, marks paid, reads all
    integration key      reads statements and marks approved ones paid (a payroll system)
    region/store manager reads the statements of their stores and of those stores' guides
    guide                reads their own statements and lines

A statement or line outside the caller's view does not exist for them (404).
"""

from collections.abc import Callable

from sqlalchemy import ColumnElement, select

from newretail.auth.models import RoleAssignment
from newretail.commission import settlement_errors as errors
from newretail.commission.models import CommissionEntry, CommissionPeriod, CommissionStatement
from newretail.kernel import visibility
from newretail.kernel.scope import Role, Scope
from newretail.kernel.visibility import Column

SETTLERS = (Role.BRAND_ADMIN,)
PAYERS = (Role.BRAND_ADMIN, Role.INTEGRATION)
PERIOD_READERS = (Role.BRAND_ADMIN, Role.INTEGRATION, Role.REGION_MANAGER, Role.STORE_MANAGER)
STATEMENT_READERS = (*PERIOD_READERS, Role.GUIDE)


def _guides_at(column: Column) -> Callable[[frozenset[int]], ColumnElement[bool]]:
    """``column`` names a member of staff who works as a guide at one of the stores."""

    def tied(stores: frozenset[int]) -> ColumnElement[bool]:
        return column.in_(
            select(RoleAssignment.staff_id).where(
                RoleAssignment.role == Role.GUIDE.value,
                RoleAssignment.store_id.in_(sorted(stores)),
            )
        )

    return tied


STATEMENTS = visibility.Ladder(
    brand=CommissionStatement.brand_id,
    stores=(
        CommissionStatement.store_id,
        visibility.Link(_guides_at(CommissionStatement.guide_id)),
    ),
    guides=(CommissionStatement.guide_id,),
    guides_see_stores=False,
)
ENTRIES = visibility.Ladder(
    brand=CommissionEntry.brand_id,
    stores=(CommissionEntry.store_id, visibility.Link(_guides_at(CommissionEntry.guide_id))),
    guides=(CommissionEntry.guide_id,),
    guides_see_stores=False,
)
PERIODS = visibility.Ladder(brand=CommissionPeriod.brand_id, brand_staff_see_all=True)


def require_staff_or_key(scope: Scope, *roles: Role) -> None:
    """Staff or an integration key holding one of ``roles``; consumers never."""
    if scope.actor_type == "consumer":
        raise errors.StatementNotFound()
    scope.require(*roles)


def require_person(scope: Scope) -> int:
    """The id of the member of staff acting (approvals are made by people)."""
    if scope.actor_type != "staff" or scope.actor_id is None:
        raise errors.ApproverNotAPerson()
    return scope.actor_id
