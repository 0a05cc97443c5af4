from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client
