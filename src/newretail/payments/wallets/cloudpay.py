"""Cloud store page payments through a wallet: the order's payment prepared at the provider
(WeChat JSAPI or H5, Alipay JSAPI or H5), written ``pending``, and settled exactly once by
the provider's signed notification (``payments.service.notify``).

Opening the page again re-prepares the same pending payment (same trade number and amount),
as the providers allow, so a consumer who closed the wallet can pay without a new attempt.
"""

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.scope import Scope
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.payments import errors
from newretail.payments.merchants import service as merchants_service
from newretail.payments.models import Payment
from newretail.payments.rules import PaymentStatus
from newretail.payments.wallets import registry
from newretail.payments.wallets.base import PrepayRequest
from newretail.payments.wallets.codepay import trade_number
from newretail.payments.wallets.schemas import PrepayCreate

METHOD = "wallet_page"


def notify_url(base_url: str, provider: str, account_id: int | None) -> str:
    """Where the provider posts its notification for payments received by ``account_id``."""
    path = f"/api/v1/payments/notify/{provider}"
    return base_url.rstrip("/") + (path if account_id is None else f"{path}/{account_id}")


def start_prepay(
    *, session: Session, scope: Scope, order_id: int, data: PrepayCreate, base_url: str
) -> tuple[Payment, Order, dict[str, str]]:
    """The order's payment prepared for the page: the payment (pending), the order, and
    what the page hands the wallet."""
    if not orders_service.is_consumer(scope):
        orders_service.require_staff(scope, *orders_service.access_cashiers())
    order = orders_service.claim_for_payment(
        session=session, scope=scope, order_id=order_id, now=utcnow()
    )
    provider_name = data.provider.value
    account_id = merchants_service.resolve(
        session=session, brand_id=order.brand_id, store_id=order.store_id, provider=provider_name
    )
    provider = registry.wallet_for(session=session, name=provider_name, account_id=account_id)
    payment = _pending_page_payment(session, order.id, provider_name, order.total)
    if payment is None:
        payment = _write_pending(session, scope, order, provider_name, account_id)
    request = PrepayRequest(
        out_trade_no=payment.provider_ref,
        amount=payment.amount,
        currency=payment.currency,
        description=order.number,
        scene=data.scene,
        notify_url=notify_url(base_url, provider_name, account_id),
        payer_id=data.payer_id,
        client_ip=data.client_ip,
        return_url=data.return_url,
    )
    pay = provider.prepay(request)
    full = orders_service.get_order(session=session, scope=scope, order_id=order.id)
    return payment, full, pay


def _pending_page_payment(
    session: Session, order_id: int, provider: str, amount: int
) -> Payment | None:
    """The order's pending page payment through ``provider``; any other pending one: 409."""
    pending = session.scalars(
        select(Payment).where(
            Payment.order_id == order_id, Payment.status == PaymentStatus.PENDING.value
        )
    ).all()
    for payment in pending:
        if (payment.provider, payment.method, payment.amount) != (provider, METHOD, amount):
            raise errors.PaymentPending()
    return pending[0] if pending else None


def _write_pending(
    session: Session,
    scope: Scope,
    order: orders_service.OrderView,
    provider: str,
    account_id: int | None,
) -> Payment:
    values = {
        "brand_id": order.brand_id,
        "order_id": order.id,
        "provider": provider,
        "provider_ref": trade_number(scope, order.id, None),
        "merchant_account_id": account_id,
        "method": METHOD,
        "amount": order.total,
        "currency": order.currency,
        "status": PaymentStatus.PENDING.value,
        "actor_type": scope.actor_type,
        "actor_id": scope.actor_id,
        "created_at": utcnow(),
    }
    payment_id = session.connection().execute(insert(Payment).returning(Payment.id), values)
    payment = session.get(Payment, payment_id.scalar_one())
    if payment is None:
        raise errors.PaymentNotFound()
    return payment
