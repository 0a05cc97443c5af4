"""A member's balances at the till: what a sale takes from their points and store credit
when several tenders draw on one balance, and what refunds give back when the brand's
points rate has changed since, or the sale comes back a line at a time."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import member_builders, pos_builders, presale_builders, return_builders

from newretail.db import Database
from newretail.members.models import Membership, PointsEntry
from newretail.pos.models import StoreCredit


def _sell(
    client: TestClient, till: pos_builders.Till, member_id: int, tenders: list[dict[str, Any]]
) -> Any:
    body = pos_builders.sale(till, member_id=member_id, points=0, tenders=tenders)
    return client.post("/api/v1/pos/orders", json=body, headers=till.headers())


def _balances(database: Database, member_id: int) -> tuple[int, int]:
    """The member's points and store credit now."""
    with database.transaction(read_only=True) as session:
        member = session.get(Membership, member_id)
        assert member is not None
        credit = session.scalar(
            select(StoreCredit.balance).where(StoreCredit.member_id == member_id)
        )
        return member.points, int(credit or 0)


def _return_line(
    client: TestClient, database: Database, till: pos_builders.Till, order_id: int, n: int
) -> Any:
    """Line ``n`` of the order brought back to the till; the refund's events consumed."""
    line_id = return_builders.line_ids(database, order_id)[n]
    returned = client.post(
        "/api/v1/pos/returns",
        json={
            "shift_id": till.shift_id,
            "order_id": order_id,
            "lines": [{"order_line_id": line_id, "quantity": 1}],
        },
        headers=till.headers(),
    )
    assert returned.status_code == 201, returned.text
    presale_builders.dispatch(database)
    return returned.json()


def _given_back(database: Database, member_id: int) -> list[int]:
    return member_builders.ledger_points(
        database, member_id, PointsEntry.reference.like("refund:%")
    )


def test_two_store_credit_tenders_take_both_amounts(client: TestClient, database: Database) -> None:
    till = pos_builders.till(database, prices=[4_000, 6_000])
    member_id = pos_builders.member_with_balances(client, database, till, points=1, credit=3_000)
    twice = [
        {"method": "store_credit", "amount": 2_000},
        {"method": "store_credit", "amount": 2_000},
        {"method": "cash", "amount": 6_000},
    ]
    refused = _sell(client, till, member_id, twice)
    after_refusal = _balances(database, member_id)
    within = [
        {"method": "store_credit", "amount": 1_000},
        {"method": "store_credit", "amount": 2_000},
        {"method": "cash", "amount": 7_000},
    ]
    sold = _sell(client, till, member_id, within)
    assert (refused.status_code, refused.json()["code"]) == (409, "store_credit_insufficient")
    assert after_refusal == (1, 3_000)
    assert sold.status_code == 201, sold.text
    assert _balances(database, member_id) == (1, 0)


def test_two_points_tenders_take_the_points_of_their_sum(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[4_000, 6_000])
    pos_builders.redeem_rate(client, till, 150)  # 150 points pay one yuan: 1.5 points a fen
    member_id = pos_builders.member_with_balances(client, database, till, points=1_000, credit=0)
    tenders = [
        {"method": "points", "amount": 333},  # alone: 499.5 points, rounded up to 500
        {"method": "points", "amount": 333},
        {"method": "cash", "amount": 10_000 - 666},
    ]
    sold = _sell(client, till, member_id, tenders)
    assert sold.status_code == 201, sold.text
    assert _balances(database, member_id) == (1_000 - 999, 0)  # 666 fen take 999 points


def test_points_come_back_as_they_were_taken_after_the_rate_changed(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[4_000, 6_000])
    pos_builders.redeem_rate(client, till, 100)
    member_id = pos_builders.member_with_balances(client, database, till, points=2_000, credit=0)
    sold = _sell(
        client,
        till,
        member_id,
        [{"method": "points", "amount": 2_000}, {"method": "cash", "amount": 8_000}],
    )
    pos_builders.redeem_rate(client, till, 300)  # points are worth a third of what they were
    order_id = sold.json()["order_id"]
    _return_line(client, database, till, order_id, 0)
    _return_line(client, database, till, order_id, 1)
    assert sold.status_code == 201, sold.text
    assert sum(_given_back(database, member_id)) == 2_000
    assert _balances(database, member_id) == (2_000, 0)


def test_a_sale_returned_line_by_line_gives_back_exactly_the_points_it_took(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[4_000, 6_000])
    pos_builders.redeem_rate(client, till, 110)  # 1.1 points a fen
    member_id = pos_builders.member_with_balances(client, database, till, points=10_000, credit=0)
    sold = _sell(
        client,
        till,
        member_id,
        [{"method": "points", "amount": 3_328}, {"method": "cash", "amount": 6_672}],
    )
    spent = 10_000 - _balances(database, member_id)[0]
    order_id = sold.json()["order_id"]
    first = _return_line(client, database, till, order_id, 0)
    back_after_first = sum(_given_back(database, member_id))
    _return_line(client, database, till, order_id, 1)
    points_refunded = sum(t["amount"] for t in first["tenders"] if t["method"] == "points")
    assert sold.status_code == 201, sold.text
    assert spent == 3_661  # 3,328 fen at 1.1 points a fen, rounded up
    # The first return gives back 1,331 fen of the points tender, the second 1,997: worth
    # 1,464.1 and 2,196.7 points, which rounded up one by one would come to 3,662.
    assert points_refunded == 1_331
    assert back_after_first == -(-spent * points_refunded // 3_328)
    assert sum(_given_back(database, member_id)) == spent
    assert _balances(database, member_id) == (10_000, 0)
