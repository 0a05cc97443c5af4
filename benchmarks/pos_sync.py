"""Benchmark: the POS offline sync. Twenty tills (two in each of ten stores) come back
online with 10,000 queued carry-out sales between them and sync them in batches, all tills
at once, through the till's service: each sale taken once by its client id, drafted and
priced by the orders service, paid in cash through the payments service (with change),
completed with its stock taken and journaled in its shift, in a transaction of its own.
Every batch is then sent a second time (a till that never heard the answers), and the
orders are counted: duplicates must be 0.

Anchor, in the same run, on the same database, with as many concurrent clients: the same
sales placed one by one through the ordinary order path, an order created (stock held)
then paid (``POST /orders`` then ``POST /orders/{id}/pay``), two transactions each.
``ratio`` is the sync's orders/s over the anchor's. SQLite in a temporary file by default;
PostgreSQL with ``--database-url`` (or NEWRETAIL_BENCH_DATABASE_URL). Prints one JSON line
on stdout and a table on stderr.

    .venv/bin/python benchmarks/pos_sync.py [--sales 10000] [--tills 20] [--batch 50]
        [--database-url postgresql://...]
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate, ProductCreate, SkuCreate
from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.models import Base
from newretail.observability import configure_logging
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.pos import service as pos_service
from newretail.pos.models import PosSale
from newretail.pos.schemas import RegisterCreate, SaleCreate, SyncBatch

SKUS = 8
PRICES = [1_990 + 1_000 * n for n in range(SKUS)]


@dataclass(frozen=True)
class Till:
    store_id: int
    register_id: int
    shift_id: int
    scope: Scope


@dataclass(frozen=True)
class World:
    brand_id: int
    skus: list[int]
    tills: list[Till]


def _store(session: Any, brand_id: int, region_id: int, n: int) -> int:
    data = StoreCreate(
        brand_id=brand_id,
        region_id=region_id,
        code=f"S{n:02d}",
        name=f"Store {n}",
        type="direct",
        lat=31.2 + n / 100,
        lng=121.4 + n / 100,
    )
    return org_service.create_store(session=session, scope=SYSTEM, data=data).id


def build_world(database: Database, tills: int, units: int) -> World:
    """A brand with ``tills // 2`` stores of two registers each, every SKU stocked."""
    tag = uuid.uuid4().hex[:6]
    with database.transaction() as session:
        brand = org_service.create_brand(
            session=session, scope=SYSTEM, data=BrandCreate(code=f"PS{tag}", name="Till bench")
        )
        region = org_service.create_region(
            session=session,
            scope=SYSTEM,
            data=RegionCreate(brand_id=brand.id, code="HQ", name="HQ", kind="hq"),
        )
        product = catalog_service.create_product(
            session=session,
            scope=SYSTEM,
            data=ProductCreate(brand_id=brand.id, code="TEE", title="Tee"),
        )
        skus = []
        for n, price in enumerate(PRICES):
            sku = catalog_service.create_sku(
                session=session, scope=SYSTEM, product_id=product.id, data=SkuCreate(code=f"T{n}")
            )
            catalog_service.create_offer(
                session=session, scope=SYSTEM, data=OfferCreate(sku_id=sku.id, price=price)
            )
            skus.append(sku.id)
        stores = [_store(session, brand.id, region.id, n) for n in range(max(1, tills // 2))]
        lines = [{"sku_id": sku, "quantity": units} for sku in skus]
        for store_id in stores:
            receipt = {"kind": "receipt", "location_id": store_id, "lines": lines}
            inventory_service.record_movements(
                session=session, scope=SYSTEM, data=ReceiptCreate.model_validate(receipt)
            )
        made = []
        for n in range(tills):
            store_id = stores[n % len(stores)]
            scope = Scope(
                actor_type="staff",
                actor_id=None,
                roles=frozenset({Role.CASHIER}),
                brand_id=brand.id,
                region_ids=frozenset({region.id}),
                store_ids=frozenset({store_id}),
            )
            register = pos_service.create_register(
                session=session,
                scope=SYSTEM,
                data=RegisterCreate(store_id=store_id, code=f"R{n:02d}"),
            )
            shift = pos_service.open_shift(
                session=session, scope=scope, register_id=register.id, opening_float=50_000
            )
            made.append(Till(store_id, register.id, shift.id, scope))
        return World(brand.id, skus, made)


def queued_sales(world: World, till: Till, count: int, r: random.Random) -> list[SaleCreate]:
    """What a till sold while offline: one to three SKUs, paid in cash, often with change."""
    sales = []
    for _ in range(count):
        picked = r.sample(range(SKUS), r.randint(1, 3))
        lines = [
            {"sku_id": world.skus[i], "quantity": r.randint(1, 2), "unit_price": PRICES[i]}
            for i in picked
        ]
        total = sum(line["quantity"] * line["unit_price"] for line in lines)
        tendered = -(-total // 10_000) * 10_000  # the next 100-yuan note up
        sales.append(
            SaleCreate.model_validate(
                {
                    "client_id": str(uuid.uuid4()),
                    "device_time": "2026-12-14T10:00:00+08:00",
                    "shift_id": till.shift_id,
                    "lines": lines,
                    "total": total,
                    "tenders": [{"method": "cash", "amount": total, "tendered": tendered}],
                }
            )
        )
    return sales


def batches(sales: Sequence[SaleCreate], size: int, register_id: int) -> list[SyncBatch]:
    return [
        SyncBatch(register_id=register_id, sales=list(sales[i : i + size]))
        for i in range(0, len(sales), size)
    ]


def sync_all(database: Database, queues: list[tuple[Till, list[SyncBatch]]]) -> tuple[float, int]:
    """Every till sends its batches in turn, all tills at once; (seconds, sales placed)."""

    def till_syncs(item: tuple[Till, list[SyncBatch]]) -> int:
        till, sent = item
        placed = 0
        for batch in sent:
            result = pos_service.sync(database=database, scope=till.scope, data=batch)
            placed += sum(1 for r in result.results if r.status == "completed" and not r.replayed)
        return placed

    start = time.perf_counter()
    with ThreadPoolExecutor(len(queues)) as pool:
        placed = sum(pool.map(till_syncs, queues))
    return time.perf_counter() - start, placed


def one_by_one(database: Database, till: Till, sale: SaleCreate) -> None:
    """The ordinary order path: an order created (held), then paid in cash."""
    body = OrderCreate.model_validate(
        {
            "store_id": till.store_id,
            "channel": "pos",
            "lines": [{"sku_id": x.sku_id, "quantity": x.quantity} for x in sale.lines],
            "delivery": {"method": "pickup"},
        }
    )
    with database.transaction() as session:
        order = orders_service.create_order(session=session, scope=till.scope, data=body)
    with database.transaction() as session:
        payments_service.pay(
            session=session,
            scope=till.scope,
            order_id=order.id,
            data=PaymentCreate(method="cash", instruction="succeed"),
        )


def anchor(database: Database, queues: list[tuple[Till, list[SaleCreate]]]) -> float:
    def till_places(item: tuple[Till, list[SaleCreate]]) -> None:
        till, sales = item
        for sale in sales:
            one_by_one(database, till, sale)

    start = time.perf_counter()
    with ThreadPoolExecutor(len(queues)) as pool:
        list(pool.map(till_places, queues))
    return time.perf_counter() - start


def counts(database: Database, world: World) -> dict[str, int]:
    stores = sorted({t.store_id for t in world.tills})
    with database.transaction(read_only=True) as session:
        by_status = dict(
            session.execute(
                select(Order.status, func.count())
                .where(Order.store_id.in_(stores))
                .group_by(Order.status)
            ).all()
        )
        sales = session.scalar(select(func.count()).select_from(PosSale)) or 0
    return {
        "till_orders": int(by_status.get("completed", 0)),
        "anchor_orders": int(by_status.get("allocated", 0)),
        "sale_rows": int(sales),
    }


def timed(label: str, work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    print(f"{label}: {time.perf_counter() - start:.1f}s", file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=10_000)
    parser.add_argument("--tills", type=int, default=20)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("NEWRETAIL_BENCH_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    configure_logging(level="WARNING", json=False)
    r = random.Random(args.seed)
    per_till = args.sales // args.tills
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(url, pool_size=args.tills + 5, max_overflow=10)
        Base.metadata.create_all(database.engine)
        world = timed("world", lambda: build_world(database, args.tills, units=args.sales))
        queued = [(t, queued_sales(world, t, per_till, r)) for t in world.tills]
        sent = [(t, batches(sales, args.batch, t.register_id)) for t, sales in queued]
        seconds, placed = timed("sync", lambda: sync_all(database, sent))
        replay_seconds, replaced = timed("replay", lambda: sync_all(database, sent))
        anchor_seconds = timed("anchor", lambda: anchor(database, queued))
        found = counts(database, world)
        backend = database.engine.dialect.name
        database.dispose()
    total = per_till * args.tills
    duplicates = found["till_orders"] - total + replaced
    rate, anchor_rate = total / seconds, total / anchor_seconds
    result = {
        "benchmark": "pos_sync",
        "backend": backend,
        "tills": args.tills,
        "batch": args.batch,
        "sales": total,
        "orders_placed": placed,
        "duplicates": duplicates,
        "orders_per_s": round(rate, 1),
        "replay_sales_per_s": round(total / replay_seconds, 1),
        "anchor_orders_per_s": round(anchor_rate, 1),
        "ratio": round(rate / anchor_rate, 3),
    }
    assert placed == found["till_orders"] == found["sale_rows"] == found["anchor_orders"] == total
    assert duplicates == 0
    print(json.dumps(result), flush=True)
    table = Table(title=f"{total:,} queued sales from {args.tills} tills on {backend}")
    for column in ("path", "orders/s", "orders"):
        table.add_column(column, justify="right")
    table.add_row(f"sync, batches of {args.batch}", f"{rate:,.1f}", str(found["till_orders"]))
    table.add_row("replay of every batch", f"{total / replay_seconds:,.1f}", "0 new")
    table.add_row("one by one: create + pay", f"{anchor_rate:,.1f}", str(found["anchor_orders"]))
    Console(file=sys.stderr).print(table)


if __name__ == "__main__":
    main()
