"""The in-app inbox of staff and consumers, marking read, and each message's state.

A person sees their own in-app messages that have been delivered; a brand-wide manager
sees every message of their brand (all channels and states). Anything else is a 404.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, select, update
from sqlalchemy.orm import Session

from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.notify import errors
from newretail.notify.models import NotifyMessage
from newretail.notify.rules import Channel, Recipient, Status

VISIBLE = (Status.DELIVERED.value, Status.READ.value)


def require_sender(scope: Scope, brand_id: int | None) -> int:
    """The brand a caller sends for over the API: brand admins and integrations only."""
    scope.require(Role.BRAND_ADMIN, Role.INTEGRATION)
    return scope.target_brand(brand_id)


def reader_of(scope: Scope) -> Recipient | None:
    """The inbox a caller owns: staff and consumers have one; keys and systems do not."""
    if scope.actor_id is None:
        return None
    if scope.actor_type == "staff":
        return Recipient("staff", scope.actor_id)
    if scope.actor_type == "consumer":
        return Recipient("consumer", scope.actor_id)
    return None


def _own(reader: Recipient) -> ColumnElement[bool]:
    return and_(
        NotifyMessage.recipient_kind == reader.kind,
        NotifyMessage.recipient_id == reader.id,
        NotifyMessage.channel == Channel.INAPP.value,
        NotifyMessage.status.in_(VISIBLE),
    )


def _inbox_query(scope: Scope, brand_id: int | None) -> Select[NotifyMessage]:
    reader = reader_of(scope)
    if reader is None:
        raise errors.MessageNotFound("This caller has no inbox.")
    query = select(NotifyMessage).where(_own(reader))
    if reader.kind == "staff":
        query = query.where(NotifyMessage.brand_id == scope.brand_id)
    elif brand_id is not None:
        query = query.where(NotifyMessage.brand_id == brand_id)
    return query


def list_inbox(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    unread_only: bool = False,
    brand_id: int | None = None,
) -> tuple[list[NotifyMessage], str | None]:
    """The caller's in-app messages, newest first."""
    query = _inbox_query(scope, brand_id)
    if unread_only:
        query = query.where(NotifyMessage.read_at.is_(None))
    return paginate(
        session=session,
        query=query,
        id_column=NotifyMessage.id,
        cursor=cursor,
        limit=limit,
        descending=True,
    )


def unread_count(*, session: Session, scope: Scope, brand_id: int | None = None) -> int:
    reader = reader_of(scope)
    if reader is None:
        return 0
    query = _inbox_query(scope, brand_id).where(NotifyMessage.read_at.is_(None))
    counted = query.with_only_columns(func.count()).order_by(None)
    return int(session.scalar(counted) or 0)


def get_message(*, session: Session, scope: Scope, message_id: int) -> NotifyMessage:
    """One message: the reader's own in-app one, or any of a brand-wide manager's brand."""
    message = session.get(NotifyMessage, message_id)
    if message is None:
        raise errors.MessageNotFound()
    reader = reader_of(scope)
    own = (
        reader is not None
        and message.recipient_kind == reader.kind
        and message.recipient_id == reader.id
        and message.channel == Channel.INAPP.value
        and message.status in VISIBLE
        and (reader.kind == "consumer" or message.brand_id == scope.brand_id)
    )
    managed = scope.is_brand_wide and scope.sees_brand(message.brand_id)
    if not (own or managed):
        raise errors.MessageNotFound()
    return message


def mark_read(*, session: Session, scope: Scope, message_id: int, now: datetime) -> NotifyMessage:
    """Mark one of the caller's own messages read; the first read time is kept."""
    message = get_message(session=session, scope=scope, message_id=message_id)
    reader = reader_of(scope)
    if reader is None or message.recipient_kind != reader.kind or message.recipient_id != reader.id:
        raise errors.MessageNotFound()
    session.execute(
        update(NotifyMessage)
        .where(NotifyMessage.id == message.id, NotifyMessage.read_at.is_(None))
        .values(status=Status.READ.value, read_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(message)
    return message


def mark_all_read(
    *, session: Session, scope: Scope, now: datetime, brand_id: int | None = None
) -> int:
    """Mark every unread in-app message of the caller read (staff: of their brand; a member:
    of ``brand_id``, else of every brand); how many were."""
    reader = reader_of(scope)
    if reader is None:
        raise errors.MessageNotFound("This caller has no inbox.")
    condition = and_(_own(reader), NotifyMessage.read_at.is_(None))
    if reader.kind == "staff":
        condition = and_(condition, NotifyMessage.brand_id == scope.target_brand(brand_id))
    elif brand_id is not None:
        condition = and_(condition, NotifyMessage.brand_id == brand_id)
    result = session.execute(
        update(NotifyMessage)
        .where(condition)
        .values(status=Status.READ.value, read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def list_messages(
    *,
    session: Session,
    scope: Scope,
    brand_id: int | None,
    cursor: str | None,
    limit: int,
    status: str | None = None,
    recipient: Recipient | None = None,
) -> tuple[list[NotifyMessage], str | None]:
    """A brand's messages on every channel with their states, for its managers."""
    if not scope.is_brand_wide:
        raise errors.MessageNotFound("Only brand-wide managers list a brand's messages.")
    target = scope.target_brand(brand_id)
    query = select(NotifyMessage).where(NotifyMessage.brand_id == target)
    if status is not None:
        query = query.where(NotifyMessage.status == status)
    if recipient is not None:
        query = query.where(
            NotifyMessage.recipient_kind == recipient.kind,
            NotifyMessage.recipient_id == recipient.id,
        )
    return paginate(
        session=session,
        query=query,
        id_column=NotifyMessage.id,
        cursor=cursor,
        limit=limit,
        descending=True,
    )
