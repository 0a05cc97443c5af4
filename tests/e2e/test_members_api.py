"""Members over HTTP as staff: registering, masking, scoped lists, points, binding, policy."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import builders
from tests import member_builders as mb
from tests.passwords import cheap_hashing

from newretail.db import Database
from newretail.members.models import ConsumerIdentifier, Membership


@pytest.fixture(autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Staff built for these tests never log in; strong hashing would only cost seconds."""
    with cheap_hashing():
        yield


def _register(client: TestClient, world: builders.BrandWorld, who: str, **body: object) -> dict:
    response = client.post("/api/v1/members", json=body, headers=world.headers(who))
    assert response.status_code == 201, response.text
    return response.json()


def test_a_cashier_registers_a_member_at_the_till_and_sees_the_phone_masked(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    member = _register(client, world, "east_cashier", phone="138 1234 5678")
    manager_view = client.get(
        f"/api/v1/members/{member['id']}", headers=world.headers("east_store_manager")
    ).json()
    assert (member["phone"], manager_view["phone"]) == ("138****5678", "+8613812345678")
    assert (member["join_channel"], member["join_store_id"]) == ("pos", world.east_store.id)
    assert member["binding"] | {"bound_at": None} == {
        "store_id": world.east_store.id,
        "guide_id": None,
        "source": "pos",
        "bound_at": None,
        "protected_until": None,
        "expires_at": None,
        "active": True,
    }
    assert member["member_no"] == "0000000001"


def test_a_guide_who_registers_a_member_is_bound_to_them_and_sees_them(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    member = _register(client, world, "east_guide", phone="13812345678")
    mine = client.get("/api/v1/members", headers=world.headers("east_guide")).json()["items"]
    listed = client.get(
        f"/api/v1/guides/{world.east_guide.id}/members", headers=world.headers("east_guide")
    ).json()["items"]
    assert member["binding"]["guide_id"] == world.east_guide.id
    assert [m["id"] for m in mine] == [m["id"] for m in listed] == [member["id"]]
    assert listed[0]["phone"] == "138****5678"


def test_guides_see_only_their_own_members(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    colleague = mb.guide(database, world.brand.id, world.east_store.id)
    theirs = mb.member(database, world, guide_id=colleague.id)
    mine = client.get("/api/v1/members", headers=world.headers("east_guide")).json()["items"]
    read = client.get(f"/api/v1/members/{theirs}", headers=world.headers("east_guide"))
    other_list = client.get(
        f"/api/v1/guides/{colleague.id}/members", headers=world.headers("east_guide")
    )
    manager_list = client.get(
        f"/api/v1/guides/{colleague.id}/members", headers=world.headers("east_store_manager")
    ).json()["items"]
    assert (mine, read.status_code, other_list.status_code) == ([], 404, 404)
    assert [m["id"] for m in manager_list] == [theirs]


def test_store_roles_list_only_their_stores_members(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    west_guide = mb.guide(database, world.brand.id, world.west_store.id)
    east = mb.member(database, world)
    west = mb.scan(
        database, world.brand.id, mb.consumer(database), world.west_store.id, west_guide.id
    ).member_id
    cashier = client.get("/api/v1/members", headers=world.headers("east_cashier")).json()
    admin = client.get("/api/v1/members", headers=world.headers("admin")).json()
    assert [m["id"] for m in cashier["items"]] == [east]
    assert [m["id"] for m in admin["items"]] == [east, west]


def test_a_cashier_finds_any_member_of_the_brand_by_exact_phone(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    west_guide = mb.guide(database, world.brand.id, world.west_store.id)
    consumer = mb.consumer(database, "13700001111")
    mb.scan(database, world.brand.id, consumer, world.west_store.id, west_guide.id)
    headers = world.headers("east_cashier")
    found = client.get("/api/v1/consumers", params={"phone": "137 0000 1111"}, headers=headers)
    unknown = client.get("/api/v1/consumers", params={"phone": "13700002222"}, headers=headers)
    assert [(c["id"], c["phone"]) for c in found.json()["items"]] == [(consumer, "137****1111")]
    assert found.json()["items"][0]["memberships"][0]["brand_id"] == world.brand.id
    assert unknown.json()["items"] == []


def test_an_invalid_phone_registers_nothing(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/api/v1/members", json={"phone": "555-0100"}, headers=world.headers("east_cashier")
    )
    with database.transaction(read_only=True) as session:
        written = session.scalar(select(func.count()).select_from(ConsumerIdentifier))
    assert (response.status_code, response.json()["code"], written) == (422, "invalid_phone", 0)


def test_points_over_http_and_a_debit_beyond_the_balance(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    member_id = mb.member(database, world)
    url = f"/api/v1/members/{member_id}/points"
    cashier = world.headers("east_cashier")
    earned = client.post(
        url, json={"kind": "earn", "points": 200, "reference": "o-1"}, headers=cashier
    )
    too_much = client.post(url, json={"kind": "spend", "points": 201}, headers=cashier)
    spent = client.post(url, json={"kind": "spend", "points": 50}, headers=cashier)
    ledger = client.get(url, headers=world.headers("east_guide")).json()["items"]
    assert (earned.status_code, spent.json()["balance_after"]) == (201, 150)
    assert (too_much.status_code, too_much.json()["code"]) == (409, "insufficient_points")
    assert [(e["kind"], e["points"]) for e in ledger] == [("earn", 200), ("spend", -50)]
    with database.transaction(read_only=True) as session:
        assert session.get(Membership, member_id).points == 150  # type: ignore[union-attr]


def test_guides_cannot_post_points_and_cashiers_cannot_adjust(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    url = f"/api/v1/members/{mb.member(database, world)}/points"
    by_guide = client.post(
        url, json={"kind": "earn", "points": 5}, headers=world.headers("east_guide")
    )
    adjust = client.post(
        url, json={"kind": "adjust", "points": 5}, headers=world.headers("east_cashier")
    )
    zero = client.post(url, json={"kind": "adjust", "points": 0}, headers=world.headers("admin"))
    assert (by_guide.status_code, adjust.status_code, zero.status_code) == (403, 403, 422)


def test_a_manager_rebinds_by_hand_and_the_history_shows_it(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    colleague = mb.guide(database, world.brand.id, world.east_store.id)
    member_id = mb.member(database, world)
    url = f"/api/v1/members/{member_id}/binding"
    body = {"store_id": world.east_store.id, "guide_id": colleague.id}
    moved = client.put(url, json=body, headers=world.headers("east_store_manager"))
    history = client.get(url, headers=world.headers("east_store_manager")).json()
    assert (moved.json()["action"], moved.json()["reason"]) == ("bind", "manual")
    assert history["current"]["guide_id"] == colleague.id
    assert [(e["from_guide_id"], e["to_guide_id"], e["source"]) for e in history["items"]] == [
        (None, world.east_guide.id, "badge_code"),
        (world.east_guide.id, colleague.id, "manual"),
    ]


def test_manual_binding_to_a_guide_of_another_store_or_who_left_is_refused(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    west_guide = mb.guide(database, world.brand.id, world.west_store.id)
    gone = mb.guide(database, world.brand.id, world.east_store.id)
    client.patch(
        f"/api/v1/staff/{gone.id}", json={"is_active": False}, headers=world.headers("admin")
    )
    member_id = mb.member(database, world)
    url = f"/api/v1/members/{member_id}/binding"
    elsewhere = client.put(
        url,
        json={"store_id": world.east_store.id, "guide_id": west_guide.id},
        headers=world.headers("admin"),
    )
    left = client.put(
        url,
        json={"store_id": world.east_store.id, "guide_id": gone.id},
        headers=world.headers("admin"),
    )
    history = client.get(url, headers=world.headers("admin")).json()["items"]
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "guide_not_at_store")
    assert (left.status_code, left.json()["code"]) == (409, "guide_inactive")
    assert len(history) == 1


def test_the_binding_policy_is_the_brand_admin_s_to_set(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    body = {"mode": "override", "protection_days": 7, "expiry_days": 180}
    denied = client.put(
        "/api/v1/binding-policy", json=body, headers=world.headers("east_store_manager")
    )
    saved = client.put("/api/v1/binding-policy", json=body, headers=world.headers("admin"))
    read = client.get("/api/v1/binding-policy", headers=world.headers("east_guide")).json()
    assert denied.status_code == 403
    assert saved.status_code == 200
    assert read == {"brand_id": world.brand.id, **body}


def test_a_tier_table_without_an_entry_tier_is_refused(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    response = client.put(
        "/api/v1/member-program",
        json={"tiers": [{"code": "gold", "name": "Gold", "threshold": 1000}]},
        headers=world.headers("admin"),
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_member_program")


def test_hq_moves_a_leaving_guide_s_members_in_one_call(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    colleague = mb.guide(database, world.brand.id, world.east_store.id)
    members = [mb.member(database, world) for _ in range(3)]
    left = client.patch(
        f"/api/v1/staff/{world.east_guide.id}",
        json={"is_active": False},
        headers=world.headers("admin"),
    )
    url = f"/api/v1/guides/{world.east_guide.id}/rebind"
    both = client.post(
        url, json={"to_guide_id": colleague.id, "spread": True}, headers=world.headers("admin")
    )
    moved = client.post(url, json={"to_guide_id": colleague.id}, headers=world.headers("admin"))
    listed = client.get(
        f"/api/v1/guides/{colleague.id}/members", headers=world.headers("admin")
    ).json()["items"]
    assert left.status_code == 200
    assert (both.status_code, both.json()["code"]) == (422, "invalid_rebind")
    assert moved.json() == {
        "from_guide_id": world.east_guide.id,
        "moved": 3,
        "to_guides": {str(colleague.id): 3},
    }
    assert [m["id"] for m in listed] == members


def test_members_cannot_be_rebound_to_a_guide_who_left(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    gone = mb.guide(database, world.brand.id, world.east_store.id)
    mb.member(database, world)
    client.patch(
        f"/api/v1/staff/{gone.id}", json={"is_active": False}, headers=world.headers("admin")
    )
    response = client.post(
        f"/api/v1/guides/{world.east_guide.id}/rebind",
        json={"to_guide_id": gone.id},
        headers=world.headers("admin"),
    )
    assert (response.status_code, response.json()["code"]) == (409, "guide_inactive")
