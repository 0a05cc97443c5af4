"""An app whose analytics read a planted warehouse, and the brand world around it."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.warehouse_builders import PlantedWarehouse

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database


@pytest.fixture
def warehouse() -> PlantedWarehouse:
    return PlantedWarehouse()


@pytest.fixture
def client(
    database: Database, settings: Settings, warehouse: PlantedWarehouse
) -> Iterator[TestClient]:
    app = create_app(settings, database)
    app.state.analytics_warehouse = warehouse
    with TestClient(app) as test_client:
        yield test_client
