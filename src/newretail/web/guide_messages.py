"""The guide's inbox and conversations at /g (mobile first).

    GET  /g/inbox                    notices (newest first) and conversations with members
    POST /g/inbox/read               mark every notice read
    GET  /g/conversations/{id}       one conversation, and a box to write in it
    POST /g/conversations/{id}       write (text, and optionally a product card)
    POST /g/conversations/{id}/read  mark the member's messages read
    GET  /g/compose                  write to one or a selection of my members
    POST /g/compose

Refusals (a member who opted out of marketing, a flood) come back as a flash on the page
the guide was on, with nothing sent. A GET never writes: reading is a button.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.guides import service as guides_service
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.notify import service as notify_service
from newretail.web import member_pages
from newretail.web.guide import _tabs
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
LIST_SIZE = 30
COMPOSE_SIZE = 60


def _member_label(page: Page, session: Session, scope: Scope, member_id: int) -> str:
    try:
        member = members_service.read_member(session=session, scope=scope, member_id=member_id)
    except DomainError:
        return page.gettext("A member")
    name = members_service.member_name(session=session, member=member)
    return member_pages.member_label(page, member, name)


def _conversation_view(
    page: Page, session: Session, scope: Scope, conversation: Any
) -> dict[str, object]:
    return {
        "id": conversation.id,
        "label": _member_label(page, session, scope, conversation.membership_id),
        "unread": conversation.guide_unread,
        "last": conversation.last_message_at,
        "mine": conversation.guide_id == scope.actor_id,
    }


@router.get("/g/inbox")
def inbox(page: StaffPage, session: PageSessionDep) -> HTMLResponse:
    scope = page.caller
    store = guides_service.guide_store(session=session, scope=scope)
    notices, _ = notify_service.list_inbox(
        session=session, scope=scope, cursor=None, limit=LIST_SIZE
    )
    conversations, _ = notify_service.list_conversations(
        session=session, scope=scope, cursor=None, limit=LIST_SIZE
    )
    return page.render(
        "guide/inbox.html",
        store=store,
        notices=notices,
        unread=sum(1 for n in notices if n.read_at is None),
        conversations=[_conversation_view(page, session, scope, c) for c in conversations],
        tabs=_tabs(page, "inbox"),
    )


@router.post("/g/inbox/read")
def read_all(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    del fields
    notify_service.mark_all_read(session=session, scope=page.caller, now=utcnow())
    return page.redirect("/g/inbox")


@router.get("/g/conversations/{conversation_id}")
def conversation(page: StaffPage, session: PageSessionDep, conversation_id: int) -> HTMLResponse:
    scope = page.caller
    store = guides_service.guide_store(session=session, scope=scope)
    found, messages = notify_service.messages_of(
        session=session, scope=scope, conversation_id=conversation_id
    )
    products = guides_service.shareable_products(session=session, scope=scope, store=store)
    return page.render(
        "guide/conversation.html",
        store=store,
        conversation=_conversation_view(page, session, scope, found),
        messages=messages,
        products=products,
        tabs=_tabs(page, "inbox"),
    )


def _card(
    page: Page, session: Session, scope: Scope, product: str | None
) -> notify_service.Card | None:
    text = (product or "").strip()
    if not text.isdigit() or len(text) > 12:
        return None
    return notify_service.card(
        session=session,
        scope=scope,
        secret=page.settings.secret_key,
        kind="product",
        ref_id=int(text),
    )


@router.post("/g/conversations/{conversation_id}")
def write(
    page: StaffPage, session: PageSessionDep, conversation_id: int, fields: FormDep
) -> Response:
    scope = page.caller
    back = f"/g/conversations/{conversation_id}"
    try:
        notify_service.write_in(
            session=session,
            scope=scope,
            conversation_id=conversation_id,
            text=fields.get("text") or "",
            card=_card(page, session, scope, fields.get("product")),
            now=utcnow(),
        )
    except DomainError as exc:
        session.rollback()
        return page.redirect(
            back, flash="message_refused", kind="error", reason=page.error_message(exc)
        )
    return page.redirect(back, flash="message_sent")


@router.post("/g/conversations/{conversation_id}/read")
def read(
    page: StaffPage, session: PageSessionDep, conversation_id: int, fields: FormDep
) -> Response:
    del fields
    notify_service.mark_conversation_read(
        session=session, scope=page.caller, conversation_id=conversation_id, now=utcnow()
    )
    return page.redirect(f"/g/conversations/{conversation_id}")


@router.get("/g/compose")
def compose(
    page: StaffPage,
    session: PageSessionDep,
    member: Annotated[list[int] | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    scope = page.caller
    store = guides_service.guide_store(session=session, scope=scope)
    rows, _ = members_service.search_members(
        session=session, scope=scope, q=None, tier=None, offset=0, limit=COMPOSE_SIZE
    )
    chosen = set(member or ())
    members = [
        {
            "id": row.member.id,
            "label": member_pages.member_label(page, row.member, row.name),
            "phone": member_pages.display_phone(row.member.phone),
            "checked": row.member.id in chosen,
        }
        for row in rows
    ]
    products = guides_service.shareable_products(session=session, scope=scope, store=store)
    return page.render(
        "guide/compose.html",
        store=store,
        members=members,
        products=products,
        tabs=_tabs(page, "inbox"),
    )


@router.post("/g/compose")
def send(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    scope = page.caller
    member_ids = [
        int(key.removeprefix("member_"))
        for key in fields
        if key.startswith("member_") and key.removeprefix("member_").isdigit() and len(key) < 20
    ]
    try:
        written = notify_service.guide_writes(
            session=session,
            scope=scope,
            member_ids=member_ids,
            text=fields.get("text") or "",
            card=_card(page, session, scope, fields.get("product")),
            now=utcnow(),
        )
    except DomainError as exc:
        session.rollback()
        return page.redirect(
            "/g/compose", flash="message_refused", kind="error", reason=page.error_message(exc)
        )
    if len(written) == 1:
        return page.redirect(f"/g/conversations/{written[0].conversation_id}", flash="message_sent")
    return page.redirect("/g/inbox", flash="messages_sent", count=len(written))
