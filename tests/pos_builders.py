"""Builders for till tests: a shop with barcodes, a register with an open shift, sale bodies."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from newretail.auth import service as auth_service
from newretail.catalog.models import Sku
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.pos import service as pos_service
from newretail.pos.schemas import RegisterCreate
from tests import order_builders
from tests.order_builders import Shop


@dataclass
class Till:
    """A shop whose east store has a register with a shift open (float ``opening_float``)."""

    shop: Shop
    register_id: int
    shift_id: int
    barcodes: list[str]
    opening_float: int

    @property
    def store_id(self) -> int:
        return self.shop.store_id

    def headers(self, who: str = "east_cashier") -> dict[str, str]:
        return self.shop.world.headers(who)


def till(
    database: Database, *, prices: list[int] | None = None, stock: int = 10, opening_float: int = 0
) -> Till:
    shop = order_builders.shop(database, prices=prices, stock=stock)
    barcodes = []
    with database.transaction() as session:
        for i, sku_id in enumerate(shop.skus):
            sku = session.scalars(select(Sku).where(Sku.id == sku_id)).one()
            sku.barcode = f"690{shop.world.brand.id:05d}{i:05d}"
            barcodes.append(sku.barcode)
        register = pos_service.create_register(
            session=session,
            scope=SYSTEM,
            data=RegisterCreate(store_id=shop.store_id, code="R1", name="Front"),
        )
        cashier = auth_service.scope_for_staff(
            session=session, staff=session.merge(shop.world.east_cashier)
        )
        shift = pos_service.open_shift(
            session=session,
            scope=cashier,
            register_id=register.id,
            opening_float=opening_float,
        )
        register_id, shift_id = register.id, shift.id
    return Till(shop, register_id, shift_id, barcodes, opening_float)


def sale(t: Till, *, quantities: list[int] | None = None, **fields: Any) -> dict[str, Any]:
    """A carry-out sale of the till's SKUs (one each unless told), paid in cash exactly."""
    quantities = quantities or [1] * len(t.shop.skus)
    lines = [
        {"sku_id": sku, "quantity": q, "unit_price": price}
        for sku, q, price in zip(t.shop.skus, quantities, t.shop.prices, strict=True)
        if q
    ]
    total = sum(line["quantity"] * line["unit_price"] for line in lines)
    body: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "device_time": "2026-12-14T10:00:00+08:00",
        "shift_id": t.shift_id,
        "lines": lines,
        "tenders": [{"method": "cash", "amount": total}],
    }
    return {**body, **fields}
