"""Small demo worlds built once per session and shared by the world tests, which only read them.

Building a world runs every step through the real services (about a minute for the full demo),
so the tests share a few instead of building their own:

- ``built_world``: the small world on each backend, for the tests of what a world holds; the
  two are built from the same seed and plan, step by step, counting the progress each step
  reports, so they also serve the tests that the same seed builds the same world (on either
  backend) and that progress advances by the planned units;
- ``other_seed_organisation``: the organisation step alone under another seed (the staff are
  all made there), for the test that another seed names other people.

Each lives in a database of its own (a file, or a sibling PostgreSQL database) so the
per-test resets of the ``database`` fixture leave them alone.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import databases
from tests.integration.simulate.worlds import BuiltWorld, CountingProgress, shared_steps
from tests.services import postgres_url

from newretail.db import Database
from newretail.models import Base
from newretail.simulate import demo, organisation
from newretail.simulate.shanghai import DEMO_PLAN
from newretail.simulate.world import World, build


def _shared_world(database: Database) -> BuiltWorld:
    """The small world every reading test shares: the demo's steps, fewer people and orders."""
    steps = shared_steps()
    progress = CountingProgress()
    world = build(database=database, seed=demo.DEFAULT_SEED, steps=steps, progress=progress)
    return BuiltWorld(database, world, steps, progress.ticks)


def _sqlite(folder: Path) -> Database:
    database = Database(f"sqlite:///{folder / 'world.db'}")
    Base.metadata.create_all(database.engine)
    return database


@pytest.fixture(scope="session")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWorld]:
    database = _sqlite(tmp_path_factory.mktemp("world"))
    yield _shared_world(database)
    database.dispose()


@pytest.fixture(scope="session")
def postgresql_world() -> Iterator[BuiltWorld]:
    database = Database(databases.for_this_worker(postgres_url(), "world"))
    databases.rebuild_postgres_schema(database)
    yield _shared_world(database)
    database.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def built_world(request: pytest.FixtureRequest) -> BuiltWorld:
    built: BuiltWorld = request.getfixturevalue(f"{request.param}_world")
    return built


@pytest.fixture
def world(built_world: BuiltWorld) -> World:
    """The shared small demo world (read it, do not change it)."""
    return built_world.world


@pytest.fixture
def world_database(built_world: BuiltWorld) -> Database:
    """The database the shared world was built into."""
    return built_world.database


@pytest.fixture(scope="session")
def other_seed_organisation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    database = _sqlite(tmp_path_factory.mktemp("other-seed"))
    world = build(
        database=database, seed=demo.DEFAULT_SEED + 1, steps=[organisation.step(DEMO_PLAN)]
    )
    database.dispose()
    yield world
