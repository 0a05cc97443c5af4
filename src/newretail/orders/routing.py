"""Where an order's units come from: the pickup store, or ``rules.route`` over the brand's
open stores nearest the buyer (at most ``MAX_NEARBY_STORES`` within reach, found by the
organisation's nearby search) and its open warehouses, with live stock. Distances are
geodesics: they are shown with the fulfilment."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from newretail.inventory import errors as inventory_errors
from newretail.inventory import service as inventory_service
from newretail.orders import access, errors, rules
from newretail.orders.rules import DeliveryMethod
from newretail.orders.schemas import Delivery
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.rules import StoreStatus, StoreType

SAME_CITY_RADIUS_KM = 20.0
SHIP_FROM_STORE_RADIUS_KM = 100.0
MAX_NEARBY_STORES = 100
MAX_WAREHOUSES = 50


def _destination(store: Store, delivery: Delivery) -> tuple[float, float]:
    address = delivery.address
    if address is not None and address.lat is not None and address.lng is not None:
        return address.lat, address.lng
    return store.lat, store.lng


@dataclass(frozen=True, slots=True)
class Candidate:
    location_id: int
    warehouse: bool
    distance_km: float


def _candidates(
    session: Session, brand_id: int, method: DeliveryMethod, lat: float, lng: float
) -> list[Candidate]:
    """The brand's open stores nearest the buyer (within reach), and its open warehouses."""
    scope = access.system_for(brand_id)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    same_city = method is DeliveryMethod.SAME_CITY
    nearby = org_service.nearby_stores(
        session=session,
        lat=lat,
        lng=lng,
        radius_km=SAME_CITY_RADIUS_KM if same_city else SHIP_FROM_STORE_RADIUS_KM,
        brand_code=brand.code,
        limit=MAX_NEARBY_STORES,
    )
    found = [Candidate(n.store.id, False, n.distance_km) for n in nearby]
    if same_city:
        return found
    warehouses, _ = org_service.list_stores(
        session=session,
        scope=scope,
        cursor=None,
        limit=MAX_WAREHOUSES,
        type=StoreType.WAREHOUSE.value,
        status=StoreStatus.OPEN.value,
    )
    return found + [
        Candidate(w.id, True, round(org_service.geodesic_km(lat, lng, w.lat, w.lng), 3))
        for w in warehouses
    ]


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
    candidates = _candidates(session, brand_id, method, lat, lng)
    units = inventory_service.available(
        session=session,
        brand_id=brand_id,
        sku_ids=need,
        location_ids=[c.location_id for c in candidates],
    )
    locations = [
        rules.Location(
            location_id=c.location_id,
            warehouse=c.warehouse,
            distance_km=c.distance_km,
            stock={sku: units[(c.location_id, sku)] for sku in need},
        )
        for c in candidates
    ]
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
