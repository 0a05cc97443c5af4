"""Scanning a code, joining through it, and counting what each code converted.

A scan is recorded whoever scans (a consumer, or an anonymous device) and answers where
to go. A join through a code makes the consumer a member of the code's brand, bound to the
code's store and guide as the brand's binding policy decides, with the code's placement
as the binding source; the join is remembered with the code so that conversions count.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.errors import InvalidInput
from newretail.kernel.scope import Scope
from newretail.members import errors as members_errors
from newretail.members import service as members_service
from newretail.members.models import Membership
from newretail.members.schemas import Consents
from newretail.outbox import service as outbox_service
from newretail.touchpoints import rules
from newretail.touchpoints.codes import (
    Names,
    destination,
    get_code,
    names_of,
    staff_name,
)
from newretail.touchpoints.codes import find_live_code as find_live_code
from newretail.touchpoints.models import CodeJoin, CodeSale, CodeScan, TouchpointCode
from newretail.touchpoints.schemas import CodeStatsRead

DEFAULT_STATS_DAYS = 30


@dataclass(frozen=True)
class ScanResult:
    code: TouchpointCode
    scan: CodeScan
    names: Names
    target_path: str
    offers_membership: bool


def scan(
    *,
    session: Session,
    code: str,
    consumer_id: int | None = None,
    anonymous_id: str | None = None,
    device: str = "",
    now: datetime | None = None,
) -> ScanResult:
    """Record a scan of a live code and say where it leads and whether it offers membership."""
    now = now or utcnow()
    row = find_live_code(session=session, code=code)
    if consumer_id is not None:
        consumer_id = members_service.live_consumer_id(session=session, consumer_id=consumer_id)
    offers = rules.offers_membership(rules.Placement(row.placement), rules.Target(row.target))
    record = CodeScan(
        brand_id=row.brand_id,
        code_id=row.id,
        consumer_id=consumer_id,
        anonymous_id=anonymous_id,
        scanner_key=rules.scanner_key(consumer_id, anonymous_id),
        device=device[:200],
        offered_membership=offers,
        scanned_at=now,
    )
    session.add(record)
    session.flush()
    outbox_service.record(
        session=session,
        brand_id=row.brand_id,
        type="code.scanned",
        resource_type="code",
        resource_id=row.code,
        payload={
            "code": row.code,
            "store_id": row.store_id,
            "guide_id": row.guide_id,
            "placement": row.placement,
            "campaign": row.campaign,
            "consumer_id": consumer_id,
            "anonymous_id": anonymous_id,
            "scanned_at": now.isoformat(),
        },
    )
    names = names_of(session=session, row=row)
    path = rules.target_path(destination(row, names))
    return ScanResult(row, record, names, path, offers)


@dataclass(frozen=True)
class JoinResult:
    code: TouchpointCode
    member: Membership
    member_created: bool
    action: members_service.Action
    reason: str
    store_id: int | None
    guide_id: int | None
    guide_name: str | None
    names: Names


def join(
    *,
    session: Session,
    code: str,
    consumer_id: int,
    consents: Consents | None = None,
    now: datetime | None = None,
) -> JoinResult:
    """The consumer joins the code's brand through the code, bound as the policy says.

    A badge of a guide who has left (or moved store) still recruits: for the store alone.
    """
    now = now or utcnow()
    row = find_live_code(session=session, code=code)
    source = rules.binding_source(rules.Placement(row.placement))
    consents = consents or Consents()

    def bind(guide_id: int | None) -> members_service.BindingOutcome:
        return members_service.bind_by_touchpoint(
            session=session,
            brand_id=row.brand_id,
            consumer_id=consumer_id,
            store_id=row.store_id,
            guide_id=guide_id,
            source=source,
            now=now,
            consents=consents,
        )

    try:
        outcome = bind(row.guide_id)
    except (members_errors.GuideInactive, members_errors.GuideNotAtStore):
        outcome = bind(None)
    member = session.get(Membership, outcome.member_id)
    assert member is not None
    session.add(
        CodeJoin(
            brand_id=row.brand_id,
            code_id=row.id,
            membership_id=member.id,
            consumer_id=member.consumer_id,
            member_created=outcome.member_created,
            action=outcome.action.value,
            reason=outcome.reason,
            joined_at=now,
        )
    )
    session.flush()
    binding = outcome.binding
    guide_id = binding.guide_id if binding is not None else None
    return JoinResult(
        code=row,
        member=member,
        member_created=outcome.member_created,
        action=outcome.action,
        reason=outcome.reason,
        store_id=binding.store_id if binding is not None else None,
        guide_id=guide_id,
        guide_name=(
            staff_name(session=session, brand_id=row.brand_id, staff_id=guide_id)
            if guide_id is not None
            else None
        ),
        names=names_of(session=session, row=row),
    )


def stats(
    *,
    session: Session,
    scope: Scope,
    code: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> CodeStatsRead:
    """Scans, unique scanners, joins, bindings, and orders, buyers and net sales (of orders
    paid in the window, as the ``code_sales`` consumer has recorded them) of a code in
    ``[since, until)``."""
    row = get_code(session=session, scope=scope, code=code)
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name}: give the time with its time zone (e.g. Z).")
    until = until or utcnow()
    since = since or until - timedelta(days=DEFAULT_STATS_DAYS)
    scans, unique = session.execute(
        select(func.count(), func.count(distinct(CodeScan.scanner_key))).where(
            CodeScan.code_id == row.id, CodeScan.scanned_at >= since, CodeScan.scanned_at < until
        )
    ).one()
    in_window = (
        CodeJoin.code_id == row.id,
        CodeJoin.joined_at >= since,
        CodeJoin.joined_at < until,
    )
    joins = session.scalar(
        select(func.count()).where(*in_window, CodeJoin.member_created.is_(True))
    )
    bindings = session.scalar(
        select(func.count()).where(*in_window, CodeJoin.action == members_service.Action.BIND.value)
    )
    sold = _sales(session, [row.id], since, until).get(row.id, CodeSales())
    return CodeStatsRead(
        code=row.code,
        since=since,
        until=until,
        scans=int(scans),
        unique_scanners=int(unique),
        joins=int(joins or 0),
        bindings=int(bindings or 0),
        orders=sold.orders,
        buyers=sold.buyers,
        sales=sold.sales,
    )


@dataclass(frozen=True)
class CodeSales:
    orders: int = 0
    buyers: int = 0
    sales: int = 0


def _sales(
    session: Session, ids: Sequence[int], since: datetime, until: datetime
) -> dict[int, CodeSales]:
    """Orders, distinct buyers and net sales of each code's orders paid in the window."""
    rows = session.execute(
        select(
            CodeSale.code_id,
            func.count(),
            func.count(distinct(CodeSale.consumer_id)),
            func.coalesce(func.sum(CodeSale.paid_amount - CodeSale.refunded_amount), 0),
        )
        .where(CodeSale.code_id.in_(ids), CodeSale.paid_at >= since, CodeSale.paid_at < until)
        .group_by(CodeSale.code_id)
    )
    return {code_id: CodeSales(int(n), int(b), int(s)) for code_id, n, b, s in rows}


