"""Statements after closing: approval by another person, payment, CSV, scoping, races."""

import csv
import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from tests import builders
from tests import settlement_builders as cb
from tests.integration.commission.test_settlement_close import (
    close,
    entry_row,
    periods,
    scope_of,
    statements_of,
)

from newretail.commission import settlement, statements
from newretail.commission import settlement_errors as errors
from newretail.commission.models import Beneficiary, CommissionEntry, CommissionStatement
from newretail.db import Database
from newretail.kernel.errors import DomainError, NotFound, PermissionDenied
from newretail.kernel.scope import Scope


def closed_world(database: Database) -> tuple[builders.BrandWorld, int, int, int]:
    """A brand whose first week is closed by its admin: the east guide's statement."""
    world = cb.weekly_world(database)
    line = cb.entry(database, world.brand.id, guide_id=world.east_guide.id, amount=1234)
    cb.entry(database, world.brand.id, store_id=world.east_store.id, amount=500)
    first = periods(database, world.brand.id)[0]
    close(database, scope_of(database, world.admin), first.id)
    statement = statements_of(database, first.id)[f"guide:{world.east_guide.id}"]
    return world, first.id, statement.id, line


def approve(database: Database, scope: Scope, statement_id: int, **kw: Any) -> CommissionStatement:
    with database.transaction() as session:
        return statements.approve_statement(
            session=session, scope=scope, statement_id=statement_id, **kw
        )


def pay(database: Database, scope: Scope, statement_id: int) -> CommissionStatement:
    with database.transaction() as session:
        return statements.mark_paid(session=session, scope=scope, statement_id=statement_id)


def test_the_preparer_cannot_approve_their_own_statement(database: Database) -> None:
    world, _, statement_id, line = closed_world(database)
    with pytest.raises(errors.OwnStatement):
        approve(database, scope_of(database, world.admin), statement_id)
    assert entry_row(database, line).status == "pending"


def test_another_admin_approves_then_it_is_paid(database: Database) -> None:
    world, _, statement_id, line = closed_world(database)
    checker = scope_of(database, cb.second_admin(database, world.brand.id))
    approved = approve(database, checker, statement_id, expected_total=1234)
    assert (approved.status, approved.total) == ("approved", 1234)
    assert entry_row(database, line).status == "settled"
    with pytest.raises(errors.StatementNotPrepared):
        approve(database, checker, statement_id)
    assert pay(database, checker, statement_id).status == "paid"
    assert entry_row(database, line).status == "paid"
    with pytest.raises(errors.StatementNotApproved):
        pay(database, checker, statement_id)


def test_approval_refuses_a_total_other_than_the_one_seen(database: Database) -> None:
    world, _, statement_id, line = closed_world(database)
    checker = scope_of(database, cb.second_admin(database, world.brand.id))
    with pytest.raises(errors.StatementChanged):
        approve(database, checker, statement_id, expected_total=1000)
    assert entry_row(database, line).status == "pending"


def test_a_line_cancelled_after_preparation_is_left_out_of_the_approved_total(
    database: Database,
) -> None:
    world, _, statement_id, line = closed_world(database)
    with database.transaction() as session:
        found = session.get(CommissionEntry, line)
        assert found is not None
        found.status = "cancelled"
    checker = scope_of(database, cb.second_admin(database, world.brand.id))
    approved = approve(database, checker, statement_id)
    assert (approved.total, approved.entry_count) == (0, 0)


def test_only_brand_admins_approve_and_guides_read_only_their_own(database: Database) -> None:
    world, _, statement_id, _ = closed_world(database)
    manager = scope_of(database, world.east_store_manager)
    with pytest.raises(PermissionDenied):
        approve(database, manager, statement_id)
    rival = scope_of(database, builders_guide(database, world.brand.id, world.east_store.id))
    with database.transaction() as session, pytest.raises(NotFound):
        statements.get_statement(session=session, scope=rival, statement_id=statement_id)
    guide = scope_of(database, world.east_guide)
    with database.transaction() as session:
        mine, _ = statements.list_statements(session=session, scope=guide)
        seen_by_manager, _ = statements.list_statements(session=session, scope=manager)
    assert [s.id for s in mine] == [statement_id]
    assert len(seen_by_manager) == 2  # the store's and its guide's


def builders_guide(database: Database, brand_id: int, store_id: int) -> Any:
    from tests import member_builders

    return member_builders.guide(database, brand_id, store_id)


