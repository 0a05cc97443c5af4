"""The commission benchmarks' world: one brand, its stores with a guide each, two admins (one
prepares statements, the other approves them), a small catalog and a settlement schedule.

Everything goes through the services (as a brand would set itself up); only the bulk of
orders or ledger lines a benchmark measures is written directly, by the benchmark.
"""

import csv
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import text
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.auth.schemas import StaffCreate
from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import CategoryCreate, ProductCreate, SkuCreate
from newretail.commission import settlement
from newretail.commission.settlement_schemas import ScheduleUpdate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM, Scope
from newretail.models import Base
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate


@dataclass
class World:
    brand_id: int
    stores: list[int]
    guides: list[int]  # the guide of each store, in the same order
    categories: list[int]
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


def _stores(session: Session, brand_id: int, count: int) -> tuple[list[int], list[int]]:
    """``count`` stores (a third direct, the rest franchised), each with its guide."""
    region = org_service.create_region(
        session=session,
        scope=SYSTEM,
        data=RegionCreate(brand_id=brand_id, code="HQ", name="HQ", kind="hq"),
    )
    stores, guides = [], []
    for n in range(count):
        store = org_service.create_store(
            session=session,
            scope=SYSTEM,
            data=StoreCreate.model_validate(
                {
                    "brand_id": brand_id,
                    "region_id": region.id,
                    "code": f"S{n}",
                    "name": f"Store {n}",
                    "type": "franchise" if n % 3 else "direct",
                    "lat": 31.2,
                    "lng": 121.4,
                }
            ),
        )
        stores.append(store.id)
        guide = _staff(session, brand_id, f"guide{n}", {"role": "guide", "store_id": store.id})
        guides.append(guide.id)
    return stores, guides


def _catalog(
    session: Session, brand_id: int, skus: int
) -> tuple[list[int], list[tuple[int, str, int]]]:
    """Two categories and ``skus`` SKUs spread over them, at prices from 19.90 to 179.90."""
    categories = [
        catalog_service.create_category(
            session=session,
            scope=SYSTEM,
            data=CategoryCreate(brand_id=brand_id, code=f"C{n}", name=f"Category {n}"),
        ).id
        for n in range(2)
    ]
    made = []
    for n in range(skus):
        product = catalog_service.create_product(
            session=session,
            scope=SYSTEM,
            data=ProductCreate(
                brand_id=brand_id, category_id=categories[n % 2], code=f"P{n}", title=f"Item {n}"
            ),
        )
        sku = catalog_service.create_sku(
            session=session, scope=SYSTEM, product_id=product.id, data=SkuCreate(code=f"K{n}")
        )
        made.append((sku.id, f"Item {n}", 1990 + 1000 * (n % 17)))
    return categories, made


def build(
    database: Database, *, stores: int, skus: int, schedule: dict[str, Any], now: datetime
) -> World:
    """The brand, its stores and guides, admins, catalog and schedule (periods opened by
    ``now``)."""
    with database.transaction() as session:
        brand = org_service.create_brand(
            session=session, scope=SYSTEM, data=BrandCreate(code="BENCH", name="Bench")
        )
        store_ids, guide_ids = _stores(session, brand.id, stores)
        admins = [_staff(session, brand.id, f"admin{n}", {"role": "brand_admin"}) for n in range(2)]
        scopes = [auth_service.scope_for_staff(session=session, staff=a) for a in admins]
        categories, sku_rows = _catalog(session, brand.id, skus)
        data = ScheduleUpdate.model_validate({"brand_id": brand.id, **schedule})
        settlement.set_schedule(session=session, scope=SYSTEM, data=data, now=now)
        return World(brand.id, store_ids, guide_ids, categories, sku_rows, scopes[0], scopes[1])


def fresh_database(url: str) -> Database:
    """The database at ``url`` with every table empty (PostgreSQL: its public schema is
    dropped and made again)."""
    database = Database(url)
    with database.engine.begin() as connection:
        if not database.is_sqlite:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        Base.metadata.create_all(connection)
    return database


def analyze(database: Database) -> None:
    """Gather the planner's statistics, as a live database keeps them (autovacuum analyzes a
    table once a tenth of it is new): after the bulk writes of a benchmark's set-up, so the
    planner knows how big the tables are (without them, PostgreSQL scanned every order line
    to find a batch's 400). Untimed."""
    with database.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def duckdb_totals(lines: Iterable[Sequence[Any]], folder: Path) -> tuple[list[Any], float]:
    """Ledger lines (kind, guide id, store id, amount) grouped by beneficiary in DuckDB, the
    settlement's anchor: (groups with their sum and count, seconds of the aggregate alone).

    The lines go through a CSV file (written and loaded untimed): DuckDB reads a file in
    bulk, while inserting row by row from Python would take longer than everything else.
    """
    path = folder / "lines.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["kind", "guide_id", "store_id", "amount"])
        writer.writerows(lines)
    duck = duckdb.connect()
    duck.execute(
        "CREATE TABLE line AS SELECT * FROM read_csv(?, header = true, columns = "
        "{'kind': 'VARCHAR', 'guide_id': 'INTEGER', 'store_id': 'INTEGER', 'amount': 'BIGINT'})",
        [str(path)],
    )
    path.unlink()
    began = time.perf_counter()
    totals = duck.execute(
        "SELECT kind, guide_id, store_id, sum(amount), count(*) FROM line GROUP BY ALL"
    ).fetchall()
    seconds = time.perf_counter() - began
    duck.close()
    return totals, seconds
