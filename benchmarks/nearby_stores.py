"""Stores near me over 10,000 stores: the service call vs brute force in the same run.

Ten brands with 1,000 stores each, clustered around twelve cities in China (most stores
within ~15 km of a city centre, some in between). Random queries near the cities with
radii of 1 to 20 km; each query runs ``org_service.nearby_stores`` in its own read-only
transaction (a bounding box on the indexed ``store (lat, lng)``, then geodesics on the
WGS84 ellipsoid, computed lazily for the nearest). The anchor is a brute-force pass over
all 10,000 stores held in Python memory (the great-circle distance of each, then the
geodesic of those it cannot rule out), which also checks that both answers agree, store
by store and distance by distance. Prints one JSON line.

    .venv/bin/python benchmarks/nearby_stores.py [--database-url URL] [--stores 10000]

PostgreSQL: ``--database-url`` or ``NEWRETAIL_BENCH_DATABASE_URL`` (its schema is dropped).
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.models import Base
from newretail.org import geo
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.schemas import BrandCreate, RegionCreate

CITIES = [
    (31.2304, 121.4737),  # Shanghai
    (30.2741, 120.1551),  # Hangzhou
    (32.0603, 118.7969),  # Nanjing
    (31.2989, 120.5853),  # Suzhou
    (31.4912, 120.3119),  # Wuxi
    (29.8683, 121.5440),  # Ningbo
    (31.8206, 117.2272),  # Hefei
    (30.5928, 114.3055),  # Wuhan
    (39.9042, 116.4074),  # Beijing
    (23.1291, 113.2644),  # Guangzhou
    (22.5431, 114.0579),  # Shenzhen
    (30.5728, 104.0668),  # Chengdu
]
HOURS = {day: [["10:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _point(rng: random.Random) -> tuple[float, float]:
    lat, lng = rng.choice(CITIES)
    spread = 0.12 if rng.random() < 0.85 else 0.6
    return lat + rng.gauss(0, spread), lng + rng.gauss(0, spread)


def build_stores(database: Database, *, stores: int, brands: int, rng: random.Random) -> None:
    """Brands and regions through the service; the stores themselves in bulk."""
    with database.transaction() as session:
        owners = []
        for b in range(brands):
            brand = org_service.create_brand(
                session=session, scope=SYSTEM, data=BrandCreate(code=f"B{b}", name=f"Brand {b}")
            )
            region = org_service.create_region(
                session=session,
                scope=SYSTEM,
                data=RegionCreate(brand_id=brand.id, code="HQ", name="HQ", kind="hq"),
            )
            owners.append((brand.id, region.id))
        rows = []
        for n in range(stores):
            brand_id, region_id = owners[n % brands]
            lat, lng = _point(rng)
            kind = "warehouse" if n % 50 == 0 else "direct"
            rows.append(
                {
                    "brand_id": brand_id,
                    "region_id": region_id,
                    "code": f"S{n}",
                    "name": f"Store {n}",
                    "type": kind,
                    "status": "closed" if n % 97 == 0 else "open",
                    "lat": lat,
                    "lng": lng,
                    "timezone": "Asia/Shanghai",
                    "opening_hours": HOURS,
                }
            )
        session.execute(insert(Store), rows)


def brute_force(
    everything: list[tuple[int, float, float]], lat: float, lng: float, radius_km: float
) -> list[tuple[int, float]]:
    reach = radius_km * (1 + geo.ROUGH_TOLERANCE)
    found = []
    for store_id, s_lat, s_lng in everything:
        if geo.rough_km(lat, lng, s_lat, s_lng) <= reach:
            distance = geo.geodesic_km(lat, lng, s_lat, s_lng)
            if distance <= radius_km:
                found.append((distance, store_id))
    found.sort()
    return [(store_id, round(distance, 3)) for distance, store_id in found]


def _percentiles(seconds: list[float]) -> dict[str, float]:
    cut = statistics.quantiles(seconds, n=100, method="inclusive")
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 3),
        "p99_ms": round(cut[98] * 1000, 3),
    }


def run(database: Database, queries: list[tuple[float, float, float]]) -> dict[str, Any]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(Store.id, Store.lat, Store.lng).where(
                Store.status == "open", Store.type != "warehouse"
            )
        )
        everything = [(store_id, lat, lng) for store_id, lat, lng in rows]
    service_times, brute_times, mismatches, results = [], [], 0, 0
    for lat, lng, radius_km in queries:
        started = time.perf_counter()
        with database.transaction(read_only=True) as session:
            found = org_service.nearby_stores(
                session=session, lat=lat, lng=lng, radius_km=radius_km, limit=100
            )
        service_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        expected = brute_force(everything, lat, lng, radius_km)[:100]
        brute_times.append(time.perf_counter() - started)
        results += len(found)
        mismatches += [(n.store.id, n.distance_km) for n in found] != expected
    return {
        "cloud_stores": len(everything),
        "service": _percentiles(service_times),
        "brute_force_anchor": _percentiles(brute_times),
        "mean_results": round(results / len(queries), 1),
        "mismatches": mismatches,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--stores", type=int, default=10_000)
    parser.add_argument("--brands", type=int, default=10)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or os.environ.get("NEWRETAIL_BENCH_DATABASE_URL")
        url = url or f"sqlite:///{Path(tmp) / 'nearby.db'}"
        database = Database(url)
        if not database.is_sqlite:
            with database.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        Base.metadata.create_all(database.engine)
        log(f"inserting {args.stores} stores ...")
        build_stores(database, stores=args.stores, brands=args.brands, rng=rng)
        queries = [(*_point(rng), rng.uniform(1, 20)) for _ in range(args.queries)]
        run(database, queries[:50])  # warm-up
        figures = run(database, queries)
        dialect = database.engine.dialect.name
        database.dispose()
    service_p50 = figures["service"]["p50_ms"]
    print(
        json.dumps(
            {
                "benchmark": "nearby_stores",
                "database": dialect,
                "stores": args.stores,
                "queries": args.queries,
                **figures,
                "ratio_p50": round(figures["brute_force_anchor"]["p50_ms"] / service_p50, 2),
                "ratio_p99": round(
                    figures["brute_force_anchor"]["p99_ms"] / figures["service"]["p99_ms"], 2
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
