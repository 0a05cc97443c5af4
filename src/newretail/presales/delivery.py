"""How a deposit's items reach the buyer: checked against the campaign, changed until paid.

    check            the method is one the campaign offers; same-city reaches the address
                     from the deposit's store (where the units are held)
    change_delivery  the buyer's new choice, written on the deposit and on its orders whose
                     goods have not left; refused once the balance is paid

The balance order carries the choice: paid, it is allocated at the deposit's store like any
delivered order (a parcel or a courier from there), and the pre-sale's hold is sold.
"""

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from newretail.kernel.scope import Role, Scope
from newretail.orders import service as orders_service
from newretail.orders.rules import DeliveryMethod, OrderStatus
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.presales import errors, lifecycle, rules
from newretail.presales.models import PresaleCampaign, PresaleDeposit
from newretail.presales.rules import DepositStatus
from newretail.presales.schemas import PresaleDelivery

NO_SYNC = {"synchronize_session": False}


def check(campaign: PresaleCampaign, store: Store, delivery: PresaleDelivery) -> None:
    """Refuse a method the campaign does not offer, and a same-city address out of reach."""
    if delivery.method not in rules.delivery_methods(campaign.delivery_methods):
        raise errors.DeliveryNotOffered()
    address = delivery.address
    if delivery.method is DeliveryMethod.SAME_CITY and address is not None:
        assert address.lat is not None and address.lng is not None  # the schema's rule
        distance = org_service.geodesic_km(store.lat, store.lng, address.lat, address.lng)
        reach = orders_service.SAME_CITY_RADIUS_KM
        if not rules.within_same_city(distance, reach):
            raise errors.OutOfDeliveryRange(
                f"The address is {distance:.1f} km from the store; same-city delivery "
                f"reaches {reach:.0f} km."
            )


def address_of(delivery: PresaleDelivery) -> dict[str, Any] | None:
    return delivery.address.model_dump() if delivery.address is not None else None


def change_delivery(
    *,
    session: Session,
    scope: Scope,
    deposit: PresaleDeposit,
    campaign: PresaleCampaign,
    data: PresaleDelivery,
) -> PresaleDeposit:
    """The deposit's new delivery; ``delivery_locked`` once its balance is paid.

    ``deposit`` has followed its orders already. The balance order is changed first, by a
    guarded UPDATE that fails once it is paid, so a refusal leaves everything as it was.
    """
    if not orders_service.is_consumer(scope):
        orders_service.require_staff(scope, *orders_service.access_cashiers(), Role.GUIDE)
    if not rules.delivery_changeable(DepositStatus(deposit.status)):
        raise errors.DeliveryLocked()
    system = orders_service.system_for(deposit.brand_id)
    store = org_service.get_store(session=session, scope=system, store_id=deposit.store_id)
    check(campaign, store, data)
    address = address_of(data)
    pickup = store.id if data.method is DeliveryMethod.PICKUP else None
    orders = [deposit.balance_order_id, deposit.deposit_order_id]
    for order_id in (o for o in orders if o is not None):
        moved = orders_service.redirect(
            session=session,
            order_id=order_id,
            delivery_method=data.method,
            address=address,
            pickup_store_id=pickup,
        )
        if not moved and order_id == deposit.balance_order_id:
            # A cancelled balance order is replaced by the next one, which reads the deposit.
            status = orders_service.current_status(session, order_id)
            if status is not OrderStatus.CANCELLED:
                raise errors.DeliveryLocked()
    changed = session.execute(
        update(PresaleDeposit)
        .where(
            PresaleDeposit.id == deposit.id,
            PresaleDeposit.status.in_([s.value for s in rules.CHANGEABLE]),
        )
        .values(delivery_method=data.method.value, address=address)
        .returning(PresaleDeposit.id),
        execution_options=NO_SYNC,
    ).first()
    if changed is None:
        raise errors.DeliveryLocked()
    deposit.delivery_method, deposit.address = data.method.value, address
    lifecycle.record_event(
        session, deposit, "presale.delivery_changed", delivery_method=data.method.value
    )
    return deposit
