"""The analyses in the production topology: ``newretail worker`` is a process of its own that
writes the warehouse and publishes read snapshots; the API reads them while it writes, and
moves to the newer data after the next sync. The embedded default (one process, the worker
inside it) reads the same way."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests import analytics_builders as ab
from tests import builders

from newretail.analytics.events import service as events_service
from newretail.analytics.warehouse.snapshots import KEEP, folder_of
from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database, utcnow

pytestmark = pytest.mark.postgres
QUERY = "/api/v1/analytics/funnels/query"
SYNC_SECONDS = 0.3
WAIT_SECONDS = 90


def _visits(database: Database, brand_id: int, store_id: int, people: range) -> None:
    now = utcnow()
    events = [
        ab.event(f"v{n}", at=now - timedelta(minutes=1), anonymous_id=f"web-{n}", store=store_id)
        for n in people
    ]
    settings = Settings(database_url=database.url)
    with database.transaction() as session:
        events_service.ingest(
            session=session,
            sender=events_service.Sender(brand_id=brand_id),
            events=events,
            clock=events_service.clock_of(settings, utcnow()),
        )


def _entered(client: TestClient | httpx.Client, headers: dict[str, str]) -> int | None:
    """People who entered, as the API answers now; None while it has nothing to read."""
    response = client.post(QUERY, json=ab.entered_then_tried_on(), headers=headers)
    if response.status_code == 503:
        return None
    assert response.status_code == 200, response.text
    return int(response.json()["total"][0]["reached"])


def _wait_for(client: TestClient, headers: dict[str, str], wanted: int) -> int | None:
    deadline = time.monotonic() + WAIT_SECONDS
    seen = _entered(client, headers)
    while seen != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
        seen = _entered(client, headers)
    return seen


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "analytics.duckdb"


@pytest.fixture
def worker_process(
    database: Database, warehouse_path: Path, tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWRETAIL_")}
    env.update(
        {
            "NEWRETAIL_DATABASE_URL": database.url,
            "NEWRETAIL_ANALYTICS_WAREHOUSE_PATH": str(warehouse_path),
            "NEWRETAIL_ANALYTICS_SYNC_SECONDS": str(SYNC_SECONDS),
            "NEWRETAIL_WORKER_POLL_SECONDS": "0.1",
            "NEWRETAIL_LOG_JSON": "false",
            "NEWRETAIL_LOG_LEVEL": "ERROR",
        }
    )
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "newretail.cli", "worker"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(30)
    if process.poll() is None:
        process.kill()
        process.wait(10)


def test_the_api_reads_what_a_worker_process_writes_and_follows_its_syncs(
    database: Database,
    settings: Settings,
    warehouse_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    world = builders.brand_world(database)
    headers = world.headers("admin")
    store = world.east_store.id
    _visits(database, world.brand.id, store, range(3))
    api_settings = settings.model_copy(
        update={
            "analytics_warehouse_path": str(warehouse_path),
            "analytics_sync_seconds": SYNC_SECONDS,
        }
    )
    with TestClient(create_app(api_settings, database)) as client:
        before = client.post(QUERY, json=ab.entered_then_tried_on(), headers=headers)
        request.getfixturevalue("worker_process")
        first = _wait_for(client, headers, 3)
        _visits(database, world.brand.id, store, range(3, 5))
        with ThreadPoolExecutor(4) as pool:
            during = list(pool.map(lambda _: _entered(client, headers), range(40)))
        second = _wait_for(client, headers, 5)

    assert (before.status_code, before.json()["code"]) == (503, "warehouse_unavailable")
    assert before.headers["Retry-After"] == "1"
    assert (first, second) == (3, 5)
    assert set(during) <= {3, 5}
    assert len(list(folder_of(warehouse_path).glob("*.duckdb"))) <= KEEP


def test_the_embedded_default_reads_the_snapshots_of_its_own_worker(
    database: Database, settings: Settings, warehouse_path: Path
) -> None:
    world = builders.brand_world(database)
    headers = world.headers("admin")
    _visits(database, world.brand.id, world.east_store.id, range(2))
    embedded = settings.model_copy(
        update={
            "analytics_warehouse_path": str(warehouse_path),
            "analytics_sync_seconds": SYNC_SECONDS,
            "worker_poll_seconds": 0.1,
        }
    )

    with TestClient(create_app(embedded, database, run_worker=True)) as client:
        entered = _wait_for(client, headers, 2)

    assert entered == 2
