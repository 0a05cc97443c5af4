"""Commission pages: the guide's earnings, the console's leaderboard and settlement flow."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests import settlement_builders as cb
from tests.e2e.pages_support import login, post_form

from newretail.db import Database, utcnow

pytestmark = pytest.mark.sqlite_only

EN = {"accept-language": "en"}
ZH = {"accept-language": "zh-CN"}


def _settled_world(database: Database) -> builders.BrandWorld:
    """A weekly schedule begun three weeks ago; lines of the east guide and the west store."""
    world = builders.brand_world(database)
    now = utcnow()
    cb.schedule(
        database, world.brand.id, starts_on=(now - timedelta(days=21)).date(), every_days=7, now=now
    )
    released = now - timedelta(days=20)
    cb.entry(
        database,
        world.brand.id,
        guide_id=world.east_guide.id,
        amount=1000,
        release_at=released,
        earned_at=now - timedelta(minutes=5),
        order_number="NR-777",
        member_id=None,
    )
    cb.entry(
        database,
        world.brand.id,
        guide_id=world.east_guide.id,
        amount=-250,
        release_at=released,
        earned_at=now - timedelta(minutes=4),
        reason="refund",
        rate_bp=None,
        fixed=250,
    )
    cb.entry(
        database, world.brand.id, store_id=world.west_store.id, amount=600, release_at=released
    )
    return world


def test_the_guide_sees_today_and_each_line_explained(
    client: TestClient, database: Database
) -> None:
    world = _settled_world(database)
    login(client, world.east_guide, "/g")
    page = client.get("/g/earnings", headers=EN)
    assert page.status_code == 200
    assert 'data-figure="today"><dt>Today</dt><dd>CN¥7.50</dd>' in page.text
    assert "NR-777" in page.text
    assert "CN¥200.00 × 5% = CN¥10.00" in page.text
    assert "Refund: commission taken back" in page.text
    assert "bound_guide" not in page.text
    zh = client.get("/g/earnings?status=pending", headers=ZH)
    assert "你的绑定会员购买" in zh.text and "Your bound member bought" not in zh.text
    assert client.get("/g/earnings?status=bogus", headers=EN).status_code == 422


def test_close_approve_and_pay_through_the_console(client: TestClient, database: Database) -> None:
    world = _settled_world(database)
    login(client, world.admin)
    home = client.get("/console/commission/settlement", headers=EN)
    assert home.status_code == 200 and "Close period" in home.text
    period_id = int(home.text.split('data-period="')[-1].split('"')[0])
    closed = post_form(client, f"/console/commission/periods/{period_id}/close", {})
    assert closed.status_code == 303
    again = post_form(client, f"/console/commission/periods/{period_id}/close", {})
    assert again.status_code == 303
    assert "already closed" in client.get(again.headers["location"], headers=EN).text
    statements = client.get(f"/console/commission/periods/{period_id}", headers=EN)
    assert "Prepared by you: another admin approves" in statements.text
    assert 'data-testid="approve"' not in statements.text
    statement_id = int(statements.text.split('data-statement="')[1].split('"')[0])
    refused = post_form(client, f"/console/commission/statements/{statement_id}/approve", {})
    assert "must approve it" in client.get(refused.headers["location"], headers=EN).text
    csv = client.get(f"/console/commission/periods/{period_id}/invoicing.csv")
    assert (
        csv.headers["content-type"] == "text/csv; charset=utf-8"
        and ",6.00,CNY,prepared" in csv.text
    )
    client.cookies.clear()
    login(client, cb.second_admin(database, world.brand.id))
    page = client.get(f"/console/commission/statements/{statement_id}", headers=EN)
    assert 'data-testid="approve"' in page.text
    approved = post_form(
        client, f"/console/commission/statements/{statement_id}/approve", {"expected_total": "600"}
    )
    assert "was approved" in client.get(approved.headers["location"], headers=EN).text
    paid = post_form(client, f"/console/commission/statements/{statement_id}/pay", {})
    assert "Paid" in client.get(paid.headers["location"], headers=EN).text


def test_the_leaderboard_ranks_stores_and_regions(client: TestClient, database: Database) -> None:
    world = _settled_world(database)
    login(client, world.admin)
    stores = client.get("/console/commission/leaderboard?by=store&period=30d", headers=EN)
    assert stores.status_code == 200
    rows = stores.text.split('data-row="')[1:]
    assert [int(r.split('"')[0]) for r in rows] == [world.east_store.id, world.west_store.id]
    regions = client.get("/console/commission/leaderboard?by=region&period=30d", headers=ZH)
    assert world.east.name in regions.text and "按区域" in regions.text
    assert client.get("/console/commission/leaderboard?by=guide", headers=EN).status_code == 422


def test_a_store_manager_reads_but_cannot_settle(client: TestClient, database: Database) -> None:
    world = _settled_world(database)
    login(client, world.east_store_manager)
    page = client.get("/console/commission/settlement", headers=EN)
    assert page.status_code == 200 and "Close period" not in page.text
    stranger = builders.brand_world(database)
    client.cookies.clear()
    login(client, stranger.admin)
    assert client.get("/console/commission/periods/1", headers=EN).status_code == 404
