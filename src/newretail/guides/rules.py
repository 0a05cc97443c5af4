"""Pure rules of the guide's workbench: the signed ``ref`` of a share link.

A share link ``/s/{store_code}/p/{product_id}?ref=<ref>`` credits the guide who shared it.
The ref is the guide's id in base 36 and a truncated HMAC-SHA256 of it under the app's
secret key: short enough for a chat message, and no one can make a ref for another guide
without the key. Each id has exactly one valid ref (no leading zeros, lower case only).
"""

import base64
import hashlib
import hmac
import re

PURPOSE = "share_ref"
MAC_BYTES = 9  # 72 bits, 12 characters of base64url
MAX_GUIDE_ID = 36**12 - 1
_REF = re.compile(r"^([1-9a-z][0-9a-z]{0,11})\.([A-Za-z0-9_-]{12})$")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
    return text


def _mac(secret: str, guide_text: str) -> str:
    message = f"{PURPOSE}\x00{guide_text}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode()


def make_share_ref(*, secret: str, guide_id: int) -> str:
    """The ref that credits ``guide_id``, e.g. ``"3f.q2X9vT0bLm1c"``."""
    if not 0 < guide_id <= MAX_GUIDE_ID:
        raise ValueError("guide_id must be a positive id")
    text = _base36(guide_id)
    return f"{text}.{_mac(secret, text)}"


def read_share_ref(*, secret: str, ref: str | None) -> int | None:
    """The guide id a ref credits; None when it is missing, malformed or altered."""
    match = _REF.match(ref or "")
    if match is None:
        return None
    text, mac = match.groups()
    if not hmac.compare_digest(_mac(secret, text), mac):
        return None
    return int(text, 36)


def share_path(*, store_code: str, product_id: int, ref: str) -> str:
    """The path of a product's share link in a store's cloud store."""
    return f"/s/{store_code}/p/{product_id}?ref={ref}"
