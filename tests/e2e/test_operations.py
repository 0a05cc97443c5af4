"""Operating the service: health, metrics, request ids, JSON logs and the ``newretail`` command."""

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import inspect
from tests import builders
from typer.testing import CliRunner

from newretail.app import create_app
from newretail.cli import app as cli
from newretail.config import Settings, get_settings
from newretail.db import Database, make_engine


def requests_counted(client: TestClient, route: str, status: str = "200") -> float:
    """The value of the request counter for ``GET route`` with ``status`` (0 before any)."""
    text = client.get("/metrics").text
    samples = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "newretail_http_requests_total"
        and sample.labels == {"method": "GET", "route": route, "status": status}
    ]
    return sum(samples)


def test_healthz_answers_ok_with_the_database_in_use(
    client: TestClient, database: Database
) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == database.engine.dialect.name


def test_metrics_count_each_request_by_route_and_status(client: TestClient) -> None:
    before = requests_counted(client, "/healthz")

    client.get("/healthz")
    client.get("/healthz")

    assert requests_counted(client, "/healthz") == before + 2


def test_metrics_are_in_the_prometheus_text_format(client: TestClient) -> None:
    response = client.get("/metrics")

    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "newretail_http_request_duration_seconds_bucket" in response.text


def test_a_request_id_sent_by_the_caller_is_echoed(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a-42"})

    assert response.headers["x-request-id"] == "edge-7f3a-42"


def test_a_request_without_an_id_gets_a_fresh_one(client: TestClient) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz").headers["x-request-id"]

    assert len(first) == 32
    assert first != second


def test_an_unsafe_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "two words; drop table"})

    assert response.headers["x-request-id"] != "two words; drop table"
    assert len(response.headers["x-request-id"]) == 32


def test_errors_carry_a_request_id_too(client: TestClient) -> None:
    response = client.get("/api/v1/stores", headers={"X-Request-ID": "err-1"})

    assert response.status_code == 401
    assert response.headers["x-request-id"] == "err-1"


# The logging set-up is process-wide, so it is checked in a process of its own.
_LOGGING_PROBE = textwrap.dedent(
    """
    import logging
    from fastapi.testclient import TestClient
    from newretail.app import create_app
    from newretail.db import Database
    from newretail.models import Base

    database = Database("sqlite:///" + {db_path!r})
    Base.metadata.create_all(database.engine)
    with TestClient(create_app(database=database)) as client:
        client.get("/healthz", headers={{"X-Request-ID": "probe-1"}})
    logging.getLogger("uvicorn.error").info("library line")
    """
)


def test_logs_are_json_lines_with_the_request_id(tmp_path: Path) -> None:
    env = {**os.environ, "NEWRETAIL_LOG_JSON": "true", "NEWRETAIL_LOG_LEVEL": "INFO"}
    probe = _LOGGING_PROBE.format(db_path=str(tmp_path / "probe.db"))

    finished = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stderr
    lines = [json.loads(line) for line in finished.stderr.splitlines() if line.strip()]
    requests = [line for line in lines if line["event"] == "request"]
    assert requests[0]["request_id"] == "probe-1"
    assert requests[0]["route"] == "/healthz"
    assert requests[0]["status"] == 200
    assert {"event": "library line", "logger": "uvicorn.error"}.items() <= lines[-1].items()


# ---- the command line ---------------------------------------------------------------------


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new SQLite file that the command sees as its configured database."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("NEWRETAIL_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrate_command_builds_the_schema(cli_database: str) -> None:
    result = CliRunner().invoke(cli, ["migrate"])

    assert result.exit_code == 0, result.output
    assert {"alembic_version", "brand", "store", "staff"} <= table_names(cli_database)


def test_create_admin_command_makes_a_platform_admin_who_can_log_in(cli_database: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["migrate"])

    result = runner.invoke(cli, ["create-admin", "root"], input="long-enough-secret\n")

    assert result.exit_code == 0, result.output
    database = Database(cli_database)
    settings = Settings(database_url=cli_database, log_json=False, log_level="WARNING")
    with TestClient(create_app(settings, database)) as client:
        login = {"username": "root", "password": "long-enough-secret"}
        token = client.post("/api/v1/auth/token", json=login).json()["access_token"]
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    database.dispose()
    assert me.json()["roles"] == ["platform_admin"]


def test_create_admin_command_refuses_a_taken_username(cli_database: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["migrate"])
    runner.invoke(cli, ["create-admin", "root", "--password", "long-enough-secret"])

    result = runner.invoke(cli, ["create-admin", "root", "--password", "another-secret"])

    assert result.exit_code == 1
    assert "already" in result.output


def test_create_admin_command_refuses_a_short_password(cli_database: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["migrate"])

    result = runner.invoke(cli, ["create-admin", "root", "--password", "short"])

    assert result.exit_code == 1
    assert "password" in result.output


def test_an_id_beyond_the_integer_range_is_refused_as_bad_input(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)

    response = client.get("/api/v1/stores/99999999999999999999", headers=world.headers("admin"))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_every_api_operation_documents_the_error_shape(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    documented = {
        f"{method.upper()} {path}": operation["responses"]["4XX"]["content"]
        for path, item in paths.items()
        if path.startswith("/api/")
        for method, operation in item.items()
    }

    assert documented
    assert {str(content) for content in documented.values()} == {
        str({"application/json": {"schema": {"$ref": "#/components/schemas/ErrorRead"}}})
    }


def test_a_process_runs_at_most_request_threads_requests_at_once_in_threads(
    database: Database, settings: Settings
) -> None:
    """``request_threads`` bounds the sync requests a process runs at the same time: the
    others wait their turn in the event loop."""
    running, most = 0, 0
    lock = threading.Lock()

    def slow() -> dict[str, int]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return {}

    app = create_app(settings.model_copy(update={"request_threads": 2}), database)
    app.add_api_route("/slow", slow)
    with TestClient(app) as client, ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: client.get("/slow").status_code, range(6)))
    assert statuses == [200] * 6
    assert most == 2
