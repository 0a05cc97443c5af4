"""Idempotency keys for creates: a retry with the same key and body gets the first answer.

The record is claimed in the request's own transaction before the work is done and filled
in with the answer after, so it commits with the work or not at all: a failed attempt
leaves no record and may be retried. Two concurrent requests with one key meet on the
unique (actor, key) pair; on PostgreSQL the second waits for the first to commit and then
replays its answer. A key used again with a different body is ``idempotency_key_reused``.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import upserts
from newretail.kernel.errors import IdempotencyKeyReused, InvalidInput
from newretail.kernel.models import IdempotencyRecord
from newretail.kernel.scope import Scope

MAX_KEY_LENGTH = 200
Answer = tuple[int, dict[str, Any]]


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"
    default_detail = "An Idempotency-Key is 1 to 200 printable characters."


def actor_of(scope: Scope) -> str:
    return f"{scope.actor_type}:{scope.actor_id}:{scope.brand_id}"


def request_hash(operation: str, payload: Any) -> str:
    canonical = json.dumps([operation, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_key(key: str) -> str:
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidIdempotencyKey()
    return key


def _stored(session: Session, actor: str, key: str, digest: str) -> Answer | None:
    record = session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.actor == actor, IdempotencyRecord.key == key)
        .execution_options(populate_existing=True)
    )
    if record is None:
        return None
    if record.request_hash != digest:
        raise IdempotencyKeyReused()
    return record.status_code, record.response


def _claim(session: Session, actor: str, key: str, digest: str) -> bool:
    statement = (
        upserts.insert(session, IdempotencyRecord)
        .values(
            actor=actor,
            key=key,
            request_hash=digest,
            status_code=0,
            response={},
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["actor", "key"])
        .returning(IdempotencyRecord.id)
    )
    return session.execute(statement).first() is not None


def run(
    *,
    session: Session,
    scope: Scope,
    key: str | None,
    operation: str,
    payload: Any,
    work: Callable[[], Answer],
) -> Answer:
    """``work()``'s (status, body), or the answer first given for this key and body."""
    if key is None:
        return work()
    actor, digest = actor_of(scope), request_hash(operation, payload)
    _check_key(key)
    replay = _stored(session, actor, key, digest)
    if replay is not None:
        return replay
    if not _claim(session, actor, key, digest):
        replay = _stored(session, actor, key, digest)
        if replay is not None:
            return replay
    status_code, body = work()
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.actor == actor, IdempotencyRecord.key == key)
        .values(status_code=status_code, response=body),
        execution_options={"synchronize_session": False},
    )
    return status_code, body
