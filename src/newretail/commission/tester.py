"""The rule tester: what an order line (real or imagined) would earn under a plan, and why.

It prices the line with the same pure rules as accrual and writes nothing.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.catalog.models import Sku
from newretail.commission import errors, facts, plans, rules
from newretail.commission.schemas import TestEntry, TestLine, TestResult
from newretail.db import utcnow
from newretail.kernel.scope import Role, Scope
from newretail.orders import errors as order_errors
from newretail.orders import service as orders_service
from newretail.orders.models import OrderLine

TESTERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)


def _plan(session: Session, scope: Scope, data: TestLine, brand_id: int) -> rules.PlanSpec | None:
    if data.plan_id is not None:
        plan = plans.get_plan(session=session, scope=scope, plan_id=data.plan_id)
        if plan.brand_id != brand_id:
            raise errors.PlanNotFound()
        return plans.spec_of(plan)
    return plans.active_spec(session=session, brand_id=brand_id)


def _real_line(session: Session, scope: Scope, line_id: int) -> tuple[int, rules.LineFacts]:
    order_id = session.scalar(select(OrderLine.order_id).where(OrderLine.id == line_id))
    if order_id is None:
        raise errors.LineNotFound()
    try:
        order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
    except order_errors.OrderNotFound as exc:
        raise errors.LineNotFound() from exc
    row = facts.order_row(order)
    batch = facts.complete(session, [row])
    line = next(line for line in row.lines if line.id == line_id)
    return row.brand_id, batch.line_facts(row, line, facts.bases(row)[line_id])


def _imagined(session: Session, scope: Scope, data: TestLine) -> tuple[int, rules.LineFacts]:
    brand_id = scope.target_brand(data.brand_id)
    if data.channel is None or data.amount is None:
        raise errors.InvalidRule("Give an order line, or a channel and an amount.")
    sku = facts.skus_of(session, brand_id, {data.sku_id} if data.sku_id else set())
    stores = {s for s in (data.store_id, data.bound_store_id, data.fulfilling_store_id) if s}
    types = facts.store_types(session, stores, brand_id=brand_id)
    if stores - set(types) or (data.sku_id and data.sku_id not in sku):
        raise errors.LineNotFound("A store or SKU of the line is not found.")
    guides = {g for g in (data.bound_guide_id, data.referring_guide_id) if g}
    levels = facts.levels(session, guides, brand_id=brand_id)
    if guides - set(levels):
        raise errors.LineNotFound("A guide of the line is not found.")

    def guide(guide_id: int | None) -> rules.Guide | None:
        return rules.Guide(guide_id, levels.get(guide_id)) if guide_id else None

    fulfilling = data.fulfilling_store_id
    return brand_id, rules.LineFacts(
        line_id=0,
        at=data.at or utcnow(),
        channel=data.channel,
        base=data.amount,
        sku_id=data.sku_id or 0,
        category_id=sku[data.sku_id].category_id if data.sku_id else None,
        store_type=types.get(data.store_id) if data.store_id else None,
        bound_guide=guide(data.bound_guide_id),
        referring_guide=guide(data.referring_guide_id),
        share_guide=guide(data.referring_guide_id),
        bound_store_id=data.bound_store_id,
        selling_store_id=data.store_id,
        fulfilling_store_id=None
        if fulfilling and types.get(fulfilling) == "warehouse"
        else fulfilling,
    )


def sku_by_code(*, session: Session, brand_id: int, code: str) -> int | None:
    """The id of the brand's SKU with ``code``, for forms that name SKUs by code."""
    return session.scalar(select(Sku.id).where(Sku.brand_id == brand_id, Sku.code == code))


def _money(fen: int) -> str:
    return f"{fen / 100:.2f}" if abs(fen) < 2**53 else str(fen)


def explain(accrual: rules.Accrual, plan_name: str) -> str:
    """One sentence: the rule, the rate of the base, the cap, the share and the result."""
    said = f"{plan_name} / {accrual.rule.name}: "
    if accrual.fixed is not None:
        said += f"fixed {_money(accrual.fixed)}"
    else:
        said += f"{(accrual.rate_bp or 0) / 100:g} % of {_money(accrual.base)}"
    if accrual.cap is not None:
        said += f", capped at {_money(accrual.cap)}"
    if accrual.share_bp is not None:
        said += f", {accrual.share_bp / 100:g} % share of the split"
    return f"{said} = {_money(accrual.amount)} ({accrual.reason})"


def test_line(
    *, session: Session, scope: Scope, data: TestLine, at: datetime | None = None
) -> TestResult:
    """What the line would earn and why; nothing is written."""
    scope.require(*TESTERS)
    if data.order_line_id is not None:
        brand_id, line = _real_line(session, scope, data.order_line_id)
    else:
        brand_id, line = _imagined(session, scope, data)
    plan = _plan(session, scope, data, brand_id)
    if plan is None:
        return TestResult(plan_id=None, base=line.base, total=0, entries=[])
    accruals = rules.accrue_line(plan, line)
    entries = [
        TestEntry(
            beneficiary_type=a.beneficiary,
            guide_id=a.beneficiary_id if a.beneficiary == "guide" else None,
            store_id=a.beneficiary_id if a.beneficiary == "store" else None,
            kind=a.kind,
            amount=a.amount,
            rule_id=a.rule.id,
            detail={
                "base": a.base,
                "rate_bp": a.rate_bp,
                "fixed": a.fixed,
                "cap": a.cap,
                "share_bp": a.share_bp,
                "plan_name": plan.name,
                "rule_name": a.rule.name,
                "reason": a.reason,
            },
            explanation=explain(a, plan.name),
        )
        for a in accruals
    ]
    return TestResult(
        plan_id=plan.id, base=line.base, total=sum(a.amount for a in accruals), entries=entries
    )
