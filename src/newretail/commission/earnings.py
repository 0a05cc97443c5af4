"""What guides and stores earned: a guide's own figures and lines, and leaderboards.

Earned means every line not cancelled (corrections count, negative), by when it was earned,
in the brand's days. A guide counts for the store where they work as a guide (the first, if
several); a store's figure is its own lines plus its guides' lines.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from newretail.auth.models import RoleAssignment, Staff
from newretail.commission.models import Beneficiary, CommissionEntry, EntryStatus
from newretail.guides import errors as guides_errors
from newretail.guides import service as guides_service
from newretail.kernel import reporting
from newretail.kernel.errors import NotFound
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.org.models import Region, Store

Entry = CommissionEntry


@dataclass(frozen=True)
class Summary:
    today: int
    month: int
    pending: int
    frozen: int  # of ``pending``: not released yet
    settled: int
    paid: int
    currency: str


@dataclass
class Rank:
    id: int
    name: str
    amount: int = 0
    lines: int = 0
    store_amount: int = 0
    guides_amount: int = 0
    code: str = ""
    mine: bool = False
    members: list[int] = field(default_factory=list)


def _guide_id(scope: Scope) -> int:
    if scope.actor_type != "staff" or scope.actor_id is None or Role.GUIDE not in scope.roles:
        raise guides_errors.NotAGuide()
    return scope.actor_id


def _earned(brand_id: int, start: datetime, end: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Entry.brand_id == brand_id,
        Entry.status != EntryStatus.CANCELLED.value,
        Entry.earned_at >= start,
        Entry.earned_at < end,
    )


def month_start(now: datetime, timezone: str) -> datetime:
    """The brand's midnight that starts the month of ``now``."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(
        ZoneInfo("UTC")
    )


def guide_summary(*, session: Session, scope: Scope, now: datetime) -> Summary:
    """The calling guide's earnings today and this month, and their lines by status."""
    guide = _guide_id(scope)
    store = guides_service.guide_store(session=session, scope=scope)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=store.brand_id)
    today = reporting.day_bounds(now, brand.timezone, 1)[0]
    month = month_start(now, brand.timezone)
    mine = (
        Entry.brand_id == brand.id,
        Entry.beneficiary_type == Beneficiary.GUIDE.value,
        Entry.guide_id == guide,
    )
    live = Entry.status != EntryStatus.CANCELLED.value

    def total(*where: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(Entry.amount).filter(*where), 0)

    frozen = (Entry.status == EntryStatus.PENDING.value) & (
        Entry.release_at.is_(None) | (Entry.release_at > now)
    )
    row = session.execute(
        select(
            total(live, Entry.earned_at >= today),
            total(live, Entry.earned_at >= month),
            total(Entry.status == EntryStatus.PENDING.value),
            total(frozen),
            total(Entry.status == EntryStatus.SETTLED.value),
            total(Entry.status == EntryStatus.PAID.value),
        ).where(*mine)
    ).one()
    today_sum, month_sum, pending, frozen_sum, settled, paid = (int(value) for value in row)
    return Summary(today_sum, month_sum, pending, frozen_sum, settled, paid, brand.currency)


