"""Shifts: opened with a float, closed with a count that balances, reopened with a reason."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import pos_builders, return_builders

from newretail.audit.models import AuditEntry
from newretail.db import Database


def test_a_shift_report_balances_cash_sales_change_refunds_and_card(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[12_900, 5_990], opening_float=50_000)
    cashier = till.headers()
    cash_sale = pos_builders.sale(
        till, tenders=[{"method": "cash", "amount": 18_890, "tendered": 20_000}]
    )
    card_sale = pos_builders.sale(
        till, quantities=[0, 1], tenders=[{"method": "card", "amount": 5_990}]
    )
    sold = client.post("/api/v1/pos/orders", json=cash_sale, headers=cashier).json()
    client.post("/api/v1/pos/orders", json=card_sale, headers=cashier)
    line_id = return_builders.line_ids(database, sold["order_id"])[1]
    returned = client.post(
        "/api/v1/pos/returns",
        json={
            "shift_id": till.shift_id,
            "order_id": sold["order_id"],
            "lines": [{"order_line_id": line_id, "quantity": 1}],
        },
        headers=cashier,
    )
    open_report = client.get(f"/api/v1/pos/shifts/{till.shift_id}/report", headers=cashier).json()
    expected_cash = 50_000 + 20_000 - 1_110 - 5_990
    closed = client.post(
        f"/api/v1/pos/shifts/{till.shift_id}/close",
        json={"counted": {"cash": expected_cash, "card": 5_990}},
        headers=cashier,
    )
    report = closed.json()
    methods = {m["method"]: m for m in report["methods"]}
    twice = client.post(
        f"/api/v1/pos/shifts/{till.shift_id}/close", json={"counted": {}}, headers=cashier
    )
    assert returned.status_code == 201, returned.text
    assert returned.json()["tenders"] == [{"method": "cash", "amount": 5_990}]
    assert open_report["methods"][0]["counted"] is None
    assert closed.status_code == 200, closed.text
    assert methods["cash"] == {
        "method": "cash",
        "taken": 20_000,
        "change": 1_110,
        "refunded": 5_990,
        "expected": expected_cash,
        "counted": expected_cash,
        "difference": 0,
    }
    assert (methods["card"]["expected"], methods["card"]["difference"]) == (5_990, 0)
    assert (report["sales_count"], report["sales_total"]) == (2, 18_890 + 5_990)
    assert (report["refunds_total"], report["change_given"], report["balanced"]) == (
        5_990,
        1_110,
        True,
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "shift_already_closed")


def test_a_short_count_shows_its_difference(client: TestClient, database: Database) -> None:
    till = pos_builders.till(database, opening_float=10_000)
    client.post("/api/v1/pos/orders", json=pos_builders.sale(till), headers=till.headers())
    report = client.post(
        f"/api/v1/pos/shifts/{till.shift_id}/close",
        json={"counted": {"cash": 10_000 + sum(till.shop.prices) - 100}},
        headers=till.headers(),
    ).json()
    assert report["methods"][0]["difference"] == -100
    assert report["balanced"] is False


def test_a_shift_cannot_close_while_the_till_holds_unsynced_sales(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    held = pos_builders.sale(till)
    pending = client.post(
        f"/api/v1/pos/shifts/{till.shift_id}/close",
        json={"pending_client_ids": [held["client_id"]]},
        headers=till.headers(),
    )
    counted = client.post(
        f"/api/v1/pos/shifts/{till.shift_id}/close",
        json={"pending_count": 2},
        headers=till.headers(),
    )
    client.post(
        "/api/v1/pos/sync",
        json={"register_id": till.register_id, "sales": [held]},
        headers=till.headers(),
    )
    synced = client.post(
        f"/api/v1/pos/shifts/{till.shift_id}/close",
        json={"pending_client_ids": [held["client_id"]]},
        headers=till.headers(),
    )
    assert (pending.status_code, pending.json()["code"]) == (409, "unsynced_sales")
    assert (counted.status_code, counted.json()["code"]) == (409, "unsynced_sales")
    assert synced.status_code == 200, synced.text


def test_one_open_shift_per_register_and_a_manager_reopens_with_a_reason(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    second = client.post(
        "/api/v1/pos/shifts",
        json={"register_id": till.register_id, "opening_float": 0},
        headers=till.headers(),
    )
    client.post(f"/api/v1/pos/shifts/{till.shift_id}/close", json={}, headers=till.headers())
    by_cashier = client.post(
        f"/api/v1/pos/shifts/{till.shift_id}/reopen",
        json={"reason": "miscount"},
        headers=till.headers(),
    )
    by_manager = client.post(
        f"/api/v1/pos/shifts/{till.shift_id}/reopen",
        json={"reason": "card batch counted twice"},
        headers=till.headers("east_store_manager"),
    )
    register = client.get(
        f"/api/v1/pos/registers/{till.register_id}", headers=till.headers()
    ).json()
    with database.transaction(read_only=True) as session:
        audited = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "pos.shift_reopened")
        ).all()
    assert (second.status_code, second.json()["code"]) == (409, "shift_already_open")
    assert by_cashier.status_code == 403
    assert by_manager.status_code == 200, by_manager.text
    assert (by_manager.json()["status"], by_manager.json()["reopen_count"]) == ("open", 1)
    assert register["open_shift_id"] == till.shift_id
    assert [d["reason"] for d in audited] == ["card batch counted twice"]


def test_registers_are_created_by_managers_with_codes_unique_per_store(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    body = {"store_id": till.store_id, "code": "R2", "name": "Side"}
    by_cashier = client.post("/api/v1/pos/registers", json=body, headers=till.headers())
    created = client.post(
        "/api/v1/pos/registers", json=body, headers=till.headers("east_store_manager")
    )
    taken = client.post(
        "/api/v1/pos/registers", json=body, headers=till.headers("east_store_manager")
    )
    listed = client.get(
        "/api/v1/pos/registers", params={"store_id": till.store_id}, headers=till.headers()
    ).json()
    assert by_cashier.status_code == 403
    assert created.status_code == 201, created.text
    assert (taken.status_code, taken.json()["code"]) == (409, "register_code_taken")
    assert [r["code"] for r in listed["items"]] == ["R1", "R2"]
