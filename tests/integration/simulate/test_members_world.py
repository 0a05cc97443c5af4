"""The members step: what it planted matches what the database holds, and seeds repeat."""

from collections import Counter

from sqlalchemy import func, select
from tests import member_builders as mb
from tests.integration.simulate.worlds import BuiltWorld

from newretail.auth.models import Staff
from newretail.db import Database
from newretail.members.models import MemberBinding, Membership, PointsEntry
from newretail.org.models import Brand
from newretail.simulate.members import anchor_time
from newretail.simulate.shanghai import BEAUTY, SPORTSWEAR
from newretail.simulate.world import World

SMALL = mb.SMALL_MEMBERS_PLAN


def test_the_planted_bindings_are_what_the_database_holds(
    world: World, world_database: Database
) -> None:
    truth = world.truth["members"]["brands"]
    anchor = anchor_time()
    with world_database.transaction(read_only=True) as session:
        for code, planted in truth.items():
            brand_id = session.scalar(select(Brand.id).where(Brand.code == code))
            members = session.scalar(
                select(func.count()).select_from(Membership).where(Membership.brand_id == brand_id)
            )
            bindings = list(
                session.scalars(select(MemberBinding).where(MemberBinding.brand_id == brand_id))
            )
            active = [b for b in bindings if b.expires_at is None or b.expires_at > anchor]
            usernames = dict(session.execute(select(Staff.id, Staff.username)).all())
            by_guide = Counter(usernames[b.guide_id] for b in active if b.guide_id)
            points = session.scalar(
                select(func.coalesce(func.sum(Membership.points), 0)).where(
                    Membership.brand_id == brand_id
                )
            )
            journeys = world.truth["journeys"][code]["counts"].values()
            assert members == planted["members"] + sum(counts[-1] for counts in journeys)
            assert len(bindings) == planted["bound"]
            assert len(bindings) - len(active) == planted["expired"]
            assert dict(by_guide) == planted["active_by_guide"]
            from_orders = session.scalar(
                select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
                    PointsEntry.brand_id == brand_id, PointsEntry.reference.like("order:%")
                )
            )
            assert points - from_orders == planted["points_balance"]


def test_the_world_has_expired_and_protected_bindings_and_shared_consumers(
    world: World, world_database: Database
) -> None:
    truth = world.truth["members"]["brands"]
    assert truth[SPORTSWEAR.code]["expired"] > 0
    assert truth[SPORTSWEAR.code]["protected"] > 0
    assert truth[BEAUTY.code]["shared_consumers"] > 0
    assert set(truth[SPORTSWEAR.code]["bindings_by_source"]) == {
        "badge_code",
        "pos",
        "share_link",
        "shelf_code",
    }
    with world_database.transaction(read_only=True) as session:
        spends = session.scalar(
            select(func.count()).select_from(PointsEntry).where(PointsEntry.kind == "spend")
        )
    assert spends


def test_the_same_seed_plants_the_same_members_on_either_backend(
    sqlite_world: BuiltWorld, postgresql_world: BuiltWorld
) -> None:
    assert sqlite_world.world.truth["members"]
    assert sqlite_world.world.truth == postgresql_world.world.truth
