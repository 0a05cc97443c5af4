"""``newretail demo``: built once, served again in seconds, on the port asked for.

The world is built once for the module (``built_demo``): the tests that run the command again
work on a copy of its files. It is the demo world's first steps, the organisation and its codes
(``tests/integration/simulate`` checks what every step plants): these tests are about the
command, the organisation it prints logins for and the files it leaves.
"""

import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from typer.testing import CliRunner

from newretail import migrate
from newretail.app import create_app
from newretail.cli import app as cli
from newretail.config import Settings, get_settings
from newretail.db import Database
from newretail.simulate import demo, demo_files
from newretail.simulate.shanghai import DEMO_PLAN
from newretail.simulate.world import Step


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


@dataclass(frozen=True)
class BuiltDemo:
    """What the first run of the command left: its folder (the file, its record and the code
    sheets), what it printed and its exit code."""

    folder: Path
    output: str
    exit_code: int

    @property
    def url(self) -> str:
        return f"sqlite:///{self.folder / 'demo.db'}"

    def copy_to(self, folder: Path) -> Path:
        """The built files copied into ``folder``; the path of the copied database file."""
        shutil.copytree(self.folder, folder / "demo")
        return folder / "demo" / "demo.db"


# What these tests read of the world: the organisation (logins, stores) and the codes the
# sheets print. The other steps are the world tests' (tests/integration/simulate).
COMMAND_STEPS = {"organisation", "touchpoints"}


@pytest.fixture(scope="module")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltDemo]:
    """``newretail demo`` run once for the module on a new file, which it migrates, fills
    with the world's first steps, and gives code sheets for port 8123 and the record of the
    build."""
    folder = tmp_path_factory.mktemp("demo")
    every_step = demo.steps

    def command_steps(**_: object) -> list[Step]:
        return [step for step in every_step() if step.name in COMMAND_STEPS]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo, "steps", command_steps)
        patch.setenv("NEWRETAIL_DATABASE_URL", "sqlite://")
        patch.setenv("NEWRETAIL_LOG_JSON", "false")
        patch.delenv("NEWRETAIL_PUBLIC_BASE_URL", raising=False)
        get_settings.cache_clear()
        first = run_demo("--database-file", str(folder / "demo.db"), "--port", "8123")
    get_settings.cache_clear()
    yield BuiltDemo(folder, first.output, first.exit_code)


def test_the_demo_world_on_a_migrated_file_is_served_through_the_api(
    built_demo: BuiltDemo,
) -> None:
    url = built_demo.url
    database = Database(url)
    tables = set(inspect(database.engine).get_table_names())
    root = {"username": "admin", "password": DEMO_PLAN.password}
    settings = Settings(database_url=url, log_json=False, log_level="WARNING")
    with TestClient(create_app(settings, database)) as client:
        token = client.post("/api/v1/auth/token", json=root).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        brands = client.get("/api/v1/brands", headers=headers).json()["items"]
        districts = client.get("/api/v1/districts", headers=headers).json()["items"]
        shared = next(d["id"] for d in districts if d["code"] == "SH-NJW")
        stores = client.get(f"/api/v1/stores?district_id={shared}", headers=headers).json()
        roles = {
            role: client.get(f"/api/v1/staff?role={role}", headers=headers).json()["items"]
            for role in ("brand_admin", "region_manager", "store_manager", "guide", "cashier")
        }
    database.dispose()

    assert built_demo.exit_code == 0, built_demo.output
    assert "alembic_version" in tables
    assert len(brands) == 2
    assert len(stores["items"]) == 12
    assert {store["brand_id"] for store in stores["items"]} == {brand["id"] for brand in brands}
    assert all(len(members) >= 2 for members in roles.values())


def test_the_demo_is_built_once_then_served_again_with_sheets_for_the_new_address(
    built_demo: BuiltDemo, tmp_path: Path, demo_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_file = built_demo.copy_to(tmp_path)
    sheet_urls: list[str] = []
    write_sheets = demo.write_code_sheets

    def spy_on_sheets(**kwargs: Any) -> list[Path]:
        sheet_urls.append(kwargs["base_url"])
        return write_sheets(**kwargs)

    monkeypatch.setattr(demo, "build_world", refuse_to_build)
    monkeypatch.setattr(demo, "write_code_sheets", spy_on_sheets)
    again = run_demo("--database-file", str(demo_file), "--port", "8123")
    moved = run_demo("--database-file", str(demo_file), "--port", "8124")

    assert built_demo.exit_code == 0, built_demo.output
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
