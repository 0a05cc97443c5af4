"""Planted analytics warehouses: events, persons, orders and members written straight into
the warehouse tables, with the truth they were planted with.

``PlantedWarehouse`` is an in-memory warehouse with the warehouse schema, on DuckDB or on
ClickHouse (chdb, in-process: ``ENGINES``); ``plant_seed_funnel`` walks people through the
seed funnel so that each store's step counts are known exactly.
"""

import importlib
import importlib.metadata
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest

from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.base import Warehouse
from newretail.analytics.warehouse.clickhouse import ChdbClient, ClickHouseWarehouse
from tests.services import REQUIRED

SEED_STEPS = (
    "District Entered",
    "Store Entered",
    "Item Tried On",
    "Order Completed",
    "Member Signed Up",
)
EVENT_COLUMNS = (
    "brand_id",
    "seq",
    "message_id",
    "event",
    "channel",
    "person_key",
    "ts",
    "received_at",
    "store_id",
    "district_id",
    "guide_id",
    "popup_id",
    "code",
    "campaign",
    "lat",
    "lng",
    "order_id",
    "revenue_fen",
    "properties",
)
_seq = count(1)


ENGINES = ("duckdb", "clickhouse")


def chdb_declared() -> bool:
    """Whether the project declares chdb (its dev extra does): then CI must have it."""
    requires = importlib.metadata.requires("newretail") or []
    return any(re.match(r"chdb\b", r) for r in requires)


def engine_available(engine: str) -> None:
    """Skip a ClickHouse case without chdb; fail it instead when CI requires the services
    and the project declares chdb."""
    if engine == "clickhouse" and not _chdb_importable():
        reason = "chdb (ClickHouse in-process) cannot be imported"
        if REQUIRED and chdb_declared():
            pytest.fail(f"required service unavailable: {reason}", pytrace=False)
        pytest.skip(reason)


def _chdb_importable() -> bool:
    try:
        importlib.import_module("chdb")
    except ImportError:
        return False
    return True


