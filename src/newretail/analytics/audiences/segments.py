"""The common segments a brand keeps, each a shape of the rule language by key, with or
without its number of days: all members, those who accept marketing, who joined, added to
cart online and ordered nothing since, bought, lapsed, visited a store without joining.

``rule`` makes a segment's rule; ``recognise`` finds which segment (and days) a stored rule
is, so it can be named in words (a rule made another way is none of them).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newretail.analytics.audiences.rules import AudienceRule

ONLINE = ["web", "mini_app", "app"]


def _did(event: str, days: int | None = None, **more: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"kind": "did", "event": event, **more}
    if days is not None:
        rule["within_days"] = days
    return rule


def _profile(field: str, value: bool | int) -> dict[str, Any]:
    return {"kind": "profile", "field": field, "value": value}


@dataclass(frozen=True, slots=True)
class Segment:
    takes_days: bool
    build: Callable[[int], dict[str, Any]]


SEGMENTS: dict[str, Segment] = {
    "members": Segment(False, lambda _days: _profile("member", True)),
    "marketing": Segment(False, lambda _days: _profile("marketing_consent", True)),
    "new_members": Segment(True, lambda days: _profile("joined_within_days", days)),
    "cart_no_order": Segment(
        True,
        lambda days: _did("Product Added", days, channels=ONLINE, none_since=["Order Completed"]),
    ),
    "bought": Segment(True, lambda days: _did("Order Completed", days)),
    "lapsed": Segment(
        True,
        lambda days: {
            "kind": "all",
            "rules": [
                _did("Order Completed"),
                {"kind": "not", "rule": _did("Order Completed", days)},
            ],
        },
    ),
    "visited_not_member": Segment(
        True,
        lambda days: {
            "kind": "all",
            "rules": [_did("Store Entered", days), _profile("member", False)],
        },
    ),
}


def rule(key: str, days: int = 1) -> AudienceRule:
    """Segment ``key``'s rule over ``days`` (ignored by the segments that take none)."""
    return AudienceRule.model_validate({"rule": SEGMENTS[key].build(days)})


def recognise(stored: dict[str, Any]) -> tuple[str, int] | None:
    """The segment and days ``stored`` (a rule as an audience keeps it) is, else None."""
    days = _days_in(stored)
    for key in SEGMENTS:
        if rule(key, days).rule.model_dump(mode="json") == stored:
            return key, days
    return None


def _days_in(stored: object) -> int:
    """The first number of days a stored rule names (1 when it names none)."""
    if isinstance(stored, dict):
        for name in ("within_days", "value"):
            value = stored.get(name)
            if name == "value" and stored.get("field") != "joined_within_days":
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        for inner in (stored.get("rule"), *(stored.get("rules") or [])):
            found = _days_in(inner)
            if found != 1:
                return found
    return 1
