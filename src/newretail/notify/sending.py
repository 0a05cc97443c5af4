"""Sending: checks first (template, recipients, consent, rate limits), then one row per
recipient and channel, in one statement.

Nothing leaves the process here. In-app messages are delivered when the caller's
transaction commits (the row is the inbox entry); messages for outside channels are
queued and the worker hands them to their channel after commit (``delivery.py``).
"""

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, case, or_, select
from sqlalchemy.orm import Session

from newretail.kernel import upserts
from newretail.kernel.bulk import insert_rows
from newretail.notify import errors, rules, templates
from newretail.notify import recipients as people
from newretail.notify.models import NotifyChannel, NotifyMessage, NotifyPolicy, NotifyRateWindow
from newretail.notify.recipients import Target
from newretail.notify.rules import (
    Channel,
    Purpose,
    PurposeName,
    Recipient,
    RecipientKind,
    Status,
)
from newretail.org.models import Brand

_SETTINGS = "newretail.notify.settings"  # session.info: one brand's, read once for many sends


@dataclass(frozen=True)
class MessageRecord:
    """What a send made: one message to one person on one channel."""

    id: int
    recipient: Recipient
    channel: str
    status: str
    next_attempt_at: datetime | None
    batch: str = ""


@dataclass(frozen=True)
class Policy:
    quiet_start_minute: int | None = None
    quiet_end_minute: int | None = None
    max_per_hour: int = rules.DEFAULT_MAX_PER_HOUR


def policy_of(*, session: Session, brand_id: int) -> Policy:
    row = session.get(NotifyPolicy, brand_id)
    if row is None:
        return Policy()
    return Policy(row.quiet_start_minute, row.quiet_end_minute, row.max_per_hour)


def configured_channels(*, session: Session, brand_id: int) -> frozenset[Channel]:
    names = session.scalars(
        select(NotifyChannel.channel).where(
            NotifyChannel.brand_id == brand_id, NotifyChannel.active.is_(True)
        )
    )
    return frozenset(Channel(name) for name in names)


@dataclass(frozen=True)
class _Settings:
    brand: Brand
    policy: Policy
    channels: frozenset[Channel]


@contextmanager
def sends_of_one_brand(*, session: Session, brand_id: int) -> Iterator[None]:
    """Many sends of one brand in one transaction (a chunk of a send to an audience): the
    brand, its quiet hours and hourly limit, and its channels are read once for all of
    them rather than once a send; nothing inside may change them. A brand the sends would
    refuse is left to each send to refuse."""
    try:
        brand = people.brand_of(session, brand_id)
    except errors.RecipientNotFound:
        yield
        return
    policy = policy_of(session=session, brand_id=brand_id)
    channels = configured_channels(session=session, brand_id=brand_id)
    session.info[_SETTINGS] = _Settings(brand, policy, channels)
    try:
        yield
    finally:
        session.info.pop(_SETTINGS, None)


def send(
    *,
    session: Session,
    brand_id: int,
    recipients: Sequence[Recipient],
    template: str,
    variables: Mapping[str, object],
    purpose: PurposeName,
    channels: Sequence[str] | None = None,
    dedupe_key: str | None = None,
    sender_staff_id: int | None = None,
    now: datetime,
    data: Mapping[str, Any] | None = None,
) -> list[MessageRecord]:
    """Send one template to people of one brand; every check passes or nothing is sent.

    ``channels`` None: each person's own (members: the inbox, and texts if they agreed;
    staff: the inbox and the brand's work messenger). ``dedupe_key``: a person already
    sent a message under this key gets nothing more (consumers replaying an event).
    """
    wanted = _purpose(purpose)
    chosen = _channels(channels)
    found = _template(template, variables)
    if not recipients:
        raise errors.NoRecipients()
    held: _Settings | None = session.info.get(_SETTINGS)
    held = held if held is not None and held.brand.id == brand_id else None
    brand = held.brand if held else people.brand_of(session, brand_id)
    targets = people.resolve(session, brand, recipients)
    if wanted == Purpose.MARKETING and not all(t.consent_marketing for t in targets):
        raise errors.NoMarketingConsent()
    if dedupe_key is not None:
        targets = _not_yet_sent(session, brand_id, dedupe_key, targets)
    policy = held.policy if held else policy_of(session=session, brand_id=brand_id)
    if targets and rules.is_rate_limited(wanted, sender_staff_id):
        _count_against_limits(session, brand_id, targets, policy.max_per_hour, now)
    configured = held.channels if held else configured_channels(session=session, brand_id=brand_id)
    unset = [c.value for c in chosen or () if c in rules.OUTSIDE_CHANNELS - {Channel.SMS}]
    if missing := [c for c in unset if Channel(c) not in configured]:
        raise errors.ChannelInvalid(f"The brand has not set up: {', '.join(missing)}.")
    rows = _rows(
        targets,
        template=found,
        variables=dict(variables),
        purpose=wanted,
        channels=chosen,
        configured=configured,
        policy=policy,
        brand_id=brand_id,
        dedupe_key=dedupe_key,
        sender_staff_id=sender_staff_id,
        now=now,
        data=dict(data or {}),
    )
    return _insert(session, rows)


