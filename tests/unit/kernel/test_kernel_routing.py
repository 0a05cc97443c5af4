"""Included routers asked only about paths their routes could take (``prefilter_routers``):
the same answers as without, routes added later included until a served app's routes are
built (``build_routes``), after which the prefilters read nothing more."""

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Match

from newretail.kernel.http import _leading, _Prefilter, build_routes, prefilter_routers


def test_a_paths_leading_segments_stop_at_its_first_parameter() -> None:
    assert _leading("/api/v1/orders/{order_id}/pay") == ("api", "v1", "orders")
    assert _leading("/api/v1/orders") == ("api", "v1", "orders")
    assert _leading("/s/{store_code}") == ("s",)
    assert _leading("/files/x-{name}") == ("files",)
    assert _leading("/") == ()


def _app() -> tuple[FastAPI, APIRouter]:
    orders = APIRouter()

    @orders.get("/orders/{order_id}")
    def order(order_id: int) -> dict[str, int]:
        return {"order": order_id}

    @orders.post("/orders/{order_id}/pay")
    def pay(order_id: int) -> dict[str, int]:
        return {"paid": order_id}

    stores = APIRouter()

    @stores.get("/stores/{store_id}")
    def store(store_id: int) -> dict[str, int]:
        return {"store": store_id}

    pages = APIRouter()

    @pages.get("/{anything}")
    def page(anything: str) -> dict[str, str]:
        return {"page": anything}

    app = FastAPI()
    app.include_router(orders, prefix="/api/v1")
    app.include_router(stores, prefix="/api/v1")
    app.include_router(pages)
    prefilter_routers(app)
    return app, orders


def test_each_path_gets_the_answer_it_got_without_the_prefilter() -> None:
    app, _ = _app()
    client = TestClient(app)
    assert client.get("/api/v1/orders/7").json() == {"order": 7}
    assert client.post("/api/v1/orders/7/pay").json() == {"paid": 7}
    assert client.get("/api/v1/stores/3").json() == {"store": 3}
    assert client.get("/welcome").json() == {"page": "welcome"}
    assert client.get("/api/v1/orders/7/pay").status_code == 405
    assert client.get("/api/v1/customers/7").status_code == 404


def test_a_router_is_not_asked_about_a_path_none_of_its_routes_begins_like() -> None:
    app, _ = _app()
    orders, stores, pages = (r.matches for r in app.router.routes[-3:])
    scope = {"type": "http", "method": "GET", "path": "/api/v1/stores/3", "root_path": ""}
    assert all(isinstance(m, _Prefilter) for m in (orders, stores, pages))
    assert orders(dict(scope))[0] is Match.NONE
    assert stores(dict(scope))[0] is Match.FULL


def test_a_route_added_to_a_router_later_is_found() -> None:
    app, orders = _app()
    client = TestClient(app)
    assert client.get("/api/v1/receipts/7").status_code == 404

    @orders.get("/receipts/{order_id}")
    def receipt(order_id: int) -> dict[str, int]:
        return {"receipt": order_id}

    assert client.get("/api/v1/receipts/7").json() == {"receipt": 7}


def test_once_the_routes_are_built_a_router_is_passed_over_without_reading_its_routes(
    monkeypatch: Any,
) -> None:
    app, orders = _app()
    build_routes(app)

    def walked() -> int:
        raise AssertionError("a router that takes none of these paths was read again")

    monkeypatch.setattr(orders, "_get_routes_version", walked)
    client = TestClient(app)
    assert client.get("/api/v1/stores/3").json() == {"store": 3}
    assert client.get("/welcome").json() == {"page": "welcome"}
