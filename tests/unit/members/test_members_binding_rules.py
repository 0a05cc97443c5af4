from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.members.binding_rules import (
    Action,
    Attempt,
    BindingMode,
    BindingSource,
    Current,
    Policy,
    binding_window,
    decide_binding,
    spread_evenly,
)

T0 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
STORE, OTHER_STORE = 1, 2
GUIDE, OTHER_GUIDE = 10, 20
MODES = list(BindingMode)


def _bound(
    *, days_ago: int = 1, protected_days: int | None = None, expiry_days: int | None = None
) -> Current:
    bound_at = T0 - timedelta(days=days_ago)
    return Current(
        store_id=STORE,
        guide_id=GUIDE,
        bound_at=bound_at,
        protected_until=bound_at + timedelta(days=protected_days) if protected_days else None,
        expires_at=bound_at + timedelta(days=expiry_days) if expiry_days else None,
    )


def _touch(
    store: int = OTHER_STORE,
    guide: int | None = OTHER_GUIDE,
    source: BindingSource = BindingSource.BADGE_CODE,
    *,
    registering: bool = False,
) -> Attempt:
    return Attempt(store, guide, source, at_registration=registering)


@pytest.mark.parametrize(
    ("mode", "registering", "action", "reason"),
    [
        (BindingMode.FIRST_WINS, False, Action.BIND, "first_bind"),
        (BindingMode.FIRST_WINS, True, Action.BIND, "first_bind"),
        (BindingMode.REGISTER_ONLY, False, Action.REJECT, "register_only"),
        (BindingMode.REGISTER_ONLY, True, Action.BIND, "first_bind"),
        (BindingMode.OVERRIDE, False, Action.BIND, "first_bind"),
        (BindingMode.OVERRIDE, True, Action.BIND, "first_bind"),
    ],
)
def test_an_unbound_member(
    mode: BindingMode, registering: bool, action: Action, reason: str
) -> None:
    outcome = decide_binding(Policy(mode), None, _touch(registering=registering), T0)
    assert (outcome.action, outcome.reason) == (action, reason)


@pytest.mark.parametrize(
    ("mode", "action", "reason"),
    [
        (BindingMode.FIRST_WINS, Action.REJECT, "first_wins"),
        (BindingMode.REGISTER_ONLY, Action.REJECT, "register_only"),
        (BindingMode.OVERRIDE, Action.BIND, "override"),
    ],
)
def test_another_guide_touches_a_bound_member(
    mode: BindingMode, action: Action, reason: str
) -> None:
    outcome = decide_binding(Policy(mode), _bound(), _touch(), T0)
    assert (outcome.action, outcome.reason) == (action, reason)


@pytest.mark.parametrize(
    ("mode", "action", "reason"),
    [
        (BindingMode.FIRST_WINS, Action.BIND, "rebind_after_expiry"),
        (BindingMode.REGISTER_ONLY, Action.REJECT, "register_only"),
        (BindingMode.OVERRIDE, Action.BIND, "rebind_after_expiry"),
    ],
)
def test_an_expired_binding_counts_as_none(mode: BindingMode, action: Action, reason: str) -> None:
    lapsed = _bound(days_ago=31, expiry_days=30)
    outcome = decide_binding(Policy(mode, expiry_days=30), lapsed, _touch(), T0)
    assert (outcome.action, outcome.reason) == (action, reason)


def test_a_binding_lapses_exactly_at_its_expiry() -> None:
    at_expiry = _bound(days_ago=30, expiry_days=30)
    just_before = _bound(days_ago=30, expiry_days=31)
    policy = Policy(BindingMode.FIRST_WINS, expiry_days=30)
    assert decide_binding(policy, at_expiry, _touch(), T0).action == Action.BIND
    assert decide_binding(policy, just_before, _touch(), T0).action == Action.REJECT


