"""Benchmark: event ingestion end to end. Clients post Segment-style batches of events to
``POST /api/v1/events/batch`` on the app served by uvicorn (in this process, on a free port
of 127.0.0.1), with the brand's API key: each event is validated (envelope, typed
properties, context, clock), the batch's stores and members checked once, and the rows
bulk-inserted, a replayed messageId skipped.

Anchor, in the same run, on the same database: the rows the endpoint wrote, read back,
deleted (the table vacuumed on PostgreSQL) and bulk-inserted again into the same table by
the same statement with no HTTP and no validation, in batches of the same size, by as many
writers at once as there are clients. ``ratio`` is the endpoint's events/s over the
anchor's. SQLite in a temporary file by default; PostgreSQL with ``--database-url`` (or
NEWRETAIL_BENCH_DATABASE_URL). Prints one JSON line on stdout and a table on stderr.

    .venv/bin/python benchmarks/events_ingest.py [--events 100000] [--batch 500] [--clients 2]
        [--database-url postgresql://...]
"""

import argparse
import json
import os
import random
import socket
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy import delete, func, select

from newretail.analytics.events.ingest import DEDUPE, EVENTS
from newretail.analytics.events.models import AnalyticsEvent
from newretail.app import create_app
from newretail.auth import service as auth_service
from newretail.auth.schemas import ApiKeyCreate
from newretail.config import Settings
from newretail.db import Database
from newretail.kernel import bulk
from newretail.kernel.scope import SYSTEM
from newretail.models import Base
from newretail.observability import configure_logging
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate

NAMES = (
    ("Product Viewed", "web", lambda r: {"product_id": r.randrange(1, 500)}),
    ("Products Searched", "web", lambda r: {"query": f"shoe {r.randrange(50)}"}),
    ("Product Added", "mini_app", lambda r: {"product_id": r.randrange(1, 500), "quantity": 1}),
    ("Store Entered", "store_sensor", lambda r: {}),
    ("Item Tried On", "kiosk", lambda r: {"sku_id": r.randrange(1, 900)}),
    ("Checkout Started", "web", lambda r: {"value_fen": r.randrange(100, 90_000)}),
)


def build_world(database: Database) -> tuple[int, list[int], str]:
    """A brand with four stores and an API key."""
    tag = uuid.uuid4().hex[:6]
    with database.transaction() as session:
        brand = org_service.create_brand(
            session=session, scope=SYSTEM, data=BrandCreate(code=f"EV{tag}", name="Events")
        )
        region = org_service.create_region(
            session=session,
            scope=SYSTEM,
            data=RegionCreate(brand_id=brand.id, code="HQ", name="HQ", kind="hq"),
        )
        stores = [
            org_service.create_store(
                session=session,
                scope=SYSTEM,
                data=StoreCreate(
                    brand_id=brand.id,
                    region_id=region.id,
                    code=f"S{n}",
                    name=f"Store {n}",
                    type="direct",
                    lat=31.2,
                    lng=121.4,
                ),
            ).id
            for n in range(4)
        ]
        _, key = auth_service.create_api_key(
            session=session, scope=SYSTEM, data=ApiKeyCreate(brand_id=brand.id, name="bench")
        )
        return brand.id, stores, key


def events(count: int, stores: list[int], r: random.Random) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    made = []
    for n in range(count):
        name, channel, props = NAMES[n % len(NAMES)]
        at = now - timedelta(seconds=r.randrange(86_400 * 7))
        made.append(
            {
                "messageId": f"m{n}",
                "event": name,
                "channel": channel,
                "anonymousId": f"a{r.randrange(count // 5 + 1)}",
                "timestamp": at.isoformat(),
                "context": {"store": stores[n % len(stores)]},
                "properties": props(r),
            }
        )
    return made


