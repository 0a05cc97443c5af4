from fastapi import APIRouter, Request, status
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page
from newretail.kernel.scope import Scope
from newretail.notify import service
from newretail.notify.schemas import (
    CardIn,
    ChannelRead,
    ChannelUpdate,
    ConversationMessageCreate,
    ConversationMessageRead,
    ConversationRead,
    NotificationCreate,
    NotificationRead,
    PolicyRead,
    PolicyUpdate,
    ReadAll,
    ReadCount,
    ReplyCreate,
    SentRead,
    ThreadRead,
    UnreadRead,
)

router = APIRouter(tags=["notifications"], route_class=ApiRoute)


@router.get("/notifications", response_model=Page[NotificationRead])
def inbox(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    unread: bool = False,
    brand_id: int | None = None,
) -> Page[NotificationRead]:
    """The caller's in-app inbox (staff or consumer), newest first."""
    items, next_cursor = service.list_inbox(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        unread_only=unread,
        brand_id=brand_id,
    )
    return Page(items=[NotificationRead.model_validate(m) for m in items], next_cursor=next_cursor)


@router.get("/notifications/unread", response_model=UnreadRead)
def unread(session: SessionDep, scope: ScopeDep, brand_id: int | None = None) -> UnreadRead:
    return UnreadRead(unread=service.unread_count(session=session, scope=scope, brand_id=brand_id))


@router.get("/notifications/sent", response_model=Page[NotificationRead])
def sent(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    brand_id: int | None = None,
    status_is: str | None = None,
) -> Page[NotificationRead]:
    """A brand's messages on every channel with their states (brand-wide managers)."""
    items, next_cursor = service.list_messages(
        session=session,
        scope=scope,
        brand_id=brand_id,
        cursor=cursor,
        limit=limit,
        status=status_is,
    )
    return Page(items=[NotificationRead.model_validate(m) for m in items], next_cursor=next_cursor)


@router.post("/notifications", response_model=list[SentRead], status_code=status.HTTP_201_CREATED)
def send(data: NotificationCreate, session: SessionDep, scope: ScopeDep) -> list[SentRead]:
    """Send a template to a brand's staff or members (brand admins and integrations).

    Refused whole, nothing sent: an unknown template or a missing variable (422), a
    stranger (404), marketing to someone who did not consent (403), a flood (429).
    """
    brand_id = service.require_sender(scope, data.brand_id)
    records = service.send(
        session=session,
        brand_id=brand_id,
        recipients=[service.Recipient(r.kind, r.id) for r in data.recipients],
        template=data.template,
        variables=data.variables,
        purpose=data.purpose,
        channels=data.channels,
        dedupe_key=data.dedupe_key,
        sender_staff_id=scope.actor_id if scope.actor_type == "staff" else None,
        now=utcnow(),
    )
    return [
        SentRead(
            id=r.id,
            recipient_kind=r.recipient.kind,
            recipient_id=r.recipient.id,
            channel=r.channel,
            status=r.status,
            next_attempt_at=r.next_attempt_at,
        )
        for r in records
    ]


@router.post("/notifications/read", response_model=ReadCount)
def read_all(data: ReadAll, session: SessionDep, scope: ScopeDep) -> ReadCount:
    """Mark every unread notice in the caller's inbox read (a member may name one brand)."""
    read = service.mark_all_read(session=session, scope=scope, brand_id=data.brand_id, now=utcnow())
    return ReadCount(read=read)


@router.put("/notifications/policy", response_model=PolicyRead)
def put_policy(data: PolicyUpdate, session: SessionDep, scope: ScopeDep) -> PolicyRead:
    """A brand's quiet hours (minutes after local midnight) and per-person hourly limit."""
    policy = service.put_policy(
        session=session,
        scope=scope,
        brand_id=data.brand_id,
        quiet_start_minute=data.quiet_start_minute,
        quiet_end_minute=data.quiet_end_minute,
        max_per_hour=data.max_per_hour,
    )
    return PolicyRead.model_validate(policy)


@router.get("/notifications/channels", response_model=list[ChannelRead])
def channels(
    session: SessionDep, scope: ScopeDep, brand_id: int | None = None
) -> list[ChannelRead]:
    rows = service.list_channels(session=session, scope=scope, brand_id=brand_id)
    return [ChannelRead.model_validate(row) for row in rows]


