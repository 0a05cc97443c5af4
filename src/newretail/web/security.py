"""Signed values for the pages: CSRF tokens bound to the session, flash messages, safe redirects.

A CSRF token is an HMAC of the value it is bound to: the session cookie once logged in,
else an anonymous random cookie. The cookies are HttpOnly, so another site can neither
read them nor compute the token; a token stops working when the session changes.
"""

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any
from urllib.parse import urlsplit


def _mac(secret: str, purpose: str, value: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, binding: str) -> str:
    return _mac(secret, "csrf", binding)


def csrf_valid(secret: str, binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, binding), token)


def sign(secret: str, purpose: str, data: dict[str, Any]) -> str:
    """``data`` as compact JSON with a MAC, for a cookie the browser must not alter."""
    body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    text = body.decode().rstrip("=")
    return f"{text}.{_mac(secret, purpose, text)}"


def unsign(secret: str, purpose: str, value: str | None) -> dict[str, Any] | None:
    """The data of a value made by ``sign``, or None when missing, altered or malformed."""
    text, _, mac = (value or "").partition(".")
    if not text or not hmac.compare_digest(_mac(secret, purpose, text), mac):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def safe_next(target: str | None, default: str = "/console") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(char) < 32 or char == "\\" for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
