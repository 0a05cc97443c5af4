from datetime import timedelta

import pytest
from sqlalchemy import select
from tests import builders
from tests import member_builders as mb

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.members import errors
from newretail.members import service as members_service
from newretail.members.models import ConsumerIdentifier, ConsumerMerge, Membership, OtpChallenge
from newretail.members.otp import OtpCheck
from newretail.members.rules import IdentifierKind

T0 = utcnow().replace(microsecond=0)
PHONE = "+8613912345678"
DEVICE = IdentifierKind.DEVICE


def _send(database: Database, sender: members_service.MemoryOtpSender, at: object = T0) -> None:
    with database.transaction() as session:
        members_service.send_code(session=session, phone="139 1234 5678", sender=sender, now=at)  # type: ignore[arg-type]


def _verify(database: Database, code: str, at: object = T0) -> OtpCheck:
    with database.transaction() as session:
        return members_service.verify_code(
            session=session,
            phone=PHONE,
            code=code,
            now=at,  # type: ignore[arg-type]
        ).check


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_the_right_code_works_once(database: Database) -> None:
    sender = members_service.MemoryOtpSender()
    _send(database, sender)
    code = sender.last(PHONE)
    assert (_verify(database, code), _verify(database, code)) == (OtpCheck.OK, OtpCheck.EXPIRED)


def test_only_a_keyed_hash_of_the_code_is_stored(database: Database) -> None:
    sender = members_service.MemoryOtpSender()
    _send(database, sender)
    with database.transaction(read_only=True) as session:
        stored = session.scalar(select(OtpChallenge.code_hash).where(OtpChallenge.phone == PHONE))
    assert stored is not None
    assert sender.last(PHONE) not in stored
    assert len(stored) == 64


def test_a_code_expires_after_five_minutes(database: Database) -> None:
    sender = members_service.MemoryOtpSender()
    _send(database, sender)
    assert _verify(database, sender.last(PHONE), T0 + timedelta(seconds=300)) == OtpCheck.EXPIRED


def test_too_many_wrong_codes_kill_the_code(database: Database) -> None:
    sender = members_service.MemoryOtpSender()
    _send(database, sender)
    code = sender.last(PHONE)
    wrong = [_verify(database, _wrong(code)) for _ in range(5)]
    assert wrong == [OtpCheck.WRONG] * 5
    assert _verify(database, code) == OtpCheck.TOO_MANY


def test_a_new_code_waits_a_minute_and_at_most_five_go_out_an_hour(database: Database) -> None:
    sender = members_service.MemoryOtpSender()
    _send(database, sender)
    with pytest.raises(errors.OtpRateLimited) as too_soon:
        _send(database, sender, T0 + timedelta(seconds=30))
    for minute in range(1, 5):
        _send(database, sender, T0 + timedelta(minutes=minute))
    with pytest.raises(errors.OtpRateLimited) as too_many:
        _send(database, sender, T0 + timedelta(minutes=10))
    _send(database, sender, T0 + timedelta(minutes=61))
    assert len(sender.sent[PHONE]) == 6
    assert int(too_soon.value.headers["Retry-After"]) == 31
    assert int(too_many.value.headers["Retry-After"]) == 50 * 60 + 1


def test_an_invalid_phone_is_refused_before_anything_is_sent(database: Database) -> None:
    sender = members_service.MemoryOtpSender()
    with database.transaction() as session, pytest.raises(errors.InvalidPhone):
        members_service.send_code(session=session, phone="12345", sender=sender)
    assert sender.sent == {}


def test_signing_in_twice_with_one_phone_is_one_consumer(database: Database) -> None:
    with database.transaction() as session:
        first, created = members_service.sign_in(session=session, phone=PHONE)
    with database.transaction() as session:
        again, created_again = members_service.sign_in(session=session, phone=PHONE)
    assert (again, created, created_again) == (first, True, False)


def _identify(database: Database, *ids: tuple[IdentifierKind, str]) -> int:
    with database.transaction() as session:
        return members_service.identify(session=session, identifiers=list(ids))


