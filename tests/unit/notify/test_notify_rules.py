from datetime import UTC, datetime, timedelta

import pytest

from newretail.notify import rules, templates
from newretail.notify.rules import Purpose

SHANGHAI = "Asia/Shanghai"
# 23:30 in Shanghai
LATE = datetime(2026, 12, 15, 15, 30, tzinfo=UTC)


def test_marketing_is_held_until_the_quiet_hours_end_next_morning() -> None:
    held = rules.held_until(Purpose.MARKETING, LATE, timezone=SHANGHAI, start=22 * 60, end=8 * 60)
    assert held == datetime(2026, 12, 16, 0, 0, tzinfo=UTC)


def test_quiet_hours_after_midnight_end_the_same_morning() -> None:
    two_am = datetime(2026, 12, 15, 18, 0, tzinfo=UTC)
    held = rules.quiet_until(two_am, timezone=SHANGHAI, start_minute=22 * 60, end_minute=8 * 60)
    assert held == datetime(2026, 12, 16, 0, 0, tzinfo=UTC)


def test_urgent_and_service_messages_ignore_quiet_hours() -> None:
    for purpose in (Purpose.URGENT, Purpose.SERVICE):
        held = rules.held_until(purpose, LATE, timezone=SHANGHAI, start=22 * 60, end=8 * 60)
        assert held is None


def test_outside_quiet_hours_nothing_is_held() -> None:
    noon = datetime(2026, 12, 15, 4, 0, tzinfo=UTC)
    assert rules.quiet_until(noon, timezone=SHANGHAI, start_minute=1320, end_minute=480) is None


def test_only_marketing_and_peoples_messages_count_against_the_rate_limit() -> None:
    assert rules.is_rate_limited(Purpose.MARKETING, None)
    assert rules.is_rate_limited(Purpose.SERVICE, 7)
    assert not rules.is_rate_limited(Purpose.SERVICE, None)
    assert not rules.is_rate_limited(Purpose.URGENT, 7)


def test_a_member_without_marketing_consent_gets_service_only() -> None:
    assert not rules.may_reach(Purpose.MARKETING, consent_marketing=False)
    assert rules.may_reach(Purpose.SERVICE, consent_marketing=False)


def test_texts_go_only_to_members_who_agreed_to_texts() -> None:
    assert rules.consumer_channels(consent_sms=False, has_phone=True, sms_ready=True) == ["inapp"]
    assert rules.consumer_channels(consent_sms=True, has_phone=True, sms_ready=True) == [
        "inapp",
        "sms",
    ]


def test_retries_back_off_and_stop_after_the_last_attempt() -> None:
    now = LATE
    first = rules.after_failure(1, now)
    second = rules.after_failure(2, now)
    assert first is not None and second is not None
    assert second - now == 2 * (first - now)
    assert rules.after_failure(rules.MAX_ATTEMPTS, now) is None
    assert first - now == timedelta(seconds=rules.BACKOFF_BASE_SECONDS)


def test_templates_render_in_chinese_and_english() -> None:
    template = templates.get("order.ready_for_pickup")
    values: dict[str, object] = {"order_no": "A1", "store_name": "East", "pickup_code": "482913"}
    zh = templates.render(template, values, "zh_Hans_CN")
    en = templates.render(template, values, "en")
    assert "取货码 482913" in zh.body
    assert "Pickup code: 482913" in en.body


def test_a_missing_or_unknown_variable_is_refused() -> None:
    template = templates.get("order.refunded")
    with pytest.raises(templates.TemplateError, match="amount"):
        templates.render(template, {"order_no": "A1"}, "en")
    with pytest.raises(templates.TemplateError, match="colour"):
        templates.render(template, {"order_no": "A1", "amount": "1", "colour": "red"}, "en")


def test_a_code_is_masked_in_what_is_stored() -> None:
    assert rules.mask_code("Your code is 123456.", "123456") == "Your code is ••••••."
