"""The guide's earnings at /g/earnings: today, this month, pending, settled and paid; each
line with why it was earned and how it was computed; the store's leaderboard this month."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from newretail.commission import earnings
from newretail.commission.models import EntryStatus
from newretail.db import utcnow
from newretail.guides import service as guides_service
from newretail.kernel.money import Money
from newretail.web import labels
from newretail.web.commission_words import ENTRY_STATUSES, line_view
from newretail.web.guide import _tabs
from newretail.web.pages import PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 20
Offset = Annotated[int, Query(ge=0, le=100_000)]
Status = Annotated[EntryStatus | None, Query()]


@router.get("/g/earnings")
def my_earnings(
    page: StaffPage, session: PageSessionDep, status: Status = None, offset: Offset = 0
) -> HTMLResponse:
    scope = page.caller
    now = utcnow()
    store = guides_service.guide_store(session=session, scope=scope)
    summary = earnings.guide_summary(session=session, scope=scope, now=now)
    rows, more = earnings.guide_lines(
        session=session,
        scope=scope,
        status=status.value if status else None,
        offset=offset,
        limit=PAGE_SIZE,
    )
    start = earnings.month_start(now, store.timezone)
    board = earnings.store_board(session=session, scope=scope, start=start, end=now)

    def money(amount: int) -> Money:
        return Money(amount, summary.currency)

    figures = [
        ("today", page.gettext("Today"), money(summary.today)),
        ("month", page.gettext("This month"), money(summary.month)),
        ("pending", page.gettext("Pending"), money(summary.pending)),
        ("settled", page.gettext("Settled"), money(summary.settled)),
        ("paid", page.gettext("Paid"), money(summary.paid)),
    ]
    filters = [("", page.gettext("All"))] + [
        (code, labels.label(page, ENTRY_STATUSES, code)) for code in ENTRY_STATUSES
    ]
    chosen = status.value if status else ""
    return page.render(
        "guide/earnings.html",
        store=store,
        figures=figures,
        frozen=money(summary.frozen),
        lines=[line_view(page, row) for row in rows],
        filters=[{"code": c, "label": t, "active": c == chosen} for c, t in filters],
        status=chosen,
        next_offset=offset + PAGE_SIZE if more else None,
        prev_offset=max(0, offset - PAGE_SIZE) if offset else None,
        board=[{**vars(r), "amount": money(r.amount)} for r in board],
        tz=store.timezone,
        tabs=_tabs(page, "earnings"),
    )
