"""The common segments: each rule is one the audience language takes, each is recognised
again with its days from the rule an audience stores, a rule made another way is none of
them, and the console names every one."""

import pytest

from newretail.analytics.audiences import segments
from newretail.web.console_audiences import SEGMENT_LABELS


@pytest.mark.parametrize("key", sorted(segments.SEGMENTS))
def test_a_segments_stored_rule_is_recognised_with_its_days(key: str) -> None:
    days = 14 if segments.SEGMENTS[key].takes_days else 1
    stored = segments.rule(key, days).rule.model_dump(mode="json")

    assert segments.recognise(stored) == (key, days)


def test_a_rule_made_another_way_is_no_segment() -> None:
    stored = {"kind": "did", "event": "Item Tried On", "min_count": 2}

    assert segments.recognise(stored) is None


def test_the_console_names_every_segment() -> None:
    assert SEGMENT_LABELS.keys() == segments.SEGMENTS.keys()
