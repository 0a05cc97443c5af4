from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.integrations import rules
from newretail.integrations.rules import DeliveryStatus, QueuedDelivery

SECRET = "whsec_test-secret"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


# ---- signatures -----------------------------------------------------------------------


def test_signature_is_hmac_sha256_over_id_timestamp_and_body() -> None:
    import hashlib
    import hmac

    body = b'{"id":"e1"}'
    expected = hmac.new(SECRET.encode(), b"e1.1700000000." + body, hashlib.sha256).hexdigest()
    assert rules.sign(secret=SECRET, event_id="e1", timestamp=1700000000, body=body) == (
        f"v1={expected}"
    )


def test_signed_headers_verify() -> None:
    headers = rules.signed_headers(secret=SECRET, event_id="e1", timestamp=1000, body=b"{}")
    assert rules.verify_signature(
        secret=SECRET,
        event_id=headers["Webhook-Id"],
        timestamp=headers["Webhook-Timestamp"],
        body=b"{}",
        signature=headers["Webhook-Signature"],
        now=1000,
    )


@given(
    body=st.binary(max_size=200),
    event_id=st.uuids().map(str),
    timestamp=st.integers(min_value=0, max_value=2**40),
)
def test_any_signed_delivery_verifies_with_its_secret(
    body: bytes, event_id: str, timestamp: int
) -> None:
    signature = rules.sign(secret=SECRET, event_id=event_id, timestamp=timestamp, body=body)
    assert rules.verify_signature(
        secret=SECRET,
        event_id=event_id,
        timestamp=timestamp,
        body=body,
        signature=signature,
        now=timestamp,
    )


@given(body=st.binary(min_size=1, max_size=100), flip=st.integers(min_value=0, max_value=99))
def test_a_changed_body_does_not_verify(body: bytes, flip: int) -> None:
    signature = rules.sign(secret=SECRET, event_id="e", timestamp=5, body=body)
    index = flip % len(body)
    tampered = body[:index] + bytes([body[index] ^ 1]) + body[index + 1 :]
    assert not rules.verify_signature(
        secret=SECRET, event_id="e", timestamp=5, body=tampered, signature=signature, now=5
    )


def test_another_secret_does_not_verify() -> None:
    signature = rules.sign(secret="whsec_other", event_id="e", timestamp=5, body=b"{}")
    assert not rules.verify_signature(
        secret=SECRET, event_id="e", timestamp=5, body=b"{}", signature=signature, now=5
    )


def test_another_event_id_does_not_verify() -> None:
    signature = rules.sign(secret=SECRET, event_id="e1", timestamp=5, body=b"{}")
    assert not rules.verify_signature(
        secret=SECRET, event_id="e2", timestamp=5, body=b"{}", signature=signature, now=5
    )


def test_a_stale_timestamp_does_not_verify() -> None:
    signature = rules.sign(secret=SECRET, event_id="e", timestamp=1000, body=b"{}")
    assert not rules.verify_signature(
        secret=SECRET,
        event_id="e",
        timestamp=1000,
        body=b"{}",
        signature=signature,
        now=1000 + rules.DEFAULT_TOLERANCE_SECONDS + 1,
    )


def test_a_timestamp_inside_the_tolerance_verifies() -> None:
    signature = rules.sign(secret=SECRET, event_id="e", timestamp=1000, body=b"{}")
    assert rules.verify_signature(
        secret=SECRET,
        event_id="e",
        timestamp="1000",
        body=b"{}",
        signature=signature,
        now=1000 - rules.DEFAULT_TOLERANCE_SECONDS,
    )


def test_a_garbled_timestamp_does_not_verify() -> None:
    signature = rules.sign(secret=SECRET, event_id="e", timestamp=1000, body=b"{}")
    assert not rules.verify_signature(
        secret=SECRET, event_id="e", timestamp="soon", body=b"{}", signature=signature, now=1000
    )


def test_one_valid_signature_among_several_is_enough() -> None:
    good = rules.sign(secret=SECRET, event_id="e", timestamp=7, body=b"{}")
    old = rules.sign(secret="whsec_old", event_id="e", timestamp=7, body=b"{}")
    assert rules.verify_signature(
        secret=SECRET, event_id="e", timestamp=7, body=b"{}", signature=f"{old} {good}", now=7
    )


