"""Cloud store home page at 50 concurrent clients on 2 worker processes: cached vs uncached.

Builds one store with a realistic catalog (hundreds of priced SKUs, some with store
prices), stock here and in nearby stores, a month of sales, guides, activities and a
featured list. Starts two servers as ``newretail serve`` does, with ``uvicorn --factory
newretail.app:serving_app --workers 2`` on 127.0.0.1: one serving the page from each
process's cache, the anchor with ``NEWRETAIL_HOME_CACHE=0`` (every page read afresh, in one
session). ``--clients`` keep-alive connections (a small asyncio HTTP/1.1 client, so that
the load generator costs little of the machine's CPU) then ask for
``/api/v1/cloudstores/{code}/home`` as fast as answers come, the two servers in alternating
rounds. Prints one JSON line with both pages' p50 and p99 and their ratio; the servers are
stopped by PID.

    .venv/bin/python benchmarks/cloudstore_home.py [--database-url URL] [--clients 50]

PostgreSQL: ``--database-url`` or ``NEWRETAIL_BENCH_DATABASE_URL`` (its schema is dropped).
Ports: ``--port`` and the one after it (default 8120, 8121).
"""

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from newretail.auth import service as auth_service
from newretail.auth.schemas import StaffCreate
from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import CategoryCreate, OfferCreate, ProductCreate, SkuCreate
from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.rules import public_code
from newretail.cloudstore.schemas import ActivityCreate, CloudStoreSettingsWrite
from newretail.db import Database, utcnow
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Line, Purpose
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM
from newretail.models import Base
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate

ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
LAT, LNG = 31.2304, 121.4737
WORKERS = 2


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- the world ------------------------------------------------------------------------


def _store(session: Any, brand_id: int, region_id: int, code: str, lat: float, lng: float) -> int:
    data = StoreCreate(
        brand_id=brand_id,
        region_id=region_id,
        code=code,
        name=f"Store {code}",
        type="direct",
        address=f"{code} Nanjing Road",
        city="Shanghai",
        lat=lat,
        lng=lng,
        opening_hours=ALL_DAY,
    )
    return org_service.create_store(session=session, scope=SYSTEM, data=data).id


