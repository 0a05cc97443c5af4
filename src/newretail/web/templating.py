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
    )
    return env


def render(locale: str, template: str, context: dict[str, Any]) -> str:
    return environment(locale).get_template(template).render(context)
