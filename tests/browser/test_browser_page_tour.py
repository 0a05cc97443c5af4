"""Every page, as each kind of user, at phone and desktop size, in Chinese: no layout fault,
no untranslated text, no chart left empty (the tour is ``page_tour.py``).

Set ``NEWRETAIL_PAGE_TOUR_OUT`` to a folder to keep a screenshot of every stop.
"""

import os
from pathlib import Path
from typing import Any

import pytest
from tests import builders, member_builders, promotion_builders
from tests.browser import page_tour
from tests.browser.live import App
from tests.e2e.manage.console_world import ConsoleWorld, console_world
from tests.presale_builders import consumer_scope

from newretail.auth import service as auth_service
from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.pos import service as pos_service
from newretail.pos.schemas import RegisterCreate
from newretail.web import security
from newretail.web.shop_shell import SHOPPER_COOKIE

pytestmark = pytest.mark.browser


def _guides_sale(database: Database, world: ConsoleWorld) -> None:
    """A paid cloud store order referred by the guide, so that every chart has a bar."""
    shop = world.shop
    buyer = consumer_scope(member_builders.consumer(database))
    body = {
        "store_id": shop.world.east_store.id,
        "channel": "cloud_store",
        "lines": [{"sku_id": shop.black.id, "quantity": 1}],
        "delivery": {"method": "pickup"},
        "referring_guide_id": shop.world.east_guide.id,
    }
    with database.transaction() as session:
        order = orders_service.create_order(
            session=session, scope=buyer, data=OrderCreate.model_validate(body)
        )
        payments_service.pay(session=session, scope=buyer, order_id=order.id, data=PaymentCreate())


def _till_open(database: Database, world: ConsoleWorld) -> None:
    """A register of the cashier's store with a shift open, so that the till shows its sale."""
    people = world.shop.world
    with database.transaction() as session:
        register = pos_service.create_register(
            session=session,
            scope=SYSTEM,
            data=RegisterCreate(store_id=people.east_store.id, code="R1", name="前台"),
        )
        cashier = auth_service.scope_for_staff(
            session=session, staff=session.merge(people.east_cashier)
        )
        pos_service.open_shift(
            session=session, scope=cashier, register_id=register.id, opening_float=50_000
        )


def _shopper(consumer_id: int, store: str, product_id: int) -> Any:
    """Signs in the consumer with the cookie the cloud store's sign-in sets; fills the cart."""
    value = security.sign(Settings().secret_key, "shopper", {"consumer_id": consumer_id})

    def sign_in(page: Any, base: str) -> None:
        page.context.add_cookies([{"name": SHOPPER_COOKIE, "value": value, "url": base}])
        page_tour.fill_cart(page, base, store, str(product_id))

    return sign_in


def test_every_page_at_both_widths_has_no_layout_fault_no_raw_text_and_no_empty_chart(
    browser: Any, app: App
) -> None:
    database = app.server.database
    world = console_world(database)
    _guides_sale(database, world)
    _till_open(database, world)
    package_id = promotion_builders.package(database, [world.template_id])
    people = world.shop.world
    ids = {
        **world.ids,
        "presale_id": str(world.presale_id),
        "brand_id": str(people.brand.id),
        "guide_member_id": str(world.member_id),
        "store": world.shop.east_code,
        "category_id": str(world.shop.running.id),
        "query": "跑鞋",
        "presale_sku_id": str(world.shop.black.id),
        "shop_order_id": str(world.credit_order_id),
        "package_id": str(package_id),
    }
    sign_in = {
        "hq": page_tour.staff_sign_in(people.admin.username, builders.PASSWORD),
        "region": page_tour.staff_sign_in(people.east_manager.username, builders.PASSWORD),
        "store": page_tour.staff_sign_in(people.east_store_manager.username, builders.PASSWORD),
        "admin": page_tour.staff_sign_in(
            app.platform_admin.username, builders.PASSWORD, "/console/brands"
        ),
        "guide": page_tour.staff_sign_in(people.east_guide.username, builders.PASSWORD, "/g"),
        "cashier": page_tour.staff_sign_in(people.east_cashier.username, builders.PASSWORD),
        "shopper": _shopper(
            member_builders.consumer_of(database, world.member_id),
            world.shop.east_code,
            world.shop.product.id,
        ),
    }
    out = os.environ.get("NEWRETAIL_PAGE_TOUR_OUT")
    tour = page_tour.Tour(browser, app.url, sign_in, Path(out) if out else None)
    plan = page_tour.stops(ids, page_tour.LISTS) + [
        (who, path) for who, path, _ in page_tour.ERRORS
    ]

    phone, desktop = page_tour.WIDTHS
    # The brand admin opens every console page at both widths; the other staff see the same
    # templates with other data, each at one width, to keep the run short.
    widths = {"region": (phone,), "store": (desktop,), "admin": (phone,)}

    tour.run(plan, {(who, path): status for who, path, status in page_tour.ERRORS}, widths)

    assert tour.report() == {}
    assert len(tour.visits) > 180
    assert len(plan) > 120


def test_the_tour_calls_a_chart_without_a_drawing_empty(browser: Any) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_content(
        '<section class="chart-card" data-testid="chart-stores"><p>暂无数据</p></section>'
        '<section class="chart-card" data-testid="chart-guides">'
        '<div data-chart="d" data-drawn="1"><canvas width="10" height="10"></canvas></div>'
        '<script type="application/json" id="d">{"values": [0, 0]}</script></section>'
    )

    found = page.evaluate(page_tour.CHARTS)
    context.close()

    assert found == ['chart-stores: no chart, only "暂无数据"', "chart-guides: blank canvas"]
