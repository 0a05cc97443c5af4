"""/analytics/retarget-rules: offers sent to an audience's members when they come within
3-5 km of one of the brand's stores, at most once per period, held through quiet hours."""

from fastapi import APIRouter, status

from newretail.analytics.reports.deps import BrandParam
from newretail.analytics.retarget import service as retarget
from newretail.analytics.retarget.schemas import (
    RetargetRuleCreate,
    RetargetRuleRead,
    RetargetSendRead,
)
from newretail.db import utcnow
from newretail.kernel.http import ApiRoute, ScopeDep, SessionDep

router = APIRouter(prefix="/analytics/retarget-rules", tags=["analytics"], route_class=ApiRoute)


@router.get("", response_model=list[RetargetRuleRead])
def list_rules(
    session: SessionDep, scope: ScopeDep, brand_id: BrandParam = None
) -> list[RetargetRuleRead]:
    rows = retarget.list_rules(session=session, scope=scope, brand_id=brand_id)
    return [RetargetRuleRead.model_validate(r) for r in rows]


@router.post("", response_model=RetargetRuleRead, status_code=status.HTTP_201_CREATED)
def create_rule(data: RetargetRuleCreate, session: SessionDep, scope: ScopeDep) -> RetargetRuleRead:
    """A rule over one of the brand's audiences; the worker applies it to new geo events."""
    row = retarget.create_rule(session=session, scope=scope, data=data, now=utcnow())
    return RetargetRuleRead.model_validate(row)


@router.get("/{retarget_rule_id}", response_model=RetargetRuleRead)
def get_rule(retarget_rule_id: int, session: SessionDep, scope: ScopeDep) -> RetargetRuleRead:
    return RetargetRuleRead.model_validate(
        retarget.get_rule(session=session, scope=scope, rule_id=retarget_rule_id)
    )


@router.post("/{retarget_rule_id}/stop", response_model=RetargetRuleRead)
def stop_rule(retarget_rule_id: int, session: SessionDep, scope: ScopeDep) -> RetargetRuleRead:
    return RetargetRuleRead.model_validate(
        retarget.stop_rule(session=session, scope=scope, rule_id=retarget_rule_id)
    )


@router.get("/{retarget_rule_id}/sends", response_model=list[RetargetSendRead])
def sends(retarget_rule_id: int, session: SessionDep, scope: ScopeDep) -> list[RetargetSendRead]:
    """The offers the rule sent: member, period, store and the event that triggered it."""
    rows = retarget.sends_of(session=session, scope=scope, rule_id=retarget_rule_id)
    return [RetargetSendRead.model_validate(r) for r in rows]
