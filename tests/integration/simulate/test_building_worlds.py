"""Building a world: deterministic per seed, one transaction per step, steps compose."""

from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests import member_builders as mb

from newretail.db import Database
from newretail.models import Base
from newretail.org.models import Brand, Store
from newretail.simulate import demo, organisation
from newretail.simulate.shanghai import DEMO_PLAN
from newretail.simulate.world import Step, StepContext, build


def fresh_sqlite(path: Path) -> Database:
    database = Database(f"sqlite:///{path}")
    Base.metadata.create_all(database.engine)
    return database


def count(database: Database, model: type) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_same_seed_builds_the_same_world(sqlite_database: Database, tmp_path: Path) -> None:
    other = fresh_sqlite(tmp_path / "other.db")

    first = demo.build_world(
        database=sqlite_database,
        seed=11,
        members_plan=mb.SMALL_MEMBERS_PLAN,
        orders_plan=mb.SMALL_ORDERS_PLAN,
    )
    second = demo.build_world(
        database=other,
        seed=11,
        members_plan=mb.SMALL_MEMBERS_PLAN,
        orders_plan=mb.SMALL_ORDERS_PLAN,
    )
    other.dispose()

    assert asdict(first) == asdict(second)


def test_another_seed_builds_the_same_organisation_with_other_people(
    sqlite_database: Database, tmp_path: Path
) -> None:
    other = fresh_sqlite(tmp_path / "other.db")

    first = demo.build_world(
        database=sqlite_database,
        seed=11,
        members_plan=mb.SMALL_MEMBERS_PLAN,
        orders_plan=mb.SMALL_ORDERS_PLAN,
    )
    second = demo.build_world(
        database=other,
        seed=12,
        members_plan=mb.SMALL_MEMBERS_PLAN,
        orders_plan=mb.SMALL_ORDERS_PLAN,
    )
    other.dispose()

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
