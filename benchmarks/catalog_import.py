"""Benchmark: importing 100,000 offers (parse + validate + upsert + commit).

Anchor, in the same run and on the same table: a bare executemany INSERT of the same
(already validated) rows. SQLite in a temporary file by default; PostgreSQL when
NEWRETAIL_BENCH_DATABASE_URL is set (the schema is created if missing; a fresh brand is
used each run). Prints one JSON line on stdout and a small table on stderr.

    .venv/bin/python benchmarks/catalog_import.py [--rows 100000]
"""

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, cast

from rich.console import Console
from rich.table import Table
from sqlalchemy import Table as SqlTable
from sqlalchemy import delete, func, insert, select

from newretail.catalog import service as catalog_service
from newretail.catalog.imports import validate_file
from newretail.catalog.models import Offer
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.models import Base
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate

CHANNELS = ["online", "cloud_store", "pos", "guide_share", "livestream"]
REGIONS, STORES, SCOPES_PER_SKU = 10, 200, 100


def build_world(database: Database, skus: int) -> tuple[int, str, list[str], list[str]]:
    """A brand with 10 regions, 200 stores and ``skus`` SKUs (imported); returns codes."""
    tag = uuid.uuid4().hex[:8]
    with database.transaction() as session:
        brand = org_service.create_brand(
            session=session,
            scope=SYSTEM,
            data=BrandCreate(code=f"BENCH{tag}", name="Benchmark brand"),
        )
        hq = org_service.create_region(
            session=session,
            scope=SYSTEM,
            data=RegionCreate(brand_id=brand.id, code=f"HQ{tag}", name="HQ", kind="hq"),
        )
        region_codes = [f"R{tag}{i}" for i in range(REGIONS)]
        regions = [
            org_service.create_region(
                session=session,
                scope=SYSTEM,
                data=RegionCreate(brand_id=brand.id, parent_id=hq.id, code=code, name=code),
            )
            for code in region_codes
        ]
        store_codes = [f"S{tag}{i}" for i in range(STORES)]
        for i, code in enumerate(store_codes):
            data = StoreCreate.model_validate(
                {
                    "brand_id": brand.id,
                    "region_id": regions[i % REGIONS].id,
                    "code": code,
                    "name": code,
                    "type": "direct",
                    "lat": 31.2,
                    "lng": 121.4,
                }
            )
            org_service.create_store(session=session, scope=SYSTEM, data=data)
        brand_id = brand.id
    products = "code,title\n" + "".join(f"P{i},Product {i}\n" for i in range(skus // 4))
    sku_file = "product_code,code,barcode,weight_g\n" + "".join(
        f"P{i // 4},K{i},69{i:011d},{300 + i % 700}\n" for i in range(skus)
    )
    for kind, content in (("products", products), ("skus", sku_file)):
        with database.transaction() as session:
            report = catalog_service.import_catalog(
                session=session,
                scope=SYSTEM,
                brand_id=brand_id,
                kind=catalog_service.ImportKind(kind),
                content=content.encode(),
            )
            assert report.applied and not report.errors, report.errors[:3]
    return brand_id, tag, region_codes, store_codes


def offer_csv(rows: int, region_codes: list[str], store_codes: list[str]) -> bytes:
    """``rows`` offers: per SKU a brand default, 5 channels, 10 regions and store offers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "sku_code",
            "channel",
            "region_code",
            "store_code",
            "currency",
            "price",
            "compare_at_price",
            "title",
            "available",
            "per_order_limit",
        ]
    )
    for n in range(rows):
        sku, slot = divmod(n, SCOPES_PER_SKU)
        price = 10_000 + (n * 37) % 50_000
        channel = region = store = ""
        if 1 <= slot <= 5:
            channel = CHANNELS[slot - 1]
        elif 6 <= slot <= 15:
            region = region_codes[slot - 6]
        elif slot > 15:
            store = store_codes[(sku + slot) % len(store_codes)]
            channel = "pos" if slot % 2 else ""
        title = f"Offer title {n}" if slot % 10 == 0 else ""
        available = "false" if n % 97 == 0 else ""
        writer.writerow(
            [
                f"K{sku}",
                channel,
                region,
                store,
                "CNY",
                price,
                price + 5000,
                title,
                available,
                5 if slot % 3 == 0 else "",
            ]
        )
    return buffer.getvalue().encode()


def anchor_rows(database: Database, brand_id: int, content: bytes) -> list[dict[str, Any]]:
    """The same rows, validated by the import's own code, ready for a bare INSERT (untimed)."""
    with database.transaction(read_only=True) as session:
        rows, errors = validate_file(
            session=session,
            brand_id=brand_id,
            kind=catalog_service.ImportKind.OFFERS,
            content=content,
            fmt=catalog_service.FileFormat.CSV,
        )
    assert not errors, errors[:3]
    now = utcnow()
    return [{**row, "created_at": now, "updated_at": now} for row in rows]


def time_anchor(database: Database, rows: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    with database.engine.begin() as connection:
        connection.execute(insert(cast(SqlTable, Offer.__table__)), rows)
    elapsed = time.perf_counter() - started
    with database.transaction() as session:
        session.execute(delete(Offer).where(Offer.brand_id == rows[0]["brand_id"]))
    return elapsed


def time_import(database: Database, brand_id: int, content: bytes) -> tuple[float, Any]:
    started = time.perf_counter()
    with database.transaction() as session:
        report = catalog_service.import_catalog(
            session=session,
            scope=SYSTEM,
            brand_id=brand_id,
            kind=catalog_service.ImportKind.OFFERS,
            content=content,
        )
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("NEWRETAIL_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(database.engine)
        skus = -(-args.rows // SCOPES_PER_SKU)
        brand_id, _, region_codes, store_codes = build_world(database, skus)
        content = offer_csv(args.rows, region_codes, store_codes)
        rows = anchor_rows(database, brand_id, content)
        anchor = time_anchor(database, rows)
        seconds, report = time_import(database, brand_id, content)
        again, second = time_import(database, brand_id, content)
        with database.transaction(read_only=True) as session:
            stored = session.scalar(select(func.count()).where(Offer.brand_id == brand_id))
        dialect = database.engine.dialect.name
        database.dispose()
    assert report.created == args.rows and second.updated == args.rows and stored == args.rows
    result = {
        "benchmark": "catalog_import",
        "database": dialect,
        "rows": args.rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(args.rows / seconds),
        "anchor_seconds": round(anchor, 3),
        "ratio": round(seconds / anchor, 2),
        "reimport_seconds": round(again, 3),
    }
    print(json.dumps(result), flush=True)
    table = Table(title=f"catalog import, {args.rows:,} offers on {dialect}")
    for column in ("path", "seconds", "rows/s"):
        table.add_column(column, justify="right")
    table.add_row(
        "import (parse+validate+upsert), all new", f"{seconds:.2f}", f"{args.rows / seconds:,.0f}"
    )
    table.add_row("re-import, all updates", f"{again:.2f}", f"{args.rows / again:,.0f}")
    table.add_row("anchor: bare executemany INSERT", f"{anchor:.2f}", f"{args.rows / anchor:,.0f}")
    Console(file=sys.stderr).print(table)


if __name__ == "__main__":
    main()
