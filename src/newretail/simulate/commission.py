"""The commission steps: a plan before the orders, then their ledger, points and a settled period.

``plan_step`` (before the orders) gives each brand an active commission plan (a CPS rate on
every line, a higher one on guide-share sales, a store share to the selling and fulfilling
stores, a fixed CPA on a member's first order) and a fortnightly settlement schedule whose
first period starts with the simulated month.

``settle_step`` (after every step that sells) runs the order consumers (points and
commission accrual) over the outbox events not followed yet (``follow``); the orders step
has followed each order's payment before refunding or returning a unit, so those claw
commission back. Then each brand's first period, over by now, is closed by the brand admin
and its statements approved by the second admin (finance), so the console's settlement
pages and the guides' earnings show real figures. ``world.truth["commission"]`` holds what
was written per brand.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.commission import service as commission_service
from newretail.commission import settlement, statements
from newretail.commission.models import CommissionEntry, CommissionPeriod, CommissionStatement
from newretail.commission.schemas import PlanCreate, RuleCreate
from newretail.commission.settlement_schemas import ScheduleUpdate
from newretail.db import utcnow
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.simulate.follow import follow_orders
from newretail.simulate.members import anchor_time
from newretail.simulate.orders import DAYS
from newretail.simulate.world import BrandRecord, Step, StepContext

PLAN_STEP = "commission plans"
SETTLE_STEP = "settlement"
PERIOD_DAYS = 14
RULES: tuple[dict[str, Any], ...] = (
    {"name": "所有商品 5%", "kind": "cps", "rate_bp": 500, "freeze_days": 3},
    {
        "name": "导购分享 8%",
        "kind": "cps",
        "rate_bp": 800,
        "channel": "guide_share",
        "freeze_days": 3,
    },
    {
        "name": "门店服务费",
        "kind": "store",
        "store_selling_bp": 100,
        "store_fulfilling_bp": 100,
        "freeze_days": 3,
    },
    {
        "name": "新会员首单",
        "kind": "cpa",
        "fixed": 500,
        "cpa_trigger": "first_order",
        "freeze_days": 3,
    },
)


def plan_step() -> Step:
    return Step(name=PLAN_STEP, run=build_plans, units=1)


def settle_step() -> Step:
    return Step(name=SETTLE_STEP, run=settle, units=1)


def build_plans(ctx: StepContext) -> None:
    starts_on = (anchor_time() - timedelta(days=DAYS)).date()
    for code in sorted(ctx.world.brands):
        brand = ctx.world.brands[code]
        plan = commission_service.create_plan(
            session=ctx.session,
            scope=SYSTEM,
            data=PlanCreate(brand_id=brand.id, name="标准佣金方案", is_active=True),
        )
        for rule in RULES:
            commission_service.add_rule(
                session=ctx.session,
                scope=SYSTEM,
                plan_id=plan.id,
                data=RuleCreate.model_validate(rule),
            )
        schedule = ScheduleUpdate.model_validate(
            {
                "brand_id": brand.id,
                "kind": "every_n_days",
                "every_days": PERIOD_DAYS,
                "starts_on": starts_on.isoformat(),
            }
        )
        settlement.set_schedule(session=ctx.session, scope=SYSTEM, data=schedule)
    ctx.tick(1)


def settle(ctx: StepContext) -> None:
    follow_orders(ctx)
    truth: dict[str, Any] = {}
    for code in sorted(ctx.world.brands):
        truth[code] = _settle_brand(ctx, ctx.world.brands[code])
    ctx.world.truth["commission"] = truth
    ctx.tick(1)


def _admin_scope(ctx: StepContext, brand: BrandRecord, index: int) -> Scope:
    admin = brand.staff_with_role(Role.BRAND_ADMIN)[index]
    return auth_service.scope_for_staff(
        session=ctx.session, staff=ctx.session.get_one(Staff, admin.id)
    )


def _settle_brand(ctx: StepContext, brand: BrandRecord) -> dict[str, Any]:
    preparer, approver = _admin_scope(ctx, brand, 0), _admin_scope(ctx, brand, 1)
    now = utcnow()
    settlement.open_due_periods(session=ctx.session, scope=preparer, brand_id=brand.id, now=now)
    period_id = ctx.session.scalar(
        select(CommissionPeriod.id)
        .where(CommissionPeriod.brand_id == brand.id, CommissionPeriod.ends_at <= now)
        .order_by(CommissionPeriod.starts_at)
    )
    entries = ctx.session.scalar(select(func.count()).where(CommissionEntry.brand_id == brand.id))
    clawbacks = ctx.session.scalar(
        select(func.count()).where(CommissionEntry.brand_id == brand.id, CommissionEntry.amount < 0)
    )
    made: dict[str, Any] = {"entries": entries or 0, "clawbacks": clawbacks or 0}
    if period_id is None:
        return made
    closed = settlement.close_period(
        session=ctx.session, scope=preparer, period_id=period_id, now=now
    )
    prepared = ctx.session.scalars(
        select(CommissionStatement.id).where(
            CommissionStatement.period_id == period_id,
            CommissionStatement.status == "prepared",
        )
    )
    approved = 0
    for statement_id in list(prepared):
        statements.approve_statement(session=ctx.session, scope=approver, statement_id=statement_id)
        approved += 1
    made |= {
        "period_id": period_id,
        "statements": closed.statements,
        "approved": approved,
        "settled_lines": closed.entries,
        "total": closed.total,
    }
    return made
