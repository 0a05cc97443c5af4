"""Benchmark: a flash sale, many buyers for one hot SKU with limited units, twice as many
buyers as units. Each buyer is one purchase through the services: pricing, attribution,
the sandbox charge, the order, its line, payment, fulfilment, stock taken with its sale
movement, and the order's outbox events, in one transaction.

Anchor, in the same run, on the same database and with the same number of clients: a bare
DB-API loop (raw psycopg or sqlite3 connection, one transaction per buyer) doing the same
writes: the guarded decrement, the order, its line, the payment, the sale movement and one
outbox row. ``share_of_bare`` is the service's buyers/s over the bare loop's. Oversold
units must be 0 for both. SQLite in a temporary file by default; PostgreSQL when
NEWRETAIL_BENCH_DATABASE_URL (or NEWRETAIL_TEST_DATABASE_URL) is set. Prints one JSON line
on stdout and a table on stderr.

A shared machine's speed drifts over seconds, as long as one sale lasts: ``--rounds`` (3)
sales run one after the other, each on a new store with the service and the bare loop back
to back, and the JSON line gives the middle round by share (every round's share too);
``oversold`` counts every round.

    .venv/bin/python benchmarks/flash_sale.py [--units 300] [--clients 8] [--two-step]
        [--rounds 3]

``--two-step`` buys through a checkout and a separate payment (two transactions, the stock
held in between), as a buyer who pays later would.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.db import Database
from newretail.inventory.errors import InsufficientStock
from newretail.inventory.models import StockLevel, StockMovement
from newretail.kernel.scope import SYSTEM, Scope
from newretail.members import service as members_service
from newretail.models import Base
from newretail.observability import configure_logging
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from support.hot_sku import HotStore, run, stocked_store

PRICE = 19_900


def build_world(database: Database, units: int, buyers: int) -> tuple[HotStore, list[int]]:
    """A brand, a store, a hot SKU and an anchor SKU with ``units`` each, and the buyers."""
    hot = hot_store(database, units)
    with database.transaction() as session:
        consumers = [
            members_service.consumer_for_phone(
                session=session, phone=f"+86139{n:08d}", verified=True
            )[0]
            for n in range(buyers)
        ]
        return hot, consumers


def hot_store(database: Database, units: int) -> HotStore:
    """A new brand's store, its hot SKU on offer and its anchor SKU, ``units`` of each."""
    with database.transaction() as session:
        hot = stocked_store(session, brand_prefix="FS", units=units)
        catalog_service.create_offer(
            session=session, scope=SYSTEM, data=OfferCreate(sku_id=hot.service_sku, price=PRICE)
        )
        return hot


def order_body(store_id: int, sku_id: int) -> dict[str, Any]:
    return {
        "store_id": store_id,
        "channel": "livestream",
        "lines": [{"sku_id": sku_id, "quantity": 1}],
        "delivery": {"method": "pickup"},
    }


def service_buyer(
    database: Database, hot: HotStore, consumers: list[int], two_step: bool
) -> Callable[[int], bool]:
    """One buyer through the services: a purchase, or a checkout and a payment."""
    body = order_body(hot.store_id, hot.service_sku)

    def buy(n: int) -> bool:
        scope = Scope(actor_type="consumer", actor_id=consumers[n], roles=frozenset())
        try:
            if not two_step:
                with database.transaction() as session:
                    payments_service.purchase(
                        session=session,
                        scope=scope,
                        data=OrderCreate.model_validate(body),
                        payment=PaymentCreate(),
                    )
                return True
            with database.transaction() as session:
                order = orders_service.create_order(
                    session=session, scope=scope, data=OrderCreate.model_validate(body)
                )
        except InsufficientStock:
            return False
        with database.transaction() as session:
            payments_service.pay(
                session=session, scope=scope, order_id=order.id, data=PaymentCreate()
            )
        return True

    return buy


# ---- the bare loop --------------------------------------------------------------------

