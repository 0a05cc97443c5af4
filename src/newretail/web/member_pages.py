"""What the member screens of the console and the guide's workbench show, as plain data.

A member's history is a list of sections, each built by one function from the services
with the caller's scope: the binding history, the points ledger, and the member's activity
(orders in every channel, returns and exchanges, code scans) newest first, a page of
``ACTIVITY_PAGE`` at a time (``?before=`` the time of the page's last entry); coupons add
their own builder to ``SECTION_BUILDERS``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.db import utcnow
from newretail.kernel import i18n
from newretail.kernel.money import Money
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.members.schemas import BindingRead, MemberRead
from newretail.orders import service as orders_service
from newretail.org import service as org_service
from newretail.returns import service as returns_service
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.rules import PLACEMENT_LABELS, Placement
from newretail.web import data, labels, messages
from newretail.web.pages import Page

HISTORY_LIMIT = 100
ACTIVITY_PAGE = 20
Before = Annotated[str | None, Query(max_length=64)]


@dataclass(frozen=True)
class Names:
    """Names of the stores, staff and tiers the caller can see, for ids in member data."""

    stores: dict[int, str]
    staff: dict[int, str]
    tiers: dict[str, str]

    def store(self, page: Page, store_id: int | None) -> str:
        if store_id is None:
            return "—"
        return self.stores.get(store_id) or page.gettext("Another store")

    def guide(self, page: Page, staff_id: int | None) -> str:
        if staff_id is None:
            return page.gettext("No guide")
        return self.staff.get(staff_id) or page.gettext("Another guide")


def names(*, session: Session, scope: Scope, brand_id: int) -> Names:
    stores = data.every(
        lambda cursor: org_service.list_stores(
            session=session, scope=scope, cursor=cursor, limit=200, brand_id=brand_id
        )
    )
    staff = data.every(
        lambda cursor: auth_service.list_staff(
            session=session, scope=scope, cursor=cursor, limit=200
        )
    )
    programme = members_service.get_programme(session=session, scope=scope, brand_id=brand_id)
    return Names(
        stores={s.id: s.name for s in stores},
        staff={s.id: s.display_name for s in staff},
        tiers={t.code: t.name for t in programme.tiers},
    )


def display_phone(phone: str | None) -> str:
    """Chinese numbers without the +86 (masked ones already are); others as stored."""
    if not phone:
        return "—"
    return phone[3:] if phone.startswith("+86") else phone


def member_label(page: Page, member: MemberRead, name: str | None) -> str:
    return name or page.gettext("Member %(number)s", number=member.member_no.lstrip("0"))


def binding_view(page: Page, binding: BindingRead | None, known: Names) -> dict[str, object]:
    if binding is None:
        return {"bound": False}
    now = utcnow()
    return {
        "bound": True,
        "active": binding.active,
        "store": known.store(page, binding.store_id),
        "guide": known.guide(page, binding.guide_id),
        "guide_id": binding.guide_id,
        "store_id": binding.store_id,
        "source": page.translate(messages.BINDING_SOURCES.get(binding.source, binding.source)),
        "bound_at": binding.bound_at,
        "protected_until": binding.protected_until,
        "protected": binding.protected_until is not None and now < binding.protected_until,
        "expires_at": binding.expires_at,
    }


def member_view(
    page: Page, member: MemberRead, name: str | None, known: Names, last_activity: datetime
) -> dict[str, object]:
    return {
        "id": member.id,
        "label": member_label(page, member, name),
        "name": name,
        "initial": (name or "#")[:1],
        "member_no": member.member_no,
        "phone": display_phone(member.phone),
        "tier": tier_label(page, known.tiers.get(member.tier, member.tier)),
        "tier_code": member.tier,
        "points": member.points,
        "joined_at": member.joined_at,
        "join_channel": page.translate(
            messages.JOIN_CHANNELS.get(member.join_channel, member.join_channel)
        ),
        "last_activity": last_activity,
        "binding": binding_view(page, member.binding, known),
    }


# ---- history sections -----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    at: datetime
    title: str
    detail: str
    figure: str = ""
    tone: str = "neutral"


@dataclass
class Section:
    key: str
    title: str
    empty: str
    entries: list[Entry] = field(default_factory=list)
    older_url: str | None = None
    newest_url: str | None = None


@dataclass(frozen=True)
class HistoryContext:
    page: Page
    session: Session
    member: MemberRead
    names: Names
    path: str = ""
    before: datetime | None = None

    def link(self, before: datetime | None) -> str:
        return self.path + ("?" + urlencode({"before": before.isoformat()}) if before else "")


def parse_before(text: str | None) -> datetime | None:
    """The ``before`` of a history page; None (the newest page) for anything unreadable."""
    try:
        at = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def binding_section(ctx: HistoryContext) -> Section:
    page, known = ctx.page, ctx.names
    history = members_service.binding_history(
        session=ctx.session,
        scope=page.caller,
        member_id=ctx.member.id,
        cursor=None,
        limit=HISTORY_LIMIT,
    )
    section = Section("binding", page.gettext("Store and guide"), page.gettext("Never bound."))
    for event in reversed(history.items):
        source = page.translate(messages.BINDING_SOURCES.get(event.source, event.source))
        reason = page.translate(messages.BINDING_REASONS.get(event.reason, event.reason))
        target = f"{known.store(page, event.to_store_id)} · {known.guide(page, event.to_guide_id)}"
        if event.from_store_id is not None:
            before = known.store(page, event.from_store_id)
            detail = page.gettext(
                "from %(before)s · %(guide)s",
                before=before,
                guide=known.guide(page, event.from_guide_id),
            )
        else:
            detail = reason
        section.entries.append(Entry(event.at, f"{source} → {target}", detail, tone="accent"))
    return section


def points_section(ctx: HistoryContext) -> Section:
    page = ctx.page
    entries, _ = members_service.ledger(
        session=ctx.session,
        scope=page.caller,
        member_id=ctx.member.id,
        cursor=None,
        limit=HISTORY_LIMIT,
    )
    section = Section("points", page.gettext("Points"), page.gettext("No points yet."))
    for entry in reversed(entries):
        kind = page.translate(messages.POINTS_KINDS.get(entry.kind, entry.kind))
        balance = page.gettext("balance %(balance)s", balance=entry.balance_after)
        detail = f"{entry.reason} · {balance}" if entry.reason else balance
        figure = f"{entry.points:+d}"
        tone = "success" if entry.points > 0 else "danger"
        section.entries.append(Entry(entry.created_at, kind, detail, figure, tone))
    return section


def activity_section(ctx: HistoryContext) -> Section:
    """Orders, returns and scans of the member, merged newest first, one page of them."""
    page = ctx.page
    entries = sorted(
        [*_order_entries(ctx), *_return_entries(ctx), *_scan_entries(ctx)],
        key=lambda entry: entry.at,
        reverse=True,
    )
    section = Section(
        "activity",
        page.gettext("Orders, returns and scans"),
        page.gettext("No orders, returns or scans yet."),
        entries[:ACTIVITY_PAGE],
    )
    if len(entries) > ACTIVITY_PAGE:
        section.older_url = ctx.link(section.entries[-1].at)
    if ctx.before is not None:
        section.newest_url = ctx.link(None)
    return section


def _money(page: Page, amount: int, currency: str) -> str:
    return i18n.format_money(Money(amount, currency), page.locale)


def _order_entries(ctx: HistoryContext) -> list[Entry]:
    page, known = ctx.page, ctx.names
    orders = orders_service.member_orders(
        session=ctx.session,
        scope=page.caller,
        member_id=ctx.member.id,
        before=ctx.before,
        limit=ACTIVITY_PAGE + 1,
    )
    return [
        Entry(
            order.created_at,
            page.gettext(
                "Order %(number)s · %(channel)s",
                number=order.number,
                channel=labels.label(page, messages.CHANNELS, order.channel),
            ),
            f"{labels.label(page, messages.ORDER_STATUSES, order.status)}"
            f" · {known.store(page, order.store_id)}",
            _money(page, order.total, order.currency),
            "success" if order.paid_at is not None else "neutral",
        )
        for order in orders
    ]


def _return_entries(ctx: HistoryContext) -> list[Entry]:
    page = ctx.page
    found = returns_service.member_returns(
        session=ctx.session,
        scope=page.caller,
        member_id=ctx.member.id,
        before=ctx.before,
        limit=ACTIVITY_PAGE + 1,
    )
    return [
        Entry(
            record.created_at,
            page.gettext(
                "%(kind)s %(number)s",
                kind=labels.label(page, messages.RETURN_KINDS, record.kind),
                number=record.number,
            ),
            page.gettext(
                "of order %(number)s · %(status)s",
                number=number,
                status=labels.label(page, messages.RETURN_STATUSES, record.status),
            ),
            "-" + _money(page, record.refund_amount, currency) if record.refund_amount else "",
            "danger",
        )
        for record, number, currency in found
    ]


def _scan_entries(ctx: HistoryContext) -> list[Entry]:
    page, known = ctx.page, ctx.names
    scans = touchpoints_service.consumer_scans(
        session=ctx.session,
        scope=page.caller,
        brand_id=ctx.member.brand_id,
        consumer_id=ctx.member.consumer_id,
        before=ctx.before,
        limit=ACTIVITY_PAGE + 1,
    )
    return [
        Entry(
            scan.scanned_at,
            page.gettext("Scanned code %(code)s", code=code.code),
            f"{page.translate(PLACEMENT_LABELS[Placement(code.placement)])}"
            f" · {known.store(page, code.store_id)}",
            tone="accent",
        )
        for scan, code in scans
    ]


SECTION_BUILDERS: tuple[Callable[[HistoryContext], Section], ...] = (
    activity_section,
    binding_section,
    points_section,
)


def history(
    page: Page,
    session: Session,
    member: MemberRead,
    known: Names,
    *,
    path: str = "",
    before: datetime | None = None,
) -> list[Section]:
    ctx = HistoryContext(page, session, member, known, path, before)
    return [build(ctx) for build in SECTION_BUILDERS]


def tier_label(page: Page, name: str) -> str:
    """A tier's name; the platform's default tiers in the reader's language."""
    return page.translate(name) if name in messages.DEFAULT_TIER_NAMES else name
