"""Pure binding rules: who keeps a member when a store or guide touches them (网格化).

A brand chooses one mode:

    first_wins     the first store/guide keeps the member until the binding expires
    register_only  a member is bound only when they join; later touches change nothing
    override       the last touch wins, except during the protection period, when another
                   guide cannot take the member

An expired binding counts as none. Staff actions (``manual``, ``reassignment``) are
administrative decisions and bind whatever the mode and protection say.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class BindingMode(StrEnum):
    FIRST_WINS = "first_wins"
    REGISTER_ONLY = "register_only"
    OVERRIDE = "override"


class BindingSource(StrEnum):
    SHELF_CODE = "shelf_code"
    BADGE_CODE = "badge_code"
    FLOOR_CODE = "floor_code"
    POSTER_CODE = "poster_code"
    AD_CODE = "ad_code"
    PRODUCT_CODE = "product_code"
    POS = "pos"
    SHARE_LINK = "share_link"
    IMPORT = "import"
    MANUAL = "manual"
    REASSIGNMENT = "reassignment"


ADMIN_SOURCES = frozenset({BindingSource.MANUAL, BindingSource.REASSIGNMENT})


class Action(StrEnum):
    BIND = "bind"
    KEEP = "keep"
    REJECT = "reject"


@dataclass(frozen=True)
class Policy:
    mode: BindingMode = BindingMode.FIRST_WINS
    protection_days: int = 0
    expiry_days: int | None = None


@dataclass(frozen=True)
class Current:
    store_id: int
    guide_id: int | None
    bound_at: datetime
    protected_until: datetime | None
    expires_at: datetime | None

    def is_active(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at

    def is_protected(self, now: datetime) -> bool:
        return self.protected_until is not None and now < self.protected_until


@dataclass(frozen=True)
class Attempt:
    store_id: int
    guide_id: int | None
    source: BindingSource
    at_registration: bool = False


@dataclass(frozen=True)
class Outcome:
    action: Action
    reason: str
    protected_until: datetime | None = None
    expires_at: datetime | None = None


def decide_binding(
    policy: Policy, current: Current | None, attempt: Attempt, now: datetime
) -> Outcome:
    """What an attempt to bind a member does under ``policy`` at ``now``."""
    live = current if current is not None and current.is_active(now) else None
    if live is not None and _same_target(live, attempt):
        return Outcome(Action.KEEP, "already_bound")
    if attempt.source in ADMIN_SOURCES:
        return _bind(policy, now, attempt.source.value)
    if live is None:
        if policy.mode == BindingMode.REGISTER_ONLY and not attempt.at_registration:
            return Outcome(Action.REJECT, "register_only")
        return _bind(policy, now, "first_bind" if current is None else "rebind_after_expiry")
    if policy.mode == BindingMode.FIRST_WINS:
        return Outcome(Action.REJECT, "first_wins")
    if policy.mode == BindingMode.REGISTER_ONLY:
        return Outcome(Action.REJECT, "register_only")
    if live.is_protected(now) and attempt.guide_id != live.guide_id:
        return Outcome(Action.REJECT, "protected")
    return _bind(policy, now, "override")


def _same_target(live: Current, attempt: Attempt) -> bool:
    """A touch at the bound store without a guide (a shelf code) does not drop the guide."""
    return attempt.store_id == live.store_id and attempt.guide_id in (None, live.guide_id)


def binding_window(policy: Policy, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(protected_until, expires_at) of a binding made at ``now``."""
    protected = now + timedelta(days=policy.protection_days) if policy.protection_days else None
    expires = now + timedelta(days=policy.expiry_days) if policy.expiry_days else None
    return protected, expires


def _bind(policy: Policy, now: datetime, reason: str) -> Outcome:
    protected, expires = binding_window(policy, now)
    return Outcome(Action.BIND, reason, protected, expires)


def spread_evenly(
    member_ids: list[int], guide_ids: list[int], loads: dict[int, int]
) -> dict[int, int]:
    """Assign members to guides so that final loads are as even as possible.

    Each member in turn goes to the guide with the fewest members so far (ties: lower id),
    counting the members the guide already has.
    """
    if not guide_ids:
        raise ValueError("no guides to spread over")
    current = {guide_id: loads.get(guide_id, 0) for guide_id in guide_ids}
    assignment: dict[int, int] = {}
    for member_id in sorted(member_ids):
        guide_id = min(current, key=lambda g: (current[g], g))
        assignment[member_id] = guide_id
        current[guide_id] += 1
    return assignment
