"""What every channel adapter is given and answers."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    brand_id: int
    channel: str
    recipient_kind: str
    recipient_id: int
    address: str | None
    template: str
    subject: str
    body: str
    variables: Mapping[str, object] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChannelConfig:
    """A brand's settings for a channel, with its secret already read (None: none needed)."""

    settings: Mapping[str, Any]
    secret: str | None = None

    def text(self, key: str, default: str = "") -> str:
        value = self.settings.get(key, default)
        return str(value) if value is not None else default


@dataclass(frozen=True)
class Outcome:
    """``sent`` (the channel took it), ``delivered`` (it reached the person), ``failed``.

    ``retry`` False: trying again cannot help (no address, refused for good).
    """

    status: str
    error: str | None = None
    retry: bool = True

    @classmethod
    def failed(cls, error: str, *, retry: bool = True) -> "Outcome":
        return cls("failed", error[:500], retry)


SENT = Outcome("sent")
DELIVERED = Outcome("delivered")

Adapter = Callable[[httpx.Client, Outgoing, ChannelConfig], Outcome]


def http_failure(exc: Exception) -> Outcome:
    return Outcome.failed(f"{type(exc).__name__}: {exc}")


def vendor_answer(response: httpx.Response, *, ok_key: str, ok_value: object) -> Outcome:
    """The outcome of a vendor API that answers 200 with an error code in its JSON body."""
    if response.status_code != 200:
        return Outcome.failed(f"HTTP {response.status_code}", retry=response.status_code >= 500)
    try:
        body = response.json()
    except ValueError:
        return Outcome.failed("the answer is not JSON")
    if body.get(ok_key) == ok_value:
        return SENT
    return Outcome.failed(
        f"{ok_key}={body.get(ok_key)!r}: {body.get('errmsg') or body.get('Message')}"
    )
