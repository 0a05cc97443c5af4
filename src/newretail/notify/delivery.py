"""The worker job that hands queued messages to their channels, with retries and backoff.

As with webhooks, no transaction is held across a call to the outside world:

1. claim (one transaction): due messages (queued, or failed with a retry due, and not
   leased) are leased and their attempt counted; in-app messages that quiet hours held
   are simply delivered here, they need no channel;
2. send: each claimed message goes to its channel's adapter, outside any transaction;
3. record (one transaction each): sent / delivered, or failed with the next attempt
   after a backoff (none left: ``next_attempt_at`` cleared), only if the attempt count
   still matches the claim.

A worker killed between 1 and 3 leaves the lease to run out, and the message is tried
again: at least once.
"""

import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.notify import rules, secrets
from newretail.notify.channels import dingtalk, email, sms, webhook, wecom
from newretail.notify.channels.base import Adapter, ChannelConfig, Outcome, Outgoing
from newretail.notify.models import NotifyChannel, NotifyMessage
from newretail.notify.rules import Channel, Status
from newretail.observability import log
from newretail.org.models import Brand

DUE = (Status.QUEUED.value, Status.FAILED.value)


@dataclass(frozen=True)
class Claim:
    outgoing: Outgoing
    attempts: int
    config: ChannelConfig | None
    config_error: str | None
    provider: str


