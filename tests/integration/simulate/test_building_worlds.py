"""Building a world: deterministic per seed (on either backend), one transaction per step,
steps compose."""

from dataclasses import asdict

import pytest
from sqlalchemy import func, select
from tests.integration.simulate.worlds import BuiltWorld

from newretail.db import Database
from newretail.org.models import Brand, Store
from newretail.simulate import organisation
from newretail.simulate.shanghai import DEMO_PLAN
from newretail.simulate.world import Step, StepContext, World, build


def count(database: Database, model: type) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_same_seed_builds_the_same_world_on_either_backend(
    sqlite_world: BuiltWorld, postgresql_world: BuiltWorld
) -> None:
    assert asdict(sqlite_world.world) == asdict(postgresql_world.world)


def test_another_seed_builds_the_same_organisation_with_other_people(
    sqlite_world: BuiltWorld, other_seed_organisation: World
) -> None:
    first, second = sqlite_world.world, other_seed_organisation

    assert [s.username for s in first.all_staff()] == [s.username for s in second.all_staff()]
    assert [s.display_name for s in first.all_staff()] != [
        s.display_name for s in second.all_staff()
    ]


def test_a_later_step_sees_what_earlier_steps_recorded(database: Database) -> None:
    def census(ctx: StepContext) -> None:
        stores = ctx.session.scalar(select(func.count()).select_from(Store))
        ctx.world.truth["stores"] = stores
        ctx.tick(1)

    world = build(
        database=database,
        seed=1,
        steps=[organisation.step(DEMO_PLAN), Step(name="census", run=census)],
    )

    assert world.truth["stores"] == sum(len(brand.stores) for brand in DEMO_PLAN.brands)


def test_a_failing_step_keeps_the_steps_before_it(database: Database) -> None:
    def broken(ctx: StepContext) -> None:
        ctx.session.add(Brand(code="HALF", name="half-built"))
        ctx.session.flush()
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError):
        build(
            database=database,
            seed=1,
            steps=[organisation.step(DEMO_PLAN), Step(name="broken", run=broken)],
        )

    assert count(database, Brand) == len(DEMO_PLAN.brands)
