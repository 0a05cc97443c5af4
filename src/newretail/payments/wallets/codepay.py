"""Payment codes (付款码) at the till, in three steps so that no charge goes unrecorded:

    begin   (a transaction) the order claimed and checked payable, the merchant account
            that receives the store's money found, the attempt written ``pending`` under
            its own trade number, and committed before the provider hears of it: a crash
            mid-call leaves a record the worker resolves (``jobs.py``)
    attempt (no transaction) the code charged; paying or unknown is queried, then reversed
            (``rules.settle_code``)
    finish  (a transaction) the attempt settled once through ``payments.service.settle``:
            succeeded (the order paid, or the money given back if the order closed
            meanwhile), declined or reversed; still unknown, it stays pending

``pay_with_code`` runs the three (``begin_code_payment``, ``charge_code``,
``finish_code_payment``). A till splitting a sale over several tenders calls the
steps itself with ``amount`` (the part paid by code): a part never pays the order, the till
marks the order paid once its tenders cover the total.

An Idempotency-Key names the attempt (its trade number is derived from it): a retry finds
the attempt and answers its state, never charging the code twice.
"""

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from newretail.config import Settings, get_settings
from newretail.db import Database, utcnow
from newretail.kernel.errors import InvalidInput
from newretail.kernel.idempotency import actor_of
from newretail.kernel.scope import Scope
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.org import service as org_service
from newretail.payments import errors
from newretail.payments import service as payments_service
from newretail.payments.merchants import service as merchants_service
from newretail.payments.merchants.rules import ProviderName
from newretail.payments.models import Payment
from newretail.payments.rules import PaymentStatus
from newretail.payments.wallets import errors as wallet_errors
from newretail.payments.wallets import registry, rules
from newretail.payments.wallets.base import CodeCharge, WalletProvider
from newretail.payments.wallets.rules import CodeResult, CodeState
from newretail.payments.wallets.schemas import CodePaymentCreate

METHOD = "payment_code"
FINAL_STATUS = {
    CodeState.PAID: PaymentStatus.SUCCEEDED,
    CodeState.DECLINED: PaymentStatus.DECLINED,
    CodeState.REVERSED: PaymentStatus.REVERSED,
}


@dataclass(frozen=True, slots=True)
class CodeAttempt:
    payment_id: int
    order_id: int
    provider: WalletProvider
    charge: CodeCharge
    pays_order: bool
    replayed: bool = False  # an attempt made before under this key: nothing to charge


def trade_number(scope: Scope, order_id: int, key: str | None) -> str:
    """The attempt's out_trade_no: from the Idempotency-Key when there is one, else new."""
    if key is None:
        return f"nr{secrets.token_hex(14)}"
    seed = f"{actor_of(scope)}|{order_id}|{key}".encode()
    return f"nr{hashlib.sha256(seed).hexdigest()[:28]}"


def begin_code_payment(
    *, session: Session, scope: Scope, order_id: int, data: CodePaymentCreate, key: str | None
) -> CodeAttempt:
    """The attempt recorded ``pending``; the caller commits before charging."""
    orders_service.require_staff(scope, *orders_service.access_cashiers())
    order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
    number = trade_number(scope, order.id, key)
    earlier = _attempt_of(session, data.provider.value, number)
    account_id = merchants_service.resolve(
        session=session, brand_id=order.brand_id, store_id=order.store_id, provider=data.provider
    )
    provider = registry.wallet_for(session=session, name=data.provider, account_id=account_id)
    amount = data.amount or order.total
    charge = CodeCharge(
        out_trade_no=number,
        amount=amount,
        currency=order.currency,
        description=f"{order.number}",
        auth_code=data.auth_code,
        store_code=org_service.get_store(
            session=session, scope=scope, store_id=order.store_id
        ).code,
    )
    if earlier is not None:
        return CodeAttempt(earlier.id, order.id, provider, charge, amount == order.total, True)
    claimed = orders_service.claim_for_payment(
        session=session, scope=scope, order_id=order.id, now=utcnow()
    )
    if amount > claimed.total - claimed.paid_amount:
        raise InvalidInput("The amount is more than the order still owes.")
    if data.provider is not ProviderName.SANDBOX and claimed.currency != "CNY":
        raise wallet_errors.CurrencyNotSupported()
    _check_pending(session, order.id)
    payment_id = _write_pending(session, scope, claimed, charge, account_id, data.provider.value)
    return CodeAttempt(payment_id, order.id, provider, charge, amount == claimed.total)


