from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests import builders
from tests import member_builders as mb

from newretail.audit.models import AuditEntry
from newretail.auth import service as auth_service
from newretail.auth.schemas import StaffUpdate
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.members import errors
from newretail.members import service as members_service
from newretail.members.binding_rules import BindingMode, BindingSource
from newretail.members.models import BindingEvent, MemberBinding, Membership
from newretail.members.schemas import BindingUpdate, RebindRequest, RebindResult

T0 = utcnow().replace(microsecond=0) - timedelta(days=400)


def _binding(database: Database, member_id: int) -> tuple[int, int | None]:
    with database.transaction(read_only=True) as session:
        binding = session.get(MemberBinding, member_id)
        assert binding is not None
        return binding.store_id, binding.guide_id


def _history(database: Database, member_id: int) -> list[tuple[int | None, int | None, str]]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(BindingEvent.from_guide_id, BindingEvent.to_guide_id, BindingEvent.source)
            .where(BindingEvent.membership_id == member_id)
            .order_by(BindingEvent.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _count(database: Database, model: type) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _leave(database: Database, staff_id: int) -> None:
    with database.transaction() as session:
        auth_service.update_staff(
            session=session, scope=SYSTEM, staff_id=staff_id, data=StaffUpdate(is_active=False)
        )


def test_first_wins_keeps_the_first_guide(database: Database) -> None:
    world = builders.brand_world(database)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    consumer = mb.consumer(database)
    first = mb.scan(
        database, world.brand.id, consumer, world.east_store.id, world.east_guide.id, T0
    )
    second = mb.scan(database, world.brand.id, consumer, world.east_store.id, rival.id, T0)
    assert (first.action, second.action, second.reason) == ("bind", "reject", "first_wins")
    assert _binding(database, first.member_id) == (world.east_store.id, world.east_guide.id)
    assert _history(database, first.member_id) == [(None, world.east_guide.id, "badge_code")]


def test_register_only_binds_at_sign_up_and_never_after(database: Database) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.REGISTER_ONLY)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    consumer = mb.consumer(database)
    joined = mb.scan(database, world.brand.id, consumer, world.east_store.id, world.east_guide.id)
    later = mb.scan(database, world.brand.id, consumer, world.east_store.id, rival.id)
    assert (joined.member_created, joined.action) == (True, "bind")
    assert (later.action, later.reason) == ("reject", "register_only")
    assert _binding(database, joined.member_id) == (world.east_store.id, world.east_guide.id)


def test_register_only_never_binds_a_member_who_joined_elsewhere(database: Database) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.REGISTER_ONLY)
    member_id = mb.member_of_brand_only(database, world.brand.id)
    with database.transaction(read_only=True) as session:
        consumer_id = session.get(Membership, member_id).consumer_id  # type: ignore[union-attr]
    outcome = mb.scan(
        database, world.brand.id, consumer_id, world.east_store.id, world.east_guide.id
    )
    assert (outcome.action, outcome.reason, outcome.member_created) == (
        "reject",
        "register_only",
        False,
    )
    assert _count(database, MemberBinding) == 0


def test_override_gives_the_member_to_the_last_touch(database: Database) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.OVERRIDE)
    rival = mb.guide(database, world.brand.id, world.west_store.id)
    member_id = mb.member(database, world)
    consumer_id = mb.consumer_of(database, member_id)
    taken = mb.scan(database, world.brand.id, consumer_id, world.west_store.id, rival.id)
    assert (taken.action, taken.reason) == ("bind", "override")
    assert _binding(database, member_id) == (world.west_store.id, rival.id)
    assert _history(database, member_id) == [
        (None, world.east_guide.id, "badge_code"),
        (world.east_guide.id, rival.id, "badge_code"),
    ]


def test_protection_holds_off_other_guides_until_it_ends(database: Database) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.OVERRIDE, protection_days=7)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    member_id = mb.member(database, world, now=T0)
    consumer_id = mb.consumer_of(database, member_id)
    store = world.east_store.id
    during = mb.scan(database, world.brand.id, consumer_id, store, rival.id, T0 + timedelta(days=6))
    after = mb.scan(database, world.brand.id, consumer_id, store, rival.id, T0 + timedelta(days=7))
    assert (during.action, during.reason) == ("reject", "protected")
    assert (after.action, after.reason) == ("bind", "override")
    assert _binding(database, member_id) == (store, rival.id)


def test_a_binding_lapses_at_its_expiry_and_the_next_touch_takes_the_member(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.FIRST_WINS, expiry_days=30)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    member_id = mb.member(database, world, now=T0)
    consumer_id = mb.consumer_of(database, member_id)
    store = world.east_store.id
    before = mb.scan(
        database, world.brand.id, consumer_id, store, rival.id, T0 + timedelta(days=29)
    )
    at = mb.scan(database, world.brand.id, consumer_id, store, rival.id, T0 + timedelta(days=30))
    assert (before.action, at.action, at.reason) == ("reject", "bind", "rebind_after_expiry")


