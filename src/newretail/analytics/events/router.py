"""POST /events/batch: a Segment-style batch, each event kept or refused with its reason."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from newretail.analytics.events import errors, senders, service
from newretail.analytics.events.rules import Reject
from newretail.analytics.events.schemas import BatchIn, BatchResult
from newretail.config import Settings
from newretail.db import utcnow
from newretail.kernel.http import ApiRoute, SessionDep, resolve_scope

router = APIRouter(tags=["events"], route_class=ApiRoute)
FOREIGN = {Reject.FOREIGN_STORE.value, Reject.FOREIGN_BRAND.value}
_bearer = HTTPBearer(
    auto_error=False, description="The brand's API key, a staff token or a store page's token."
)
_BATCH_EXAMPLE: dict[str, Any] = {
    "batch": [
        {
            "messageId": "b1c2-0001",
            "event": "Store Entered",
            "anonymousId": "a-7f3e",
            "channel": "store_sensor",
            "timestamp": "2026-12-06T09:30:00Z",
            "context": {"store": 12},
        }
    ],
    "sentAt": "2026-12-06T09:30:05Z",
}


@router.post(
    "/events/batch",
    response_model=BatchResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"example": _BATCH_EXAMPLE}},
        }
    },
)
async def collect_batch(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> BatchResult | JSONResponse:
    """Keep a batch of events; malformed ones are refused one by one (and quarantined).

    A replayed messageId changes nothing (counted under ``duplicates``); a member's events
    without analytics consent are not kept (``no_consent``).
    """
    settings: Settings = request.app.state.settings
    received_at = utcnow()
    body = await request.body()
    if len(body) > settings.events_max_batch_bytes:
        raise errors.BatchTooLarge(f"The batch exceeds {settings.events_max_batch_bytes} bytes.")
    token = _token(credentials)
    batch = _parse(body) if token is not None or body else None
    token = token or (batch.writeKey if batch is not None else None)
    if token is None:
        raise errors.EventsTokenRequired()
    if senders.is_page_token(token):
        sender = senders.page_sender(token, secret=settings.secret_key, now=received_at)
    elif credentials is None:
        raise errors.EventsTokenRequired("Only a page token may be sent in the body.")
    else:
        sender = senders.sender_for(await resolve_scope(request, session, token))
    assert batch is not None  # a token from the header or the body means a parsed body
    if len(batch.batch) > settings.events_max_batch:
        raise errors.BatchTooLarge(f"A batch holds at most {settings.events_max_batch} events.")
    if not batch.batch:
        raise errors.EmptyBatch()
    clock = service.clock_of(settings, received_at)
    result = await run_in_threadpool(
        lambda: service.ingest(
            session=session,
            sender=sender,
            events=batch.batch,
            clock=clock,
            batch_sent_at=batch.sentAt,
        )
    )
    return _answer(result)


def _answer(result: BatchResult) -> BatchResult | JSONResponse:
    """200 when anything was kept (or was there already); else the batch as a whole failed.

    The refused events are in the quarantine either way: the answer is returned, not
    raised, so the request's transaction still commits.
    """
    if result.accepted or result.duplicates or result.no_consent:
        return result
    foreign = all(r.code in FOREIGN for r in result.rejected)
    error = errors.ForeignEvents() if foreign else errors.EventsRejected()
    body = {"detail": error.detail, "code": error.code, **result.model_dump(mode="json")}
    return JSONResponse(status_code=error.status, content=body)


def _token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    if credentials is None or credentials.scheme.lower() != "bearer":
        return None
    return credentials.credentials


def _parse(body: bytes) -> BatchIn:
    try:
        return BatchIn.model_validate(json.loads(body))
    except (ValueError, ValidationError) as exc:
        raise errors.InvalidBatch() from exc
