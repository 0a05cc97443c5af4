"""Small inventory worlds for tests: a brand with locations and SKUs, and stock helpers."""

from dataclasses import dataclass

from sqlalchemy import func, select
from tests import builders

from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.inventory.models import Reservation, ReservationLine, StockLevel
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM


@dataclass(frozen=True)
class StockWorld:
    brand_id: int
    location_ids: list[int]
    sku_ids: list[int]


def stock_world(database: Database, *, locations: int = 2, skus: int = 2) -> StockWorld:
    """A brand with ``locations`` stores (the last a warehouse when there are two or more)."""
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id, kind="hq")
        stores = [builders.store(session, brand.id, region.id) for _ in range(locations - 1)]
        stores.append(builders.store(session, brand.id, region.id, type="warehouse"))
        product = builders.product(session, brand.id)
        sku_ids = [builders.sku(session, brand.id, product.id).id for _ in range(skus)]
        return StockWorld(brand.id, [store.id for store in stores], sku_ids)


def receive(database: Database, location_id: int, sku_id: int, quantity: int) -> None:
    data = ReceiptCreate(
        kind="receipt",
        location_id=location_id,
        lines=[{"sku_id": sku_id, "quantity": quantity}],  # type: ignore[list-item]
    )
    with database.transaction() as session:
        inventory_service.record_movements(session=session, scope=SYSTEM, data=data)


def level(database: Database, location_id: int, sku_id: int) -> tuple[int, int, int]:
    """(on_hand, reserved, shortfall) of one level; zeros if there is none."""
    with database.transaction(read_only=True) as session:
        row = session.execute(
            select(StockLevel.on_hand, StockLevel.reserved, StockLevel.shortfall).where(
                StockLevel.location_id == location_id, StockLevel.sku_id == sku_id
            )
        ).one_or_none()
    return (row[0], row[1], row[2]) if row else (0, 0, 0)


def active_reserved(database: Database, location_id: int, sku_id: int) -> int:
    """Units held by active reservations at one level, counted from the reservations."""
    with database.transaction(read_only=True) as session:
        total = session.scalar(
            select(func.coalesce(func.sum(ReservationLine.quantity), 0))
            .join(Reservation, Reservation.id == ReservationLine.reservation_id)
            .where(
                Reservation.status == "active",
                ReservationLine.location_id == location_id,
                ReservationLine.sku_id == sku_id,
            )
        )
    return int(total or 0)


def journal_mismatches(database: Database, brand_id: int) -> list[object]:
    with database.transaction(read_only=True) as session:
        return list(inventory_service.journal_mismatches(session=session, brand_id=brand_id))
