"""Payment codes at the till through the fakes of WeChat Pay and Alipay: paid, declined,
paid once the consumer confirms, and an unknown result queried then reversed."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from tests.payment_fakes.world import WalletWorld

from newretail.config import get_settings
from newretail.db import utcnow
from newretail.orders.models import Order
from newretail.payments import service as payments_service
from newretail.payments.models import Payment
from newretail.payments.schemas import RefundCreate
from newretail.payments.wallets import service as wallets_service
from newretail.payments.wallets.schemas import CodePaymentCreate

PROVIDERS = ["wechatpay", "alipay"]
CODE = "134567890123456789"
CLOSED_AT_PROVIDER = {"wechatpay": "REVOKED", "alipay": "TRADE_CLOSED"}
REVERSE = {"wechatpay": ("POST", "reverse"), "alipay": "alipay.trade.cancel"}


def _pay(world: WalletWorld, provider: str, order_id: int, key: str | None = None) -> Payment:
    payment, _ = wallets_service.pay_with_code(
        database=world.database,
        scope=world.cashier(),
        order_id=order_id,
        data=CodePaymentCreate(provider=provider, auth_code=CODE),
        key=key,
    )
    return payment


def _order_state(world: WalletWorld, order_id: int) -> tuple[str, int]:
    with world.database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order.status, order.paid_amount


def _trade_status(world: WalletWorld, provider: str, ref: str) -> str:
    trade = world.fake(provider).trades[ref]
    return getattr(trade, "state", None) or getattr(trade, "status", "")


def _reversals(world: WalletWorld, provider: str) -> int:
    if provider == "wechatpay":
        return sum(path.endswith("/reverse") for _, path in world.wechat.seen)
    return world.alipay.seen.count("alipay.trade.cancel")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_payment_code_pays_the_order_into_the_brand_account(
    wallets: WalletWorld, provider: str
) -> None:
    order_id = wallets.order()
    payment = _pay(wallets, provider, order_id)
    assert (payment.status, payment.method, payment.amount) == (
        "succeeded",
        "payment_code",
        sum(wallets.shop.prices),
    )
    assert payment.merchant_account_id == wallets.accounts[provider]
    assert _order_state(wallets, order_id) == ("allocated", sum(wallets.shop.prices))
    assert wallets.fake(provider).refused_signatures == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_unanswered_code_is_queried_then_reversed_and_the_order_stays_unpaid(
    wallets: WalletWorld, provider: str
) -> None:
    wallets.fake(provider).codes[CODE] = "lost"
    order_id = wallets.order()
    payment = _pay(wallets, provider, order_id)
    assert payment.status == "reversed"
    assert _trade_status(wallets, provider, payment.provider_ref) == CLOSED_AT_PROVIDER[provider]
    assert _reversals(wallets, provider) == 1
    assert _order_state(wallets, order_id) == ("created", 0)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_code_the_consumer_confirms_on_the_phone_is_paid_on_query(
    wallets: WalletWorld, provider: str
) -> None:
    wallets.fake(provider).codes[CODE] = "paying"
    order_id = wallets.order()
    payment = _pay(wallets, provider, order_id)
    assert payment.status == "succeeded"
    assert _reversals(wallets, provider) == 0
    assert _order_state(wallets, order_id)[0] == "allocated"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_money_taken_whose_answer_was_lost_is_found_paid_not_reversed(
    wallets: WalletWorld, provider: str
) -> None:
    wallets.fake(provider).codes[CODE] = "lost_paid"
    order_id = wallets.order()
    payment = _pay(wallets, provider, order_id)
    assert payment.status == "succeeded"
    assert _reversals(wallets, provider) == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_declined_code_leaves_the_order_open_and_reverses_nothing(
    wallets: WalletWorld, provider: str
) -> None:
    wallets.fake(provider).codes[CODE] = "declined"
    order_id = wallets.order()
    payment = _pay(wallets, provider, order_id)
    again = _pay(wallets, provider, order_id)
    assert payment.status == "declined"
    assert payment.failure_reason
    assert _reversals(wallets, provider) == 0
    assert again.status == "declined"
    assert _order_state(wallets, order_id) == ("created", 0)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_refund_goes_back_through_the_account_that_received_the_money(
    wallets: WalletWorld, provider: str
) -> None:
    order_id = wallets.order()
    paid = _pay(wallets, provider, order_id)
    with wallets.database.transaction() as session:
        refund = payments_service.refund(
            session=session,
            scope=wallets.cashier(),
            order_id=order_id,
            data=RefundCreate(amount=1_000, reason="scratched"),
        )
    fake = wallets.fake(provider)
    assert (refund.amount, refund.payment_id) == (1_000, paid.id)
    assert fake.trades[paid.provider_ref].refunded == 1_000
    assert len(fake.refunds) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_retry_with_the_same_key_charges_the_code_once(
    wallets: WalletWorld, provider: str
) -> None:
    order_id = wallets.order()
    first = _pay(wallets, provider, order_id, key="till-7-sale-31")
    second = _pay(wallets, provider, order_id, key="till-7-sale-31")
    with wallets.database.transaction(read_only=True) as session:
        payments = session.scalars(select(Payment.id).where(Payment.order_id == order_id)).all()
    assert (second.id, second.status) == (first.id, "succeeded")
    assert payments == [first.id]
    assert len(wallets.fake(provider).trades) == 1


def test_a_reversal_without_answer_stays_pending_until_the_worker_reverses_it(
    wallets: WalletWorld,
) -> None:
    wallets.wechat.codes[CODE] = "lost"
    wallets.wechat.drop_reversals = 3
    order_id = wallets.order()
    unknown = _pay(wallets, "wechatpay", order_id)
    with wallets.database.transaction() as session:
        session.execute(
            update(Payment)
            .where(Payment.id == unknown.id)
            .values(created_at=utcnow() - timedelta(hours=1))
        )
    settled = wallets_service.resolve_unknown_code_payments(wallets.database, get_settings())
    with wallets.database.transaction(read_only=True) as session:
        later = session.get(Payment, unknown.id)
        assert later is not None
        status = later.status
    assert unknown.status == "pending"
    assert (settled, status) == (1, "reversed")
    assert wallets.wechat.trades[unknown.provider_ref].state == "REVOKED"
    assert _order_state(wallets, order_id) == ("created", 0)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("134567890123456700", "succeeded"),
        ("134567890123456791", "declined"),
        ("134567890123456792", "succeeded"),
        ("134567890123456793", "succeeded"),
        ("134567890123456794", "reversed"),
    ],
)
def test_the_sandbox_takes_payment_codes_with_nothing_configured(
    wallets: WalletWorld, code: str, status: str
) -> None:
    order_id = wallets.order()
    payment, _ = wallets_service.pay_with_code(
        database=wallets.database,
        scope=wallets.cashier(),
        order_id=order_id,
        data=CodePaymentCreate(provider="sandbox", auth_code=code),
    )
    assert (payment.status, payment.merchant_account_id) == (status, None)
