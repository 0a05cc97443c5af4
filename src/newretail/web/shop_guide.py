""" "My guide" in the cloud store: the member's conversation with the guide who serves them.

    GET  /s/{code}/me/guide       the messages with my guide (cards open in the store, with
                                  the guide's share link), and a box to answer
    POST /s/{code}/me/guide       answer (this also marks the guide's messages read)
    POST /s/{code}/me/guide/read  mark the guide's messages read
    GET  /s/{code}/me/notices     the brand's notices to me (pickups, shipments, refunds, ...)
    POST /s/{code}/me/notices/read  mark them all read

Signed-out visitors are sent to the phone sign-in and back. A GET never writes.
"""

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.notify import service as notify_service
from newretail.notify.models import Conversation, ConversationMessage
from newretail.web import shop_shell
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.pages import FormDep, PageRoute, PageSessionDep, PublicPage
from newretail.web.shop_me import membership_context
from newretail.web.shop_shell import signed_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def my_conversation(session: Session, buyer: Scope, brand_id: int) -> Conversation | None:
    """The buyer's conversation with the brand's guide, if a guide ever wrote."""
    found, _ = notify_service.list_conversations(
        session=session, scope=buyer, cursor=None, limit=1, brand_id=brand_id
    )
    return found[0] if found else None


@router.get("/s/{store_code}/me/guide")
def my_guide(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    link = linker(store.code, ref)
    buyer = signed_in(page, session, store, link, "/me/guide")
    if isinstance(buyer, Response):
        return buyer
    conversation = my_conversation(session, buyer, store.brand_id)
    messages: list[ConversationMessage] = []
    if conversation is not None:
        _, messages = notify_service.messages_of(
            session=session, scope=buyer, conversation_id=conversation.id
        )
    return page.render(
        "cloudstore/my_guide.html",
        **shop_shell.tabs(page, session, store, "me"),
        store=store,
        link=link,
        ref=ref,
        categories=[],
        conversation=conversation,
        messages=messages,
        **membership_context(session, store, buyer),
    )


@router.post("/s/{store_code}/me/guide")
def answer(
    page: PublicPage, session: PageSessionDep, store_code: str, fields: FormDep, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    link = linker(store.code, kept_ref(ref))
    buyer = signed_in(page, session, store, link, "/me/guide")
    if isinstance(buyer, Response):
        return buyer
    conversation = my_conversation(session, buyer, store.brand_id)
    if conversation is None:
        return page.redirect(link("/me/guide"))
    now = utcnow()
    try:
        notify_service.mark_conversation_read(
            session=session, scope=buyer, conversation_id=conversation.id, now=now
        )
        notify_service.member_replies(
            session=session,
            scope=buyer,
            conversation_id=conversation.id,
            text=fields.get("text") or "",
            now=now,
        )
    except DomainError as exc:
        session.rollback()
        return page.redirect(
            link("/me/guide"), flash="message_refused", kind="error", reason=page.error_message(exc)
        )
    return page.redirect(link("/me/guide"), flash="message_sent")


@router.post("/s/{store_code}/me/guide/read")
def read(
    page: PublicPage, session: PageSessionDep, store_code: str, fields: FormDep, ref: Ref = None
) -> Response:
    del fields
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    link = linker(store.code, kept_ref(ref))
    buyer = signed_in(page, session, store, link, "/me/guide")
    if isinstance(buyer, Response):
        return buyer
    conversation = my_conversation(session, buyer, store.brand_id)
    if conversation is not None:
        notify_service.mark_conversation_read(
            session=session, scope=buyer, conversation_id=conversation.id, now=utcnow()
        )
    return page.redirect(link("/me/guide"))


NOTICES_SHOWN = 30


@router.get("/s/{store_code}/me/notices")
def my_notices(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    link = linker(store.code, ref)
    buyer = signed_in(page, session, store, link, "/me/notices")
    if isinstance(buyer, Response):
        return buyer
    notices, _ = notify_service.list_inbox(
        session=session, scope=buyer, cursor=None, limit=NOTICES_SHOWN, brand_id=store.brand_id
    )
    return page.render(
        "cloudstore/my_notices.html",
        **shop_shell.tabs(page, session, store, "me"),
        store=store,
        link=link,
        ref=ref,
        categories=[],
        notices=notices,
        unread=sum(1 for n in notices if n.read_at is None),
    )


@router.post("/s/{store_code}/me/notices/read")
def read_notices(
    page: PublicPage, session: PageSessionDep, store_code: str, fields: FormDep, ref: Ref = None
) -> Response:
    del fields
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    link = linker(store.code, kept_ref(ref))
    buyer = signed_in(page, session, store, link, "/me/notices")
    if isinstance(buyer, Response):
        return buyer
    notify_service.mark_all_read(
        session=session, scope=buyer, brand_id=store.brand_id, now=utcnow()
    )
    return page.redirect(link("/me/notices"))
