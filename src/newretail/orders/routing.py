"""Where an order's units come from: the pickup store, or ``rules.route`` over the brand's
open stores nearest the buyer (at most ``MAX_NEARBY_STORES`` within reach, found by the
organisation's nearby search) and its open warehouses, with live stock. Distances are
geodesics: they are shown with the fulfilment.

Stock is read here without locks: it only picks the locations (and turns a buyer away
early when none has enough). The guarded stock statements at the end of the transaction
decide; a unit taken meanwhile by someone else is ``insufficient_stock`` there."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.db import committed_now
from newretail.inventory import errors as inventory_errors
from newretail.inventory import rules as inventory_rules
from newretail.inventory import service as inventory_service
from newretail.kernel.direct import Direct
from newretail.kernel.sale import Sale
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.orders import access, errors, rules
from newretail.orders.rules import DeliveryMethod
from newretail.orders.schemas import Delivery
from newretail.org import errors as org_errors
from newretail.org import service as org_service
from newretail.org.rules import StoreStatus, StoreType

SAME_CITY_RADIUS_KM = 20.0
SHIP_FROM_STORE_RADIUS_KM = 100.0
MAX_NEARBY_STORES = 100
MAX_WAREHOUSES = 50


@dataclass(frozen=True, slots=True)
class Place:
    """A location that can send units: where it is, and whether it is a warehouse."""

    location_id: int
    warehouse: bool
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class Route:
    allocations: tuple[rules.Allocation, ...]
    places: Mapping[int, Place]
    destination: tuple[float, float]
    pickup_store_id: int | None

    def allocation_of(self, sku_id: int) -> rules.Allocation:
        return next(a for a in self.allocations if sku_id in a.sku_ids)


def _destination(sale: Sale, delivery: Delivery) -> tuple[float, float]:
    address = delivery.address
    if address is not None and address.lat is not None and address.lng is not None:
        return address.lat, address.lng
    return sale.store.lat, sale.store.lng


def _candidates(
    session: Session, sale: Sale, method: DeliveryMethod, lat: float, lng: float
) -> list[Place]:
    """The brand's open stores nearest the buyer (within reach), and its open warehouses."""
    same_city = method is DeliveryMethod.SAME_CITY
    nearby = org_service.nearby_stores(
        session=session,
        lat=lat,
        lng=lng,
        radius_km=SAME_CITY_RADIUS_KM if same_city else SHIP_FROM_STORE_RADIUS_KM,
        brand_code=sale.brand.code,
        limit=MAX_NEARBY_STORES,
    )
    found = [Place(n.store.id, False, n.store.lat, n.store.lng) for n in nearby]
    if same_city:
        return found
    warehouses, _ = org_service.list_stores(
        session=session,
        scope=access.system_for(sale.brand.id),
        cursor=None,
        limit=MAX_WAREHOUSES,
        type=StoreType.WAREHOUSE.value,
        status=StoreStatus.OPEN.value,
    )
    return found + [Place(w.id, True, w.lat, w.lng) for w in warehouses]


Units = dict[tuple[int, int], int]
PICKUP_STORE = "the pickup store"


@dataclass(frozen=True, slots=True)
class CounterRead:
    """What a consumer's pickup read before the sale opened: the pickup store's units of
    the SKUs asked for (None: ``plan`` reads them) and, with one SKU, the buyer and the
    brand's stamp in the same statement (None: the sale reads them as it opens)."""

    units: Units | None = None
    buyer: members_service.StampedBuyer | None = None


def counter_stock(
    *,
    session: Session,
    scope: Scope,
    store_id: int,
    delivery: Delivery,
    need: dict[int, int],
    now: datetime,
) -> CounterRead:
    """A consumer's pickup at the selling store, read before the sale opens: that store's
    units of the SKUs asked for (nothing for any other order, or a store this process has
    not seen). A buyer of a sold-out SKU is turned away by this one read, before the prices
    are read, or without it where this process just found the shelf short (a mark, see
    ``refuse_sold_out``: the request's Idempotency-Key, if any, was looked up before);
    ``plan`` routes with the same units without reading them again. A pickup of one SKU
    (the flash sale's) reads the buyer and the stamp in the same statement.

    Only SKUs the store keeps count: a SKU it has never stocked (or another brand's) is
    left to the checks that follow, so it is refused as it was before."""
    if not _at_selling_store(scope, store_id, delivery):
        return CounterRead()
    _refuse_marked(session, store_id, need)
    brand_id = catalog_service.sale_catalog.brand_of(session=session, store_id=store_id)
    if brand_id is None:
        return CounterRead()
    if len(need) == 1:
        return _with_buyer(session, scope, brand_id, store_id, need, now)
    with committed_now(session) as connection:
        units = inventory_service.available(
            session=session,
            brand_id=brand_id,
            sku_ids=need,
            location_ids=[store_id],
            kept=True,
            connection=connection,
        )
    kept = {sku for _, sku in units}
    _refuse_short_marking(session, store_id, need, {sku: units[(store_id, sku)] for sku in kept})
    return CounterRead(units if kept == set(need) else None)


def _at_selling_store(scope: Scope, store_id: int, delivery: Delivery) -> bool:
    """A consumer's pickup at the store that sells: the orders ``counter_stock`` reads."""
    pickup = DeliveryMethod(delivery.method) is DeliveryMethod.PICKUP
    return pickup and access.is_consumer(scope) and delivery.pickup_store_id in (None, store_id)


