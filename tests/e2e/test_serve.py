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
from pathlib import Path

import httpx
import pytest

from newretail.app import serving_app
from newretail.config import get_settings
from newretail.db import Database
from newretail.models import Base

START_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_two_api_processes_answer_and_background_work_runs_in_one_more(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    database = Database(url)
    Base.metadata.create_all(database.engine)
    database.dispose()
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
    children: dict[int, list[str]] = {}
    try:
        deadline = time.monotonic() + START_SECONDS
        wait_until_listening(port, deadline)
        answering = answering_processes(f"http://127.0.0.1:{port}/healthz", deadline, wanted=2)
        children = children_of(server.pid)
    finally:
        stop(server, children)

    workers = [
        pid for pid, command in children.items() if command[-2:] == ["newretail.cli", "worker"]
    ]
    assert len(answering) == 2, (tmp_path / "serve.log").read_text()
    assert answering <= set(children)
    assert len(workers) == 1
    assert not answering & set(workers)


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
