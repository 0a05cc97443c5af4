from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.warehouse_builders import ENGINES, PlantedWarehouse

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each warehouse engine in turn: DuckDB, and ClickHouse in-process (chdb)."""
    return str(request.param)


@pytest.fixture
def warehouse(request: pytest.FixtureRequest) -> Iterator[PlantedWarehouse]:
    """An in-memory warehouse that tests plant rows in: DuckDB, or the engine a test names
    with ``@pytest.mark.parametrize("warehouse", ENGINES, indirect=True)``."""
    planted = PlantedWarehouse(getattr(request, "param", "duckdb"))
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


@pytest.fixture
def planted(engine: str) -> Iterator[PlantedWarehouse]:
    """An in-memory warehouse on each engine in turn: the same test, the same answers."""
    wh = PlantedWarehouse(engine)
    yield wh
    wh.close()
