"""Languages of the pages: choosing one per request, loading catalogs, formatting values.

The user's explicit choice (a cookie set by the language switcher) wins, then the staff
member's saved locale, then the browser's ``Accept-Language``, then the configured default.
Amounts arrive as ``Money`` (integer minor units) and are formatted through ``Decimal``.
"""

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency
from babel.support import Translations

from newretail.kernel.money import Money

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
ZH = "zh_Hans_CN"
EN = "en"
LOCALES = (ZH, EN)
HTML_LANG = {ZH: "zh-CN", EN: "en"}
LOCALE_NAMES = {ZH: "中文", EN: "English"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


def supported(locale: str | None) -> str | None:
    """``locale`` if the pages are translated into it, else None."""
    return locale if locale in LOCALES else None


def from_language_tag(tag: str) -> str | None:
    """The catalog for a BCP 47 tag (``zh-CN``, ``en-GB``), if there is one."""
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    if primary == "zh":
        return ZH
    if primary == "en":
        return EN
    return None


def parse_accept_language(header: str | None) -> str | None:
    """The first supported locale of an ``Accept-Language`` header, by quality then order."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        locale = from_language_tag(tag)
        if locale is not None and quality > 0:
            weighted.append((-quality, position, locale))
    return min(weighted)[2] if weighted else None


def choose_locale(
    *,
    cookie: str | None,
    staff_locale: str | None,
    accept_language: str | None,
    default: str,
) -> str:
    """Explicit choice > saved preference > browser > default."""
    return (
        supported(cookie)
        or supported(staff_locale)
        or parse_accept_language(accept_language)
        or supported(default)
        or ZH
    )


@cache
def translations(locale: str) -> Translations:
    """The compiled catalog of ``locale``; English falls back to the message ids."""
    loaded = Translations.load(dirname=str(LOCALE_DIR), locales=[locale], domain=DOMAIN)
    if not isinstance(loaded, Translations):
        return Translations()
    return loaded


def decimal_amount(money: Money) -> Decimal:
    """The exact decimal value of ``money`` (12345 fen → Decimal('123.45'))."""
    return Decimal(money.amount).scaleb(-money.digits)


def format_money(money: Money, locale: str) -> str:
    """``Money(123450, "CNY")`` → ``¥1,234.50`` in Chinese, ``CN¥1,234.50`` in English."""
    return format_currency(decimal_amount(money), money.currency, locale=locale)


def format_datetime(value: datetime, locale: str, timezone: str = "Asia/Shanghai") -> str:
    """An aware datetime shown on the wall clock of ``timezone``."""
    return babel_format_datetime(value, "medium", tzinfo=ZoneInfo(timezone), locale=locale)


def format_date(value: date | datetime, locale: str, timezone: str = "Asia/Shanghai") -> str:
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(timezone)).date()
    return babel_format_date(value, "medium", locale=locale)
