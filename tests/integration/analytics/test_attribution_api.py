"""Attribution over HTTP: credited per touchpoint and as CSV, windows set per touch type,
bad settings refused with a reason, another brand's figures never shown."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.warehouse_builders import ENGINES, PlantedWarehouse

from newretail.db import Database

pytestmark = pytest.mark.postgres
BASE = "/api/v1/analytics/attribution"


@pytest.mark.parametrize("warehouse", ENGINES, indirect=True)
def test_purchases_are_credited_per_touchpoint_as_json_and_csv(
    analytics_client: TestClient, database: Database, warehouse: PlantedWarehouse
) -> None:
    world, other = builders.brand_world(database), builders.brand_world(database)
    day = (datetime.now(UTC) - timedelta(days=12)).replace(tzinfo=None)
    warehouse.event(world.brand.id, "anon:a", "QR Scanned", day, code="QR-1")
    warehouse.event(world.brand.id, "anon:a", "Sample Dispensed", day + timedelta(days=1))
    warehouse.order(world.brand.id, 1, "anon:a", day + timedelta(days=2), 9_001)
    warehouse.event(other.brand.id, "anon:b", "QR Scanned", day, code="QR-9")
    warehouse.order(other.brand.id, 2, "anon:b", day + timedelta(days=1), 5_000)
    admin = world.headers("admin")

    positional = analytics_client.get(
        BASE, params={"model": "position", "touches": "all"}, headers=admin
    )
    by_code = analytics_client.get(f"{BASE}.csv", params={"by": "code"}, headers=admin)
    widened = analytics_client.get(
        BASE, params={"by": "code", "window": "Sample Dispensed:0"}, headers=admin
    )
    as_other = analytics_client.get(
        BASE, params={"brand_id": world.brand.id}, headers=other.headers("admin")
    )

    assert positional.status_code == 200, positional.text
    assert {r["value"]: r["fen"] for r in positional.json()["rows"]} == {
        "QR Scanned": 4_501,
        "Sample Dispensed": 4_500,
    }
    assert positional.json()["attributed_fen"] == positional.json()["revenue_fen"] == 9_001
    assert by_code.text.splitlines() == ["code,credited_fen,purchases,touches", "(none),9001,1,1"]
    assert (widened.status_code, widened.json()["code"]) == (422, "invalid_attribution")
    assert "greater than or equal to 1" in widened.json()["detail"]
    assert as_other.status_code == 404
