"""Shared fixtures: an empty database per test on SQLite and, where configured, PostgreSQL.

How the databases are kept cheap (and apart under pytest-xdist) is told in
``tests/databases.py``.
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("NEWRETAIL_LOG_JSON", "false")
os.environ.setdefault("NEWRETAIL_LOG_LEVEL", "WARNING")
# DuckDB lets one process hold a file: each test process (each xdist worker, which inherits
# its parent's environment and sets this again) reads an analytics warehouse of its own.
os.environ["NEWRETAIL_ANALYTICS_WAREHOUSE_PATH"] = os.path.join(
    tempfile.mkdtemp(prefix="newretail-warehouse-"), "analytics.duckdb"
)

from newretail.config import Settings
from newretail.db import Database
from tests import databases, route_reuse, statement_reuse
from tests.passwords import cheap_hashing
from tests.services import postgres_url

route_reuse.install()
route_reuse.install_openapi()
statement_reuse.install()

# Under pytest-xdist each test is a unit of work of its own, except where tests share a costly
# fixture that each worker would otherwise build again: the demo worlds (built once per session
# for the whole folder), Chromium (started once for the browser tests run in a row; each of
# their modules starts a server of its own), the module that runs the demo command once, and
# the fuzzing module (its world and app are built once per worker that runs any of it, and
# again whenever the worker comes back to it after another module).
SHARED_FOLDERS = ("tests/integration/simulate/", "tests/browser/")
SHARED_MODULES = ("tests/e2e/test_demo_command.py", "tests/e2e/test_openapi_fuzz.py")


def work_unit(nodeid: str) -> str:
    """The tests that must run on the same xdist worker share the name this returns."""
    path = nodeid.split("::", 1)[0]
    for folder in SHARED_FOLDERS:
        if path.startswith(folder):
            return folder
    if path.startswith(SHARED_MODULES):
        return path
    return nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Scopes of ``work_unit``; the largest go out first, so a long shared unit starts early.

    (``--dist loadgroup`` cannot be used for this: with pytest 9 the group it appends to a
    test's id is lost.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return SharedFixtureScheduling(config, log)


def _names(parametrize: pytest.Mark) -> list[str]:
    """The argument names a parametrize mark gives: ``"a, b"`` or a sequence of names."""
    names = parametrize.args[0]
    return [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``sqlite_only`` take the SQLite backend alone.

    The pages are such tests: what they check is the HTML around the services' answers, and
    the services' queries run on PostgreSQL in their own (integration and API) tests.
    """
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is None:
        return
    if any(
        "backend" in _names(marker) for marker in metafunc.definition.iter_markers("parametrize")
    ):
        return
    # As a mark, which pytest's own hooks read after this one (a fixture's parameters yield
    # to a test's parametrize mark of the same name).
    metafunc.definition.add_marker(pytest.mark.parametrize("backend", ["sqlite"], indirect=True))


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Staff made by tests hash their passwords cheaply; the hashes verify all the same.

    Production parameters cost about 0.1 s a password, and most tests create several staff.
    """
    with cheap_hashing():
        yield


@pytest.fixture(scope="session")
def postgres_worker_url() -> str:
    """This worker's PostgreSQL test database, with the schema built (skips without one)."""
    url = databases.for_this_worker(postgres_url())
    database = Database(url)
    try:
        databases.rebuild_postgres_schema(database)
    finally:
        database.dispose()
    return url


@pytest.fixture(scope="session")
def postgres_connections(postgres_worker_url: str) -> Iterator[databases.ConnectionStash]:
    """Open connections to the worker's database, handed from test to test."""
    stash = databases.ConnectionStash(postgres_worker_url)
    yield stash
    stash.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_worker_url"))
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def database(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    """An empty database with the full schema, on each backend."""
    if database_url.startswith("postgresql"):
        stash: databases.ConnectionStash = request.getfixturevalue("postgres_connections")
        database = Database(database_url, pool_size=20, max_overflow=30, creator=stash.connect)
        databases.empty_postgres(database)
    else:
        template: Path = request.getfixturevalue("sqlite_template")
        database = databases.sqlite_copy(template, tmp_path / "test.db")
    yield database
    database.dispose()


@pytest.fixture
def sqlite_database(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """An empty SQLite database, for tests that need no second backend (pages, fuzzing)."""
    database = databases.sqlite_copy(sqlite_template, tmp_path / "test.db")
    yield database
    database.dispose()


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(database_url=database.url, log_json=False, log_level="WARNING")
