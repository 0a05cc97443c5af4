"""The background worker: runs periodic jobs (outbox dispatch, ...) until stopped."""

import threading
from collections.abc import Callable

from newretail.config import Settings
from newretail.db import Database
from newretail.observability import log

Job = Callable[[Database, Settings], int]


def default_jobs() -> list[Job]:
    return []


class Worker:
    """Runs each job repeatedly; a job returns how much it did, and idle loops sleep."""

    def __init__(self, *, database: Database, settings: Settings, jobs: list[Job] | None = None):
        self.database = database
        self.settings = settings
        self.jobs = jobs if jobs is not None else default_jobs()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        return sum(job(self.database, self.settings) for job in self.jobs)

    def run_forever(self) -> None:
        log.info("worker_started", jobs=[job.__name__ for job in self.jobs])
        while not self._stop.is_set():
            if self.run_once() == 0:
                self._stop.wait(self.settings.worker_poll_seconds)
        log.info("worker_stopped")

    def start_thread(self) -> None:
        self._thread = threading.Thread(
            target=self.run_forever, name="newretail-worker", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
