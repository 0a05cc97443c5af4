"""Free gifts at checkout, service vouchers used at a store, paid vouchers bought."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update
from tests import member_builders, order_builders
from tests import promotion_builders as pb
from tests.integration.orders.flash import consumer_scope
from tests.order_builders import Shop

from newretail.auth import service as auth_service
from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM, Scope
from newretail.orders import service as orders_service
from newretail.orders.models import OrderLine, OrderLineDiscount
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.promotions import service as promotions_service
from newretail.promotions.models import Coupon, CouponTemplate

pytestmark = pytest.mark.postgres


def _gift_template(database: Database, shop: Shop, **terms: object) -> int:
    body = {"threshold": 10_000, "amount": 5_990, "gift_sku_id": shop.skus[1], **terms}
    return pb.template(database, shop, name="a free tee", kind="free_gift", terms=body)


def _order(database: Database, shop: Shop, member_id: int, quantity: int = 1) -> int:
    consumer_id = member_builders.consumer_of(database, member_id)
    lines = [{"sku_id": shop.skus[0], "quantity": quantity}]
    data = OrderCreate.model_validate(order_builders.order_body(shop, lines=lines))
    with database.transaction() as session:
        return orders_service.create_order(
            session=session, scope=consumer_scope(consumer_id), data=data
        ).id


def _lines(database: Database, order_id: int) -> list[tuple[int, int, int, int]]:
    with database.transaction(read_only=True) as session:
        rows = session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
        )
        return [(r.sku_id, r.unit_price, r.discount, r.total) for r in rows]


def _discounts(database: Database, order_id: int) -> list[tuple[str, str, int]]:
    with database.transaction(read_only=True) as session:
        rows = session.scalars(
            select(OrderLineDiscount).where(OrderLineDiscount.order_id == order_id)
        )
        return [(r.offer_key, r.funder, r.amount) for r in rows]


def _available(database: Database, shop: Shop, sku_id: int) -> int:
    with database.transaction(read_only=True) as session:
        units = inventory_service.available(
            session=session,
            brand_id=shop.world.brand.id,
            sku_ids=[sku_id],
            location_ids=[shop.store_id],
        )
        return units[(shop.store_id, sku_id)]


def test_a_gift_enters_the_order_as_a_line_priced_at_nothing(database: Database) -> None:
    shop = order_builders.shop(database, prices=[12_900, 5_990], stock=10)
    member_id = pb.member(database, shop)
    coupon = pb.claim(database, member_id, _gift_template(database, shop))
    order_id = _order(database, shop, member_id)
    assert _lines(database, order_id) == [
        (shop.skus[0], 12_900, 0, 12_900),
        (shop.skus[1], 5_990, 5_990, 0),
    ]
    assert _discounts(database, order_id) == [(f"coupon:{coupon}", "brand", 5_990)]
    with database.transaction(read_only=True) as session:
        held = session.get(Coupon, coupon)
        assert held is not None
        assert (held.status, held.discount) == ("reserved", 5_990)
    assert _available(database, shop, shop.skus[1]) == 9


def test_a_gift_the_store_cannot_spare_is_left_out_and_the_order_goes_through(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[12_900, 5_990], stock=10)
    member_id = pb.member(database, shop)
    coupon = pb.claim(database, member_id, _gift_template(database, shop, gift_sku_id=shop.skus[0]))
    quote = promotions_service.price_cart(pb.priced(database, shop, member_id, [10, 0]))
    order_id = _order(database, shop, member_id, quantity=10)
    assert quote.best.applied == ()
    assert [(o.key, o.reason.value) for o in quote.left_out] == [
        (f"coupon:{coupon}", "gift_out_of_stock")
    ]
    assert _lines(database, order_id) == [(shop.skus[0], 12_900, 0, 129_000)]


def _service_voucher(database: Database, shop: Shop) -> tuple[int, int]:
    template = pb.template(
        database, shop, name="a free fitting", kind="service", terms={"amount": 8_000}
    )
    return template, pb.claim(database, pb.member(database, shop), template)


def _staff(database: Database, staff_id: int) -> Scope:
    with database.transaction(read_only=True) as session:
        staff = auth_service.get_staff(session=session, scope=SYSTEM, staff_id=staff_id)
        return auth_service.scope_for_staff(session=session, staff=staff)


def _use(database: Database, scope: Scope, coupon_id: int, store_id: int) -> str:
    try:
        with database.transaction() as session:
            promotions_service.redeem_at_store(
                session=session, scope=scope, coupon_id=coupon_id, store_id=store_id
            )
    except DomainError as refused:
        return refused.code
    return "redeemed"


def test_a_service_voucher_used_at_two_tills_at_once_is_used_once(database: Database) -> None:
    shop = pb.shop(database)
    _, coupon = _service_voucher(database, shop)
    cashier = _staff(database, shop.world.east_guide.id)
    barrier = threading.Barrier(8)

    def attempt(_: int) -> str:
        barrier.wait(timeout=60)
        return _use(database, cashier, coupon, shop.store_id)

    with ThreadPoolExecutor(8) as pool:
        outcomes = Counter(pool.map(attempt, range(8)))
    with database.transaction(read_only=True) as session:
        row = session.get(Coupon, coupon)
        assert row is not None
        used = (row.status, row.store_id, row.discount)
    assert outcomes == {"redeemed": 1, "coupon_unavailable": 7}
    assert used == ("redeemed", shop.store_id, 8_000)


def test_only_a_service_voucher_of_the_stores_brand_is_used_at_a_store(database: Database) -> None:
    shop, other = pb.shop(database), pb.shop(database)
    _, theirs = _service_voucher(database, other)
    fixed = pb.claim(database, pb.member(database, shop), pb.template(database, shop))
    admin = _staff(database, shop.world.admin.id)
    assert _use(database, admin, theirs, shop.store_id) == "coupon_not_found"
    assert _use(database, admin, fixed, shop.store_id) == "coupon_not_applicable"


def _buy(database: Database, consumer_id: int, template_id: int, refusal: str | None) -> str:
    try:
        with database.transaction() as session:
            promotions_service.buy_voucher(
                session=session,
                scope=consumer_scope(consumer_id),
                template_id=template_id,
                charge=lambda amount, currency: promotions_service.Charged(
                    refusal, "sandbox:sbx_test"
                ),
            )
    except DomainError as refused:
        return refused.code
    return "bought"


def test_a_paid_voucher_records_its_price_and_face_value(database: Database) -> None:
    shop = pb.shop(database)
    template_id = pb.template(
        database, shop, name="100 for 80", kind="paid", terms={"amount": 10_000, "price": 8_000}
    )
    member_id = pb.member(database, shop)
    consumer_id = member_builders.consumer_of(database, member_id)
    with pytest.raises(DomainError) as given_away:
        pb.claim(database, member_id, template_id)
    outcomes = [
        _buy(database, consumer_id, template_id, "card declined"),
        _buy(database, consumer_id, template_id, None),
    ]
    with database.transaction(read_only=True) as session:
        coupons = session.scalars(select(Coupon).where(Coupon.template_id == template_id)).all()
        bought = [(c.channel, c.price_paid) for c in coupons]
        template = session.get(CouponTemplate, template_id)
        assert template is not None
        counted = (template.issued, template.budget_used)
        report = promotions_service.redemption_report(
            session=session, scope=SYSTEM, brand_id=shop.world.brand.id
        )
    assert given_away.value.code == "claim_closed"
    assert outcomes == ["voucher_not_paid", "bought"]
    assert bought == [("purchase", 8_000)]
    assert counted == (1, 10_000)
    assert [(t.template_id, t.sales) for t in report.templates] == [(template_id, 8_000)]


@pytest.mark.parametrize(
    ("kind", "terms"),
    [
        ("paid", {"amount": 5_000, "price": 6_000}),
        ("free_gift", {"amount": 5_000}),
        ("free_gift", {"amount": 5_000, "gift_sku_id": 2**31 - 1}),
    ],
)
def test_new_kinds_refuse_terms_that_do_not_make_them(
    database: Database, kind: str, terms: dict[str, int]
) -> None:
    shop = pb.shop(database)
    with pytest.raises(DomainError) as refused:
        pb.template(database, shop, kind=kind, terms=terms)
    assert refused.value.code == "invalid_terms"


def _voucher(database: Database, **fields: object) -> tuple[int, int, int]:
    shop = pb.shop(database)
    template_id = pb.template(
        database,
        shop,
        name="100 for 80",
        kind="paid",
        terms={"amount": 10_000, "price": 8_000},
        **fields,
    )
    member_id = pb.member(database, shop)
    consumer_id = member_builders.consumer_of(database, member_id)
    with database.transaction() as session:
        coupon = promotions_service.buy_voucher(
            session=session,
            scope=consumer_scope(consumer_id),
            template_id=template_id,
            charge=payments_service.charge_voucher,
        )
        return coupon.id, consumer_id, member_id


def _buy_back(database: Database, consumer_id: int, coupon_id: int) -> str:
    try:
        with database.transaction() as session:
            coupon = payments_service.buy_back_voucher(
                session=session, scope=consumer_scope(consumer_id), coupon_id=coupon_id
            )
            return f"{coupon.status} {coupon.refund_ref is not None}"
    except DomainError as refused:
        return refused.code


def test_an_unused_paid_voucher_is_bought_back_once(database: Database) -> None:
    coupon_id, consumer_id, _ = _voucher(database)
    refunds: list[str] = []
    with database.transaction(read_only=True) as session:
        paid_with = session.get(Coupon, coupon_id)
        assert paid_with is not None and paid_with.payment_ref is not None
        assert paid_with.payment_ref.startswith("sandbox:")
    first = _buy_back(database, consumer_id, coupon_id)
    with database.transaction(read_only=True) as session:
        row = session.get(Coupon, coupon_id)
        assert row is not None
        refunds.append(row.refund_ref or "")
    again = _buy_back(database, consumer_id, coupon_id)
    with database.transaction(read_only=True) as session:
        row = session.get(Coupon, coupon_id)
        assert row is not None
        refunds.append(row.refund_ref or "")
    assert (first, again) == ("voided True", "voided True")
    assert refunds[0] == refunds[1] != ""


def test_a_used_paid_voucher_or_someone_elses_is_not_bought_back(database: Database) -> None:
    coupon_id, consumer_id, _ = _voucher(database)
    other_id, other_consumer, _ = _voucher(database)
    with database.transaction() as session:
        session.execute(update(Coupon).where(Coupon.id == coupon_id).values(status="redeemed"))
    assert _buy_back(database, consumer_id, coupon_id) == "voucher_used"
    assert _buy_back(database, consumer_id, other_id) == "coupon_not_found"
    assert _buy_back(database, other_consumer, other_id) == "voided True"


def test_a_voucher_bought_back_returns_to_its_template_and_may_be_sold_again(
    database: Database,
) -> None:
    coupon_id, consumer_id, _ = _voucher(database, total_quantity=1, per_member_limit=1)
    with database.transaction(read_only=True) as session:
        coupon = session.get(Coupon, coupon_id)
        assert coupon is not None
        template_id = coupon.template_id

    def counted() -> tuple[int, int]:
        with database.transaction(read_only=True) as session:
            template = session.get(CouponTemplate, template_id)
            assert template is not None
            return template.issued, template.budget_used

    sold_out = _buy(database, consumer_id, template_id, None)
    before = counted()
    bought_back = _buy_back(database, consumer_id, coupon_id)
    after = counted()
    again = _buy_back(database, consumer_id, coupon_id)
    assert (sold_out, before) == ("member_limit_reached", (1, 10_000))
    assert (bought_back, after) == ("voided True", (0, 0))
    assert (again, counted()) == ("voided True", (0, 0))
    assert _buy(database, consumer_id, template_id, None) == "bought"
    assert counted() == (1, 10_000)
