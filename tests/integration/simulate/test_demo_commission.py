"""The demo's commission: the orders accrue entries and points, refunds and returns claw back,
and each brand's first period is closed by one admin and approved by the other."""

from sqlalchemy import func, select

from newretail.commission.models import (
    CommissionEntry,
    CommissionPeriod,
    CommissionStatement,
    EntryStatus,
    PeriodStatus,
    StatementStatus,
)
from newretail.db import Database
from newretail.members.consumers import earn_reference
from newretail.members.models import PointsEntry
from newretail.simulate.world import World


def test_every_brand_has_commission_entries_with_clawbacks(
    world: World, world_database: Database
) -> None:
    truth = world.truth["commission"]
    with world_database.transaction(read_only=True) as session:
        for code, brand in world.brands.items():
            entries = session.scalar(
                select(func.count()).where(CommissionEntry.brand_id == brand.id)
            )
            assert entries == truth[code]["entries"] > 0
            taken_back = session.scalar(
                select(func.count()).where(
                    CommissionEntry.brand_id == brand.id,
                    (CommissionEntry.amount < 0)
                    | (CommissionEntry.status == EntryStatus.CANCELLED.value),
                )
            )
            assert taken_back and taken_back > 0


def test_every_brand_has_a_closed_period_approved_by_a_second_admin(
    world: World, world_database: Database
) -> None:
    truth = world.truth["commission"]
    with world_database.transaction(read_only=True) as session:
        for code, brand in world.brands.items():
            period = session.get_one(CommissionPeriod, truth[code]["period_id"])
            assert period.brand_id == brand.id
            assert period.status == PeriodStatus.CLOSED.value
            rows = session.scalars(
                select(CommissionStatement).where(CommissionStatement.period_id == period.id)
            ).all()
            approved = [r for r in rows if r.status == StatementStatus.APPROVED.value]
            assert len(approved) == truth[code]["approved"] > 0
            assert all(r.approved_by_id != r.prepared_by_id for r in approved)
            assert all(r.total > 0 for r in approved)
            settled = session.scalar(
                select(func.count()).where(
                    CommissionEntry.statement_id.in_([r.id for r in approved]),
                    CommissionEntry.status == EntryStatus.SETTLED.value,
                )
            )
            assert settled and settled > 0


def test_members_earned_points_from_the_demo_orders(world: World, world_database: Database) -> None:
    with world_database.transaction(read_only=True) as session:
        for code, brand in world.brands.items():
            order_ids = world.truth["orders"]["brands"][code]["order_ids"]
            earned = session.scalar(
                select(func.count()).where(
                    PointsEntry.brand_id == brand.id,
                    PointsEntry.reference.in_([earn_reference(o) for o in order_ids]),
                )
            )
            assert earned and earned > 0
