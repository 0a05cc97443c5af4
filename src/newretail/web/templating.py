"""Jinja2 environments, one per language, with the i18n extension and formatting filters.

One environment per locale (rather than installing translations per request) keeps
rendering thread-safe: the request threads never share mutable gettext state.
"""

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from newretail import __version__
from newretail.kernel import i18n
from newretail.kernel.money import Money

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def static_url(path: str) -> str:
    """URL of a file under ``static/``, versioned so that a release busts browser caches."""
    return f"/static/{path}?v={__version__}"


def events_token(brand_id: int, store_id: int) -> str:
    """The page token a store's pages give their event script (anonymous events only)."""
    from newretail.analytics.events import service as events_service
    from newretail.config import get_settings
    from newretail.db import utcnow

    secret = get_settings().secret_key
    return events_service.issue_page_token(
        secret=secret, brand_id=brand_id, store_id=store_id, now=utcnow()
    )


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]

    def money(value: Money) -> str:
        return i18n.format_money(value, locale)

    def datetime_filter(value: datetime, timezone: str = "Asia/Shanghai") -> str:
        return i18n.format_datetime(value, locale, timezone)

    def date_filter(value: date | datetime, timezone: str = "Asia/Shanghai") -> str:
        return i18n.format_date(value, locale, timezone)

    env.filters.update(money=money, datetime=datetime_filter, date=date_filter)
    env.globals.update(
        locale=locale,
        html_lang=i18n.HTML_LANG[locale],
        locale_names=i18n.LOCALE_NAMES,
        static=static_url,
        version=__version__,
        events_token=events_token,
    )
    return env


def render(locale: str, template: str, context: dict[str, Any]) -> str:
    return environment(locale).get_template(template).render(context)
