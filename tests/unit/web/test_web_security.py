import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.web import security

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def test_csrf_token_is_valid_for_its_own_binding() -> None:
    token = security.csrf_token(SECRET, "session-a")
    assert security.csrf_valid(SECRET, "session-a", token)


def test_csrf_token_of_another_session_is_refused() -> None:
    token = security.csrf_token(SECRET, "session-a")
    assert not security.csrf_valid(SECRET, "session-b", token)


def test_csrf_token_signed_with_another_secret_is_refused() -> None:
    token = security.csrf_token("another-secret", "session-a")
    assert not security.csrf_valid(SECRET, "session-a", token)


@pytest.mark.parametrize(("binding", "token"), [(None, "x"), ("session-a", None), ("", "")])
def test_missing_binding_or_token_is_refused(binding: str | None, token: str | None) -> None:
    assert not security.csrf_valid(SECRET, binding, token)


def test_signed_data_round_trips() -> None:
    value = security.sign(SECRET, "flash", {"key": "store_created", "params": {"name": "南京店"}})
    assert security.unsign(SECRET, "flash", value) == {
        "key": "store_created",
        "params": {"name": "南京店"},
    }


def test_signed_data_for_another_purpose_is_refused() -> None:
    value = security.sign(SECRET, "flash", {"key": "x"})
    assert security.unsign(SECRET, "other", value) is None


@pytest.mark.parametrize("tampered", ["", "no-dot", "e30.bad-mac", "!!!.???"])
def test_tampered_signed_data_is_refused(tampered: str) -> None:
    assert security.unsign(SECRET, "flash", tampered) is None


@pytest.mark.parametrize(
    "target",
    [
        "/console",
        "/console/stores/3/edit",
        "/console?brand=2&region=5",
    ],
)
def test_local_paths_are_kept(target: str) -> None:
    assert security.safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "console",
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "/\\/evil.example",
        "/console\\..",
        "/a\nLocation: x",
        "javascript:alert(1)",
    ],
)
def test_anything_else_goes_to_the_default(target: str | None) -> None:
    assert security.safe_next(target) == "/console"


@given(st.text(max_size=80))
def test_safe_next_never_leaves_the_site(target: str) -> None:
    result = security.safe_next(target)
    assert result.startswith("/")
    assert not result.startswith("//")
    assert "\\" not in result
