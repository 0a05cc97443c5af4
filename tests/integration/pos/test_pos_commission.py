"""The guide who served each line at the till is credited for that line's commission."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import commission_builders, member_builders, pos_builders

from newretail.commission import service as commission_service
from newretail.commission.models import CommissionEntry
from newretail.commission.schemas import PlanCreate, RuleCreate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM


def test_each_line_credits_the_guide_who_served_it(client: TestClient, database: Database) -> None:
    till = pos_builders.till(database, prices=[10_000, 5_000])
    world = till.shop.world
    second = member_builders.guide(database, world.brand.id, till.store_id).id
    with database.transaction() as session:
        plan = commission_service.create_plan(
            session=session,
            scope=SYSTEM,
            data=PlanCreate(
                brand_id=world.brand.id, name="till", is_active=True, policy="referring"
            ),
        )
        commission_service.add_rule(
            session=session,
            scope=SYSTEM,
            plan_id=plan.id,
            data=RuleCreate(name="cps", kind="cps", rate_bp=1_000),
        )
    body = pos_builders.sale(till)
    body["lines"][0]["guide_id"] = world.east_guide.id
    body["lines"][1]["guide_id"] = second
    sold = client.post("/api/v1/pos/orders", json=body, headers=till.headers()).json()
    commission_builders.dispatch(database)
    with database.transaction(read_only=True) as session:
        credited = sorted(
            (e.guide_id, e.base, e.amount)
            for e in session.scalars(
                select(CommissionEntry).where(CommissionEntry.order_id == sold["order_id"])
            )
        )
    assert credited == sorted([(world.east_guide.id, 10_000, 1_000), (second, 5_000, 500)])
