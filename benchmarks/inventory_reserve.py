"""Benchmark: concurrent one-unit reservations of one hot SKU, twice as many as there are units.

Each attempt is its own transaction through ``inventory_service.reserve`` (scope checks,
idempotent reservation row, guarded UPDATE, savepoint). Anchor, in the same run and on
the same database: the bare guarded ``UPDATE stock_level ... WHERE on_hand - reserved >= 1``
alone, one transaction per attempt, same threads. Oversold units must be 0 for both.
SQLite in a temporary file by default; PostgreSQL when NEWRETAIL_BENCH_DATABASE_URL is set.
Prints one JSON line on stdout and a small table on stderr.

    .venv/bin/python benchmarks/inventory_reserve.py [--units 1000] [--threads 8]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select, text

from newretail.db import Database
from newretail.inventory import errors
from newretail.inventory import service as inventory_service
from newretail.inventory.models import StockLevel
from newretail.inventory.rules import Line, Purpose
from newretail.kernel.scope import SYSTEM
from newretail.models import Base
from support.hot_sku import run, stocked_store

BARE = text(
    "UPDATE stock_level SET reserved = reserved + 1 "
    "WHERE location_id = :location AND sku_id = :sku AND on_hand - reserved >= 1 "
    "RETURNING id"
)


def build_world(database: Database, units: int) -> tuple[int, int, int]:
    """A brand with one store and two SKUs with ``units`` each: (store, service SKU, anchor SKU)."""
    with database.transaction() as session:
        hot = stocked_store(session, brand_prefix="INV", units=units)
        return hot.store_id, hot.service_sku, hot.anchor_sku


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    attempts = 2 * args.units
    url = os.environ.get("NEWRETAIL_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(database.engine)
        store, hot, anchor_sku = build_world(database, args.units)
        run_id = uuid.uuid4().hex[:8]

        def reserve(n: int) -> bool:
            try:
                with database.transaction() as session:
                    inventory_service.reserve(
                        session=session,
                        scope=SYSTEM,
                        purpose=Purpose.CART,
                        reference_id=f"bench-{run_id}-{n}",
                        lines=[Line(store, hot, 1)],
                    )
            except errors.InsufficientStock:
                return False
            return True

        def bare(_: int) -> bool:
            with database.transaction() as session:
                return (
                    session.execute(BARE, {"location": store, "sku": anchor_sku}).first()
                    is not None
                )

        seconds, reserved, latencies = run(attempts, args.threads, reserve)
        anchor_seconds, anchor_reserved, anchor_latencies = run(attempts, args.threads, bare)
        with database.transaction(read_only=True) as session:
            rows = session.execute(
                select(StockLevel.on_hand, StockLevel.reserved).where(
                    StockLevel.location_id == store
                )
            ).all()
        oversold = sum(max(0, reserved_units - on_hand) for on_hand, reserved_units in rows)
        dialect = database.engine.dialect.name
        database.dispose()
    p99 = statistics.quantiles(latencies, n=100)[98]
    anchor_p99 = statistics.quantiles(anchor_latencies, n=100)[98]
    result = {
        "benchmark": "inventory_reserve",
        "database": dialect,
        "units": args.units,
        "attempts": attempts,
        "threads": args.threads,
        "reservations": reserved,
        "attempts_per_s": round(attempts / seconds),
        "p99_ms": round(p99, 2),
        "oversold": oversold + max(0, reserved - args.units),
        "anchor_attempts_per_s": round(attempts / anchor_seconds),
        "anchor_p99_ms": round(anchor_p99, 2),
        "ratio": round(seconds / anchor_seconds, 2),
    }
    assert reserved == anchor_reserved == args.units and result["oversold"] == 0
    print(json.dumps(result), flush=True)
    table = Table(title=f"{attempts:,} one-unit reservations of {args.units:,} units on {dialect}")
    for column in ("path", "attempts/s", "p99 ms", "reserved"):
        table.add_column(column, justify="right")
    table.add_row(
        "inventory_service.reserve", f"{attempts / seconds:,.0f}", f"{p99:.2f}", str(reserved)
    )
    table.add_row(
        "anchor: bare guarded UPDATE",
        f"{attempts / anchor_seconds:,.0f}",
        f"{anchor_p99:.2f}",
        str(anchor_reserved),
    )
    Console(file=sys.stderr).print(table)


if __name__ == "__main__":
    main()
