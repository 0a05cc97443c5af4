"""Error pages lead back where their reader came from: consumers to the cloud store."""

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.e2e.pages_support import login

from newretail.db import Database

pytestmark = pytest.mark.sqlite_only


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_missing_product_in_a_cloud_store_leads_back_to_that_store(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    store = f"{world.brand.code}.{world.east_store.code}"

    page = client.get(f"/s/{store}/p/999999")

    assert page.status_code == 404
    assert f'href="/s/{store}" data-testid="back">返回云店</a>' in page.text
    assert "/console" not in page.text


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_consumer_pages_that_lead_nowhere_offer_no_console(
    client: TestClient, database: Database
) -> None:
    builders.brand_world(database)

    no_store = client.get("/s/NOPE.NOPE")
    no_code = client.get("/c/NOPE1234")

    assert (no_store.status_code, no_code.status_code) == (404, 404)
    assert "/console" not in no_store.text and "/console" not in no_code.text
    assert 'data-testid="back"' not in no_store.text


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_missing_console_page_still_leads_back_to_the_console(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)

    page = client.get("/console/products/999999")

    assert page.status_code == 404
    assert 'href="/console" data-testid="back">返回管理后台</a>' in page.text