def claim(
    *, session: Session, settings: Settings, now: datetime, lease_seconds: float, limit: int
) -> list[Claim]:
    """Lease up to ``limit`` due messages; deliver the held in-app ones on the spot."""
    ids = list(
        session.scalars(
            select(NotifyMessage.id)
            .where(
                NotifyMessage.status.in_(DUE),
                NotifyMessage.next_attempt_at <= now,
                or_(NotifyMessage.leased_until.is_(None), NotifyMessage.leased_until <= now),
            )
            .order_by(NotifyMessage.next_attempt_at, NotifyMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    session.execute(
        update(NotifyMessage)
        .where(NotifyMessage.id.in_(ids), NotifyMessage.channel == Channel.INAPP.value)
        .values(
            status=Status.DELIVERED.value,
            next_attempt_at=None,
            sent_at=now,
            delivered_at=now,
            attempts=NotifyMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(NotifyMessage)
        .where(NotifyMessage.id.in_(ids), NotifyMessage.channel != Channel.INAPP.value)
        .values(
            leased_until=now + timedelta(seconds=lease_seconds),
            attempts=NotifyMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(NotifyMessage, Brand.code)
        .join(Brand, Brand.id == NotifyMessage.brand_id)
        .where(NotifyMessage.id.in_(ids), NotifyMessage.channel != Channel.INAPP.value)
        .order_by(NotifyMessage.id)
    ).all()
    configs = _configs(session, {(m.brand_id or 0, m.channel) for m, _ in rows})
    return [
        _claim(message, code, configs.get((message.brand_id or 0, message.channel)), settings)
        for message, code in rows
    ]


def _configs(session: Session, keys: set[tuple[int, str]]) -> dict[tuple[int, str], NotifyChannel]:
    if not keys:
        return {}
    brand_ids = {brand_id for brand_id, _ in keys}
    rows = session.scalars(
        select(NotifyChannel).where(
            NotifyChannel.brand_id.in_(brand_ids), NotifyChannel.active.is_(True)
        )
    )
    return {(row.brand_id, row.channel): row for row in rows}


def _claim(
    message: NotifyMessage, brand_code: str, row: NotifyChannel | None, settings: Settings
) -> Claim:
    data = dict(message.data or {})
    variables = data.pop("variables", {})
    outgoing = Outgoing(
        message_id=message.id,
        brand_id=message.brand_id or 0,
        channel=message.channel,
        recipient_kind=message.recipient_kind,
        recipient_id=message.recipient_id,
        address=message.address,
        template=message.template,
        subject=message.subject,
        body=message.body,
        variables=variables if isinstance(variables, dict) else {},
        data=data,
    )
    if row is None:
        # Texts without a provider go to the sandbox; other channels must be set up.
        provider = "sandbox" if message.channel == Channel.SMS.value else "none"
        return Claim(outgoing, message.attempts, ChannelConfig({}), None, provider)
    provider = str(row.settings.get("provider", message.channel))
    outgoing = _addressed(outgoing, row.settings.get("addresses"))
    try:
        secret = (
            secrets.read_secret(row.secret_ref, brand_code=brand_code, settings=settings)
            if row.secret_ref
            else None
        )
    except secrets.SecretUnavailable as exc:
        return Claim(outgoing, message.attempts, None, str(exc), provider)
    return Claim(
        outgoing, message.attempts, ChannelConfig(dict(row.settings), secret), None, provider
    )


def _addressed(outgoing: Outgoing, addresses: object) -> Outgoing:
    """A staff member's address on this channel from the brand's settings, when it names one
    (``addresses``: staff id -> DingTalk or WeCom user id, or email)."""
    if outgoing.recipient_kind != "staff" or not isinstance(addresses, dict):
        return outgoing
    address = addresses.get(str(outgoing.recipient_id))
    return replace(outgoing, address=str(address)) if address else outgoing


def default_adapters() -> dict[str, Adapter]:
    """Adapters by channel (and SMS by provider)."""
    return {
        "sandbox": sms.SANDBOX.deliver,
        "aliyun": sms.deliver_aliyun,
        Channel.EMAIL.value: email.deliver,
        Channel.WEBHOOK.value: webhook.deliver,
        Channel.DINGTALK.value: dingtalk.deliver,
        Channel.WECOM.value: wecom.deliver,
    }


def attempt(client: httpx.Client, claim: Claim, adapters: Mapping[str, Adapter]) -> Outcome:
    if claim.config is None:
        return Outcome.failed(claim.config_error or "channel unavailable", retry=False)
    adapter = adapters.get(claim.provider)
    if adapter is None:
        return Outcome.failed(f"the brand has no {claim.outgoing.channel} channel", retry=False)
    return adapter(client, claim.outgoing, claim.config)


def record(
    *, session: Session, claim: Claim, outcome: Outcome, now: datetime, jitter: float
) -> bool:
    """Store an attempt's outcome; False if the claim was lost to a newer attempt."""
    values: dict[str, object] = {"leased_until": None, "last_error": outcome.error}
    if outcome.status in (Status.SENT.value, Status.DELIVERED.value):
        values |= {"status": outcome.status, "sent_at": now, "next_attempt_at": None}
        if outcome.status == Status.DELIVERED.value:
            values["delivered_at"] = now
    else:
        retry_at = (
            rules.after_failure(claim.attempts, now, jitter=jitter) if outcome.retry else None
        )
        values |= {"status": Status.FAILED.value, "failed_at": now, "next_attempt_at": retry_at}
    updated = session.execute(
        update(NotifyMessage)
        .where(
            NotifyMessage.id == claim.outgoing.message_id,
            NotifyMessage.attempts == claim.attempts,
            NotifyMessage.status.in_(DUE),
        )
        .values(**values)
        .returning(NotifyMessage.id)
        .execution_options(synchronize_session=False)
    )
    return updated.first() is not None


class NotificationDeliverer:
    """The worker job: a round claims a batch, sends each, records each."""

    name = "deliver_notifications"

    def __init__(
        self,
        *,
        batch: int = 50,
        transport: httpx.BaseTransport | None = None,
        adapters: Mapping[str, Adapter] | None = None,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.batch = batch
        self.transport = transport
        self.adapters = dict(adapters) if adapters is not None else default_adapters()
        self.clock = clock
        self.jitter = jitter
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def __call__(self, database: Database, settings: Settings) -> int:
        lease = max(settings.worker_lease_seconds, settings.notify_timeout_seconds + 1)
        with database.transaction() as session:
            claims = claim(
                session=session,
                settings=settings,
                now=self.clock(),
                lease_seconds=lease,
                limit=self.batch,
            )
        client = self._http(settings)
        for one in claims:
            outcome = attempt(client, one, self.adapters)
            with database.transaction() as session:
                record(
                    session=session,
                    claim=one,
                    outcome=outcome,
                    now=self.clock(),
                    jitter=self.jitter(),
                )
            if outcome.status == Status.FAILED.value:
                log.info(
                    "notification_attempt_failed",
                    message_id=one.outgoing.message_id,
                    channel=one.outgoing.channel,
                    attempts=one.attempts,
                    error=outcome.error,
                )
        return len(claims)

    def _http(self, settings: Settings) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=settings.notify_timeout_seconds,
                    transport=self.transport,
                    follow_redirects=False,
                )
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
