"""Builders for members tests: consumers, guides, policies and memberships via the services."""

from datetime import datetime
from itertools import count
from typing import Any

from sqlalchemy import ColumnElement, select

from newretail.auth.models import Staff
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.binding_rules import BindingMode, BindingSource
from newretail.members.models import Membership, PointsEntry
from newretail.members.rules import IdentifierKind, PointsKind
from newretail.members.schemas import BindingPolicyUpdate, Consents, MemberProgramUpdate
from newretail.simulate.journey_plan import JourneysPlan
from newretail.simulate.members import BrandMembersPlan, MembersPlan
from newretail.simulate.orders import OrdersPlan
from newretail.simulate.shanghai import BEAUTY, SPORTSWEAR
from tests import builders

_phones = count(13800000001)


def phone() -> str:
    """A fresh valid Chinese mobile number, national format."""
    return str(next(_phones))


def consumer(database: Database, number: str | None = None, *, verified: bool = True) -> int:
    e164 = "+86" + (number or phone())
    with database.transaction() as session:
        consumer_id, _ = members_service.consumer_for_phone(
            session=session, phone=e164, verified=verified
        )
    return consumer_id


def link(database: Database, consumer_id: int, kind: IdentifierKind, value: str) -> None:
    """An identifier (an anonymous id, a device, a union id) becomes the consumer's."""
    with database.transaction() as session:
        members_service.link_identifier(
            session=session, scope=SYSTEM, consumer_id=consumer_id, kind=kind, value=value
        )


def guide(database: Database, brand_id: int, store_id: int) -> Staff:
    with database.transaction() as session:
        staff = builders.staff(session, brand_id, [{"role": "guide", "store_id": store_id}])
        session.refresh(staff)
        session.expunge_all()
    return staff


def policy(
    database: Database,
    brand_id: int,
    mode: BindingMode,
    protection_days: int = 0,
    expiry_days: int | None = None,
) -> None:
    data = BindingPolicyUpdate(
        brand_id=brand_id, mode=mode, protection_days=protection_days, expiry_days=expiry_days
    )
    with database.transaction() as session:
        members_service.put_policy(session=session, scope=SYSTEM, data=data)


def programme(database: Database, brand_id: int, **fields: Any) -> None:
    data = MemberProgramUpdate.model_validate({"brand_id": brand_id, **fields})
    with database.transaction() as session:
        members_service.put_programme(session=session, scope=SYSTEM, data=data)


def scan(
    database: Database,
    brand_id: int,
    consumer_id: int,
    store_id: int,
    guide_id: int | None,
    now: datetime | None = None,
    source: BindingSource = BindingSource.BADGE_CODE,
) -> members_service.BindingOutcome:
    with database.transaction() as session:
        return members_service.bind_by_touchpoint(
            session=session,
            brand_id=brand_id,
            consumer_id=consumer_id,
            store_id=store_id,
            guide_id=guide_id,
            source=source,
            now=now,
        )


def member(
    database: Database,
    world: builders.BrandWorld,
    *,
    guide_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """A member of the world's brand, recruited at the east store (by ``guide_id``)."""
    outcome = scan(
        database,
        world.brand.id,
        consumer(database),
        world.east_store.id,
        guide_id if guide_id is not None else world.east_guide.id,
        now,
    )
    return outcome.member_id


def member_of_brand_only(database: Database, brand_id: int) -> int:
    """A member that joined online and is bound to no store."""
    with database.transaction() as session:
        member, _ = members_service.ensure_membership(
            session=session,
            brand_id=brand_id,
            consumer_id=consumer(database),
            channel=members_service.JoinChannel.ONLINE,
            store_id=None,
            consents=Consents(),
        )
        return member.id


def consumer_of(database: Database, member_id: int) -> int:
    with database.transaction(read_only=True) as session:
        found = session.get(Membership, member_id)
        assert found is not None
        return found.consumer_id


# The demo's members step at a size that builds in a second, for tests of the world's shape.
SMALL_MEMBERS_PLAN = MembersPlan(
    brands=(
        BrandMembersPlan(SPORTSWEAR.code, 80, BindingMode.OVERRIDE, 30, 180),
        BrandMembersPlan(BEAUTY.code, 60, BindingMode.FIRST_WINS, 14, 365, shared_share=0.3),
    )
)

# A few orders per brand: enough for every step to run, for tests of the world's shape.
SMALL_ORDERS_PLAN = OrdersPlan(per_brand=10, refund_share=0.2, return_share=0.1)
# Journeys at every district store still, a few dozen people each.
SMALL_JOURNEYS_PLAN = JourneysPlan(people_per_store=40, touch_buyers=3, browsers=0)


def give_points(database: Database, member_id: int, points: int) -> None:
    """Credit ``points`` to the member's account (a welcome adjustment)."""
    with database.transaction() as session:
        member = session.get(Membership, member_id)
        assert member is not None
        members_service.post_entry(
            session=session,
            member=member,
            kind=PointsKind.ADJUST,
            delta=points,
            now=utcnow(),
            actor=SYSTEM,
            reason="welcome",
        )


def ledger_points(database: Database, member_id: int, *where: ColumnElement[bool]) -> list[int]:
    """The points of the member's ledger entries that match ``where``, in the order posted."""
    with database.transaction(read_only=True) as session:
        return list(
            session.scalars(
                select(PointsEntry.points)
                .where(PointsEntry.membership_id == member_id, *where)
                .order_by(PointsEntry.id)
            )
        )
