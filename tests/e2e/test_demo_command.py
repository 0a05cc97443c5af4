"""``newretail demo``: built once, served again in seconds, on the port asked for."""

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.passwords import cheap_hashing
from typer.testing import CliRunner

from newretail import migrate
from newretail.app import create_app
from newretail.cli import app as cli
from newretail.config import Settings, get_settings
from newretail.db import Database
from newretail.simulate import demo, demo_files


class BuildRefused(Exception):
    """Raised by the stand-in builder: the command tried to build the world."""


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The variables the command sets for itself, restored after the test."""
    monkeypatch.setenv("NEWRETAIL_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("NEWRETAIL_LOG_JSON", "false")
    monkeypatch.delenv("NEWRETAIL_PUBLIC_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run_demo(*args: str) -> Any:
    return CliRunner().invoke(cli, ["demo", "--no-serve", *args])


def refuse_to_build(**_: object) -> None:
    raise BuildRefused()


def test_the_demo_is_built_once_then_served_again_with_sheets_for_the_new_address(
    tmp_path: Path, demo_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_file = tmp_path / "demo.db"
    with cheap_hashing():
        first = run_demo("--database-file", str(demo_file), "--port", "8123")
    sheet_urls: list[str] = []
    write_sheets = demo.write_code_sheets

    def spy_on_sheets(**kwargs: Any) -> list[Path]:
        sheet_urls.append(kwargs["base_url"])
        return write_sheets(**kwargs)

    monkeypatch.setattr(demo, "build_world", refuse_to_build)
    monkeypatch.setattr(demo, "write_code_sheets", spy_on_sheets)
    again = run_demo("--database-file", str(demo_file), "--port", "8123")
    moved = run_demo("--database-file", str(demo_file), "--port", "8124")

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert moved.exit_code == 0, moved.output
    assert "already" in again.output
    assert sheet_urls == ["http://127.0.0.1:8124"]
    record = demo_files.read_record(demo_file)
    assert record is not None
    assert (record.seed, record.schema) == (7, migrate.head())
    assert record.sheets_base_url == "http://127.0.0.1:8124"
    database = Database(f"sqlite:///{demo_file}")
    settings = Settings(database_url=database.url, log_json=False, log_level="WARNING")
    with TestClient(create_app(settings, database)) as client:
        for username in ("admin", "yd.admin", "hj-ec.manager", "yd-sh001.guide1"):
            assert username in again.output
            login = {"username": username, "password": "newretail"}
            assert client.post("/api/v1/auth/token", json=login).status_code == 200
    database.dispose()


def test_rebuild_builds_even_when_the_file_holds_a_world(
    tmp_path: Path, demo_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_file = tmp_path / "demo.db"
    demo_file.write_bytes(b"")
    record = demo_files.BuildRecord(seed=7, schema=migrate.head(), logins=())
    demo_files.save_record(demo_file, record)
    monkeypatch.setattr(demo, "build_world", refuse_to_build)

    result = run_demo("--database-file", str(demo_file), "--rebuild")

    assert isinstance(result.exception, BuildRefused)
    assert demo_files.read_record(demo_file) is None


def test_a_taken_port_is_one_line_and_nothing_is_built(
    tmp_path: Path, demo_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "build_world", refuse_to_build)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["demo", "--database-file", str(tmp_path / "demo.db"), "--port", str(port)]
        )

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"port {port} on 127.0.0.1 is already in use: stop what runs there or choose another "
        f"port, e.g. make demo PORT={port + 1}"
    ]
    assert not (tmp_path / "demo.db").exists()
