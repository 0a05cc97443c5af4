import threading
from pathlib import Path

from newretail.config import Settings
from newretail.db import Database
from newretail.worker import Worker, default_jobs, job_name


class Counting:
    name = "counting"

    def __init__(self, results: list[int]) -> None:
        self.results = results
        self.calls = 0
        self.closed = False

    def __call__(self, database: Database, settings: Settings) -> int:
        self.calls += 1
        return self.results.pop(0) if self.results else 0

    def close(self) -> None:
        self.closed = True


def failing(database: Database, settings: Settings) -> int:
    raise RuntimeError("boom")


def _worker(tmp_path: Path, jobs: list[Counting | object]) -> Worker:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", worker_poll_seconds=0.01)
    return Worker(database=Database(settings.database_url), settings=settings, jobs=jobs)  # type: ignore[arg-type]


def test_run_once_adds_up_the_work_of_every_job(tmp_path: Path) -> None:
    worker = _worker(tmp_path, [Counting([3]), Counting([4])])
    assert worker.run_once() == 7


def test_a_failing_job_does_not_stop_the_others(tmp_path: Path) -> None:
    counting = Counting([2])
    worker = _worker(tmp_path, [failing, counting])
    assert worker.run_once() == 2
    assert counting.calls == 1


def test_stop_ends_the_loop_and_closes_the_jobs(tmp_path: Path) -> None:
    counting = Counting([])
    worker = _worker(tmp_path, [counting])
    worker.start_thread()
    worker.stop()
    assert counting.closed


def test_a_wake_runs_another_round_before_the_poll_interval(tmp_path: Path) -> None:
    rounds = threading.Semaphore(0)

    class Signalling(Counting):
        def __call__(self, database: Database, settings: Settings) -> int:
            rounds.release()
            return super().__call__(database, settings)

    job = Signalling([])
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", worker_poll_seconds=3600)
    worker = Worker(database=Database(settings.database_url), settings=settings, jobs=[job])
    worker.start_thread()
    assert rounds.acquire(timeout=10)
    worker.wake()
    woke = rounds.acquire(timeout=10)
    worker.stop()
    assert woke


def test_default_jobs_relay_to_nats_only_when_it_is_configured() -> None:
    plain = [job_name(j) for j in default_jobs(Settings(database_url="sqlite://"))]
    with_nats = [
        job_name(j)
        for j in default_jobs(Settings(database_url="sqlite://", nats_url="nats://127.0.0.1:1"))
    ]
    assert plain[:2] == ["dispatch_outbox", "deliver_webhooks"]
    assert "relay_to_nats" not in plain
    assert with_nats == [*plain, "relay_to_nats"]
