"""Settlement over HTTP: schedule, close, approve by another admin, pay, CSV, refusals."""

from datetime import timedelta

from fastapi.testclient import TestClient
from tests import builders
from tests import settlement_builders as cb

from newretail.db import Database, utcnow

API = "/api/v1/commission"


def _setup(client: TestClient, database: Database) -> tuple[builders.BrandWorld, int]:
    """A weekly schedule begun three weeks ago, a guide's line, the first week's id."""
    world = builders.brand_world(database)
    starts_on = (utcnow() - timedelta(days=21)).date()
    body = {"kind": "every_n_days", "every_days": 7, "starts_on": str(starts_on)}
    put = client.put(f"{API}/schedule", json=body, headers=world.headers("admin"))
    assert put.status_code == 200, put.text
    released = utcnow() - timedelta(days=20)
    cb.entry(
        database, world.brand.id, guide_id=world.east_guide.id, amount=4321, release_at=released
    )
    listed = client.get(f"{API}/periods", headers=world.headers("admin")).json()["items"]
    return world, listed[-1]["id"]


def test_close_approve_pay_and_export(client: TestClient, database: Database) -> None:
    world, period_id = _setup(client, database)
    keyed = {**world.headers("admin"), "Idempotency-Key": "close-1"}
    closed = client.post(f"{API}/periods/{period_id}/close", headers=keyed)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["statements"], closed.json()["total"]) == (1, 4321)
    assert client.post(f"{API}/periods/{period_id}/close", headers=keyed).json() == closed.json()
    again = client.post(f"{API}/periods/{period_id}/close", headers=world.headers("admin"))
    assert (again.status_code, again.json()["code"]) == (409, "period_already_closed")
    found = client.get(
        f"{API}/statements", params={"period_id": period_id}, headers=world.headers("admin")
    )
    statement = found.json()["items"][0]
    own = client.post(
        f"{API}/statements/{statement['id']}/approve", json={}, headers=world.headers("admin")
    )
    assert (own.status_code, own.json()["code"]) == (403, "own_statement")
    checker = {
        "Authorization": f"Bearer {builders.token(cb.second_admin(database, world.brand.id))}"
    }
    approved = client.post(
        f"{API}/statements/{statement['id']}/approve",
        json={"expected_total": 4321},
        headers=checker,
    )
    assert approved.json()["status"] == "approved"
    paid = client.post(f"{API}/statements/{statement['id']}/pay", headers=checker)
    assert paid.json()["status"] == "paid"
    detail = client.get(f"{API}/statements/{statement['id']}", headers=world.headers("east_guide"))
    assert [(line["amount"], line["status"]) for line in detail.json()["lines"]] == [(4321, "paid")]
    exported = client.get(f"{API}/periods/{period_id}/payroll.csv", headers=world.headers("admin"))
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert ",43.21,CNY,paid\r\n" in exported.text


def test_bad_schedules_and_unended_periods_are_refused(
    client: TestClient, database: Database
) -> None:
    world, _ = _setup(client, database)
    bad = {"kind": "monthly", "every_days": 7, "starts_on": "2026-01-01"}
    refused = client.put(f"{API}/schedule", json=bad, headers=world.headers("admin"))
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_input")
    too_late = {"kind": "monthly", "day_of_month": 31, "starts_on": "2026-01-01"}
    assert (
        client.put(f"{API}/schedule", json=too_late, headers=world.headers("admin")).status_code
        == 422
    )
    current = client.get(f"{API}/periods", headers=world.headers("admin")).json()["items"][0]
    early = client.post(f"{API}/periods/{current['id']}/close", headers=world.headers("admin"))
    assert (early.status_code, early.json()["code"]) == (409, "period_not_ended")
    guide = client.put(
        f"{API}/schedule",
        json={**bad, "kind": "every_n_days", "every_days": 3},
        headers=world.headers("east_guide"),
    )
    assert guide.status_code == 403
