"""Who works the till: cashiers and managers of a store, for the stores they see.

    TILL      brand admin, region manager, store manager, cashier: sell, open and close
              shifts, look up, take returns, hand over pickups
    MANAGERS  brand admin, region manager, store manager: registers, reopening a shift,
              settling conflicts, issuing store credit

A register, shift, sale or conflict of a store the caller does not see (another brand's,
another store's) does not exist for them: 404.
"""

from newretail.kernel import visibility
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import Role, Scope
from newretail.pos.models import PosSale, Register, SaleConflict, Shift

MANAGERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
TILL = (*MANAGERS, Role.CASHIER)

REGISTERS = visibility.Ladder(brand=Register.brand_id, stores=(Register.store_id,))
SHIFTS = visibility.Ladder(brand=Shift.brand_id, stores=(Shift.store_id,))
SALES = visibility.Ladder(brand=PosSale.brand_id, stores=(PosSale.store_id,))
CONFLICTS = visibility.Ladder(brand=SaleConflict.brand_id, stores=(SaleConflict.store_id,))


def require_till(scope: Scope) -> None:
    """Staff of the till (never a consumer, a guide alone or an integration key)."""
    if scope.actor_type == "consumer":
        raise PermissionDenied("The till is for a store's cashiers and managers.")
    scope.require(*TILL)


def require_manager(scope: Scope) -> None:
    if scope.actor_type == "consumer":
        raise PermissionDenied("A store manager does this.")
    scope.require(*MANAGERS)


def brand_of(scope: Scope) -> int:
    """The caller's brand: the till sells in one brand (a platform admin has none)."""
    if scope.brand_id is None:
        raise PermissionDenied("The till works inside one brand.")
    return scope.brand_id
