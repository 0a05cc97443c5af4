from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.passwords import cheap_hashing

from newretail.db import Database

API = "/api/v1/inventory"


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


def _skus(database: Database, world: builders.BrandWorld, n: int = 2) -> list[int]:
    with database.transaction() as session:
        product = builders.product(session, world.brand.id)
        return [builders.sku(session, world.brand.id, product.id).id for _ in range(n)]


def _receive(
    client: TestClient, world: builders.BrandWorld, store_id: int, sku_id: int, quantity: int
) -> None:
    body = {
        "kind": "receipt",
        "location_id": store_id,
        "lines": [{"sku_id": sku_id, "quantity": quantity}],
    }
    response = client.post(f"{API}/movements", json=body, headers=world.headers("admin"))
    assert response.status_code == 201, response.text


def _reserve_body(store_id: int, sku_id: int, quantity: Any, ref: str = "cart-1") -> dict:
    return {
        "purpose": "cart",
        "reference_id": ref,
        "lines": [{"location_id": store_id, "sku_id": sku_id, "quantity": quantity}],
    }


def _level(client: TestClient, world: builders.BrandWorld, store_id: int, sku_id: int) -> dict:
    response = client.get(
        f"{API}/levels",
        params={"location_id": store_id, "sku_id": sku_id},
        headers=world.headers("admin"),
    )
    return response.json()["items"][0]


