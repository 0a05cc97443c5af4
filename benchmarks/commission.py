"""Benchmark: a month of paid orders accrued into the commission ledger, and its period settled.

Builds one brand with ``--stores`` stores, a guide bound at each, a catalog of two categories
and an active plan (a 5 % CPS rule, an 8 % CPS rule on one category, a store rule sharing
2 % between the bound, selling and fulfilling stores), then writes a month of paid orders
(November 2026) with ``--lines`` order lines in bulk, attribution snapshot filled as checkout
leaves it. Two measures, each next to its anchor measured in the same run:

- accrual: ``accrue_orders`` over every order in batches of ``--batch`` orders, one
  transaction each (what the outbox consumer does with a batch of ``order.paid`` events)
  -> order lines per second; the anchor is a bare batch insert of the same entries (read
  back from the ledger batch by batch, untimed) into a copy of ``commission_entry`` with
  the same columns and indexes, in the same batches and transactions.
- settlement: ``close_period`` over the month's period (statements per guide and per
  store) and ``approve_statement`` of each by a second admin -> seconds; the anchor is one
  DuckDB aggregate grouping the same ledger lines by beneficiary.

SQLite in a temporary file by default; PostgreSQL with ``--database-url`` or
NEWRETAIL_BENCH_DATABASE_URL (its public schema is dropped). Prints one JSON line.

    .venv/bin/python benchmarks/commission.py [--lines 1000000] [--database-url URL]
"""

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import duckdb
from sqlalchemy import Column, Index, MetaData, Table, func, insert, select, text
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.auth.schemas import StaffCreate
from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import CategoryCreate, ProductCreate, SkuCreate
from newretail.commission import service as commission_service
from newretail.commission import settlement, statements
from newretail.commission.models import CommissionPeriod, CommissionStatement
from newretail.commission.schemas import PlanCreate, RuleCreate
from newretail.commission.settlement_schemas import ScheduleUpdate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM, Scope
from newretail.models import Base
from newretail.orders.models import Order, OrderLine
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate

MONTH_STARTS = datetime(2026, 10, 31, 16, tzinfo=UTC)  # 1 November in Shanghai
NOW = datetime(2026, 12, 5, 4, tzinfo=UTC)
LINES_PER_ORDER = 4
SKUS = 40
CHANNELS = ("online", "cloud_store", "pos", "guide_share")
BASE = Base.metadata.tables["commission_entry"]


@dataclass
class World:
    brand_id: int
    stores: list[int]
    guides: list[int]
    skus: list[tuple[int, str, int]]  # id, title, unit price in fen
    preparer: Scope
    approver: Scope


def _staff(session: Session, brand_id: int, name: str, role: dict[str, Any]) -> Staff:
    data = StaffCreate.model_validate(
        {
            "brand_id": brand_id,
            "username": name,
            "display_name": name,
            "password": "bench-password",
            "roles": [role],
        }
    )
    return auth_service.create_staff(session=session, scope=SYSTEM, data=data)


def _world(database: Database, stores: int) -> World:
    with database.transaction() as session:
        brand = org_service.create_brand(
            session=session, scope=SYSTEM, data=BrandCreate(code="BENCH", name="Bench")
        )
        region = org_service.create_region(
            session=session,
            scope=SYSTEM,
            data=RegionCreate(brand_id=brand.id, code="HQ", name="HQ", kind="hq"),
        )
        store_ids, guide_ids = [], []
        for n in range(stores):
            store = org_service.create_store(
                session=session,
                scope=SYSTEM,
                data=StoreCreate.model_validate(
                    {
                        "brand_id": brand.id,
                        "region_id": region.id,
                        "code": f"S{n}",
                        "name": f"Store {n}",
                        "type": "franchise" if n % 3 else "direct",
                        "lat": 31.2,
                        "lng": 121.4,
                    }
                ),
            )
            store_ids.append(store.id)
            guide_ids.append(
                _staff(session, brand.id, f"guide{n}", {"role": "guide", "store_id": store.id}).id
            )
        admins = [_staff(session, brand.id, f"admin{n}", {"role": "brand_admin"}) for n in range(2)]
        scopes = [auth_service.scope_for_staff(session=session, staff=a) for a in admins]
        categories = [
            catalog_service.create_category(
                session=session,
                scope=SYSTEM,
                data=CategoryCreate(brand_id=brand.id, code=f"C{n}", name=f"Category {n}"),
            ).id
            for n in range(2)
        ]
        skus = []
        for n in range(SKUS):
            product = catalog_service.create_product(
                session=session,
                scope=SYSTEM,
                data=ProductCreate(
                    brand_id=brand.id,
                    category_id=categories[n % 2],
                    code=f"P{n}",
                    title=f"Item {n}",
                ),
            )
            sku = catalog_service.create_sku(
                session=session, scope=SYSTEM, product_id=product.id, data=SkuCreate(code=f"K{n}")
            )
            skus.append((sku.id, f"Item {n}", 1990 + 1000 * (n % 17)))
        plan = commission_service.create_plan(
            session=session,
            scope=SYSTEM,
            data=PlanCreate(brand_id=brand.id, name="Bench plan", is_active=True),
        )
        for rule in (
            {"name": "All lines", "kind": "cps", "rate_bp": 500, "freeze_days": 0},
            {
                "name": "Category 1",
                "kind": "cps",
                "rate_bp": 800,
                "category_id": categories[1],
                "freeze_days": 0,
            },
            {
                "name": "Stores",
                "kind": "store",
                "store_bound_bp": 100,
                "store_selling_bp": 50,
                "store_fulfilling_bp": 50,
                "freeze_days": 0,
            },
        ):
            commission_service.add_rule(
                session=session,
                scope=SYSTEM,
                plan_id=plan.id,
                data=RuleCreate.model_validate(rule),
            )
        schedule = ScheduleUpdate.model_validate(
            {"brand_id": brand.id, "kind": "monthly", "day_of_month": 1, "starts_on": "2026-11-01"}
        )
        settlement.set_schedule(session=session, scope=SYSTEM, data=schedule, now=NOW)
        return World(brand.id, store_ids, guide_ids, skus, scopes[0], scopes[1])


