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
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select

from newretail.commission import settlement, statements
from newretail.commission.models import CommissionEntry, CommissionPeriod, CommissionStatement
from newretail.kernel import bulk
from support import commission_world

NOW = datetime(2026, 11, 20, 4, tzinfo=UTC)
EARNED = datetime(2026, 11, 2, 4, tzinfo=UTC)
SCHEDULE = {"kind": "every_n_days", "every_days": 7, "starts_on": "2026-11-01"}


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
    database = commission_world.fresh_database(url or f"sqlite:///{Path(folder) / 'bench.db'}")
    world = commission_world.build(database, stores=args.stores, skus=0, schedule=SCHEDULE, now=NOW)
    brand_id, guides, stores = world.brand_id, world.guides, world.stores
    preparer, approver = world.preparer, world.approver
    rows = _lines(brand_id, guides, stores, args.lines)
    with database.transaction() as session:
        bulk.insert_rows(session, cast(Table, CommissionEntry.__table__), rows)
        period_id = session.scalar(
            select(CommissionPeriod.id)
            .where(CommissionPeriod.brand_id == brand_id)
            .order_by(CommissionPeriod.starts_at)
        )
    assert period_id is not None
    commission_world.analyze(database)

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

    groups, anchor_seconds = commission_world.duckdb_totals(
        ((r["beneficiary_type"], r["guide_id"], r["store_id"], r["amount"]) for r in rows),
        Path(folder),
    )

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
    shutil.rmtree(folder)
    print(f"settled {args.lines:,} lines into {result.statements} statements", file=sys.stderr)


if __name__ == "__main__":
    main()
