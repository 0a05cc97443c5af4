"""One small demo world per backend for the whole session, shared by the read-only world tests.

Building a world runs every step through the real services (about a minute for the full demo),
so the tests that only read a world share one instead of building their own. It lives in a
database of its own (a file, or a sibling PostgreSQL database) so the per-test resets of the
``database`` fixture leave it alone.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from tests import member_builders as mb
from tests.passwords import cheap_hashing
from tests.services import postgres_url

from newretail.db import Database
from newretail.models import Base
from newretail.simulate import demo
from newretail.simulate.orders import OrdersPlan
from newretail.simulate.world import World, build

SHARED_ORDERS = OrdersPlan(per_brand=40, refund_share=0.2, return_share=0.1)


@dataclass(frozen=True)
class BuiltWorld:
    database: Database
    world: World


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    with cheap_hashing():
        yield


def _sibling_postgres(url: str) -> Database:
    """An empty database next to the test database, created on first use."""
    parsed = make_url(url)
    name = f"{parsed.database}_world"
    server = Database(parsed.set(database="postgres").render_as_string(hide_password=False))
    with server.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    database = Database(parsed.set(database=name).render_as_string(hide_password=False))
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return database


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def built_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWorld]:
    if request.param == "postgresql":
        database = _sibling_postgres(postgres_url())
    else:
        folder: Path = tmp_path_factory.mktemp("world")
        database = Database(f"sqlite:///{folder / 'world.db'}")
    Base.metadata.create_all(database.engine)
    steps = demo.steps(members_plan=mb.SMALL_MEMBERS_PLAN, orders_plan=SHARED_ORDERS)
    with cheap_hashing():
        world = build(database=database, seed=demo.DEFAULT_SEED, steps=steps)
    yield BuiltWorld(database, world)
    database.dispose()


@pytest.fixture
def world(built_world: BuiltWorld) -> World:
    """The shared small demo world (read it, do not change it)."""
    return built_world.world


@pytest.fixture
def world_database(built_world: BuiltWorld) -> Database:
    """The database the shared world was built into."""
    return built_world.database