@pytest.mark.parametrize("mode", MODES)
def test_the_same_guide_touching_again_keeps_the_binding(mode: BindingMode) -> None:
    outcome = decide_binding(Policy(mode), _bound(), _touch(STORE, GUIDE), T0)
    assert (outcome.action, outcome.reason) == (Action.KEEP, "already_bound")


@pytest.mark.parametrize("mode", MODES)
def test_a_shelf_code_of_the_bound_store_does_not_drop_the_guide(mode: BindingMode) -> None:
    shelf = _touch(STORE, None, BindingSource.SHELF_CODE)
    assert decide_binding(Policy(mode), _bound(), shelf, T0).action == Action.KEEP


def test_a_shelf_code_of_another_store_takes_an_unprotected_member_under_override() -> None:
    shelf = _touch(OTHER_STORE, None, BindingSource.SHELF_CODE)
    assert decide_binding(Policy(BindingMode.OVERRIDE), _bound(), shelf, T0).action == Action.BIND


def test_override_cannot_take_a_member_during_protection() -> None:
    policy = Policy(BindingMode.OVERRIDE, protection_days=7)
    outcome = decide_binding(policy, _bound(days_ago=3, protected_days=7), _touch(), T0)
    assert (outcome.action, outcome.reason) == (Action.REJECT, "protected")


def test_override_takes_the_member_once_protection_ends() -> None:
    policy = Policy(BindingMode.OVERRIDE, protection_days=7)
    at_end = decide_binding(policy, _bound(days_ago=7, protected_days=7), _touch(), T0)
    assert (at_end.action, at_end.reason) == (Action.BIND, "override")


def test_protection_lets_the_same_guide_move_the_member_to_another_store() -> None:
    policy = Policy(BindingMode.OVERRIDE, protection_days=7)
    moved = decide_binding(policy, _bound(protected_days=7), _touch(OTHER_STORE, GUIDE), T0)
    assert moved.action == Action.BIND


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("source", [BindingSource.MANUAL, BindingSource.REASSIGNMENT])
def test_staff_decisions_bind_whatever_the_mode_and_protection(
    mode: BindingMode, source: BindingSource
) -> None:
    policy = Policy(mode, protection_days=30)
    current = _bound(protected_days=30)
    outcome = decide_binding(policy, current, _touch(source=source), T0)
    assert (outcome.action, outcome.reason) == (Action.BIND, source.value)


def test_a_new_binding_carries_the_policy_dates() -> None:
    policy = Policy(BindingMode.OVERRIDE, protection_days=7, expiry_days=180)
    outcome = decide_binding(policy, None, _touch(), T0)
    assert outcome.protected_until == T0 + timedelta(days=7)
    assert outcome.expires_at == T0 + timedelta(days=180)


def test_no_protection_and_no_expiry_leave_the_dates_open() -> None:
    assert binding_window(Policy(), T0) == (None, None)


def test_refusals_carry_no_dates() -> None:
    outcome = decide_binding(Policy(BindingMode.FIRST_WINS, 7, 30), _bound(), _touch(), T0)
    assert (outcome.protected_until, outcome.expires_at) == (None, None)


def test_spreading_fills_the_least_loaded_guides_first() -> None:
    assignment = spread_evenly([5, 6, 7, 8], [1, 2, 3], {1: 2, 2: 0, 3: 1})
    assert assignment == {5: 2, 6: 2, 7: 3, 8: 1}


@given(
    members=st.lists(st.integers(1, 10_000), unique=True, max_size=60),
    loads=st.lists(st.integers(0, 5), min_size=1, max_size=6),
)
def test_spreading_gives_every_member_one_guide_and_evens_out_new_members(
    members: list[int], loads: list[int]
) -> None:
    guides = list(range(1, len(loads) + 1))
    assignment = spread_evenly(members, guides, dict(zip(guides, loads, strict=True)))
    assert sorted(assignment) == sorted(members)
    final = [loads[g - 1] + list(assignment.values()).count(g) for g in guides]
    receivers = [final[g - 1] for g in set(assignment.values())]
    assert max(receivers, default=0) - min(final) <= 1
