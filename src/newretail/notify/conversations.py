"""Guides writing to their members and members answering, with a notice on each side.

A guide writes to members they serve now (bound to them), one or a selection: text, or a
card (a product with the guide's share link, a coupon to claim, a pre-sale) with a note.
A guide's message is marketing, so it needs the member's marketing consent and counts
against their hourly limit, unless the member wrote within ``rules.REPLY_WINDOW``: then it
answers them and is a service message. Any refusal refuses the whole selection.

The member reads and answers in the cloud store; reading the guide's messages records an
outbox event (``conversation.read``) that the data bank counts as a touch. Conversations
follow the member's binding (``follow_bindings``, an outbox consumer of ``member.bound``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.kernel.scope import Role, Scope
from newretail.members.models import MemberBinding, Membership
from newretail.notify import errors, rules, sending, threads
from newretail.notify.models import Conversation, ConversationMessage
from newretail.notify.rules import Recipient
from newretail.outbox import service as outbox_service
from newretail.outbox.models import OutboxEvent

MAX_TEXT = 2000
MAX_SELECTION = 200


@dataclass(frozen=True)
class Card:
    """What a card shows: its kind (product, coupon, presale), title and link."""

    kind: str
    title: str
    url: str
    ref_id: int

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "url": self.url, "id": self.ref_id}


def _check_text(text: str, card: Card | None) -> str:
    text = text.strip()
    if not text and card is None:
        raise errors.MessageEmpty()
    if len(text) > MAX_TEXT:
        raise errors.MessageEmpty(f"A message is at most {MAX_TEXT} characters.")
    return text


def _members(session: Session, brand_id: int, member_ids: Sequence[int]) -> list[Any]:
    unique = list(dict.fromkeys(member_ids))
    if not unique or len(unique) > MAX_SELECTION:
        raise errors.NoRecipients(f"Choose 1 to {MAX_SELECTION} members.")
    rows = session.execute(
        select(
            Membership.id, Membership.consumer_id, MemberBinding.guide_id, MemberBinding.store_id
        )
        .outerjoin(MemberBinding, MemberBinding.membership_id == Membership.id)
        .where(Membership.brand_id == brand_id, Membership.id.in_(unique))
    ).all()
    if len(rows) != len(unique):
        raise errors.RecipientNotFound("A member was not found.")
    return sorted(rows, key=lambda row: unique.index(row.id))


def _conversation(session: Session, brand_id: int, row: Any, now: datetime) -> Conversation:
    found = session.scalar(
        select(Conversation).where(
            Conversation.brand_id == brand_id, Conversation.membership_id == row.id
        )
    )
    if found is None:
        found = Conversation(
            brand_id=brand_id, membership_id=row.id, consumer_id=row.consumer_id, created_at=now
        )
        session.add(found)
    found.guide_id = row.guide_id
    found.store_id = row.store_id
    return found


def _last_member_message(session: Session, conversation: Conversation) -> datetime | None:
    if conversation.id is None:
        return None
    return session.scalar(
        select(ConversationMessage.created_at)
        .where(
            ConversationMessage.conversation_id == conversation.id,
            ConversationMessage.author_kind == "consumer",
        )
        .order_by(ConversationMessage.id.desc())
        .limit(1)
    )


def guide_writes(
    *,
    session: Session,
    scope: Scope,
    member_ids: Sequence[int],
    text: str,
    card: Card | None,
    now: datetime,
) -> list[ConversationMessage]:
    """Write to one member or a selection of the calling guide's own members."""
    scope.require(Role.GUIDE)
    if scope.actor_id is None or scope.brand_id is None:
        raise errors.NotYourMember()
    guide_id, brand_id = scope.actor_id, scope.brand_id
    text = _check_text(text, card)
    rows = _members(session, brand_id, member_ids)
    if any(row.guide_id != guide_id for row in rows):
        raise errors.NotYourMember()
    conversations = [_conversation(session, brand_id, row, now) for row in rows]
    answering = {
        c.consumer_id
        for c in conversations
        if rules.answers_member(_last_member_message(session, c), now)
    }
    preview = text or (card.title if card else "")
    for purpose, people in (
        ("service", [c.consumer_id for c in conversations if c.consumer_id in answering]),
        ("marketing", [c.consumer_id for c in conversations if c.consumer_id not in answering]),
    ):
        if people:
            sending.send(
                session=session,
                brand_id=brand_id,
                recipients=[Recipient("consumer", p) for p in people],
                template="conversation.from_guide",
                variables={"guide_name": scope.display_name or "", "text": preview},
                purpose=purpose,  # type: ignore[arg-type]
                sender_staff_id=guide_id,
                now=now,
                data={"kind": "conversation"},
            )
    session.flush()
    written = [_add(session, c, "staff", guide_id, text, card, now) for c in conversations]
    session.flush()
    return written


