"""A guide's share link of HQ content: views and claims counted once per visitor, and a sale
through it credited to the guide."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import member_builders, order_builders
from tests.integration.workbench.sales import paid_order

from newretail.catalog.models import Sku
from newretail.db import Database
from newretail.orders.models import Order

pytestmark = pytest.mark.postgres


def _product_of(database: Database, sku_id: int) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(Sku.product_id).where(Sku.id == sku_id)) or 0)


def test_a_share_links_sale_is_credited_to_the_guide(
    database: Database, client: TestClient
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    guide = world.east_guide
    product_id = _product_of(database, shop.skus[0])
    made = client.post(
        "/api/v1/content",
        json={"kind": "product", "title": "Winter coat", "product_id": product_id},
        headers=world.headers("admin"),
    )
    content_id = made.json()["id"]
    link = client.post(f"/api/v1/content/{content_id}/shares", headers=world.headers("east_guide"))
    ref = link.json()["ref"]
    assert link.json()["path"] == f"/w/{content_id}?ref={ref}"
    for visitor in ("visitor-one", "visitor-one", "visitor-two"):
        seen = client.post(
            f"/api/v1/content/{content_id}/views", json={"ref": ref, "visitor": visitor}
        )
        assert seen.status_code == 204
    client.post(f"/api/v1/content/{content_id}/claims", json={"ref": ref, "visitor": "visitor-two"})
    buyer = member_builders.consumer(database)
    order_id, total = paid_order(
        database, buyer, shop, channel="guide_share", referring_guide_id=guide.id
    )
    stats = client.get(f"/api/v1/content/{content_id}/shares", headers=world.headers("admin"))
    assert [
        (s["guide_id"], s["views"], s["claims"], s["orders"], s["sales"]) for s in stats.json()
    ] == [(guide.id, 2, 1, 1, total)]
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None and order.referring_guide_id == guide.id


def test_a_sale_before_any_view_of_the_share_is_not_the_shares(
    database: Database, client: TestClient
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    made = client.post(
        "/api/v1/content",
        json={"kind": "article", "title": "How to layer for winter", "body": "Start thin."},
        headers=world.headers("admin"),
    )
    content_id = made.json()["id"]
    client.post(f"/api/v1/content/{content_id}/shares", headers=world.headers("east_guide"))
    paid_order(
        database,
        member_builders.consumer(database),
        shop,
        channel="guide_share",
        referring_guide_id=world.east_guide.id,
    )
    stats = client.get(f"/api/v1/content/{content_id}/shares", headers=world.headers("admin"))
    assert [(s["views"], s["orders"]) for s in stats.json()] == [(0, 0)]


def test_an_altered_ref_is_refused_and_nothing_is_counted(
    database: Database, client: TestClient
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    made = client.post(
        "/api/v1/content",
        json={"kind": "article", "title": "News", "body": "Hello"},
        headers=world.headers("admin"),
    )
    content_id = made.json()["id"]
    ref = client.post(
        f"/api/v1/content/{content_id}/shares", headers=world.headers("east_guide")
    ).json()["ref"]
    forged = ref[:-1] + ("A" if ref[-1] != "A" else "B")
    refused = client.post(
        f"/api/v1/content/{content_id}/views", json={"ref": forged, "visitor": "visitor-one"}
    )
    assert (refused.status_code, refused.json()["code"]) == (404, "share_not_found")
    stats = client.get(f"/api/v1/content/{content_id}/shares", headers=world.headers("admin"))
    assert [s["views"] for s in stats.json()] == [0]


def test_only_hq_publishes_and_another_brand_sees_nothing(
    database: Database, client: TestClient
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    body = {"kind": "poster", "title": "Sale", "image_url": "/media/ab/ab.png"}
    refused = client.post("/api/v1/content", json=body, headers=world.headers("east_store_manager"))
    assert refused.status_code == 403
    made = client.post("/api/v1/content", json=body, headers=world.headers("admin"))
    other = order_builders.shop(database).world
    path = f"/api/v1/content/{made.json()['id']}"
    assert client.get(path, headers=other.headers("admin")).status_code == 404
    assert client.post(path + "/shares", headers=other.headers("east_guide")).status_code == 404
    assert client.get(path, headers=world.headers("east_guide")).status_code == 200
    no_image = client.post(
        "/api/v1/content", json={"kind": "poster", "title": "x"}, headers=world.headers("admin")
    )
    assert no_image.json()["code"] == "invalid_content"