def charge_code(
    attempt: CodeAttempt,
    *,
    settings: Settings | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CodeResult:
    """Charge the code and wait out an unknown result (no database is held meanwhile)."""
    if attempt.replayed:
        return CodeResult(CodeState.UNKNOWN, reason="replayed")
    first = attempt.provider.pay_with_code(attempt.charge)
    return rules.settle_code(
        attempt.provider,
        out_trade_no=attempt.charge.out_trade_no,
        first=first,
        patience=registry.patience(settings or get_settings()),
        sleep=sleep,
    )


def finish_code_payment(
    *, session: Session, scope: Scope, attempt: CodeAttempt, result: CodeResult
) -> tuple[Payment, Order]:
    """The attempt settled once (left pending while its result is still unknown)."""
    payment = session.get(Payment, attempt.payment_id, populate_existing=True)
    if payment is None:
        raise errors.PaymentNotFound()
    status = FINAL_STATUS.get(result.state)
    if status is not None:
        payments_service.settle(
            session=session,
            provider=attempt.provider,
            payment=payment,
            status=status,
            pays_order=attempt.pays_order,
            failure_reason=result.reason[:200] or None,
        )
    elif not attempt.replayed:
        payment.failure_reason = f"unknown: {result.reason}"[:200]
        session.flush()
    order = orders_service.get_order(session=session, scope=scope, order_id=attempt.order_id)
    return payment, order


def pay_with_code(
    *,
    database: Database,
    scope: Scope,
    order_id: int,
    data: CodePaymentCreate,
    key: str | None = None,
    settings: Settings | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Payment, Order]:
    """Begin, charge and finish one payment code, each step in its own transaction."""
    with database.transaction() as session:
        started = begin_code_payment(
            session=session, scope=scope, order_id=order_id, data=data, key=key
        )
    result = charge_code(started, settings=settings, sleep=sleep)
    with database.transaction() as session:
        return finish_code_payment(session=session, scope=scope, attempt=started, result=result)


def _attempt_of(session: Session, provider: str, number: str) -> Payment | None:
    return session.scalar(
        select(Payment).where(Payment.provider == provider, Payment.provider_ref == number)
    )


def _check_pending(session: Session, order_id: int) -> None:
    pending = session.scalar(
        select(Payment.id)
        .where(Payment.order_id == order_id, Payment.status == PaymentStatus.PENDING.value)
        .limit(1)
    )
    if pending is not None:
        raise errors.PaymentPending()


def _write_pending(
    session: Session,
    scope: Scope,
    order: orders_service.OrderView,
    charge: CodeCharge,
    account_id: int | None,
    provider: str,
) -> int:
    values = {
        "brand_id": order.brand_id,
        "order_id": order.id,
        "provider": provider,
        "provider_ref": charge.out_trade_no,
        "merchant_account_id": account_id,
        "method": METHOD,
        "amount": charge.amount,
        "currency": charge.currency,
        "status": PaymentStatus.PENDING.value,
        "failure_reason": None,
        "actor_type": scope.actor_type,
        "actor_id": scope.actor_id,
        "created_at": utcnow(),
        "confirmed_at": None,
    }
    statement = insert(Payment).returning(Payment.id)
    return int(session.connection().execute(statement, values).scalar_one())
