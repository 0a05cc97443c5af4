"""Balances follow refunds: an outbox consumer of the payments' ``payment.refunded``.

A refund's share given back to a tender a member paid from their own balance goes back to
that balance: store credit is credited, points are added back (kind ``adjust``, at the
brand's redemption rate, as the till took them). Idempotent: each part is posted once under
the reference ``refund:<refund id>:<payment id>``.
"""

from sqlalchemy.orm import Session

from newretail.kernel.scope import SYSTEM
from newretail.members import rules as member_rules
from newretail.members import service as members_service
from newretail.members.models import Membership
from newretail.members.rules import PointsKind
from newretail.outbox.consumers import Consumer
from newretail.outbox.models import OutboxEvent
from newretail.pos import credit
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
        reference = f"refund:{refund_id}:{part.get('payment_id')}"
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
        elif method == TenderMethod.POINTS and amount > 0:
            rate = members_service.programme_of(
                session=session, brand_id=brand_id
            ).redeem_points_per_yuan
            _points_back(
                session, event, member_id, member_rules.points_for(amount, rate), reference
            )


def _points_back(
    session: Session, event: OutboxEvent, member_id: int, points: int, reference: str
) -> None:
    member = session.get(Membership, member_id)
    if member is None or member.brand_id != event.brand_id or points <= 0:
        return
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


BALANCES_FOLLOW_REFUNDS = Consumer.each("pos_balances_follow_refunds", EVENTS, follow_refund)
