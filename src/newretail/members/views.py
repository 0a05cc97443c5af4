"""Turning memberships into API views in a fixed number of queries, phones masked by role."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.scope import Scope
from newretail.members.access import phones_of, sees_full_phone
from newretail.members.models import MemberBinding, Membership
from newretail.members.phones import mask_phone
from newretail.members.schemas import BindingRead, Consents, MemberRead


def binding_read(binding: MemberBinding | None, now: datetime) -> BindingRead | None:
    if binding is None:
        return None
    return BindingRead(
        store_id=binding.store_id,
        guide_id=binding.guide_id,
        source=binding.source,
        bound_at=binding.bound_at,
        protected_until=binding.protected_until,
        expires_at=binding.expires_at,
        active=binding.expires_at is None or now < binding.expires_at,
    )


def shown_phone(scope: Scope, phone: str | None) -> str | None:
    if phone is None or sees_full_phone(scope):
        return phone
    return mask_phone(phone)


def member_views(
    *, session: Session, scope: Scope, members: Sequence[Membership], now: datetime | None = None
) -> list[MemberRead]:
    now = now or utcnow()
    phones = phones_of(session=session, consumer_ids={m.consumer_id for m in members})
    ids = [m.id for m in members]
    bindings = {
        b.membership_id: b
        for b in session.scalars(select(MemberBinding).where(MemberBinding.membership_id.in_(ids)))
    }
    return [
        MemberRead(
            id=m.id,
            brand_id=m.brand_id,
            consumer_id=m.consumer_id,
            member_no=m.member_no,
            tier=m.tier,
            points=m.points,
            phone=shown_phone(scope, phones.get(m.consumer_id)),
            consents=Consents(
                marketing=m.consent_marketing, sms=m.consent_sms, analytics=m.consent_analytics
            ),
            join_channel=m.join_channel,
            join_store_id=m.join_store_id,
            joined_at=m.joined_at,
            binding=binding_read(bindings.get(m.id), now),
        )
        for m in members
    ]


def member_view(
    *, session: Session, scope: Scope, member: Membership, now: datetime | None = None
) -> MemberRead:
    return member_views(session=session, scope=scope, members=[member], now=now)[0]
