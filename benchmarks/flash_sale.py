"""Benchmark: a flash sale, many buyers for one hot SKU with limited units, twice as many
buyers as units. Each buyer is one checkout (pricing, attribution, routing, the stock hold,
the order rows, an outbox event) and, when it got a unit, one payment (sandbox charge,
guarded transition, the sale movement, fulfilment, events), each its own transaction.

Anchor, in the same run and on the same database: the bare guarded decrement
``UPDATE stock_level SET on_hand = on_hand - 1 WHERE ... AND on_hand - reserved >= 1``,
one transaction per attempt, same threads and attempts. Oversold units must be 0 for both.
SQLite in a temporary file by default; PostgreSQL when NEWRETAIL_BENCH_DATABASE_URL (or
NEWRETAIL_TEST_DATABASE_URL) is set. Prints one JSON line on stdout and a table on stderr.

    .venv/bin/python benchmarks/flash_sale.py [--units 300] [--threads 8]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select, text

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.db import Database
from newretail.inventory.errors import InsufficientStock
from newretail.inventory.models import StockLevel, StockMovement
from newretail.kernel.scope import SYSTEM, Scope
from newretail.members import service as members_service
from newretail.models import Base
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from support.hot_sku import run, stocked_store

BARE = text(
    "UPDATE stock_level SET on_hand = on_hand - 1 "
    "WHERE location_id = :location AND sku_id = :sku AND on_hand - reserved >= 1 "
    "RETURNING id"
)


def build_world(database: Database, units: int, buyers: int) -> tuple[int, int, int, list[int]]:
    """A brand, a store, a hot SKU and an anchor SKU with ``units`` each, and the buyers."""
    with database.transaction() as session:
        hot = stocked_store(session, brand_prefix="FS", units=units)
        catalog_service.create_offer(
            session=session, scope=SYSTEM, data=OfferCreate(sku_id=hot.service_sku, price=19_900)
        )
        consumers = [
            members_service.consumer_for_phone(
                session=session, phone=f"+86139{n:08d}", verified=True
            )[0]
            for n in range(buyers)
        ]
        return hot.store_id, hot.service_sku, hot.anchor_sku, consumers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    attempts = 2 * args.units
    url = os.environ.get("NEWRETAIL_BENCH_DATABASE_URL") or os.environ.get(
        "NEWRETAIL_TEST_DATABASE_URL"
    )
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(database.engine)
        store, hot, anchor_sku, consumers = build_world(database, args.units, attempts)

        def buy(n: int) -> bool:
            scope = Scope(actor_type="consumer", actor_id=consumers[n], roles=frozenset())
            data = OrderCreate.model_validate(
                {
                    "store_id": store,
                    "channel": "livestream",
                    "lines": [{"sku_id": hot, "quantity": 1}],
                    "delivery": {"method": "pickup"},
                }
            )
            try:
                with database.transaction() as session:
                    order = orders_service.create_order(session=session, scope=scope, data=data)
            except InsufficientStock:
                return False
            with database.transaction() as session:
                payments_service.pay(
                    session=session, scope=scope, order_id=order.id, data=PaymentCreate()
                )
            return True

        def bare(_: int) -> bool:
            with database.transaction() as session:
                return (
                    session.execute(BARE, {"location": store, "sku": anchor_sku}).first()
                    is not None
                )

        seconds, sold, latencies = run(attempts, args.threads, buy)
        anchor_seconds, anchor_sold, anchor_latencies = run(attempts, args.threads, bare)
        with database.transaction(read_only=True) as session:
            on_hand = dict(
                session.execute(
                    select(StockLevel.sku_id, StockLevel.on_hand).where(
                        StockLevel.location_id == store
                    )
                ).all()
            )
            sale_units = session.scalar(
                select(func.coalesce(func.sum(-StockMovement.quantity), 0)).where(
                    StockMovement.sku_id == hot, StockMovement.kind == "sale"
                )
            )
            paid = session.scalar(
                select(func.count())
                .select_from(Order)
                .where(Order.store_id == store, Order.paid_amount > 0)
            )
        dialect = database.engine.dialect.name
        database.dispose()
    oversold = max(0, int(paid or 0) - args.units) + max(0, -on_hand[hot])
    oversold += max(0, anchor_sold - args.units) + max(0, -on_hand[anchor_sku])
    p99 = statistics.quantiles(latencies, n=100)[98]
    anchor_p99 = statistics.quantiles(anchor_latencies, n=100)[98]
    result = {
        "benchmark": "flash_sale",
        "database": dialect,
        "units": args.units,
        "buyers": attempts,
        "threads": args.threads,
        "orders_paid": sold,
        "orders_per_s": round(sold / seconds, 1),
        "buyers_per_s": round(attempts / seconds, 1),
        "p99_ms": round(p99, 2),
        "oversold": oversold,
        "anchor_attempts_per_s": round(attempts / anchor_seconds, 1),
        "anchor_p99_ms": round(anchor_p99, 2),
        "ratio": round(seconds / anchor_seconds, 2),
    }
    assert sold == anchor_sold == args.units == sale_units and oversold == 0
    print(json.dumps(result), flush=True)
    table = Table(title=f"{attempts:,} buyers for {args.units:,} units on {dialect}")
    for column in ("path", "buyers/s", "p99 ms", "sold"):
        table.add_column(column, justify="right")
    table.add_row("checkout + pay", f"{attempts / seconds:,.1f}", f"{p99:.2f}", str(sold))
    table.add_row(
        "anchor: bare guarded decrement",
        f"{attempts / anchor_seconds:,.1f}",
        f"{anchor_p99:.2f}",
        str(anchor_sold),
    )
    Console(file=sys.stderr).print(table)


if __name__ == "__main__":
    main()
