"""One store with two SKUs stocked alike, and a threaded runner that times each attempt.

The contended benchmarks (stock reservations, the flash sale) measure a service against the
bare guarded SQL on the same rows: the first SKU is the service's, the second the anchor's.
"""

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import ProductCreate, SkuCreate
from newretail.inventory import service as inventory_service
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate


@dataclass(frozen=True)
class HotStore:
    brand_id: int
    store_id: int
    service_sku: int
    anchor_sku: int


def stocked_store(session: Session, *, brand_prefix: str, units: int) -> HotStore:
    """A new brand with one store and two SKUs of one product, ``units`` of each received."""
    tag = uuid.uuid4().hex[:8]
    brand = org_service.create_brand(
        session=session, scope=SYSTEM, data=BrandCreate(code=f"{brand_prefix}{tag}", name="Bench")
    )
    region = org_service.create_region(
        session=session,
        scope=SYSTEM,
        data=RegionCreate(brand_id=brand.id, code=f"R{tag}", name="HQ", kind="hq"),
    )
    store = org_service.create_store(
        session=session,
        scope=SYSTEM,
        data=StoreCreate(
            brand_id=brand.id,
            region_id=region.id,
            code=f"S{tag}",
            name="Flagship",
            type="direct",
            lat=31.23,
            lng=121.47,
        ),
    )
    product = catalog_service.create_product(
        session=session,
        scope=SYSTEM,
        data=ProductCreate(brand_id=brand.id, code=f"P{tag}", title="Hot item"),
    )
    skus = [
        catalog_service.create_sku(
            session=session, scope=SYSTEM, product_id=product.id, data=SkuCreate(code=f"K{tag}{n}")
        ).id
        for n in range(2)
    ]
    receipt = ReceiptCreate.model_validate(
        {
            "kind": "receipt",
            "location_id": store.id,
            "lines": [{"sku_id": sku, "quantity": units} for sku in skus],
        }
    )
    inventory_service.record_movements(session=session, scope=SYSTEM, data=receipt)
    return HotStore(brand.id, store.id, skus[0], skus[1])


def run(
    attempts: int, threads: int, attempt: Callable[[int], bool]
) -> tuple[float, int, list[float]]:
    """Run all attempts on ``threads`` workers; (seconds, successes, latencies in ms)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def timed(n: int) -> bool:
        start = time.perf_counter()
        ok = attempt(n)
        with lock:
            latencies.append((time.perf_counter() - start) * 1000)
        return ok

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        successes = sum(pool.map(timed, range(attempts)))
    return time.perf_counter() - start, successes, latencies