def test_new_secrets_are_prefixed_and_unique() -> None:
    secrets = {rules.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(s.startswith("whsec_") and len(s) > 40 for s in secrets)


def test_success_is_2xx_only() -> None:
    assert [rules.is_success(code) for code in (200, 204, 299, 301, 400, 500)] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_status_after_attempt() -> None:
    assert rules.status_after_attempt(succeeded=True, attempts=10, max_attempts=3) == "delivered"
    assert rules.status_after_attempt(succeeded=False, attempts=2, max_attempts=3) == "pending"
    assert rules.status_after_attempt(succeeded=False, attempts=3, max_attempts=3) == "dead"


# ---- urls and subscriptions -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/in", "http://127.0.0.1:8080/x?y=1", "HTTPS://EXAMPLE.COM"],
)
def test_http_and_https_urls_are_accepted(url: str) -> None:
    assert rules.check_url(f"  {url} ") == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "example.com/hook",
        "https://",
        "https://user:pw@example.com/",
        "https://example.com:99999/",
        "https://exa mple.com/",
        "https://example.com/" + "x" * 2000,
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        rules.check_url(url)


def test_star_subscribes_to_everything() -> None:
    assert rules.subscribes(["*"], "store.created")


def test_listed_types_only() -> None:
    assert rules.subscribes(["store.updated", "store.created"], "store.created")
    assert not rules.subscribes(["store.updated"], "store.created")


# ---- order ----------------------------------------------------------------------------


def _queued(
    id: int,
    seq: int,
    resource: str = "1",
    status: DeliveryStatus = DeliveryStatus.PENDING,
    endpoint_id: int = 1,
    due_in: int = 0,
    leased_for: int | None = None,
) -> QueuedDelivery:
    return QueuedDelivery(
        id=id,
        endpoint_id=endpoint_id,
        resource=("store", resource),
        seq=seq,
        status=status,
        next_attempt_at=NOW + timedelta(seconds=due_in),
        leased_until=None if leased_for is None else NOW + timedelta(seconds=leased_for),
    )


def test_only_the_earliest_pending_delivery_of_a_resource_is_attempted() -> None:
    assert rules.attemptable([_queued(2, seq=20), _queued(1, seq=10)], NOW) == {1}


def test_a_retry_waiting_for_backoff_holds_back_later_events_of_its_resource() -> None:
    assert rules.attemptable([_queued(1, seq=10, due_in=60), _queued(2, seq=20)], NOW) == set()


def test_delivered_and_dead_deliveries_hold_nothing_back() -> None:
    queue = [
        _queued(1, seq=10, status=DeliveryStatus.DELIVERED),
        _queued(2, seq=20, status=DeliveryStatus.DEAD),
        _queued(3, seq=30),
    ]
    assert rules.attemptable(queue, NOW) == {3}


def test_other_resources_and_endpoints_proceed() -> None:
    queue = [
        _queued(1, seq=10, due_in=60),
        _queued(2, seq=20, resource="2"),
        _queued(3, seq=30, endpoint_id=2),
    ]
    assert rules.attemptable(queue, NOW) == {2, 3}


def test_a_leased_delivery_is_not_attempted_until_its_lease_runs_out() -> None:
    assert rules.attemptable([_queued(1, seq=10, leased_for=30)], NOW) == set()
    assert rules.attemptable([_queued(1, seq=10, leased_for=-1)], NOW) == {1}


@st.composite
def queues(draw: st.DrawFn) -> list[QueuedDelivery]:
    size = draw(st.integers(min_value=0, max_value=30))
    seqs = draw(st.lists(st.integers(1, 1000), min_size=size, max_size=size, unique=True))
    return [
        _queued(
            id=i,
            seq=seq,
            resource=draw(st.sampled_from(["1", "2", "3"])),
            status=draw(st.sampled_from(list(DeliveryStatus))),
            endpoint_id=draw(st.integers(1, 2)),
            due_in=draw(st.integers(-5, 5)),
            leased_for=draw(st.none() | st.integers(-5, 5)),
        )
        for i, seq in enumerate(seqs)
    ]


@given(queues())
def test_at_most_one_attemptable_delivery_per_endpoint_and_resource(
    queue: list[QueuedDelivery],
) -> None:
    chosen = [d for d in queue if d.id in rules.attemptable(queue, NOW)]
    keys = [(d.endpoint_id, d.resource) for d in chosen]
    assert len(keys) == len(set(keys))


@given(queues())
def test_no_attemptable_delivery_has_an_earlier_pending_one(queue: list[QueuedDelivery]) -> None:
    for chosen in (d for d in queue if d.id in rules.attemptable(queue, NOW)):
        assert chosen.status == DeliveryStatus.PENDING
        assert not any(
            d.status == DeliveryStatus.PENDING
            and (d.endpoint_id, d.resource) == (chosen.endpoint_id, chosen.resource)
            and d.seq < chosen.seq
            for d in queue
        )
