"""The registry of in-process event consumers (commission accrual, analytics, ...).

A consumer is a function ``(session, event) -> None`` registered under a stable name for
one or more event types (``"*"`` for all). The dispatcher calls it inside the transaction
that marks the event dispatched, after recording ``(name, event_id)`` in ``consumed_event``;
so its effect and that record commit together, and a repeated event is skipped. A consumer
must therefore write only through the session it is given and must not commit.

Domains register their consumers in a module listed in ``CONSUMER_MODULES``; the worker
imports those before it starts.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from newretail.outbox.models import OutboxEvent

Handler = Callable[[Session, OutboxEvent], None]
H = TypeVar("H", bound=Handler)
ALL_TYPES = "*"
CONSUMER_MODULES: tuple[str, ...] = ()


@dataclass(frozen=True)
class Consumer:
    name: str
    event_types: frozenset[str]
    handler: Handler

    def wants(self, event_type: str) -> bool:
        return ALL_TYPES in self.event_types or event_type in self.event_types


class ConsumerRegistry:
    """Consumers by name; a name is registered once (it keys the idempotency records)."""

    def __init__(self) -> None:
        self._consumers: dict[str, Consumer] = {}

    def add(self, name: str, event_types: list[str] | tuple[str, ...], handler: Handler) -> None:
        if not name or len(name) > 64:
            raise ValueError("a consumer name is 1 to 64 characters")
        if name in self._consumers:
            raise ValueError(f"consumer {name!r} is already registered")
        if not event_types:
            raise ValueError("a consumer needs at least one event type")
        self._consumers[name] = Consumer(name, frozenset(event_types), handler)

    def register(self, name: str, *event_types: str) -> Callable[[H], H]:
        """Decorator form of ``add``."""

        def decorate(handler: H) -> H:
            self.add(name, event_types, handler)
            return handler

        return decorate

    def remove(self, name: str) -> None:
        self._consumers.pop(name, None)

    def get(self, name: str) -> Consumer | None:
        return self._consumers.get(name)

    def for_type(self, event_type: str) -> list[Consumer]:
        return [c for c in self._consumers.values() if c.wants(event_type)]

    def __len__(self) -> int:
        return len(self._consumers)


registry = ConsumerRegistry()


def load_consumer_modules() -> None:
    """Import every module that registers consumers on the shared registry."""
    for module in CONSUMER_MODULES:
        importlib.import_module(module)
