"""Closing a period: one statement per guide and store, carry-forward, freezes, order."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from tests import builders
from tests import settlement_builders as cb

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.commission import settlement, statements
from newretail.commission import settlement_errors as errors
from newretail.commission.models import CommissionEntry, CommissionPeriod, CommissionStatement
from newretail.db import Database
from newretail.kernel.scope import Scope

NOW = cb.EARNED + timedelta(days=18)  # 2026-11-20, in the third weekly period


def scope_of(database: Database, staff: Staff) -> Scope:
    with database.transaction() as session:
        return auth_service.scope_for_staff(session=session, staff=session.merge(staff))


def periods(database: Database, brand_id: int) -> list[CommissionPeriod]:
    with database.transaction() as session:
        found = session.scalars(
            select(CommissionPeriod)
            .where(CommissionPeriod.brand_id == brand_id)
            .order_by(CommissionPeriod.starts_at)
        )
        return list(found)


def close(
    database: Database, scope: Scope, period_id: int, now: datetime = NOW
) -> settlement.CloseResult:
    with database.transaction() as session:
        return settlement.close_period(session=session, scope=scope, period_id=period_id, now=now)


def statements_of(database: Database, period_id: int) -> dict[str, CommissionStatement]:
    with database.transaction() as session:
        rows = session.scalars(
            select(CommissionStatement).where(CommissionStatement.period_id == period_id)
        )
        return {row.beneficiary_key: row for row in rows}


def entry_row(database: Database, entry_id: int) -> CommissionEntry:
    with database.transaction() as session:
        found = session.get(CommissionEntry, entry_id)
        assert found is not None
        return found


def test_every_seven_days_opens_the_weeks_begun_at_the_brands_midnight(database: Database) -> None:
    world = cb.weekly_world(database)
    found = [(p.starts_at, p.ends_at) for p in periods(database, world.brand.id)]
    midnight = datetime(2026, 10, 31, 16, tzinfo=UTC)  # 2026-11-01 00:00 in Shanghai
    week = timedelta(days=7)
    assert found == [(midnight + i * week, midnight + (i + 1) * week) for i in range(3)]


def test_monthly_periods_end_on_the_day_of_the_month(database: Database) -> None:
    world = builders.brand_world(database)
    now = datetime(2026, 12, 10, 4, tzinfo=UTC)
    cb.schedule(database, world.brand.id, starts_on=date(2026, 10, 20), day_of_month=5, now=now)
    shanghai_midnight = [
        datetime(2026, m, d, 16, tzinfo=UTC) for m, d in ((10, 19), (11, 4), (12, 4))
    ]
    found = [(p.starts_at, p.ends_at) for p in periods(database, world.brand.id)]
    assert found == [
        (shanghai_midnight[0], shanghai_midnight[1]),
        (shanghai_midnight[1], shanghai_midnight[2]),
        (shanghai_midnight[2], datetime(2027, 1, 4, 16, tzinfo=UTC)),
    ]


def test_closing_prepares_one_statement_per_guide_and_per_store(database: Database) -> None:
    world = cb.weekly_world(database)
    brand, guide, store = world.brand.id, world.east_guide.id, world.west_store.id
    cb.entry(database, brand, guide_id=guide, amount=1000)
    cb.entry(database, brand, guide_id=guide, amount=250)
    cb.entry(database, brand, store_id=store, amount=400)
    first = periods(database, brand)[0]
    result = close(database, scope_of(database, world.admin), first.id)
    found = statements_of(database, first.id)
    assert (result.statements, result.prepared, result.entries, result.total) == (2, 2, 3, 1650)
    assert {k: (s.total, s.entry_count, s.status) for k, s in found.items()} == {
        f"guide:{guide}": (1250, 2, "prepared"),
        f"store:{store}": (400, 1, "prepared"),
    }
    assert found[f"guide:{guide}"].prepared_by_id == world.admin.id


def test_lines_frozen_past_the_end_or_awaiting_fulfilment_wait_for_a_later_period(
    database: Database,
) -> None:
    world = cb.weekly_world(database)
    brand, guide = world.brand.id, world.east_guide.id
    first, second, _ = periods(database, brand)
    waiting = cb.entry(database, brand, guide_id=guide, amount=700, release_at=None)
    later = cb.entry(database, brand, guide_id=guide, amount=300, release_at=first.ends_at)
    due = cb.entry(database, brand, guide_id=guide, amount=100)
    admin = scope_of(database, world.admin)
    close(database, admin, first.id)
    assert entry_row(database, due).statement_id is not None
    assert entry_row(database, later).statement_id is None
    close(database, admin, second.id)
    assert statements_of(database, second.id)[f"guide:{guide}"].total == 300
    assert entry_row(database, waiting).statement_id is None


def test_under_the_minimum_payout_is_carried_and_rolls_into_the_next_period(
    database: Database,
) -> None:
    world = cb.weekly_world(database, minimum_payout=1000)
    brand, guide = world.brand.id, world.east_guide.id
    first, second, _ = periods(database, brand)
    cb.entry(database, brand, guide_id=guide, amount=600)
    admin = scope_of(database, world.admin)
    assert close(database, admin, first.id).carried == 1
    carried = statements_of(database, first.id)[f"guide:{guide}"]
    assert (carried.status, carried.total) == ("carried", 600)
    cb.entry(database, brand, guide_id=guide, amount=500, release_at=first.ends_at)
    close(database, admin, second.id)
    paid_next = statements_of(database, second.id)[f"guide:{guide}"]
    assert (paid_next.status, paid_next.total, paid_next.entry_count) == ("prepared", 1100, 2)
    with database.transaction() as session:
        following = statements.carried_into(session=session, statement=carried)
        assert following is not None and following.id == paid_next.id


def test_a_negative_balance_is_carried_too(database: Database) -> None:
    world = cb.weekly_world(database)
    brand, guide = world.brand.id, world.east_guide.id
    first = periods(database, brand)[0]
    earlier = cb.entry(database, brand, guide_id=guide, amount=900, status="paid")
    cb.entry(database, brand, guide_id=guide, amount=-900, reverses_id=earlier, reason="refund")
    cb.entry(database, brand, guide_id=guide, amount=200)
    close(database, scope_of(database, world.admin), first.id)
    found = statements_of(database, first.id)[f"guide:{guide}"]
    assert (found.status, found.total) == ("carried", -700)


def test_cancelled_and_other_brands_lines_are_left_out(database: Database) -> None:
    world = cb.weekly_world(database)
    other = builders.brand_world(database)
    brand, guide = world.brand.id, world.east_guide.id
    cb.entry(database, brand, guide_id=guide, amount=800, status="cancelled")
    cb.entry(database, other.brand.id, guide_id=other.east_guide.id, amount=300)
    first = periods(database, brand)[0]
    assert close(database, scope_of(database, world.admin), first.id).statements == 0


def test_a_period_closes_once_after_its_end_and_in_order(database: Database) -> None:
    world = cb.weekly_world(database)
    first, second, third = periods(database, world.brand.id)
    cb.entry(database, world.brand.id, guide_id=world.east_guide.id, amount=100)
    admin = scope_of(database, world.admin)
    with pytest.raises(errors.EarlierPeriodOpen):
        close(database, admin, second.id)
    close(database, admin, first.id)
    with pytest.raises(errors.PeriodAlreadyClosed):
        close(database, admin, first.id)
    close(database, admin, second.id)
    with pytest.raises(errors.PeriodNotEnded):
        close(database, admin, third.id)
    assert len(statements_of(database, first.id)) == 1


def test_closing_opens_the_periods_begun_since(database: Database) -> None:
    world = cb.weekly_world(database)
    first = periods(database, world.brand.id)[0]
    close(database, scope_of(database, world.admin), first.id, now=NOW + timedelta(days=7))
    assert len(periods(database, world.brand.id)) == 4
