"""Where an order's units come from: the pickup store, or ``rules.route`` over the brand's
open locations (stores by distance from the buyer, and warehouses), with live stock."""

from sqlalchemy.orm import Session

from newretail.inventory import errors as inventory_errors
from newretail.inventory import service as inventory_service
from newretail.orders import access, errors, rules
from newretail.orders.rules import DeliveryMethod
from newretail.orders.schemas import Delivery
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.rules import StoreStatus, StoreType, haversine_km

SAME_CITY_RADIUS_KM = 20.0
MAX_CANDIDATE_LOCATIONS = 600


def _destination(store: Store, delivery: Delivery) -> tuple[float, float]:
    address = delivery.address
    if address is not None and address.lat is not None and address.lng is not None:
        return address.lat, address.lng
    return store.lat, store.lng


def _candidates(session: Session, brand_id: int, method: DeliveryMethod) -> list[Store]:
    scope = access.system_for(brand_id)
    found: list[Store] = []
    cursor: str | None = None
    while len(found) < MAX_CANDIDATE_LOCATIONS:
        page, cursor = org_service.list_stores(
            session=session, scope=scope, cursor=cursor, limit=200, status=StoreStatus.OPEN.value
        )
        found += page
        if cursor is None:
            break
    if method is DeliveryMethod.SAME_CITY:
        found = [s for s in found if s.type != StoreType.WAREHOUSE.value]
    return found


def plan(
    *, session: Session, brand_id: int, store: Store, delivery: Delivery, need: dict[int, int]
) -> list[rules.Allocation]:
    """Which location sends which SKUs, and why."""
    method = DeliveryMethod(delivery.method)
    if method is DeliveryMethod.PICKUP:
        pickup = _pickup_store(session, brand_id, store, delivery)
        units = inventory_service.available(
            session=session, brand_id=brand_id, sku_ids=need, location_ids=[pickup.id]
        )
        short = [sku for sku, n in sorted(need.items()) if units[(pickup.id, sku)] < n]
        if short:
            raise inventory_errors.InsufficientStock(
                f"SKU {short[0]}: the pickup store has not enough available."
            )
        return [rules.Allocation(pickup.id, False, 0.0, tuple(sorted(need)), "pickup store")]
    lat, lng = _destination(store, delivery)
    stores = _candidates(session, brand_id, method)
    units = inventory_service.available(
        session=session, brand_id=brand_id, sku_ids=need, location_ids=[s.id for s in stores]
    )
    locations = [
        rules.Location(
            location_id=s.id,
            warehouse=s.type == StoreType.WAREHOUSE.value,
            distance_km=round(haversine_km(lat, lng, s.lat, s.lng), 3),
            stock={sku: units[(s.id, sku)] for sku in need},
        )
        for s in stores
    ]
    if method is DeliveryMethod.SAME_CITY:
        locations = [x for x in locations if x.distance_km <= SAME_CITY_RADIUS_KM]
    try:
        return rules.route(need, locations)
    except rules.Unroutable as exc:
        raise inventory_errors.InsufficientStock(
            f"SKU {exc.sku_id}: no location can send the units asked for."
        ) from exc


def _pickup_store(session: Session, brand_id: int, store: Store, delivery: Delivery) -> Store:
    if delivery.pickup_store_id is None or delivery.pickup_store_id == store.id:
        return store
    pickup = org_service.get_store(
        session=session, scope=access.system_for(brand_id), store_id=delivery.pickup_store_id
    )
    if pickup.type == StoreType.WAREHOUSE.value or pickup.status != StoreStatus.OPEN.value:
        raise errors.InvalidDelivery("Pickups are at open stores, not warehouses.")
    return pickup
