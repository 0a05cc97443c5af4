"""Paying one order with several tenders at a till: cash, card, payment code, store credit,
points, whose amounts add up to the order's total exactly.

    purchase_with   a new order (a draft) paid by the tenders as it is placed: every tender
                    charged first, then the order written paid (a carry-out: completed),
                    one payment row per tender, the units taken from the shelf last
    pay_with        an open order (a pre-sale's deposit or balance) paid by the tenders

Tenders are charged in the order given; a declined or unanswered one stops the payment and
every tender charged before it is given back at once, so a refused payment leaves nothing
charged. A tender whose value the till holds itself (cash, a member's store credit or
points, debited by the caller in the same transaction) goes through the ``counter``
provider. Any refusal after the charges (stock gone meanwhile) gives them back too.

A consumer's wallet payment code (WeChat Pay, Alipay) is charged through the merchant account
that receives the store's money, under a trade number the till derives from its sale's client
id: a result the provider leaves open is queried, then reversed (``wallets.rules.settle_code``),
and a till that sends the same sale again reaches the same trade at the provider, never a
second charge.
"""

import dataclasses
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from newretail.config import get_settings
from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.observability import log
from newretail.orders import errors as order_errors
from newretail.orders import service as orders_service
from newretail.payments import errors, providers
from newretail.payments.merchants import service as merchants_service
from newretail.payments.models import Payment
from newretail.payments.providers import ChargeOutcome, ChargeResult
from newretail.payments.rules import PaymentStatus
from newretail.payments.wallets import registry
from newretail.payments.wallets import rules as wallet_rules
from newretail.payments.wallets.base import CodeCharge, WalletProvider

_INSERT = insert(Payment).returning(Payment.id)
BY_CODE = "by_code"  # a payment code's provider told by the code: see ``_receiver``


@dataclass(frozen=True, slots=True)
class Tender:
    """One part of a payment: how (``method``), through which provider, and how much."""

    method: str
    amount: int
    provider: str = providers.COUNTER
    instruction: str | None = None
    trade_no: str | None = None  # a wallet code's out_trade_no, the same for a replayed sale


@dataclass(frozen=True, slots=True)
class Payee:
    """Who receives the money: the brand and store (whose merchant account is found), and
    what the consumer's wallet shows for the charge."""

    brand_id: int
    store_id: int
    store_code: str
    description: str


@dataclass(frozen=True, slots=True)
class Charged:
    """A tender, the merchant account that received it, what its provider answered, and
    ``payment_id`` once written."""

    tender: Tender
    result: ChargeResult
    account_id: int | None = None
    payment_id: int = 0


def check_total(tenders: Sequence[Tender], total: int) -> None:
    """The tenders pay the total exactly: ``payment_short`` below it, ``payment_over`` above."""
    paid = sum(t.amount for t in tenders)
    if paid < total:
        raise errors.PaymentShort(f"The tenders pay {paid} of {total}.")
    if paid > total:
        raise errors.PaymentOver(f"The tenders pay {paid}, the total is {total}.")


def charge_all(
    session: Session, payee: Payee, tenders: Sequence[Tender], currency: str
) -> list[Charged]:
    """Charge each tender in turn; at the first refusal give the others back and refuse."""
    charged: list[Charged] = []
    for given in tenders:
        tender = _receiver(session, payee, given)
        account_id = merchants_service.resolve(
            session=session,
            brand_id=payee.brand_id,
            store_id=payee.store_id,
            provider=tender.provider,
        )
        if tender.provider in registry.ACCOUNT_BOUND:
            wallet = registry.wallet_for(
                session=session, name=tender.provider, account_id=account_id
            )
            result = _charge_code(wallet, payee, tender, currency)
        else:
            result = providers.get_provider(tender.provider).charge(
                amount=tender.amount, currency=currency, instruction=tender.instruction
            )
        if result.outcome is not ChargeOutcome.SUCCEEDED:
            give_back(session, charged)
            reason = result.failure_reason or "no answer from the provider"
            raise errors.TenderDeclined(f"The {tender.method} tender was refused: {reason}.")
        charged.append(Charged(tender, result, account_id))
    return charged


def _receiver(session: Session, payee: Payee, tender: Tender) -> Tender:
    """A payment code left to ``BY_CODE`` goes to the wallet whose code it is when the store
    takes that wallet (a merchant account receives it), else to the sandbox."""
    if tender.provider != BY_CODE:
        return tender
    wallet = wallet_rules.wallet_of_code(tender.instruction or "")
    taken = wallet is not None and merchants_service.resolve(
        session=session, brand_id=payee.brand_id, store_id=payee.store_id, provider=wallet
    )
    return dataclasses.replace(tender, provider=wallet if wallet and taken else providers.SANDBOX)


