"""The console's management screens: the app with its own picture directory and a small
upload limit, and cheap password hashing for the many accounts these tests log in with."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.passwords import cheap_hashing

from newretail.config import Settings
from newretail.db import Database

UPLOAD_LIMIT = 200_000


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database.url,
        log_json=False,
        log_level="WARNING",
        media_dir=str(tmp_path / "media"),
        media_max_bytes=UPLOAD_LIMIT,
    )


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield
