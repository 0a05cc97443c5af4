"""``newretail serve --workers N``: N API processes built by the app factory, and the
background work running once, in a worker process of its own, not in each of them."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import routing
from fastapi.testclient import TestClient
from tests import analytics_builders as ab
from tests import builders
from tests.ports import free_port

from newretail.analytics.events import service as events_service
from newretail.app import serving_app
from newretail.config import Settings, get_settings
from newretail.db import Database

START_SECONDS = 90


def children_of(pid: int) -> dict[int, list[str]]:
    """Each child process of ``pid`` and its command line."""
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {
        child: Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")[:-1]
        for child in map(int, listed)
    }


def wait_until_listening(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)


def answering_processes(url: str, deadline: float, wanted: int) -> set[int]:
    """The ids of the processes answering ``url``, asked in parallel until ``wanted`` answered."""
    seen: set[int] = set()
    # A new connection per request, so that each one may be accepted by any process.
    with (
        httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=10) as client,
        ThreadPoolExecutor(8) as pool,
    ):

        def ask(_: int) -> int | None:
            try:
                response = client.get(url)
            except httpx.TransportError:
                return None
            return int(response.json()["process"]) if response.status_code == 200 else None

        while len(seen) < wanted and time.monotonic() < deadline:
            seen |= {pid for pid in pool.map(ask, range(16)) if pid is not None}
    return seen


def stop(process: "subprocess.Popen[bytes]", children: dict[int, list[str]]) -> None:
    """SIGTERM to the server (it stops its children); a child left over is killed by its id."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    for child, command in children.items():
        with contextlib.suppress(OSError):
            still_ours = Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")[:-1]
            if still_ours == command:
                os.kill(child, signal.SIGKILL)


def start_server(
    tmp_path: Path, url: str, **settings: str
) -> tuple["subprocess.Popen[bytes]", int]:
    """``newretail serve --workers 2`` on a free port, its output in ``serve.log``."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWRETAIL_")}
    env.update(
        {
            "NEWRETAIL_DATABASE_URL": url,
            "NEWRETAIL_ANALYTICS_WAREHOUSE_PATH": str(tmp_path / "analytics.duckdb"),
            "NEWRETAIL_LOG_JSON": "false",
            "NEWRETAIL_LOG_LEVEL": "ERROR",
        }
    )
    env.update({f"NEWRETAIL_{name.upper()}": value for name, value in settings.items()})
    log = (tmp_path / "serve.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "newretail.cli",
        "serve",
        "--workers",
        "2",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return server, port


def funnel_answers(url: str, headers: dict[str, str], body: dict[str, object]) -> list[object]:
    """Sixteen answers to the funnel query, each on a connection of its own (so any API
    process may take it): the people who entered, or the error code."""
    with (
        httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=30) as client,
        ThreadPoolExecutor(8) as pool,
    ):

        def ask(_: int) -> object:
            response = client.post(url, json=body, headers=headers)
            if response.status_code != 200:
                return response.json().get("code")
            return response.json()["total"][0]["reached"]

        return list(pool.map(ask, range(16)))


@pytest.mark.postgres
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_two_api_processes_answer_and_read_what_the_one_worker_process_syncs(
    database: Database, tmp_path: Path
) -> None:
    """The processes the server starts: two answer requests, and the background work (here
    the warehouse's sync) runs once, in a third, whose copies both API processes read."""
    world = builders.brand_world(database)
    headers = world.headers("admin")
    now = datetime.now(UTC)
    events = [
        ab.event(
            f"v{n}", at=now - timedelta(minutes=1), anonymous_id=f"w{n}", store=world.east_store.id
        )
        for n in range(3)
    ]
    with database.transaction() as session:
        events_service.ingest(
            session=session,
            sender=events_service.Sender(brand_id=world.brand.id),
            events=events,
            clock=events_service.clock_of(Settings(database_url=database.url), now),
        )
    body = ab.entered_then_tried_on()
    server, port = start_server(tmp_path, database.url, analytics_sync_seconds="0.5")
    children: dict[int, list[str]] = {}
    answers: list[object] = []
    try:
        deadline = time.monotonic() + START_SECONDS
        wait_until_listening(port, deadline)
        answering = answering_processes(f"http://127.0.0.1:{port}/healthz", deadline, wanted=2)
        children = children_of(server.pid)
        url = f"http://127.0.0.1:{port}/api/v1/analytics/funnels/query"
        while time.monotonic() < deadline and answers != [3] * 16:
            answers = funnel_answers(url, headers, body)
    finally:
        stop(server, children)

    workers = [
        pid for pid, command in children.items() if command[-2:] == ["newretail.cli", "worker"]
    ]
    assert len(answering) == 2, (tmp_path / "serve.log").read_text()
    assert answering <= set(children)
    assert len(workers) == 1
    assert not answering & set(workers)
    assert answers == [3] * 16, (tmp_path / "serve.log").read_text()


def test_the_factory_runs_background_work_only_when_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWRETAIL_DATABASE_URL", f"sqlite:///{tmp_path / 'factory.db'}")
    ran: dict[str, bool] = {}
    for told in ("false", "true"):
        monkeypatch.setenv("NEWRETAIL_IN_PROCESS_WORKER", told)
        get_settings.cache_clear()
        app = serving_app()
        ran[told] = app.state.runs_worker
        app.state.database.dispose()
    get_settings.cache_clear()

    assert ran == {"false": False, "true": True}


def test_a_served_process_builds_its_routes_before_its_first_request(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """FastAPI builds an included route's handling on the first request that walks its
    router; a served process has them all built before it takes one."""
    monkeypatch.setenv("NEWRETAIL_DATABASE_URL", f"sqlite:///{tmp_path / 'routes.db'}")
    get_settings.cache_clear()
    try:
        app = serving_app()
    finally:
        get_settings.cache_clear()
    built: list[str] = []
    build = routing._EffectiveRouteContext.from_api_route.__func__  # type: ignore[attr-defined]

    def counted(cls: type, *, original_route: Any, include_context: Any) -> Any:
        built.append(original_route.path)
        return build(cls, original_route=original_route, include_context=include_context)

    monkeypatch.setattr(routing._EffectiveRouteContext, "from_api_route", classmethod(counted))
    try:
        # A path no route takes walks every router of the app.
        answer = TestClient(app).get("/api/v1/no-such-thing")
    finally:
        app.state.database.dispose()

    assert answer.status_code == 404
    assert built == []
