"""The price screen: setting prices at each level, the rule that wins shown, bad amounts refused."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import shop_builders
from tests.e2e.manage.manage_support import audit_actions, field_error
from tests.e2e.pages_support import login, post_form

from newretail.catalog.models import Offer
from newretail.db import Database

pytestmark = pytest.mark.sqlite_only


def _offers(database: Database) -> list[tuple[str | None, int | None, int | None, int | None]]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(Offer.channel, Offer.region_id, Offer.store_id, Offer.price).order_by(Offer.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _count(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(Offer)) or 0)


def _price_form(shop: shop_builders.Shop, **fields: str) -> dict[str, str]:
    return {
        "sku": str(shop.white.id),
        "level": "store_channel",
        "store_id": str(shop.world.east_store.id),
        "channel": "cloud_store",
        "view_store": str(shop.world.east_store.id),
        "view_channel": "cloud_store",
        "price": "699",
        "compare_at": "",
        **fields,
    }


def _resolved(html: str) -> tuple[str, str]:
    price = re.search(r'data-testid="resolved-price">([^<]+)<', html)
    level = re.search(r'data-testid="resolved-source" data-level="([^"]*)"', html)
    assert price is not None and level is not None
    return price.group(1), level.group(1)


def test_a_store_manager_prices_their_store_in_one_channel_and_sees_the_rule_win(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)
    before = client.get(f"/console/prices?sku={shop.white.id}&channel=cloud_store").text

    saved = post_form(client, "/console/prices", _price_form(shop, price="699.50"))
    after = client.get(saved.headers["location"]).text
    till = client.get(f"/console/prices?sku={shop.white.id}&channel=pos").text

    assert _resolved(before) == ("¥899.00", "brand")
    assert saved.status_code == 303
    assert _resolved(after) == ("¥699.50", "store_channel")
    assert _resolved(till) == ("¥899.00", "brand")
    assert "价格规则已保存：门店+渠道。" in after
    assert audit_actions(database, "offer")[-1] == "offer.created"


def test_a_region_price_applies_to_the_regions_stores_and_names_its_source(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.admin)

    post_form(
        client,
        "/console/prices",
        _price_form(shop, level="region", region_id=str(shop.world.east.id), price="850"),
    )
    east = client.get(f"/console/prices?sku={shop.white.id}&store={shop.world.east_store.id}").text
    west = client.get(f"/console/prices?sku={shop.white.id}&store={shop.world.west_store.id}").text
    offers = client.get(f"/console/offers?store={shop.world.east_store.id}").text

    assert _resolved(east) == ("¥850.00", "region")
    assert _resolved(west) == ("¥899.00", "brand")
    white_row = offers.split(f'data-sku="{shop.white.code}"')[1].split("</tr>")[0]
    assert "¥850.00" in white_row and "source--region" in white_row


def test_setting_a_level_again_changes_its_rule_instead_of_adding_one(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.admin)
    before = _count(database)

    post_form(client, "/console/prices", _price_form(shop, level="brand", price="888"))

    assert _count(database) == before
    assert (None, None, None, 88800) in _offers(database)


def test_removing_a_price_falls_back_to_the_next_rule(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)
    page = client.get(f"/console/prices?sku={shop.black.id}&store={shop.world.east_store.id}").text
    store_rule = re.search(r'data-rule="(\d+)" data-level="store"', page)
    assert store_rule is not None

    cleared = post_form(
        client,
        "/console/prices/clear",
        {"offer": store_rule.group(1), "view_store": str(shop.world.east_store.id)},
    )
    after = client.get(cleared.headers["location"]).text

    assert _resolved(page) == ("¥799.00", "store")
    assert _resolved(after) == ("¥899.00", "brand")
    assert f'data-rule="{store_rule.group(1)}"' not in after


def test_more_than_two_decimals_is_refused_on_the_form_and_nothing_is_saved(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)
    before = _offers(database)

    refused = post_form(client, "/console/prices", _price_form(shop, price="699.999"))

    assert refused.status_code == 422
    assert field_error(refused.text, "price") == "最多两位小数（精确到分）。"
    assert 'value="699.999"' in refused.text
    assert _offers(database) == before


def test_a_negative_price_is_refused_on_the_form_and_nothing_is_saved(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)
    before = _offers(database)

    refused = post_form(client, "/console/prices", _price_form(shop, price="-1"))
    compare = post_form(client, "/console/prices", _price_form(shop, compare_at="-0.01"))

    assert (refused.status_code, compare.status_code) == (422, 422)
    assert field_error(refused.text, "price") == "金额不能为负。"
    assert field_error(compare.text, "compare_at") == "金额不能为负。"
    assert _offers(database) == before


def test_a_was_price_below_the_price_is_refused_by_the_catalog(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)
    before = _offers(database)

    refused = post_form(client, "/console/prices", _price_form(shop, price="699", compare_at="599"))

    assert refused.status_code == 422
    assert field_error(refused.text, "compare_at") == "价格不能为负，划线价不能低于售价。"
    assert _offers(database) == before


def test_a_store_manager_may_not_set_the_brand_default(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)
    before = _offers(database)

    refused = post_form(client, "/console/prices", _price_form(shop, level="brand"))
    other_store = post_form(
        client,
        "/console/prices",
        _price_form(shop, level="store", store_id=str(shop.world.west_store.id)),
    )

    assert (refused.status_code, other_store.status_code) == (403, 404)
    assert "您的角色无权执行此操作。" in refused.text
    assert field_error(other_store.text, "store_id") == "未找到该门店。"
    assert _offers(database) == before


def test_a_cashier_sees_the_rules_but_no_form_to_change_them(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_cashier)

    page = client.get(f"/console/prices?sku={shop.white.id}")
    refused = post_form(client, "/console/prices", _price_form(shop))

    assert page.status_code == 200 and 'data-testid="rules"' in page.text
    assert 'data-testid="price-form"' not in page.text
    assert refused.status_code == 403