def _add(
    session: Session,
    conversation: Conversation,
    author_kind: str,
    author_id: int,
    text: str,
    card: Card | None,
    now: datetime,
) -> ConversationMessage:
    message = ConversationMessage(
        brand_id=conversation.brand_id,
        conversation_id=conversation.id,
        author_kind=author_kind,
        author_id=author_id,
        kind=card.kind if card else "text",
        text=text,
        card=card.as_dict() if card else {},
        created_at=now,
    )
    session.add(message)
    conversation.last_message_at = now
    if author_kind == "staff":
        conversation.member_unread += 1
    else:
        conversation.guide_unread += 1
    return message


def member_replies(
    *, session: Session, scope: Scope, conversation_id: int, text: str, now: datetime
) -> ConversationMessage:
    """The member answers; the guide serving them hears of it in their inbox."""
    if scope.actor_type != "consumer" or scope.actor_id is None:
        raise errors.ConversationNotFound()
    conversation = threads.get_conversation(
        session=session, scope=scope, conversation_id=conversation_id
    )
    text = _check_text(text, None)
    message = _add(session, conversation, "consumer", scope.actor_id, text, None, now)
    session.flush()
    if conversation.guide_id is not None:
        sending.send(
            session=session,
            brand_id=conversation.brand_id,
            recipients=[Recipient("staff", conversation.guide_id)],
            template="conversation.from_member",
            variables={"member_name": _member_name(session, scope, conversation), "text": text},
            purpose="service",
            now=now,
            data={"kind": "conversation", "conversation_id": conversation.id},
        )
    return message


def _member_name(session: Session, scope: Scope, conversation: Conversation) -> str:
    """The member's name, else their member number (what the guide's pages show)."""
    if scope.display_name:
        return scope.display_name
    member = session.get(Membership, conversation.membership_id)
    return f"#{member.member_no.lstrip('0')}" if member is not None else "#"


def mark_read(*, session: Session, scope: Scope, conversation_id: int, now: datetime) -> int:
    """Mark the other side's messages read; how many were. A member reading their guide's
    messages records ``conversation.read`` for the data bank."""
    conversation = threads.get_conversation(
        session=session, scope=scope, conversation_id=conversation_id
    )
    reader_is_member = scope.actor_type == "consumer"
    other = "staff" if reader_is_member else "consumer"
    read = list(
        session.scalars(
            update(ConversationMessage)
            .where(
                ConversationMessage.conversation_id == conversation.id,
                ConversationMessage.author_kind == other,
                ConversationMessage.read_at.is_(None),
            )
            .values(read_at=now)
            .returning(ConversationMessage.id)
            .execution_options(synchronize_session=False)
        )
    )
    if reader_is_member:
        conversation.member_unread = 0
    elif conversation.guide_id == scope.actor_id:
        conversation.guide_unread = 0
    if reader_is_member and read:
        outbox_service.record(
            session=session,
            brand_id=conversation.brand_id,
            type="conversation.read",
            resource_type="conversation",
            resource_id=conversation.id,
            payload={
                "conversation_id": conversation.id,
                "member_id": conversation.membership_id,
                "consumer_id": conversation.consumer_id,
                "guide_id": conversation.guide_id,
                "store_id": conversation.store_id,
                "message_ids": sorted(read),
                "read_at": now.isoformat(),
            },
        )
    session.flush()
    return len(read)


def follow_bindings(session: Session, event: OutboxEvent) -> None:
    """A member's conversation moves with their binding (a handover, a new guide)."""
    payload = event.payload
    member_id = payload.get("member_id")
    if not isinstance(member_id, int) or event.brand_id is None:
        return
    session.execute(
        update(Conversation)
        .where(Conversation.brand_id == event.brand_id, Conversation.membership_id == member_id)
        .values(guide_id=payload.get("guide_id"), store_id=payload.get("store_id"))
        .execution_options(synchronize_session=False)
    )


def write_in(
    *,
    session: Session,
    scope: Scope,
    conversation_id: int,
    text: str,
    card: Card | None,
    now: datetime,
) -> ConversationMessage:
    """Write in an existing conversation: the member answers, or their guide writes."""
    if scope.actor_type == "consumer":
        return member_replies(
            session=session, scope=scope, conversation_id=conversation_id, text=text, now=now
        )
    conversation = threads.get_conversation(
        session=session, scope=scope, conversation_id=conversation_id
    )
    [written] = guide_writes(
        session=session,
        scope=scope,
        member_ids=[conversation.membership_id],
        text=text,
        card=card,
        now=now,
    )
    return written
