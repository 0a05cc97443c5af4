"""Console screens for commission plans: the brand's plans, one plan's rules, the rule tester.

    GET      /console/commission                          the brand's plans; a new plan
    POST     /console/commission/plans                    a new plan (policy and split)
    GET      /console/commission/plans/{id}               its rules, a rule form, the tester
    POST     /console/commission/plans/{id}/activate      the brand's active plan
    POST     /console/commission/plans/{id}/rules         one more rule
    POST     /console/commission/plans/{id}/rules/{rule}/delete
    POST     /console/commission/plans/{id}/test          what a line would earn (writes nothing)

Everything goes through ``commission_service`` with the caller's scope: HQ writes plans,
managers read them and use the tester. Rates are typed in percent (two decimals: basis
points), amounts in yuan.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.commission import service as commission_service
from newretail.commission.plan_models import CommissionPlan, CommissionRule
from newretail.commission.schemas import PlanCreate, PlanUpdate, RuleCreate, TestLine, TestResult
from newretail.kernel.scope import Role
from newretail.org.schemas import BrandRead
from newretail.web import console_commission_forms as forms
from newretail.web import data, labels
from newretail.web.console_catalog import _brand, url
from newretail.web.console_forms import FormState
from newretail.web.manage import attempt, brand_param, form_brand
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
READERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)


def _plans_url(page: Page, brand: BrandRead) -> str:
    return url("/console/commission", brand=brand_param(page, brand))


@router.get("/console/commission")
def plans(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(*READERS)
    return _plans_page(page, session, current, forms.state(page, {"policy": "bound"}))


def _plans_page(
    page: Page, session: Session, brand: BrandRead, state: FormState, status_code: int = 200
) -> HTMLResponse:
    found = commission_service.list_plans(session=session, scope=page.caller, brand_id=brand.id)
    return page.render(
        "console/commission_plans.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "commission"),
        brand=brand,
        plans=[
            {
                "id": p.id,
                "name": p.name,
                "active": p.is_active,
                "policy": forms.policy_text(page, p),
                "rules": len(p.rules),
                "url": f"/console/commission/plans/{p.id}",
            }
            for p in found
        ],
        can_edit=page.caller.has_any(Role.BRAND_ADMIN),
        policy_options=forms.options(page, labels.COMMISSION_POLICIES),
        **state.as_context(),
    )


@router.post("/console/commission/plans")
def create_plan(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    current = form_brand(page, session, fields)
    page.caller.require(Role.BRAND_ADMIN)
    state = forms.state(page, fields)
    body = forms.plan_body(state, fields)

    def write() -> CommissionPlan:
        checked = PlanCreate.model_validate({"brand_id": current.id, **body})
        return commission_service.create_plan(session=session, scope=page.caller, data=checked)

    made, refused = attempt(
        session, state, write, lambda status: _plans_page(page, session, current, state, status)
    )
    if refused is not None:
        return refused
    return page.redirect(
        f"/console/commission/plans/{made.id}", flash="commission_plan_saved", name=made.name
    )


# ---- one plan -------------------------------------------------------------------------


@router.get("/console/commission/plans/{plan_id}")
def plan_page(page: StaffPage, session: PageSessionDep, plan_id: int) -> HTMLResponse:
    plan = commission_service.get_plan(session=session, scope=page.caller, plan_id=plan_id)
    page.caller.require(*READERS)
    return _plan_page(page, session, plan, forms.state(page, forms.RULE_DEFAULTS))


def _plan_page(
    page: Page,
    session: Session,
    plan: CommissionPlan,
    state: FormState,
    status_code: int = 200,
    result: TestResult | None = None,
) -> HTMLResponse:
    brand = data.brand(session=session, scope=page.caller, brand_id=plan.brand_id)
    return page.render(
        "console/commission_plan.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "commission"),
        brand=brand,
        plan={
            "id": plan.id,
            "name": plan.name,
            "active": plan.is_active,
            "policy": forms.policy_text(page, plan),
        },
        rules=[_rule_row(page, r) for r in plan.rules],
        can_edit=page.caller.has_any(Role.BRAND_ADMIN),
        back_url=url("/console/commission", brand=brand_param(page, brand)),
        result=forms.result_rows(page, session, result) if result is not None else None,
        result_total=result.total if result is not None else None,
        **forms.choices(page, session, brand),
        **state.as_context(),
    )


def _rule_row(page: Page, rule: CommissionRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "kind": labels.label(page, labels.COMMISSION_KINDS, rule.kind),
        "where": forms.where_text(page, rule),
        "pays": forms.pays_text(page, rule),
        "priority": rule.priority,
        "freeze": forms.freeze_text(page, rule),
    }


def _plan_for_write(page: Page, session: Session, plan_id: int) -> CommissionPlan:
    plan = commission_service.get_plan(session=session, scope=page.caller, plan_id=plan_id)
    page.caller.require(Role.BRAND_ADMIN)
    return plan


@router.post("/console/commission/plans/{plan_id}/activate")
def activate(page: StaffPage, session: PageSessionDep, plan_id: int) -> Response:
    plan = _plan_for_write(page, session, plan_id)
    commission_service.update_plan(
        session=session, scope=page.caller, plan_id=plan.id, data=PlanUpdate(is_active=True)
    )
    return page.redirect(
        f"/console/commission/plans/{plan.id}", flash="commission_plan_active", name=plan.name
    )


@router.post("/console/commission/plans/{plan_id}/rules")
def add_rule(page: StaffPage, session: PageSessionDep, plan_id: int, fields: FormDep) -> Response:
    plan = _plan_for_write(page, session, plan_id)
    state = forms.state(page, fields)
    brand = data.brand(session=session, scope=page.caller, brand_id=plan.brand_id)
    body = forms.rule_body(page, session, brand, state, fields)

    def write() -> CommissionRule:
        checked = RuleCreate.model_validate(body)
        return commission_service.add_rule(
            session=session, scope=page.caller, plan_id=plan.id, data=checked
        )

    def again(status: int) -> HTMLResponse:
        fresh = commission_service.get_plan(session=session, scope=page.caller, plan_id=plan_id)
        return _plan_page(page, session, fresh, state, status)

    made, refused = attempt(session, state, write, again, forms.explainer(page, state))
    if refused is not None:
        return refused
    return page.redirect(
        f"/console/commission/plans/{plan.id}", flash="commission_rule_saved", name=made.name
    )


@router.post("/console/commission/plans/{plan_id}/rules/{rule_id}/delete")
def delete_rule(page: StaffPage, session: PageSessionDep, plan_id: int, rule_id: int) -> Response:
    plan = _plan_for_write(page, session, plan_id)
    commission_service.delete_rule(
        session=session, scope=page.caller, plan_id=plan.id, rule_id=rule_id
    )
    return page.redirect(f"/console/commission/plans/{plan.id}", flash="commission_rule_deleted")


@router.post("/console/commission/plans/{plan_id}/test")
def test_line(page: StaffPage, session: PageSessionDep, plan_id: int, fields: FormDep) -> Response:
    plan = commission_service.get_plan(session=session, scope=page.caller, plan_id=plan_id)
    page.caller.require(*READERS)
    state = forms.state(page, {**forms.RULE_DEFAULTS, **fields})
    body = forms.test_body(page, session, plan, state, fields)

    def run() -> TestResult:
        checked = TestLine.model_validate(body)
        return commission_service.test_line(session=session, scope=page.caller, data=checked)

    def again(status: int) -> HTMLResponse:
        fresh = commission_service.get_plan(session=session, scope=page.caller, plan_id=plan_id)
        return _plan_page(page, session, fresh, state, status)

    result, refused = attempt(session, state, run, again)
    if refused is not None:
        return refused
    return _plan_page(page, session, plan, state, 200, result)