class PlantedWarehouse:
    """A warehouse adapter over an in-memory database, with planting helpers.

    Planted rows wait in memory and go in one insert per table before the next read (one
    statement per planted row would be most of a ClickHouse case's time)."""

    def __init__(self, engine: str = "duckdb") -> None:
        engine_available(engine)
        self.engine = engine
        self.database: str | None = None
        self.store: Warehouse
        if engine == "duckdb":
            self.store = open_warehouse(":memory:")
        else:
            self.database = f"planted_{uuid.uuid4().hex}"
            clickhouse = ClickHouseWarehouse(ChdbClient(database=self.database))
            clickhouse.create_schema()
            self.store = clickhouse
        self.dialect = self.store.dialect
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.lock = threading.Lock()  # an app under test may read from several threads

    @property
    def conn(self) -> Any:
        """The DuckDB connection (DuckDB cases only), planted rows written first."""
        self.flush()
        return getattr(self.store, "conn")  # noqa: B009

    def flush(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, {}
            for table, rows in pending.items():
                self.store.insert_rows(table, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.flush()
        with self.lock:
            return self.store.query(sql, list(params))

    def insert_rows(self, table: str, rows: Sequence[dict[str, Any]]) -> int:
        self.pending.setdefault(table, []).extend(rows)
        return len(rows)

    def close(self) -> None:
        self.pending = {}
        if isinstance(self.store, ClickHouseWarehouse) and self.database:
            self.store.execute(f"DROP DATABASE IF EXISTS {self.database}")
        self.store.close()

    def event(self, brand_id: int, person_key: str, name: str, ts: datetime, **cols: Any) -> None:
        seq = next(_seq)
        row: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
        row.update(
            brand_id=brand_id,
            seq=seq,
            message_id=f"m{seq}",
            event=name,
            channel=cols.pop("channel", "store_sensor"),
            person_key=person_key,
            ts=ts,
            received_at=ts,
        )
        row.update(cols)
        self.insert_rows("events", [row])

    def same_person(self, brand_id: int, person_id: str, *keys: str) -> None:
        self.insert_rows(
            "persons",
            [{"brand_id": brand_id, "person_key": k, "person_id": person_id} for k in keys],
        )

    def member(self, brand_id: int, member_id: int, joined_at: datetime, **cols: Any) -> str:
        key = f"member:{member_id}"
        row = {
            "brand_id": brand_id,
            "member_id": member_id,
            "person_key": key,
            "store_id": None,
            "guide_id": None,
            "joined_at": joined_at,
            "analytics_consent": True,
            "marketing_consent": True,
        }
        row.update(cols)
        self.insert_rows("members", [row])
        return key

    def order(
        self,
        brand_id: int,
        order_id: int,
        person_key: str,
        paid_at: datetime,
        total_fen: int,
        **cols: Any,
    ) -> None:
        row = {
            "brand_id": brand_id,
            "seq": next(_seq),
            "order_id": order_id,
            "person_key": person_key,
            "member_id": None,
            "channel": "pos",
            "store_id": None,
            "guide_id": None,
            "placed_at": paid_at,
            "paid_at": paid_at,
            "total_fen": total_fen,
            "status": "paid",
        }
        row.update(cols)
        self.insert_rows("orders", [row])


@dataclass
class PlantedFunnel:
    """Who was planted: per store, how many people reached each seed step."""

    reached: dict[int, list[int]] = field(default_factory=dict)
    district_only: dict[int, int] = field(default_factory=dict)


_people = count(1)


def _walk(
    wh: PlantedWarehouse,
    brand_id: int,
    keys: Iterator[str],
    depth: int,
    start: datetime,
    store_id: int,
    district_id: int,
) -> None:
    """One person through the first ``depth`` seed steps, ten minutes apart."""
    for k, name in enumerate(SEED_STEPS[:depth]):
        at = start + timedelta(minutes=10 * k)
        store = None if k == 0 else store_id
        wh.event(brand_id, next(keys), name, at, store_id=store, district_id=district_id)


def plant_seed_funnel(
    wh: PlantedWarehouse,
    brand_id: int,
    *,
    store_id: int,
    district_id: int,
    reached: Sequence[int],
    start: datetime,
    district_only: int = 0,
    cross_device: bool = False,
) -> list[str]:
    """People who entered the district and the store, ``reached[k]`` of them reaching store
    step k+2 (entered, tried on, bought, joined); ``district_only`` more never entered it.

    With ``cross_device`` each walker's steps alternate between an anonymous key and a
    member key that ``persons`` joins into one person. Answers the person ids planted.
    """
    people = []
    depths = [0] * reached[0]
    for k, n in enumerate(reached):
        for i in range(n):
            depths[i] = k + 2
    depths += [1] * district_only
    for i, depth in enumerate(depths):
        n = next(_people)
        person = f"anon:p{n}"
        keys: Iterator[str]
        if cross_device:
            pair = (person, f"member:{n}")
            wh.same_person(brand_id, person, *pair)
            keys = iter(pair[j % 2] for j in range(depth))
        else:
            keys = iter([person] * depth)
        _walk(wh, brand_id, keys, depth, start + timedelta(minutes=i), store_id, district_id)
        people.append(person)
    return people


def plant_dashboard_world(
    wh: PlantedWarehouse, brand_id: int, stores: Sequence[int], district_id: int, now: datetime
) -> None:
    """A little of everything the analytics dashboard draws: the seed funnel at each store,
    online and near-field traffic, and touches followed by purchases."""
    start = (now - timedelta(days=12)).replace(tzinfo=None)
    for i, store in enumerate(stores):
        reached = [12 - 3 * i, 7 - 2 * i, 4 - i, 2]
        plant_seed_funnel(
            wh,
            brand_id,
            store_id=store,
            district_id=district_id,
            reached=reached,
            start=start + timedelta(hours=i),
            district_only=5,
        )
    for n in range(8):
        key = f"anon:web{n}"
        at = start + timedelta(days=1, hours=n)
        wh.event(brand_id, key, "Product Viewed", at, channel="mini_app")
        if n % 2 == 0:
            wh.event(brand_id, key, "Geofence Entered", at + timedelta(hours=1), channel="app")
        if n % 4 == 0:
            wh.event(brand_id, key, "Store Entered", at + timedelta(hours=2), store_id=stores[0])
            wh.event(brand_id, key, "Order Completed", at + timedelta(hours=3), channel="pos")
    touches = [
        ("Popup Visited", {"popup_id": 1}),
        ("QR Scanned", {"code": "QR-1"}),
        ("Sample Dispensed", {}),
        ("Message Read", {"guide_id": 1}),
    ]
    for n, (name, cols) in enumerate(touches * 2):
        key = f"anon:buyer{n}"
        at = start + timedelta(days=2, hours=n)
        wh.event(brand_id, key, name, at, **cols)
        wh.order(brand_id, 9_000 + n, key, at + timedelta(days=1), 10_000 * (n + 1))
