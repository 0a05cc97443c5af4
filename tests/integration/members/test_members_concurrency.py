"""Simultaneous attempts on one member: threads released together by a barrier."""

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from tests import builders
from tests import member_builders as mb

from newretail.db import Database
from newretail.members import service as members_service
from newretail.members.binding_rules import BindingMode
from newretail.members.models import BindingEvent, MemberBinding, Membership

T = TypeVar("T")


def _together(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls in threads that start at the same instant; re-raise any error."""
    barrier = threading.Barrier(len(calls))
    results: list[T | BaseException] = [RuntimeError("not run")] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except BaseException as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    return results  # type: ignore[return-value]


def _two_guides_scan(
    database: Database, mode: BindingMode, protection_days: int = 0, *, joined: bool
) -> tuple[builders.BrandWorld, list[members_service.BindingOutcome], list[int]]:
    """Two guides' codes scanned at once by a consumer who is a member already, or not yet."""
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, mode, protection_days=protection_days)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    consumer = (
        mb.consumer_of(database, mb.member_of_brand_only(database, world.brand.id))
        if joined
        else mb.consumer(database)
    )
    guides = [world.east_guide.id, rival.id]
    outcomes = _together(
        [
            lambda g=g: mb.scan(database, world.brand.id, consumer, world.east_store.id, g)  # type: ignore[misc]
            for g in guides
        ]
    )
    return world, outcomes, guides


def _state(
    database: Database,
) -> tuple[int, list[tuple[int | None]], list[tuple[int | None, int | None]]]:
    with database.transaction(read_only=True) as session:
        members = int(session.scalar(select(func.count()).select_from(Membership)) or 0)
        bound = [tuple(r) for r in session.execute(select(MemberBinding.guide_id))]
        history = [
            tuple(r)
            for r in session.execute(
                select(BindingEvent.from_guide_id, BindingEvent.to_guide_id).order_by(
                    BindingEvent.id
                )
            )
        ]
    return members, bound, history  # type: ignore[return-value]


@pytest.mark.parametrize("joined", [False, True], ids=["joining", "member"])
def test_first_wins_two_codes_at_once_leave_one_binding_to_one_of_them(
    database: Database, joined: bool
) -> None:
    _, outcomes, guides = _two_guides_scan(database, BindingMode.FIRST_WINS, joined=joined)
    members, bound, history = _state(database)
    winner = next(o for o in outcomes if o.action == "bind")
    winner_guide = guides[outcomes.index(winner)]
    assert sorted((o.action, o.reason) for o in outcomes) == [
        ("bind", "first_bind"),
        ("reject", "first_wins"),
    ]
    assert (members, bound, history) == (1, [(winner_guide,)], [(None, winner_guide)])


@pytest.mark.parametrize("joined", [False, True], ids=["joining", "member"])
def test_override_with_protection_two_codes_at_once_let_only_the_first_bind(
    database: Database, joined: bool
) -> None:
    _, outcomes, guides = _two_guides_scan(
        database, BindingMode.OVERRIDE, protection_days=7, joined=joined
    )
    members, bound, history = _state(database)
    winner_guide = guides[[o.action for o in outcomes].index("bind")]
    assert sorted((o.action, o.reason) for o in outcomes) == [
        ("bind", "first_bind"),
        ("reject", "protected"),
    ]
    assert (members, bound, history) == (1, [(winner_guide,)], [(None, winner_guide)])


@pytest.mark.parametrize("joined", [False, True], ids=["joining", "member"])
def test_override_without_protection_two_codes_at_once_end_with_the_later_one(
    database: Database, joined: bool
) -> None:
    _, outcomes, _ = _two_guides_scan(database, BindingMode.OVERRIDE, joined=joined)
    members, bound, history = _state(database)
    assert sorted(o.reason for o in outcomes) == ["first_bind", "override"]
    assert members == 1
    assert len(history) == 2
    assert history[1][0] == history[0][1]
    assert bound == [(history[1][1],)]


def test_only_one_of_two_simultaneous_first_scans_creates_the_membership(
    database: Database,
) -> None:
    _, outcomes, _ = _two_guides_scan(database, BindingMode.FIRST_WINS, joined=False)
    assert sorted(o.member_created for o in outcomes) == [False, True]


def test_concurrent_joins_get_distinct_member_numbers(database: Database) -> None:
    world = builders.brand_world(database)
    consumers = [mb.consumer(database) for _ in range(6)]
    outcomes = _together(
        [
            lambda c=c: mb.scan(database, world.brand.id, c, world.east_store.id, None)  # type: ignore[misc]
            for c in consumers
        ]
    )
    with database.transaction(read_only=True) as session:
        numbers = sorted(session.scalars(select(Membership.member_no)))
    assert len({o.member_id for o in outcomes}) == 6
    assert numbers == [f"{n:010d}" for n in range(1, 7)]
