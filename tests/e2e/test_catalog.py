from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.passwords import cheap_hashing

from newretail.db import Database


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


def post(
    client: TestClient,
    world: builders.BrandWorld,
    path: str,
    body: dict[str, Any],
    who: str = "admin",
) -> Any:
    response = client.post(f"/api/v1{path}", json=body, headers=world.headers(who))
    assert response.status_code == 201, response.text
    return response.json()


def shirt(client: TestClient, world: builders.BrandWorld) -> tuple[int, int]:
    """A category, a product and a SKU made over HTTP; returns (product_id, sku_id)."""
    category = post(client, world, "/categories", {"code": "TOPS", "name": "Tops"})
    product = post(
        client,
        world,
        "/products",
        {
            "code": "LINEN",
            "title": "Linen shirt",
            "category_id": category["id"],
            "specs": {"material": "linen"},
            "images": ["/img/linen.jpg"],
        },
    )
    sku = post(
        client,
        world,
        f"/products/{product['id']}/skus",
        {
            "code": "LINEN-M",
            "barcode": "6900000000017",
            "attributes": {"size": "M"},
            "weight_g": 240,
        },
    )
    return product["id"], sku["id"]


def test_hq_can_see_why_a_price_is_what_it_is_in_a_store(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    _, sku_id = shirt(client, world)
    post(client, world, "/offers", {"sku_id": sku_id, "price": 39900, "compare_at_price": 45900})
    post(client, world, "/offers", {"sku_id": sku_id, "channel": "livestream", "price": 31900})
    region_offer = post(
        client,
        world,
        "/offers",
        {"sku_id": sku_id, "region_id": world.east.id, "price": 29900},
        who="east_manager",
    )
    response = client.get(
        f"/api/v1/stores/{world.east_store.id}/catalog",
        params={"channel": "pos"},
        headers=world.headers("east_guide"),
    )
    assert response.status_code == 200, response.text
    [item] = response.json()["items"]
    assert item["fields"]["price"] == {
        "value": 29900,
        "source": {
            "level": "region",
            "offer_id": region_offer["id"],
            "channel": None,
            "region_id": world.east.id,
            "store_id": None,
        },
    }
    assert item["fields"]["compare_at_price"]["value"] == 45900
    assert item["fields"]["title"]["source"]["level"] == "product"
    assert (item["sku_code"], item["currency"], item["sellable"]) == ("LINEN-M", "CNY", True)
    live = client.get(
        f"/api/v1/stores/{world.west_store.id}/catalog",
        params={"channel": "livestream"},
        headers=world.headers("admin"),
    )
    assert live.json()["items"][0]["fields"]["price"]["source"]["level"] == "channel"


def test_a_store_manager_sets_their_own_stores_price_only(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    _, sku_id = shirt(client, world)
    headers = world.headers("east_store_manager")
    own = client.post(
        "/api/v1/offers",
        headers=headers,
        json={"sku_id": sku_id, "store_id": world.east_store.id, "channel": "pos", "price": 100},
    )
    other = client.post(
        "/api/v1/offers",
        headers=headers,
        json={"sku_id": sku_id, "store_id": world.west_store.id, "price": 100},
    )
    brand_wide = client.post("/api/v1/offers", headers=headers, json={"sku_id": sku_id, "price": 1})
    guide = client.post(
        "/api/v1/offers",
        headers=world.headers("east_guide"),
        json={"sku_id": sku_id, "store_id": world.east_store.id, "price": 100},
    )
    assert own.status_code == 201, own.text
    assert (other.status_code, other.json()["code"]) == (404, "store_not_found")
    assert (brand_wide.status_code, brand_wide.json()["code"]) == (403, "permission_denied")
    assert (guide.status_code, guide.json()["code"]) == (403, "permission_denied")


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"price": -1}, 422, "invalid_input"),
        ({"price": 12.5}, 422, "invalid_input"),
        ({"price": "100"}, 422, "invalid_input"),
        ({"per_order_limit": 0}, 422, "invalid_input"),
        ({"per_order_limit": 1.5}, 422, "invalid_input"),
        ({"price": 100, "currency": "USD"}, 422, "currency_mismatch"),
        ({"price": 100, "compare_at_price": 99}, 422, "invalid_price"),
        ({"channel": "teleshop"}, 422, "invalid_input"),
        ({"sku_id": 999_999}, 404, "sku_not_found"),
        ({"region_id": "east", "store_id": "east_store"}, 422, "invalid_input"),
    ],
)
def test_bad_offers_get_a_clear_4xx_with_a_code_and_nothing_is_written(
    client: TestClient, database: Database, fields: dict[str, Any], status: int, code: str
) -> None:
    world = builders.brand_world(database)
    _, sku_id = shirt(client, world)
    ids = {"east": world.east.id, "east_store": world.east_store.id}
    body = {"sku_id": sku_id} | {
        k: ids.get(v, v) if isinstance(v, str) else v for k, v in fields.items()
    }
    response = client.post("/api/v1/offers", json=body, headers=world.headers("admin"))
    assert (response.status_code, response.json()["code"]) == (status, code)
    listed = client.get("/api/v1/offers", headers=world.headers("admin"))
    assert listed.json()["items"] == []


