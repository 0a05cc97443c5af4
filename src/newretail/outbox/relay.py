"""Relaying dispatched events to NATS JetStream, for consumers in other processes.

The dispatcher queues each event in ``relay_pending`` in the transaction that dispatches
it. This job leases a batch in one short transaction, publishes it in ``seq`` order, and
deletes what JetStream acknowledged in another. A relay killed after publishing and before
deleting leaves the lease to run out and publishes again: the ``Nats-Msg-Id`` header (the
event id) lets JetStream drop the repeat within the stream's duplicate window.

nats-py is asyncio and the worker is not: the relay owns one event loop on a daemon thread
and one connection, and hands each batch to it.
"""

import asyncio
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.observability import log
from newretail.outbox import rules
from newretail.outbox.models import OutboxEvent, RelayPending

DUPLICATE_WINDOW_SECONDS = 15 * 60
T = TypeVar("T")


@dataclass(frozen=True)
class Message:
    seq: int
    subject: str
    data: bytes
    headers: dict[str, str]


def claim(*, session: Session, settings: Settings, now: datetime, limit: int) -> list[Message]:
    """Lease up to ``limit`` queued events, oldest first, and build their messages."""
    query = (
        select(RelayPending.event_seq)
        .where(or_(RelayPending.leased_until.is_(None), RelayPending.leased_until <= now))
        .order_by(RelayPending.event_seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    seqs = list(session.scalars(query))
    if not seqs:
        return []
    session.execute(
        update(RelayPending)
        .where(RelayPending.event_seq.in_(seqs))
        .values(leased_until=now + timedelta(seconds=settings.worker_lease_seconds))
    )
    events = session.scalars(
        select(OutboxEvent).where(OutboxEvent.seq.in_(seqs)).order_by(OutboxEvent.seq)
    )
    return [_message(settings, event) for event in events]


def _message(settings: Settings, event: OutboxEvent) -> Message:
    body = rules.envelope(
        event_id=event.event_id,
        type=event.type,
        occurred_at=event.occurred_at,
        brand_id=event.brand_id,
        resource_type=event.resource_type,
        resource_id=event.resource_id,
        data=event.payload,
    )
    return Message(
        seq=event.seq,
        subject=rules.subject(settings.nats_subject_prefix, event.brand_id, event.type),
        data=rules.encode(body),
        headers={"Nats-Msg-Id": event.event_id, "Newretail-Seq": str(event.seq)},
    )


def settle(*, session: Session, published: list[int], unpublished: list[int]) -> None:
    """Forget what JetStream acknowledged; hand the rest back for the next round."""
    if published:
        session.execute(delete(RelayPending).where(RelayPending.event_seq.in_(published)))
    if unpublished:
        session.execute(
            update(RelayPending)
            .where(RelayPending.event_seq.in_(unpublished))
            .values(leased_until=None)
        )


async def ensure_stream(js: Any, settings: Settings) -> None:
    """Create the stream for ``prefix.>`` unless it exists."""
    from nats.js.errors import APIError, NotFoundError

    try:
        await js.stream_info(settings.nats_stream)
        return
    except NotFoundError:
        pass
    try:
        await js.add_stream(
            name=settings.nats_stream,
            subjects=rules.stream_subjects(settings.nats_subject_prefix),
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
        )
    except APIError:
        await js.stream_info(settings.nats_stream)  # created meanwhile by another relay


class NatsRelay:
    """The worker job; does nothing unless ``settings.nats_url`` is set."""

    name = "relay_to_nats"

    def __init__(
        self,
        *,
        batch_size: int = 200,
        timeout_seconds: float = 5.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.batch_size = batch_size
        self.timeout_seconds = timeout_seconds
        self.clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._connection: Any = None
        self._jetstream: Any = None

    def __call__(self, database: Database, settings: Settings) -> int:
        if not settings.nats_url:
            return 0
        with database.transaction() as session:
            messages = claim(
                session=session, settings=settings, now=self.clock(), limit=self.batch_size
            )
        if not messages:
            return 0
        published = self._publish_batch(settings, messages)
        done = set(published)
        unpublished = [m.seq for m in messages if m.seq not in done]
        with database.transaction() as session:
            settle(session=session, published=published, unpublished=unpublished)
        return len(published)

    def _publish_batch(self, settings: Settings, messages: list[Message]) -> list[int]:
        budget = self.timeout_seconds * (len(messages) + 2)
        try:
            return self._run(self._publish(settings, messages), timeout=budget)
        except TimeoutError:
            log.warning("nats_relay_timeout", messages=len(messages))
            return []

    async def _publish(self, settings: Settings, messages: list[Message]) -> list[int]:
        """Publish in order, stopping at the first failure so order is kept for the retry."""
        from nats.errors import Error as NatsError

        published: list[int] = []
        try:
            js = await self._connect(settings)
            for message in messages:
                await js.publish(
                    message.subject,
                    message.data,
                    timeout=self.timeout_seconds,
                    stream=settings.nats_stream,
                    headers=message.headers,
                )
                published.append(message.seq)
        except (NatsError, OSError) as exc:
            log.warning("nats_relay_failed", error=f"{type(exc).__name__}: {exc}")
            await self._disconnect()
        return published

    async def _connect(self, settings: Settings) -> Any:
        import nats

        assert settings.nats_url is not None

        if self._connection is not None and self._connection.is_connected:
            return self._jetstream
        await self._disconnect()

        async def on_error(exc: Exception) -> None:
            log.warning("nats_error", error=f"{type(exc).__name__}: {exc}")

        self._connection = await nats.connect(
            settings.nats_url,
            name="newretail-relay",
            connect_timeout=self.timeout_seconds,
            allow_reconnect=False,
            max_reconnect_attempts=1,  # also bounds the first connect: fail, and retry next round
            reconnect_time_wait=0.2,
            error_cb=on_error,
        )
        self._jetstream = self._connection.jetstream()
        await ensure_stream(self._jetstream, settings)
        return self._jetstream

    async def _disconnect(self) -> None:
        from nats.errors import Error as NatsError

        connection, self._connection, self._jetstream = self._connection, None, None
        if connection is not None and not connection.is_closed:
            try:
                await connection.close()
            except (NatsError, OSError) as exc:
                log.warning("nats_close_failed", error=str(exc))

    def _run(self, coroutine: Coroutine[Any, Any, T], *, timeout: float) -> T:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(
                target=self._loop.run_forever, name="newretail-nats", daemon=True
            )
            self._thread.start()
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def close(self) -> None:
        if self._loop is None:
            return
        try:
            self._run(self._disconnect(), timeout=self.timeout_seconds)
        except TimeoutError:
            log.warning("nats_relay_close_timeout")
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(self.timeout_seconds)
        self._loop.close()
        self._loop = None
        self._thread = None