def _catalog(
    session: Any, brand_id: int, store_id: int, skus: int, rng: random.Random
) -> list[int]:
    sku_ids: list[int] = []
    per_product = 6
    for p in range(-(-skus // per_product)):
        category = None
        if p % 10 == 0:
            category = catalog_service.create_category(
                session=session,
                scope=SYSTEM,
                data=CategoryCreate(brand_id=brand_id, code=f"C{p}", name=f"Category {p}"),
            )
        product = catalog_service.create_product(
            session=session,
            scope=SYSTEM,
            data=ProductCreate(
                brand_id=brand_id,
                category_id=category.id if category else None,
                code=f"P{p}",
                title=f"Product {p}",
                images=[f"https://img.example.com/p{p}.jpg"],
            ),
        )
        for v in range(min(per_product, skus - len(sku_ids))):
            sku = catalog_service.create_sku(
                session=session,
                scope=SYSTEM,
                product_id=product.id,
                data=SkuCreate(code=f"P{p}-{v}", attributes={"size": str(36 + v)}),
            )
            price = rng.randrange(50, 2000) * 100
            catalog_service.create_offer(
                session=session, scope=SYSTEM, data=OfferCreate(sku_id=sku.id, price=price)
            )
            if rng.random() < 0.2:
                catalog_service.create_offer(
                    session=session,
                    scope=SYSTEM,
                    data=OfferCreate(sku_id=sku.id, store_id=store_id, price=price - 500),
                )
            sku_ids.append(sku.id)
    return sku_ids


def _receive(session: Any, location_id: int, quantities: dict[int, int]) -> None:
    items = [(sku_id, n) for sku_id, n in quantities.items() if n > 0]
    for start in range(0, len(items), 200):
        lines = [{"sku_id": s, "quantity": n} for s, n in items[start : start + 200]]
        data = ReceiptCreate.model_validate(
            {"kind": "receipt", "location_id": location_id, "lines": lines}
        )
        inventory_service.record_movements(session=session, scope=SYSTEM, data=data)


def _sell(
    database: Database, store_id: int, stock: dict[int, int], sales: int, rng: random.Random
) -> None:
    """``sales`` committed sales at the store, most of them of a popular fifth of the SKUs."""
    stocked = [sku_id for sku_id, units in stock.items() if units >= 10]
    popular = stocked[: max(20, len(stocked) // 5)]
    for n in range(sales):
        sku_id = rng.choice(popular) if rng.random() < 0.8 else rng.choice(stocked)
        quantity = min(stock[sku_id], rng.randint(1, 2))
        if quantity == 0:
            continue
        stock[sku_id] -= quantity
        with database.transaction() as session:
            reservation, _ = inventory_service.reserve(
                session=session,
                scope=SYSTEM,
                purpose=Purpose.ORDER,
                reference_id=f"bench-{n}",
                lines=[Line(location_id=store_id, sku_id=sku_id, quantity=quantity)],
            )
            inventory_service.commit_reservation(
                session=session, scope=SYSTEM, reservation_id=reservation.id
            )


def build_world(database: Database, *, skus: int, sales: int, seed: int = 1) -> str:
    """One brand, a flagship with a full catalog and history, and six stores around it."""
    rng = random.Random(seed)
    with database.transaction() as session:
        brand = org_service.create_brand(
            session=session, scope=SYSTEM, data=BrandCreate(code="BENCH", name="Bench Brand")
        )
        region = org_service.create_region(
            session=session,
            scope=SYSTEM,
            data=RegionCreate(brand_id=brand.id, code="HQ", name="HQ", kind="hq"),
        )
        store_id = _store(session, brand.id, region.id, "FLAGSHIP", LAT, LNG)
        others = [
            _store(
                session,
                brand.id,
                region.id,
                f"N{n}",
                LAT + rng.uniform(-0.03, 0.03),
                LNG + rng.uniform(-0.03, 0.03),
            )
            for n in range(6)
        ]
        sku_ids = _catalog(session, brand.id, store_id, skus, rng)
        stock = {s: rng.choice([0, 0, 5, 20, 50, 200]) for s in sku_ids}
        _receive(session, store_id, stock)
        for other in others:
            _receive(session, other, {s: rng.choice([0, 3, 10]) for s in sku_ids})
        _extras(session, brand.id, store_id, sku_ids)
    _sell(database, store_id, stock, sales, rng)
    return public_code("BENCH", "FLAGSHIP")


def _extras(session: Any, brand_id: int, store_id: int, sku_ids: list[int]) -> None:
    cloudstore_service.put_settings(
        session=session,
        scope=SYSTEM,
        brand_id=brand_id,
        data=CloudStoreSettingsWrite.model_validate(
            {"store_sourcing": "nearby", "nearby_radius_km": 5, "warehouse_sourcing": True}
        ),
    )
    cloudstore_service.set_featured(
        session=session, scope=SYSTEM, brand_id=brand_id, sku_ids=sku_ids[-12:]
    )
    now = utcnow()
    for n in range(4):
        cloudstore_service.create_activity(
            session=session,
            scope=SYSTEM,
            data=ActivityCreate(
                brand_id=brand_id,
                store_id=store_id if n % 2 else None,
                title=f"Activity {n}",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=7 + n),
            ),
        )
    for n in range(5):
        auth_service.create_staff(
            session=session,
            scope=SYSTEM,
            data=StaffCreate.model_validate(
                {
                    "brand_id": brand_id,
                    "username": f"guide{n}",
                    "display_name": f"Guide {n}",
                    "password": "bench-password-123",
                    "roles": [{"role": "guide", "store_id": store_id}],
                }
            ),
        )


# ---- the servers ----------------------------------------------------------------------


class Server:
    """``uvicorn --factory newretail.app:serving_app --workers 2`` in a process of its own."""

    def __init__(self, database_url: str, port: int, *, cached: bool) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "NEWRETAIL_DATABASE_URL": database_url,
            "NEWRETAIL_HOME_CACHE": "1" if cached else "0",
            "NEWRETAIL_LOG_LEVEL": "WARNING",
            "NEWRETAIL_LOG_JSON": "false",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Server":
        uvicorn = Path(sys.executable).with_name("uvicorn")
        command = [
            str(uvicorn),
            "--factory",
            "newretail.app:serving_app",
            "--workers",
            str(WORKERS),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self.process = subprocess.Popen(command, env=self.env)
        deadline = time.monotonic() + 60
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {self.port} did not start")
            time.sleep(0.2)
        return self

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def __exit__(self, *_: object) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


# ---- the load -------------------------------------------------------------------------


async def _connection(
    port: int, path: str, tickets: Iterator[int], latencies: list[float], failures: list[int]
) -> None:
    """One keep-alive connection asking for ``path`` once per ticket, one answer at a time."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    try:
        for _ in tickets:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(head.split(b" ", 2)[1])
            if status != 200:
                failures.append(status)
    finally:
        writer.close()


async def _round(port: int, path: str, clients: int, requests: int) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[int] = []
    tickets = iter(range(requests))
    started = time.perf_counter()
    await asyncio.gather(
        *(_connection(port, path, tickets, latencies, failures) for _ in range(clients))
    )
    elapsed = time.perf_counter() - started
    return {"latencies": latencies, "elapsed": elapsed, "failures": failures}


def _p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100, method="inclusive")[98]


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = sorted(x for run in runs for x in run["latencies"])
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(_p99(latencies) * 1000, 2),
        "req_per_s": round(len(latencies) / sum(run["elapsed"] for run in runs), 1),
        "rounds_p99_ms": [round(_p99(run["latencies"]) * 1000, 2) for run in runs],
        "requests": len(latencies),
        "errors": sum(len(run["failures"]) for run in runs),
    }


def _same_page(cached: Server, uncached: Server, path: str) -> bool:
    pages = []
    for server in (cached, uncached):
        with urllib.request.urlopen(server.base + path, timeout=30) as response:
            pages.append(json.loads(response.read())["sections"])
    return bool(pages[0] == pages[1])


def measure(
    database_url: str, code: str, port: int, clients: int, requests: int, rounds: int
) -> dict[str, Any]:
    path = f"/api/v1/cloudstores/{code}/home"
    anchor_requests = max(clients * 4, requests // 4)
    with (
        Server(database_url, port, cached=True) as cached,
        Server(database_url, port + 1, cached=False) as uncached,
    ):
        same = _same_page(cached, uncached, path)
        for server, count in ((cached, clients * 10), (uncached, clients * 2)):  # warm-up
            asyncio.run(_round(server.port, path, clients, count))
        runs: dict[str, list[dict[str, Any]]] = {"cached": [], "uncached": []}
        for n in range(rounds):
            log(f"round {n + 1} of {rounds}")
            runs["cached"].append(asyncio.run(_round(cached.port, path, clients, requests)))
            runs["uncached"].append(
                asyncio.run(_round(uncached.port, path, clients, anchor_requests))
            )
    return {"same_page": same, **{mode: _summary(found) for mode, found in runs.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--port", type=int, default=8120, help="and the next one")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4000, help="cached, per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skus", type=int, default=600)
    parser.add_argument("--sales", type=int, default=800)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or os.environ.get("NEWRETAIL_BENCH_DATABASE_URL")
        url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(url)
        if not database.is_sqlite:
            with database.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        Base.metadata.create_all(database.engine)
        log(f"building a store with {args.skus} SKUs and {args.sales} sales ...")
        code = build_world(database, skus=args.skus, sales=args.sales)
        backend = database.engine.dialect.name
        database.dispose()
        log(f"{WORKERS} workers per server, {args.clients} clients")
        load_before = os.getloadavg()[0]
        found = measure(url, code, args.port, args.clients, args.requests, args.rounds)
        load_after = os.getloadavg()[0]
    cached, uncached = found["cached"], found["uncached"]
    print(
        json.dumps(
            {
                "benchmark": "cloudstore_home",
                "backend": backend,
                "workers": WORKERS,
                "clients": args.clients,
                "p50_ms": cached["p50_ms"],
                "p99_ms": cached["p99_ms"],
                "uncached_p50_ms": uncached["p50_ms"],
                "uncached_p99_ms": uncached["p99_ms"],
                "ratio_p99": round(uncached["p99_ms"] / cached["p99_ms"], 1),
                "ratio_p50": round(uncached["p50_ms"] / cached["p50_ms"], 1),
                "rounds_p99_ms": cached["rounds_p99_ms"],
                "uncached_rounds_p99_ms": uncached["rounds_p99_ms"],
                "req_per_s": cached["req_per_s"],
                "uncached_req_per_s": uncached["req_per_s"],
                "requests": cached["requests"],
                "uncached_requests": uncached["requests"],
                "errors": cached["errors"] + uncached["errors"],
                "same_page": found["same_page"],
                # Other work on the machine shows in the tail: its load average, for reading p99.
                "load_avg_1m": [round(load_before, 1), round(load_after, 1)],
                "cpus": os.cpu_count(),
                "skus": args.skus,
                "sales": args.sales,
            }
        )
    )


if __name__ == "__main__":
    main()
