"""The webhook delivery job: claim due deliveries, POST them signed, record the outcome.

Three short steps, so no database transaction (above all SQLite's single write lock) is
held across an HTTP call:

1. claim: in one transaction, pick due deliveries that are next in line for their resource
   (``rules.attemptable``, in SQL), lease them (``leased_until``) and count the attempt;
2. send: POST each one, several at a time, with a timeout;
3. record: in one transaction per delivery, only if the attempt count still matches the
   claim (so a worker that lost its lease cannot overwrite a newer attempt).

A worker killed between 1 and 3 leaves the lease to run out; the delivery is then claimed
again and re-sent with the same ``Webhook-Id``: at least once, and receivers drop repeats.
"""

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from prometheus_client import Counter
from sqlalchemy import Select, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from newretail import __version__
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.integrations import rules
from newretail.integrations.consumers import FAN_OUT_NAME
from newretail.integrations.models import WebhookDelivery, WebhookEndpoint
from newretail.integrations.rules import DeliveryStatus
from newretail.observability import log
from newretail.outbox import rules as outbox_rules
from newretail.outbox.models import ConsumerRetry, OutboxEvent

ATTEMPTS = Counter(
    "newretail_webhook_attempts_total", "Webhook delivery attempts by outcome", ["outcome"]
)
USER_AGENT = f"newretail-webhooks/{__version__}"


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempts: int
    leased_until: datetime
    url: str
    secret: str
    event_id: str
    body: bytes


@dataclass(frozen=True)
class Result:
    succeeded: bool
    status_code: int | None = None
    error: str | None = None


def claimable(now: datetime, limit: int) -> Select[int]:
    """Ids of deliveries that may be attempted now (``rules.attemptable`` as SQL)."""
    earlier = aliased(WebhookDelivery)
    earlier_pending = exists().where(
        earlier.endpoint_id == WebhookDelivery.endpoint_id,
        earlier.resource_type == WebhookDelivery.resource_type,
        earlier.resource_id == WebhookDelivery.resource_id,
        earlier.status == DeliveryStatus.PENDING,
        earlier.outbox_seq < WebhookDelivery.outbox_seq,
    )
    # An earlier event of the same resource may still be in a concurrent dispatcher's
    # transaction, its deliveries not yet visible: wait for it too.
    earlier_undispatched = exists().where(
        OutboxEvent.dispatched_at.is_(None),
        OutboxEvent.brand_id == WebhookDelivery.brand_id,
        OutboxEvent.resource_type == WebhookDelivery.resource_type,
        OutboxEvent.resource_id == WebhookDelivery.resource_id,
        OutboxEvent.seq < WebhookDelivery.outbox_seq,
    )
    # ... and one whose fan-out failed and waits to be retried.
    retried = aliased(OutboxEvent)
    earlier_retrying = exists().where(
        ConsumerRetry.consumer == FAN_OUT_NAME,
        retried.seq == ConsumerRetry.event_seq,
        retried.brand_id == WebhookDelivery.brand_id,
        retried.resource_type == WebhookDelivery.resource_type,
        retried.resource_id == WebhookDelivery.resource_id,
        retried.seq < WebhookDelivery.outbox_seq,
    )
    return (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookEndpoint.active.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until <= now),
            ~earlier_pending,
            ~earlier_undispatched,
            ~earlier_retrying,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )


def claim(*, session: Session, now: datetime, lease_seconds: float, limit: int) -> list[Claim]:
    """Lease up to ``limit`` attemptable deliveries and count one attempt for each."""
    ids = list(session.scalars(claimable(now, limit)))
    if not ids:
        return []
    leased_until = now + timedelta(seconds=lease_seconds)
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids))
        .values(leased_until=leased_until, attempts=WebhookDelivery.attempts + 1)
    )
    rows = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.attempts, WebhookEndpoint, OutboxEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(OutboxEvent, OutboxEvent.seq == WebhookDelivery.outbox_seq)
        .where(WebhookDelivery.id.in_(ids))
        .order_by(WebhookDelivery.id)
    )
    return [
        Claim(
            delivery_id=delivery_id,
            attempts=attempts,
            leased_until=leased_until,
            url=endpoint.url,
            secret=endpoint.secret,
            event_id=event.event_id,
            body=outbox_rules.encode(_envelope(event)),
        )
        for delivery_id, attempts, endpoint, event in rows
    ]


