"""Credit scores of members behind one interface, and the deterministic demo provider.

A real bureau plugs in with ``register``; the demo provider derives a score from the member
id alone (300-850), so the same member always gets the same answer.
"""

import hashlib
from typing import Protocol


class CreditProvider(Protocol):
    def score(self, *, brand_id: int, member_id: int) -> int: ...


class DemoCreditProvider:
    def score(self, *, brand_id: int, member_id: int) -> int:
        digest = hashlib.sha256(f"member:{member_id}".encode()).digest()
        return 300 + int.from_bytes(digest[:4], "big") % 551


_provider: list[CreditProvider] = [DemoCreditProvider()]


def register(provider: CreditProvider) -> None:
    _provider[0] = provider


def score(*, brand_id: int, member_id: int) -> int:
    return _provider[0].score(brand_id=brand_id, member_id=member_id)
