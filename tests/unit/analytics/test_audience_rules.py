"""The audience rule language: what it accepts, what it refuses and why; who enters,
leaves and stays when an audience is recomputed."""

import pytest
from pydantic import ValidationError

from newretail.analytics.audiences.rules import AllOf, AudienceRule, Did, Who, changes

CART_NO_ORDER = {
    "kind": "did",
    "event": "Product Added",
    "channels": ["web", "mini_app", "app"],
    "within_days": 14,
    "none_since": ["Order Completed"],
}


def test_the_two_example_audiences_are_valid_rules() -> None:
    cart = AudienceRule.model_validate({"rule": CART_NO_ORDER})
    popup = AudienceRule.model_validate(
        {
            "rule": {
                "kind": "all",
                "rules": [
                    {"kind": "did", "event": "Popup Visited", "popup_id": 7},
                    {"kind": "profile", "field": "member", "value": False},
                ],
            }
        }
    )

    assert isinstance(cart.rule, Did) and cart.rule.none_since == ["Order Completed"]
    assert isinstance(popup.rule, AllOf) and len(popup.rule.rules) == 2


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ({"kind": "did", "event": "Cart Addded"}, "unknown event 'Cart Addded'"),
        ({"kind": "did", "event": "Product Added", "channels": ["fax"]}, "Input should be"),
        ({"kind": "did", "event": "Product Added", "within_days": 0}, "greater than or equal"),
        ({"kind": "profile", "field": "member", "value": 3}, "member takes true or false"),
        ({"kind": "profile", "field": "store_id", "value": True}, "an id or a list"),
        ({"kind": "profile", "field": "joined_within_days", "value": [1]}, "number of days"),
        ({"kind": "profile", "field": "age", "value": 3}, "Input should be 'member'"),
        ({"kind": "all", "rules": []}, "at least 1 item"),
        ({"kind": "maybe"}, "does not match any of the expected tags"),
        ({"kind": "did", "event": "Product Added", "colour": "red"}, "Extra inputs"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(rule: dict, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        AudienceRule.model_validate({"rule": rule})


def test_rules_nested_too_deep_are_refused() -> None:
    rule: dict = CART_NO_ORDER
    for _ in range(6):
        rule = {"kind": "not", "rule": rule}

    with pytest.raises(ValidationError, match="at most 6 levels"):
        AudienceRule.model_validate({"rule": rule})


def test_recomputing_tells_who_entered_left_and_changed() -> None:
    inside = {"a": Who(None, False), "b": Who(1, True), "c": Who(2, True)}
    current = {"a": Who(3, True), "b": Who(1, True), "d": Who(None, False)}

    found = changes(current, inside)

    assert found.entered == {"d": Who(None, False)}
    assert found.left == ["c"]
    assert found.stayed == {"a": Who(3, True)}
