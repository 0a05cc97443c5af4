from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.warehouse_builders import PlantedWarehouse

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


@pytest.fixture
def warehouse() -> Iterator[PlantedWarehouse]:
    """An in-memory warehouse that tests plant rows in."""
    planted = PlantedWarehouse()
    yield planted
    planted.close()


@pytest.fixture
def analytics_client(
    database: Database, settings: Settings, warehouse: PlantedWarehouse
) -> Iterator[TestClient]:
    """An app whose analyses read the planted ``warehouse``."""
    app = create_app(settings, database)
    app.state.analytics_warehouse = warehouse
    with TestClient(app) as test_client:
        yield test_client