class Server:
    def __init__(self, database: Database) -> None:
        settings = Settings(database_url=database.url, log_json=False, log_level="WARNING")
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(
            create_app(settings, database), log_config=None, access_log=False, ws="none"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> "Server":
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()


def post_all(url: str, key: str, batches: list[list[dict[str, Any]]], clients: int) -> int:
    def send(share: list[list[dict[str, Any]]]) -> int:
        accepted = 0
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as http:
            for batch in share:
                response = http.post("/api/v1/events/batch", json={"batch": batch}, timeout=120)
                response.raise_for_status()
                body = response.json()
                assert not body["rejected"], body["rejected"][:3]
                accepted += body["accepted"]
        return accepted

    shares = [batches[n::clients] for n in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(send, shares))


def written_rows(database: Database) -> list[dict[str, Any]]:
    columns = [c for c in EVENTS.c if c.name != "id"]
    with database.transaction(read_only=True) as session:
        rows = session.execute(select(*columns).order_by(AnalyticsEvent.id)).mappings().all()
        return [dict(row) for row in rows]


def bare_insert(database: Database, rows: list[dict[str, Any]], batch: int, clients: int) -> int:
    """The same rows in batches of the same size, as many writers at once as clients."""
    batches = [rows[start : start + batch] for start in range(0, len(rows), batch)]

    def write(share: list[list[dict[str, Any]]]) -> int:
        written = 0
        for chunk in share:
            with database.transaction() as session:
                written += bulk.insert_rows(session, EVENTS, chunk, skip_taken=DEDUPE)
        return written

    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(write, [batches[n::clients] for n in range(clients)]))


def emptied(database: Database) -> None:
    """The table emptied and, on PostgreSQL, vacuumed: the anchor starts as the endpoint did."""
    with database.transaction() as session:
        session.execute(delete(AnalyticsEvent))
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE analytics_event")


def count(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(AnalyticsEvent)) or 0)


def timed(label: str, work: Any) -> Any:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f}s", file=sys.stderr)
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get("NEWRETAIL_BENCH_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    configure_logging(level="WARNING", json=False)
    r = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(url, pool_size=args.clients + 5, max_overflow=10)
        Base.metadata.create_all(database.engine)
        emptied(database)
        _, stores, key = build_world(database)
        made = events(args.events, stores, r)
        batches = [made[n : n + args.batch] for n in range(0, len(made), args.batch)]
        with Server(database) as server:
            seconds, accepted = timed(
                "http", lambda: post_all(server.url, key, batches, args.clients)
            )
            replay_seconds, replayed = timed(
                "replay", lambda: post_all(server.url, key, batches, args.clients)
            )
        rows = written_rows(database)
        emptied(database)
        anchor_seconds, anchored = timed(
            "anchor", lambda: bare_insert(database, rows, args.batch, args.clients)
        )
        final = count(database)
        backend = database.engine.dialect.name
        database.dispose()
    assert accepted == anchored == final == args.events and replayed == 0
    rate, anchor_rate = args.events / seconds, args.events / anchor_seconds
    result = {
        "benchmark": "events_ingest",
        "backend": backend,
        "events": args.events,
        "batch": args.batch,
        "clients": args.clients,
        "events_per_s": round(rate, 1),
        "replay_events_per_s": round(args.events / replay_seconds, 1),
        "anchor_events_per_s": round(anchor_rate, 1),
        "ratio": round(rate / anchor_rate, 3),
    }
    print(json.dumps(result), flush=True)
    table = Table(title=f"{args.events:,} events in batches of {args.batch} on {backend}")
    for column in ("path", "events/s"):
        table.add_column(column, justify="right")
    table.add_row(f"POST /events/batch, {args.clients} clients", f"{rate:,.1f}")
    table.add_row("replay (all duplicates)", f"{args.events / replay_seconds:,.1f}")
    table.add_row(f"bare bulk insert, same rows, {args.clients} writers", f"{anchor_rate:,.1f}")
    Console(file=sys.stderr).print(table)


if __name__ == "__main__":
    main()
