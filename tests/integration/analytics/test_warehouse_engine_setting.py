"""``analytics_warehouse_engine = clickhouse``: the sync writes the server, the API and the
jobs read it (no snapshots), and a ClickHouse that cannot be reached is a 503, never a 500."""

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests import analytics_builders as ab
from tests import builders
from tests.clickhouse_http import clickhouse_server
from tests.ports import free_port

from newretail.analytics.events import service as events_service
from newretail.analytics.reports.opening import WarehouseHolder
from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.jobs import WarehouseSync
from newretail.analytics.warehouse.snapshots import publish, published
from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database, utcnow

pytestmark = pytest.mark.postgres
QUERY = "/api/v1/analytics/funnels/query"


def _on_clickhouse(settings: Settings, url: str, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={
            "analytics_warehouse_engine": "clickhouse",
            "analytics_clickhouse_url": url,
            "analytics_warehouse_path": str(tmp_path / "analytics.duckdb"),
            "analytics_sync_seconds": 7,
        }
    )


def _visit(database: Database, settings: Settings, brand_id: int, store_id: int, n: int) -> None:
    at = utcnow() - timedelta(minutes=1)
    events = [ab.event(f"v{i}", at=at, anonymous_id=f"web-{i}", store=store_id) for i in range(n)]
    with database.transaction() as session:
        events_service.ingest(
            session=session,
            sender=events_service.Sender(brand_id=brand_id),
            events=events,
            clock=events_service.clock_of(settings, utcnow()),
        )


def test_the_sync_writes_clickhouse_and_the_api_and_the_jobs_read_it(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    world = builders.brand_world(database)
    _visit(database, settings, world.brand.id, world.east_store.id, 3)
    holder = WarehouseHolder()
    job = WarehouseSync()

    with clickhouse_server() as url:
        mine = _on_clickhouse(settings, url, tmp_path)
        before_sync = holder.get(mine)
        copied = job(database, mine)
        after_sync = holder.get(mine)
        with TestClient(create_app(mine, database)) as client:
            answer = client.post(
                QUERY, json=ab.entered_then_tried_on(), headers=world.headers("admin")
            )
        holder.close()
        job.close()

    assert (before_sync, after_sync is not None, copied) == (None, True, 3)
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"][0]["reached"] == 3
    assert not published(mine.analytics_warehouse_path)


def test_a_clickhouse_that_cannot_be_reached_is_a_503_with_retry_after(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    world = builders.brand_world(database)
    _visit(database, settings, world.brand.id, world.east_store.id, 1)
    closed = _on_clickhouse(settings, f"http://127.0.0.1:{free_port()}", tmp_path)
    duckdb = open_warehouse(closed.analytics_warehouse_path)
    publish(duckdb, closed.analytics_warehouse_path)  # what the DuckDB reader would answer
    duckdb.close()
    holder = WarehouseHolder()
    job = WarehouseSync()

    with TestClient(create_app(closed, database)) as client:
        answer = client.post(QUERY, json=ab.entered_then_tried_on(), headers=world.headers("admin"))
    readable, copied = holder.get(closed), job(database, closed)
    holder.close()
    job.close()

    assert (answer.status_code, answer.json()["code"]) == (503, "warehouse_unavailable")
    assert answer.headers["Retry-After"] == "7"
    assert (readable, copied) == (None, 0)
