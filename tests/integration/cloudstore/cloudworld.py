"""Small cloud store worlds for tests: a brand, stores with hours, priced SKUs, stock, sales."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from tests import builders

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.cloudstore.rules import public_code
from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Line, Purpose
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.org.schemas import StoreUpdate

ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
PEOPLES_SQUARE = (31.2304, 121.4737)


@dataclass(frozen=True)
class CloudWorld:
    brand_id: int
    brand_code: str
    region_id: int
    store_id: int
    code: str
    product_id: int
    sku_ids: list[int]


def cloud_world(database: Database, *, skus: int = 3, **store_fields: Any) -> CloudWorld:
    """A brand with one open store at People's Square (open all day) and priced SKUs."""
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id, kind="hq")
        fields = {"lat": PEOPLES_SQUARE[0], "lng": PEOPLES_SQUARE[1], "opening_hours": ALL_DAY}
        store = builders.store(session, brand.id, region.id, **(fields | store_fields))
        product = builders.product(session, brand.id)
        sku_ids = [priced_sku(session, brand.id, product.id, 1000 * (n + 1)) for n in range(skus)]
        return CloudWorld(
            brand_id=brand.id,
            brand_code=brand.code,
            region_id=region.id,
            store_id=store.id,
            code=public_code(brand.code, store.code),
            product_id=product.id,
            sku_ids=sku_ids,
        )


def priced_sku(session: Session, brand_id: int, product_id: int, price: int) -> int:
    sku = builders.sku(session, brand_id, product_id)
    data = OfferCreate(sku_id=sku.id, price=price)
    catalog_service.create_offer(session=session, scope=SYSTEM, data=data)
    return sku.id


def add_store(database: Database, world: CloudWorld, **fields: Any) -> tuple[int, str]:
    """Another location of the world's brand (``status`` may be given): (id, public code)."""
    status = fields.pop("status", None)
    with database.transaction() as session:
        store = builders.store(
            session, world.brand_id, world.region_id, **({"opening_hours": ALL_DAY} | fields)
        )
        if status is not None:
            org_service.update_store(
                session=session, scope=SYSTEM, store_id=store.id, data=StoreUpdate(status=status)
            )
        return store.id, public_code(world.brand_code, store.code)


def receive(database: Database, location_id: int, sku_id: int, quantity: int) -> None:
    data = ReceiptCreate.model_validate(
        {
            "kind": "receipt",
            "location_id": location_id,
            "lines": [{"sku_id": sku_id, "quantity": quantity}],
        }
    )
    with database.transaction() as session:
        inventory_service.record_movements(session=session, scope=SYSTEM, data=data)


def sell(database: Database, location_id: int, sku_id: int, quantity: int, ref: str) -> None:
    """A sale through the inventory: reserve, then commit (journals a ``sale`` movement)."""
    with database.transaction() as session:
        reservation, _ = inventory_service.reserve(
            session=session,
            scope=SYSTEM,
            purpose=Purpose.ORDER,
            reference_id=ref,
            lines=[Line(location_id=location_id, sku_id=sku_id, quantity=quantity)],
        )
        inventory_service.commit_reservation(
            session=session, scope=SYSTEM, reservation_id=reservation.id
        )
