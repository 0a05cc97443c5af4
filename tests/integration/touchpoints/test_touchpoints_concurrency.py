"""Simultaneous joins through two guides' badges by one consumer: one binding, by policy.

The members tests race ``bind_by_touchpoint`` directly; here the race goes through the
codes (membership created on the fly, the code's placement as the source, the joins
remembered per code), with threads released together by a barrier in the same way.
"""

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from tests import builders
from tests import code_builders as cb
from tests import member_builders as mb

from newretail.db import Database
from newretail.members.binding_rules import BindingMode
from newretail.members.models import MemberBinding, Membership
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.models import CodeJoin

T = TypeVar("T")


def _together(calls: list[Callable[[], T]]) -> list[T]:
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
    assert [r for r in results if isinstance(r, BaseException)] == []
    return results  # type: ignore[return-value]


def _join(database: Database, code: str, consumer: int) -> tuple[str, str, bool]:
    with database.transaction() as session:
        result = touchpoints_service.join(session=session, code=code, consumer_id=consumer)
        return result.action.value, result.reason, result.member_created


def _race(database: Database, mode: BindingMode, protection_days: int = 0) -> dict[str, object]:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, mode, protection_days=protection_days)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    badges = [cb.badge(database, g) for g in (world.east_guide.id, rival.id)]
    consumer = mb.consumer(database)
    outcomes = _together([lambda c=c: _join(database, c, consumer) for c in badges])  # type: ignore[misc]
    with database.transaction(read_only=True) as session:
        members = session.scalar(select(func.count()).select_from(Membership))
        bound = list(session.scalars(select(MemberBinding.guide_id)))
        created = list(session.scalars(select(CodeJoin.member_created)))
    return {
        "guides": {world.east_guide.id, rival.id},
        "outcomes": sorted(outcomes),
        "members": members,
        "bound": bound,
        "created": sorted(created),
    }


@pytest.mark.parametrize(
    ("mode", "protection_days", "loser"),
    [
        (BindingMode.FIRST_WINS, 0, ("reject", "first_wins", False)),
        (BindingMode.REGISTER_ONLY, 0, ("reject", "register_only", False)),
        (BindingMode.OVERRIDE, 30, ("reject", "protected", False)),
    ],
)
def test_two_badges_joined_at_once_leave_one_binding_by_policy(
    database: Database, mode: BindingMode, protection_days: int, loser: tuple[str, str, bool]
) -> None:
    state = _race(database, mode, protection_days)
    assert state["members"] == 1
    assert len(state["bound"]) == 1  # type: ignore[arg-type]
    assert set(state["bound"]) <= state["guides"]  # type: ignore[call-overload, operator]
    assert state["outcomes"] == sorted([("bind", "first_bind", True), loser])
    assert state["created"] == [False, True]


def test_without_protection_override_lets_the_later_of_the_two_win(database: Database) -> None:
    state = _race(database, BindingMode.OVERRIDE)
    assert state["members"] == 1
    assert len(state["bound"]) == 1  # type: ignore[arg-type]
    assert state["outcomes"] == [("bind", "first_bind", True), ("bind", "override", False)]
