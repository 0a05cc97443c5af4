"""Funnels over HTTP: the standard reports are saved once, run by store with names, exported
as CSV; bad definitions are refused with reasons; another brand's report is 404."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.warehouse_builders import ENGINES, PlantedWarehouse, plant_seed_funnel

from newretail.db import Database

pytestmark = pytest.mark.postgres
BASE = "/api/v1/analytics/funnels"


@pytest.mark.parametrize("warehouse", ENGINES, indirect=True)
def test_the_seed_funnel_is_saved_once_and_runs_by_store(
    analytics_client: TestClient, database: Database, warehouse: PlantedWarehouse
) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    start = datetime.now(UTC) - timedelta(days=10)
    plant_seed_funnel(
        warehouse,
        world.brand.id,
        store_id=world.east_store.id,
        district_id=1,
        reached=[4, 2, 1, 1],
        start=start.replace(tzinfo=None),
    )

    installed = analytics_client.post(f"{BASE}/standard", json={}, headers=admin)
    again = analytics_client.post(f"{BASE}/standard", json={}, headers=admin)
    seed = next(r for r in again.json() if r["key"] == "seed_funnel")
    result = analytics_client.get(
        f"{BASE}/{seed['id']}/result", params={"breakdown": "store"}, headers=admin
    )
    exported = analytics_client.get(
        f"{BASE}/{seed['id']}/result.csv", params={"breakdown": "store"}, headers=admin
    )

    assert installed.status_code == 200, installed.text
    assert [r["key"] for r in again.json()] == ["seed_funnel", "traffic_layers"]
    assert [r["id"] for r in again.json()] == [r["id"] for r in installed.json()]
    group = result.json()["groups"][0]
    assert (group["value"], group["label"]) == (str(world.east_store.id), world.east_store.name)
    assert [s["reached"] for s in group["steps"]] == [4, 4, 2, 1, 1]
    assert group["steps"][2]["rate_from_previous"] == 0.5
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[3].split(",")[:3] == [world.east_store.name, "Tried on", "2"]


def test_bad_definitions_and_periods_are_refused_with_reasons(
    analytics_client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    misspelt = {
        "name": "x",
        "spec": {"steps": [{"label": "a", "events": ["Store Entred"]}, {"label": "b"}]},
    }

    refused = analytics_client.post(BASE, json=misspelt, headers=admin)
    backwards = analytics_client.post(
        f"{BASE}/query",
        json={
            "spec": {"steps": [{"label": "a"}, {"label": "b"}]},
            "start": "2026-11-02T00:00:00Z",
            "end": "2026-11-01T00:00:00Z",
        },
        headers=admin,
    )

    assert refused.status_code == 422
    assert "unknown event 'Store Entred'" in refused.text
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_period")


def test_another_brands_reports_do_not_exist_for_the_caller(
    analytics_client: TestClient, database: Database
) -> None:
    mine, theirs = builders.brand_world(database), builders.brand_world(database)
    saved = analytics_client.post(
        f"{BASE}/standard", json={}, headers=theirs.headers("admin")
    ).json()[0]
    path = f"{BASE}/{saved['id']}"
    me = mine.headers("admin")

    answers = [
        analytics_client.get(path, headers=me),
        analytics_client.get(f"{path}/result", headers=me),
        analytics_client.get(f"{path}/result.csv", headers=me),
        analytics_client.patch(path, json={"name": "mine now"}, headers=me),
        analytics_client.delete(path, headers=me),
        analytics_client.get(BASE, params={"brand_id": theirs.brand.id}, headers=me),
    ]
    listed = analytics_client.get(BASE, headers=me)
    by_guide = analytics_client.get(BASE, headers=theirs.headers("east_guide"))

    assert [a.status_code for a in answers] == [404] * 6
    assert listed.json() == []
    assert by_guide.status_code == 403
