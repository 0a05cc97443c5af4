"""What the member screens of the console and the guide's workbench show, as plain data.

A member's history is a list of sections, each built by one function from the services
with the caller's scope: the binding history and the points ledger today; orders, scans
and coupons add their own builder to ``SECTION_BUILDERS``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.db import utcnow
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.members.schemas import BindingRead, MemberRead
from newretail.org import service as org_service
from newretail.web import data, messages
from newretail.web.pages import Page

HISTORY_LIMIT = 100


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


@dataclass(frozen=True)
class HistoryContext:
    page: Page
    session: Session
    member: MemberRead
    names: Names


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


SECTION_BUILDERS: tuple[Callable[[HistoryContext], Section], ...] = (
    binding_section,
    points_section,
)


def history(page: Page, session: Session, member: MemberRead, known: Names) -> list[Section]:
    ctx = HistoryContext(page, session, member, known)
    return [build(ctx) for build in SECTION_BUILDERS]


def tier_label(page: Page, name: str) -> str:
    """A tier's name; the platform's default tiers in the reader's language."""
    return page.translate(name) if name in messages.DEFAULT_TIER_NAMES else name