@router.put("/notifications/channels", response_model=ChannelRead)
def put_channel(data: ChannelUpdate, session: SessionDep, scope: ScopeDep) -> ChannelRead:
    """Set up an outside channel; its secret is named by reference (``setting:`` / ``file:``)."""
    row = service.put_channel(
        session=session,
        scope=scope,
        brand_id=data.brand_id,
        channel=data.channel,
        settings=data.settings,
        secret_ref=data.secret_ref,
        active=data.active,
    )
    return ChannelRead.model_validate(row)


@router.get("/notifications/{message_id}", response_model=NotificationRead)
def get_notification(message_id: int, session: SessionDep, scope: ScopeDep) -> NotificationRead:
    message = service.get_message(session=session, scope=scope, message_id=message_id)
    return NotificationRead.model_validate(message)


@router.post("/notifications/{message_id}/read", response_model=NotificationRead)
def read_one(message_id: int, session: SessionDep, scope: ScopeDep) -> NotificationRead:
    message = service.mark_read(session=session, scope=scope, message_id=message_id, now=utcnow())
    return NotificationRead.model_validate(message)


# ---- conversations ----------------------------------------------------------------------


@router.get("/conversations", response_model=Page[ConversationRead], tags=["conversations"])
def conversations(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    guide_id: int | None = None,
    brand_id: int | None = None,
) -> Page[ConversationRead]:
    """A member's, a guide's, or (for managers) their stores' conversations."""
    items, next_cursor = service.list_conversations(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        guide_id=guide_id,
        brand_id=brand_id,
    )
    return Page(items=[ConversationRead.model_validate(c) for c in items], next_cursor=next_cursor)


def _card(
    request: Request, session: Session, scope: Scope, card: CardIn | None
) -> service.Card | None:
    if card is None:
        return None
    secret = request.app.state.settings.secret_key
    return service.card(session=session, scope=scope, secret=secret, kind=card.kind, ref_id=card.id)


@router.post(
    "/conversations/messages",
    response_model=list[ConversationMessageRead],
    status_code=status.HTTP_201_CREATED,
    tags=["conversations"],
)
def guide_writes(
    data: ConversationMessageCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> list[ConversationMessageRead]:
    """A guide writes to one or a selection of their own members (text and/or a card).

    Refused whole, nothing sent: a member who is not the guide's (403 `not_your_member`),
    who did not consent to marketing (403 `no_marketing_consent`), a flood (429).
    """
    written = service.guide_writes(
        session=session,
        scope=scope,
        member_ids=data.member_ids,
        text=data.text,
        card=_card(request, session, scope, data.card),
        now=utcnow(),
    )
    return [ConversationMessageRead.model_validate(m) for m in written]


@router.get("/conversations/{conversation_id}", response_model=ThreadRead, tags=["conversations"])
def thread(conversation_id: int, session: SessionDep, scope: ScopeDep) -> ThreadRead:
    conversation, messages = service.messages_of(
        session=session, scope=scope, conversation_id=conversation_id
    )
    return ThreadRead(
        conversation=ConversationRead.model_validate(conversation),
        messages=[ConversationMessageRead.model_validate(m) for m in messages],
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=ConversationMessageRead,
    status_code=status.HTTP_201_CREATED,
    tags=["conversations"],
)
def reply(
    conversation_id: int,
    data: ReplyCreate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
) -> ConversationMessageRead:
    """The member answers in their conversation; the guide may write in it too."""
    message = service.write_in(
        session=session,
        scope=scope,
        conversation_id=conversation_id,
        text=data.text,
        card=_card(request, session, scope, data.card) if scope.actor_type == "staff" else None,
        now=utcnow(),
    )
    return ConversationMessageRead.model_validate(message)


@router.post(
    "/conversations/{conversation_id}/read", response_model=ReadCount, tags=["conversations"]
)
def read_conversation(conversation_id: int, session: SessionDep, scope: ScopeDep) -> ReadCount:
    read = service.mark_conversation_read(
        session=session, scope=scope, conversation_id=conversation_id, now=utcnow()
    )
    return ReadCount(read=read)
