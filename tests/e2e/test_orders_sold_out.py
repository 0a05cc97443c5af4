"""Over HTTP: a buyer of a shelf this process just found sold out is turned away with the
database's own answer, without a statement; a refill through this process takes buyers again
at once, one through another process once the mark's time is up."""

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests import order_builders
from tests.passwords import cheap_hashing
from tests.statements import count_statements

from newretail.db import Database
from newretail.inventory import soldout
from newretail.inventory.soldout import SoldOutMarks
from newretail.payments import service as payments_service


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(database: Database) -> Clock:
    """The marks of this test's database in the app's process, on a clock the test moves."""
    clock = Clock()
    database.local[soldout.LOCAL] = SoldOutMarks(1.0, clock=clock)
    return clock


def _answer(response: Any) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["detail"]


def _sold_out_shop(
    client: TestClient, database: Database, prices: list[int]
) -> tuple[order_builders.Shop, dict[str, Any], dict[str, str]]:
    """A shop whose every SKU sold its one unit, and a purchase of them all turned away by
    the database (which marks the shelf)."""
    shop = order_builders.shop(database, prices=prices, stock=1)
    body = {**order_builders.order_body(shop), "payment": {"instruction": "succeed"}}
    first = shop.consumer_headers(order_builders.consumer(database))
    assert client.post("/api/v1/purchases", json=body, headers=first).status_code == 201
    return shop, body, shop.consumer_headers(order_builders.consumer(database))


def _marked_shop(
    client: TestClient, database: Database
) -> tuple[order_builders.Shop, dict[str, Any], dict[str, str]]:
    """``_sold_out_shop`` of one SKU, its shelf marked by the buyer the database refused."""
    shop, body, buyer = _sold_out_shop(client, database, [100])
    assert client.post("/api/v1/purchases", json=body, headers=buyer).status_code == 409
    return shop, body, buyer


@pytest.mark.parametrize("prices", [[100], [100, 200]], ids=["one SKU", "two SKUs"])
def test_a_buyer_after_a_refusal_is_turned_away_without_a_statement(
    client: TestClient, database: Database, clock: Clock, prices: list[int]
) -> None:
    shop, body, buyer = _sold_out_shop(client, database, prices)
    with count_statements(database) as read:
        refused = client.post("/api/v1/purchases", json=body, headers=buyer)
    with count_statements(database) as purchase:
        again = client.post("/api/v1/purchases", json=body, headers=buyer)
    with count_statements(database) as checkout:
        order = client.post("/api/v1/orders", json=order_builders.order_body(shop), headers=buyer)
    assert _answer(refused)[:2] == (409, "insufficient_stock")
    assert _answer(again) == _answer(order) == _answer(refused)
    assert read and (purchase, checkout) == ([], [])


def test_a_request_with_an_idempotency_key_asks_the_database(
    client: TestClient, database: Database, clock: Clock
) -> None:
    """Its first answer may have been a sale, which only the database knows."""
    _, body, buyer = _sold_out_shop(client, database, [100])
    refused = client.post("/api/v1/purchases", json=body, headers=buyer)
    keyed = {**buyer, "Idempotency-Key": "retry-1"}
    with count_statements(database) as statements:
        answer = client.post("/api/v1/purchases", json=body, headers=keyed)
    assert _answer(answer) == _answer(refused)
    assert statements


def test_a_buyer_asking_for_what_is_left_is_not_turned_away(
    client: TestClient, database: Database, clock: Clock
) -> None:
    """A mark keeps the units its read found: only a buyer asking for more is refused."""
    shop = order_builders.shop(database, prices=[100], stock=2)
    body = {**order_builders.order_body(shop), "payment": {"instruction": "succeed"}}
    many = {**body, "lines": [{"sku_id": shop.skus[0], "quantity": 3}]}
    buyer = shop.consumer_headers(order_builders.consumer(database))
    assert _answer(client.post("/api/v1/purchases", json=many, headers=buyer))[0] == 409
    with count_statements(database) as statements:
        bought = client.post("/api/v1/purchases", json=body, headers=buyer)
    assert bought.status_code == 201, bought.text
    assert statements


def test_a_refill_through_this_process_takes_buyers_at_once(
    client: TestClient, database: Database, clock: Clock
) -> None:
    shop, body, buyer = _marked_shop(client, database)
    order_builders.receive(database, shop.store_id, shop.skus[0], 1)
    bought = client.post("/api/v1/purchases", json=body, headers=buyer)
    assert bought.status_code == 201, bought.text


