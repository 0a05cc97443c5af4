"""Paid orders earn points: an outbox consumer of the orders' payments and refunds.

    order.paid       the order's member earns ``rules.order_points`` of the paid amount at
                     the brand's rate (``points_per_yuan``) times their tier's multiplier
                     now; ledger reference ``order:<id>`` (kind ``earn``), expiring by the
                     brand's rule
    order.cancelled  points that paid part of the order go back to the member
                     (``redemption.give_back``), as do a refund's share of them
    order.refunded   the member gives back what they no longer keep of those points
                     (``rules.points_kept``: in proportion to what is still paid, rounded
                     down), less what earlier refunds took; reference
                     ``order:<id>:refunded:<refunded amount>`` (kind ``reverse``)

Each entry's reason is the order's number (the kind says earned or reversed, in the
reader's language). A reversal never takes the balance below zero: points already spent
are not clawed back into debt, the shortfall is forgiven, and a later refund of the same
order takes back only what is due then (the cumulative due, less what was taken). An
order without a member, or another brand's member, earns nothing.

Idempotent by the ledger's unique (member, kind, reference): a replayed event finds its
entry and posts nothing; the dispatcher also records each event it handed over.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newretail.kernel.scope import SYSTEM
from newretail.members import rules
from newretail.members.memberships import programme_of
from newretail.members.models import Membership, PointsEntry
from newretail.members.points import post_entry
from newretail.members.redemption import give_back
from newretail.members.rules import PointsKind
from newretail.outbox.consumers import Consumer
from newretail.outbox.models import OutboxEvent

EVENTS = ("order.paid", "order.refunded", "order.cancelled")


def earn_reference(order_id: int) -> str:
    return f"order:{order_id}"


def reverse_reference(order_id: int, refunded: int) -> str:
    return f"order:{order_id}:refunded:{refunded}"


def follow_order(session: Session, event: OutboxEvent) -> None:
    """Earn the points of a paid order, or take back a refund's share of them."""
    payload = event.payload
    member_id, order_id = payload.get("member_id"), payload.get("id")
    if not isinstance(member_id, int) or not isinstance(order_id, int):
        return
    member = session.get(Membership, member_id)
    if member is None or member.brand_id != event.brand_id:
        return
    paid, refunded = int(payload.get("paid_amount") or 0), int(payload.get("refunded_amount") or 0)
    if event.type in ("order.cancelled", "order.refunded"):
        give_back(
            session=session,
            member=member,
            order_id=order_id,
            number=str(payload.get("number", order_id)),
            cancelled=event.type == "order.cancelled",
            paid=paid,
            refunded=refunded,
            now=event.occurred_at,
        )
    if event.type == "order.cancelled":
        return
    earned = _entry(session, member.id, PointsKind.EARN, earn_reference(order_id))
    if earned is None and event.type == "order.paid":
        earned = _earn(session, member, order_id, paid, event)
    if earned is not None and refunded > 0:
        _reverse(session, member, order_id, earned, paid, refunded, event)


def _entry(session: Session, member_id: int, kind: PointsKind, ref: str) -> PointsEntry | None:
    return session.scalar(
        select(PointsEntry).where(
            PointsEntry.membership_id == member_id,
            PointsEntry.kind == kind.value,
            PointsEntry.reference == ref,
        )
    )


def _earn(
    session: Session, member: Membership, order_id: int, paid: int, event: OutboxEvent
) -> PointsEntry | None:
    programme = programme_of(session=session, brand_id=member.brand_id)
    points = rules.order_points(
        collected=paid,
        points_per_yuan=programme.points_per_yuan,
        multiplier_pct=programme.multiplier_pct(member.tier),
    )
    if points <= 0:
        return None
    return post_entry(
        session=session,
        member=member,
        kind=PointsKind.EARN,
        delta=points,
        now=event.occurred_at,
        actor=SYSTEM,
        expires_at=rules.earn_expiry(event.occurred_at, programme.points_expiry_days),
        reason=str(event.payload.get("number", order_id)),
        reference=earn_reference(order_id),
        spend_amount=paid,
    )


def _reverse(
    session: Session,
    member: Membership,
    order_id: int,
    earned: PointsEntry,
    paid: int,
    refunded: int,
    event: OutboxEvent,
) -> None:
    ref = reverse_reference(order_id, refunded)
    if _entry(session, member.id, PointsKind.REVERSE, ref) is not None:
        return
    taken, spend_back = session.execute(
        select(
            func.coalesce(func.sum(-PointsEntry.points), 0),
            func.coalesce(func.sum(-PointsEntry.spend_amount), 0),
        ).where(
            PointsEntry.membership_id == member.id,
            PointsEntry.kind == PointsKind.REVERSE.value,
            PointsEntry.reference.like(f"{earn_reference(order_id)}:refunded:%"),
        )
    ).one()
    kept = rules.points_kept(earned=earned.points, paid=paid, refunded=refunded)
    due = earned.points - kept - int(taken)
    session.refresh(member, ["points"])
    take = min(due, member.points)
    if take <= 0:
        return
    post_entry(
        session=session,
        member=member,
        kind=PointsKind.REVERSE,
        delta=-take,
        now=event.occurred_at,
        actor=SYSTEM,
        reason=str(event.payload.get("number", order_id)),
        reference=ref,
        spend_amount=-(min(refunded, paid) - int(spend_back)),
    )


ORDER_POINTS = Consumer.each("order_points", EVENTS, follow_order)