def _sign_in(database: Database, phone: str, *extra: tuple[IdentifierKind, str]) -> int:
    with database.transaction() as session:
        consumer_id, _ = members_service.sign_in(session=session, phone=phone, extra=list(extra))
    return consumer_id


def _holder(database: Database, kind: IdentifierKind, value: str) -> int:
    with database.transaction(read_only=True) as session:
        return (
            session.scalar(
                select(ConsumerIdentifier.consumer_id).where(
                    ConsumerIdentifier.kind == kind.value, ConsumerIdentifier.value == value
                )
            )
            or 0
        )


def test_a_device_seen_before_sign_in_merges_into_the_signed_in_consumer(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    anonymous = _identify(database, (DEVICE, "dev-1"))
    mb.scan(database, world.brand.id, anonymous, world.east_store.id, None)
    signed_in = _sign_in(database, PHONE)
    survivor = _sign_in(database, PHONE, (DEVICE, "dev-1"))
    with database.transaction(read_only=True) as session:
        member_of = session.scalar(
            select(Membership.consumer_id).where(Membership.brand_id == world.brand.id)
        )
        merged = session.execute(select(ConsumerMerge.source_id, ConsumerMerge.target_id)).one()
    assert survivor == signed_in
    assert _holder(database, DEVICE, "dev-1") == signed_in
    assert member_of == signed_in
    assert tuple(merged) == (anonymous, signed_in)


def test_undoing_a_merge_moves_exactly_what_moved_back(database: Database) -> None:
    world = builders.brand_world(database)
    anonymous = _identify(database, (DEVICE, "dev-2"))
    joined = mb.scan(database, world.brand.id, anonymous, world.east_store.id, None)
    signed_in = _sign_in(database, PHONE, (DEVICE, "dev-2"))
    with database.transaction(read_only=True) as session:
        merge_id = session.scalar(select(ConsumerMerge.id))
    with database.transaction() as session:
        members_service.undo_merge(session=session, scope=SYSTEM, merge_id=merge_id or 0)
    assert _holder(database, DEVICE, "dev-2") == anonymous
    assert _holder(database, IdentifierKind.PHONE, PHONE) == signed_in
    assert mb.consumer_of(database, joined.member_id) == anonymous
    with database.transaction() as session, pytest.raises(errors.MergeAlreadyUndone):
        members_service.undo_merge(session=session, scope=SYSTEM, merge_id=merge_id or 0)


def test_a_pair_split_by_an_undo_is_not_merged_again_automatically(database: Database) -> None:
    anonymous = _identify(database, (DEVICE, "dev-3"))
    _sign_in(database, PHONE, (DEVICE, "dev-3"))
    with database.transaction() as session:
        merge_id = session.scalar(select(ConsumerMerge.id)) or 0
        members_service.undo_merge(session=session, scope=SYSTEM, merge_id=merge_id)
    _sign_in(database, PHONE, (DEVICE, "dev-3"))
    assert _holder(database, DEVICE, "dev-3") == anonymous


def test_two_verified_phones_sharing_a_device_stay_two_people(database: Database) -> None:
    first = _sign_in(database, PHONE, (DEVICE, "family-tablet"))
    second = _sign_in(database, "+8613700000000", (DEVICE, "family-tablet"))
    assert first != second
    assert _holder(database, DEVICE, "family-tablet") == first
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(ConsumerMerge.id)) is None


def test_two_members_of_one_brand_are_not_merged_through_a_shared_device(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    device_member = _identify(database, (DEVICE, "dev-4"))
    mb.scan(database, world.brand.id, device_member, world.east_store.id, None)
    phone_member = _sign_in(database, PHONE)
    mb.scan(database, world.brand.id, phone_member, world.east_store.id, None)
    with database.transaction() as session, pytest.raises(errors.MergeRefused) as refused:
        members_service.merge_consumers(
            session=session, scope=SYSTEM, consumer_id=device_member, other_id=phone_member
        )
    assert "two_members_of_one_brand" in refused.value.detail
    assert _sign_in(database, PHONE, (DEVICE, "dev-4")) == phone_member
    assert _holder(database, DEVICE, "dev-4") == device_member
