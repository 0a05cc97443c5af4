"""Worker job: payment codes left pending because no answer came, settled afterwards.

A payment code attempt is pending only while its request runs, or when neither a query nor
a reversal got an answer (or the process stopped mid-call). Once no request can still be
running, the job asks the provider again: paid, it is settled as paid (the order paid, or
the money given back if the order closed meanwhile); anything else is reversed, and
settled as reversed once the provider confirms. Settling is guarded, so two workers (or a
late request) never settle one twice.
"""

from datetime import timedelta

from sqlalchemy import select

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.observability import log
from newretail.orders import service as orders_service
from newretail.payments import service as payments_service
from newretail.payments.models import Payment
from newretail.payments.rules import PaymentStatus
from newretail.payments.wallets import codepay, registry
from newretail.payments.wallets.rules import CodeState

BATCH = 20


def running_for_at_most(settings: Settings) -> timedelta:
    """How long a payment code request can run: every call timing out, every wait."""
    calls = 1 + settings.payment_code_queries + settings.payment_code_reversals
    waits = settings.payment_code_queries * settings.payment_code_query_interval_seconds
    seconds = calls * settings.payment_provider_timeout_seconds + waits
    return timedelta(seconds=seconds + 60)


def resolve_unknown_code_payments(database: Database, settings: Settings) -> int:
    """One batch of stale pending payment codes asked about again; how many were settled."""
    before = utcnow() - running_for_at_most(settings)
    with database.transaction(read_only=True) as session:
        stale = session.execute(
            select(Payment.id, Payment.provider, Payment.provider_ref, Payment.merchant_account_id)
            .where(
                Payment.method == codepay.METHOD,
                Payment.status == PaymentStatus.PENDING.value,
                Payment.created_at < before,
            )
            .order_by(Payment.id)
            .limit(BATCH)
        ).all()
    return sum(_resolve(database, *row) for row in stale)


def _resolve(
    database: Database, payment_id: int, provider_name: str, ref: str, account_id: int | None
) -> int:
    with database.transaction(read_only=True) as session:
        provider = registry.wallet_for(session=session, name=provider_name, account_id=account_id)
    result = provider.query(out_trade_no=ref)
    status = PaymentStatus.SUCCEEDED if result.state is CodeState.PAID else None
    if status is None and provider.reverse(out_trade_no=ref):
        status = PaymentStatus.REVERSED
    if status is None:
        log.warning("payment_code_still_unknown", payment_id=payment_id)
        return 0
    with database.transaction() as session:
        current = session.get(Payment, payment_id)
        if current is None:
            return 0
        order = orders_service.get_order(session=session, scope=SYSTEM, order_id=current.order_id)
        payments_service.settle(
            session=session,
            provider=provider,
            payment=current,
            status=status,
            pays_order=current.amount == order.total,
            failure_reason=None if status is PaymentStatus.SUCCEEDED else "reversed later",
        )
    return 1
