"""The console's catalog and stock screens: what each role sees, with the rule behind a price."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import shop_builders
from tests.e2e.pages_support import login
from tests.passwords import cheap_hashing

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def shop(database: object) -> shop_builders.Shop:
    return shop_builders.shop(database)  # type: ignore[arg-type]


def test_the_product_list_filters_by_category_and_search(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    login(client, shop.world.admin)

    by_category = client.get(f"/console/products?category={shop.shoes.id}").text
    by_search = client.get("/console/products?q=nothing-like-this&category=").text

    assert f'data-product="{shop.product.code}"' in by_category
    assert f'data-product="{shop.product.code}"' not in by_search
    assert 'href="/console/products"' in by_category


def test_the_product_page_lists_its_skus_with_barcodes_and_brand_price(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    login(client, shop.world.admin)

    page = client.get(f"/console/products/{shop.product.id}").text

    assert f'data-sku="{shop.black.code}"' in page
    assert f'data-sku="{shop.white.code}"' in page
    assert "¥899.00" in page


def test_store_prices_name_the_rule_each_price_came_from(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    login(client, shop.world.admin)

    page = client.get(f"/console/offers?store={shop.world.east_store.id}&channel=pos").text

    black_row = page.split(f'data-sku="{shop.black.code}"')[1].split("</tr>")[0]
    white_row = page.split(f'data-sku="{shop.white.code}"')[1].split("</tr>")[0]
    assert "¥799.00" in black_row and "source--store" in black_row
    assert "¥899.00" in white_row and "source--brand" in white_row


def test_stock_shows_on_hand_reserved_and_available_with_movements(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    login(client, shop.world.east_store_manager)

    stock = client.get("/console/stock").text
    movements = client.get(f"/console/stock/movements?sku={shop.black.id}").text

    row = stock.split(f'data-sku="{shop.black.code}"')[1].split("</tr>")[0]
    assert '<td data-label="在库" class="num" data-testid="on-hand">5</td>' in row
    assert 'data-kind="receipt"' in movements and "+5" in movements


def test_a_store_manager_cannot_open_another_stores_stock(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    login(client, shop.world.east_store_manager)

    page = client.get(f"/console/stock?store={shop.world.west_store.id}").text

    assert f'data-sku="{shop.white.code}"' not in page
    assert f'data-sku="{shop.black.code}"' in page


def test_another_brands_product_is_not_found_in_the_console(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    login(client, shop.world.admin)

    page = client.get(f"/console/products/{shop.other_brand_product.id}")

    assert page.status_code == 404
    assert "别家商品" not in page.text


def test_the_console_navigation_links_the_new_screens(
    client: TestClient, shop: shop_builders.Shop
) -> None:
    login(client, shop.world.admin)

    page = client.get("/console").text

    for path in ("/console/products", "/console/offers", "/console/stock"):
        assert f'href="{path}"' in page
