"""Sends to an audience: a coupon, a marketing message or both to every member now in it
who accepts marketing, once per member under the send's key.

The members are the audience's stored membership, as of its last recompute. Each member's
offer goes with its send row, all or none (``audiences.offers``): a member given this send
before is skipped (``already_sent``), and a refused offer (the coupon template run out, its
budget spent, the member's limit reached, no marketing consent) is counted under its reason
and leaves nothing behind. Asking again under the same key therefore gives nobody anything
twice, and tries again those refused before.

A send is a run (``AudienceSendRun``) that walks the members in the order of their ids,
``CHUNK`` of them per transaction: the request that asks for it gives the first chunk, and
the worker (``jobs.give_audience_sends``) the rest, one chunk a round. So an audience of a hundred
thousand members never holds the database's writer, nor a request, for more than a
chunk's time; a small one is done before its request answers.
"""

from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newretail.analytics.audiences import offers
from newretail.analytics.audiences import service as audiences
from newretail.analytics.outreach.models import AudienceSend, AudienceSendRun
from newretail.analytics.outreach.schemas import AudienceSendCreate, SendStatus
from newretail.analytics.reports.access import analysed_brand
from newretail.analytics.reports.errors import AudienceSendNotFound, InvalidAudienceSend
from newretail.kernel.scope import Scope

CHUNK = 100  # members a transaction: well under a second of the writer on SQLite


def send_to_audience(
    *, session: Session, scope: Scope, audience_id: int, data: AudienceSendCreate, now: datetime
) -> AudienceSendRun:
    """Start the send, and give it to the first chunk of members; a send under the same key
    still running is answered as it stands instead."""
    audience = audiences.get_audience(session=session, scope=scope, audience_id=audience_id)
    brand = analysed_brand(scope, audience.brand_id)
    offer = _offer(session, brand, data, now)
    running = _running(session, audience.id, data.key)
    if running is not None:
        return running
    run = AudienceSendRun(
        audience_id=audience.id,
        brand_id=brand,
        key=data.key,
        coupon_template_id=offer.coupon_template_id,
        message_template=offer.template,
        message_variables=dict(offer.variables),
        status=SendStatus.RUNNING,
        members=audiences.count_targets(session=session, audience_id=audience.id),
        after_member_id=0,
        reached=0,
        coupons=0,
        messages=0,
        skipped={},
        requested_by_type=scope.actor_type,
        requested_by_id=scope.actor_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        # Another request started it since the look above: answer that one.
        other = _running(session, audience.id, data.key)
        if other is None:
            raise
        return other
    advance(session=session, run=run, now=now)
    return run


def _running(session: Session, audience_id: int, key: str) -> AudienceSendRun | None:
    return session.scalar(
        select(AudienceSendRun).where(
            AudienceSendRun.audience_id == audience_id,
            AudienceSendRun.key == key,
            AudienceSendRun.status == SendStatus.RUNNING,
        )
    )


def advance(*, session: Session, run: AudienceSendRun, now: datetime) -> int:
    """Give the send to the next ``CHUNK`` members after the run's last; answers how many
    were walked. The run is ``done`` when fewer were left."""
    members = audiences.targets_after(
        session=session, audience_id=run.audience_id, after=run.after_member_id, limit=CHUNK
    )
    offer = offers.Offer(
        run.brand_id, run.coupon_template_id, run.message_template, dict(run.message_variables)
    )
    before = _sent_before(session, run.audience_id, run.key, members)
    skipped: Counter[str] = Counter(run.skipped)
    reached = coupons = messages = 0
    with offers.read_once(session=session, offer=offer, member_ids=members) as consumers:
        for member_id in members:
            if member_id in before:
                skipped[offers.ALREADY_SENT] += 1
            elif member_id not in consumers:
                skipped[offers.NOT_A_MEMBER] += 1
            else:
                given = _give(session, run, offer, member_id, consumers[member_id], now)
                if given.refused is not None:
                    skipped[given.refused] += 1
                else:
                    reached += 1
                    coupons += given.coupon_id is not None
                    messages += given.message
    # The run's counts change once a chunk, not with every member's savepoint.
    run.reached += reached
    run.coupons += coupons
    run.messages += messages
    run.skipped = dict(skipped)
    if members:
        run.after_member_id = members[-1]
    if len(members) < CHUNK:
        run.status, run.finished_at = SendStatus.DONE, now
    session.flush()
    return len(members)


def advance_next(*, session: Session, now: datetime) -> int:
    """One chunk of the oldest send still running (the worker's round); answers the members
    walked (0: none is running)."""
    run = session.scalar(
        select(AudienceSendRun)
        .where(AudienceSendRun.status == SendStatus.RUNNING)
        .order_by(AudienceSendRun.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if run is None:
        return 0
    return max(1, advance(session=session, run=run, now=now))


def any_running(*, session: Session) -> bool:
    found = session.scalar(
        select(AudienceSendRun.id).where(AudienceSendRun.status == SendStatus.RUNNING).limit(1)
    )
    return found is not None


def list_runs(*, session: Session, scope: Scope, audience_id: int) -> list[AudienceSendRun]:
    """The audience's sends, newest first."""
    audience = audiences.get_audience(session=session, scope=scope, audience_id=audience_id)
    rows = session.scalars(
        select(AudienceSendRun)
        .where(AudienceSendRun.audience_id == audience.id)
        .order_by(AudienceSendRun.id.desc())
    )
    return list(rows)


def get_run(*, session: Session, scope: Scope, audience_id: int, send_id: int) -> AudienceSendRun:
    audience = audiences.get_audience(session=session, scope=scope, audience_id=audience_id)
    run = session.get(AudienceSendRun, send_id)
    if run is None or run.audience_id != audience.id:
        raise AudienceSendNotFound()
    return run


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


def _sent_before(session: Session, audience_id: int, key: str, members: list[int]) -> set[int]:
    if not members:
        return set()
    rows = session.scalars(
        select(AudienceSend.member_id).where(
            AudienceSend.audience_id == audience_id,
            AudienceSend.key == key,
            AudienceSend.member_id.between(members[0], members[-1]),
        )
    )
    return set(rows)


def _give(
    session: Session,
    run: AudienceSendRun,
    offer: offers.Offer,
    member_id: int,
    consumer_id: int,
    now: datetime,
) -> offers.Given:
    row = AudienceSend(
        audience_id=run.audience_id,
        brand_id=run.brand_id,
        key=run.key,
        member_id=member_id,
        sent_at=now,
    )

    def record(given: offers.Given) -> None:
        row.coupon_id, row.message = given.coupon_id, given.message

    return offers.give(
        session=session,
        offer=offer,
        member_id=member_id,
        consumer_id=consumer_id,
        send_row=row,
        dedupe_key=f"audience:{run.audience_id}:{run.key}:{member_id}",
        now=now,
        record=record,
    )
