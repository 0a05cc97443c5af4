"""Beyond the sale: pickups, returns of any channel's orders, pre-sale deposits; bad input."""

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import member_builders, order_builders, pos_builders, presale_builders, return_builders

from newretail.db import Database
from newretail.members.models import Membership, PointsEntry


def _ready_pickup(
    client: TestClient, database: Database, shop: order_builders.Shop, store_id: int
) -> str:
    """A consumer's paid pickup order, waiting at ``store_id`` with its code."""
    buyer = shop.consumer_headers(order_builders.consumer(database))
    body = order_builders.order_body(
        shop, delivery={"method": "pickup", "pickup_store_id": store_id}
    )
    order = client.post("/api/v1/orders", json=body, headers=buyer).json()
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    admin = shop.world.headers("admin")
    fulfilment = client.get(f"/api/v1/orders/{order['id']}/fulfilments", headers=admin).json()[0]
    ready = client.post(
        f"/api/v1/orders/{order['id']}/fulfilments/{fulfilment['id']}/ready", headers=admin
    ).json()
    return str(ready["pickup_code"])


def test_a_pickup_is_handed_over_and_another_stores_code_refused(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    order_builders.receive(database, till.shop.far_store_id, till.shop.skus[0], 5)
    order_builders.receive(database, till.shop.far_store_id, till.shop.skus[1], 5)
    here = _ready_pickup(client, database, till.shop, till.store_id)
    elsewhere = _ready_pickup(client, database, till.shop, till.shop.far_store_id)
    handed = client.post(
        "/api/v1/pos/pickups/handover",
        json={"shift_id": till.shift_id, "pickup_code": here},
        headers=till.headers(),
    )
    refused = client.post(
        "/api/v1/pos/pickups/handover",
        json={"shift_id": till.shift_id, "pickup_code": elsewhere},
        headers=till.headers(),
    )
    assert handed.status_code == 200, handed.text
    assert handed.json()["status"] == "completed"
    assert (refused.status_code, refused.json()["code"]) == (422, "pickup_code_mismatch")


def test_an_online_order_is_returned_at_the_till_and_not_beyond_the_sale(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    order_id = return_builders.received_order(database, till.shop, channel="cloud_store")
    line_id = return_builders.line_ids(database, order_id)[0]
    body = {
        "shift_id": till.shift_id,
        "order_id": order_id,
        "lines": [{"order_line_id": line_id, "quantity": 1}],
        "reason": "too small",
    }
    number = client.get(f"/api/v1/orders/{order_id}", headers=till.headers("admin")).json()
    found = client.get(
        "/api/v1/pos/orders-to-return", params={"number": number["number"]}, headers=till.headers()
    )
    returned = client.post("/api/v1/pos/returns", json=body, headers=till.headers())
    beyond = client.post("/api/v1/pos/returns", json=body, headers=till.headers())
    report = client.get(f"/api/v1/pos/shifts/{till.shift_id}/report", headers=till.headers())
    assert (found.json()["id"], found.json()["channel"]) == (order_id, "cloud_store")
    assert returned.status_code == 201, returned.text
    assert returned.json()["refund_amount"] == till.shop.prices[0]
    assert returned.json()["tenders"] == [{"method": "card", "amount": till.shop.prices[0]}]
    assert (beyond.status_code, beyond.json()["code"]) == (409, "return_quantity_exceeded")
    assert order_builders.level(database, till.store_id, till.shop.skus[0]) == (10, 0)
    assert report.json()["refunds_total"] == 0  # the money went back to the online payment


def test_a_pre_sale_deposit_is_taken_for_a_member_at_the_till(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    presale_id = presale_builders.presale(database, till.shop)
    member_id = member_builders.member(database, till.shop.world)
    body = {
        "client_id": str(uuid.uuid4()),
        "shift_id": till.shift_id,
        "presale_id": presale_id,
        "sku_id": till.shop.skus[0],
        "member_id": member_id,
        "tenders": [{"method": "cash", "amount": presale_builders.DEPOSIT, "tendered": 20_000}],
    }
    taken = client.post("/api/v1/pos/presales/deposits", json=body, headers=till.headers())
    again = client.post("/api/v1/pos/presales/deposits", json=body, headers=till.headers())
    order = client.get(f"/api/v1/orders/{taken.json()['order_id']}", headers=till.headers()).json()
    assert taken.status_code == 201, taken.text
    assert again.status_code == 200
    assert again.json() == taken.json()
    assert (order["kind"], order["channel"], order["member_id"]) == ("deposit", "pos", member_id)
    assert (order["status"], taken.json()["change"]) == ("paid", 20_000 - presale_builders.DEPOSIT)


def test_bad_input_at_the_till_gets_a_clear_code(client: TestClient, database: Database) -> None:
    till = pos_builders.till(database)
    cashier = till.headers()
    found = client.get(
        "/api/v1/pos/products",
        params={"store_id": till.store_id, "barcode": till.barcodes[0]},
        headers=cashier,
    )
    unknown = client.get(
        "/api/v1/pos/products",
        params={"store_id": till.store_id, "barcode": "0000000000000"},
        headers=cashier,
    )
    short = pos_builders.sale(till, tenders=[{"method": "cash", "amount": 100}])
    over = pos_builders.sale(till, tenders=[{"method": "card", "amount": 10**8}])
    negative = pos_builders.sale(till, quantities=[1, 1])
    negative["lines"][0]["quantity"] = -1
    change_on_card = pos_builders.sale(till)
    change_on_card["tenders"] = [
        {"method": "card", "amount": sum(till.shop.prices), "tendered": 10**6}
    ]
    declined = pos_builders.sale(till)
    declined["tenders"] = [
        {"method": "cash", "amount": 100},
        {
            "method": "payment_code",
            "amount": sum(till.shop.prices) - 100,
            "code": "4000000000000002",
        },
    ]
    points = pos_builders.sale(till)
    points["tenders"] = [{"method": "points", "amount": sum(till.shop.prices)}]
    answers = {
        name: client.post("/api/v1/pos/orders", json=body, headers=cashier)
        for name, body in {
            "short": short,
            "over": over,
            "negative": negative,
            "change_on_card": change_on_card,
            "declined": declined,
            "points": points,
        }.items()
    }
    codes = {name: (r.status_code, r.json()["code"]) for name, r in answers.items()}
    assert found.json()["items"][0]["sku_id"] == till.shop.skus[0]
    assert found.json()["items"][0]["unit_price"] == till.shop.prices[0]
    assert found.json()["items"][0]["available_here"] == 10
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_barcode")
    assert codes == {
        "short": (409, "payment_short"),
        "over": (422, "payment_over"),
        "negative": (422, "invalid_input"),
        "change_on_card": (422, "invalid_tender"),
        "declined": (409, "tender_declined"),
        "points": (422, "member_required"),
    }
    assert order_builders.level(database, till.store_id, till.shop.skus[0]) == (10, 0)


def test_a_return_at_the_till_whose_lines_do_not_fit_its_kind_is_refused(
    client: TestClient, database: Database
) -> None:
    """A return naming a SKU to swap, or an exchange naming none: 422 before anything moves
    (the till's return was checked only once passed on, and answered 500)."""
    till = pos_builders.till(database)
    order_id = return_builders.received_order(database, till.shop, channel="cloud_store")
    line_id = return_builders.line_ids(database, order_id)[0]
    bodies = {
        "return": {"order_line_id": line_id, "quantity": 1, "exchange_sku_id": till.shop.skus[1]},
        "exchange": {"order_line_id": line_id, "quantity": 1},
    }
    before = order_builders.level(database, till.store_id, till.shop.skus[0])
    answers = {
        kind: client.post(
            "/api/v1/pos/returns",
            json={"shift_id": till.shift_id, "order_id": order_id, "kind": kind, "lines": [line]},
            headers=till.headers(),
        )
        for kind, line in bodies.items()
    }
    assert {kind: (r.status_code, r.json()["code"]) for kind, r in answers.items()} == {
        "return": (422, "invalid_input"),
        "exchange": (422, "invalid_input"),
    }
    assert order_builders.level(database, till.store_id, till.shop.skus[0]) == before


def test_a_member_is_found_by_phone_or_code_and_signed_up_bound_to_the_guide(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    phone = member_builders.phone()
    guide = till.shop.world.east_guide.id
    joined = client.post(
        "/api/v1/pos/members",
        json={"store_id": till.store_id, "phone": phone, "guide_id": guide, "name": "Li"},
        headers=till.headers(),
    )
    by_phone = client.get(
        "/api/v1/pos/members",
        params={"store_id": till.store_id, "phone": phone},
        headers=till.headers(),
    )
    by_code = client.get(
        "/api/v1/pos/members",
        params={"store_id": till.store_id, "code": joined.json()["member_no"]},
        headers=till.headers(),
    )
    nobody = client.get(
        "/api/v1/pos/members",
        params={"store_id": till.store_id, "phone": "13000000001"},
        headers=till.headers(),
    )
    guides = client.get(
        "/api/v1/pos/guides", params={"store_id": till.store_id}, headers=till.headers()
    ).json()
    assert joined.status_code == 201, joined.text
    assert (joined.json()["created"], joined.json()["bound_guide_id"]) == (True, guide)
    assert by_phone.json()["member_id"] == by_code.json()["member_id"] == joined.json()["member_id"]
    assert by_phone.json()["name"] == "Li"
    assert "*" in by_phone.json()["phone"]
    assert (nobody.status_code, nobody.json()["code"]) == (404, "member_not_found")
    assert [g["id"] for g in guides["items"]] == [guide]


def _return_everything(
    client: TestClient, database: Database, till: pos_builders.Till, order_id: int
) -> Any:
    """Every unit of the order brought back to the till; the refund's events consumed."""
    line_ids = return_builders.line_ids(database, order_id)
    returned = client.post(
        "/api/v1/pos/returns",
        json={
            "shift_id": till.shift_id,
            "order_id": order_id,
            "lines": [{"order_line_id": i, "quantity": 1} for i in line_ids],
        },
        headers=till.headers(),
    )
    presale_builders.dispatch(database)
    return returned


def _points_entries(database: Database, member_id: int, *where: Any) -> list[tuple[str, int]]:
    """(kind, points) of the member's ledger entries that match ``where``, sorted."""
    with database.transaction(read_only=True) as session:
        found = session.scalars(
            select(PointsEntry).where(PointsEntry.membership_id == member_id, *where)
        )
        return sorted((e.kind, e.points) for e in found)


def test_a_refund_gives_store_credit_and_points_back_to_the_member(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[4_000, 6_000])
    member_id = member_builders.member(database, till.shop.world)
    client.post(
        f"/api/v1/members/{member_id}/points",
        json={"kind": "earn", "points": 2_000},
        headers=till.headers("admin"),
    )
    client.post(
        f"/api/v1/pos/members/{member_id}/store-credit",
        json={"amount": 3_000, "reason": "gift card"},
        headers=till.headers("east_store_manager"),
    )
    body = pos_builders.sale(
        till,
        member_id=member_id,
        points=0,  # the points pay as a tender, not inside the combination
        tenders=[
            {"method": "points", "amount": 2_000},
            {"method": "store_credit", "amount": 3_000},
            {"method": "cash", "amount": 5_000},
        ],
    )
    sold = client.post("/api/v1/pos/orders", json=body, headers=till.headers()).json()
    returned = _return_everything(client, database, till, sold["order_id"])
    given_back = _points_entries(database, member_id, PointsEntry.reference.like("refund:%"))
    card = client.get(
        "/api/v1/pos/members",
        params={"store_id": till.store_id, "code": sold_member_no(database, member_id)},
        headers=till.headers(),
    ).json()
    assert returned.status_code == 201, returned.text
    assert sorted((t["method"], t["amount"]) for t in returned.json()["tenders"]) == [
        ("cash", 5_000),
        ("points", 2_000),
        ("store_credit", 3_000),
    ]
    assert given_back == [("adjust", 2_000)]
    assert card["store_credit"] == 3_000


def sold_member_no(database: Database, member_id: int) -> str:
    with database.transaction(read_only=True) as session:
        member = session.get(Membership, member_id)
        assert member is not None
        return member.member_no


def test_points_pay_at_the_till_at_the_brands_rate_and_come_back_at_it(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[4_000, 6_000])
    member_id = member_builders.member(database, till.shop.world)
    pos_builders.redeem_rate(client, till, 200)  # 200 points pay one yuan
    client.post(
        f"/api/v1/members/{member_id}/points",
        json={"kind": "earn", "points": 2_001},
        headers=till.headers("admin"),
    )
    card = client.get(
        "/api/v1/pos/members",
        params={"store_id": till.store_id, "code": sold_member_no(database, member_id)},
        headers=till.headers(),
    ).json()

    def sale(points_fen: int) -> dict[str, Any]:
        return pos_builders.sale(
            till,
            member_id=member_id,
            points=0,
            tenders=[
                {"method": "points", "amount": points_fen},
                {"method": "cash", "amount": 10_000 - points_fen},
            ],
        )

    too_much = client.post("/api/v1/pos/orders", json=sale(1_001), headers=till.headers())
    sold = client.post("/api/v1/pos/orders", json=sale(1_000), headers=till.headers()).json()
    _return_everything(client, database, till, sold["order_id"])
    entries = _points_entries(database, member_id, PointsEntry.kind.in_(["spend", "adjust"]))
    # 2,001 points pay ¥10.00 (one point is worth half a fen); ¥10.01 would take 2,002.
    assert card["points_value"] == 1_000
    assert (too_much.status_code, too_much.json()["code"]) == (409, "insufficient_points")
    assert entries == [("adjust", 2_000), ("spend", -2_000)]


def test_a_brand_whose_points_pay_nothing_takes_no_points_tender(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[4_000, 6_000])
    member_id = member_builders.member(database, till.shop.world)
    pos_builders.redeem_rate(client, till, 0)
    client.post(
        f"/api/v1/members/{member_id}/points",
        json={"kind": "earn", "points": 5_000},
        headers=till.headers("admin"),
    )
    body = pos_builders.sale(
        till,
        member_id=member_id,
        points=0,
        tenders=[{"method": "points", "amount": 1_000}, {"method": "cash", "amount": 9_000}],
    )
    refused = client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    card = client.get(
        "/api/v1/pos/members",
        params={"store_id": till.store_id, "code": sold_member_no(database, member_id)},
        headers=till.headers(),
    ).json()
    assert (refused.status_code, refused.json()["code"]) == (422, "points_not_accepted")
    assert (card["points"], card["points_value"]) == (5_000, 0)
