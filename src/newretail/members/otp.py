"""One-time login codes by text message: sending (rate-limited per phone) and checking.

Only a keyed hash of a code is stored, compared in constant time. A phone has one live
code; each wrong try counts, and after ``max_attempts`` the code is dead. Sends per phone
are limited by a cool-down and a maximum per window, both enforced by one conditional
UPDATE so concurrent requests cannot slip past the limit.
"""

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from newretail.config import get_settings
from newretail.db import utcnow
from newretail.members import errors
from newretail.members.models import OtpChallenge
from newretail.members.phones import DEFAULT_REGION, mask_phone, normalise_phone, phone_for_sign_in
from newretail.members.sql import insert_if_absent
from newretail.observability import log
from newretail.org import errors as org_errors
from newretail.org import service as org_service

# Without a brand, sign-in is the platform's: Chinese mobiles, as numbers are read by default.
PLATFORM_PHONE_REGIONS = frozenset({DEFAULT_REGION})


class OtpSender(Protocol):
    """Carries a code to a phone. ``session`` is the sending transaction (a sender that
    records the message writes through it and texts only after it commits); ``brand_id``
    the brand whose sign-in it is, None for the platform's."""

    def send(
        self, *, phone: str, code: str, session: Session | None = None, brand_id: int | None = None
    ) -> None: ...


class LogOtpSender:
    """A sender that texts nothing and logs that a code went out, never the code itself
    (the boot layer wires the notifier's sender; this is the fallback of a bare app)."""

    def send(
        self, *, phone: str, code: str, session: Session | None = None, brand_id: int | None = None
    ) -> None:
        log.info("otp_sent", phone=mask_phone(phone))


class MemoryOtpSender:
    """Keeps sent codes in memory, for tests."""

    def __init__(self) -> None:
        self.sent: dict[str, list[str]] = defaultdict(list)
        self._lock = threading.Lock()

    def send(
        self, *, phone: str, code: str, session: Session | None = None, brand_id: int | None = None
    ) -> None:
        with self._lock:
            self.sent[phone].append(code)

    def last(self, phone: str) -> str:
        with self._lock:
            return self.sent[phone][-1]