def _envelope(event: OutboxEvent) -> dict[str, object]:
    return outbox_rules.envelope(
        event_id=event.event_id,
        type=event.type,
        occurred_at=event.occurred_at,
        brand_id=event.brand_id,
        resource_type=event.resource_type,
        resource_id=event.resource_id,
        data=event.payload,
    )


def send(client: httpx.Client, claim: Claim) -> Result:
    """POST one signed delivery; any answer but 2xx, and any transport error, is a failure."""
    headers = rules.signed_headers(
        secret=claim.secret, event_id=claim.event_id, timestamp=int(time.time()), body=claim.body
    )
    try:
        response = client.post(claim.url, content=claim.body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Result(succeeded=False, error=f"{type(exc).__name__}: {exc}"[:500])
    if rules.is_success(response.status_code):
        return Result(succeeded=True, status_code=response.status_code)
    return Result(
        succeeded=False, status_code=response.status_code, error=f"HTTP {response.status_code}"
    )


def record(
    *,
    session: Session,
    settings: Settings,
    claim: Claim,
    result: Result,
    now: datetime,
    jitter: float,
) -> DeliveryStatus | None:
    """Store the outcome of an attempt; None if the claim was lost to a newer attempt."""
    status = rules.status_after_attempt(
        succeeded=result.succeeded,
        attempts=claim.attempts,
        max_attempts=settings.webhook_max_attempts,
    )
    values: dict[str, object] = {
        "status": status,
        "leased_until": None,
        "last_status_code": result.status_code,
        "last_error": result.error,
    }
    if status == DeliveryStatus.DELIVERED:
        values["delivered_at"] = now
    elif status == DeliveryStatus.PENDING:
        wait = outbox_rules.backoff_seconds(
            claim.attempts,
            base=settings.webhook_backoff_base_seconds,
            cap=settings.webhook_backoff_max_seconds,
            jitter=jitter,
        )
        values["next_attempt_at"] = now + timedelta(seconds=wait)
    updated = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == claim.delivery_id,
            WebhookDelivery.attempts == claim.attempts,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(**values)
        .returning(WebhookDelivery.id)
    )
    return status if updated.first() is not None else None


def release(*, session: Session, claim: Claim) -> None:
    """Give a claim back unattempted, so it is due again at once."""
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == claim.delivery_id,
            WebhookDelivery.attempts == claim.attempts,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(leased_until=None, attempts=WebhookDelivery.attempts - 1)
    )


class WebhookDeliverer:
    """The worker job. Sends up to ``concurrency`` deliveries at a time over one client."""

    name = "deliver_webhooks"

    def __init__(
        self,
        *,
        concurrency: int = 8,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.concurrency = concurrency
        self.transport = transport
        self.clock = clock
        self.jitter = jitter
        self._client: httpx.Client | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(self, database: Database, settings: Settings) -> int:
        lease = max(settings.worker_lease_seconds, settings.webhook_timeout_seconds + 1)
        with database.transaction() as session:
            claims = claim(
                session=session, now=self.clock(), lease_seconds=lease, limit=self.concurrency
            )
        if not claims:
            return 0
        client, pool = self._resources(settings)
        futures = [pool.submit(self._deliver, database, settings, client, c) for c in claims]
        for future in futures:
            future.result()
        return len(claims)

    def _deliver(
        self, database: Database, settings: Settings, client: httpx.Client, claim: Claim
    ) -> None:
        if self.clock() + timedelta(seconds=settings.webhook_timeout_seconds) > claim.leased_until:
            with database.transaction() as session:
                release(session=session, claim=claim)
            return
        result = send(client, claim)
        with database.transaction() as session:
            status = record(
                session=session,
                settings=settings,
                claim=claim,
                result=result,
                now=self.clock(),
                jitter=self.jitter(),
            )
        outcome = "lost" if status is None else ("ok" if result.succeeded else str(status))
        ATTEMPTS.labels(outcome).inc()
        if not result.succeeded:
            log.info(
                "webhook_attempt_failed",
                delivery_id=claim.delivery_id,
                attempts=claim.attempts,
                status=str(status),
                error=result.error,
            )

    def _resources(self, settings: Settings) -> tuple[httpx.Client, ThreadPoolExecutor]:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=settings.webhook_timeout_seconds,
                    transport=self.transport,
                    headers={"User-Agent": USER_AGENT},
                    follow_redirects=False,
                )
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.concurrency, thread_name_prefix="newretail-webhook"
                )
            return self._client, self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
            if self._client is not None:
                self._client.close()
                self._client = None
