"""Orders over HTTP take promotions and coupons: the best combination by default, a chosen
one checked again, and clear refusals for what is not available (nothing written)."""

from fastapi.testclient import TestClient
from tests import member_builders, order_builders
from tests import promotion_builders as pb
from tests.order_builders import order_body

from newretail.db import Database


def test_an_order_takes_the_best_combination_and_refuses_an_unknown_coupon(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    promotion = pb.promotion(database, shop)
    member_id = pb.member(database, shop)
    pb.claim(database, member_id, pb.template(database, shop))
    buyer = shop.consumer_headers(member_builders.consumer_of(database, member_id))
    unknown = client.post(
        "/api/v1/orders", json=order_body(shop, offer_keys=["coupon:999999"]), headers=buyer
    )
    malformed = client.post(
        "/api/v1/orders", json=order_body(shop, offer_keys=["anything"]), headers=buyer
    )
    chosen = client.post(
        "/api/v1/orders",
        json=order_body(shop, offer_keys=[f"promotion:{promotion}"]),
        headers=buyer,
    )
    best = client.post("/api/v1/orders", json=order_body(shop), headers=buyer)
    assert (unknown.status_code, unknown.json()["code"]) == (409, "coupon_unavailable")
    assert malformed.status_code == 422
    assert chosen.status_code == 201, chosen.text
    assert chosen.json()["discount"] == 2_000
    assert best.status_code == 201, best.text
    assert best.json()["discount"] == 3_000
    assert sum(line["discount"] for line in best.json()["lines"]) == 3_000
    assert sum(line["total"] for line in best.json()["lines"]) == sum(shop.prices) - 3_000
