"""The cloud store pages: public, in the store's prices, keeping a guide's ``ref`` on links."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import shop_builders
from tests.passwords import cheap_hashing

from newretail.db import Database

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def shop(database: Database) -> shop_builders.Shop:
    return shop_builders.shop(database)


def test_the_home_page_shows_the_store_and_its_categories(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    page = client.get(f"/s/{shop.east_code}", headers={"accept-language": "zh-CN"})

    assert page.status_code == 200
    assert shop.world.east_store.name in page.text
    assert 'data-testid="open-now"' in page.text
    assert f'href="/s/{shop.east_code}/c/{shop.shoes.id}"' in page.text


def test_the_product_page_shows_this_stores_price_and_stock(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    page = client.get(
        f"/s/{shop.east_code}/p/{shop.product.id}", headers={"accept-language": "zh-CN"}
    )

    assert page.status_code == 200
    assert "¥799.00" in page.text
    assert "¥999.00" in page.text
    assert "本店有货 5 件" in page.text


def test_a_sku_sold_out_here_shows_the_store_it_can_come_from(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    page = client.get(
        f"/s/{shop.east_code}/p/{shop.product.id}?sku={shop.white.id}",
        headers={"accept-language": "en"},
    )

    assert "Sold out here" in page.text
    assert 'data-testid="elsewhere"' in page.text
    assert shop.world.west_store.name in page.text
    assert "CN¥899.00" in page.text


def test_the_category_page_lists_products_of_its_subtree(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    page = client.get(f"/s/{shop.east_code}/c/{shop.shoes.id}")

    assert page.status_code == 200
    assert f'data-product="{shop.product.id}"' in page.text
    assert shop.running.name in page.text


def test_ref_is_kept_on_every_link_inside_the_cloud_store(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    page = client.get(f"/s/{shop.east_code}/c/{shop.shoes.id}?ref=G-42.abc")

    links = re.findall(r'href="(/s/[^"]+)"', page.text)
    assert links and all("ref=G-42.abc" in link for link in links)


def test_a_ref_that_is_not_a_token_is_dropped(client: TestClient, shop: shop_builders.Shop) -> None:
    page = client.get(f"/s/{shop.east_code}?ref=%3Cscript%3E")

    links = re.findall(r'href="(/s/[^"]+)"', page.text)
    assert page.status_code == 200
    assert links and not any("ref=" in link for link in links)


def test_another_brands_product_is_not_found_in_this_store(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    page = client.get(f"/s/{shop.east_code}/p/{shop.other_brand_product.id}")

    assert page.status_code == 404
    assert "别家商品" not in page.text


def test_an_unknown_store_is_a_404_page(client: TestClient, shop: shop_builders.Shop) -> None:
    page = client.get("/s/NOPE.NOPE")

    assert page.status_code == 404
    assert "<html" in page.text
