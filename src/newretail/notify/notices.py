"""What the buyer hears about their order, through the notifier.

From the orders' outbox events (an outbox consumer):

    order.pickup_ready   ready for pickup, with the pickup code
    order.shipped        shipped, with the tracking numbers
    order.refunded       refunded, with the amount refunded so far

From time (a worker job, since no event marks a moment arriving): a pre-sale's balance
window has opened for a paid deposit, and a pay-later charge falls due within a day.

Every notice is a service message to the order's consumer, under a dedupe key, so a
replayed event or a second round of the job sends nothing twice. Orders without a
consumer, or whose consumer is not a member of the brand, are skipped.
"""

import time
from datetime import datetime, timedelta

from sqlalchemy import Exists, String, cast, exists, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel.i18n import format_datetime, format_money
from newretail.kernel.money import Money
from newretail.members.models import Membership
from newretail.notify import sending, templates
from newretail.notify.models import NotifyMessage
from newretail.notify.rules import Recipient
from newretail.orders.models import Fulfilment, Order
from newretail.org.models import Store
from newretail.outbox.models import OutboxEvent
from newretail.paylater.models import DeferredCharge
from newretail.presales.models import PresaleCampaign, PresaleDeposit

TEMPLATE_OF = {
    "order.pickup_ready": "order.ready_for_pickup",
    "order.shipped": "order.shipped",
    "order.refunded": "order.refunded",
}
BUYER_EVENTS = tuple(TEMPLATE_OF)
DUE_NOTICE = timedelta(days=1)
BATCH = 200


def _is_member(session: Session, brand_id: int, consumer_id: int) -> bool:
    return (
        session.scalar(
            select(Membership.id).where(
                Membership.brand_id == brand_id, Membership.consumer_id == consumer_id
            )
        )
        is not None
    )


def _tell(
    session: Session,
    brand_id: int,
    consumer_id: int | None,
    template: str,
    variables: dict[str, object],
    dedupe_key: str,
    now: datetime,
) -> None:
    if consumer_id is None or not _is_member(session, brand_id, consumer_id):
        return
    sending.send(
        session=session,
        brand_id=brand_id,
        recipients=[Recipient("consumer", consumer_id)],
        template=template,
        variables=variables,
        purpose="service",
        dedupe_key=dedupe_key,
        now=now,
    )


def tell_buyer(session: Session, event: OutboxEvent) -> None:
    """The buyer of the event's order hears what happened to it."""
    payload = event.payload
    order_id = payload.get("id")
    if event.brand_id is None or not isinstance(order_id, int):
        return
    order = session.get(Order, order_id)
    if order is None or order.brand_id != event.brand_id:
        return
    variables = _variables(session, event, order)
    if variables is None:
        return
    key = f"{event.type}:{order.id}"
    if event.type == "order.refunded":
        key = f"{key}:{order.refunded_amount}"
    template = TEMPLATE_OF[event.type]
    _tell(session, order.brand_id, order.consumer_id, template, variables, key, utcnow())


def _variables(session: Session, event: OutboxEvent, order: Order) -> dict[str, object] | None:
    if event.type == "order.pickup_ready":
        fulfilment = session.get(Fulfilment, event.payload.get("fulfilment_id") or 0)
        store = session.get(Store, fulfilment.location_id) if fulfilment else None
        if fulfilment is None or store is None or not fulfilment.pickup_code:
            return None
        return {
            "order_no": order.number,
            "store_name": store.name,
            "pickup_code": fulfilment.pickup_code,
        }
    if event.type == "order.shipped":
        numbers = session.scalars(
            select(Fulfilment.tracking_no)
            .where(Fulfilment.order_id == order.id, Fulfilment.tracking_no.is_not(None))
            .order_by(Fulfilment.id)
        )
        return {"order_no": order.number, "tracking_no": ", ".join(n for n in numbers if n) or "-"}
    money = Money(order.refunded_amount, order.currency)
    return {"order_no": order.number, "amount": format_money(money, templates.ZH)}


def _told(prefix: str, id_column: InstrumentedAttribute[int]) -> Exists:
    """Whether the notice keyed ``prefix + id`` was already sent (so a round skips it)."""
    key = literal(prefix) + cast(id_column, String)
    return exists().where(NotifyMessage.dedupe_key == key)


def remind(*, session: Session, now: datetime, limit: int = BATCH) -> int:
    """Tell buyers whose balance window has opened, and those with a charge due within a
    day; how many were looked at."""
    seen = 0
    deposits = session.execute(
        select(PresaleDeposit, PresaleCampaign.name)
        .join(PresaleCampaign, PresaleCampaign.id == PresaleDeposit.campaign_id)
        .where(
            PresaleDeposit.status == "deposited",
            PresaleDeposit.balance_opens_at <= now,
            PresaleDeposit.balance_closes_at > now,
            ~_told("presale.balance_open:", PresaleDeposit.id),
        )
        .order_by(PresaleDeposit.id)
        .limit(limit)
    ).all()
    for deposit, name in deposits:
        seen += 1
        _tell(
            session,
            deposit.brand_id,
            deposit.consumer_id,
            "presale.balance_open",
            {"presale": name, "closes_at": format_datetime(deposit.balance_closes_at, "zh")},
            f"presale.balance_open:{deposit.id}",
            now,
        )
    charges = session.execute(
        select(DeferredCharge, Order.number)
        .join(Order, Order.id == DeferredCharge.order_id)
        .where(
            DeferredCharge.status == "scheduled",
            DeferredCharge.due_at <= now + DUE_NOTICE,
            DeferredCharge.due_at > now,
            ~_told("paylater.due_soon:", DeferredCharge.id),
        )
        .order_by(DeferredCharge.id)
        .limit(limit)
    ).all()
    for charge, number in charges:
        seen += 1
        _tell(
            session,
            charge.brand_id,
            charge.consumer_id,
            "paylater.due_soon",
            {
                "order_no": number,
                "amount": format_money(Money(charge.amount, charge.currency), templates.ZH),
                "due_at": format_datetime(charge.due_at, "zh"),
            },
            f"paylater.due_soon:{charge.id}",
            now,
        )
    return seen


class RemindJob:
    """Worker job: a round of the timed reminders at most every ``interval`` seconds."""

    name = "remind_buyers"

    def __init__(self, interval: float = 60.0) -> None:
        self.interval = interval
        self._last = 0.0

    def __call__(self, database: Database, settings: Settings) -> int:
        del settings
        if time.monotonic() - self._last < self.interval:
            return 0
        self._last = time.monotonic()
        with database.transaction() as session:
            remind(session=session, now=utcnow())
        return 0
