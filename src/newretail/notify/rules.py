"""Pure rules of the notifier: who gets what on which channel, and when.

Message states::

    queued ──> sent ──> delivered ──> read
       │  ╲              (in-app messages are delivered when their send commits)
       │   ╲─> failed ──(retry due)──> sent / delivered
       │          └──(no attempt left: next_attempt_at cleared)
       └─ held by quiet hours: queued with next_attempt_at at their end

Purposes: ``service`` (what the person asked for or must know: codes, pickups, refunds),
``marketing`` (needs the member's marketing consent; waits out quiet hours), ``urgent``
(ignores quiet hours; DING).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

RecipientKind = Literal["staff", "consumer"]
PurposeName = Literal["service", "marketing", "urgent"]


@dataclass(frozen=True)
class Recipient:
    kind: RecipientKind
    id: int


class Purpose(StrEnum):
    SERVICE = "service"
    MARKETING = "marketing"
    URGENT = "urgent"


class Status(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class Channel(StrEnum):
    INAPP = "inapp"
    SMS = "sms"
    EMAIL = "email"
    WEBHOOK = "webhook"
    DINGTALK = "dingtalk"
    WECOM = "wecom"


OUTSIDE_CHANNELS = frozenset(Channel) - {Channel.INAPP}
MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
DEFAULT_MAX_PER_HOUR = 20
RATE_WINDOW = timedelta(hours=1)


def parse_purpose(value: str) -> Purpose:
    try:
        return Purpose(value)
    except ValueError:
        raise ValueError(f"unknown purpose {value!r}") from None


def parse_channel(value: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise ValueError(f"unknown channel {value!r}") from None


def is_rate_limited(purpose: Purpose, sender_staff_id: int | None) -> bool:
    """Marketing and what a person sends count against the recipient's hourly limit; the
    system's own service notices (codes, pickups) and urgent notices do not."""
    if purpose == Purpose.URGENT:
        return False
    return purpose == Purpose.MARKETING or sender_staff_id is not None


def may_reach(purpose: Purpose, *, consent_marketing: bool) -> bool:
    """A member who has not consented to marketing gets service and urgent messages only."""
    return purpose != Purpose.MARKETING or consent_marketing


def consumer_channels(*, consent_sms: bool, has_phone: bool, sms_ready: bool) -> list[Channel]:
    """Where a member hears from the brand: the inbox always, a text if they agreed to texts."""
    channels = [Channel.INAPP]
    if consent_sms and has_phone and sms_ready:
        channels.append(Channel.SMS)
    return channels


def staff_channels(configured: frozenset[Channel]) -> list[Channel]:
    """Staff hear in the inbox, and on the brand's work messengers when it set them up."""
    return [Channel.INAPP] + [c for c in (Channel.DINGTALK, Channel.WECOM) if c in configured]


def quiet_until(
    now: datetime, *, timezone: str, start_minute: int | None, end_minute: int | None
) -> datetime | None:
    """When the quiet hours that ``now`` falls in end (UTC), else None.

    Minutes count from local midnight in ``timezone``; a window may run over midnight
    (22:00 → 08:00). Equal or missing bounds mean no quiet hours.
    """
    if start_minute is None or end_minute is None or start_minute == end_minute:
        return None
    local = now.astimezone(ZoneInfo(timezone))
    minute = local.hour * 60 + local.minute
    if start_minute < end_minute:
        inside = start_minute <= minute < end_minute
        end_day = local.date()
    else:
        inside = minute >= start_minute or minute < end_minute
        end_day = local.date() + timedelta(days=1) if minute >= start_minute else local.date()
    if not inside:
        return None
    end = datetime.combine(end_day, time(end_minute // 60, end_minute % 60), local.tzinfo)
    return end.astimezone(now.tzinfo)


def held_until(
    purpose: Purpose, now: datetime, *, timezone: str, start: int | None, end: int | None
) -> datetime | None:
    """Urgent and service messages go at once; marketing waits out quiet hours."""
    if purpose != Purpose.MARKETING:
        return None
    return quiet_until(now, timezone=timezone, start_minute=start, end_minute=end)


def backoff_seconds(attempts: int, *, jitter: float = 0.0) -> float:
    """Wait before the next attempt after ``attempts`` failed ones: doubling, capped."""
    wait = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2.0 ** max(0, attempts - 1))
    return wait * (1 + 0.25 * jitter)


def after_failure(attempts: int, now: datetime, *, jitter: float = 0.0) -> datetime | None:
    """When to try again after a failed attempt, or None when no attempt is left."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=backoff_seconds(attempts, jitter=jitter))


def mask_code(text: str, code: str) -> str:
    """``text`` with every occurrence of ``code`` blanked, for what is stored or shown."""
    return text.replace(code, "•" * len(code)) if code else text


# A guide's message within this long after the member wrote answers them (service).
REPLY_WINDOW = timedelta(hours=48)


def answers_member(last_member_message_at: datetime | None, now: datetime) -> bool:
    return last_member_message_at is not None and now - last_member_message_at <= REPLY_WINDOW
