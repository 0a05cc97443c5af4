"""Every console page in Chinese: no English message ids, no raw codes, no ISO dates.

The walk takes every GET route under ``/console`` from the app itself, so a new page is
checked as soon as it exists (a new path parameter must be given a value in
``ConsoleWorld.ids``). What a page shows is read from its HTML: text nodes and the
attributes people see (placeholder, title, aria-label, alt).
"""

import re
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.e2e.manage.console_world import console_world
from tests.e2e.pages_support import login

from newretail.catalog.rules import Channel, Level
from newretail.db import Database
from newretail.inventory.rules import MovementKind, Purpose
from newretail.kernel import i18n
from newretail.kernel.scope import Role
from newretail.orders.rules import DeliveryMethod, FulfilmentKind, OrderStatus
from newretail.payments.providers import ChargeOutcome
from newretail.presales.rules import DepositStatus, UnpaidRule
from newretail.web import labels, messages

pytestmark = pytest.mark.sqlite_only

VISIBLE_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
ENUMS: tuple[type[StrEnum], ...] = (
    Channel,
    Level,
    MovementKind,
    Purpose,
    Role,
    OrderStatus,
    DeliveryMethod,
    FulfilmentKind,
    ChargeOutcome,
    DepositStatus,
    UnpaidRule,
)
# A picture, a PDF, CSVs (machine-read columns), the platform admin's brand list
# (test_pages_brand_picker) and coupon packages (test_pages_console_promotions walks them
# as the platform admin).
SKIPPED_ROUTES = {
    "/console/packages",
    "/console/packages/new",
    "/console/packages/{package_id}",
    "/console/codes/{code}.svg",
    "/console/codes/sheet",
    "/console/dashboard.csv",
    "/console/analytics.csv",
    "/console/audiences/{audience_id}/members.csv",
    "/console/commission/periods/{period_id}/payroll.csv",
    "/console/commission/periods/{period_id}/invoicing.csv",
    "/console/brands",
}
# Tables keyed by message names rather than by codes that data holds.
NOT_CODES = {"ERRORS", "ERROR_FIELDS", "FIELD_ERRORS", "FLASHES", "FAILURES"}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class VisibleText(HTMLParser):
    """The texts of a page that a person reads."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._hidden += 1
        self.texts += [v.strip() for k, v in attrs if k in VISIBLE_ATTRIBUTES and v and v.strip()]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(data.strip())


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


def raw_codes() -> set[str]:
    """Every code a page must show through a label: enum values and label-table keys."""
    codes = {member.value for enum in ENUMS for member in enum}
    for module in (messages, labels):
        for name, table in vars(module).items():
            if name in NOT_CODES or not isinstance(table, dict):
                continue
            if all(isinstance(k, str) for k in table):
                codes |= {key for key in table if re.fullmatch(r"[a-z_]+", key)}
    return codes


def _placeholder_pattern(msgid: str) -> str:
    parts = re.split(r"%\(\w+\)[sd]|%[sd]", msgid)
    return ".+?".join(re.escape(part) for part in parts)


def untranslated_pattern() -> re.Pattern[str]:
    """Any English message id that Chinese translates to something else, as a whole text."""
    catalog = i18n.translations(i18n.ZH)
    ids = [
        msgid
        for msgid in catalog._catalog  # type: ignore[attr-defined]
        if isinstance(msgid, str)
        and msgid
        and catalog.gettext(msgid) != msgid
        and re.search(r"[A-Za-z]{2}", msgid)
    ]
    return re.compile("^(?:" + "|".join(_placeholder_pattern(m) for m in ids) + ")$")


def page_routes(routes: list[Any]) -> list[APIRoute]:
    """The app's routes, looking inside included routers (none of the pages has a prefix)."""
    found: list[APIRoute] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            found += page_routes(included.routes)
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def console_pages(client: TestClient, ids: dict[str, str]) -> list[str]:
    paths = []
    for route in page_routes(client.app.routes):  # type: ignore[attr-defined]
        if "GET" not in route.methods:
            continue
        if not route.path.startswith("/console") or route.path in SKIPPED_ROUTES:
            continue
        names = re.findall(r"{(\w+)}", route.path)
        missing = [name for name in names if name not in ids]
        assert not missing, f"{route.path}: give {missing} a value in ConsoleWorld.ids"
        paths.append(route.path.format(**{name: ids[name] for name in names}))
    return sorted(set(paths))


def problems_of(html: str, codes: set[str], untranslated: re.Pattern[str]) -> list[str]:
    found = []
    for text in visible_texts(html):
        tokens = set(re.split(r"[\s·/,:()（）]+", text)) | {text}
        raw = sorted(tokens & codes)
        if raw:
            found.append(f"raw code {raw} in {text!r}")
        if re.search(r"[A-Za-z]{2}", text) and untranslated.match(text):
            found.append(f"untranslated {text!r}")
        if ISO_DATE.search(text):
            found.append(f"unformatted date in {text!r}")
    return found


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_console_page_in_chinese_shows_only_translated_words(
    client: TestClient, database: Database
) -> None:
    world = console_world(database)
    login(client, world.shop.world.admin)
    codes, untranslated = raw_codes(), untranslated_pattern()
    ids = {**world.ids, "order_id": str(world.paid_order_id)}
    pages = [
        *console_pages(client, ids),
        f"/console/orders/{world.credit_order_id}",
        f"/console/prices?sku={world.shop.black.id}",
        f"/console/presales?presale={world.presale_id}",
        f"/console/stock/movements?store={world.shop.world.east_store.id}",
    ]

    report: dict[str, list[str]] = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        found = problems_of(response.text, codes, untranslated)
        if found:
            report[path] = found

    assert report == {}
    assert len(pages) > 25
    client.cookies.set("nr_locale", "en")
    snake = {code for code in codes if "_" in code}
    english = {path: problems_of(client.get(path).text, snake, re.compile("^$")) for path in pages}
    assert {path: found for path, found in english.items() if found} == {}


def test_the_walk_catches_a_raw_code_an_english_text_and_an_iso_date() -> None:
    html = (
        "<main><p>succeeded</p><p>Store prices</p><td>2026-12-01</td>"
        '<input placeholder="Search by title or code"></main>'
    )

    found = problems_of(html, raw_codes(), untranslated_pattern())

    assert found == [
        "raw code ['succeeded'] in 'succeeded'",
        "untranslated 'Store prices'",
        "unformatted date in '2026-12-01'",
        "untranslated 'Search by title or code'",
    ]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_payments_fulfilment_reasons_and_stock_references_are_shown_in_words(
    client: TestClient, database: Database
) -> None:
    world = console_world(database)
    login(client, world.shop.world.admin)

    paid = visible_texts(client.get(f"/console/orders/{world.paid_order_id}").text)
    on_credit = visible_texts(client.get(f"/console/orders/{world.credit_order_id}").text)
    journal = visible_texts(client.get("/console/stock/movements").text)

    assert {"沙箱支付 · 银行卡", "已支付", "买家在此门店自提"} <= set(paid)
    assert "沙箱支付 · 先享后付：首付" in on_credit
    assert "采购单" in journal and "PO-2026-001" in journal
