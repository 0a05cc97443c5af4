"""Pure rules of event collection: the corrected clock, keys, page tokens, each verdict."""

from datetime import UTC, datetime, timedelta

from newretail.analytics.events import rules
from newretail.analytics.events.rules import Clock, Reject
from newretail.analytics.events.validate import Judged, Refusal, Sender, judge

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
CLOCK = Clock(received_at=NOW, max_future=timedelta(minutes=5), max_age=timedelta(days=30))


def _event(**fields: object) -> dict[str, object]:
    return {
        "messageId": "m1",
        "event": "Store Entered",
        "anonymousId": "a1",
        "channel": "store_sensor",
        "timestamp": (NOW - timedelta(minutes=1)).isoformat(),
        "context": {"store": 5},
        **fields,
    }


def _code(raw: object, sender: Sender | None = None) -> str:
    verdict = judge(0, raw, sender=sender or Sender(brand_id=1), clock=CLOCK, batch_sent_at=None)
    return "ok" if isinstance(verdict, Judged) else verdict.code.value


def test_a_fast_device_clock_is_taken_off_the_event_time() -> None:
    sent = NOW + timedelta(hours=2)

    ts = rules.corrected_time(timestamp=sent - timedelta(minutes=3), sent_at=sent, received_at=NOW)

    assert ts == NOW - timedelta(minutes=3)


def test_without_a_timestamp_the_event_happened_when_received() -> None:
    assert rules.corrected_time(timestamp=None, sent_at=None, received_at=NOW) == NOW


def test_without_a_sent_time_the_timestamp_is_trusted() -> None:
    at = NOW - timedelta(hours=1)
    assert rules.corrected_time(timestamp=at, sent_at=None, received_at=NOW) == at


def test_times_out_of_range_are_refused_by_name() -> None:
    assert rules.time_verdict(NOW + timedelta(minutes=6), CLOCK) == Reject.FUTURE_TIMESTAMP
    assert rules.time_verdict(NOW - timedelta(days=31), CLOCK) == Reject.ANCIENT_TIMESTAMP
    assert rules.time_verdict(NOW - timedelta(days=29), CLOCK) is None


def test_a_member_is_the_key_when_known_else_the_anonymous_id() -> None:
    assert rules.person_key(member_id=7, anonymous_id="a") == "member:7"
    assert rules.person_key(member_id=None, anonymous_id="a") == "anon:a"
    assert rules.person_key(member_id=None, anonymous_id=None) is None


def test_outbox_message_ids_are_one_per_row() -> None:
    assert rules.outbox_message_id("e-1") == "outbox:e-1"
    assert rules.dedupe_key(3, "m") != rules.dedupe_key(4, "m")


def test_a_page_token_grants_its_store_until_it_expires() -> None:
    token = rules.page_token(secret="k", brand_id=2, store_id=9, expires_at=NOW)

    assert rules.read_page_token(token, secret="k", now=NOW - timedelta(seconds=1)) == (
        rules.PageGrant(2, 9)
    )
    assert rules.read_page_token(token, secret="k", now=NOW + timedelta(seconds=1)) is None
    assert rules.read_page_token(token, secret="other", now=NOW) is None
    assert rules.read_page_token(token.replace(".2.", ".3."), secret="k", now=NOW) is None


def test_each_malformed_event_gets_its_own_reason() -> None:
    assert _code(_event()) == "ok"
    assert _code(_event(event="Teleported")) == "unknown_event"
    assert _code(_event(channel="fax")) == "invalid_envelope"
    assert _code(_event(unknown_field=1)) == "invalid_envelope"
    assert _code(_event(timestamp="2026-12-06T10:00:00")) == "invalid_envelope"  # no offset
    assert _code(_event(event="Product Added", properties={"product_id": "x"})) == (
        "invalid_properties"
    )
    assert _code(_event(event="Product Added", properties={"product_id": 1, "quantity": 0})) == (
        "invalid_properties"
    )
    assert _code(_event(event="QR Scanned")) == "missing_context"
    assert _code(_event(anonymousId=None)) == "no_identity"
    assert _code(_event(userId="not-a-number")) == "unknown_member"
    assert _code(_event(context={"store": 5, "brand": 2})) == "foreign_brand"
    assert _code("not an object") == "invalid_envelope"


def test_a_page_may_send_anonymous_events_of_its_own_store_only() -> None:
    page = Sender(brand_id=1, store_id=5, may_name_users=False)

    assert _code(_event(context={}), page) == "ok"
    assert _code(_event(context={"store": 6}), page) == "foreign_store"
    assert _code(_event(userId="3"), page) == "user_not_allowed"


def test_a_kept_event_carries_its_corrected_time_and_typed_properties() -> None:
    raw = _event(event="Order Completed", properties={"order_id": "12", "revenue_fen": 990})

    verdict = judge(0, raw, sender=Sender(brand_id=1), clock=CLOCK, batch_sent_at=NOW)

    assert isinstance(verdict, Judged)
    assert not isinstance(verdict, Refusal)
    assert verdict.row["order_id"] == 12
    assert verdict.row["revenue_fen"] == 990
    assert verdict.row["ts"] == NOW - timedelta(minutes=1)


def test_store_staff_send_events_of_their_stores_only() -> None:
    cashier = Sender(brand_id=1, store_ids=frozenset({5}))

    assert _code(_event(), cashier) == "ok"
    assert _code(_event(context={"store": 6}), cashier) == "foreign_store"
