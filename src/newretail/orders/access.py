"""Who sees and changes which orders.

    consumer                       their own orders (following consumer merges)
    platform admin                 every order
    brand admin, integration key   every order of the brand
    region/store staff             orders sold by, or fulfilled from, a store they see;
                                   a guide also those they referred or whose member they serve

Orders the caller cannot see do not exist for them (``order_not_found``).
"""

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from newretail.kernel import visibility
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.members.errors import ConsumerGone
from newretail.orders import errors
from newretail.orders.models import Fulfilment, Order

SELLERS = (
    Role.BRAND_ADMIN,
    Role.REGION_MANAGER,
    Role.STORE_MANAGER,
    Role.GUIDE,
    Role.CASHIER,
    Role.INTEGRATION,
)
CASHIERS = (
    Role.BRAND_ADMIN,
    Role.REGION_MANAGER,
    Role.STORE_MANAGER,
    Role.CASHIER,
    Role.INTEGRATION,
)
REFUNDERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER, Role.INTEGRATION)


def system_for(brand_id: int) -> Scope:
    """The system acting inside one brand, for the stock and member calls an order makes."""
    return Scope(
        actor_type="system", actor_id=None, roles=frozenset({Role.BRAND_ADMIN}), brand_id=brand_id
    )


def is_consumer(scope: Scope) -> bool:
    return scope.actor_type == "consumer"


def consumer_id(*, session: Session, scope: Scope) -> int:
    """The live consumer behind a consumer token."""
    found = members_service.live_consumer_id(session=session, consumer_id=scope.actor_id or 0)
    if found is None:
        raise ConsumerGone()
    return found


def _fulfilled_at(stores: frozenset[int]) -> ColumnElement[bool]:
    return Order.id.in_(select(Fulfilment.order_id).where(Fulfilment.location_id.in_(stores)))


ORDERS = visibility.Ladder(
    brand=Order.brand_id,
    stores=(Order.store_id, Order.pickup_store_id, visibility.Link(_fulfilled_at)),
    guides=(Order.referring_guide_id, Order.bound_guide_id),
    consumers=(Order.consumer_id,),
)


def order_query(*, session: Session, scope: Scope) -> Select[Order]:
    consumer = consumer_id(session=session, scope=scope) if is_consumer(scope) else None
    return visibility.restrict(select(Order), scope, ORDERS, consumer_id=consumer)


def get_order(*, session: Session, scope: Scope, order_id: int) -> Order:
    order = session.scalar(
        order_query(session=session, scope=scope)
        .where(Order.id == order_id)
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise errors.OrderNotFound()
    return order


def require_staff(scope: Scope, *roles: Role) -> None:
    """Staff holding one of ``roles``; consumers never (their own actions are pay and cancel)."""
    if is_consumer(scope):
        raise PermissionDenied("Consumers cannot do this; staff of the store can.")
    scope.require(*roles)
