"""The cloud store home page: a registry of sections fetched in parallel, each on a budget.

A section is a name, a provider and a time budget. A provider gets its own read-only
session and the page's ``HomeContext`` and returns JSON-ready data. All sections start
together on a shared thread pool; each is waited for until its own budget (counted from
the start of the page) runs out. One that is late or raises becomes an empty section
marked ``degraded``: it is logged and counted in
``newretail_cloudstore_section_degraded_total``, and the page is still served.

A late provider cannot be stopped (it is a thread); it finishes in the background and its
answer is dropped. The pool is bounded, so a slow dependency costs at most its threads.

``fetch="sequential"`` runs the same sections one after another, each still on its
budget: the anchor the parallel page is measured against.
"""

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from prometheus_client import Counter, Histogram
from sqlalchemy.orm import Session

from newretail.cloudstore.rules import Policy
from newretail.cloudstore.stores import CloudStore
from newretail.db import UNAVAILABLE, Database
from newretail.observability import log

Fetch = Literal["parallel", "sequential"]
POOL_THREADS = 16

SECTION_DEGRADED = Counter(
    "newretail_cloudstore_section_degraded_total",
    "Cloud store home sections served empty, by section and reason (timeout, error)",
    ["section", "reason"],
)
SECTION_SECONDS = Histogram(
    "newretail_cloudstore_section_seconds",
    "Time a cloud store home section's provider took",
    ["section"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


@dataclass(frozen=True)
class HomeContext:
    """What every section knows about the page it is part of."""

    store: CloudStore
    policy: Policy
    now: datetime


Provider = Callable[[Session, HomeContext], Any]


@dataclass(frozen=True)
class Section:
    name: str
    provider: Provider
    budget_seconds: float
    empty: Callable[[], Any] = list


class SectionRegistry:
    """The home page's sections, in display order. Adding one is one ``add`` call."""

    def __init__(self, sections: tuple[Section, ...] = ()) -> None:
        self._sections = {section.name: section for section in sections}

    def add(
        self,
        name: str,
        provider: Provider,
        *,
        budget_seconds: float,
        empty: Callable[[], Any] = list,
    ) -> None:
        if name in self._sections:
            raise ValueError(f"a home section named {name!r} is already registered")
        self._sections[name] = Section(name, provider, budget_seconds, empty)

    def copy(self) -> "SectionRegistry":
        return SectionRegistry(tuple(self._sections.values()))

    def __iter__(self) -> Iterator[Section]:
        return iter(list(self._sections.values()))


@dataclass(frozen=True)
class SectionResult:
    data: Any
    degraded: bool = False
    reason: Literal["timeout", "error"] | None = None


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(POOL_THREADS, thread_name_prefix="cloudstore-section")
        return _pool


def _run(database: Database, section: Section, context: HomeContext) -> Any:
    started = time.perf_counter()
    try:
        with database.transaction(read_only=True) as session:
            return section.provider(session, context)
    finally:
        SECTION_SECONDS.labels(section.name).observe(time.perf_counter() - started)


def _collect(section: Section, future: "Future[Any]", timeout: float, store: str) -> SectionResult:
    try:
        return SectionResult(future.result(timeout=max(0.0, timeout)))
    except TimeoutError:
        future.cancel()
        return _degraded(section, "timeout", store)
    except UNAVAILABLE:
        raise  # no connection to be had is the whole page's 503, not an empty section
    # A section must never take the page down; the cause is logged with its traceback.
    except Exception as exc:  # noqa: BLE001
        return _degraded(section, "error", store, exc)


def _degraded(
    section: Section,
    reason: Literal["timeout", "error"],
    store: str,
    exc: BaseException | None = None,
) -> SectionResult:
    SECTION_DEGRADED.labels(section.name, reason).inc()
    log.warning(
        "cloudstore_section_degraded",
        section=section.name,
        reason=reason,
        store=store,
        budget_seconds=section.budget_seconds,
        exc_info=exc,
    )
    return SectionResult(section.empty(), degraded=True, reason=reason)


def fetch_sections(
    *, database: Database, context: HomeContext, registry: SectionRegistry, fetch: Fetch
) -> dict[str, SectionResult]:
    """Every registered section's result; never raises for a section's sake."""
    pool = _executor()
    sections = list(registry)
    results: dict[str, SectionResult] = {}
    store = context.store.code
    if fetch == "sequential":
        for section in sections:
            future = pool.submit(_run, database, section, context)
            results[section.name] = _collect(section, future, section.budget_seconds, store)
        return results
    started = time.monotonic()
    futures = [(s, pool.submit(_run, database, s, context)) for s in sections]
    for section, future in futures:
        remaining = started + section.budget_seconds - time.monotonic()
        results[section.name] = _collect(section, future, remaining, store)
    return results