_ORDER = (
    "INSERT INTO sales_order (brand_id, number, kind, store_id, channel, consumer_id, status, "
    "refund_state, currency, subtotal, discount, total, paid_amount, refunded_amount, "
    "delivery_method, pickup_store_id, expires_at, created_by_type, created_by_id, created_at, "
    "paid_at, updated_at) VALUES (?, ?, 'standard', ?, 'livestream', ?, 'paid', 'none', 'CNY', "
    "?, 0, ?, ?, 0, 'pickup', ?, ?, 'consumer', ?, ?, ?, ?) RETURNING id"
)
_LINE = (
    "INSERT INTO order_line (order_id, brand_id, sku_id, title, quantity, unit_price, "
    "price_source, subtotal, discount, total, location_id, routing_reason, refunded_quantity, "
    "refunded_amount) VALUES (?, ?, ?, 'Hot item', 1, ?, '{}', ?, 0, ?, ?, 'pickup store', 0, 0)"
)
_PAYMENT = (
    "INSERT INTO payment (brand_id, order_id, provider, provider_ref, method, amount, currency, "
    "status, actor_type, actor_id, created_at, confirmed_at) "
    "VALUES (?, ?, 'sandbox', ?, '', ?, 'CNY', 'succeeded', 'consumer', ?, ?, ?)"
)
_TAKE = (
    "UPDATE stock_level SET on_hand = on_hand - 1, updated_at = ? "
    "WHERE location_id = ? AND sku_id = ? AND on_hand - reserved >= 1 RETURNING on_hand"
)
_MOVEMENT = (
    "INSERT INTO stock_movement (brand_id, location_id, sku_id, kind, quantity, on_hand_after, "
    "reference_type, reference_id, actor_type, actor_id, note, created_at) "
    "VALUES (?, ?, ?, 'sale', -1, ?, 'order', ?, 'consumer', ?, '', ?)"
)
_EVENT = (
    "INSERT INTO outbox_event (event_id, brand_id, type, resource_type, resource_id, payload, "
    "occurred_at) VALUES (?, ?, 'order.paid', 'order', ?, ?, ?)"
)


@contextmanager
def bare_buyer(
    database: Database, hot: HotStore, consumers: list[int]
) -> Iterator[Callable[[int], bool]]:
    """The same writes per buyer on a raw DB-API connection per thread, one transaction each."""
    postgres = not database.is_sqlite
    statements = {
        name: sql.replace("?", "%s") if postgres else sql
        for name, sql in {
            "take": _TAKE,
            "order": _ORDER,
            "line": _LINE,
            "payment": _PAYMENT,
            "movement": _MOVEMENT,
            "event": _EVENT,
        }.items()
    }
    local = threading.local()
    opened: list[Any] = []
    lock = threading.Lock()

    def connection() -> Any:
        raw = getattr(local, "raw", None)
        if raw is None:
            raw = local.raw = database.engine.raw_connection()
            with lock:
                opened.append(raw)
        return raw.driver_connection

    def stamp(moment: datetime) -> Any:
        # sqlite3's datetime adapter is deprecated; SQLAlchemy stores this text on SQLite
        return moment if postgres else moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    def buy(n: int) -> bool:
        db = connection()
        cursor = db.cursor()
        now = stamp(datetime.now(UTC))
        if not postgres:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(statements["take"], (now, hot.store_id, hot.anchor_sku))
        level = cursor.fetchone()
        if level is None:
            db.rollback() if postgres else cursor.execute("ROLLBACK")
            return False
        number = f"B{uuid.uuid4().hex[:20]}"
        consumer = consumers[n]
        order = (hot.brand_id, number, hot.store_id, consumer, PRICE, PRICE, PRICE, hot.store_id)
        cursor.execute(statements["order"], (*order, now, consumer, now, now, now))
        order_id = cursor.fetchone()[0]
        cursor.execute(
            statements["line"],
            (order_id, hot.brand_id, hot.anchor_sku, PRICE, PRICE, PRICE, hot.store_id),
        )
        cursor.execute(
            statements["payment"],
            (hot.brand_id, order_id, f"bare_{number}", PRICE, consumer, now, now),
        )
        cursor.execute(
            statements["movement"],
            (hot.brand_id, hot.store_id, hot.anchor_sku, level[0], number, consumer, now),
        )
        payload = json.dumps({"id": order_id, "number": number, "total": PRICE})
        cursor.execute(
            statements["event"], (str(uuid.uuid4()), hot.brand_id, str(order_id), payload, now)
        )
        db.commit() if postgres else cursor.execute("COMMIT")
        return True

    try:
        yield buy
    finally:
        for raw in opened:
            raw.close()


# ---- the run --------------------------------------------------------------------------


def database_url(tmp: str) -> str:
    url = os.environ.get("NEWRETAIL_BENCH_DATABASE_URL") or os.environ.get(
        "NEWRETAIL_TEST_DATABASE_URL"
    )
    return url or f"sqlite:///{Path(tmp) / 'bench.db'}"


