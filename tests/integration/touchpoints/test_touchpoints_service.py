"""Codes, scans and joins against a real database: scoping, the binding policy, conversions."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests import builders
from tests import code_builders as cb
from tests import member_builders as mb

from newretail.auth import service as auth_service
from newretail.auth.schemas import StaffUpdate
from newretail.db import Database, utcnow
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import SYSTEM
from newretail.members import errors as members_errors
from newretail.members.binding_rules import BindingMode
from newretail.members.models import BindingEvent, MemberBinding
from newretail.outbox.models import OutboxEvent
from newretail.touchpoints import errors
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.schemas import CodeCreate, CodeUpdate


def _join(database: Database, code: str, consumer_id: int) -> touchpoints_service.JoinResult:
    with database.transaction() as session:
        return touchpoints_service.join(session=session, code=code, consumer_id=consumer_id)


def _scope(database: Database, staff_id: int):  # type: ignore[no-untyped-def]
    with database.transaction(read_only=True) as session:
        staff = auth_service.get_staff(session=session, scope=SYSTEM, staff_id=staff_id)
        return auth_service.scope_for_staff(session=session, staff=staff)


def test_a_join_through_a_floor_sticker_binds_with_the_floor_code_source(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    code = cb.code(database, world.east_store.id, "floor_sticker")
    result = _join(database, code, mb.consumer(database))
    with database.transaction(read_only=True) as session:
        binding = session.get(MemberBinding, result.member.id)
        assert binding is not None
        assert (binding.store_id, binding.guide_id, binding.source) == (
            world.east_store.id,
            None,
            "floor_code",
        )
    assert (result.member_created, result.member.join_channel) == (True, "touchpoint")


def test_under_override_a_later_guide_s_badge_takes_the_member(database: Database) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.OVERRIDE)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    consumer = mb.consumer(database)
    _join(database, cb.badge(database, world.east_guide.id), consumer)
    second = _join(database, cb.badge(database, rival.id), consumer)
    assert (second.action, second.reason, second.guide_id) == ("bind", "override", rival.id)


def test_under_register_only_a_later_badge_changes_nothing(database: Database) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.REGISTER_ONLY)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    consumer = mb.consumer(database)
    _join(database, cb.badge(database, world.east_guide.id), consumer)
    second = _join(database, cb.badge(database, rival.id), consumer)
    assert (second.action, second.reason, second.guide_id) == (
        "reject",
        "register_only",
        world.east_guide.id,
    )


def test_a_departed_guide_s_badge_still_recruits_for_the_store(database: Database) -> None:
    world = builders.brand_world(database)
    code = cb.badge(database, world.east_guide.id)
    with database.transaction() as session:
        auth_service.update_staff(
            session=session,
            scope=SYSTEM,
            staff_id=world.east_guide.id,
            data=StaffUpdate(is_active=False),
        )
    result = _join(database, code, mb.consumer(database))
    assert (result.action, result.store_id, result.guide_id) == ("bind", world.east_store.id, None)


def test_a_scan_writes_an_event_to_the_outbox(database: Database) -> None:
    world = builders.brand_world(database)
    code = cb.code(database, world.east_store.id, "poster", campaign="spring")
    with database.transaction() as session:
        touchpoints_service.scan(session=session, code=code, anonymous_id="dev-1")
    with database.transaction(read_only=True) as session:
        event = session.scalar(select(OutboxEvent).where(OutboxEvent.type == "code.scanned"))
        assert event is not None
        assert (event.brand_id, event.payload["code"], event.payload["campaign"]) == (
            world.brand.id,
            code,
            "spring",
        )


def test_stats_count_only_the_window(database: Database) -> None:
    world = builders.brand_world(database)
    code = cb.code(database, world.east_store.id)
    now = utcnow()
    with database.transaction() as session:
        for days_ago in (40, 10, 1):
            touchpoints_service.scan(
                session=session, code=code, anonymous_id="dev", now=now - timedelta(days=days_ago)
            )
    with database.transaction(read_only=True) as session:
        stats = touchpoints_service.stats(session=session, scope=SYSTEM, code=code, until=now)
    assert (stats.scans, stats.unique_scanners) == (2, 1)


def test_a_guide_cannot_create_codes(database: Database) -> None:
    world = builders.brand_world(database)
    data = CodeCreate.model_validate({"store_id": world.east_store.id, "placement": "poster"})
    with database.transaction() as session, pytest.raises(PermissionDenied):
        touchpoints_service.create_code(
            session=session, scope=_scope(database, world.east_guide.id), data=data
        )


def test_a_store_manager_of_another_store_does_not_see_the_code(database: Database) -> None:
    world = builders.brand_world(database)
    code = cb.code(database, world.west_store.id)
    with database.transaction() as session, pytest.raises(errors.CodeNotFound):
        touchpoints_service.get_code(
            session=session, scope=_scope(database, world.east_store_manager.id), code=code
        )


def test_a_guide_of_another_store_cannot_be_named_on_a_code(database: Database) -> None:
    world = builders.brand_world(database)
    west_guide = mb.guide(database, world.brand.id, world.west_store.id)
    data = CodeCreate.model_validate(
        {"store_id": world.east_store.id, "placement": "poster", "guide_id": west_guide.id}
    )
    with database.transaction() as session, pytest.raises(members_errors.GuideNotAtStore):
        touchpoints_service.create_code(session=session, scope=SYSTEM, data=data)


def test_changing_a_product_code_to_the_store_drops_the_product(database: Database) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        product_id = builders.product(session, world.brand.id).id
    code = cb.code(database, world.east_store.id, "product_page", product_id=product_id)
    with database.transaction() as session:
        row = touchpoints_service.update_code(
            session=session, scope=SYSTEM, code=code, data=CodeUpdate(target="store")
        )
        assert (row.target, row.product_id) == ("store", None)


def test_a_join_leaves_one_history_row_with_the_badge_source(database: Database) -> None:
    world = builders.brand_world(database)
    _join(database, cb.badge(database, world.east_guide.id), mb.consumer(database))
    with database.transaction(read_only=True) as session:
        sources = list(session.scalars(select(BindingEvent.source)))
    assert sources == ["badge_code"]
