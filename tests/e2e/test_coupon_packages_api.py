"""Coupon packages over HTTP: the platform operator drafts, reviews and publishes; brands
and consumers see only published packages; a consumer claims one once, replays included."""

from fastapi.testclient import TestClient
from tests import builders, member_builders
from tests import promotion_builders as pb

from newretail.db import Database


def _platform(database: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {builders.token(builders.platform_admin(database))}"}


def test_the_operator_drafts_reviews_and_publishes_and_consumers_claim(
    client: TestClient, database: Database
) -> None:
    a, b = pb.shop(database), pb.shop(database)
    templates = [pb.template(database, a), pb.template(database, b, terms={"amount": 2_000})]
    operator = _platform(database)
    body = pb.package_body(templates, budget=2_500, conflicts=[templates])
    drafted = client.post("/api/v1/coupon-packages", json=body, headers=operator)
    package_id = drafted.json()["id"]
    path = f"/api/v1/coupon-packages/{package_id}"
    consumer = a.consumer_headers(member_builders.consumer(database))
    hidden = client.get(path, headers=consumer)
    by_brand = client.post(f"{path}/publish", headers=a.world.headers("admin"))
    widened = client.patch(path, json={"budget": 3_000, "conflicts": []}, headers=operator)
    published = client.post(f"{path}/publish", headers=operator)
    keyed = {**consumer, "Idempotency-Key": "package-1"}
    claimed = client.post(f"{path}/claim", headers=keyed)
    replay = client.post(f"{path}/claim", headers=keyed)
    again = client.post(f"{path}/claim", headers=consumer)
    seen = client.get("/api/v1/coupon-packages", headers=consumer).json()["items"]

    assert drafted.status_code == 201, drafted.text
    assert [(c["template_id"], c["reason"]) for c in drafted.json()["candidates"]] == [
        (templates[1], "picked"),
        (templates[0], "conflict"),
    ]
    assert drafted.json()["candidates"][1]["other_template_id"] == templates[1]
    assert hidden.status_code == 404
    assert (by_brand.status_code, by_brand.json()["code"]) == (404, "package_not_found")
    assert [c["reason"] for c in widened.json()["candidates"]] == ["picked", "picked"]
    assert published.json()["status"] == "published"
    assert claimed.status_code == 201, claimed.text
    assert sorted(c["template_id"] for c in claimed.json()["coupons"]) == sorted(templates)
    assert replay.json() == claimed.json()
    assert (again.status_code, again.json()["code"]) == (409, "package_already_claimed")
    assert [(p["id"], len(p["candidates"])) for p in seen] == [(package_id, 2)]


def test_bad_packages_are_refused_with_a_code(client: TestClient, database: Database) -> None:
    shop = pb.shop(database)
    template = pb.template(database, shop)
    operator = _platform(database)
    bodies = [
        pb.package_body([template], kind="district"),
        pb.package_body([template, template]),
        pb.package_body([]),
        pb.package_body([999_999]),
        pb.package_body([template], ends_at="2020-01-01T00:00:00Z"),
    ]
    answers = [client.post("/api/v1/coupon-packages", json=b, headers=operator) for b in bodies]
    by_brand = client.post(
        "/api/v1/coupon-packages",
        json=pb.package_body([template]),
        headers=shop.world.headers("admin"),
    )
    assert [(a.status_code, a.json()["code"]) for a in answers] == [
        (422, "invalid_package"),
        (422, "invalid_package"),
        (422, "invalid_package"),
        (422, "invalid_package"),
        (422, "dates_reversed"),
    ]
    assert by_brand.status_code == 403