def sold_units(database: Database, hot: HotStore) -> dict[str, int]:
    """What the shelf and the journal say was sold of each SKU, and how many orders paid."""
    with database.transaction(read_only=True) as session:
        on_hand = dict(
            session.execute(
                select(StockLevel.sku_id, StockLevel.on_hand).where(
                    StockLevel.location_id == hot.store_id
                )
            ).all()
        )
        journal = session.scalar(
            select(func.coalesce(func.sum(-StockMovement.quantity), 0)).where(
                StockMovement.sku_id == hot.service_sku, StockMovement.kind == "sale"
            )
        )
        paid = session.scalar(
            select(func.count())
            .select_from(Order)
            .where(Order.store_id == hot.store_id, Order.paid_amount > 0)
            .where(~Order.number.startswith("B"))
        )
    return {
        "service_on_hand": on_hand[hot.service_sku],
        "anchor_on_hand": on_hand[hot.anchor_sku],
        "journal": int(journal or 0),
        "paid": int(paid or 0),
    }


def settle(database: Database) -> None:
    """Start the next run from a checkpointed WAL on SQLite: the writes of one run are not
    copied into the database file during the other's (a checkpoint of ~1,000 pages takes
    SQLite's default one commit of over 100 ms)."""
    if database.is_sqlite:
        raw = database.engine.raw_connection()  # outside a transaction, which would block it
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--two-step", action="store_true", help="checkout, then pay")
    parser.add_argument("--rounds", type=int, default=3, help="sales, each on a store of its own")
    args = parser.parse_args()
    configure_logging(level="WARNING", json=False)
    buyers = 2 * args.units
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(database_url(tmp))
        Base.metadata.create_all(database.engine)
        hot, consumers = build_world(database, args.units, buyers)
        for n in range(args.rounds):
            hot = hot if n == 0 else hot_store(database, args.units)
            rounds.append(
                one_round(database, hot, consumers, args.units, args.two_step, args.clients)
            )
        backend = database.engine.dialect.name
        database.dispose()
    middle = sorted(rounds, key=lambda r: r["share_of_bare"])[len(rounds) // 2]
    result = {
        "benchmark": "flash_sale",
        "backend": backend,
        "flow": "two_step" if args.two_step else "purchase",
        "clients": args.clients,
        "units": args.units,
        "buyers": buyers,
        "rounds": args.rounds,
        "oversold": sum(r["oversold"] for r in rounds),
        **{key: value for key, value in middle.items() if key != "oversold"},
        "shares_of_bare": [r["share_of_bare"] for r in rounds],
    }
    print(json.dumps(result), flush=True)
    table = Table(title=f"{buyers:,} buyers for {args.units:,} units on {backend}, each round")
    for column in ("round", "service buyers/s", "p99 ms", "bare buyers/s", "p99 ms", "share"):
        table.add_column(column, justify="right")
    for n, r in enumerate(rounds, start=1):
        table.add_row(
            str(n),
            f"{r['buyers_per_s']:,.1f}",
            f"{r['p99_ms']:.2f}",
            f"{r['bare_buyers_per_s']:,.1f}",
            f"{r['bare_p99_ms']:.2f}",
            f"{r['share_of_bare']:.3f}",
        )
    Console(file=sys.stderr).print(table)


def one_round(
    database: Database,
    hot: HotStore,
    consumers: list[int],
    units: int,
    two_step: bool,
    clients: int,
) -> dict[str, Any]:
    """The service's sale of ``hot``'s SKU, then the bare loop's of its anchor, back to back."""
    buyers = len(consumers)
    buy = service_buyer(database, hot, consumers, two_step)
    settle(database)
    seconds, sold, latencies = run(buyers, clients, buy)
    settle(database)
    with bare_buyer(database, hot, consumers) as bare:
        bare_seconds, bare_sold, bare_latencies = run(buyers, clients, bare)
    counts = sold_units(database, hot)
    oversold = max(0, counts["paid"] - units) + max(0, -counts["service_on_hand"])
    oversold += max(0, bare_sold - units) + max(0, -counts["anchor_on_hand"])
    assert sold == bare_sold == units == counts["journal"] == counts["paid"]
    assert oversold == 0
    service_rate, bare_rate = buyers / seconds, buyers / bare_seconds
    return {
        "orders_paid": sold,
        "oversold": oversold,
        "buyers_per_s": round(service_rate, 1),
        "orders_per_s": round(sold / seconds, 1),
        "p99_ms": round(statistics.quantiles(latencies, n=100)[98], 2),
        "bare_buyers_per_s": round(bare_rate, 1),
        "bare_p99_ms": round(statistics.quantiles(bare_latencies, n=100)[98], 2),
        "share_of_bare": round(service_rate / bare_rate, 3),
    }


if __name__ == "__main__":
    main()
