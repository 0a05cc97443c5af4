"""Who the recipients of one send are: their locale, timezone, consents and addresses.

Read in one query per kind (a fan-out reaches thousands of people), straight from the
members' and staff tables; nothing here writes to them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.auth.models import Staff
from newretail.members.models import ConsumerIdentifier, MemberBinding, Membership
from newretail.notify import errors
from newretail.notify.rules import Recipient
from newretail.notify.templates import EN, ZH
from newretail.org.models import Brand, Store


@dataclass(frozen=True)
class Target:
    recipient: Recipient
    locale: str
    timezone: str
    consent_marketing: bool = True
    consent_sms: bool = False
    phone: str | None = None
    staff_username: str | None = None


def brand_of(session: Session, brand_id: int) -> Brand:
    brand = session.get(Brand, brand_id)
    if brand is None or brand.deleted_at is not None:
        raise errors.RecipientNotFound("Brand not found.")
    return brand


def resolve(session: Session, brand: Brand, recipients: Sequence[Recipient]) -> list[Target]:
    """One target per distinct recipient, in the order given; any stranger is an error."""
    unique = list(dict.fromkeys(recipients))
    staff = _staff(session, brand, {r.id for r in unique if r.kind == "staff"})
    consumers = _consumers(session, brand, {r.id for r in unique if r.kind == "consumer"})
    targets: list[Target] = []
    for recipient in unique:
        known = staff if recipient.kind == "staff" else consumers
        if recipient.id not in known:
            raise errors.RecipientNotFound()
        targets.append(known[recipient.id])
    return targets


def _default_locale(brand: Brand) -> str:
    return ZH if brand.country == "CN" else EN


def _staff(session: Session, brand: Brand, ids: set[int]) -> dict[int, Target]:
    if not ids:
        return {}
    # One range instead of an IN of thousands of parameters: a fan-out names many staff.
    rows = [
        row
        for row in session.execute(
            select(Staff.id, Staff.locale, Staff.username).where(
                Staff.brand_id == brand.id, Staff.id.between(min(ids), max(ids))
            )
        )
        if row.id in ids
    ]
    return {
        staff_id: Target(
            Recipient("staff", staff_id),
            locale=locale or _default_locale(brand),
            timezone=brand.timezone,
            staff_username=username,
        )
        for staff_id, locale, username in rows
    }


def _consumers(session: Session, brand: Brand, ids: set[int]) -> dict[int, Target]:
    if not ids:
        return {}
    rows = session.execute(
        select(
            Membership.consumer_id,
            Membership.consent_marketing,
            Membership.consent_sms,
            Store.timezone,
        )
        .outerjoin(MemberBinding, MemberBinding.membership_id == Membership.id)
        .outerjoin(Store, Store.id == MemberBinding.store_id)
        .where(Membership.brand_id == brand.id, Membership.consumer_id.in_(ids))
    ).all()
    phones = _phones(session, {row.consumer_id for row in rows})
    return {
        row.consumer_id: Target(
            Recipient("consumer", row.consumer_id),
            locale=_default_locale(brand),
            timezone=row.timezone or brand.timezone,
            consent_marketing=row.consent_marketing,
            consent_sms=row.consent_sms,
            phone=phones.get(row.consumer_id),
        )
        for row in rows
    }


def _phones(session: Session, consumer_ids: set[int]) -> dict[int, str]:
    """Each consumer's phone: a verified one first, else the first recorded."""
    if not consumer_ids:
        return {}
    phones: dict[int, str] = {}
    rows = session.execute(
        select(ConsumerIdentifier.consumer_id, ConsumerIdentifier.value)
        .where(ConsumerIdentifier.consumer_id.in_(consumer_ids), ConsumerIdentifier.kind == "phone")
        .order_by(ConsumerIdentifier.verified.desc(), ConsumerIdentifier.id)
    )
    for consumer_id, value in rows:
        phones.setdefault(consumer_id, value)
    return phones