def test_a_refill_through_another_process_takes_buyers_when_the_mark_ends(
    client: TestClient, database: Database, clock: Clock
) -> None:
    shop, body, buyer = _marked_shop(client, database)
    elsewhere = Database(database.url)  # another process's copy: marks of its own
    try:
        order_builders.receive(elsewhere, shop.store_id, shop.skus[0], 1)
    finally:
        elsewhere.dispose()
    clock.now += 0.9
    assert client.post("/api/v1/purchases", json=body, headers=buyer).status_code == 409
    clock.now += 0.2
    bought = client.post("/api/v1/purchases", json=body, headers=buyer)
    assert bought.status_code == 201, bought.text


def test_a_delivery_never_meets_a_mark(
    client: TestClient, database: Database, clock: Clock
) -> None:
    """A delivery is routed by the database as before: the warehouse has a unit."""
    shop, body, buyer = _marked_shop(client, database)
    order_builders.receive(database, shop.warehouse_id, shop.skus[0], 1)
    address = {"name": "Li", "phone": "13900000000", "line1": "1 Road", "lat": 31.2, "lng": 121.4}
    delivered = {**body, "delivery": {"method": "ship", "address": address}}
    shipped = client.post("/api/v1/purchases", json=delivered, headers=buyer)
    assert shipped.status_code == 201, shipped.text


def test_no_marks_when_the_setting_is_zero(client: TestClient, database: Database) -> None:
    database.local[soldout.LOCAL] = SoldOutMarks(0)
    _, body, buyer = _sold_out_shop(client, database, [100])
    answers = []
    for _ in range(2):
        with count_statements(database) as statements:
            answers.append(client.post("/api/v1/purchases", json=body, headers=buyer))
        assert statements
    assert _answer(answers[0]) == _answer(answers[1])


def test_units_a_cancelled_order_gives_back_take_buyers_at_once(
    client: TestClient, database: Database, clock: Clock
) -> None:
    """An order held the last unit; the buyer after it is turned away (and marks the
    shelf); the order is cancelled, its unit goes back, and the next buyer gets it."""
    shop = order_builders.shop(database, prices=[100], stock=1)
    holder = shop.consumer_headers(order_builders.consumer(database))
    order = client.post("/api/v1/orders", json=order_builders.order_body(shop), headers=holder)
    assert order.status_code == 201, order.text
    body = {**order_builders.order_body(shop), "payment": {"instruction": "succeed"}}
    buyer = shop.consumer_headers(order_builders.consumer(database))
    assert client.post("/api/v1/purchases", json=body, headers=buyer).status_code == 409
    cancelled = client.post(f"/api/v1/orders/{order.json()['id']}/cancel", headers=holder)
    assert cancelled.status_code == 200, cancelled.text
    bought = client.post("/api/v1/purchases", json=body, headers=buyer)
    assert bought.status_code == 201, bought.text


def test_a_process_runs_one_sale_at_a_time_on_sqlite_and_many_on_postgresql(
    client: TestClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the others wait for their turn on the event loop; on PostgreSQL three
    sales meet inside the service at once (a barrier none could pass alone)."""
    shop = order_builders.shop(database, prices=[100], stock=10)
    body = {**order_builders.order_body(shop), "payment": {"instruction": "succeed"}}
    buyers = [shop.consumer_headers(order_builders.consumer(database)) for _ in range(3)]
    inside: list[int] = []
    peak = [0]
    lock = threading.Lock()
    meet = threading.Barrier(len(buyers), timeout=10)
    purchase = payments_service.purchase

    def watched(**kwargs: Any) -> Any:
        with lock:
            inside.append(1)
            peak[0] = max(peak[0], len(inside))
        try:
            if database.is_sqlite:
                time.sleep(0.05)  # room for another sale to come in, were it let
            else:
                meet.wait()
            return purchase(**kwargs)
        finally:
            with lock:
                inside.pop()

    monkeypatch.setattr(payments_service, "purchase", watched)
    with ThreadPoolExecutor(len(buyers)) as pool:
        answers = list(
            pool.map(lambda h: client.post("/api/v1/purchases", json=body, headers=h), buyers)
        )
    assert [a.status_code for a in answers] == [201] * len(buyers)
    assert peak[0] == (1 if database.is_sqlite else len(buyers))
