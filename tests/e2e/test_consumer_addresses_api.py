"""The consumer API's address book: /api/v1/consumers/me/addresses."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import builders, member_builders

from newretail.auth import service as auth_service
from newretail.db import Database
from newretail.members.models import ConsumerAddress

URL = "/api/v1/consumers/me/addresses"
HOME = {
    "recipient": "Li Lei",
    "phone": "139 1234 0001",
    "region": "Shanghai",
    "city": "Shanghai",
    "district": "Huangpu",
    "line": "1 Nanjing Road",
}


def _headers(consumer_id: int) -> dict[str, str]:
    token, _ = auth_service.issue_consumer_token(consumer_id=consumer_id)
    return {"Authorization": f"Bearer {token}"}


def _count(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(ConsumerAddress)) or 0)


def test_a_consumer_keeps_addresses_with_a_brand_and_the_first_is_the_default(
    client: TestClient, database: Database
) -> None:
    brand = builders.brand_world(database).brand.id
    me = _headers(member_builders.consumer(database))
    first = client.post(URL, json={"brand_id": brand, **HOME}, headers=me)
    second = client.post(
        URL, json={"brand_id": brand, **HOME, "recipient": "Han Meimei"}, headers=me
    )
    listed = client.get(URL, params={"brand_id": brand}, headers=me)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["phone"] == "+8613912340001"
    assert [(a["recipient"], a["is_default"]) for a in listed.json()] == [
        ("Li Lei", True),
        ("Han Meimei", False),
    ]


def test_changing_making_default_and_deleting_move_the_default_flag(
    client: TestClient, database: Database
) -> None:
    brand = builders.brand_world(database).brand.id
    me = _headers(member_builders.consumer(database))
    home = client.post(URL, json={"brand_id": brand, **HOME}, headers=me).json()["id"]
    work = client.post(URL, json={"brand_id": brand, **HOME}, headers=me).json()["id"]
    changed = client.put(
        f"{URL}/{work}", json={**HOME, "line": "88 Yan'an Road", "is_default": True}, headers=me
    )
    home_read = client.get(f"{URL}/{home}", headers=me).json()
    back = client.post(f"{URL}/{home}/default", headers=me)
    deleted = client.delete(f"{URL}/{home}", headers=me)
    left = client.get(URL, params={"brand_id": brand}, headers=me).json()
    assert (changed.json()["line"], changed.json()["is_default"]) == ("88 Yan'an Road", True)
    assert home_read["is_default"] is False
    assert back.json()["is_default"] is True
    assert deleted.status_code == 204
    assert [(a["id"], a["is_default"]) for a in left] == [(work, True)]


def test_another_consumers_address_is_not_found_and_not_changed(
    client: TestClient, database: Database
) -> None:
    brand = builders.brand_world(database).brand.id
    owner = _headers(member_builders.consumer(database))
    other = _headers(member_builders.consumer(database))
    theirs = client.post(URL, json={"brand_id": brand, **HOME}, headers=owner).json()["id"]
    answers = [
        client.get(f"{URL}/{theirs}", headers=other),
        client.put(f"{URL}/{theirs}", json={**HOME, "recipient": "Evil"}, headers=other),
        client.post(f"{URL}/{theirs}/default", headers=other),
        client.delete(f"{URL}/{theirs}", headers=other),
        client.get(f"{URL}/{2**63}", headers=other),
    ]
    mine = client.get(URL, params={"brand_id": brand}, headers=other).json()
    kept = client.get(f"{URL}/{theirs}", headers=owner).json()
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(404, "address_not_found")] * 5
    assert mine == []
    assert kept["recipient"] == "Li Lei"


def test_bad_input_is_refused_with_a_code_and_nothing_is_written(
    client: TestClient, database: Database
) -> None:
    brand = builders.brand_world(database).brand.id
    me = _headers(member_builders.consumer(database))
    bodies = [
        {"brand_id": brand, **HOME, "recipient": ""},
        {"brand_id": brand, **HOME, "line": "x" * 301},
        {"brand_id": brand, **HOME, "city": "Shang\x00hai"},
        {"brand_id": brand, **HOME, "extra": "field"},
        {"brand_id": 0, **HOME},
        {k: v for k, v in HOME.items() if k != "district"} | {"brand_id": brand},
    ]
    answers = [client.post(URL, json=body, headers=me) for body in bodies]
    bad_phone = client.post(URL, json={"brand_id": brand, **HOME, "phone": "12345"}, headers=me)
    no_brand = client.post(URL, json={"brand_id": 999_999, **HOME}, headers=me)
    assert [a.status_code for a in answers] == [422] * 6
    assert (bad_phone.status_code, bad_phone.json()["code"]) == (422, "invalid_phone")
    assert (no_brand.status_code, no_brand.json()["code"]) == (404, "brand_not_found")
    assert _count(database) == 0


def test_staff_and_strangers_have_no_address_book(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    staff = {"Authorization": f"Bearer {world.token('admin')}"}
    as_staff = client.get(URL, params={"brand_id": world.brand.id}, headers=staff)
    anonymous = client.get(URL, params={"brand_id": world.brand.id})
    written = client.post(URL, json={"brand_id": world.brand.id, **HOME}, headers=staff)
    assert as_staff.status_code == 404
    assert anonymous.status_code == 401
    assert written.status_code == 404
    assert _count(database) == 0


def test_an_address_book_holds_at_most_twenty_addresses(
    client: TestClient, database: Database
) -> None:
    brand = builders.brand_world(database).brand.id
    me = _headers(member_builders.consumer(database))
    statuses = [client.post(URL, json={"brand_id": brand, **HOME}, headers=me) for _ in range(21)]
    assert [s.status_code for s in statuses] == [201] * 20 + [409]
    assert statuses[-1].json()["code"] == "address_book_full"
    assert _count(database) == 20
