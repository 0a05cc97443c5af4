"""Points that pay part of an order: what a member may use, spending them with the order,
and giving them back when the order is cancelled or refunded.

    redeemable      the member's balance and the brand's rate and cap (``MemberProgram``)
    spend_on_order  the order's points taken in the transaction that writes the order, by
                    the ledger's guarded decrement: two checkouts at once never spend more
                    than the balance (the second finds it short and is refused)
    give_back       an outbox consumer's step: a cancelled order gives all its points back;
                    a refund gives back the share of them the refunds reach (what is no
                    longer paid, ``rules.points_kept`` rounded in the member's favour),
                    less what earlier refunds gave back

Ledger references: ``order:<id>`` (kind ``spend``) for the points paid, and
``order:<id>:back:<refunded amount>`` or ``order:<id>:back:cancelled`` (kind ``return``)
for each return, so a replayed event finds its entry and gives nothing twice.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newretail.kernel.scope import SYSTEM
from newretail.members import rules
from newretail.members.memberships import Programme
from newretail.members.models import MemberProgram, Membership, PointsEntry
from newretail.members.points import post_entry
from newretail.members.rules import PointsKind

DEFAULT = Programme()


@dataclass(frozen=True, slots=True)
class Redeemable:
    balance: int
    per_yuan: int  # points that pay one yuan (0: points pay nothing)
    cap_pct: int  # at most this share of what is left after discounts


def redeemable(*, session: Session, brand_id: int, member_id: int) -> Redeemable:
    """What the member's points may pay in this brand (a balance of 0 when they pay nothing);
    one read: the balance with the brand's programme (its defaults when it has none)."""
    row = session.execute(
        select(
            Membership.points,
            MemberProgram.redeem_points_per_yuan,
            MemberProgram.redeem_cap_pct,
        )
        .outerjoin(MemberProgram, MemberProgram.brand_id == Membership.brand_id)
        .where(Membership.id == member_id, Membership.brand_id == brand_id)
    ).first()
    if row is None:
        return Redeemable(0, DEFAULT.redeem_points_per_yuan, DEFAULT.redeem_cap_pct)
    balance, per_yuan, cap_pct = row
    per_yuan = DEFAULT.redeem_points_per_yuan if per_yuan is None else int(per_yuan)
    cap_pct = DEFAULT.redeem_cap_pct if cap_pct is None else int(cap_pct)
    usable = int(balance or 0) if per_yuan > 0 and cap_pct > 0 else 0
    return Redeemable(usable, per_yuan, cap_pct)


def spend_reference(order_id: int) -> str:
    return f"order:{order_id}"


def spend_on_order(
    *, session: Session, member_id: int, order_id: int, number: str, points: int, now: datetime
) -> None:
    """Take ``points`` off the member for the order (``insufficient_points`` if short)."""
    member = session.get(Membership, member_id)
    if member is None or points <= 0:
        return
    post_entry(
        session=session,
        member=member,
        kind=PointsKind.SPEND,
        delta=-points,
        now=now,
        actor=SYSTEM,
        reason=number,
        reference=spend_reference(order_id),
    )


def spent_on_order(*, session: Session, member_id: int, order_id: int) -> int:
    """The points the member spent on the order (0 if none)."""
    spent = session.scalar(
        select(PointsEntry.points).where(
            PointsEntry.membership_id == member_id,
            PointsEntry.kind == PointsKind.SPEND.value,
            PointsEntry.reference == spend_reference(order_id),
        )
    )
    return -int(spent) if spent is not None else 0


def give_back(
    *,
    session: Session,
    member: Membership,
    order_id: int,
    number: str,
    cancelled: bool,
    paid: int,
    refunded: int,
    now: datetime,
) -> None:
    """Give back what the order's cancellation or refunds call for, once."""
    used = spent_on_order(session=session, member_id=member.id, order_id=order_id)
    if used == 0:
        return
    prefix = f"{spend_reference(order_id)}:back:"
    given = int(
        session.scalar(
            select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
                PointsEntry.membership_id == member.id,
                PointsEntry.kind == PointsKind.RETURN.value,
                PointsEntry.reference.like(f"{prefix}%"),
            )
        )
        or 0
    )
    if cancelled:
        due, tag = used, "cancelled"
    else:
        due, tag = (
            used - rules.points_kept(earned=used, paid=paid, refunded=refunded),
            str(refunded),
        )
    if due - given <= 0:
        return
    post_entry(
        session=session,
        member=member,
        kind=PointsKind.RETURN,
        delta=due - given,
        now=now,
        actor=SYSTEM,
        reason=number,
        reference=f"{prefix}{tag}",
    )
