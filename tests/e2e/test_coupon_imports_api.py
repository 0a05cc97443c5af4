"""Coupon imports and service vouchers over HTTP: all or nothing, once, and 404 across brands."""

from fastapi.testclient import TestClient
from tests import builders
from tests import promotion_builders as pb

from newretail.db import Database


def test_an_import_over_http_issues_once_and_refuses_the_whole_on_any_problem(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    other = builders.brand_world(database)
    admin = shop.world.headers("admin")
    template_id = pb.template(database, shop, per_member_limit=1)
    member_id = pb.member(database, shop)
    path = f"/api/v1/coupons/templates/{template_id}/import"
    body = {"entries": [{"external_ref": "crm-1", "member_id": member_id}]}
    first = client.post(path, json=body, headers=admin)
    again = client.post(path, json=body, headers=admin)
    over = client.post(
        path,
        json={"entries": [{"external_ref": "crm-2", "member_id": member_id}]},
        headers=admin,
    )
    by_manager = client.post(path, json=body, headers=shop.world.headers("east_store_manager"))
    by_other = client.post(path, json=body, headers=other.headers("admin"))
    assert first.status_code == 200, first.text
    assert again.json() == {"issued": [], "already": first.json()["issued"]}
    assert (over.status_code, over.json()["code"]) == (409, "import_refused")
    assert "crm-2: member_limit_reached" in over.json()["detail"]
    assert by_manager.status_code == 403
    assert (by_other.status_code, by_other.json()["code"]) == (404, "coupon_template_not_found")


def test_a_service_voucher_is_redeemed_at_a_store_once_over_http(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    other = builders.brand_world(database)
    template_id = pb.template(database, shop, kind="service", terms={"amount": 5_000})
    coupon_id = pb.claim(database, pb.member(database, shop), template_id)
    path = f"/api/v1/coupons/{coupon_id}/redeem-at-store"
    cashier = shop.world.headers("east_guide")
    by_other = client.post(path, json={"store_id": shop.store_id}, headers=other.headers("admin"))
    used = client.post(path, json={"store_id": shop.store_id}, headers=cashier)
    twice = client.post(path, json={"store_id": shop.store_id}, headers=cashier)
    assert by_other.status_code == 404
    assert (used.status_code, used.json()["status"], used.json()["channel"]) == (
        200,
        "redeemed",
        "guide_push",
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "coupon_unavailable")