def test_no_brand_sees_another_brands_periods_or_statements(database: Database) -> None:
    _, period_id, statement_id, _ = closed_world(database)
    stranger = builders.brand_world(database)
    scope = scope_of(database, stranger.admin)
    calls: list[Callable[[Any], object]] = [
        lambda s: settlement.get_period(session=s, scope=scope, period_id=period_id),
        lambda s: statements.get_statement(session=s, scope=scope, statement_id=statement_id),
        lambda s: settlement.close_period(session=s, scope=scope, period_id=period_id),
        lambda s: statements.approve_statement(session=s, scope=scope, statement_id=statement_id),
        lambda s: statements.export_csv(
            session=s, scope=scope, period_id=period_id, beneficiary=Beneficiary.GUIDE
        ),
    ]
    for call in calls:
        with database.transaction() as session, pytest.raises(NotFound):
            call(session)
    with database.transaction() as session:
        assert statements.list_statements(session=session, scope=scope)[0] == []


def test_payroll_csv_quotes_names_and_shows_yuan_with_two_decimals(database: Database) -> None:
    world = cb.weekly_world(database)
    with database.transaction() as session:
        from newretail.auth.models import Staff

        guide = session.get(Staff, world.east_guide.id)
        assert guide is not None
        guide.display_name = 'Li, "Lucky" 李'
    cb.entry(database, world.brand.id, guide_id=world.east_guide.id, amount=100005)
    first = periods(database, world.brand.id)[0]
    close(database, scope_of(database, world.admin), first.id)
    with database.transaction() as session:
        name, body = statements.export_csv(
            session=session,
            scope=scope_of(database, world.admin),
            period_id=first.id,
            beneficiary=Beneficiary.GUIDE,
        )
    text = body.decode("utf-8").removeprefix("\ufeff")
    assert '"Li, ""Lucky"" 李"' in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == statements.PAYROLL_HEADER
    assert rows[1][:2] == ["2026-11-01", "2026-11-07"]
    assert rows[1][5:] == [
        'Li, "Lucky" 李',
        world.east_store.code,
        "1",
        "1000.05",
        "CNY",
        "prepared",
    ]
    assert name.endswith("-payroll-2026-11-01-2026-11-07.csv")


def test_invoicing_csv_lists_stores_and_keeps_formulas_out(database: Database) -> None:
    world = cb.weekly_world(database)
    with database.transaction() as session:
        from newretail.org.models import Store

        store = session.get(Store, world.west_store.id)
        assert store is not None
        store.name = "=HYPERLINK(1)"
        store.type = "franchise"
    cb.entry(database, world.brand.id, store_id=world.west_store.id, amount=-5, release_at=None)
    cb.entry(database, world.brand.id, store_id=world.west_store.id, amount=30000)
    first = periods(database, world.brand.id)[0]
    close(database, scope_of(database, world.admin), first.id)
    with database.transaction() as session:
        _, body = statements.export_csv(
            session=session,
            scope=scope_of(database, world.admin),
            period_id=first.id,
            beneficiary=Beneficiary.STORE,
        )
    rows = list(csv.reader(io.StringIO(body.decode("utf-8").removeprefix("\ufeff"))))
    assert rows[0] == statements.INVOICING_HEADER
    assert rows[1][4:] == [
        world.west_store.code,
        "'=HYPERLINK(1)",
        "franchise",
        world.west.name,
        "1",
        "300.00",
        "CNY",
        "prepared",
    ]


def _together(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released at the same instant; collect results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except DomainError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_closes_at_once_settle_nothing_twice(database: Database) -> None:
    world = cb.weekly_world(database)
    for amount in range(100, 3100, 100):
        cb.entry(database, world.brand.id, guide_id=world.east_guide.id, amount=amount)
        cb.entry(database, world.brand.id, store_id=world.east_store.id, amount=amount)
    first = periods(database, world.brand.id)[0]
    admins = [
        scope_of(database, world.admin),
        scope_of(database, cb.second_admin(database, world.brand.id)),
    ]
    outcomes = _together([lambda s=s: close(database, s, first.id) for s in admins])  # type: ignore[misc]
    refused = [o for o in outcomes if isinstance(o, errors.PeriodAlreadyClosed)]
    closed = [o for o in outcomes if isinstance(o, settlement.CloseResult)]
    assert (len(closed), len(refused)) == (1, 1)
    with database.transaction() as session:
        count = session.scalar(
            select(func.count(CommissionStatement.id)).where(
                CommissionStatement.period_id == first.id
            )
        )
        total = session.scalar(select(func.sum(CommissionStatement.total)))
        unattached = session.scalar(
            select(func.count(CommissionEntry.id)).where(CommissionEntry.statement_id.is_(None))
        )
    assert (count, total, unattached) == (2, 2 * sum(range(100, 3100, 100)), 0)


def test_totals_by_status_follow_approval(database: Database) -> None:
    world, period_id, statement_id, _ = closed_world(database)
    admin = scope_of(database, world.admin)
    checker = scope_of(database, cb.second_admin(database, world.brand.id))
    approve(database, checker, statement_id)
    with database.transaction() as session:
        totals = statements.totals_by_status(session=session, scope=admin, period_id=period_id)
    assert [(t.status, t.statements, t.entries, t.total) for t in totals] == [
        ("approved", 1, 1, 1234),
        ("prepared", 1, 1, 500),
    ]
