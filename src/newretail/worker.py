"""The background worker: runs periodic jobs (outbox dispatch, webhooks, ...) until stopped.

Any number of workers may run against one database (``newretail worker`` processes, or a
thread inside the demo server): every job claims its work with leases or row locks, so the
work is shared, and a killed worker's claims fall due again when their leases run out.
"""

import threading
from typing import TYPE_CHECKING, Protocol

from newretail.config import Settings
from newretail.db import Database
from newretail.observability import log

if TYPE_CHECKING:
    from newretail.outbox.consumers import ConsumerRegistry


def open_database(settings: Settings) -> Database:
    """The configured database, its connection pool sized by the settings (the served app's
    and the worker process's; here so that the worker process needs none of the web app)."""
    return Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
    )


class Job(Protocol):
    """A unit of background work: does one round and says how much it did (0 = idle)."""

    def __call__(self, database: Database, settings: Settings, /) -> int: ...


def default_jobs(
    settings: Settings | None = None, consumers: "ConsumerRegistry | None" = None
) -> list[Job]:
    """Outbox dispatch, webhook and notification delivery, timed domain work; the NATS
    relay if configured; with settings, the analytics warehouse's copy, then the audiences
    and re-targeting that follow it, and the sends to audiences.

    The dispatcher runs ``consumers``, by default every consumer of ``newretail.consumers``.
    """
    from newretail import consumers as boot_consumers
    from newretail.analytics.audiences.jobs import AudienceRefresher
    from newretail.analytics.outreach.jobs import give_audience_sends
    from newretail.analytics.retarget.jobs import RetargetSender
    from newretail.analytics.warehouse.jobs import WarehouseSync
    from newretail.integrations.delivery import WebhookDeliverer
    from newretail.inventory.jobs import release_expired_reservations
    from newretail.members.service import expire_points_job
    from newretail.notify.service import NotificationDeliverer, RemindJob
    from newretail.orders.service import expire_unpaid_orders
    from newretail.outbox.dispatch import OutboxDispatcher
    from newretail.outbox.relay import NatsRelay
    from newretail.paylater.service import charge_due_job
    from newretail.payments.wallets.service import resolve_unknown_code_payments
    from newretail.presales.service import expire_unpaid_balances
    from newretail.promotions.service import expire_coupons_job, release_lapsed_job
    from newretail.workbench.service import escalate_dings_job, mark_overdue_job

    if consumers is None:
        consumers = boot_consumers.registry()
    jobs: list[Job] = [
        OutboxDispatcher(registry=consumers),
        WebhookDeliverer(),
        NotificationDeliverer(),
        RemindJob(),
        expire_unpaid_orders,
        release_expired_reservations,
        expire_points_job,
        expire_unpaid_balances,
        charge_due_job,
        expire_coupons_job,
        resolve_unknown_code_payments,
        release_lapsed_job,
        mark_overdue_job,
        escalate_dings_job,
    ]
    if settings is not None:
        jobs.append(WarehouseSync())
    jobs += [AudienceRefresher(), RetargetSender(), give_audience_sends]
    if settings is not None and settings.nats_url:
        jobs.append(NatsRelay())
    return jobs


def job_name(job: Job) -> str:
    return str(getattr(job, "name", None) or getattr(job, "__name__", type(job).__name__))


class Worker:
    """Runs each job repeatedly; idle rounds sleep until the poll interval or a nudge.

    A transaction that writes outbox events nudges every worker in the same process when
    it commits, so in-process delivery does not wait for the poll interval.
    """

    def __init__(
        self,
        *,
        database: Database,
        settings: Settings,
        jobs: list[Job] | None = None,
        consumers: "ConsumerRegistry | None" = None,
    ):
        self.database = database
        self.settings = settings
        self.jobs = jobs if jobs is not None else default_jobs(settings, consumers)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """One round of every job; a failing job is logged and does not stop the others."""
        done = 0
        for job in self.jobs:
            try:
                done += job(self.database, self.settings)
            except Exception:  # noqa: BLE001 - the loop must outlive a job's error; it retries
                log.exception("job_failed", job=job_name(job))
        return done

    def wake(self) -> None:
        self._wake.set()

    def run_forever(self) -> None:
        from newretail.outbox import service as outbox_service

        log.info("worker_started", jobs=[job_name(job) for job in self.jobs])
        outbox_service.add_commit_listener(self.wake)
        try:
            while not self._stop.is_set():
                if self.run_once() == 0:
                    self._wake.wait(self.settings.worker_poll_seconds)
                    self._wake.clear()
        finally:
            outbox_service.remove_commit_listener(self.wake)
            self._close_jobs()
            log.info("worker_stopped")

    def _close_jobs(self) -> None:
        for job in self.jobs:
            close = getattr(job, "close", None)
            if callable(close):
                close()

    def start_thread(self) -> None:
        self._thread = threading.Thread(
            target=self.run_forever, name="newretail-worker", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
