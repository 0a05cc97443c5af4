"""No GET writes: every GET route, API and pages, runs on a transaction the database keeps
read-only, and nothing it does tries to write.

The walk finds the routes in the app itself, so a new GET route is covered the day it is
added (one whose path parameter is unknown here is reported). It calls each route as
staff, a guide, a consumer with orders and a deposit of their own, and nobody, in a small
world with a bit of everything; while a call runs, any writable transaction begun or any
database error (such as the database refusing a write) is a finding, as is a 5xx.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from starlette.routing import Route
from tests import (
    member_builders,
    order_builders,
    presale_builders,
    promotion_builders,
    route_reuse,
    tenancy,
)
from tests.order_builders import Shop

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import READ_ONLY, Database
from newretail.members import service as members_service
from newretail.members.schemas import AddressFields
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.presales import service as presales_service
from newretail.presales.schemas import DepositCreate
from newretail.web import security
from newretail.web.pages import SESSION_COOKIE
from newretail.web.shop_orders import SHOPPER_COOKIE

pytestmark = pytest.mark.slow
PARAM = re.compile(r"{(\w+)(?::\w+)?}")
WRITABLE = "began a writable transaction"
# GETs that record what they are: a QR code can only be opened with a GET, and the scan it
# records is the event itself (analytics, not a change the caller asked for). Each must
# still write in one transaction of its own and nowhere else.
RECORDING_GETS = {"/c/{code}"}


# ---- the routes -----------------------------------------------------------------------


def get_routes(app: FastAPI) -> list[str]:
    """Every GET path the app serves, pages and API alike."""
    found = sorted(
        {
            path
            for path, route in route_reuse.served_routes(app.routes)
            if isinstance(route, Route) and route.methods and "GET" in route.methods
        }
    )
    published = {path for path, operations in app.openapi()["paths"].items() if "get" in operations}
    assert published <= set(found), f"the route walk missed {published - set(found)}"
    return found


# ---- the world ------------------------------------------------------------------------


@dataclass
class World:
    shop: Shop
    consumer_id: int
    params: dict[str, int | str] = field(default_factory=dict)
    consumer_params: dict[str, int | str] = field(default_factory=dict)

    def queries(self, route: str) -> dict[str, str]:
        """Query parameters a route requires, so that the call reaches its service."""
        required = {
            "/api/v1/stores/nearby": {"lat": "31.23", "lng": "121.47", "radius_km": "50"},
            "/console/codes/sheet": {"store": str(self.shop.store_id)},
            "/s/{store_code}/presale/{presale_id}/deposit": {"sku": str(self.shop.skus[0])},
            "/api/v1/consumers/me/addresses": {"brand_id": str(self.shop.world.brand.id)},
        }
        return {**tenancy.ATTACK_QUERIES.get(("GET", route), {}), **required.get(route, {})}


def _consumer_order(database: Database, shop: Shop, consumer_id: int) -> int:
    scope = presale_builders.consumer_scope(consumer_id)
    data = OrderCreate.model_validate(order_builders.order_body(shop))
    with database.transaction() as session:
        order = orders_service.create_order(session=session, scope=scope, data=data)
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        return order.id


def _unfollowed_deposit(database: Database, shop: Shop, consumer_id: int) -> tuple[int, int]:
    """A paid deposit whose status has not followed its order yet: reading must not move it."""
    presale_id = presale_builders.presale(database, shop)
    scope = presale_builders.consumer_scope(consumer_id)
    data = DepositCreate(store_id=shop.store_id, sku_id=shop.skus[0])
    with database.transaction() as session:
        deposit, order = presales_service.place_deposit(
            session=session, scope=scope, presale_id=presale_id, data=data
        )
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        return presale_id, deposit.id


def _own_address(database: Database, shop: Shop, consumer_id: int) -> int:
    scope = presale_builders.consumer_scope(consumer_id)
    data = AddressFields(
        recipient="Li Lei",
        phone="13912340001",
        region="Shanghai",
        city="Shanghai",
        district="Huangpu",
        line="1 Nanjing Road",
    )
    with database.transaction() as session:
        address = members_service.add_address(
            session=session, scope=scope, brand_id=shop.world.brand.id, data=data
        )
        return address.id


def world(database: Database) -> World:
    shop = order_builders.shop(database)
    member_id = member_builders.member(database, shop.world)
    consumer_id = member_builders.consumer_of(database, member_id)
    victim = tenancy.Victim(world=shop.world, database=database)
    params = {name: make(victim) for name, make in tenancy.VICTIM_PARAMS.items()}
    brand, store = shop.world.brand, shop.world.east_store
    params["store_code"] = f"{brand.code}.{store.code}"
    params["district_id"] = 1
    params["key"] = "seed_funnel"  # a standard analytics report
    params["name"] = "no-such-image.png"  # an uploaded file's name under the media URL
    template_id = promotion_builders.template(database, shop)
    params["coupon_id"] = promotion_builders.claim(database, member_id, template_id)
    order_id = _consumer_order(database, shop, consumer_id)
    presale_id, deposit_id = _unfollowed_deposit(database, shop, consumer_id)
    mine = {
        "address_id": _own_address(database, shop, consumer_id),
        "order_id": order_id,
        "presale_id": presale_id,
        "deposit_id": deposit_id,
        "member_id": member_id,
        "product_id": params["product_id"],
    }
    return World(shop, consumer_id, params, {**params, **mine})


# ---- the callers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str]
    cookies: dict[str, str]
    params: Callable[[World], dict[str, int | str]]


def callers(w: World, settings: Settings) -> list[Caller]:
    staff = w.shop.world
    shopper = security.sign(settings.secret_key, "shopper", {"consumer_id": w.consumer_id})

    def as_staff(who: str) -> Caller:
        token = staff.token(who)
        return Caller(
            who,
            {"Authorization": f"Bearer {token}"},
            {SESSION_COOKIE: token},
            lambda world: world.params,
        )

    return [
        as_staff("admin"),
        as_staff("east_guide"),
        Caller(
            "consumer",
            w.shop.consumer_headers(w.consumer_id),
            {SHOPPER_COOKIE: shopper},
            lambda world: world.consumer_params,
        ),
        Caller("nobody", {}, {}, lambda world: world.params),
    ]


# ---- watching the database ------------------------------------------------------------


@dataclass
class Watch:
    """What the database saw while a GET ran: writable transactions begun, errors."""

    active: bool = False
    findings: list[str] = field(default_factory=list)

    def attach(self, database: Database) -> None:
        @event.listens_for(database.engine, "begin")
        def _begin(conn: Any) -> None:
            if self.active and not conn.get_execution_options().get(READ_ONLY, False):
                self.findings.append(WRITABLE)

        @event.listens_for(database.engine, "handle_error")
        def _error(context: Any) -> None:
            if self.active:
                self.findings.append(f"database error: {context.original_exception}")


def _call(
    client: TestClient, watch: Watch, route: str, path: str, caller: Caller, query: dict[str, str]
) -> list[str]:
    client.cookies.clear()
    for name, value in caller.cookies.items():
        client.cookies.set(name, value)
    watch.findings.clear()
    watch.active = True
    try:
        response = client.get(path, headers=caller.headers, params=query, follow_redirects=False)
    finally:
        watch.active = False
    findings = list(watch.findings)
    if route in RECORDING_GETS and WRITABLE in findings:
        findings.remove(WRITABLE)
    if response.status_code >= 500:
        findings.append(f"answered {response.status_code}: {response.text[:200]}")
    return findings


def test_no_get_route_writes_whoever_calls_it(database: Database, settings: Settings) -> None:
    w = world(database)
    watch = Watch()
    watch.attach(database)
    app = create_app(settings, database)
    problems: list[str] = []
    called = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        routes = get_routes(app)
        everyone = callers(w, settings)
        for caller in everyone:
            values = caller.params(w)
            for route in routes:
                names = PARAM.findall(route)
                unknown = [name for name in names if name not in values]
                if unknown:
                    problems.append(f"GET {route}: no value for {unknown}")
                    continue
                plain = PARAM.sub(lambda m: "{" + m.group(1) + "}", route)
                path = plain.format(**{name: values[name] for name in names})
                called += 1
                problems.extend(
                    f"GET {route} as {caller.name}: {finding}"
                    for finding in _call(client, watch, route, path, caller, w.queries(route))
                )
    assert problems == []
    assert called == len(everyone) * len(routes)
