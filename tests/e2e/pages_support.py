"""Driving the pages with a TestClient: CSRF tokens from the forms, logging in."""

import re

from fastapi.testclient import TestClient
from httpx import Response
from tests import builders

from newretail.auth.models import Staff

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a form on ``path`` carries for this client's session."""
    page = client.get(path)
    match = _CSRF.search(page.text)
    assert match is not None, page.text[:500]
    return match.group(1)


def login(client: TestClient, staff: Staff, next_path: str = "/console") -> Response:
    token = csrf_of(client)
    return client.post(
        "/login",
        data={
            "username": staff.username,
            "password": builders.PASSWORD,
            "next": next_path,
            "csrf_token": token,
        },
        follow_redirects=False,
    )


def post_form(client: TestClient, path: str, fields: dict[str, str]) -> Response:
    """Post ``fields`` as a form with a valid CSRF token, without following redirects."""
    return client.post(
        path, data={**fields, "csrf_token": csrf_of(client, "/console")}, follow_redirects=False
    )
