"""Promotions and coupons over HTTP: brand-scoped CRUD, refusals with codes, claims,
wallets and the best combination for a consumer's cart."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from tests import builders, member_builders, order_builders
from tests import promotion_builders as pb

from newretail.db import Database, utcnow
from newretail.promotions.models import Coupon


def _promotion(shop: pb.Shop, **fields: Any) -> dict[str, Any]:
    return {
        "name": "spend 100 save 20",
        "kind": "spend_save",
        "terms": {"tiers": [{"threshold": 10_000, "off": 2_000}]},
        "starts_at": (utcnow() - timedelta(days=1)).isoformat(),
        **fields,
    }


def test_brand_staff_manage_promotions_and_other_brands_never_see_them(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    other = builders.brand_world(database)
    admin, manager = shop.world.headers("admin"), shop.world.headers("east_store_manager")
    created = client.post("/api/v1/promotions", json=_promotion(shop), headers=admin)
    promotion_id = created.json()["id"]
    path = f"/api/v1/promotions/{promotion_id}"
    changed = client.patch(path, json={"priority": 5}, headers=admin)
    seen_by_manager = client.get(path, headers=manager)
    written_by_manager = client.patch(path, json={"priority": 1}, headers=manager)
    seen_by_other = client.get(path, headers=other.headers("admin"))
    listed_by_other = client.get("/api/v1/promotions", headers=other.headers("admin")).json()
    archived = client.delete(path, headers=admin)
    assert created.status_code == 201, created.text
    assert changed.json()["priority"] == 5
    assert seen_by_manager.status_code == 200
    assert written_by_manager.status_code == 403
    assert (seen_by_other.status_code, seen_by_other.json()["code"]) == (
        404,
        "promotion_not_found",
    )
    assert listed_by_other["items"] == []
    assert archived.json()["status"] == "archived"


def test_bad_offers_are_refused_with_a_code(client: TestClient, database: Database) -> None:
    shop = pb.shop(database)
    admin = shop.world.headers("admin")
    start = utcnow()
    bodies = [
        ("/promotions", _promotion(shop, kind="nth_item", terms={"every": 2, "percent_off": 150})),
        ("/promotions", _promotion(shop, ends_at=(start - timedelta(days=2)).isoformat())),
        ("/promotions", _promotion(shop, kind="fixed", terms={"amount": 100})),
        ("/coupons/templates", pb.template_body(shop, kind="percent", terms={"percent_off": 101})),
        ("/coupons/templates", pb.template_body(shop, kind="threshold", terms={"amount": 100})),
        ("/coupons/templates", pb.template_body(shop, valid_days=None)),
    ]
    answers = [client.post(f"/api/v1{path}", json=body, headers=admin) for path, body in bodies]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [
        (422, "percentage_over_100"),
        (422, "dates_reversed"),
        (422, "invalid_terms"),
        (422, "percentage_over_100"),
        (422, "invalid_terms"),
        (422, "invalid_terms"),
    ]
    assert client.get("/api/v1/coupons/templates", headers=admin).json()["items"] == []


def test_a_consumer_claims_sees_the_wallet_and_gets_the_best_price(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    admin = shop.world.headers("admin")
    client.post("/api/v1/promotions", json=_promotion(shop), headers=admin)
    body = pb.template_body(shop, per_member_limit=1)
    template = client.post("/api/v1/coupons/templates", json=body, headers=admin).json()
    member_id = pb.member(database, shop)
    consumer = shop.consumer_headers(member_builders.consumer_of(database, member_id))
    stranger = shop.consumer_headers(member_builders.consumer(database))
    claim = {"template_id": template["id"]}
    keyed = {**consumer, "Idempotency-Key": "claim-1"}
    first = client.post("/api/v1/coupons/claim", json=claim, headers=keyed)
    replay = client.post("/api/v1/coupons/claim", json=claim, headers=keyed)
    over = client.post("/api/v1/coupons/claim", json=claim, headers=consumer)
    not_member = client.post("/api/v1/coupons/claim", json=claim, headers=stranger)
    wallet = client.get("/api/v1/coupons", headers=consumer).json()
    cart = {
        "brand_id": shop.world.brand.id,
        "store_id": shop.store_id,
        "channel": "cloud_store",
        "lines": [{"sku_id": shop.skus[0], "quantity": 1}, {"sku_id": shop.skus[1], "quantity": 2}],
    }
    best = client.post("/api/v1/coupons/best", json=cart, headers=consumer).json()
    guest = client.post("/api/v1/coupons/best", json=cart, headers=stranger).json()

    assert first.status_code == 201, first.text
    assert replay.json() == first.json()
    assert (over.status_code, over.json()["code"]) == (409, "member_limit_reached")
    assert (not_member.status_code, not_member.json()["code"]) == (409, "member_required")
    assert [c["id"] for c in wallet] == [first.json()["id"]]
    assert best["subtotal"] == 12_900 + 2 * 5_990
    assert [a["saving"] for a in best["best"]["applied"]] == [2_000, 1_000]
    assert best["best"]["payable"] == 24_880 - 3_000
    assert [sum(a["lines"]) for a in best["best"]["applied"]] == [2_000, 1_000]
    assert guest["best"]["saving"] == 2_000


def test_the_best_combination_refuses_a_sku_the_store_does_not_sell(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    cart = {
        "brand_id": shop.world.brand.id,
        "store_id": shop.store_id,
        "channel": "pos",
        "lines": [{"sku_id": 999_999, "quantity": 1}],
    }
    answer = client.post("/api/v1/coupons/best", json=cart, headers=shop.world.headers("admin"))
    assert (answer.status_code, answer.json()["code"]) == (409, "sku_not_sold")


def _expire(database: Database, coupon_id: int) -> None:
    """The coupon's validity ran out a minute ago (before the expiry job came by)."""
    with database.transaction() as session:
        coupon = session.get(Coupon, coupon_id)
        assert coupon is not None
        coupon.valid_until = utcnow() - timedelta(minutes=1)