def test_a_receipt_shows_in_levels_and_journal(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    sku = _skus(database, world)[0]
    _receive(client, world, world.east_store.id, sku, 12)
    level = _level(client, world, world.east_store.id, sku)
    assert (level["on_hand"], level["reserved"], level["available"]) == (12, 0, 12)
    journal = client.get(
        f"{API}/movements", params={"sku_id": sku}, headers=world.headers("admin")
    ).json()
    assert [(m["kind"], m["quantity"], m["on_hand_after"]) for m in journal["items"]] == [
        ("receipt", 12, 12)
    ]
    assert journal["items"][0]["actor_id"] == world.admin.id


BAD_QUANTITIES = [1.5, -1, 0, "2", True, None, 10**12]


def test_quantities_that_are_not_whole_positive_units_are_422(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    sku = _skus(database, world)[0]
    store, headers = world.east_store.id, world.headers("admin")
    receipts = [
        client.post(
            f"{API}/movements",
            json={
                "kind": "receipt",
                "location_id": store,
                "lines": [{"sku_id": sku, "quantity": q}],
            },
            headers=headers,
        )
        for q in BAD_QUANTITIES
    ]
    reservations = [
        client.post(f"{API}/reservations", json=_reserve_body(store, sku, q), headers=headers)
        for q in BAD_QUANTITIES
    ]
    expected = [(422, "invalid_input")] * len(BAD_QUANTITIES)
    assert [(r.status_code, r.json()["code"]) for r in receipts] == expected
    assert [(r.status_code, r.json()["code"]) for r in reservations] == expected
    assert client.get(f"{API}/levels", headers=headers).json()["items"] == []


def test_unknown_skus_and_stores_are_404_with_a_code_and_change_nothing(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    sku = _skus(database, world)[0]
    body = {
        "kind": "receipt",
        "location_id": world.east_store.id,
        "lines": [{"sku_id": sku, "quantity": 1}, {"sku_id": 999_999, "quantity": 1}],
    }
    unknown_sku = client.post(f"{API}/movements", json=body, headers=world.headers("admin"))
    unknown_store = client.post(
        f"{API}/movements", json={**body, "location_id": 999_999}, headers=world.headers("admin")
    )
    assert (unknown_sku.status_code, unknown_sku.json()["code"]) == (404, "sku_not_found")
    assert (unknown_store.status_code, unknown_store.json()["code"]) == (404, "store_not_found")
    assert client.get(f"{API}/levels", headers=world.headers("admin")).json()["items"] == []


def test_the_same_sku_twice_and_an_adjustment_without_a_reason_are_refused(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    sku = _skus(database, world)[0]
    lines = [{"sku_id": sku, "quantity": 1}, {"sku_id": sku, "quantity": 2}]
    twice = client.post(
        f"{API}/movements",
        json={"kind": "receipt", "location_id": world.east_store.id, "lines": lines},
        headers=world.headers("admin"),
    )
    no_reason = client.post(
        f"{API}/movements",
        json={
            "kind": "adjustment",
            "location_id": world.east_store.id,
            "lines": [{"sku_id": sku, "delta": -1}],
        },
        headers=world.headers("admin"),
    )
    assert (twice.status_code, twice.json()["code"]) == (422, "duplicate_line")
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "invalid_input")


def test_reserve_retry_commit_and_a_second_commit(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    sku = _skus(database, world)[0]
    store = world.east_store.id
    _receive(client, world, store, sku, 5)
    headers = world.headers("east_cashier")
    created = client.post(f"{API}/reservations", json=_reserve_body(store, sku, 2), headers=headers)
    retried = client.post(f"{API}/reservations", json=_reserve_body(store, sku, 2), headers=headers)
    assert (created.status_code, retried.status_code) == (201, 200)
    assert retried.json()["id"] == created.json()["id"]
    reservation_id = created.json()["id"]
    fetched = client.get(f"{API}/reservations/{reservation_id}", headers=headers).json()
    assert (fetched["status"], fetched["lines"][0]["quantity"]) == ("active", 2)
    assert _level(client, world, store, sku)["available"] == 3
    committed = client.post(f"{API}/reservations/{reservation_id}/commit", headers=headers)
    again = client.post(f"{API}/reservations/{reservation_id}/commit", headers=headers)
    release = client.post(f"{API}/reservations/{reservation_id}/release", headers=headers)
    assert committed.json()["status"] == "committed"
    assert (again.status_code, again.json()["code"]) == (409, "reservation_not_active")
    assert (release.status_code, release.json()["code"]) == (409, "reservation_not_active")
    level = _level(client, world, store, sku)
    assert (level["on_hand"], level["reserved"]) == (3, 0)


def test_a_reservation_past_available_stock_is_409_and_holds_nothing(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    skus = _skus(database, world)
    store = world.east_store.id
    _receive(client, world, store, skus[0], 5)
    body = {
        "purpose": "order",
        "reference_id": "o-1",
        "lines": [
            {"location_id": store, "sku_id": skus[0], "quantity": 5},
            {"location_id": store, "sku_id": skus[1], "quantity": 1},
        ],
    }
    response = client.post(f"{API}/reservations", json=body, headers=world.headers("admin"))
    assert (response.status_code, response.json()["code"]) == (409, "insufficient_stock")
    assert _level(client, world, store, skus[0])["reserved"] == 0


def test_a_transfer_moves_stock_and_refuses_one_location(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    sku = _skus(database, world)[0]
    east, west = world.east_store.id, world.west_store.id
    _receive(client, world, east, sku, 6)
    body = {
        "from_location_id": east,
        "to_location_id": west,
        "lines": [{"sku_id": sku, "quantity": 4}],
    }
    moved = client.post(f"{API}/transfers", json=body, headers=world.headers("admin"))
    same = client.post(
        f"{API}/transfers", json={**body, "to_location_id": east}, headers=world.headers("admin")
    )
    too_many = client.post(
        f"{API}/transfers",
        json={**body, "lines": [{"sku_id": sku, "quantity": 3}]},
        headers=world.headers("admin"),
    )
    assert moved.status_code == 201
    assert moved.json()["lines"] == [{"sku_id": sku, "quantity": 4}]
    assert (same.status_code, same.json()["code"]) == (422, "transfer_same_location")
    assert (too_many.status_code, too_many.json()["code"]) == (409, "insufficient_stock")
    assert _level(client, world, east, sku)["on_hand"] == 2
    assert _level(client, world, west, sku)["on_hand"] == 4


def test_an_integration_key_syncs_levels_and_late_messages_are_skipped(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    sku = _skus(database, world)[0]
    store = world.west_store.id
    key = client.post("/api/v1/api-keys", json={"name": "ERP"}, headers=world.headers("admin"))
    headers = {"Authorization": f"Bearer {key.json()['key']}"}
    first = client.post(
        f"{API}/sync",
        json={"items": [{"location_id": store, "sku_id": sku, "on_hand": 30, "seq": 10}]},
        headers=headers,
    ).json()
    late = client.post(
        f"{API}/sync",
        json={
            "items": [
                {"location_id": store, "sku_id": sku, "on_hand": 1, "seq": 9},
                {"location_id": store, "sku_id": sku, "on_hand": 2, "seq": 10},
            ]
        },
        headers=headers,
    ).json()
    assert (first["applied"], first["results"][0]["delta"]) == (1, 30)
    assert (late["applied"], late["skipped"]) == (0, 2)
    assert [r["code"] for r in late["results"]] == ["stale_sequence", "duplicate_sequence"]
    assert _level(client, world, store, sku)["on_hand"] == 30


def test_a_sync_naming_an_unknown_sku_is_refused_whole(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    sku = _skus(database, world)[0]
    store = world.west_store.id
    items = [
        {"location_id": store, "sku_id": sku, "on_hand": 3, "seq": 1},
        {"location_id": store, "sku_id": 999_999, "on_hand": 3, "seq": 1},
    ]
    response = client.post(f"{API}/sync", json={"items": items}, headers=world.headers("admin"))
    assert (response.status_code, response.json()["code"]) == (404, "sku_not_found")
    assert "items[1]" in response.json()["detail"]
    assert client.get(f"{API}/levels", headers=world.headers("admin")).json()["items"] == []


def test_store_staff_work_in_their_own_store_only(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    sku = _skus(database, world)[0]
    _receive(client, world, world.east_store.id, sku, 5)
    _receive(client, world, world.west_store.id, sku, 5)
    cashier = world.headers("east_cashier")
    elsewhere = client.post(
        f"{API}/reservations", json=_reserve_body(world.west_store.id, sku, 1), headers=cashier
    )
    receipt = client.post(
        f"{API}/movements",
        json={
            "kind": "receipt",
            "location_id": world.east_store.id,
            "lines": [{"sku_id": sku, "quantity": 1}],
        },
        headers=cashier,
    )
    guide = client.post(
        f"{API}/reservations",
        json=_reserve_body(world.east_store.id, sku, 1),
        headers=world.headers("east_guide"),
    )
    seen = client.get(f"{API}/levels", headers=world.headers("east_manager")).json()["items"]
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "store_not_found")
    assert (receipt.status_code, receipt.json()["code"]) == (403, "permission_denied")
    assert (guide.status_code, guide.json()["code"]) == (403, "permission_denied")
    assert {level["location_id"] for level in seen} == {world.east_store.id}


def test_another_brand_sees_nothing_and_reaches_nothing(
    client: TestClient, database: Database
) -> None:
    victim = builders.brand_world(database)
    attacker = builders.brand_world(database)
    sku = _skus(database, victim)[0]
    _receive(client, victim, victim.east_store.id, sku, 5)
    reservation = client.post(
        f"{API}/reservations",
        json=_reserve_body(victim.east_store.id, sku, 1),
        headers=victim.headers("admin"),
    ).json()
    headers = attacker.headers("admin")
    reservation_path = f"{API}/reservations/{reservation['id']}"
    reached = [
        client.get(reservation_path, headers=headers),
        client.post(f"{reservation_path}/commit", headers=headers),
        client.post(f"{reservation_path}/release", headers=headers),
    ]
    assert [(r.status_code, r.json()["code"]) for r in reached] == [
        (404, "reservation_not_found")
    ] * 3
    steal = client.post(
        f"{API}/reservations",
        json=_reserve_body(victim.east_store.id, sku, 1, "x"),
        headers=headers,
    )
    assert (steal.status_code, steal.json()["code"]) == (404, "store_not_found")
    assert client.get(f"{API}/levels", headers=headers).json()["items"] == []
    assert client.get(f"{API}/movements", headers=headers).json()["items"] == []
    assert _level(client, victim, victim.east_store.id, sku)["reserved"] == 1


def test_levels_filter_below_a_threshold_and_page_with_a_cursor(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    skus = _skus(database, world, 3)
    for quantity, sku in zip((1, 5, 9), skus, strict=True):
        _receive(client, world, world.east_store.id, sku, quantity)
    headers = world.headers("admin")
    low = client.get(f"{API}/levels", params={"below": 6}, headers=headers).json()["items"]
    first = client.get(f"{API}/levels", params={"limit": 2}, headers=headers).json()
    rest = client.get(
        f"{API}/levels", params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
    ).json()
    assert sorted(level["on_hand"] for level in low) == [1, 5]
    assert len(first["items"]) == 2
    assert (len(rest["items"]), rest["next_cursor"]) == (1, None)
