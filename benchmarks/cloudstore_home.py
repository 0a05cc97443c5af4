"""Cloud store home page under a fixed concurrent load: sections in parallel vs one by one.

Builds one store with a realistic catalog (hundreds of priced SKUs, some with store
prices), stock here and in nearby stores, a month of sales, guides, activities and a
featured list; serves the app with uvicorn in this process on 127.0.0.1 (a free port);
and drives ``--clients`` concurrent httpx clients at ``/api/v1/cloudstores/{code}/home``.
The same page with ``fetch=sequential`` (each section fetched after the previous one) is
the anchor, measured in the same run, rounds interleaved. Prints one JSON line.

    .venv/bin/python benchmarks/cloudstore_home.py [--database-url URL] [--clients 8]
"""

import argparse
import asyncio
import json
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import text

from newretail.app import create_app
from newretail.auth import service as auth_service
from newretail.auth.schemas import StaffCreate
from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import CategoryCreate, OfferCreate, ProductCreate, SkuCreate
from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.rules import public_code
from newretail.cloudstore.schemas import ActivityCreate, CloudStoreSettingsWrite
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Line, Purpose
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM
from newretail.models import Base
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate

ALL_DAY = {day: [["09:00", "23:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
LAT, LNG = 31.2304, 121.4737


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
        data=CloudStoreSettingsWrite(store_sourcing="nearby", nearby_radius_km=5),  # type: ignore[arg-type]
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


# ---- serving and load -----------------------------------------------------------------


class Server:
    """uvicorn on 127.0.0.1 on a free port, in a thread of this process."""

    def __init__(self, database: Database) -> None:
        settings = Settings(database_url=database.url, log_json=False, log_level="ERROR")
        app = create_app(settings, database)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> "Server":
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


async def _load(url: str, clients: int, requests: int) -> dict[str, Any]:
    latencies: list[float] = []
    degraded = 0
    errors = 0
    queue = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal degraded, errors
        for _ in queue:
            started = time.perf_counter()
            response = await client.get(url)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1
                continue
            degraded += sum(s["degraded"] for s in response.json()["sections"].values())

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "elapsed": elapsed, "degraded": degraded, "errors": errors}


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = sorted(x for run in runs for x in run["latencies"])
    elapsed = sum(run["elapsed"] for run in runs)
    cut = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(cut[98] * 1000, 2),
        "req_per_s": round(len(latencies) / elapsed, 1),
        "requests": len(latencies),
        "degraded_sections": sum(run["degraded"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
    }


def measure(base: str, code: str, clients: int, requests: int, rounds: int) -> dict[str, Any]:
    urls = {
        mode: f"{base}/api/v1/cloudstores/{code}/home?fetch={mode}"
        for mode in ("parallel", "sequential")
    }
    for url in urls.values():
        asyncio.run(_load(url, clients, max(20, requests // 10)))  # warm-up
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in urls}
    for _ in range(rounds):
        for mode, url in urls.items():
            runs[mode].append(asyncio.run(_load(url, clients, requests // rounds)))
    return {mode: _summary(found) for mode, found in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=800, help="per mode")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--skus", type=int, default=600)
    parser.add_argument("--sales", type=int, default=1500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(url)
        if not database.is_sqlite:
            with database.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        Base.metadata.create_all(database.engine)
        log(f"building a store with {args.skus} SKUs and {args.sales} sales ...")
        code = build_world(database, skus=args.skus, sales=args.sales)
        with Server(database) as server:
            base = f"http://127.0.0.1:{server.port}"
            log(f"serving at {base}; {args.clients} clients x {args.requests} requests per mode")
            loaded = measure(base, code, args.clients, args.requests, args.rounds)
            single = measure(base, code, 1, max(40, args.requests // 4), 2)
        database.dispose()
    parallel, sequential = loaded["parallel"], loaded["sequential"]
    print(
        json.dumps(
            {
                "benchmark": "cloudstore_home",
                "database": database.engine.dialect.name,
                "clients": args.clients,
                "skus": args.skus,
                "sales": args.sales,
                "parallel": parallel,
                "sequential_anchor": sequential,
                "ratio_p50": round(sequential["p50_ms"] / parallel["p50_ms"], 2),
                "ratio_p99": round(sequential["p99_ms"] / parallel["p99_ms"], 2),
                "ratio_req_per_s": round(parallel["req_per_s"] / sequential["req_per_s"], 2),
                "one_client": {
                    "parallel_p50_ms": single["parallel"]["p50_ms"],
                    "sequential_p50_ms": single["sequential"]["p50_ms"],
                    "ratio_p50": round(
                        single["sequential"]["p50_ms"] / single["parallel"]["p50_ms"], 2
                    ),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
