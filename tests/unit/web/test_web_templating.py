from datetime import UTC, datetime

from newretail.kernel.money import Money
from newretail.web import templating


def _render(locale: str, source: str, **context: object) -> str:
    return templating.environment(locale).from_string(source).render(context)


def test_templates_format_money_for_the_language() -> None:
    price = Money(123450, "CNY")
    assert _render("zh_Hans_CN", "{{ price|money }}", price=price) == "¥1,234.50"
    assert _render("en", "{{ price|money }}", price=price) == "CN¥1,234.50"


def test_templates_format_times_in_the_given_timezone() -> None:
    moment = datetime(2026, 1, 31, 17, 30, tzinfo=UTC)
    source = "{{ moment|datetime('Asia/Shanghai') }} / {{ moment|date('Asia/Shanghai') }}"
    assert _render("zh_Hans_CN", source, moment=moment) == "2026年2月1日 01:30:00 / 2026年2月1日"


def test_templates_translate_and_pluralise() -> None:
    source = "{{ _('Log in') }} {{ ngettext('%(num)d store', '%(num)d stores', n) }}"
    assert _render("zh_Hans_CN", source, n=3) == "登录 3 家门店"
    assert _render("en", source, n=1) == "Log in 1 store"
    assert _render("en", source, n=3) == "Log in 3 stores"


def test_templates_escape_values_inside_translations() -> None:
    source = "{{ _('Edit %(name)s', name=name) }}"
    assert _render("en", source, name="<b>x</b>") == "Edit &lt;b&gt;x&lt;/b&gt;"


def test_static_urls_carry_the_version() -> None:
    assert templating.static_url("css/app.css").startswith("/static/css/app.css?v=")
