"""Passwords: an unknown account costs the same check as a known one."""

from argon2 import extract_parameters

from newretail.auth import security


def test_an_unknown_account_is_checked_against_a_hash_made_as_real_ones_are() -> None:
    real = security.hash_password("s3cret-password")
    assert security.verify_password(real, "s3cret-password")
    assert not security.verify_password(real, "another")
    assert not security.verify_password(None, "s3cret-password")
    stand_in = security._dummy_hash(security._hasher)
    assert extract_parameters(stand_in) == extract_parameters(real)