def refuse_sold_out(
    *, session: Session, scope: Scope, store_id: int, delivery: Delivery, need: dict[int, int]
) -> None:
    """``counter_stock``'s refusal without the database, where this process marked every
    SKU asked for sold out at the store a moment ago (``inventory/soldout.py``): no I/O, so
    it runs before a request takes a worker thread."""
    if _at_selling_store(scope, store_id, delivery):
        _refuse_marked(session, store_id, need)


def _refuse_marked(session: Session, store_id: int, need: dict[int, int]) -> None:
    marks = inventory_service.sold_out_marks(session)
    units = marks.units(store_id, need) if marks is not None else None
    if units is not None:
        _refuse_short(need, units, PICKUP_STORE)


def _refuse_short_marking(
    session: Session, store_id: int, need: dict[int, int], kept: dict[int, int]
) -> None:
    """``_refuse_short`` at the selling store; a refusal marks the units it read."""
    try:
        _refuse_short(need, kept, PICKUP_STORE)
    except inventory_errors.InsufficientStock:
        marks = inventory_service.sold_out_marks(session)
        if marks is not None:
            marks.note(store_id, kept)
        raise


def _with_buyer(
    session: Session,
    scope: Scope,
    brand_id: int,
    store_id: int,
    need: dict[int, int],
    now: datetime,
) -> CounterRead:
    ((sku, _),) = need.items()
    params = {
        "consumer": scope.actor_id or 0,
        "brand": brand_id,
        "level_location": store_id,
        "level_sku": sku,
    }
    with committed_now(session) as connection:
        row = _buyer_and_level().first(connection, params)
    if row is None or row.level_on_hand is None:
        units = None
    else:
        left = inventory_rules.available(row.level_on_hand, row.level_reserved)
        _refuse_short_marking(session, store_id, need, {sku: left})
        units = {(store_id, sku): left}
    found = members_service.stamped_buyer(session=session, row=row, brand_id=brand_id, now=now)
    return CounterRead(units, found)


def _refuse_short(need: dict[int, int], kept: dict[int, int], where: str) -> None:
    """``insufficient_stock`` for the first SKU whose units ``kept`` (by SKU) fall short."""
    short = [sku for sku, n in sorted(need.items()) if sku in kept and kept[sku] < n]
    if short:
        raise inventory_errors.InsufficientStock(
            f"SKU {short[0]}: {where} has not enough available."
        )


@cache
def _buyer_and_level() -> Direct:
    """The consumer as a buyer of the brand, the brand's stamp and one level's units."""
    statement = members_service.stamped_buyer_statement()
    return Direct(statement.add_columns(*inventory_service.level_columns()))


def plan(
    *,
    session: Session,
    sale: Sale,
    delivery: Delivery,
    need: dict[int, int],
    units: Units | None = None,
) -> Route:
    """Which location sends which SKUs, and why (``units``: the pickup store's, as
    ``counter_stock`` read them)."""
    method = DeliveryMethod(delivery.method)
    if method in (DeliveryMethod.PICKUP, DeliveryMethod.CARRY_OUT):
        return _at_counter(session, sale, delivery, need, method, units)
    lat, lng = _destination(sale, delivery)
    candidates = _candidates(session, sale, method, lat, lng)
    units = inventory_service.available(
        session=session,
        brand_id=sale.brand.id,
        sku_ids=need,
        location_ids=[c.location_id for c in candidates],
    )
    locations = [
        rules.Location(
            location_id=c.location_id,
            warehouse=c.warehouse,
            distance_km=round(org_service.geodesic_km(lat, lng, c.lat, c.lng), 3),
            stock={sku: units[(c.location_id, sku)] for sku in need},
        )
        for c in candidates
    ]
    try:
        allocations = rules.route(need, locations)
    except rules.Unroutable as exc:
        raise inventory_errors.InsufficientStock(
            f"SKU {exc.sku_id}: no location can send the units asked for."
        ) from exc
    places = {c.location_id: c for c in candidates}
    return Route(tuple(allocations), places, (lat, lng), None)


def _at_counter(
    session: Session,
    sale: Sale,
    delivery: Delivery,
    need: dict[int, int],
    method: DeliveryMethod,
    units: Units | None,
) -> Route:
    """A pickup at its store, or a carry-out from the selling store: that store's stock."""
    pickup = _pickup_store(session, sale, delivery)
    if units is None or pickup.location_id != sale.store.id:
        units = inventory_service.available(
            session=session,
            brand_id=sale.brand.id,
            sku_ids=need,
            location_ids=[pickup.location_id],
        )
    carry_out = method is DeliveryMethod.CARRY_OUT
    at_store = {sku: units[(pickup.location_id, sku)] for sku in need}
    _refuse_short(need, at_store, "this store" if carry_out else PICKUP_STORE)
    reason = "carried out at the counter" if carry_out else "pickup store"
    allocation = rules.Allocation(pickup.location_id, False, 0.0, tuple(sorted(need)), reason)
    return Route(
        (allocation,),
        {pickup.location_id: pickup},
        (pickup.lat, pickup.lng),
        None if carry_out else pickup.location_id,
    )


def _pickup_store(session: Session, sale: Sale, delivery: Delivery) -> Place:
    store = sale.store
    if delivery.pickup_store_id is not None and delivery.pickup_store_id != store.id:
        found = catalog_service.sale_catalog.stores(
            session=session, brand_id=sale.brand.id, ids=[delivery.pickup_store_id]
        ).get(delivery.pickup_store_id)
        if found is None:
            raise org_errors.StoreNotFound()
        if not found.sells:
            raise errors.InvalidDelivery("Pickups are at open stores, not warehouses.")
        store = found
    return Place(store.id, store.warehouse, store.lat, store.lng)
