from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests import builders
from tests import member_builders as mb
from tests.statements import count_statements, without_begin

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.members import errors
from newretail.members import service as members_service
from newretail.members.models import Membership, PointsEntry
from newretail.members.schemas import PointsEntryCreate

T0 = utcnow().replace(microsecond=0) - timedelta(days=1000)


def _post(database: Database, member_id: int, at: object = None, **entry: object) -> PointsEntry:
    with database.transaction() as session:
        return members_service.post(
            session=session,
            scope=SYSTEM,
            member_id=member_id,
            data=PointsEntryCreate.model_validate(entry),
            now=at,  # type: ignore[arg-type]
        )


def _books(database: Database, member_id: int) -> tuple[int, int, int]:
    """(balance, ledger sum, ledger lines)."""
    with database.transaction(read_only=True) as session:
        balance = session.scalar(select(Membership.points).where(Membership.id == member_id))
        total, lines = session.execute(
            select(func.coalesce(func.sum(PointsEntry.points), 0), func.count()).where(
                PointsEntry.membership_id == member_id
            )
        ).one()
    return int(balance or 0), int(total), int(lines)


def _expire(database: Database, at: object) -> int:
    with database.transaction() as session:
        return members_service.expire_points(session=session, now=at)  # type: ignore[arg-type]


def test_earn_spend_and_adjust_move_the_balance_with_the_ledger(database: Database) -> None:
    world = builders.brand_world(database)
    member_id = mb.member_of_brand_only(database, world.brand.id)
    _post(database, member_id, kind="earn", points=300, reason="order 1")
    _post(database, member_id, kind="spend", points=120, reason="coupon")
    last = _post(database, member_id, kind="adjust", points=-30, reason="goodwill correction")
    assert last.balance_after == 150
    assert _books(database, member_id) == (150, 150, 3)


def test_a_debit_beyond_the_balance_is_refused_and_writes_nothing(database: Database) -> None:
    world = builders.brand_world(database)
    member_id = mb.member_of_brand_only(database, world.brand.id)
    _post(database, member_id, kind="earn", points=100)
    with pytest.raises(errors.InsufficientPoints):
        _post(database, member_id, kind="spend", points=101)
    with pytest.raises(errors.InsufficientPoints):
        _post(database, member_id, kind="adjust", points=-101)
    assert _books(database, member_id) == (100, 100, 1)


def test_posting_a_reference_again_returns_the_first_entry(database: Database) -> None:
    world = builders.brand_world(database)
    member_id = mb.member_of_brand_only(database, world.brand.id)
    first = _post(database, member_id, kind="earn", points=80, reference="order-7")
    again = _post(database, member_id, kind="earn", points=80, reference="order-7")
    with pytest.raises(errors.PointsReferenceReused):
        _post(database, member_id, kind="earn", points=90, reference="order-7")
    assert again.id == first.id
    assert _books(database, member_id) == (80, 80, 1)


def test_unspent_earnings_expire_first_in_first_out(database: Database) -> None:
    world = builders.brand_world(database)
    mb.programme(
        database,
        world.brand.id,
        tiers=[{"code": "std", "name": "Std", "threshold": 0}],
        points_expiry_days=30,
    )
    member_id = mb.member_of_brand_only(database, world.brand.id)
    _post(database, member_id, T0, kind="earn", points=100)
    _post(database, member_id, T0 + timedelta(days=10), kind="spend", points=30)
    _post(database, member_id, T0 + timedelta(days=20), kind="earn", points=50)
    assert _expire(database, T0 + timedelta(days=29)) == 0
    assert _expire(database, T0 + timedelta(days=31)) == 1
    assert _books(database, member_id) == (50, 50, 4)
    assert _expire(database, T0 + timedelta(days=31)) == 0
    assert _expire(database, T0 + timedelta(days=51)) == 1
    assert _books(database, member_id) == (0, 0, 5)


