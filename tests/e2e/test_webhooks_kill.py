"""Done when: every outbox event reaches a webhook receiver at least once, each with a valid
signature, across a ``newretail worker`` process killed mid-delivery and started again."""

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from tests import builders
from tests.e2e.webhook_receiver import Receiver

from newretail.db import Database
from newretail.integrations import service as webhook_service
from newretail.integrations.schemas import WebhookCreate
from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.org.schemas import StoreUpdate
from newretail.outbox.models import OutboxEvent

STORES = 6
UPDATES_PER_STORE = 3

StartWorker = Callable[[str], "subprocess.Popen[bytes]"]


@pytest.fixture
def start_worker(database: Database, tmp_path: Path) -> Iterator[StartWorker]:
    """Starts ``newretail worker`` processes on the test database; kills leftovers after."""
    processes: list[subprocess.Popen[bytes]] = []
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWRETAIL_")}
    env.update(
        {
            "NEWRETAIL_DATABASE_URL": database.url,
            "NEWRETAIL_ANALYTICS_WAREHOUSE_PATH": str(tmp_path / "analytics.duckdb"),
            "NEWRETAIL_WORKER_POLL_SECONDS": "0.05",
            "NEWRETAIL_WORKER_LEASE_SECONDS": "3",
            "NEWRETAIL_WEBHOOK_TIMEOUT_SECONDS": "2",
            "NEWRETAIL_WEBHOOK_BACKOFF_BASE_SECONDS": "0.05",
            "NEWRETAIL_WEBHOOK_BACKOFF_MAX_SECONDS": "0.5",
            "NEWRETAIL_WEBHOOK_MAX_ATTEMPTS": "100",
            "NEWRETAIL_LOG_JSON": "false",
            "NEWRETAIL_LOG_LEVEL": "WARNING",
        }
    )

    def start(name: str) -> "subprocess.Popen[bytes]":
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "newretail.cli", "worker"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def _world(database: Database, receiver_url: str) -> tuple[str, list[OutboxEvent]]:
    """A brand with a webhook for everything, and stores created and renamed a few times."""
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id)
        data = WebhookCreate.model_validate({"brand_id": brand.id, "url": receiver_url})
        secret = webhook_service.create_endpoint(session=session, scope=SYSTEM, data=data).secret
        store_ids = [builders.store(session, brand.id, region.id).id for _ in range(STORES)]
    for round_ in range(UPDATES_PER_STORE):
        for store_id in store_ids:
            with database.transaction() as session:
                org_service.update_store(
                    session=session,
                    scope=SYSTEM,
                    store_id=store_id,
                    data=StoreUpdate.model_validate({"name": f"round {round_}"}),
                )
    with database.transaction(read_only=True) as session:
        events = list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)))
        session.expunge_all()
    return secret, events


def _first_arrivals_by_resource(receiver: Receiver) -> dict[tuple[str, str], list[str]]:
    arrivals: dict[tuple[str, str], list[str]] = {}
    for arrival in receiver.arrivals:
        arrivals.setdefault(arrival.resource, []).append(arrival.event_id)
    return {resource: list(dict.fromkeys(ids)) for resource, ids in arrivals.items()}


@pytest.mark.slow
def test_every_event_arrives_signed_across_a_killed_worker(
    database: Database, start_worker: StartWorker
) -> None:
    with Receiver(hold_request=8, fail_every=5) as receiver:
        receiver.secret, events = _world(database, receiver.url)
        expected = {event.event_id for event in events}
        first = start_worker("first")
        in_flight = receiver.held.wait(60)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        receiver.release.set()
        held_event = receiver.arrivals[7].event_id
        second = start_worker("second")
        complete = receiver.wait_for(expected, timeout=90)
        arrivals = list(receiver.arrivals)
        second.terminate()
        stopped = second.wait(30)
    seq_order: dict[tuple[str, str], list[str]] = {}
    for event in events:
        seq_order.setdefault((event.resource_type, event.resource_id), []).append(event.event_id)
    assert len(events) == STORES * (1 + UPDATES_PER_STORE)
    assert in_flight
    assert first.returncode == -signal.SIGKILL
    assert stopped == 0
    assert complete, f"missing: {expected - {a.event_id for a in arrivals}}"
    assert {a.event_id for a in arrivals} == expected
    assert all(a.valid for a in arrivals)
    assert sum(a.event_id == held_event for a in arrivals) >= 2
    assert _first_arrivals_by_resource(receiver) == seq_order
