import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database


@pytest.fixture(scope="session", autouse=True)
def first_warehouse_snapshot() -> None:
    """The test process's warehouse has a first (empty) read snapshot, as after its worker's
    first round, so that the apps built here answer analyses rather than 503 (the time before
    the first snapshot is tested in ``test_warehouse_readers``)."""
    from newretail.analytics.warehouse import open_warehouse
    from newretail.analytics.warehouse.snapshots import publish, published

    path = os.environ["NEWRETAIL_ANALYTICS_WAREHOUSE_PATH"]
    if not published(path):
        warehouse = open_warehouse(path)
        publish(warehouse, path)
        warehouse.close()


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client
