"""Sends to an audience: a coupon, a marketing message or both to every member now in it
who accepts marketing, once per member under the send's key.

The members are the audience's stored membership (``target_member_ids``), as of its last
recompute. Each member's offer goes with its send row, all or none (``audiences.offers``):
a member given this send before is skipped (``already_sent``), and a refused offer (the
coupon template run out, its budget spent, the member's limit reached, no marketing consent)
is counted under its reason and leaves nothing behind. Asking again under the same key
therefore gives nobody anything twice, and tries again those refused before.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.analytics.audiences import offers
from newretail.analytics.audiences import service as audiences
from newretail.analytics.audiences.models import Audience
from newretail.analytics.outreach.models import AudienceSend
from newretail.analytics.outreach.schemas import AudienceSendCreate
from newretail.analytics.reports.access import analysed_brand
from newretail.analytics.reports.errors import InvalidAudienceSend
from newretail.kernel.scope import Scope


@dataclass
class Tally:
    """What one request gave: members targeted, reached, coupons, messages, and the rest
    by reason."""

    members: int
    reached: int = 0
    coupons: int = 0
    messages: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def count(self, given: offers.Given) -> None:
        if given.refused is not None:
            self.skipped[given.refused] += 1
            return
        self.reached += 1
        self.coupons += given.coupon_id is not None
        self.messages += given.message


def send_to_audience(
    *, session: Session, scope: Scope, audience_id: int, data: AudienceSendCreate, now: datetime
) -> Tally:
    """Give the send to each member now in the audience who accepts marketing, once each."""
    audience = audiences.get_audience(session=session, scope=scope, audience_id=audience_id)
    brand = analysed_brand(scope, audience.brand_id)
    offer = _offer(session, brand, data, now)
    members = audiences.target_member_ids(session=session, scope=scope, audience_id=audience.id)
    before = _sent_before(session, audience.id, data.key)
    consumers = offers.consumers_of(session=session, brand_id=brand, member_ids=members)
    tally = Tally(members=len(members))
    for member_id in members:
        if member_id in before:
            tally.skipped[offers.ALREADY_SENT] += 1
        elif member_id not in consumers:
            tally.skipped[offers.NOT_A_MEMBER] += 1
        else:
            given = _give(session, audience, data.key, offer, member_id, consumers[member_id], now)
            tally.count(given)
    session.flush()
    return tally


def _offer(
    session: Session, brand_id: int, data: AudienceSendCreate, now: datetime
) -> offers.Offer:
    """The send's offer, once its coupon template and message template are checked."""
    if data.coupon_template_id is not None:
        offers.check_coupon_template(
            session=session, brand_id=brand_id, template_id=data.coupon_template_id
        )
    message = data.message
    if message is None:
        return offers.Offer(brand_id, data.coupon_template_id, None)
    problem = offers.message_problem(
        session=session,
        brand_id=brand_id,
        template=message.template,
        variables=message.variables,
        now=now,
    )
    if problem is not None:
        raise InvalidAudienceSend(problem)
    return offers.Offer(brand_id, data.coupon_template_id, message.template, message.variables)


def _sent_before(session: Session, audience_id: int, key: str) -> set[int]:
    rows = session.scalars(
        select(AudienceSend.member_id).where(
            AudienceSend.audience_id == audience_id, AudienceSend.key == key
        )
    )
    return set(rows)


def _give(
    session: Session,
    audience: Audience,
    key: str,
    offer: offers.Offer,
    member_id: int,
    consumer_id: int,
    now: datetime,
) -> offers.Given:
    row = AudienceSend(
        audience_id=audience.id,
        brand_id=audience.brand_id,
        key=key,
        member_id=member_id,
        sent_at=now,
    )
    given = offers.give(
        session=session,
        offer=offer,
        member_id=member_id,
        consumer_id=consumer_id,
        send_row=row,
        dedupe_key=f"audience:{audience.id}:{key}:{member_id}",
        now=now,
    )
    if given.refused is None:
        row.coupon_id = given.coupon_id
        row.message = given.message
    return given
