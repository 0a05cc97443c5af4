"""Access tokens: a token is checked once, then known, and its expiry is read at every use."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from newretail.auth import security
from newretail.config import get_settings


def test_a_token_reads_back_its_subject_brand_and_expiry() -> None:
    token, expires = security.issue_token(subject_type="staff", subject_id=7, brand_id=3)

    claims = security.read_token(token)

    assert claims is not None
    assert (claims.subject_type, claims.subject_id, claims.brand_id) == ("staff", 7, 3)
    assert claims.expires_at == expires.replace(microsecond=0)


def test_a_token_read_once_still_expires_when_its_time_comes() -> None:
    token, expires = security.issue_token(subject_type="consumer", subject_id=1, brand_id=None)
    ends = expires.replace(microsecond=0)

    assert security.read_token(token) is not None  # checked and kept
    assert security.read_token(token, now=ends - timedelta(microseconds=1)) is not None
    assert security.read_token(token, now=ends) is None
    assert security.read_token(token, now=ends + timedelta(days=1)) is None


def test_an_expired_token_is_refused_the_first_time_it_is_seen() -> None:
    past = int((datetime.now(UTC) - timedelta(seconds=5)).timestamp())
    token = jwt.encode(
        {"sub": "staff:1", "exp": past}, get_settings().secret_key, algorithm=security.ALGORITHM
    )

    assert security.read_token(token) is None


@pytest.mark.parametrize(
    "claims",
    [{"sub": "staff:1"}, {"exp": 4_102_444_800}, {"sub": "staff:x", "exp": 4_102_444_800}],
)
def test_a_token_without_a_subject_or_expiry_is_refused(claims: dict[str, object]) -> None:
    token = jwt.encode(claims, get_settings().secret_key, algorithm=security.ALGORITHM)

    assert security.read_token(token) is None


def test_a_token_signed_with_another_key_is_refused_even_after_the_right_one_was_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token, _ = security.issue_token(subject_type="staff", subject_id=2, brand_id=1)
    assert security.read_token(token) is not None

    monkeypatch.setattr(get_settings(), "secret_key", "another-key-" + "x" * 40)

    assert security.read_token(token) is None
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    monkeypatch.undo()
    assert security.read_token(forged) is None
