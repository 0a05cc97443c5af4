"""An offer to one member of an audience: a coupon, a marketing message or both, all or none.

Re-targeting and sends to an audience give offers the same way. The caller's send row, unique
per what makes two sends the same, is written in a savepoint with the coupon's claim and the
message: a refused offer (no marketing consent, the template's quantity, budget or
per-member limit reached, its claim window closed, the hourly message limit) leaves nothing
behind, and a second attempt at the same send fails on the row's unique key
(``already_sent``) instead of giving twice. The message is a marketing one: the notifier
holds it through the brand's quiet hours.
"""

from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newretail.analytics.reports.errors import CouponTemplateNotFound
from newretail.db import Base
from newretail.kernel.errors import DomainError, NotFound
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.notify import service as notify_service
from newretail.promotions import service as promotions_service
from newretail.promotions.schemas import ClaimCreate

ALREADY_SENT = "already_sent"
NOT_A_MEMBER = "not_a_member"


@dataclass(frozen=True, slots=True)
class Offer:
    """What a member is given: a coupon of ``coupon_template_id``, the notifier's
    ``template`` with ``variables``, or both (``None`` leaves that part out)."""

    brand_id: int
    coupon_template_id: int | None
    template: str | None
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Given:
    """What one offer gave; ``refused`` is the code of what refused it (nothing was given)."""

    coupon_id: int | None = None
    message: bool = False
    refused: str | None = None


def consumers_of(*, session: Session, brand_id: int, member_ids: Collection[int]) -> dict[int, int]:
    """The consumer of each of the brand's members among ``member_ids``, in one read."""
    if not member_ids:
        return {}
    facts = members_service.member_facts(session=session, brand_id=brand_id, member_ids=member_ids)
    return {member_id: fact.consumer_id for member_id, fact in facts.items()}


@contextmanager
def read_once(
    *, session: Session, offer: Offer, member_ids: Collection[int]
) -> Iterator[dict[int, int]]:
    """For offers to many members in one transaction (a chunk of a send to an audience):
    what each offer would read again is read once, and yields each member's consumer.

    The members and the coupon template are held here while the offers are given, so each
    claim finds them in the session instead of reading them; the notifier reads the brand's
    settings once (``sends_of_one_brand``). A template that is gone is left to each claim to
    refuse."""
    members = members_service.brand_memberships(
        session=session, brand_id=offer.brand_id, member_ids=member_ids
    )
    template = None
    if offer.coupon_template_id is not None:
        with suppress(NotFound):
            template = promotions_service.get_template(
                session=session, scope=SYSTEM, template_id=offer.coupon_template_id
            )
    with notify_service.sends_of_one_brand(session=session, brand_id=offer.brand_id):
        yield {member_id: row.consumer_id for member_id, row in members.items()}
    del members, template  # held until every offer of the chunk was given


def give(
    *,
    session: Session,
    offer: Offer,
    member_id: int,
    consumer_id: int,
    send_row: Base,
    dedupe_key: str,
    now: datetime,
    record: Callable[[Given], None] | None = None,
) -> Given:
    """The offer to one member with its send row, in a savepoint: all of it or nothing.

    The row goes in last, once ``record`` has written on it what was given: a second
    attempt at the same send fails on its unique key and takes back what it gave."""
    try:
        with session.begin_nested():
            given = _deliver(session, offer, member_id, consumer_id, dedupe_key, now)
            if record is not None:
                record(given)
            session.add(send_row)
            session.flush()
            return given
    except (DomainError, IntegrityError) as refused:
        return Given(refused=getattr(refused, "code", ALREADY_SENT))


def _deliver(
    session: Session,
    offer: Offer,
    member_id: int,
    consumer_id: int,
    dedupe_key: str,
    now: datetime,
) -> Given:
    coupon_id = None
    if offer.coupon_template_id is not None:
        data = ClaimCreate(template_id=offer.coupon_template_id, member_id=member_id)
        coupon_id = promotions_service.claim(session=session, scope=SYSTEM, data=data, now=now).id
    sent = []
    if offer.template is not None:
        sent = notify_service.send(
            session=session,
            brand_id=offer.brand_id,
            recipients=[notify_service.Recipient("consumer", consumer_id)],
            template=offer.template,
            variables=offer.variables,
            purpose="marketing",
            dedupe_key=dedupe_key,
            now=now,
        )
    return Given(coupon_id=coupon_id, message=bool(sent))


def check_coupon_template(*, session: Session, brand_id: int, template_id: int) -> None:
    """``CouponTemplateNotFound`` unless ``template_id`` is a coupon template of the brand."""
    try:
        found = promotions_service.get_template(
            session=session, scope=SYSTEM, template_id=template_id
        )
    except NotFound as exc:
        raise CouponTemplateNotFound() from exc
    if found.brand_id != brand_id:
        raise CouponTemplateNotFound()


def message_problem(
    *, session: Session, brand_id: int, template: str, variables: Mapping[str, str], now: datetime
) -> str | None:
    """Why the notifier would refuse ``template`` with exactly ``variables``; None if it fits.

    The notifier checks a template and its variables before it looks at the recipients, so
    a send to nobody answers the question without sending anything: ``no_recipients``
    means the template fits.
    """
    try:
        notify_service.send(
            session=session,
            brand_id=brand_id,
            recipients=[],
            template=template,
            variables=variables,
            purpose="marketing",
            now=now,
        )
    except DomainError as refused:
        if refused.code != "no_recipients":
            return refused.detail
    return None