def guide_lines(
    *, session: Session, scope: Scope, status: str | None, offset: int, limit: int
) -> tuple[list[CommissionEntry], bool]:
    """The calling guide's lines, newest first; and whether there are more."""
    guide = _guide_id(scope)
    query = select(Entry).where(
        Entry.brand_id == scope.brand_id,
        Entry.beneficiary_type == Beneficiary.GUIDE.value,
        Entry.guide_id == guide,
    )
    if status is not None:
        query = query.where(Entry.status == status)
    rows = list(
        session.scalars(
            query.order_by(Entry.earned_at.desc(), Entry.id.desc()).offset(offset).limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def store_board(*, session: Session, scope: Scope, start: datetime, end: datetime) -> list[Rank]:
    """The guides of the calling guide's store, by what they earned in the period."""
    me = _guide_id(scope)
    store = guides_service.guide_store(session=session, scope=scope)
    guides = session.execute(
        select(Staff.id, Staff.display_name)
        .join(RoleAssignment, RoleAssignment.staff_id == Staff.id)
        .where(
            RoleAssignment.store_id == store.id,
            RoleAssignment.role == Role.GUIDE.value,
            Staff.is_active,
        )
        .distinct()
    ).all()
    sums = _guide_sums(session, store.brand_id, start, end, [g.id for g in guides])
    board = [Rank(g.id, g.display_name, *sums.get(g.id, (0, 0)), mine=g.id == me) for g in guides]
    return sorted(board, key=lambda r: (-r.amount, r.name, r.id))


def _guide_sums(
    session: Session, brand_id: int, start: datetime, end: datetime, guide_ids: list[int] | None
) -> dict[int, tuple[int, int]]:
    query = (
        select(Entry.guide_id, func.sum(Entry.amount), func.count(Entry.id))
        .where(*_earned(brand_id, start, end), Entry.beneficiary_type == Beneficiary.GUIDE.value)
        .group_by(Entry.guide_id)
    )
    if guide_ids is not None:
        query = query.where(Entry.guide_id.in_(guide_ids))
    return {int(g): (int(s), int(c)) for g, s, c in session.execute(query) if g is not None}


def leaderboard(
    *, session: Session, scope: Scope, brand_id: int, by: str, start: datetime, end: datetime
) -> list[Rank]:
    """Stores (``by="store"``) or regions (``by="region"``) the caller reads reports of,
    by commission earned in the period: their own lines plus their guides'."""
    covered = reporting.covered_stores(scope, brand_id)
    if by not in ("store", "region"):
        raise NotFound("No such leaderboard.")
    stores_query = (
        select(Store.id, Store.code, Store.name, Store.region_id, Region.name.label("region"))
        .join(Region, Region.id == Store.region_id)
        .where(Store.brand_id == brand_id)
    )
    if covered is not None:
        stores_query = stores_query.where(Store.id.in_(sorted(covered)))
    stores = session.execute(stores_query).all()
    ranks = {s.id: Rank(s.id, s.name, code=s.code) for s in stores}
    own = session.execute(
        select(Entry.store_id, func.sum(Entry.amount), func.count(Entry.id))
        .where(*_earned(brand_id, start, end), Entry.beneficiary_type == Beneficiary.STORE.value)
        .group_by(Entry.store_id)
    )
    for store_id, amount, lines in own:
        if store_id in ranks:
            ranks[store_id].store_amount += int(amount)
            ranks[store_id].lines += int(lines)
    home = dict(
        session.execute(
            select(RoleAssignment.staff_id, func.min(RoleAssignment.store_id))
            .where(RoleAssignment.brand_id == brand_id, RoleAssignment.role == Role.GUIDE.value)
            .group_by(RoleAssignment.staff_id)
        ).all()
    )
    for guide_id, (amount, lines) in _guide_sums(session, brand_id, start, end, None).items():
        store_id = home.get(guide_id)
        if store_id in ranks:
            ranks[store_id].guides_amount += amount
            ranks[store_id].lines += lines
    for rank in ranks.values():
        rank.amount = rank.store_amount + rank.guides_amount
    rows = list(ranks.values())
    if by == "region":
        rows = _by_region(stores, ranks)
    return sorted(rows, key=lambda r: (-r.amount, r.name, r.id))


def _by_region(stores: Sequence[Any], ranks: dict[int, Rank]) -> list[Rank]:
    regions: dict[int, Rank] = {}
    for store in stores:
        region = regions.setdefault(store.region_id, Rank(store.region_id, store.region))
        rank = ranks[store.id]
        region.store_amount += rank.store_amount
        region.guides_amount += rank.guides_amount
        region.amount += rank.amount
        region.lines += rank.lines
        region.members.append(store.id)
    return list(regions.values())
