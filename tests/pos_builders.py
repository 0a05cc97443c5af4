"""Builders for till tests: a shop with barcodes, a register with an open shift, sale bodies."""

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from newretail.auth import service as auth_service
from newretail.catalog.models import Sku
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.pos import service as pos_service
from newretail.pos.schemas import RegisterCreate, SyncBatch
from tests import member_builders, order_builders
from tests.builders import BrandWorld
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
    return till_at(
        database, order_builders.shop(database, prices=prices, stock=stock), opening_float
    )


def till_at(database: Database, shop: Shop, opening_float: int = 0) -> Till:
    """A register with a shift open by the east cashier at the shop's east store."""
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


def victim_till(database: Database, world: BrandWorld, sku_id: int) -> dict[str, int | str]:
    """A register of the world's east store with an open shift, a sale carried out of it and
    a synced sale kept as a conflict (its SKU priced 100 by the brand, one unit received)."""
    order_builders.receive(database, world.east_store.id, sku_id, 1)
    with database.transaction() as session:
        cashier = auth_service.scope_for_staff(
            session=session, staff=session.merge(world.east_cashier)
        )
        register = pos_service.create_register(
            session=session,
            scope=SYSTEM,
            data=RegisterCreate(store_id=world.east_store.id, code=f"V{uuid.uuid4().hex[:8]}"),
        )
        shift = pos_service.open_shift(
            session=session, scope=cashier, register_id=register.id, opening_float=0
        )
        ids: dict[str, int | str] = {"register_id": register.id, "shift_id": shift.id}
    bodies = [
        {
            "client_id": str(uuid.uuid4()),
            "shift_id": ids["shift_id"],
            "lines": [{"sku_id": sku_id, "quantity": 1}],
            "tenders": [{"method": "cash", "amount": 100}],
        }
        for _ in range(2)
    ]
    batch = SyncBatch.model_validate({"register_id": ids["register_id"], "sales": bodies})
    sold, kept = pos_service.sync(database=database, scope=cashier, data=batch).results
    assert kept.sale.conflict is not None
    ids.update(
        sale_id=sold.sale.sale_id, client_id=sold.client_id, conflict_id=kept.sale.conflict.id
    )
    return ids


def member_with_balances(
    client: TestClient, database: Database, till: Till, *, points: int, credit: int
) -> int:
    """A member of the till's brand given ``points`` (at least one) and ``credit`` fen of
    store credit."""
    member_id = member_builders.member(database, till.shop.world)
    earned = client.post(
        f"/api/v1/members/{member_id}/points",
        json={"kind": "earn", "points": points},
        headers=till.headers("admin"),
    )
    issued = client.post(
        f"/api/v1/pos/members/{member_id}/store-credit",
        json={"amount": credit, "reason": "goodwill"},
        headers=till.headers("east_store_manager"),
    )
    assert earned.status_code == 201, earned.text
    assert issued.status_code == 200, issued.text
    return member_id


def redeem_rate(client: TestClient, till: Till, points_per_yuan: int) -> None:
    """The brand's points pay one yuan for every ``points_per_yuan`` at the till from now."""
    response = client.put(
        "/api/v1/member-program",
        json={
            "tiers": [{"code": "member", "name": "Member", "threshold": 0}],
            "redeem_points_per_yuan": points_per_yuan,
        },
        headers=till.headers("admin"),
    )
    assert response.status_code == 200, response.text