def test_an_offer_for_another_brands_store_is_not_found(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    other = builders.brand_world(database)
    _, sku_id = shirt(client, world)
    response = client.post(
        "/api/v1/offers",
        headers=world.headers("admin"),
        json={"sku_id": sku_id, "store_id": other.east_store.id, "price": 1},
    )
    assert (response.status_code, response.json()["code"]) == (404, "store_not_found")


def upload(client: TestClient, world: builders.BrandWorld, content: bytes, **form: str) -> Any:
    return client.post(
        "/api/v1/catalog/imports",
        files={"file": (form.pop("name", "offers.csv"), content, "text/csv")},
        data={"kind": "offers", **form},
        headers=world.headers("admin"),
    )


def test_an_import_with_a_bad_row_is_rejected_whole_with_line_numbers(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    shirt(client, world)
    content = (
        f"sku_code,store_code,price\nLINEN-M,{world.east_store.code},100\nNOPE,,100\nLINEN-M,,-3\n"
    ).encode()
    rejected = upload(client, world, content)
    assert rejected.status_code == 422
    assert rejected.json()["code"] == "import_rejected"
    report = rejected.json()["report"]
    assert [(e["line"], e["code"]) for e in report["errors"]] == [
        (3, "unknown_sku"),
        (4, "invalid_price"),
    ]
    assert report["applied"] is False
    assert client.get("/api/v1/offers", headers=world.headers("admin")).json()["items"] == []
    partial = upload(client, world, content, mode="apply_valid")
    assert partial.status_code == 200, partial.text
    assert (partial.json()["created"], len(partial.json()["errors"])) == (1, 2)
    offers = client.get("/api/v1/offers", headers=world.headers("admin")).json()["items"]
    assert [(o["level"], o["price"]) for o in offers] == [("store", 100)]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"sku_code,price\nLINEN-M,\xe4\xb8\n", "bad_encoding"),
        (b"price,channel\n100,pos\n", "missing_column"),
        (b"sku_code,prize\nLINEN-M,100\n", "unknown_column"),
        (b"", "invalid_file"),
    ],
)
def test_a_broken_file_is_refused_with_a_code(
    client: TestClient, database: Database, content: bytes, code: str
) -> None:
    world = builders.brand_world(database)
    response = upload(client, world, content)
    assert (response.status_code, response.json()["code"]) == (422, code)


def test_json_import_and_csv_export(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    shirt(client, world)
    items = b'[{"sku_code": "LINEN-M", "channel": "pos", "price": 8800, "available": false}]'
    imported = upload(client, world, items, name="offers.json")
    assert (imported.status_code, imported.json()["created"]) == (200, 1)
    exported = client.get(
        "/api/v1/catalog/exports", params={"kind": "offers"}, headers=world.headers("admin")
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0].startswith("sku_code,channel,region_code,store_code,currency,price")
    assert lines[1] == "LINEN-M,pos,,,CNY,8800,,,,,,false,"


def test_another_brand_cannot_import_into_or_export_a_brand(
    client: TestClient, database: Database
) -> None:
    victim = builders.brand_world(database)
    attacker = builders.brand_world(database)
    brand_id = str(victim.brand.id)
    imported = upload(client, attacker, b"sku_code,price\nX,1\n", brand_id=brand_id)
    exported = client.get(
        "/api/v1/catalog/exports",
        headers=attacker.headers("admin"),
        params={"kind": "skus", "brand_id": brand_id},
    )
    assert (imported.status_code, imported.json()["code"]) == (404, "not_found")
    assert (exported.status_code, exported.json()["code"]) == (404, "not_found")


def test_products_list_filters_and_paginates(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    shirt(client, world)
    for n in range(3):
        post(client, world, "/products", {"code": f"CAP{n}", "title": f"Cap {n}"})
    headers = world.headers("east_guide")
    first = client.get("/api/v1/products", params={"limit": 2, "q": "cap"}, headers=headers)
    second = client.get(
        "/api/v1/products",
        headers=headers,
        params={"limit": 2, "q": "cap", "cursor": first.json()["next_cursor"]},
    )
    codes = [p["code"] for p in first.json()["items"] + second.json()["items"]]
    assert codes == ["CAP0", "CAP1", "CAP2"]
    assert second.json()["next_cursor"] is None


def test_unsellable_skus_are_flagged_and_can_be_filtered_out(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    product_id, priced = shirt(client, world)
    unpriced = post(client, world, f"/products/{product_id}/skus", {"code": "LINEN-L"})["id"]
    post(client, world, "/offers", {"sku_id": priced, "price": 100})
    url = f"/api/v1/stores/{world.east_store.id}/catalog"
    headers = world.headers("admin")
    everything = client.get(url, params={"channel": "online"}, headers=headers).json()["items"]
    sellable = client.get(url, params={"channel": "online", "sellable_only": True}, headers=headers)
    assert [(i["sku_id"], i["sellable"]) for i in everything] == [(priced, True), (unpriced, False)]
    assert [i["sku_id"] for i in sellable.json()["items"]] == [priced]


def test_product_and_category_management_over_http(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    product_id, sku_id = shirt(client, world)
    headers = world.headers("admin")
    category_id = client.get(f"/api/v1/products/{product_id}", headers=headers).json()[
        "category_id"
    ]
    busy = client.delete(f"/api/v1/categories/{category_id}", headers=headers)
    renamed = client.patch(
        f"/api/v1/products/{product_id}", json={"title": "Linen shirt II"}, headers=headers
    )
    other_product = post(client, world, "/products", {"code": "CAP", "title": "Cap"})
    misplaced = client.get(f"/api/v1/products/{other_product['id']}/skus/{sku_id}", headers=headers)
    skus = client.get(f"/api/v1/products/{product_id}/skus", headers=headers).json()["items"]
    assert (busy.status_code, busy.json()["code"]) == (409, "category_not_empty")
    assert renamed.json()["title"] == "Linen shirt II"
    assert (misplaced.status_code, misplaced.json()["code"]) == (404, "sku_not_found")
    assert [(s["code"], s["attributes"]) for s in skus] == [("LINEN-M", {"size": "M"})]
