"""No connection to be had (pool exhausted, database unreachable) is a 503 to retry later,
with ``Retry-After``: JSON on the API, an HTML page on the pages, never a 500."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from prometheus_client.parser import text_string_to_metric_families
from tests import builders

from newretail.app import create_app
from newretail.auth import security
from newretail.config import Settings
from newretail.db import Database

RETRY_AFTER = "3"


def assert_api_503(response: Response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == RETRY_AFTER
    assert response.json()["code"] == "service_unavailable"
    assert set(response.json()) == {"detail", "code"}


def assert_page_503(response: Response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == RETRY_AFTER
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text


def unavailable_counted(client: TestClient) -> float:
    families = text_string_to_metric_families(client.get("/metrics").text)
    return sum(
        sample.value
        for family in families
        for sample in family.samples
        if sample.name == "newretail_database_unavailable_total"
    )


# ---- the pool is exhausted -------------------------------------------------------------


@pytest.fixture
def starved(database: Database) -> Iterator[TestClient]:
    """The app on a pool of one connection, which is held elsewhere for the whole test."""
    small = Database(database.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    settings = Settings(
        database_url=database.url,
        db_retry_after_seconds=int(RETRY_AFTER),
        log_json=False,
        log_level="CRITICAL",
    )
    held = small.engine.connect()
    try:
        with TestClient(create_app(settings, small)) as client:
            yield client
    finally:
        held.close()
        small.dispose()


def test_an_api_request_waiting_past_the_pool_timeout_is_a_503(
    starved: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    before = unavailable_counted(starved)

    response = starved.get("/api/v1/stores", headers=world.headers("admin"))

    assert_api_503(response)
    assert unavailable_counted(starved) == before + 1


def test_a_page_waiting_past_the_pool_timeout_is_a_503_page(
    starved: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)

    page = starved.get(
        f"/s/{world.brand.code}.{world.east_store.code}", headers={"accept-language": "zh-CN"}
    )

    assert_page_503(page)
    assert "当前访问繁忙" in page.text


def test_health_says_503_while_no_connection_is_free(starved: TestClient) -> None:
    assert_api_503(starved.get("/healthz"))


# ---- the database cannot be reached ----------------------------------------------------


@pytest.fixture(
    params=[
        "sqlite:////nonexistent-folder/newretail.db",
        "postgresql://postgres@127.0.0.1:1/newretail",  # nothing listens on port 1
    ],
    ids=["sqlite", "postgresql"],
)
def unreachable(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    url = str(request.param)
    database = Database(url, pool_timeout=0.2)
    settings = Settings(
        database_url=url,
        db_retry_after_seconds=int(RETRY_AFTER),
        log_json=False,
        log_level="CRITICAL",
    )
    with TestClient(create_app(settings, database)) as client:
        yield client
    database.dispose()


def test_an_api_request_to_an_unreachable_database_is_a_503(unreachable: TestClient) -> None:
    admin, _ = security.issue_token(subject_type="staff", subject_id=1, brand_id=None)

    assert_api_503(unreachable.get("/api/v1/stores", headers={"Authorization": f"Bearer {admin}"}))
    assert_api_503(unreachable.get("/healthz"))


def test_a_page_of_an_unreachable_database_is_a_503_page(unreachable: TestClient) -> None:
    assert_page_503(unreachable.get("/s/BRAND.STORE"))
