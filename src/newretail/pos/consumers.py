"""Balances follow refunds: an outbox consumer of the payments' ``payment.refunded``.

A refund's share given back to a tender a member paid from their own balance goes back to
that balance: store credit is credited, points are added back (kind ``adjust``).

Points come back as the till took them, not at whatever the brand's rate is on the day of
the refund: a sale's points tenders took ``spent`` points for ``paid`` fen, and once
``refunded`` of those fen have gone back the member has had back ``spent`` less what they
would keep in proportion (``members.rules.points_kept``), so partial refunds never give
back more than was spent and a full one gives back all of it. A points tender the till's
journal does not show (none is made elsewhere) comes back at the brand's current rate.

Idempotent: each part is posted once under the reference ``refund:<refund id>:<payment id>``.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.kernel.scope import SYSTEM
from newretail.members import rules as member_rules
from newretail.members import service as members_service
from newretail.members.models import Membership
from newretail.members.rules import PointsKind
from newretail.outbox.consumers import Consumer
from newretail.outbox.models import OutboxEvent
from newretail.payments import service as payments_service
from newretail.pos import credit
from newretail.pos.models import PosSale
from newretail.pos.rules import TenderMethod

EVENTS = ("payment.refunded",)


def follow_refund(session: Session, event: OutboxEvent) -> None:
    payload = event.payload
    member_id, refund_id = payload.get("member_id"), payload.get("refund_id")
    brand_id = event.brand_id
    if not isinstance(member_id, int) or not isinstance(refund_id, int) or brand_id is None:
        return
    for part in payload.get("tenders") or []:
        method, amount = part.get("method"), int(part.get("amount") or 0)
        payment_id = part.get("payment_id")
        reference = f"refund:{refund_id}:{payment_id}"
        if method == TenderMethod.STORE_CREDIT and amount > 0:
            credit.post(
                session=session,
                scope=SYSTEM,
                brand_id=brand_id,
                member_id=member_id,
                delta=amount,
                reference=reference,
                reason="refunded to store credit",
            )
        elif method == TenderMethod.POINTS and amount > 0 and isinstance(payment_id, int):
            member = session.get(Membership, member_id)
            if member is None or member.brand_id != brand_id:
                continue
            points = _points_back(session, event, member, payment_id, refund_id, amount)
            if points > 0:
                members_service.post_entry(
                    session=session,
                    member=member,
                    kind=PointsKind.ADJUST,
                    delta=points,
                    now=event.occurred_at,
                    actor=SYSTEM,
                    reason="refunded to points",
                    reference=reference,
                )


def _points_back(
    session: Session,
    event: OutboxEvent,
    member: Membership,
    payment_id: int,
    refund_id: int,
    amount: int,
) -> int:
    """The points ``amount`` fen refunded to a points tender give back (see the module)."""
    taken = _points_taken(session, event, member, payment_id)
    if taken is None:
        rate = members_service.programme_of(
            session=session, brand_id=member.brand_id
        ).redeem_points_per_yuan
        return member_rules.points_for(amount, rate)
    spent, paid, payment_ids = taken
    before = payments_service.refunded_before(session, payment_ids, refund_id)

    def back(refunded: int) -> int:
        return spent - member_rules.points_kept(earned=spent, paid=paid, refunded=refunded)

    return back(before + amount) - back(before)


def _points_taken(
    session: Session, event: OutboxEvent, member: Membership, payment_id: int
) -> tuple[int, int, list[int]] | None:
    """For the till's sale that made the points tender ``payment_id``: the points it took,
    the fen its points tenders paid, and those tenders' payments (None: no such sale)."""
    order_id = event.payload.get("order_id")
    if not isinstance(order_id, int):
        return None
    sales = session.scalars(
        select(PosSale).where(PosSale.order_id == order_id, PosSale.brand_id == member.brand_id)
    )
    for sale in sales:
        tenders: list[dict[str, Any]] = list((sale.result or {}).get("tenders") or [])
        points = [t for t in tenders if t.get("method") == TenderMethod.POINTS]
        if not any(t.get("payment_id") == payment_id for t in points):
            continue
        spent = members_service.entry_by_reference(
            session, member.id, PointsKind.SPEND, f"pos:{sale.client_id}"
        )
        if spent is None:
            return None
        paid = sum(int(t.get("amount") or 0) for t in points)
        payment_ids = [int(t["payment_id"]) for t in points if isinstance(t.get("payment_id"), int)]
        return -spent.points, paid, payment_ids
    return None


BALANCES_FOLLOW_REFUNDS = Consumer.each("pos_balances_follow_refunds", EVENTS, follow_refund)