def _charge_code(
    wallet: WalletProvider, payee: Payee, tender: Tender, currency: str
) -> ChargeResult:
    """A payment code charged; an open result queried, then reversed (no money kept)."""
    number = tender.trade_no or f"nr{secrets.token_hex(14)}"
    if currency != "CNY":
        return ChargeResult(ChargeOutcome.DECLINED, number, "the wallet takes CNY only")
    first = wallet.pay_with_code(
        CodeCharge(
            out_trade_no=number,
            amount=tender.amount,
            currency=currency,
            description=payee.description,
            auth_code=tender.instruction or "",
            store_code=payee.store_code,
        )
    )
    result = wallet_rules.settle_code(
        wallet,
        out_trade_no=number,
        first=first,
        patience=registry.patience(get_settings()),
        sleep=time.sleep,
    )
    if result.state is wallet_rules.CodeState.PAID:
        return ChargeResult(ChargeOutcome.SUCCEEDED, number)
    if result.state is wallet_rules.CodeState.UNKNOWN:
        # Neither paid nor given back after every query and reversal: the sale is refused
        # and the trade named for the cashier's reconciliation with the provider.
        log.warning("payment_code_unsettled", provider=wallet.name, out_trade_no=number)
    return ChargeResult(ChargeOutcome.DECLINED, number, result.reason or result.state.value)


def give_back(session: Session, charged: Sequence[Charged]) -> None:
    """Refund charges that will not be kept (a later tender or the sale was refused)."""
    for item in charged:
        provider = registry.provider_for(
            session=session, name=item.tender.provider, account_id=item.account_id
        )
        provider.refund(provider_ref=item.result.provider_ref, amount=item.tender.amount)
        log.warning(
            "charge_given_back",
            provider=item.tender.provider,
            provider_ref=item.result.provider_ref,
            amount=item.tender.amount,
        )


def _write(
    session: Session,
    scope: Scope,
    order: orders_service.OrderView,
    charged: Sequence[Charged],
    now: datetime,
) -> list[Charged]:
    rows: list[Charged] = []
    for item in charged:
        values: dict[str, Any] = {
            "merchant_account_id": item.account_id,
            "brand_id": order.brand_id,
            "order_id": order.id,
            "provider": item.tender.provider,
            "provider_ref": item.result.provider_ref,
            "method": item.tender.method,
            "amount": item.tender.amount,
            "currency": order.currency,
            "status": PaymentStatus.SUCCEEDED.value,
            "failure_reason": None,
            "actor_type": scope.actor_type,
            "actor_id": scope.actor_id,
            "created_at": now,
            "confirmed_at": now,
        }
        payment_id = session.connection().execute(_INSERT, values).scalar_one()
        rows.append(Charged(item.tender, item.result, item.account_id, payment_id))
    return rows


def purchase_with(
    *,
    session: Session,
    scope: Scope,
    draft: orders_service.Draft,
    tenders: Sequence[Tender],
    before_stock: Callable[[orders_service.OrderView, list[Charged]], None] | None = None,
) -> tuple[list[Charged], orders_service.OrderView]:
    """A new order paid by ``tenders`` as it is placed; see the module docstring.

    ``before_stock``: the caller's own rows for the order and its payments, written before
    the hot stock rows are changed (a till's journal).
    """
    orders_service.require_staff(scope, *orders_service.access_cashiers())
    check_total(tenders, draft.total)
    store = draft.sale.store
    payee = Payee(draft.sale.brand.id, store.id, store.code, draft.number)
    charged = charge_all(session, payee, tenders, draft.currency)
    written: list[Charged] = []

    def write(order: orders_service.OrderView) -> None:
        written.extend(_write(session, scope, order, charged, draft.sale.now))
        if before_stock is not None:
            before_stock(order, written)

    try:
        order = orders_service.place_paid(session=session, draft=draft, before_stock=write)
    except DomainError:
        give_back(session, charged)
        raise
    return written, order


def pay_with(
    *, session: Session, scope: Scope, order_id: int, tenders: Sequence[Tender]
) -> tuple[list[Charged], orders_service.OrderView]:
    """An open order paid by ``tenders``: claimed first, charged, then marked paid."""
    orders_service.require_staff(scope, *orders_service.access_cashiers())
    now = utcnow()
    order = orders_service.claim_for_payment(
        session=session, scope=scope, order_id=order_id, now=now
    )
    check_total(tenders, order.total)
    payee = Payee(order.brand_id, order.store_id, str(order.store_id), order.number)
    charged = charge_all(session, payee, tenders, order.currency)
    try:
        written = _write(session, scope, order, charged, now)
        paid = orders_service.mark_paid(
            session=session, order_id=order.id, amount=order.total, now=now, order=order
        )
    except DomainError:
        give_back(session, charged)
        raise
    if paid is None:
        give_back(session, charged)
        raise order_errors.OrderNotPayable(
            "The order was paid or closed meanwhile; nothing was charged."
        )
    return written, paid
