"""Reading conversations: who may see which, the lists, and one thread.

the member          their own conversations (with any brand)
the guide           the conversations of the members they serve now
a manager           those of the stores they see, a departed guide's included
anyone else         404
"""

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.notify import errors
from newretail.notify.models import Conversation, ConversationMessage

MANAGERS = (Role.STORE_MANAGER, Role.REGION_MANAGER, Role.BRAND_ADMIN)
THREAD_LIMIT = 200


def manages(scope: Scope) -> bool:
    return scope.actor_type != "consumer" and scope.has_any(*MANAGERS)


def may_see(scope: Scope, conversation: Conversation) -> bool:
    if scope.actor_type == "consumer":
        return conversation.consumer_id == scope.actor_id
    if not scope.sees_brand(conversation.brand_id):
        return False
    if scope.actor_type == "staff" and conversation.guide_id == scope.actor_id:
        return True
    if not manages(scope):
        return False
    if scope.is_brand_wide:
        return True
    return conversation.store_id is not None and scope.sees_store(
        conversation.brand_id, conversation.store_id
    )


def get_conversation(*, session: Session, scope: Scope, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not may_see(scope, conversation):
        raise errors.ConversationNotFound()
    return conversation


def _visible(scope: Scope, guide_id: int | None) -> Select[Conversation]:
    query = select(Conversation)
    if scope.actor_type == "consumer":
        return query.where(Conversation.consumer_id == scope.actor_id)
    if scope.actor_type != "staff" or scope.brand_id is None:
        raise errors.ConversationNotFound("This caller has no conversations.")
    query = query.where(Conversation.brand_id == scope.brand_id)
    if not manages(scope):
        return query.where(Conversation.guide_id == scope.actor_id)
    if guide_id is not None:
        query = query.where(Conversation.guide_id == guide_id)
    if scope.is_brand_wide:
        return query
    return query.where(Conversation.store_id.in_(sorted(scope.store_ids or ())))


def list_conversations(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    guide_id: int | None = None,
    brand_id: int | None = None,
) -> tuple[list[Conversation], str | None]:
    """The caller's conversations, most recently started first (a manager may name a guide,
    a member a brand)."""
    query = _visible(scope, guide_id)
    if brand_id is not None and scope.actor_type == "consumer":
        query = query.where(Conversation.brand_id == brand_id)
    return paginate(
        session=session,
        query=query,
        id_column=Conversation.id,
        cursor=cursor,
        limit=limit,
        descending=True,
    )


def messages_of(
    *, session: Session, scope: Scope, conversation_id: int, limit: int = THREAD_LIMIT
) -> tuple[Conversation, list[ConversationMessage]]:
    """A conversation and its latest messages, oldest first."""
    conversation = get_conversation(session=session, scope=scope, conversation_id=conversation_id)
    latest = list(
        session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation.id)
            .order_by(ConversationMessage.id.desc())
            .limit(limit)
        )
    )
    return conversation, latest[::-1]
