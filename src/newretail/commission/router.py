from typing import Annotated

from fastapi import APIRouter, Query, status

from newretail.commission import service
from newretail.commission.models import EntryStatus
from newretail.commission.plan_models import CommissionPlan
from newretail.commission.rules import BP
from newretail.commission.schemas import (
    EntryRead,
    GuideMembershipUpdate,
    PlanCreate,
    PlanRead,
    PlanUpdate,
    RuleCreate,
    RuleRead,
    TestLine,
    TestResult,
)
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page

router = APIRouter(prefix="/commission", tags=["commission"], route_class=ApiRoute)
IdQuery = Annotated[int | None, Query(ge=1, le=2**53)]


def plan_read(plan: CommissionPlan) -> PlanRead:
    return PlanRead.model_validate(
        {
            **{c: getattr(plan, c) for c in PlanRead.model_fields if c != "referring_share_bp"},
            "referring_share_bp": BP - plan.bound_share_bp,
        }
    )


@router.get("/plans", response_model=list[PlanRead])
def list_plans(session: SessionDep, scope: ScopeDep, brand_id: IdQuery = None) -> list[PlanRead]:
    return [
        plan_read(p) for p in service.list_plans(session=session, scope=scope, brand_id=brand_id)
    ]


@router.post("/plans", response_model=PlanRead, status_code=status.HTTP_201_CREATED)
def create_plan(data: PlanCreate, session: SessionDep, scope: ScopeDep) -> PlanRead:
    """A plan of the brand: who is credited (bound, referring or a split) and its rules."""
    return plan_read(service.create_plan(session=session, scope=scope, data=data))


@router.get("/plans/{plan_id}", response_model=PlanRead)
def get_plan(plan_id: int, session: SessionDep, scope: ScopeDep) -> PlanRead:
    return plan_read(service.get_plan(session=session, scope=scope, plan_id=plan_id))


@router.patch("/plans/{plan_id}", response_model=PlanRead)
def update_plan(plan_id: int, data: PlanUpdate, session: SessionDep, scope: ScopeDep) -> PlanRead:
    """Rename, change the policy or split, activate (the brand's only active plan) or stop."""
    return plan_read(service.update_plan(session=session, scope=scope, plan_id=plan_id, data=data))


@router.post("/plans/{plan_id}/rules", response_model=RuleRead, status_code=status.HTTP_201_CREATED)
def add_rule(plan_id: int, data: RuleCreate, session: SessionDep, scope: ScopeDep) -> RuleRead:
    """A rule; refused with ``overlapping_rules`` when another could match the same lines at
    the same specificity and priority, ``rate_out_of_range`` or ``invalid_commission_rule``."""
    rule = service.add_rule(session=session, scope=scope, plan_id=plan_id, data=data)
    return RuleRead.model_validate(rule)


@router.put("/plans/{plan_id}/rules/{rule_id}", response_model=RuleRead)
def update_rule(
    plan_id: int, rule_id: int, data: RuleCreate, session: SessionDep, scope: ScopeDep
) -> RuleRead:
    rule = service.update_rule(
        session=session, scope=scope, plan_id=plan_id, rule_id=rule_id, data=data
    )
    return RuleRead.model_validate(rule)


@router.delete("/plans/{plan_id}/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rule(plan_id: int, rule_id: int, session: SessionDep, scope: ScopeDep) -> None:
    service.delete_rule(session=session, scope=scope, plan_id=plan_id, rule_id=rule_id)


@router.post("/test", response_model=TestResult)
def test_line(data: TestLine, session: SessionDep, scope: ScopeDep) -> TestResult:
    """What an order line (by id, or described) would earn under a plan, and why. Writes
    nothing."""
    return service.test_line(session=session, scope=scope, data=data)


@router.get("/ledger", response_model=Page[EntryRead])
def list_entries(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    guide_id: IdQuery = None,
    store_id: IdQuery = None,
    order_id: IdQuery = None,
    status: EntryStatus | None = None,
) -> Page[EntryRead]:
    """Entries the caller sees: a guide their own, a store manager their stores', HQ all."""
    items, next_cursor = service.list_entries(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        guide_id=guide_id,
        store_id=store_id,
        order_id=order_id,
        status=status.value if status else None,
    )
    return Page(items=[EntryRead.model_validate(e) for e in items], next_cursor=next_cursor)


@router.get("/guides/{guide_id}/membership", response_model=GuideMembershipUpdate)
def own_membership(guide_id: int, session: SessionDep, scope: ScopeDep) -> GuideMembershipUpdate:
    """The guide's own membership: orders of it are the guide's own purchases."""
    found = service.own_membership(session=session, scope=scope, guide_id=guide_id)
    return GuideMembershipUpdate(member_id=found)


@router.put("/guides/{guide_id}/membership", response_model=GuideMembershipUpdate)
def set_own_membership(
    guide_id: int, data: GuideMembershipUpdate, session: SessionDep, scope: ScopeDep
) -> GuideMembershipUpdate:
    found = service.set_own_membership(
        session=session, scope=scope, guide_id=guide_id, member_id=data.member_id
    )
    return GuideMembershipUpdate(member_id=found)
