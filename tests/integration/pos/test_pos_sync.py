"""Offline sales synced: each client id taken once, conflicts kept and settled."""

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import order_builders, pos_builders

from newretail.audit.models import AuditEntry
from newretail.db import Database
from newretail.orders.models import Order
from newretail.pos import selling
from newretail.pos.models import PosSale, SaleConflict


def _count(database: Database, model: Any) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _batch(till: pos_builders.Till, sales: int) -> dict[str, Any]:
    return {
        "register_id": till.register_id,
        "sales": [pos_builders.sale(till, quantities=[1, 0]) for _ in range(sales)],
    }


def test_three_replays_of_one_offline_batch_give_one_set_of_orders(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    batch = _batch(till, 4)
    answers = [
        client.post("/api/v1/pos/sync", json=batch, headers=till.headers()) for _ in range(3)
    ]
    first, *replays = [a.json()["results"] for a in answers]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [r["status"] for r in first] == ["completed"] * 4
    assert [r["replayed"] for r in first] == [False] * 4
    assert all(r["replayed"] for replay in replays for r in replay)
    assert [[r["sale"] for r in replay] for replay in replays] == [[r["sale"] for r in first]] * 2
    assert _count(database, Order) == 4
    assert order_builders.level(database, till.store_id, till.shop.skus[0]) == (6, 0)


def test_a_sale_synced_after_it_was_sent_online_is_the_same_sale(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    body = pos_builders.sale(till)
    online = client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    again = client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    synced = client.post(
        "/api/v1/pos/sync",
        json={"register_id": till.register_id, "sales": [body]},
        headers=till.headers(),
    ).json()["results"][0]
    assert (online.status_code, again.status_code) == (201, 200)
    assert again.json() == online.json() == synced["sale"]
    assert synced["replayed"] is True
    assert _count(database, Order) == 1


def test_the_same_client_id_with_another_sale_is_refused(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    body = pos_builders.sale(till)
    client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    other = {**body, "note": "a different sale"}
    response = client.post("/api/v1/pos/orders", json=other, headers=till.headers())
    assert response.status_code == 409
    assert response.json()["code"] == "client_id_reused"


def test_concurrent_replays_of_one_batch_take_each_sale_once(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, stock=50)
    batch = _batch(till, 5)
    answers: list[int] = []
    start = threading.Barrier(4)

    def replay() -> None:
        start.wait()
        response = client.post("/api/v1/pos/sync", json=batch, headers=till.headers())
        answers.append(response.status_code)

    threads = [threading.Thread(target=replay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    assert _count(database, Order) == 5
    assert _count(database, PosSale) == 5
    assert order_builders.level(database, till.store_id, till.shop.skus[0]) == (45, 0)


def test_a_sale_whose_stock_is_gone_is_kept_as_a_conflict_and_settled_by_retry(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, stock=1)
    batch = _batch(till, 2)
    results = client.post("/api/v1/pos/sync", json=batch, headers=till.headers()).json()
    manager = till.headers("east_store_manager")
    listed = client.get("/api/v1/pos/conflicts", params={"status": "open"}, headers=manager)
    conflict = listed.json()["items"][0]
    refused = client.post(
        f"/api/v1/pos/conflicts/{conflict['id']}/settle",
        json={"resolution": "retry"},
        headers=manager,
    )
    order_builders.receive(database, till.store_id, till.shop.skus[0], 1)
    settled = client.post(
        f"/api/v1/pos/conflicts/{conflict['id']}/settle",
        json={"resolution": "retry", "note": "counted one more"},
        headers=manager,
    )
    again = client.post(
        f"/api/v1/pos/conflicts/{conflict['id']}/settle",
        json={"resolution": "void"},
        headers=manager,
    )
    statuses = [r["status"] for r in results["results"]]
    assert statuses == ["completed", "conflict"]
    assert results["results"][1]["sale"]["conflict"]["code"] == "insufficient_stock"
    assert conflict["client_id"] == batch["sales"][1]["client_id"]
    assert conflict["sale"]["lines"][0]["sku_id"] == batch["sales"][1]["lines"][0]["sku_id"]
    assert (refused.status_code, refused.json()["code"]) == (409, "insufficient_stock")
    assert settled.status_code == 200, settled.text
    assert (settled.json()["status"], settled.json()["resolution"]) == ("settled", "retry")
    assert settled.json()["order_id"] is not None
    assert (again.status_code, again.json()["code"]) == (409, "conflict_settled")
    assert _count(database, Order) == 2
    assert _count(database, AuditEntry) >= 1


def test_a_price_changed_meanwhile_is_a_conflict_the_manager_honours(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[10_000, 5_000])
    body = pos_builders.sale(till, quantities=[1, 0])
    body["lines"][0]["unit_price"] = 9_000
    body["total"] = 9_000
    body["tenders"] = [{"method": "cash", "amount": 9_000}]
    synced = client.post(
        "/api/v1/pos/sync",
        json={"register_id": till.register_id, "sales": [body]},
        headers=till.headers(),
    ).json()["results"][0]
    conflict_id = synced["sale"]["conflict"]["id"]
    settled = client.post(
        f"/api/v1/pos/conflicts/{conflict_id}/settle",
        json={"resolution": "honour", "note": "as shown on the shelf"},
        headers=till.headers("east_store_manager"),
    ).json()
    order = client.get(f"/api/v1/orders/{settled['order_id']}", headers=till.headers()).json()
    cashier_settles = client.post(
        f"/api/v1/pos/conflicts/{conflict_id}/settle",
        json={"resolution": "void"},
        headers=till.headers(),
    )
    assert synced["sale"]["conflict"]["code"] == "price_changed"
    assert (order["total"], order["discount"], order["status"]) == (9_000, 1_000, "completed")
    assert cashier_settles.status_code == 403
    with database.transaction(read_only=True) as session:
        kept = session.scalars(select(SaleConflict.status)).all()
    assert kept == ["settled"]


def test_a_server_stopped_mid_sync_keeps_what_it_took_and_the_replay_finishes(
    client: TestClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    till = pos_builders.till(database)
    batch = _batch(till, 4)
    calls: list[int] = []
    sell = selling.sell

    def dies_on_the_third(**kwargs: Any) -> selling.Sold:
        calls.append(1)
        assert len(calls) != 3, "the server stops here"
        return sell(**kwargs)

    monkeypatch.setattr(selling, "sell", dies_on_the_third)
    with pytest.raises(AssertionError):
        client.post("/api/v1/pos/sync", json=batch, headers=till.headers())
    kept = _count(database, Order)
    monkeypatch.setattr(selling, "sell", sell)
    replay = client.post("/api/v1/pos/sync", json=batch, headers=till.headers()).json()
    assert kept == 2
    assert [r["replayed"] for r in replay["results"]] == [True, True, False, False]
    assert [r["status"] for r in replay["results"]] == ["completed"] * 4
    assert _count(database, Order) == _count(database, PosSale) == 4
