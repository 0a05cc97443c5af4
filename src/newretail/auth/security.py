"""Password hashing (argon2), signed access tokens (JWT) and API key secrets."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from newretail.config import get_settings

_hasher = PasswordHasher()
ALGORITHM = "HS256"
API_KEY_PREFIX = "nrk"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made as ``hasher`` makes them, verified when the account does not exist: made
    at the first such sign-in rather than when the module is imported (a tenth of a second
    of every process's start)."""
    return hasher.hash("not-a-real-password")


def prepare() -> None:
    """Make the stand-in hash now (a serving process, before its first sign-in)."""
    _dummy_hash(_hasher)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists, so timing does not reveal it."""
    try:
        known = password_hash or _dummy_hash(_hasher)
        return _hasher.verify(known, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class TokenClaims:
    subject_type: str
    subject_id: int
    brand_id: int | None
    expires_at: datetime


def issue_token(
    *, subject_type: str, subject_id: int, brand_id: int | None, ttl_seconds: int | None = None
) -> tuple[str, datetime]:
    settings = get_settings()
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=ttl_seconds or settings.access_token_ttl_seconds)
    claims: dict[str, Any] = {
        "sub": f"{subject_type}:{subject_id}",
        "bid": brand_id,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM), expires


def read_token(token: str, *, now: datetime | None = None) -> TokenClaims | None:
    """The claims of a token valid and unexpired at ``now`` (by default, now), else None."""
    try:
        claims = _verified(token, get_settings().secret_key)
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    return claims if claims.expires_at > (now or datetime.now(UTC)) else None


@lru_cache(maxsize=4096)
def _verified(token: str, secret_key: str) -> TokenClaims:
    """The claims of a token signed with ``secret_key``, its expiry not yet looked at.

    Kept for the tokens seen lately, so that a caller's every request does not check the
    signature and decode the token again (a tenth of the CPU of a small API request); a
    token that fails is not kept. ``read_token`` compares the expiry at every use, as
    PyJWT would (expired once the second of ``exp`` has begun).
    """
    claims = jwt.decode(
        token,
        secret_key,
        algorithms=[ALGORITHM],
        options={"require": ["sub", "exp"], "verify_exp": False},
    )
    subject_type, _, subject_id = str(claims["sub"]).partition(":")
    brand_id = claims.get("bid")
    return TokenClaims(
        subject_type=subject_type,
        subject_id=int(subject_id),
        brand_id=int(brand_id) if brand_id is not None else None,
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )


def new_api_key() -> tuple[str, str, str]:
    """A fresh key as (full key shown once, public prefix, hash of the secret)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY_PREFIX}_{prefix}_{secret}", prefix, hash_secret(secret)


def split_api_key(key: str) -> tuple[str, str] | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    return parts[1], parts[2]


def hash_secret(secret: str) -> str:
    """API key secrets are 256 random bits, so SHA-256 is enough (no stretching needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secrets_match(stored_hash: str, secret: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_secret(secret))
