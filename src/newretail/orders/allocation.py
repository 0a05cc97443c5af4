"""Allocation: one pending fulfilment per location an order's lines were routed to.

The locations come from the route of a purchase or, when an order is paid later, from the
catalog's copies of the brand's stores; the kind of each fulfilment follows from the
delivery method and whether the location is a warehouse (``rules.fulfilment_kind``).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.orders import rules
from newretail.orders.rows import OrderView
from newretail.orders.rows import insert_fulfilments as insert_fulfilment_rows
from newretail.orders.rules import DeliveryMethod, FulfilmentStatus
from newretail.org import service as org_service


class Located(Protocol):
    """Where a location is and whether it is a warehouse (a route's place, a cached store)."""

    @property
    def location_id(self) -> int: ...
    @property
    def warehouse(self) -> bool: ...
    @property
    def lat(self) -> float: ...
    @property
    def lng(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Planned:
    """A fulfilment to write: its row but the order's id, and the places of its lines
    among the order's."""

    row: dict[str, Any]
    lines: tuple[int, ...]


def insert_fulfilments(
    *,
    session: Session,
    order: OrderView,
    places: Mapping[int, Located],
    destination: tuple[float, float],
    now: datetime,
    handed_over: bool = False,
) -> list[int]:
    """One pending fulfilment per location the order's lines were routed to; ``handed_over``
    (a carry-out): already completed, the buyer took the goods at the counter."""
    planned = plan_fulfilments(
        brand_id=order.brand_id,
        method=DeliveryMethod(order.delivery_method),
        located=[(line.location_id, line.routing_reason) for line in order.lines],
        places=places,
        destination=destination,
        now=now,
        handed_over=handed_over,
    )
    return insert_planned(session=session, order=order, planned=planned)


def insert_planned(*, session: Session, order: OrderView, planned: Sequence[Planned]) -> list[int]:
    """The ``planned`` fulfilments of a written order, with their lines."""
    rows = [{**p.row, "order_id": order.id} for p in planned]
    lines = [[order.lines[n] for n in p.lines] for p in planned]
    return insert_fulfilment_rows(session, rows, lines)


def plan_fulfilments(
    *,
    brand_id: int,
    method: DeliveryMethod,
    located: Sequence[tuple[int, str]],
    places: Mapping[int, Located],
    destination: tuple[float, float],
    now: datetime,
    handed_over: bool = False,
) -> list[Planned]:
    """One fulfilment per location of the lines (``located``: each line's location and
    routing reason, in the order's order), by location; nothing written."""
    by_location: dict[int, list[int]] = {}
    for n, (location_id, _) in enumerate(located):
        by_location.setdefault(location_id, []).append(n)
    planned = []
    for location_id, its_lines in sorted(by_location.items()):
        place = places[location_id]
        distance = None  # a pickup goes nowhere: no geodesic to work out for it
        if method not in (DeliveryMethod.PICKUP, DeliveryMethod.CARRY_OUT):
            distance = round(org_service.geodesic_km(*destination, place.lat, place.lng), 3)
        row = {
            "brand_id": brand_id,
            "kind": rules.fulfilment_kind(method, place.warehouse).value,
            "location_id": location_id,
            "status": (
                FulfilmentStatus.COMPLETED if handed_over else FulfilmentStatus.PENDING
            ).value,
            "reason": located[its_lines[0]][1],
            "distance_km": distance,
            "pickup_code": None,
            "tracking_no": None,
            "created_at": now,
            "ready_at": None,
            "shipped_at": None,
            "completed_at": now if handed_over else None,
        }
        planned.append(Planned(row, tuple(its_lines)))
    return planned


@dataclass(frozen=True, slots=True)
class _Place:
    location_id: int
    warehouse: bool
    lat: float
    lng: float


def _places(session: Session, order: OrderView) -> dict[int, _Place]:
    """The order's locations, from the catalog's copies of the brand's stores."""
    found = catalog_service.sale_catalog.stores(
        session=session,
        brand_id=order.brand_id,
        ids=[x.location_id for x in order.lines] + [order.store_id],
    )
    return {i: _Place(s.id, s.warehouse, s.lat, s.lng) for i, s in found.items()}


def _destination(session: Session, order: OrderView) -> tuple[float, float]:
    """Where the goods go: the delivery address's point, else the selling store."""
    address = order.address or {}
    if address.get("lat") is not None and address.get("lng") is not None:
        return float(address["lat"]), float(address["lng"])
    store = _places(session, order)[order.store_id]
    return store.lat, store.lng


def allocate_later(*, session: Session, order: OrderView, now: datetime) -> list[int]:
    """The fulfilments of an order paid after it was placed (its locations from the copies)."""
    return insert_fulfilments(
        session=session,
        order=order,
        places=_places(session, order),
        destination=_destination(session, order),
        now=now,
    )
