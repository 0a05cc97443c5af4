"""The points ledger: append-only entries, and a balance changed only together with them.

Every change is one conditional ``UPDATE membership ... RETURNING points`` (a debit only
where the balance covers it) plus one ledger row, inside a savepoint, so the balance
always equals the ledger's sum and can never go negative. Debits are charged against the
earliest-expiring points; the expiry job expires whatever earned points are left past
their date, set-based, a batch of members at a time.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.members import errors, rules
from newretail.members.access import get_brand_member, get_member
from newretail.members.memberships import Programme, programme_of
from newretail.members.models import Membership, PointsEntry
from newretail.members.rules import PointsKind, TierBasis
from newretail.members.schemas import PointsEntryCreate
from newretail.members.sql import is_postgresql
from newretail.outbox import service as outbox_service

EARN_ROLES = (Role.BRAND_ADMIN, Role.INTEGRATION, Role.STORE_MANAGER, Role.CASHIER)
ADJUST_ROLES = (Role.BRAND_ADMIN, Role.INTEGRATION)


def post(
    *,
    session: Session,
    scope: Scope,
    member_id: int,
    data: PointsEntryCreate,
    now: datetime | None = None,
) -> PointsEntry:
    """Staff or an integration posts an earn, spend or adjustment for a member of the brand."""
    member = get_brand_member(session=session, scope=scope, member_id=member_id)
    scope.require(*(ADJUST_ROLES if data.kind == "adjust" else EARN_ROLES))
    now = now or utcnow()
    kind = PointsKind(data.kind)
    delta = -data.points if kind == PointsKind.SPEND else data.points
    expires_at = data.expires_at
    programme = programme_of(session=session, brand_id=member.brand_id)
    if kind == PointsKind.EARN and expires_at is None:
        expires_at = rules.earn_expiry(now, programme.points_expiry_days)
    return post_entry(
        session=session,
        member=member,
        kind=kind,
        delta=delta,
        now=now,
        actor=scope,
        expires_at=expires_at,
        reason=data.reason,
        reference=data.reference,
        spend_amount=data.spend_amount,
        programme=programme,
    )


def post_entry(
    *,
    session: Session,
    member: Membership,
    kind: PointsKind,
    delta: int,
    now: datetime,
    actor: Scope,
    expires_at: datetime | None = None,
    reason: str = "",
    reference: str | None = None,
    spend_amount: int = 0,
    programme: Programme | None = None,
) -> PointsEntry:
    """Change the balance by ``delta`` and append the entry, atomically; for other domains.

    A (kind, reference) pair posted again returns the first entry instead of posting twice.
    Only a referenced entry on PostgreSQL can meet a concurrent twin (unreferenced entries
    never clash, and SQLite's writers queue behind the check above), so only it is written
    in a savepoint the clash rolls back. ``programme``: the brand's, if the caller read it.
    """
    if reference is not None:
        first = entry_by_reference(session, member.id, kind, reference)
        if first is not None:
            return _replayed(first, delta)
    values = {
        "brand_id": member.brand_id,
        "membership_id": member.id,
        "kind": kind.value,
        "points": delta,
        "expires_at": expires_at,
        "spend_amount": spend_amount,
        "reason": reason,
        "reference": reference,
        "actor_type": actor.actor_type,
        "actor_id": actor.actor_id,
        "created_at": now,
    }
    if reference is None or not is_postgresql(session):
        entry = _append(session, member.id, delta, values)
    else:
        try:
            with session.begin_nested():
                entry = _append(session, member.id, delta, values)
        except IntegrityError:
            first = entry_by_reference(session, member.id, kind, reference)
            if first is None:
                raise
            return _replayed(first, delta)
    session.expire(member, ["points", "next_expiry_at"])
    refresh_tier(session=session, member=member, now=now, programme=programme)
    return entry


def _append(session: Session, member_id: int, delta: int, values: dict[str, Any]) -> PointsEntry:
    """The balance moved and the entry that says so, written."""
    balance = _move_balance(session, member_id, delta, values["expires_at"])
    entry = PointsEntry(balance_after=balance, **values)
    session.add(entry)
    session.flush()
    return entry


def entry_by_reference(
    session: Session, member_id: int, kind: PointsKind, ref: str
) -> PointsEntry | None:
    """The member's entry of ``kind`` posted under ``ref`` (None: nothing posted)."""
    return session.scalar(
        select(PointsEntry).where(
            PointsEntry.membership_id == member_id,
            PointsEntry.kind == kind.value,
            PointsEntry.reference == ref,
        )
    )


def _replayed(first: PointsEntry, delta: int) -> PointsEntry:
    if first.points != delta:
        raise errors.PointsReferenceReused()
    return first


def _move_balance(session: Session, member_id: int, delta: int, expires_at: datetime | None) -> int:
    """One atomic UPDATE; a debit only where the balance covers it. The new balance."""
    values: dict[str, object] = {"points": Membership.points + delta}
    if delta > 0 and expires_at is not None:
        earlier = case(
            (Membership.next_expiry_at.is_(None), expires_at),
            (Membership.next_expiry_at > expires_at, expires_at),
            else_=Membership.next_expiry_at,
        )
        values["next_expiry_at"] = earlier
    statement = update(Membership).where(Membership.id == member_id)
    if delta < 0:
        statement = statement.where(Membership.points >= -delta)
    balance = session.execute(
        statement.values(values)
        .returning(Membership.points)
        .execution_options(synchronize_session=False)
    ).scalar()
    if balance is None:
        raise errors.InsufficientPoints()
    return int(balance)


def refresh_tier(
    *, session: Session, member: Membership, now: datetime, programme: Programme | None = None
) -> str:
    """Re-evaluate the member's tier from the window's points or spend; announce a change
    (``programme``: the brand's, if the caller read it)."""
    programme = programme or programme_of(session=session, brand_id=member.brand_id)
    since = now - timedelta(days=programme.tier_window_days)
    in_window = [PointsEntry.membership_id == member.id, PointsEntry.created_at > since]
    if programme.tier_basis == TierBasis.POINTS:
        measure = func.coalesce(func.sum(PointsEntry.points), 0)
        # an order's points taken back for a refund no longer count towards the tier
        in_window.append(PointsEntry.kind.in_([PointsKind.EARN.value, PointsKind.REVERSE.value]))
    else:
        measure = func.coalesce(func.sum(PointsEntry.spend_amount), 0)
    value = int(session.scalar(select(measure).where(*in_window)) or 0)
    tier = rules.evaluate_tier(programme.tiers, value)
    if tier != member.tier:
        before, member.tier = member.tier, tier
        session.flush()
        outbox_service.record(
            session=session,
            brand_id=member.brand_id,
            type="member.tier_changed",
            resource_type="member",
            resource_id=member.id,
            payload={"member_id": member.id, "from": before, "to": tier, "value": value},
        )
    return tier


def ledger(
    *, session: Session, scope: Scope, member_id: int, cursor: str | None, limit: int
) -> tuple[list[PointsEntry], str | None]:
    member = get_member(session=session, scope=scope, member_id=member_id)
    return paginate(
        session=session,
        query=select(PointsEntry).where(PointsEntry.membership_id == member.id),
        id_column=PointsEntry.id,
        cursor=cursor,
        limit=limit,
    )


# ---- expiry ---------------------------------------------------------------------------


def expire_points(*, session: Session, now: datetime | None = None, batch_size: int = 500) -> int:
    """Expire the unspent points past their date for one batch of members; how many were checked.

    Five statements per batch whatever its size: pick (and lock) the members due, sum each
    one's expired earnings and debits, take the expired points off the balances, append the
    ledger rows, and move each member's next expiry date forward.
    """
    now = now or utcnow()
    due = select(Membership.id, Membership.brand_id).where(Membership.next_expiry_at <= now)
    due = due.order_by(Membership.id).limit(batch_size)
    if is_postgresql(session):
        due = due.with_for_update(skip_locked=True)
    brands: dict[int, int] = {row[0]: row[1] for row in session.execute(due)}
    if not brands:
        return 0
    amounts = _amounts_to_expire(session, list(brands), now)
    if amounts:
        _take_off(session, amounts, brands, now)
    upcoming = (
        select(func.min(PointsEntry.expires_at))
        .where(
            PointsEntry.membership_id == Membership.id,
            PointsEntry.kind == PointsKind.EARN.value,
            PointsEntry.expires_at > now,
        )
        .scalar_subquery()
    )
    session.execute(
        update(Membership)
        .where(Membership.id.in_(list(brands)))
        .values(next_expiry_at=upcoming)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return len(brands)


def _amounts_to_expire(session: Session, member_ids: list[int], now: datetime) -> dict[int, int]:
    expired = case(
        (
            (PointsEntry.kind == PointsKind.EARN.value) & (PointsEntry.expires_at <= now),
            PointsEntry.points,
        ),
        else_=0,
    )
    debited = case((PointsEntry.points < 0, -PointsEntry.points), else_=0)
    rows = session.execute(
        select(PointsEntry.membership_id, func.sum(expired), func.sum(debited))
        .where(PointsEntry.membership_id.in_(member_ids))
        .group_by(PointsEntry.membership_id)
    )
    amounts = {
        member_id: rules.points_to_expire(expired_earned=int(e or 0), debited=int(d or 0))
        for member_id, e, d in rows
    }
    return {member_id: n for member_id, n in amounts.items() if n > 0}


def _take_off(
    session: Session, amounts: dict[int, int], brands: dict[int, int], now: datetime
) -> None:
    session.execute(
        update(Membership)
        .where(Membership.id.in_(list(amounts)))
        .values(points=Membership.points - case(amounts, value=Membership.id, else_=0))
        .execution_options(synchronize_session=False)
    )
    balances = {
        row[0]: row[1]
        for row in session.execute(
            select(Membership.id, Membership.points).where(Membership.id.in_(list(amounts)))
        )
    }
    session.add_all(
        PointsEntry(
            brand_id=brands[member_id],
            membership_id=member_id,
            kind=PointsKind.EXPIRE.value,
            points=-amount,
            balance_after=balances[member_id],
            reason="expired",
            actor_type="system",
            actor_id=None,
            created_at=now,
        )
        for member_id, amount in amounts.items()
    )
    session.flush()


def expire_points_job(database: Database, settings: Settings) -> int:
    """Worker job: one batch of points expiry in its own transaction."""
    with database.transaction() as session:
        return expire_points(session=session)
