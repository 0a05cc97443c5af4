"""In-process event consumers (webhook fan-out, pre-sale deposits, points, commission, ...).

A consumer is a handler registered under a stable name for one or more event types (``"*"``
for all). The dispatcher hands it the committed events it wants, a batch at a time, inside
the transaction that marks them dispatched; its effect commits with that mark, so a handler
writes only through the session it is given and never commits.

Consumers are at-least-once and must be idempotent. A consumer whose effect is idempotent by
itself (a unique key, a guarded status transition) says so with ``dedupe=False``; for the
others the dispatcher records ``(name, event_id)`` in ``consumed_event`` with the effect, and
skips an event already recorded.

Domains define their consumers; the boot layer (``newretail.consumers``) lists them and
builds the registry that the worker's dispatcher runs. The outbox names no domain.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from newretail.outbox.models import OutboxEvent

Handler = Callable[[Session, OutboxEvent], None]
BatchHandler = Callable[[Session, Sequence[OutboxEvent]], None]
H = TypeVar("H", bound=Handler)
ALL_TYPES = "*"
MAX_NAME_LENGTH = 64


@dataclass(frozen=True)
class Consumer:
    name: str
    event_types: frozenset[str]
    handle: BatchHandler
    dedupe: bool = True

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > MAX_NAME_LENGTH:
            raise ValueError(f"a consumer name is 1 to {MAX_NAME_LENGTH} characters")
        if not self.event_types:
            raise ValueError("a consumer needs at least one event type")

    @classmethod
    def each(
        cls, name: str, event_types: Iterable[str], handler: Handler, *, dedupe: bool = True
    ) -> "Consumer":
        """A consumer that handles one event at a time."""

        def handle(session: Session, events: Sequence[OutboxEvent]) -> None:
            for event in events:
                handler(session, event)

        return cls(name, frozenset(event_types), handle, dedupe)

    @classmethod
    def batch(
        cls, name: str, event_types: Iterable[str], handle: BatchHandler, *, dedupe: bool = True
    ) -> "Consumer":
        """A consumer that handles a batch of events at once (one query for all of them)."""
        return cls(name, frozenset(event_types), handle, dedupe)

    def wants(self, event_type: str) -> bool:
        return ALL_TYPES in self.event_types or event_type in self.event_types


class ConsumerRegistry:
    """Consumers by name; a name is registered once (it keys the idempotency records)."""

    def __init__(self, consumers: Iterable[Consumer] = ()) -> None:
        self._consumers: dict[str, Consumer] = {}
        for consumer in consumers:
            self.include(consumer)

    def include(self, consumer: Consumer) -> None:
        if consumer.name in self._consumers:
            raise ValueError(f"consumer {consumer.name!r} is already registered")
        self._consumers[consumer.name] = consumer

    def add(self, name: str, event_types: Iterable[str], handler: Handler) -> None:
        """Register a one-event-at-a-time handler."""
        self.include(Consumer.each(name, event_types, handler))

    def register(self, name: str, *event_types: str) -> Callable[[H], H]:
        """Decorator form of ``add``."""

        def decorate(handler: H) -> H:
            self.add(name, event_types, handler)
            return handler

        return decorate

    def get(self, name: str) -> Consumer | None:
        return self._consumers.get(name)

    def for_type(self, event_type: str) -> list[Consumer]:
        return [c for c in self._consumers.values() if c.wants(event_type)]

    def __iter__(self) -> Iterator[Consumer]:
        return iter(self._consumers.values())

    def __len__(self) -> int:
        return len(self._consumers)
