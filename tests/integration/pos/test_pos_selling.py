"""Selling at the till: carry-out, members, guides, coupons, split tenders, the endless aisle."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import order_builders, pos_builders, promotion_builders

from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.members.models import Membership
from newretail.orders.models import Fulfilment, Order
from newretail.payments.merchants import service as merchants_service
from newretail.payments.merchants.rules import OwnerType, ProviderName
from newretail.payments.merchants.schemas import MerchantAccountCreate
from newretail.payments.models import Payment


def test_a_carry_out_sale_completes_at_once_with_its_stock_taken(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    body = pos_builders.sale(till)
    response = client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    sale = response.json()
    with database.transaction(read_only=True) as session:
        order = session.get(Order, sale["order_id"])
        assert order is not None
        fulfilments = [
            (f.kind, f.status)
            for f in session.scalars(select(Fulfilment).where(Fulfilment.order_id == order.id))
        ]
        status, channel, closed = order.status, order.channel, order.closed_at
    assert response.status_code == 201, response.text
    assert sale["status"] == "completed"
    assert (status, channel, closed is not None) == ("completed", "pos", True)
    assert fulfilments == [("carry_out", "completed")]
    assert order_builders.level(database, till.store_id, till.shop.skus[0]) == (9, 0)


def test_a_sale_with_member_guide_coupon_and_split_tenders(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[12_900, 5_990])
    member_id = pos_builders.member_with_balances(
        client, database, till, points=3_000, credit=2_000
    )
    coupon = promotion_builders.claim(
        database, member_id, promotion_builders.template(database, till.shop)
    )
    guide = till.shop.world.east_guide.id
    lines = [
        {"sku_id": till.shop.skus[0], "quantity": 1, "guide_id": guide, "unit_price": 12_900},
        {"sku_id": till.shop.skus[1], "quantity": 1, "unit_price": 5_990},
    ]
    quote = client.post(
        "/api/v1/pos/quote",
        # The points pay as a tender here, not inside the combination.
        json={"store_id": till.store_id, "member_id": member_id, "lines": lines, "points": 0},
        headers=till.headers(),
    ).json()
    total = quote["total"]
    tenders = [
        {"method": "points", "amount": 3_000},
        {"method": "store_credit", "amount": 2_000},
        {"method": "card", "amount": 5_000, "reference": "T-1"},
        {"method": "payment_code", "amount": 4_000, "code": "134567890123456789"},
        {"method": "cash", "amount": total - 14_000, "tendered": 5_000},
    ]
    body = pos_builders.sale(
        till, member_id=member_id, lines=lines, total=total, tenders=tenders, points=0
    )
    response = client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    sale = response.json()
    card = client.get(
        "/api/v1/pos/members",
        params={"store_id": till.store_id, "code": _member_no(database, member_id)},
        headers=till.headers(),
    ).json()
    receipt = client.get(sale["receipt_url"], headers=till.headers()).json()
    with database.transaction(read_only=True) as session:
        order = session.get(Order, sale["order_id"])
        assert order is not None
        served = [line.serving_guide_id for line in order.lines]
        facts = (order.member_id, order.referring_guide_id, order.discount, order.status)
        methods = sorted(
            (p.method, p.amount)
            for p in session.scalars(select(Payment).where(Payment.order_id == order.id))
        )
    assert response.status_code == 201, response.text
    assert [o["key"] for o in quote["offers"]] == [f"coupon:{coupon}"]
    assert total == 12_900 + 5_990 - 1_000
    assert facts == (member_id, guide, 1_000, "completed")
    assert served == [guide, None]
    assert methods == sorted(
        [
            ("points", 3_000),
            ("store_credit", 2_000),
            ("card", 5_000),
            ("payment_code", 4_000),
            ("cash", total - 14_000),
        ]
    )
    assert sale["change"] == 5_000 - (total - 14_000)
    assert (card["points"], card["store_credit"]) == (0, 0)
    assert receipt["lines"][0]["guide"]["id"] == guide
    assert receipt["discounts"][0]["amount"] == 1_000
    assert receipt["change"] == sale["change"]
    assert "ref=" in receipt["join_url"]


def _member_no(database: Database, member_id: int) -> str:
    with database.transaction(read_only=True) as session:
        member = session.get(Membership, member_id)
        assert member is not None
        return member.member_no


def test_the_endless_aisle_ships_what_this_store_lacks_from_another_store(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, stock=0)
    order_builders.receive(database, till.shop.far_store_id, till.shop.skus[0], 3)
    body = pos_builders.sale(
        till,
        quantities=[1, 0],
        delivery={
            "method": "ship",
            "address": {
                "name": "Li",
                "phone": "13800000000",
                "line1": "1 Road",
                "lat": 31.23,
                "lng": 121.47,
            },
        },
    )
    response = client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    sale = response.json()
    fulfilments = client.get(
        f"/api/v1/orders/{sale['order_id']}/fulfilments", headers=till.headers("admin")
    ).json()
    assert response.status_code == 201, response.text
    assert (sale["status"], sale["order_status"]) == ("placed", "allocated")
    assert [(f["kind"], f["location_id"]) for f in fulfilments] == [
        ("ship_from_store", till.shop.far_store_id)
    ]
    assert order_builders.level(database, till.shop.far_store_id, till.shop.skus[0]) == (2, 0)


def test_a_sale_in_store_is_delivered_same_city_by_a_courier(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    address = {"name": "Li", "phone": "13800000000", "line1": "2 Road", "lat": 31.24, "lng": 121.48}
    body = pos_builders.sale(till, delivery={"method": "same_city", "address": address})
    response = client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    fulfilments = client.get(
        f"/api/v1/orders/{response.json()['order_id']}/fulfilments", headers=till.headers()
    ).json()
    assert response.status_code == 201, response.text
    assert response.json()["order_status"] == "allocated"
    assert [(f["kind"], f["location_id"]) for f in fulfilments] == [("same_city", till.store_id)]


def test_carry_out_is_a_counter_purchase_paid_as_it_is_placed(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    carry_out = {"delivery": {"method": "carry_out"}}
    body = order_builders.order_body(till.shop, channel="pos", **carry_out)
    purchased = client.post("/api/v1/purchases", json=body, headers=till.headers())
    held = client.post("/api/v1/orders", json=body, headers=till.headers())
    buyer = till.shop.consumer_headers(order_builders.consumer(database))
    online = client.post(
        "/api/v1/purchases", json=order_builders.order_body(till.shop, **carry_out), headers=buyer
    )
    assert purchased.status_code == 201, purchased.text
    assert purchased.json()["order"]["status"] == "completed"
    assert (held.status_code, held.json()["code"]) == (422, "invalid_delivery")
    assert (online.status_code, online.json()["code"]) == (422, "invalid_delivery")


def test_each_tender_records_the_merchant_account_that_receives_it(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[10_000])
    with database.transaction() as session:
        account = merchants_service.create_account(
            session=session,
            scope=SYSTEM,
            data=MerchantAccountCreate(
                brand_id=till.shop.world.brand.id,
                code="sandbox-brand",
                name="Brand sandbox account",
                provider=ProviderName.SANDBOX,
                owner_type=OwnerType.BRAND,
                brand_default=True,
            ),
        )
        account_id = account.id
    tenders = [
        {"method": "payment_code", "amount": 6_000, "code": "134567890123456789"},
        {"method": "cash", "amount": 4_000},
    ]
    body = pos_builders.sale(till, total=10_000, tenders=tenders)
    response = client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    with database.transaction(read_only=True) as session:
        receivers = dict(
            session.execute(
                select(Payment.method, Payment.merchant_account_id).where(
                    Payment.order_id == response.json()["order_id"]
                )
            ).all()
        )
    assert response.status_code == 201, response.text
    assert receivers == {"payment_code": account_id, "cash": None}


def test_the_receipt_says_how_many_points_paid_inside_the_best_combination(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database, prices=[12_900])
    member_id = pos_builders.member_with_balances(client, database, till, points=2_000, credit=0)
    lines = [{"sku_id": till.shop.skus[0], "quantity": 1, "unit_price": 12_900}]
    quote = client.post(
        "/api/v1/pos/quote",
        json={"store_id": till.store_id, "member_id": member_id, "lines": lines},
        headers=till.headers(),
    ).json()
    body = pos_builders.sale(
        till,
        member_id=member_id,
        lines=lines,
        total=quote["total"],
        tenders=[{"method": "cash", "amount": quote["total"]}],
    )
    sale = client.post("/api/v1/pos/orders", json=body, headers=till.headers()).json()
    receipt = client.get(sale["receipt_url"], headers=till.headers()).json()
    assert (quote["points_used"], quote["total"]) == (2_000, 10_900)
    assert receipt["points_used"] == 2_000
    assert [(d["source"], d["amount"]) for d in receipt["discounts"]] == [("points", 2_000)]
    assert receipt["member"]["points"] == 0
