"""Memberships of a brand: the member programme, joining (race-safe), reading and consents."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.auth import service as auth_service
from newretail.db import utcnow
from newretail.kernel import upserts, visibility
from newretail.kernel.errors import NotFound
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.members import errors, rules
from newretail.members.access import active_binding, get_member, member_query
from newretail.members.models import (
    ConsumerIdentifier,
    MemberBinding,
    MemberNumberCounter,
    MemberProgram,
    Membership,
)
from newretail.members.phones import normalise_phone
from newretail.members.rules import DEFAULT_TIERS, IdentifierKind, JoinChannel, Tier, TierBasis
from newretail.members.schemas import (
    Consents,
    MemberProgramRead,
    MemberProgramUpdate,
    MemberRead,
    TierRead,
)
from newretail.members.views import member_view, member_views
from newretail.org import service as org_service
from newretail.outbox import service as outbox_service

# ---- the member programme -------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    tier_basis: TierBasis = TierBasis.POINTS
    tier_window_days: int = 365
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    points_expiry_days: int | None = 365
    points_per_yuan: int = 1
    redeem_points_per_yuan: int = 100  # points that pay one yuan (0: points pay nothing)
    redeem_cap_pct: int = 50  # at most this share of what is left after discounts

    def multiplier_pct(self, tier: str) -> int:
        """The points multiplier (a percentage) of ``tier``; 100 for a tier no longer set."""
        return next((t.points_multiplier_pct for t in self.tiers if t.code == tier), 100)


def programme_of(*, session: Session, brand_id: int) -> Programme:
    row = session.get(MemberProgram, brand_id)
    if row is None:
        return Programme()
    return Programme(
        tier_basis=TierBasis(row.tier_basis),
        tier_window_days=row.tier_window_days,
        tiers=tuple(
            Tier(
                t["code"],
                t["name"],
                int(t["threshold"]),
                int(t.get("points_multiplier_pct", 100)),
            )
            for t in row.tiers
        )
        or DEFAULT_TIERS,
        points_expiry_days=row.points_expiry_days,
        points_per_yuan=row.points_per_yuan,
        redeem_points_per_yuan=row.redeem_points_per_yuan,
        redeem_cap_pct=row.redeem_cap_pct,
    )


def _programme_read(brand_id: int, programme: Programme) -> MemberProgramRead:
    return MemberProgramRead(
        brand_id=brand_id,
        tier_basis=programme.tier_basis.value,
        tier_window_days=programme.tier_window_days,
        tiers=[
            TierRead(
                code=t.code,
                name=t.name,
                threshold=t.threshold,
                points_multiplier_pct=t.points_multiplier_pct,
            )
            for t in programme.tiers
        ],
        points_expiry_days=programme.points_expiry_days,
        points_per_yuan=programme.points_per_yuan,
        redeem_points_per_yuan=programme.redeem_points_per_yuan,
        redeem_cap_pct=programme.redeem_cap_pct,
    )


def get_programme(*, session: Session, scope: Scope, brand_id: int | None) -> MemberProgramRead:
    brand = org_service.get_brand(
        session=session, scope=scope, brand_id=scope.target_brand(brand_id)
    )
    return _programme_read(brand.id, programme_of(session=session, brand_id=brand.id))


def put_programme(
    *, session: Session, scope: Scope, data: MemberProgramUpdate
) -> MemberProgramRead:
    """Set a brand's tiers and points expiry; members are re-tiered on their next points change."""
    brand_id = scope.target_brand(data.brand_id)
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    scope.require(Role.BRAND_ADMIN)
    tiers = [Tier(t.code, t.name, t.threshold, t.points_multiplier_pct) for t in data.tiers]
    try:
        rules.check_tiers(tiers)
    except ValueError as exc:
        raise errors.InvalidMemberProgram(str(exc)) from exc
    row = session.get(MemberProgram, brand_id) or MemberProgram(brand_id=brand_id)
    row.tier_basis = data.tier_basis.value
    row.tier_window_days = data.tier_window_days
    row.tiers = [
        {
            "code": t.code,
            "name": t.name,
            "threshold": t.threshold,
            "points_multiplier_pct": t.points_multiplier_pct,
        }
        for t in tiers
    ]
    row.points_expiry_days = data.points_expiry_days
    row.points_per_yuan = data.points_per_yuan
    row.redeem_points_per_yuan = data.redeem_points_per_yuan
    row.redeem_cap_pct = data.redeem_cap_pct
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="member_program.updated",
        target_type="brand",
        target_id=brand_id,
        brand_id=brand_id,
        details=data.model_dump(mode="json", exclude={"brand_id"}),
    )
    return _programme_read(brand_id, programme_of(session=session, brand_id=brand_id))


# ---- joining --------------------------------------------------------------------------


