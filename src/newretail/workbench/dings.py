"""DING: urgent messages with read receipts, escalated while unread.

Downwards, a manager DINGs the people they choose (staff they see; nobody is refused).
Upwards, a guide DINGs their managers (their store's managers, else the region managers
nearest above), with the member whose problem it is attached (one of the guide's own).

Each recipient has a receipt. Unread ``escalate_after_minutes`` after sending, the worker's
``escalate`` climbs one step of the ladder (``rules.LADDER``): a second notice, then an SMS,
then a notice to the recipient's manager; one step per interval, then it stops. Reading
stops it. ``now`` is passed in, so tests drive the clock.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from newretail.kernel.scope import Role, Scope
from newretail.kernel.visibility import Rung, rung_of
from newretail.members import service as members_service
from newretail.workbench import errors, notices, people, rules
from newretail.workbench.models import Ding, DingReceipt
from newretail.workbench.rules import Escalation
from newretail.workbench.schemas import DingCreate, UpwardDingCreate

SENDERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
ESCALATION_BATCH = 500
MAX_PER_HOUR = 30  # DINGs one person may send an hour: urgent is for what cannot wait


def _staff_id(scope: Scope) -> int:
    if scope.actor_type != "staff" or scope.actor_id is None or scope.brand_id is None:
        raise errors.NotAGuide("Only a member of a brand's staff may send a DING.")
    return scope.actor_id


def _check_pace(session: Session, sender_id: int, now: datetime) -> None:
    sent = session.scalar(
        select(func.count())
        .select_from(Ding)
        .where(Ding.sender_id == sender_id, Ding.created_at > now - timedelta(hours=1))
    )
    if int(sent or 0) >= MAX_PER_HOUR:
        raise errors.TooManyDings(headers={"Retry-After": "3600"})


def _create(
    session: Session,
    *,
    brand_id: int,
    sender_id: int,
    direction: str,
    body: str,
    member_id: int | None,
    minutes: int,
    recipients: Sequence[int],
    now: datetime,
) -> Ding:
    _check_pace(session, sender_id, now)
    ding = Ding(
        brand_id=brand_id,
        sender_id=sender_id,
        direction=direction,
        body=body,
        member_id=member_id,
        escalate_after_minutes=minutes,
        created_at=now,
    )
    session.add(ding)
    session.flush()
    due = rules.next_due(now, minutes, 0)
    session.add_all(
        DingReceipt(brand_id=brand_id, ding_id=ding.id, recipient_id=person, next_escalation_at=due)
        for person in sorted(set(recipients))
    )
    session.flush()
    notices.ding_sent(session=session, ding=ding, recipient_ids=sorted(set(recipients)), now=now)
    return ding


def send(*, session: Session, scope: Scope, data: DingCreate, now: datetime) -> Ding:
    """A DING down to ``data.recipients``: every one of them staff the sender sees."""
    scope.require(*SENDERS)
    sender = _staff_id(scope)
    if not data.recipients:
        raise errors.DingWithoutRecipients()
    brand_id = scope.target_brand(None)
    wanted = set(data.recipients)
    if people.brand_staff(session=session, brand_id=brand_id, staff_ids=wanted) != wanted:
        raise errors.TargetOutOfScope()
    if not scope.is_brand_wide:
        for person in wanted:
            stores = people.stores_of(session=session, staff_id=person)
            if not any(scope.sees_store(brand_id, store) for store in stores):
                raise errors.TargetOutOfScope()
    return _create(
        session,
        brand_id=brand_id,
        sender_id=sender,
        direction="down",
        body=data.body,
        member_id=None,
        minutes=data.escalate_after_minutes,
        recipients=sorted(wanted),
        now=now,
    )


def send_up(*, session: Session, scope: Scope, data: UpwardDingCreate, now: datetime) -> Ding:
    """A DING from a guide up to their managers, with one of their members attached."""
    sender = _staff_id(scope)
    if Role.GUIDE not in scope.roles:
        raise errors.NotAGuide()
    brand_id = scope.target_brand(None)
    if data.member_id is not None:
        members_service.read_member(session=session, scope=scope, member_id=data.member_id)
    managers = people.managers_of(session=session, brand_id=brand_id, staff_id=sender)
    if not managers:
        raise errors.NoManager()
    return _create(
        session,
        brand_id=brand_id,
        sender_id=sender,
        direction="up",
        body=data.body,
        member_id=data.member_id,
        minutes=data.escalate_after_minutes,
        recipients=managers,
        now=now,
    )


def _seen(scope: Scope) -> ColumnElement[bool]:
    """A DING is seen by its brand's brand-wide staff, its sender, its recipients and whoever
    it escalated to."""
    if rung_of(scope) is Rung.PLATFORM:
        return Ding.id.is_not(None)
    in_brand = Ding.brand_id == scope.brand_id
    if rung_of(scope) is Rung.BRAND:
        return in_brand
    me = scope.actor_id if scope.actor_type == "staff" else None
    involved = select(DingReceipt.ding_id).where(
        or_(DingReceipt.recipient_id == me, DingReceipt.escalated_to_id == me)
    )
    return in_brand & or_(Ding.sender_id == me, Ding.id.in_(involved))


def _visible(scope: Scope) -> Select[Ding]:
    return select(Ding).where(_seen(scope))


def get_ding(*, session: Session, scope: Scope, ding_id: int) -> Ding:
    found = session.scalar(_visible(scope).where(Ding.id == ding_id))
    if found is None:
        raise errors.DingNotFound()
    return found


def receipts(*, session: Session, ding_ids: Sequence[int]) -> dict[int, list[DingReceipt]]:
    found: dict[int, list[DingReceipt]] = {ding: [] for ding in ding_ids}
    if ding_ids:
        rows = session.scalars(
            select(DingReceipt)
            .where(DingReceipt.ding_id.in_(sorted(set(ding_ids))))
            .order_by(DingReceipt.ding_id, DingReceipt.recipient_id)
        )
        for row in rows:
            found[row.ding_id].append(row)
    return found


def list_dings(*, session: Session, scope: Scope, box: str = "all", limit: int = 50) -> list[Ding]:
    """DINGs the caller sees, newest first: ``sent`` by them, ``received`` by them, or all."""
    query = _visible(scope)
    me = scope.actor_id
    if box == "sent":
        query = query.where(Ding.sender_id == me)
    elif box == "received":
        query = query.where(
            Ding.id.in_(select(DingReceipt.ding_id).where(DingReceipt.recipient_id == me))
        )
    return list(session.scalars(query.order_by(Ding.id.desc()).limit(limit)))


def mark_read(*, session: Session, scope: Scope, ding_id: int, now: datetime) -> DingReceipt:
    """The caller read the DING: their receipt says when, and its escalation stops."""
    ding = get_ding(session=session, scope=scope, ding_id=ding_id)
    receipt = session.scalar(
        select(DingReceipt).where(
            DingReceipt.ding_id == ding.id, DingReceipt.recipient_id == scope.actor_id
        )
    )
    if receipt is None:
        raise errors.DingNotFound()
    if receipt.read_at is None:
        receipt.read_at = now
        receipt.next_escalation_at = None
        session.flush()
    return receipt


def escalate(*, session: Session, now: datetime) -> int:
    """One step up the ladder for every unread receipt that is due; how many stepped."""
    query = (
        select(DingReceipt, Ding)
        .join(Ding, Ding.id == DingReceipt.ding_id)
        .where(DingReceipt.read_at.is_(None), DingReceipt.next_escalation_at <= now)
        .order_by(DingReceipt.id)
        .limit(ESCALATION_BATCH)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=DingReceipt, skip_locked=True)
    due = [(r, d) for r, d in session.execute(query)]
    for receipt, ding in due:
        _step(session, receipt, ding, now)
    session.flush()
    return len(due)


def _step(session: Session, receipt: DingReceipt, ding: Ding, now: datetime) -> None:
    step = rules.next_step(receipt.level)
    if step is None:
        receipt.next_escalation_at = None
        return
    managers: list[int] = []
    if step is Escalation.MANAGER:
        managers = people.managers_of(
            session=session, brand_id=ding.brand_id, staff_id=receipt.recipient_id
        )
        receipt.escalated_to_id = managers[0] if managers else None
    reached = notices.ding_escalated(
        session=session, ding=ding, receipt=receipt, step=step, manager_ids=managers, now=now
    )
    receipt.level += 1
    entry = {"step": step.value, "at": now.isoformat(), "channels": reached}
    receipt.escalations = [*receipt.escalations, entry]
    receipt.next_escalation_at = rules.next_due(now, ding.escalate_after_minutes, receipt.level)