class SandboxOtpSender:
    """The demo's sender: texts nothing and logs nothing, and keeps each phone's latest code
    until it expires so that the sign-in page can show it to whoever is signing in with that
    phone (in a box marked as a sandbox). Only ``newretail demo`` configures it."""

    def __init__(
        self, ttl_seconds: float = 300, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._codes: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def send(
        self, *, phone: str, code: str, session: Session | None = None, brand_id: int | None = None
    ) -> None:
        now = self._clock()
        with self._lock:
            # Dropping the expired codes on each send keeps the memory bounded by the codes
            # that are still live, however many phones ask.
            self._codes = {p: kept for p, kept in self._codes.items() if kept[1] > now}
            self._codes[phone] = (code, now + self._ttl)

    def code_for(self, phone: str) -> str | None:
        """The live code sent to ``phone`` (any format), else None."""
        try:
            e164 = normalise_phone(phone)
        except errors.InvalidPhone:
            return None
        with self._lock:
            kept = self._codes.get(e164)
        return kept[0] if kept is not None and kept[1] > self._clock() else None

    def forget(self, phone: str) -> None:
        """Drop ``phone``'s code once it has signed someone in: it is spent, so the page must
        not offer it again (a refused resend would otherwise show it)."""
        try:
            e164 = normalise_phone(phone)
        except errors.InvalidPhone:
            return
        with self._lock:
            self._codes.pop(e164, None)


@dataclass(frozen=True)
class OtpPolicy:
    ttl_seconds: int = 300
    resend_seconds: int = 60
    window_seconds: int = 3600
    max_sends_per_window: int = 5
    max_attempts: int = 5


DEFAULT_POLICY = OtpPolicy()


@dataclass(frozen=True)
class OtpSendResult:
    phone: str
    expires_at: datetime
    resend_after: datetime


class OtpCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class OtpResult:
    phone: str
    check: OtpCheck


def _hash(phone: str, code: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"otp:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def sign_in_regions(*, session: Session, brand_id: int | None) -> tuple[str, frozenset[str]]:
    """The home region of local numbers and the regions that may sign in (brand, else platform)."""
    if brand_id is None:
        return DEFAULT_REGION, PLATFORM_PHONE_REGIONS
    brand = org_service.live_brand(session=session, brand_id=brand_id)
    if brand is None:
        raise org_errors.BrandNotFound()
    return brand.country, frozenset(brand.phone_regions or (brand.country,))


def _sign_in_phone(session: Session, phone: str, brand_id: int | None) -> str:
    home, allowed = sign_in_regions(session=session, brand_id=brand_id)
    return phone_for_sign_in(phone, home=home, allowed=allowed)


def send_code(
    *,
    session: Session,
    phone: str,
    sender: OtpSender,
    brand_id: int | None = None,
    now: datetime | None = None,
    policy: OtpPolicy = DEFAULT_POLICY,
) -> OtpSendResult:
    """Send a fresh code to ``phone`` unless it was sent one too recently or too often.

    Only phones of the regions ``brand_id`` (else the platform) lets sign in get one.
    """
    e164 = _sign_in_phone(session, phone, brand_id)
    now = now or utcnow()
    insert_if_absent(session, OtpChallenge, {"phone": e164})
    code = f"{secrets.randbelow(10**6):06d}"
    expires = now + timedelta(seconds=policy.ttl_seconds)
    window_over = or_(
        OtpChallenge.window_started_at.is_(None),
        OtpChallenge.window_started_at <= now - timedelta(seconds=policy.window_seconds),
    )
    sent = session.execute(
        update(OtpChallenge)
        .where(
            OtpChallenge.phone == e164,
            or_(
                OtpChallenge.last_sent_at.is_(None),
                OtpChallenge.last_sent_at <= now - timedelta(seconds=policy.resend_seconds),
            ),
            or_(window_over, OtpChallenge.sent_in_window < policy.max_sends_per_window),
        )
        .values(
            code_hash=_hash(e164, code),
            expires_at=expires,
            attempts=0,
            consumed_at=None,
            last_sent_at=now,
            sent_in_window=case((window_over, 1), else_=OtpChallenge.sent_in_window + 1),
            window_started_at=case((window_over, now), else_=OtpChallenge.window_started_at),
        )
        .returning(OtpChallenge.phone)
    ).first()
    if sent is None:
        raise _rate_limited(session, e164, now, policy)
    sender.send(phone=e164, code=code, session=session, brand_id=brand_id)
    return OtpSendResult(e164, expires, now + timedelta(seconds=policy.resend_seconds))


def _rate_limited(
    session: Session, phone: str, now: datetime, policy: OtpPolicy
) -> errors.OtpRateLimited:
    row = session.get(OtpChallenge, phone, populate_existing=True)
    waits = [1]
    if row is not None and row.last_sent_at is not None:
        resend_at = row.last_sent_at + timedelta(seconds=policy.resend_seconds)
        waits.append(int((resend_at - now).total_seconds()) + 1)
    if (
        row is not None
        and row.window_started_at is not None
        and row.sent_in_window >= policy.max_sends_per_window
    ):
        window_end = row.window_started_at + timedelta(seconds=policy.window_seconds)
        waits.append(int((window_end - now).total_seconds()) + 1)
    return errors.OtpRateLimited(headers={"Retry-After": str(max(waits))})


def verify_code(
    *,
    session: Session,
    phone: str,
    code: str,
    brand_id: int | None = None,
    now: datetime | None = None,
    policy: OtpPolicy = DEFAULT_POLICY,
) -> OtpResult:
    """Check a code. Every try is counted, so the caller must commit even on failure."""
    e164 = _sign_in_phone(session, phone, brand_id)
    now = now or utcnow()
    tried = session.execute(
        update(OtpChallenge)
        .where(
            OtpChallenge.phone == e164,
            OtpChallenge.consumed_at.is_(None),
            OtpChallenge.expires_at > now,
            OtpChallenge.attempts < policy.max_attempts,
        )
        .values(attempts=OtpChallenge.attempts + 1)
        .returning(OtpChallenge.code_hash)
    ).first()
    if tried is None:
        return OtpResult(e164, _why_not_live(session, e164, now, policy))
    if not hmac.compare_digest(tried[0], _hash(e164, code)):
        return OtpResult(e164, OtpCheck.WRONG)
    used = session.execute(
        update(OtpChallenge)
        .where(OtpChallenge.phone == e164, OtpChallenge.consumed_at.is_(None))
        .values(consumed_at=now)
        .returning(OtpChallenge.phone)
    ).first()
    return OtpResult(e164, OtpCheck.OK if used is not None else OtpCheck.EXPIRED)


def _why_not_live(session: Session, phone: str, now: datetime, policy: OtpPolicy) -> OtpCheck:
    row = session.execute(
        select(OtpChallenge.attempts, OtpChallenge.consumed_at, OtpChallenge.expires_at).where(
            OtpChallenge.phone == phone
        )
    ).first()
    if row is None or row.consumed_at is not None or row.expires_at is None:
        return OtpCheck.EXPIRED
    if row.expires_at <= now:
        return OtpCheck.EXPIRED
    return OtpCheck.TOO_MANY if row.attempts >= policy.max_attempts else OtpCheck.EXPIRED


def check_otp(result: OtpResult) -> str:
    """The verified phone, or the error that explains why the code was refused."""
    if result.check == OtpCheck.OK:
        return result.phone
    if result.check == OtpCheck.WRONG:
        raise errors.OtpInvalid()
    if result.check == OtpCheck.TOO_MANY:
        raise errors.OtpTooManyAttempts()
    raise errors.OtpExpired()