def _purpose(value: str) -> Purpose:
    try:
        return rules.parse_purpose(value)
    except ValueError as exc:
        raise errors.TemplateInvalid(f"Unknown purpose {value!r}.") from exc


def _channels(values: Sequence[str] | None) -> list[Channel] | None:
    if values is None:
        return None
    try:
        chosen = list(dict.fromkeys(rules.parse_channel(v) for v in values))
    except ValueError as exc:
        raise errors.ChannelInvalid(str(exc)) from exc
    if not chosen:
        raise errors.ChannelInvalid("Name at least one channel, or none to use the defaults.")
    return chosen


def _template(key: str, variables: Mapping[str, object]) -> templates.Template:
    try:
        found = templates.get(key)
        templates.check_variables(found, dict(variables))
    except templates.TemplateError as exc:
        raise errors.TemplateInvalid(str(exc)) from exc
    return found


def _not_yet_sent(
    session: Session, brand_id: int, dedupe_key: str, targets: list[Target]
) -> list[Target]:
    sent = {
        (kind, recipient_id)
        for kind, recipient_id in session.execute(
            select(NotifyMessage.recipient_kind, NotifyMessage.recipient_id).where(
                NotifyMessage.brand_id == brand_id, NotifyMessage.dedupe_key == dedupe_key
            )
        )
    }
    return [t for t in targets if (t.recipient.kind, t.recipient.id) not in sent]


def _count_against_limits(
    session: Session, brand_id: int, targets: list[Target], limit: int, now: datetime
) -> None:
    """One guarded upsert per person: a first message opens their hour's window, a later
    one moves the count only while under the limit (or once the hour is over)."""
    w = NotifyRateWindow
    window_over = or_(w.window_started_at.is_(None), w.window_started_at <= now - rules.RATE_WINDOW)
    for target in targets:
        fresh = upserts.insert(session, w).values(
            brand_id=brand_id,
            recipient_kind=target.recipient.kind,
            recipient_id=target.recipient.id,
            sent_in_window=1,
            window_started_at=now,
        )
        counted = session.execute(
            fresh.on_conflict_do_update(
                index_elements=[w.brand_id, w.recipient_kind, w.recipient_id],
                set_={
                    "sent_in_window": case((window_over, 1), else_=w.sent_in_window + 1),
                    "window_started_at": case((window_over, now), else_=w.window_started_at),
                },
                where=or_(window_over, w.sent_in_window < limit),
            )
            .returning(w.recipient_id)
            .execution_options(synchronize_session=False)
        ).first()
        if counted is None:
            raise errors.RecipientRateLimited(headers={"Retry-After": "3600"})


def _channels_for(
    target: Target, chosen: list[Channel] | None, configured: frozenset[Channel]
) -> list[Channel]:
    if target.recipient.kind == "staff":
        usable = rules.staff_channels(configured)
        # Texts to staff only when asked for (an escalation); the brand's SMS settings map
        # staff to phones (``addresses``), else the message fails for want of a phone.
        outside_staff = {Channel.EMAIL, Channel.WEBHOOK} & configured
        allowed = set(usable) | outside_staff | {Channel.SMS}
    else:
        usable = rules.consumer_channels(
            consent_sms=target.consent_sms, has_phone=target.phone is not None, sms_ready=True
        )
        allowed = set(usable) | ({Channel.WEBHOOK} & configured)
    if chosen is None:
        return usable
    return [c for c in chosen if c in allowed]


