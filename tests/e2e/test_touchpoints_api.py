"""Touchpoint codes over HTTP: creating, listing, QR images, scanning, joining, stats, sheets."""

import io
from collections.abc import Iterator

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from tests import builders
from tests import code_builders as cb
from tests import member_builders as mb
from tests.passwords import cheap_hashing

from newretail.auth import service as auth_service
from newretail.db import Database
from newretail.members.binding_rules import BindingMode


@pytest.fixture(autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with cheap_hashing():
        yield


def _consumer_headers(database: Database) -> dict[str, str]:
    token, _ = auth_service.issue_consumer_token(consumer_id=mb.consumer(database))
    return {"Authorization": f"Bearer {token}"}


def test_a_store_manager_creates_a_shelf_code_that_leads_to_the_cloud_store(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/api/v1/codes",
        json={"store_id": world.east_store.id, "placement": "shelf_tag", "campaign": "spring"},
        headers=world.headers("east_store_manager"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["target"], body["campaign"], body["is_badge"]) == ("store", "spring", False)
    assert body["target_path"] == f"/s/{world.brand.code}.{world.east_store.code}"
    assert body["scan_url"] == f"http://testserver/c/{body['code']}"


def test_bulk_codes_are_distinct_and_listed_by_placement(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    body = {"store_id": world.east_store.id, "placement": "floor_sticker", "count": 5}
    created = client.post("/api/v1/codes/bulk", json=body, headers=world.headers("admin"))
    cb.code(database, world.east_store.id, "poster")
    listed = client.get(
        "/api/v1/codes", params={"placement": "floor_sticker"}, headers=world.headers("admin")
    )
    codes = [c["code"] for c in created.json()]
    assert created.status_code == 201
    assert len(set(codes)) == 5
    assert [c["code"] for c in listed.json()["items"]] == codes


def test_a_guide_sees_only_their_own_codes(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    cb.code(database, world.east_store.id)
    mine = cb.badge(database, world.east_guide.id)
    listed = client.get("/api/v1/codes", headers=world.headers("east_guide"))
    assert [c["code"] for c in listed.json()["items"]] == [mine]


def test_a_guide_s_badge_is_made_on_the_first_ask_and_then_kept(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    path = f"/api/v1/guides/{world.east_guide.id}/badge"
    first = client.post(path, headers=world.headers("east_guide"))
    again = client.post(path, headers=world.headers("east_guide"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    assert (first.json()["placement"], first.json()["target"]) == ("guide_badge", "join")


def test_a_product_code_needs_a_product_of_the_brand(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/api/v1/codes",
        json={"store_id": world.east_store.id, "placement": "product_page"},
        headers=world.headers("admin"),
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_code_target")


def test_the_png_decodes_to_the_code_s_scan_url(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    code = cb.code(database, world.east_store.id)
    response = client.get(f"/api/v1/codes/{code}.png", headers=world.headers("admin"))
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert response.headers["content-type"] == "image/png"
    assert [(d.format, d.text) for d in decoded] == [
        (zxingcpp.BarcodeFormat.QRCode, f"http://testserver/c/{code}")
    ]


def test_the_svg_is_an_svg_image(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    code = cb.code(database, world.east_store.id)
    response = client.get(f"/api/v1/codes/{code}.svg", headers=world.headers("admin"))
    assert response.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_an_anonymous_scan_of_a_badge_offers_membership(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    code = cb.badge(database, world.east_guide.id)
    response = client.post(f"/api/v1/codes/{code}/scan", json={"anonymous_id": "dev-1"})
    body = response.json()
    assert response.status_code == 201, response.text
    assert (body["offers_membership"], body["join_path"]) == (True, f"/c/{code}/join")
    assert (body["target_path"], body["guide_name"]) == (
        f"/c/{code}/join",
        world.east_guide.display_name,
    )


def test_a_product_code_scan_leads_to_the_product_and_offers_nothing(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        product = builders.product(session, world.brand.id)
        product_id = product.id
    code = cb.code(database, world.east_store.id, "product_page", product_id=product_id)
    body = client.post(f"/api/v1/codes/{code}/scan", json={}).json()
    assert body["target_path"] == f"/s/{world.brand.code}.{world.east_store.code}/p/{product_id}"
    assert (body["offers_membership"], body["join_path"]) == (False, None)


def test_a_deactivated_code_no_longer_scans(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    code = cb.code(database, world.east_store.id)
    patched = client.patch(
        f"/api/v1/codes/{code}", json={"is_active": False}, headers=world.headers("admin")
    )
    scanned = client.post(f"/api/v1/codes/{code}/scan", json={})
    assert patched.json()["is_active"] is False
    assert (scanned.status_code, scanned.json()["code"]) == (404, "code_inactive")


def test_a_consumer_joins_through_a_badge_and_becomes_the_guide_s_member(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    code = cb.badge(database, world.east_guide.id)
    joined = client.post(
        f"/api/v1/codes/{code}/join",
        json={"consents": {"marketing": True}},
        headers=_consumer_headers(database),
    )
    members = client.get(
        f"/api/v1/guides/{world.east_guide.id}/members", headers=world.headers("east_guide")
    )
    body = joined.json()
    assert joined.status_code == 200, joined.text
    assert (body["member_created"], body["action"], body["reason"]) == (True, "bind", "first_bind")
    assert (body["guide_id"], body["guide_name"]) == (
        world.east_guide.id,
        world.east_guide.display_name,
    )
    assert [m["id"] for m in members.json()["items"]] == [body["member_id"]]


def test_a_second_guide_s_badge_keeps_the_first_guide_under_first_wins(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    headers = _consumer_headers(database)
    client.post(
        f"/api/v1/codes/{cb.badge(database, world.east_guide.id)}/join", json={}, headers=headers
    )
    second = client.post(
        f"/api/v1/codes/{cb.badge(database, rival.id)}/join", json={}, headers=headers
    )
    body = second.json()
    assert (body["member_created"], body["action"], body["reason"]) == (
        False,
        "reject",
        "first_wins",
    )
    assert body["guide_id"] == world.east_guide.id


def test_joining_needs_a_consumer_token(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    code = cb.badge(database, world.east_guide.id)
    response = client.post(f"/api/v1/codes/{code}/join", json={}, headers=world.headers("admin"))
    assert (response.status_code, response.json()["code"]) == (401, "consumer_token_required")


def test_stats_count_scans_unique_scanners_and_joins(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.OVERRIDE)
    code = cb.badge(database, world.east_guide.id)
    for anonymous in ("dev-1", "dev-1", "dev-2"):
        client.post(f"/api/v1/codes/{code}/scan", json={"anonymous_id": anonymous})
    headers = _consumer_headers(database)
    client.post(f"/api/v1/codes/{code}/scan", json={}, headers=headers)
    client.post(f"/api/v1/codes/{code}/join", json={}, headers=headers)
    client.post(f"/api/v1/codes/{code}/join", json={}, headers=headers)
    stats = client.get(f"/api/v1/codes/{code}/stats", headers=world.headers("admin")).json()
    assert (stats["scans"], stats["unique_scanners"], stats["joins"], stats["bindings"]) == (
        4,
        3,
        1,
        1,
    )


def test_stats_refuse_a_time_without_a_zone(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    code = cb.code(database, world.east_store.id)
    response = client.get(
        f"/api/v1/codes/{code}/stats",
        params={"since": "2026-01-01T00:00:00"},
        headers=world.headers("admin"),
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_the_store_s_code_sheet_is_a_pdf(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    cb.code(database, world.east_store.id)
    cb.badge(database, world.east_guide.id)
    response = client.get(
        f"/api/v1/stores/{world.east_store.id}/code-sheet",
        params={"locale": "en"},
        headers=world.headers("east_store_manager"),
    )
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_another_brand_s_code_is_not_found(client: TestClient, database: Database) -> None:
    victim = builders.brand_world(database)
    attacker = builders.brand_world(database)
    code = cb.code(database, victim.east_store.id)
    response = client.get(f"/api/v1/codes/{code}.png", headers=attacker.headers("admin"))
    assert (response.status_code, response.json()["code"]) == (404, "code_not_found")