def _orders(database: Database, world: World, lines: int) -> list[int]:
    """A month of paid orders with ``lines`` lines in all, written in bulk; their ids."""
    orders = -(-lines // LINES_PER_ORDER)
    seconds = 30 * 24 * 3600
    order_table = cast(Table, Order.__table__)
    line_table = cast(Table, OrderLine.__table__)
    with database.transaction() as session:
        next_line = (session.scalar(select(func.max(OrderLine.id))) or 0) + 1
        next_order = (session.scalar(select(func.max(Order.id))) or 0) + 1
    ids: list[int] = []
    written = 0
    chunk = 5_000
    for start in range(0, orders, chunk):
        order_rows: list[dict[str, Any]] = []
        line_rows: list[dict[str, Any]] = []
        for n in range(start, min(orders, start + chunk)):
            order_id = next_order + n
            at = MONTH_STARTS + timedelta(seconds=3600 + n * (seconds - 7200) // orders)
            store = world.stores[n % len(world.stores)]
            selling = world.stores[(n // 7) % len(world.stores)]
            count = min(LINES_PER_ORDER, lines - written)
            subtotal = 0
            for k in range(count):
                sku_id, title, price = world.skus[(n * 3 + k) % len(world.skus)]
                quantity = 1 + (n + k) % 3
                line_rows.append(
                    {
                        "id": next_line + written,
                        "order_id": order_id,
                        "brand_id": world.brand_id,
                        "sku_id": sku_id,
                        "title": title,
                        "quantity": quantity,
                        "unit_price": price,
                        "price_source": {},
                        "subtotal": quantity * price,
                        "discount": 0,
                        "total": quantity * price,
                        "location_id": selling,
                        "routing_reason": "",
                        "refunded_quantity": 0,
                        "refunded_amount": 0,
                    }
                )
                subtotal += quantity * price
                written += 1
            order_rows.append(
                {
                    "id": order_id,
                    "brand_id": world.brand_id,
                    "number": f"B{order_id:010d}",
                    "kind": "standard",
                    "store_id": selling,
                    "channel": CHANNELS[n % len(CHANNELS)],
                    "bound_store_id": store,
                    "bound_guide_id": world.guides[n % len(world.guides)],
                    "referring_guide_id": None,
                    "touchpoint_code": None,
                    "note": "",
                    "status": "paid",
                    "refund_state": "none",
                    "currency": "CNY",
                    "subtotal": subtotal,
                    "discount": 0,
                    "total": subtotal,
                    "paid_amount": subtotal,
                    "refunded_amount": 0,
                    "delivery_method": "ship",
                    "expires_at": at + timedelta(minutes=30),
                    "created_by_type": "consumer",
                    "created_at": at,
                    "paid_at": at,
                    "updated_at": at,
                }
            )
            ids.append(order_id)
        with database.transaction() as session:
            session.execute(insert(order_table), order_rows)
            session.execute(insert(line_table), line_rows)
    return ids


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _anchor_table(database: Database) -> Table:
    """A copy of ``commission_entry``: its columns and indexes, no foreign keys."""
    metadata = MetaData()
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable) for c in BASE.c
    ]
    copy = Table("bench_entry_copy", metadata, *columns)
    for index in BASE.indexes:
        Index(
            f"bench_copy_{index.name}",
            *[copy.c[c.name] for c in index.columns],
            unique=bool(index.unique),
        )
    for constraint in BASE.constraints:
        names = [c.name for c in getattr(constraint, "columns", [])]
        if type(constraint).__name__ == "UniqueConstraint":
            Index(f"bench_copy_uq_{'_'.join(names)}", *[copy.c[n] for n in names], unique=True)
    with database.engine.begin() as connection:
        metadata.create_all(connection)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100, help="orders per accrual batch")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    url = args.database_url or os.environ.get("NEWRETAIL_BENCH_DATABASE_URL")
    folder = tempfile.mkdtemp(prefix="bench-commission-")
    database = Database(url or f"sqlite:///{Path(folder) / 'bench.db'}")
    with database.engine.begin() as connection:
        if not database.is_sqlite:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        Base.metadata.create_all(connection)
    world = _world(database, args.stores)
    setup_started = time.perf_counter()
    order_ids = _orders(database, world, args.lines)
    setup_seconds = time.perf_counter() - setup_started
    print(f"wrote {len(order_ids):,} orders in {setup_seconds:.0f} s", file=sys.stderr)

    started = time.perf_counter()
    entries = 0
    for n, batch in enumerate(_batches(order_ids, args.batch)):
        with database.transaction() as session:
            entries += commission_service.accrue_orders(session=session, order_ids=batch, now=NOW)
        if n % 500 == 499:
            done = (n + 1) * args.batch
            rate = done * LINES_PER_ORDER / (time.perf_counter() - started)
            print(f"accrued {done:,} orders, {rate:,.0f} lines/s", file=sys.stderr)
    accrual_seconds = time.perf_counter() - started

    # The same entries, read back batch by batch (untimed) and inserted as they were accrued.
    copy = _anchor_table(database)
    keep = [BASE.c[c.name] for c in BASE.c if c.name != "id"]
    anchor_seconds = 0.0
    copied = 0
    for batch in _batches(order_ids, args.batch):
        with database.transaction() as session:
            group = [
                dict(r._mapping)
                for r in session.execute(
                    select(*keep).where(BASE.c.order_id.in_(batch)).order_by(BASE.c.id)
                )
            ]
        if group:
            anchor_started = time.perf_counter()
            with database.transaction() as session:
                session.execute(insert(copy), group)
            anchor_seconds += time.perf_counter() - anchor_started
            copied += len(group)
    with database.engine.begin() as connection:
        copy.drop(connection)

    with database.transaction() as session:
        period_id = session.scalar(
            select(CommissionPeriod.id)
            .where(CommissionPeriod.brand_id == world.brand_id)
            .order_by(CommissionPeriod.starts_at)
        )
    assert period_id is not None
    close_started = time.perf_counter()
    with database.transaction() as session:
        result = settlement.close_period(
            session=session, scope=world.preparer, period_id=period_id, now=NOW
        )
    closed = time.perf_counter()
    with database.transaction() as session:
        ids = session.scalars(
            select(CommissionStatement.id).where(CommissionStatement.period_id == period_id)
        )
        for statement_id in list(ids):
            statements.approve_statement(
                session=session, scope=world.approver, statement_id=statement_id
            )
    settled = time.perf_counter()

    duck = duckdb.connect()
    lines_csv = Path(folder) / "lines.csv"
    with database.transaction() as session, lines_csv.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["kind", "guide_id", "store_id", "amount"])
        writer.writerows(
            session.execute(
                select(BASE.c.beneficiary_type, BASE.c.guide_id, BASE.c.store_id, BASE.c.amount)
            )
        )
    duck.execute(
        "CREATE TABLE line AS SELECT * FROM read_csv(?, header = true, columns = "
        "{'kind': 'VARCHAR', 'guide_id': 'INTEGER', 'store_id': 'INTEGER', 'amount': 'BIGINT'})",
        [str(lines_csv)],
    )
    duck_started = time.perf_counter()
    totals = duck.execute(
        "SELECT kind, guide_id, store_id, sum(amount), count(*) FROM line GROUP BY ALL"
    ).fetchall()
    duck_seconds = time.perf_counter() - duck_started

    settle_seconds = settled - close_started
    assert copied == entries == result.entries, (copied, entries, result.entries)
    assert len(totals) == result.statements and sum(t[3] for t in totals) == result.total
    figure = {
        "benchmark": "commission",
        "database": database.engine.dialect.name,
        "orders": len(order_ids),
        "lines": args.lines,
        "entries": entries,
        "batch_orders": args.batch,
        "accrual_s": round(accrual_seconds, 2),
        "accrual_lines_per_s": round(args.lines / accrual_seconds),
        "accrual_anchor": "bare batch insert of the same entries, same batches",
        "anchor_lines_per_s": round(args.lines / anchor_seconds),
        "accrual_ratio": round(accrual_seconds / anchor_seconds, 1),
        "statements": result.statements,
        "settle_s": round(settle_seconds, 3),
        "close_s": round(closed - close_started, 3),
        "approve_s": round(settled - closed, 3),
        "settle_anchor": "duckdb group by beneficiary over the same lines",
        "settle_anchor_s": round(duck_seconds, 4),
        "settle_ratio": round(settle_seconds / duck_seconds, 1),
    }
    print(json.dumps(figure), flush=True)
    database.dispose()


if __name__ == "__main__":
    main()