def test_a_lapsed_member_leaves_the_guide_s_list(database: Database) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.FIRST_WINS, expiry_days=30)
    mb.member(database, world, now=utcnow() - timedelta(days=31))
    kept = mb.member(database, world, now=utcnow() - timedelta(days=29))
    with database.transaction(read_only=True) as session:
        guide = auth_service.get_staff(session=session, scope=SYSTEM, staff_id=world.east_guide.id)
        scope = auth_service.scope_for_staff(session=session, staff=guide)
        items, _ = members_service.list_guide_members(
            session=session, scope=scope, guide_id=world.east_guide.id, cursor=None, limit=50
        )
    assert [m.id for m in items] == [kept]


def test_a_guide_of_another_store_is_refused_and_nothing_is_written(database: Database) -> None:
    world = builders.brand_world(database)
    west_guide = mb.guide(database, world.brand.id, world.west_store.id)
    consumer = mb.consumer(database)
    with pytest.raises(errors.GuideNotAtStore):
        mb.scan(database, world.brand.id, consumer, world.east_store.id, west_guide.id)
    assert (_count(database, Membership), _count(database, MemberBinding)) == (0, 0)


def test_a_guide_who_left_cannot_take_members(database: Database) -> None:
    world = builders.brand_world(database)
    _leave(database, world.east_guide.id)
    with pytest.raises(errors.GuideInactive):
        mb.scan(
            database,
            world.brand.id,
            mb.consumer(database),
            world.east_store.id,
            world.east_guide.id,
        )
    assert _count(database, Membership) == 0


def test_another_brand_s_guide_does_not_exist_here(database: Database) -> None:
    world = builders.brand_world(database)
    other = builders.brand_world(database)
    with pytest.raises(errors.GuideNotFound):
        mb.scan(
            database,
            world.brand.id,
            mb.consumer(database),
            world.east_store.id,
            other.east_guide.id,
        )


def test_a_manager_s_manual_binding_overrides_protection(database: Database) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.OVERRIDE, protection_days=30)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    member_id = mb.member(database, world)
    with database.transaction() as session:
        outcome = members_service.bind_manually(
            session=session,
            scope=SYSTEM,
            member_id=member_id,
            data=BindingUpdate(store_id=world.east_store.id, guide_id=rival.id),
        )
    assert (outcome.action, outcome.reason) == ("bind", "manual")
    assert _history(database, member_id)[-1] == (world.east_guide.id, rival.id, "manual")


def _rebind(database: Database, guide_id: int, **request: object) -> RebindResult:
    with database.transaction() as session:
        return members_service.rebind_guide_members(
            session=session,
            scope=SYSTEM,
            guide_id=guide_id,
            data=RebindRequest.model_validate(request),
        )


def test_a_leaving_guide_s_members_move_to_one_colleague_in_one_action(database: Database) -> None:
    world = builders.brand_world(database)
    colleague = mb.guide(database, world.brand.id, world.east_store.id)
    members = [mb.member(database, world) for _ in range(3)]
    _leave(database, world.east_guide.id)
    result = _rebind(database, world.east_guide.id, to_guide_id=colleague.id)
    assert (result.moved, result.to_guides) == (3, {colleague.id: 3})
    assert {_binding(database, m) for m in members} == {(world.east_store.id, colleague.id)}
    assert {_history(database, m)[-1] for m in members} == {
        (world.east_guide.id, colleague.id, BindingSource.REASSIGNMENT.value)
    }
    with database.transaction(read_only=True) as session:
        audited = session.scalar(
            select(func.count()).where(AuditEntry.action == "guide.members_rebound")
        )
    assert audited == 1


def test_spreading_shares_the_members_evenly_over_the_store_s_other_guides(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    busy = mb.guide(database, world.brand.id, world.east_store.id)
    idle = mb.guide(database, world.brand.id, world.east_store.id)
    mb.member(database, world, guide_id=busy.id)
    moving = [mb.member(database, world) for _ in range(5)]
    result = _rebind(database, world.east_guide.id, spread=True)
    assert (result.moved, result.to_guides) == (5, {idle.id: 3, busy.id: 2})
    assert {_binding(database, m)[1] for m in moving} == {busy.id, idle.id}


def test_re_binding_to_a_guide_who_left_changes_nothing(database: Database) -> None:
    world = builders.brand_world(database)
    gone = mb.guide(database, world.brand.id, world.east_store.id)
    _leave(database, gone.id)
    member_id = mb.member(database, world)
    with pytest.raises(errors.GuideInactive):
        _rebind(database, world.east_guide.id, to_guide_id=gone.id)
    assert _binding(database, member_id) == (world.east_store.id, world.east_guide.id)
    assert len(_history(database, member_id)) == 1


def test_re_binding_to_a_guide_of_another_store_is_refused(database: Database) -> None:
    world = builders.brand_world(database)
    west_guide = mb.guide(database, world.brand.id, world.west_store.id)
    mb.member(database, world)
    with pytest.raises(errors.GuideNotAtStore):
        _rebind(database, world.east_guide.id, to_guide_id=west_guide.id)


def test_spreading_needs_another_active_guide_in_the_store(database: Database) -> None:
    world = builders.brand_world(database)
    mb.member(database, world)
    with pytest.raises(errors.NoGuidesAvailable):
        _rebind(database, world.east_guide.id, spread=True)
