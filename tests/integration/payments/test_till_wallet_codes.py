"""A consumer's wallet payment code at the till, through the fakes of WeChat Pay and Alipay:
split with cash, an open result queried then reversed, a refusal that keeps nothing, a
replayed sale that reaches the same trade, and a refund through the receiving account."""

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.payment_fakes.world import WalletWorld
from tests.pos_builders import Till, till_at

from newretail.orders.models import Order
from newretail.payments import errors as payment_errors
from newretail.payments import service as payments_service
from newretail.payments.models import Payment
from newretail.payments.schemas import RefundCreate
from newretail.pos import service as pos_service
from newretail.pos.schemas import SaleCreate

PROVIDERS = ["wechatpay", "alipay"]
CODE = "134567890123456789"
CASH = 1_000


def _body(till: Till, provider: str, code: str = CODE) -> dict[str, Any]:
    total = sum(till.shop.prices)
    return {
        "client_id": str(uuid.uuid4()),
        "shift_id": till.shift_id,
        "lines": [{"sku_id": sku, "quantity": 1} for sku in till.shop.skus],
        "tenders": [
            {"method": "cash", "amount": CASH},
            {"method": "payment_code", "amount": total - CASH, "code": code, "provider": provider},
        ],
    }


def _sell(wallets: WalletWorld, body: dict[str, Any]) -> pos_service.Placed:
    with wallets.database.transaction() as session:
        return pos_service.place_sale(
            session=session, scope=wallets.cashier(), data=SaleCreate.model_validate(body)
        )


@dataclass(frozen=True)
class CodePayment:
    status: str
    amount: int
    provider_ref: str
    merchant_account_id: int | None


def _code_payments(wallets: WalletWorld) -> list[CodePayment]:
    with wallets.database.transaction(read_only=True) as session:
        rows = session.execute(
            select(
                Payment.status, Payment.amount, Payment.provider_ref, Payment.merchant_account_id
            )
            .where(Payment.method == "payment_code")
            .order_by(Payment.id)
        )
        return [CodePayment(*row) for row in rows]


def _pay_requests(wallets: WalletWorld, provider: str) -> int:
    if provider == "wechatpay":
        return sum(path.endswith("/codepay") for _, path in wallets.wechat.seen)
    return wallets.alipay.seen.count("alipay.trade.pay")


def _reversals(wallets: WalletWorld, provider: str) -> int:
    if provider == "wechatpay":
        return sum(path.endswith("/reverse") for _, path in wallets.wechat.seen)
    return wallets.alipay.seen.count("alipay.trade.cancel")


@pytest.fixture
def till(wallets: WalletWorld) -> Till:
    return till_at(wallets.database, wallets.shop)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_sale_split_over_cash_and_a_payment_code_pays_the_brand_account(
    wallets: WalletWorld, till: Till, provider: str
) -> None:
    placed = _sell(wallets, _body(till, provider))
    [code] = _code_payments(wallets)
    trade = wallets.fake(provider).trades[code.provider_ref]
    assert placed.read.order_status == "completed"
    assert [t.method for t in placed.read.tenders] == ["cash", "payment_code"]
    assert (code.status, code.amount) == ("succeeded", sum(till.shop.prices) - CASH)
    assert code.merchant_account_id == wallets.accounts[provider]
    assert trade is not None
    assert wallets.fake(provider).refused_signatures == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_unanswered_code_is_queried_then_reversed_and_the_sale_refused(
    wallets: WalletWorld, till: Till, provider: str
) -> None:
    wallets.fake(provider).codes[CODE] = "lost"
    with pytest.raises(payment_errors.TenderDeclined):
        _sell(wallets, _body(till, provider))
    with wallets.database.transaction(read_only=True) as session:
        orders = session.scalar(select(func.count(Order.id)).where(Order.channel == "pos"))
    assert orders == 0
    assert _code_payments(wallets) == []
    assert _reversals(wallets, provider) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_declined_code_refuses_the_sale_and_a_fresh_code_pays_it(
    wallets: WalletWorld, till: Till, provider: str
) -> None:
    wallets.fake(provider).codes[CODE] = "declined"
    body = _body(till, provider)
    with pytest.raises(payment_errors.TenderDeclined):
        _sell(wallets, body)
    fresh = "134567890123456780"
    body["tenders"][1]["code"] = fresh
    placed = _sell(wallets, body)
    assert placed.read.order_status == "completed"
    assert [p.status for p in _code_payments(wallets)] == ["succeeded"]
    assert _reversals(wallets, provider) == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_sale_sent_again_is_answered_once_and_charged_once(
    wallets: WalletWorld, till: Till, provider: str
) -> None:
    body = _body(till, provider)
    first = _sell(wallets, body)
    again = _sell(wallets, body)
    assert again.replayed
    assert again.read.order_id == first.read.order_id
    assert _pay_requests(wallets, provider) == 1
    assert len(_code_payments(wallets)) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_refund_of_a_till_sale_goes_back_through_the_receiving_account(
    wallets: WalletWorld, till: Till, provider: str
) -> None:
    placed = _sell(wallets, _body(till, provider))
    assert placed.read.order_id is not None
    with wallets.database.transaction() as session:
        payments_service.refund(
            session=session,
            scope=wallets.cashier(),
            order_id=placed.read.order_id,
            data=RefundCreate(amount=sum(till.shop.prices), reason="changed their mind"),
        )
    [code] = _code_payments(wallets)
    fake = wallets.fake(provider)
    assert fake.trades[code.provider_ref].refunded == code.amount
    assert len(fake.refunds) == 1


@pytest.mark.parametrize(
    ("provider", "code"), [("wechatpay", "134567890123456789"), ("alipay", "284567890123456789")]
)
def test_a_code_with_no_provider_named_goes_to_the_wallet_it_belongs_to(
    wallets: WalletWorld, till: Till, provider: str, code: str
) -> None:
    body = _body(till, provider, code)
    del body["tenders"][1]["provider"]
    _sell(wallets, body)
    [paid] = _code_payments(wallets)
    assert paid.merchant_account_id == wallets.accounts[provider]
    assert paid.provider_ref in wallets.fake(provider).trades