def consumer_scans(
    *,
    session: Session,
    scope: Scope,
    brand_id: int,
    consumer_id: int,
    before: datetime | None,
    limit: int,
) -> list[tuple[CodeScan, TouchpointCode]]:
    """A member's scans of the brand's codes, newest first, before ``before``.

    For a caller who has read the member (their member page): the scans are the member's
    activity, so a guide sees the member's scans of the store's shelf tags too, not only of
    the codes naming them. Another brand's caller sees none.
    """
    if not scope.is_platform and scope.brand_id != brand_id:
        return []
    query = (
        select(CodeScan, TouchpointCode)
        .join(TouchpointCode, TouchpointCode.id == CodeScan.code_id)
        .where(CodeScan.brand_id == brand_id, CodeScan.consumer_id == consumer_id)
    )
    if before is not None:
        query = query.where(CodeScan.scanned_at < before)
    rows = session.execute(
        query.order_by(CodeScan.scanned_at.desc(), CodeScan.id.desc()).limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class CodeCounts:
    scans: int = 0
    unique_scanners: int = 0
    joins: int = 0
    orders: int = 0
    buyers: int = 0
    sales: int = 0


def counts(
    *,
    session: Session,
    codes: Sequence[TouchpointCode],
    since: datetime,
    until: datetime | None = None,
) -> dict[int, CodeCounts]:
    """Scans, unique scanners, joins and sales in ``[since, until)`` of codes the caller has read.

    One grouped query per table for a whole page of codes, rather than three per code.
    """
    until = until or utcnow()
    ids = [row.id for row in codes]
    if not ids:
        return {}
    scanned = session.execute(
        select(CodeScan.code_id, func.count(), func.count(distinct(CodeScan.scanner_key)))
        .where(CodeScan.code_id.in_(ids), CodeScan.scanned_at >= since, CodeScan.scanned_at < until)
        .group_by(CodeScan.code_id)
    ).all()
    joined: dict[int, int] = {
        code_id: n
        for code_id, n in session.execute(
            select(CodeJoin.code_id, func.count())
            .where(
                CodeJoin.code_id.in_(ids),
                CodeJoin.joined_at >= since,
                CodeJoin.joined_at < until,
                CodeJoin.member_created.is_(True),
            )
            .group_by(CodeJoin.code_id)
        )
    }
    scans = {code_id: (int(n), int(unique)) for code_id, n, unique in scanned}
    sold = _sales(session, ids, since, until)
    return {
        code_id: CodeCounts(
            *scans.get(code_id, (0, 0)),
            joins=int(joined.get(code_id, 0)),
            orders=sold.get(code_id, CodeSales()).orders,
            buyers=sold.get(code_id, CodeSales()).buyers,
            sales=sold.get(code_id, CodeSales()).sales,
        )
        for code_id in ids
    }