def test_points_spent_before_their_expiry_do_not_expire_again(database: Database) -> None:
    world = builders.brand_world(database)
    member_id = mb.member_of_brand_only(database, world.brand.id)
    _post(database, member_id, T0, kind="earn", points=40, expires_at=T0 + timedelta(days=5))
    _post(database, member_id, T0, kind="spend", points=40)
    assert _expire(database, T0 + timedelta(days=6)) == 1
    assert _books(database, member_id) == (0, 0, 2)


def test_earning_past_a_threshold_moves_the_member_up_a_tier(database: Database) -> None:
    world = builders.brand_world(database)
    mb.programme(
        database,
        world.brand.id,
        tier_basis="spend",
        tier_window_days=365,
        tiers=[
            {"code": "silver", "name": "Silver", "threshold": 0},
            {"code": "gold", "name": "Gold", "threshold": 100_000},
        ],
    )
    member_id = mb.member_of_brand_only(database, world.brand.id)
    _post(database, member_id, kind="earn", points=500, spend_amount=50_000)
    with database.transaction(read_only=True) as session:
        assert session.get(Membership, member_id).tier == "silver"  # type: ignore[union-attr]
    _post(database, member_id, kind="earn", points=500, spend_amount=50_000)
    with database.transaction(read_only=True) as session:
        assert session.get(Membership, member_id).tier == "gold"  # type: ignore[union-attr]


operations = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 400), st.integers(1, 60)),
        st.tuples(st.just("spend"), st.integers(1, 600), st.just(0)),
        st.tuples(st.just("adjust"), st.integers(-300, 300).filter(bool), st.just(0)),
        st.tuples(st.just("expire"), st.just(0), st.integers(1, 60)),
    ),
    min_size=1,
    max_size=25,
)


def test_the_balance_always_equals_the_ledger_sum(database: Database) -> None:
    """Random earnings (with random lifetimes), spends, adjustments and expiry runs."""
    world = builders.brand_world(database)

    @settings(max_examples=20, deadline=None)
    @given(operations)
    def check(sequence: list[tuple[str, int, int]]) -> None:
        member_id = mb.member_of_brand_only(database, world.brand.id)
        now = T0
        for kind, points, days in sequence:
            now += timedelta(days=days)
            before = _books(database, member_id)
            if kind == "expire":
                _expire(database, now)
            elif kind in ("spend", "adjust") and before[0] < (
                points if kind == "spend" else -points
            ):
                with pytest.raises(errors.InsufficientPoints):
                    _post(database, member_id, now, kind=kind, points=points)
                assert _books(database, member_id) == before
            else:
                lifetime = {"expires_at": now + timedelta(days=days)} if kind == "earn" else {}
                _post(database, member_id, now, kind=kind, points=points, **lifetime)
            balance, total, _ = _books(database, member_id)
            assert balance == total >= 0

    check()


def test_the_worker_job_expires_due_points_and_then_idles(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    member_id = mb.member_of_brand_only(database, world.brand.id)
    _post(database, member_id, T0, kind="earn", points=25, expires_at=T0 + timedelta(days=1))
    assert members_service.expire_points_job(database, settings) == 1
    assert members_service.expire_points_job(database, settings) == 0
    assert _books(database, member_id) == (0, 0, 2)


def test_a_points_entry_costs_a_fixed_number_of_statements(database: Database) -> None:
    """The member, the programme and (with a reference) its first entry; the balance and the
    entry; the tier's window. Only a referenced entry on PostgreSQL, where a concurrent twin
    can clash, is written in a savepoint (two statements more)."""
    world = builders.brand_world(database)
    member_id = mb.member_of_brand_only(database, world.brand.id)
    _post(database, member_id, kind="earn", points=10, reason="warm", reference="w")
    counts = []
    for fields in ({"reference": "r1"}, {}):
        with count_statements(database) as statements:
            _post(database, member_id, kind="earn", points=100, reason="order", **fields)
        counts.append(len(without_begin(statements)))
    assert counts == ([6, 5] if database.is_sqlite else [8, 5])
    assert _books(database, member_id) == (210, 210, 3)
