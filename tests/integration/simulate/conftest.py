"""Small demo worlds built once per session and shared by the world tests, which only read them.

Building a world runs every step through the real services (about a minute for the full demo),
so the tests share a few instead of building their own:

- ``built_world``: the small world on each backend, for the tests of what a world holds;
- ``rebuilt_world``: the same seed and plan built again into another SQLite file, counting
  the progress it reports, for the tests that the same seed builds the same world;
- ``other_seed_organisation``: the organisation step alone under another seed (the staff are
  all made there), for the test that another seed names other people.

Each lives in a database of its own (a file, or a sibling PostgreSQL database) so the
per-test resets of the ``database`` fixture leave them alone.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import databases
from tests import member_builders as mb
from tests.integration.simulate.worlds import (
    SHARED_ORDERS,
    BuiltWorld,
    CountingProgress,
    RebuiltWorld,
    shared_steps,
)
from tests.services import postgres_url

from newretail.db import Database
from newretail.models import Base
from newretail.simulate import demo, organisation
from newretail.simulate.shanghai import DEMO_PLAN
from newretail.simulate.world import World, build


def _shared_world(database: Database) -> World:
    """The small world every reading test shares, built the way ``newretail demo`` builds."""
    return demo.build_world(
        database=database,
        seed=demo.DEFAULT_SEED,
        members_plan=mb.SMALL_MEMBERS_PLAN,
        orders_plan=SHARED_ORDERS,
    )


def _sqlite(folder: Path) -> Database:
    database = Database(f"sqlite:///{folder / 'world.db'}")
    Base.metadata.create_all(database.engine)
    return database


@pytest.fixture(scope="session")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWorld]:
    database = _sqlite(tmp_path_factory.mktemp("world"))
    world = _shared_world(database)
    yield BuiltWorld(database, world)
    database.dispose()


@pytest.fixture(scope="session")
def postgresql_world() -> Iterator[BuiltWorld]:
    database = Database(databases.for_this_worker(postgres_url(), "world"))
    databases.rebuild_postgres_schema(database)
    world = _shared_world(database)
    yield BuiltWorld(database, world)
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
def rebuilt_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RebuiltWorld]:
    """The shared world's seed and steps built again, step by step, into a file of its own."""
    database = _sqlite(tmp_path_factory.mktemp("rebuilt"))
    steps = shared_steps()
    progress = CountingProgress()
    world = build(database=database, seed=demo.DEFAULT_SEED, steps=steps, progress=progress)
    database.dispose()
    yield RebuiltWorld(world, steps, progress.ticks)


@pytest.fixture(scope="session")
def other_seed_organisation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    database = _sqlite(tmp_path_factory.mktemp("other-seed"))
    world = build(
        database=database, seed=demo.DEFAULT_SEED + 1, steps=[organisation.step(DEMO_PLAN)]
    )
    database.dispose()
    yield world
