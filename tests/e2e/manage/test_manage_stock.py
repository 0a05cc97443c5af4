"""Adjusting and transferring stock from the console, through the inventory service."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import shop_builders
from tests.e2e.manage.manage_support import audit_actions, field_error
from tests.e2e.pages_support import login, post_form
from tests.order_builders import level

from newretail.db import Database
from newretail.inventory.models import StockMovement

pytestmark = pytest.mark.sqlite_only


def _journal(database: Database) -> list[tuple[str, int, str, int | None]]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(
                StockMovement.kind,
                StockMovement.quantity,
                StockMovement.note,
                StockMovement.actor_id,
            ).order_by(StockMovement.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _adjust(shop: shop_builders.Shop, **fields: str) -> dict[str, str]:
    return {
        "store_id": str(shop.world.east_store.id),
        "sku": shop.black.code,
        "delta": "-2",
        "reason": "破损",
        **fields,
    }


def test_a_store_manager_takes_damaged_units_away_with_a_reason(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)

    done = post_form(client, "/console/stock/adjust", _adjust(shop))
    stock = client.get(done.headers["location"]).text
    movements = client.get(f"/console/stock/movements?sku={shop.black.id}").text

    assert done.status_code == 303
    assert level(database, shop.world.east_store.id, shop.black.id) == (3, 0)
    assert _journal(database)[-1] == ("adjustment", -2, "破损", shop.world.east_store_manager.id)
    assert "库存变动 -2，现在在库 3。" in stock
    kinds = re.findall(r'data-kind="([a-z_]+)"', movements)
    assert kinds == ["adjustment", "receipt"]
    assert audit_actions(database, "stock_location") == ["stock.adjustment"]


def test_an_adjustment_below_zero_is_refused_with_what_is_left(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)
    before = _journal(database)

    refused = post_form(client, "/console/stock/adjust", _adjust(shop, delta="-6"))

    assert refused.status_code == 409
    assert field_error(refused.text, "delta") == "这里只有 5 件可用：库存不能低于零。"
    assert 'value="-6"' in refused.text
    assert level(database, shop.world.east_store.id, shop.black.id) == (5, 0)
    assert _journal(database) == before


def test_an_adjustment_needs_a_reason_a_known_sku_and_a_whole_number(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)
    before = _journal(database)

    refused = post_form(
        client, "/console/stock/adjust", _adjust(shop, reason=" ", sku="NO-SUCH", delta="1.5")
    )

    assert refused.status_code == 422
    assert field_error(refused.text, "reason") == "此项为必填项。"
    assert field_error(refused.text, "sku") == "本品牌没有这个编码的 SKU。"
    assert field_error(refused.text, "delta") == "请填写整数。"
    assert _journal(database) == before


def test_a_store_manager_cannot_adjust_another_stores_stock(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)
    before = _journal(database)

    refused = post_form(
        client,
        "/console/stock/adjust",
        _adjust(shop, store_id=str(shop.world.west_store.id), sku=shop.white.code, delta="5"),
    )

    assert refused.status_code == 404
    assert field_error(refused.text, "store_id") == "未找到该门店。"
    assert _journal(database) == before


def test_a_brand_admin_transfers_units_between_two_stores(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.admin)

    done = post_form(
        client,
        "/console/stock/transfer",
        {
            "from_store_id": str(shop.world.west_store.id),
            "to_store_id": str(shop.world.east_store.id),
            "sku": shop.white.code,
            "quantity": "2",
            "reason": "门店间调货",
        },
    )

    assert done.status_code == 303
    assert level(database, shop.world.west_store.id, shop.white.id) == (1, 0)
    assert level(database, shop.world.east_store.id, shop.white.id) == (2, 0)
    assert audit_actions(database, "stock_transfer") == ["stock.transferred"]
    # both legs in lock order: the east store was made first, so it has the lower id
    assert sorted(row[:3] for row in _journal(database)[-2:]) == [
        ("transfer_in", 2, "门店间调货"),
        ("transfer_out", -2, "门店间调货"),
    ]


def test_a_transfer_of_more_than_is_available_moves_nothing(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.admin)
    before = _journal(database)

    refused = post_form(
        client,
        "/console/stock/transfer",
        {
            "from_store_id": str(shop.world.west_store.id),
            "to_store_id": str(shop.world.east_store.id),
            "sku": shop.white.code,
            "quantity": "4",
            "reason": "门店间调货",
        },
    )

    assert refused.status_code == 409
    assert field_error(refused.text, "quantity") == "这里只有 3 件可用：库存不能低于零。"
    assert _journal(database) == before