def _next_member_no(session: Session, brand_id: int) -> str:
    """The brand's next member number, from one atomic increment (numbers are never reused):
    the brand's counter made at 1, or moved up by one, in one statement."""
    counted = upserts.insert(session, MemberNumberCounter).values(brand_id=brand_id, last_number=1)
    number = session.execute(
        counted.on_conflict_do_update(
            index_elements=[MemberNumberCounter.brand_id],
            set_={"last_number": MemberNumberCounter.last_number + 1},
        )
        .returning(MemberNumberCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return f"{number:010d}"


def find_membership(*, session: Session, brand_id: int, consumer_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(
            Membership.brand_id == brand_id, Membership.consumer_id == consumer_id
        )
    )


def brand_memberships(
    *, session: Session, brand_id: int, member_ids: Collection[int]
) -> dict[int, Membership]:
    """The brand's memberships among ``member_ids``, in one read, by member id."""
    if not member_ids:
        return {}
    rows = session.scalars(
        select(Membership).where(
            Membership.brand_id == brand_id, Membership.id.in_(sorted(set(member_ids)))
        )
    )
    return {row.id: row for row in rows}


def member_by_number(*, session: Session, brand_id: int, member_no: str) -> Membership | None:
    """The brand's member with this number (what a member's card and QR code carry)."""
    return session.scalar(
        select(Membership).where(Membership.brand_id == brand_id, Membership.member_no == member_no)
    )


def ensure_membership(
    *,
    session: Session,
    brand_id: int,
    consumer_id: int,
    channel: JoinChannel,
    store_id: int | None,
    consents: Consents,
    now: datetime | None = None,
) -> tuple[Membership, bool]:
    """The consumer's membership of the brand, created if none: (membership, created).

    Two concurrent joins of one consumer meet on the unique (brand, consumer) pair; the
    loser's savepoint rolls back and it returns the winner's membership.
    """
    existing = find_membership(session=session, brand_id=brand_id, consumer_id=consumer_id)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    programme = programme_of(session=session, brand_id=brand_id)
    try:
        with session.begin_nested():
            member = Membership(
                brand_id=brand_id,
                consumer_id=consumer_id,
                member_no=_next_member_no(session, brand_id),
                tier=rules.entry_tier(programme.tiers),
                points=0,
                consent_marketing=consents.marketing,
                consent_sms=consents.sms,
                consent_analytics=consents.analytics,
                consent_updated_at=now,
                join_channel=channel.value,
                join_store_id=store_id,
                joined_at=now,
            )
            session.add(member)
            session.flush()
    except IntegrityError:
        existing = find_membership(session=session, brand_id=brand_id, consumer_id=consumer_id)
        if existing is None:
            raise
        return existing, False
    _announce_join(session, member)
    return member, True


def _announce_join(session: Session, member: Membership) -> None:
    outbox_service.record(
        session=session,
        brand_id=member.brand_id,
        type="member.joined",
        resource_type="member",
        resource_id=member.id,
        payload={
            "member_id": member.id,
            "consumer_id": member.consumer_id,
            "member_no": member.member_no,
            "join_channel": member.join_channel,
            "join_store_id": member.join_store_id,
            "joined_at": member.joined_at.isoformat(),
        },
    )


# ---- reading and consents -------------------------------------------------------------


def list_members(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    phone: str | None = None,
    member_no: str | None = None,
    tier: str | None = None,
    store_id: int | None = None,
    guide_id: int | None = None,
) -> tuple[list[MemberRead], str | None]:
    """Members the caller may see, filtered; ``store_id``/``guide_id`` mean actively bound there."""
    query = member_query(session=session, scope=scope)
    if phone is not None:
        query = query.where(
            exists().where(
                ConsumerIdentifier.consumer_id == Membership.consumer_id,
                ConsumerIdentifier.kind == IdentifierKind.PHONE.value,
                ConsumerIdentifier.value == normalise_phone(phone),
            )
        )
    if member_no is not None:
        query = query.where(Membership.member_no == member_no)
    if tier is not None:
        query = query.where(Membership.tier == tier)
    if store_id is not None or guide_id is not None:
        bound = exists().where(
            MemberBinding.membership_id == Membership.id, active_binding(utcnow())
        )
        if store_id is not None:
            bound = bound.where(MemberBinding.store_id == store_id)
        if guide_id is not None:
            bound = bound.where(MemberBinding.guide_id == guide_id)
        query = query.where(bound)
    members, next_cursor = paginate(
        session=session, query=query, id_column=Membership.id, cursor=cursor, limit=limit
    )
    return member_views(session=session, scope=scope, members=members), next_cursor


def read_member(*, session: Session, scope: Scope, member_id: int) -> MemberRead:
    member = get_member(session=session, scope=scope, member_id=member_id)
    return member_view(session=session, scope=scope, member=member)


def update_consents(
    *, session: Session, scope: Scope, member_id: int, consents: Consents
) -> MemberRead:
    """The consumer, or staff recording what the consumer said at the counter."""
    member = get_member(session=session, scope=scope, member_id=member_id)
    if scope.actor_type != "consumer":
        scope.require(Role.BRAND_ADMIN, Role.INTEGRATION, Role.STORE_MANAGER, Role.CASHIER)
    member.consent_marketing = consents.marketing
    member.consent_sms = consents.sms
    member.consent_analytics = consents.analytics
    member.consent_updated_at = utcnow()
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="member.consents_changed",
        target_type="member",
        target_id=member.id,
        brand_id=member.brand_id,
        details=consents.model_dump(),
    )
    return member_view(session=session, scope=scope, member=member)


def list_guide_members(
    *, session: Session, scope: Scope, guide_id: int, cursor: str | None, limit: int
) -> tuple[list[MemberRead], str | None]:
    """Members actively bound to a guide; a guide sees only their own."""
    try:
        auth_service.get_staff(session=session, scope=scope, staff_id=guide_id)
    except NotFound as exc:
        raise errors.GuideNotFound() from exc
    if visibility.rung_of(scope) is visibility.Rung.GUIDE and guide_id != scope.actor_id:
        raise errors.GuideNotFound()
    return list_members(session=session, scope=scope, cursor=cursor, limit=limit, guide_id=guide_id)