def test_bad_coupons_at_checkout_and_claim_are_refused_with_a_code(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database, prices=[12_900, 5_990])
    order_builders.receive(database, shop.store_id, shop.skus[0], 5)
    member_id = pb.member(database, shop)
    buyer = shop.consumer_headers(member_builders.consumer_of(database, member_id))
    exclusive = [
        pb.claim(database, member_id, pb.template(database, shop, stacking="exclusive"))
        for _ in range(2)
    ]
    big = pb.template(database, shop, kind="threshold", terms={"threshold": 50_000, "amount": 1})
    below = pb.claim(database, member_id, big)
    scoped = pb.claim(
        database, member_id, pb.template(database, shop, reach={"skus": [shop.skus[1]]})
    )
    expired = pb.claim(database, member_id, pb.template(database, shop))
    _expire(database, expired)
    last = pb.template(database, shop, total_quantity=1)
    pb.claim(database, pb.member(database, shop), last)
    once = pb.template(database, shop, per_member_limit=1)
    pb.claim(database, member_id, once)

    def order(*coupons: int) -> Any:
        keys = [f"coupon:{c}" for c in coupons]
        lines = [{"sku_id": shop.skus[0], "quantity": 1}]
        body = order_builders.order_body(shop, lines=lines, offer_keys=keys)
        return client.post("/api/v1/orders", json=body, headers=buyer)

    answers = [
        order(*exclusive),
        order(below),
        order(scoped),
        order(expired),
        client.post("/api/v1/coupons/claim", json={"template_id": last}, headers=buyer),
        client.post("/api/v1/coupons/claim", json={"template_id": once}, headers=buyer),
    ]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [
        (409, "exclusive_conflict"),
        (409, "threshold_not_met"),
        (409, "coupon_not_applicable"),
        (409, "coupon_expired"),
        (409, "coupons_exhausted"),
        (409, "member_limit_reached"),
    ]
    assert client.get("/api/v1/orders", headers=buyer).json()["items"] == []
