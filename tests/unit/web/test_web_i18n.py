from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.kernel import i18n
from newretail.kernel.money import Money


def test_explicit_choice_wins_over_saved_locale_and_browser() -> None:
    chosen = i18n.choose_locale(
        cookie="en", staff_locale="zh_Hans_CN", accept_language="zh-CN", default="zh_Hans_CN"
    )
    assert chosen == "en"


def test_saved_locale_wins_over_browser() -> None:
    chosen = i18n.choose_locale(
        cookie=None, staff_locale="en", accept_language="zh-CN,zh;q=0.9", default="zh_Hans_CN"
    )
    assert chosen == "en"


def test_browser_language_wins_over_default() -> None:
    chosen = i18n.choose_locale(
        cookie=None, staff_locale=None, accept_language="en-GB,en;q=0.8", default="zh_Hans_CN"
    )
    assert chosen == "en"


def test_unknown_choices_fall_through_to_default() -> None:
    chosen = i18n.choose_locale(
        cookie="fr", staff_locale="de", accept_language="ja-JP", default="zh_Hans_CN"
    )
    assert chosen == "zh_Hans_CN"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans_CN"),
        ("zh-TW", "zh_Hans_CN"),
        ("fr-FR,en;q=0.5,zh;q=0.4", "en"),
        ("en;q=0.2, zh;q=0.9", "zh_Hans_CN"),
        ("zh;q=0, en", "en"),
        ("en;q=abc, zh", "zh_Hans_CN"),
        ("", None),
        (None, None),
        ("ja,ko", None),
    ],
)
def test_accept_language_picks_the_best_supported_language(
    header: str | None, expected: str | None
) -> None:
    assert i18n.parse_accept_language(header) == expected


@given(st.text(max_size=200))
def test_any_accept_language_header_gives_a_supported_locale_or_none(header: str) -> None:
    assert i18n.parse_accept_language(header) in (*i18n.LOCALES, None)


@pytest.mark.parametrize(
    ("money", "locale", "expected"),
    [
        (Money(123450, "CNY"), "zh_Hans_CN", "¥1,234.50"),
        (Money(123450, "CNY"), "en", "CN¥1,234.50"),
        (Money(-5, "CNY"), "zh_Hans_CN", "-¥0.05"),
        (Money(1235, "JPY"), "en", "¥1,235"),
        (Money(1235, "JPY"), "zh_Hans_CN", "JP¥1,235"),
        (Money(100, "USD"), "en", "$1.00"),
    ],
)
def test_money_is_formatted_for_its_currency_and_language(
    money: Money, locale: str, expected: str
) -> None:
    assert i18n.format_money(money, locale) == expected


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_decimal_amount_is_exact(amount: int) -> None:
    value = i18n.decimal_amount(Money(amount, "CNY"))
    assert isinstance(value, Decimal)
    assert value * 100 == amount


def test_datetimes_are_shown_on_the_wall_clock_of_the_timezone() -> None:
    moment = datetime(2026, 11, 22, 5, 3, tzinfo=UTC)
    assert i18n.format_datetime(moment, "zh_Hans_CN", "Asia/Shanghai") == "2026年11月22日 13:03:00"
    assert i18n.format_datetime(moment, "en", "Asia/Tokyo") == "Nov 22, 2026, 2:03:00\u202fPM"


def test_dates_use_the_local_day() -> None:
    late_evening_utc = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    assert i18n.format_date(late_evening_utc, "en", "Asia/Shanghai") == "Nov 22, 2026"


def test_english_falls_back_to_message_ids_and_chinese_is_translated() -> None:
    assert i18n.translations("en").gettext("Log in") == "Log in"
    assert i18n.translations("zh_Hans_CN").gettext("Log in") == "登录"
    plural = i18n.translations("en").ngettext("%(num)d store", "%(num)d stores", 1)
    assert plural == "%(num)d store"
