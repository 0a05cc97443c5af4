"""Benchmark: commission lines settled per second by closing a period and approving its
statements, next to a DuckDB aggregate over the same lines.

Builds one brand with ``--stores`` stores, a guide at each and ``--lines`` pending, released
ledger lines spread over the guides and stores (written in bulk, as the accrual would leave
them), then times ``settlement.close_period`` (statements per guide and per store, set-based)
and ``statements.approve_statement`` for every prepared statement by a second admin. The
anchor, in the same run, is DuckDB grouping the same lines by beneficiary (sum and count):
the bare aggregate with no guarded writes around it. SQLite in a temporary file by default;
PostgreSQL when NEWRETAIL_BENCH_DATABASE_URL is set. Prints one JSON line.

    .venv/bin/python benchmarks/commission_settlement.py [--lines 100000] [--stores 50]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import duckdb
from sqlalchemy import Table, insert, select, text

from newretail.auth import service as auth_service
from newretail.auth.schemas import StaffCreate
from newretail.commission import settlement, statements
from newretail.commission.models import CommissionEntry, CommissionPeriod, CommissionStatement
from newretail.commission.settlement_schemas import ScheduleUpdate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM, Scope
from newretail.models import Base
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate

NOW = datetime(2026, 11, 20, 4, tzinfo=UTC)
EARNED = datetime(2026, 11, 2, 4, tzinfo=UTC)


def _world(database: Database, stores: int) -> tuple[int, list[int], list[int], Scope, Scope]:
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
                        "type": "franchise",
                        "lat": 31.2,
                        "lng": 121.4,
                    }
                ),
            )
            store_ids.append(store.id)
            guide = auth_service.create_staff(
                session=session,
                scope=SYSTEM,
                data=StaffCreate.model_validate(
                    {
                        "brand_id": brand.id,
                        "username": f"guide{n}",
                        "display_name": f"Guide {n}",
                        "password": "bench-password",
                        "roles": [{"role": "guide", "store_id": store.id}],
                    }
                ),
            )
            guide_ids.append(guide.id)
        admins = [
            auth_service.create_staff(
                session=session,
                scope=SYSTEM,
                data=StaffCreate.model_validate(
                    {
                        "brand_id": brand.id,
                        "username": f"admin{n}",
                        "display_name": "Admin",
                        "password": "bench-password",
                        "roles": [{"role": "brand_admin"}],
                    }
                ),
            )
            for n in range(2)
        ]
        scopes = [auth_service.scope_for_staff(session=session, staff=a) for a in admins]
        data = ScheduleUpdate.model_validate(
            {
                "brand_id": brand.id,
                "kind": "every_n_days",
                "every_days": 7,
                "starts_on": "2026-11-01",
            }
        )
        settlement.set_schedule(session=session, scope=SYSTEM, data=data, now=NOW)
        return brand.id, guide_ids, store_ids, scopes[0], scopes[1]


def _lines(brand_id: int, guides: list[int], stores: list[int], count: int) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        guide = n % 2 == 0
        who = guides[n // 2 % len(guides)] if guide else stores[n // 2 % len(stores)]
        rows.append(
            {
                "brand_id": brand_id,
                "key": f"bench:{n}",
                "beneficiary_type": "guide" if guide else "store",
                "guide_id": who if guide else None,
                "store_id": None if guide else who,
                "kind": "cps",
                "base": 10000,
                "rate_bp": 500,
                "amount": 500 - (n % 7) * 10,
                "currency": "CNY",
                "detail": {"reason": "bound_guide"},
                "status": "pending",
                "release_at": EARNED,
                "earned_at": EARNED,
                "created_at": EARNED,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--stores", type=int, default=50)
    args = parser.parse_args()
    url = os.environ.get("NEWRETAIL_BENCH_DATABASE_URL")
    folder = tempfile.mkdtemp(prefix="bench-settle-")
    database = Database(url or f"sqlite:///{Path(folder) / 'bench.db'}")
    with database.engine.begin() as connection:
        if database.is_sqlite:
            Base.metadata.create_all(connection)
        else:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            Base.metadata.create_all(connection)
    brand_id, guides, stores, preparer, approver = _world(database, args.stores)
    rows = _lines(brand_id, guides, stores, args.lines)
    with database.transaction() as session:
        session.execute(insert(cast(Table, CommissionEntry.__table__)), rows)
        period_id = session.scalar(
            select(CommissionPeriod.id)
            .where(CommissionPeriod.brand_id == brand_id)
            .order_by(CommissionPeriod.starts_at)
        )
    assert period_id is not None

    started = time.perf_counter()
    with database.transaction() as session:
        result = settlement.close_period(
            session=session, scope=preparer, period_id=period_id, now=NOW
        )
    closed = time.perf_counter()
    with database.transaction() as session:
        ids = session.scalars(
            select(CommissionStatement.id).where(CommissionStatement.period_id == period_id)
        )
        for statement_id in list(ids):
            statements.approve_statement(session=session, scope=approver, statement_id=statement_id)
    finished = time.perf_counter()

    duck = duckdb.connect()
    duck.execute(
        "CREATE TABLE line (kind VARCHAR, guide_id INTEGER, store_id INTEGER, amount BIGINT)"
    )
    duck.executemany(
        "INSERT INTO line VALUES (?, ?, ?, ?)",
        [(r["beneficiary_type"], r["guide_id"], r["store_id"], r["amount"]) for r in rows],
    )
    anchor_started = time.perf_counter()
    groups = duck.execute(
        "SELECT kind, guide_id, store_id, sum(amount), count(*) FROM line GROUP BY ALL"
    ).fetchall()
    anchor_seconds = time.perf_counter() - anchor_started

    seconds = finished - started
    assert result.entries == args.lines and len(groups) == result.statements
    assert sum(g[3] for g in groups) == result.total
    figure = {
        "benchmark": "commission_settlement",
        "database": database.engine.dialect.name,
        "lines": args.lines,
        "statements": result.statements,
        "lines_settled_per_s": round(args.lines / seconds),
        "close_s": round(closed - started, 3),
        "approve_s": round(finished - closed, 3),
        "anchor": "duckdb group by beneficiary over the same lines",
        "anchor_lines_per_s": round(args.lines / anchor_seconds),
        "ratio": round(seconds / anchor_seconds, 1),
    }
    print(json.dumps(figure), flush=True)
    database.dispose()
    print(f"settled {args.lines:,} lines into {result.statements} statements", file=sys.stderr)


if __name__ == "__main__":
    main()