def _address(target: Target, channel: Channel) -> str | None:
    if channel == Channel.SMS:
        return target.phone
    if channel in (Channel.DINGTALK, Channel.WECOM, Channel.EMAIL):
        return target.staff_username
    return None


def _rows(
    targets: list[Target],
    *,
    template: templates.Template,
    variables: dict[str, object],
    purpose: Purpose,
    channels: list[Channel] | None,
    configured: frozenset[Channel],
    policy: Policy,
    brand_id: int,
    dedupe_key: str | None,
    sender_staff_id: int | None,
    now: datetime,
    data: dict[str, Any],
) -> list[dict[str, Any]]:
    rendered: dict[str, templates.Rendered] = {}
    rows: list[dict[str, Any]] = []
    for target in targets:
        text = rendered.get(target.locale)
        if text is None:
            text = rendered[target.locale] = templates.render(template, variables, target.locale)
        held = rules.held_until(
            purpose,
            now,
            timezone=target.timezone,
            start=policy.quiet_start_minute,
            end=policy.quiet_end_minute,
        )
        for channel in _channels_for(target, channels, configured):
            at_once = channel == Channel.INAPP and held is None
            rows.append(
                {
                    "brand_id": brand_id,
                    "recipient_kind": target.recipient.kind,
                    "recipient_id": target.recipient.id,
                    "channel": channel.value,
                    "address": _address(target, channel),
                    "template": template.key,
                    "purpose": purpose.value,
                    "locale": target.locale,
                    "subject": text.subject,
                    "body": text.body,
                    "data": {**data, "variables": variables} if channel == Channel.SMS else data,
                    "dedupe_key": dedupe_key,
                    "sender_staff_id": sender_staff_id,
                    "status": Status.DELIVERED.value if at_once else Status.QUEUED.value,
                    "attempts": 0,
                    "next_attempt_at": None if at_once else (held or now),
                    "created_at": now,
                    "sent_at": now if at_once else None,
                    "delivered_at": now if at_once else None,
                }
            )
    return rows


_MADE = (
    NotifyMessage.id,
    NotifyMessage.recipient_kind,
    NotifyMessage.recipient_id,
    NotifyMessage.channel,
    NotifyMessage.status,
    NotifyMessage.next_attempt_at,
)


def _insert(session: Session, rows: list[dict[str, Any]]) -> list[MessageRecord]:
    """Write the rows and answer what the send made: one row returns itself; many are
    written in the fastest bulk form, then read back by their batch."""
    if not rows:
        return []
    batch = uuid.uuid4().hex
    for row in rows:
        row["batch"] = batch
    table = cast(Table, NotifyMessage.__table__)
    if len(rows) == 1:
        made = session.execute(table.insert().values(rows[0]).returning(*_MADE)).all()
    else:
        insert_rows(session, table, rows)
        made = session.execute(
            select(*_MADE).where(NotifyMessage.batch == batch).order_by(NotifyMessage.id)
        ).all()
    return [
        MessageRecord(
            row.id,
            Recipient(cast(RecipientKind, row.recipient_kind), row.recipient_id),
            row.channel,
            row.status,
            row.next_attempt_at,
            batch,
        )
        for row in made
    ]


@dataclass(frozen=True)
class Delivery:
    """Where one message of a send stands: for read receipts (who has, who has not read)."""

    id: int
    recipient: Recipient
    channel: str
    status: str
    delivered_at: datetime | None
    read_at: datetime | None


def batch_states(*, session: Session, brand_id: int, batch: str) -> list[Delivery]:
    """Every message of one send (``MessageRecord.batch``) of the brand, by recipient."""
    rows = session.execute(
        select(
            NotifyMessage.id,
            NotifyMessage.recipient_kind,
            NotifyMessage.recipient_id,
            NotifyMessage.channel,
            NotifyMessage.status,
            NotifyMessage.delivered_at,
            NotifyMessage.read_at,
        )
        .where(NotifyMessage.brand_id == brand_id, NotifyMessage.batch == batch)
        .order_by(NotifyMessage.recipient_kind, NotifyMessage.recipient_id, NotifyMessage.id)
    )
    return [
        Delivery(
            row.id,
            Recipient(cast(RecipientKind, row.recipient_kind), row.recipient_id),
            row.channel,
            row.status,
            row.delivered_at,
            row.read_at,
        )
        for row in rows
    ]
