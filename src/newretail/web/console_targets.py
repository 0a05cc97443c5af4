"""The console's targets: sales and new-member goals per store and guide per day, week and
month, set here, with each running target's actual so far (every channel counts: a member's
online purchase counts for their store and guide) against where it should be by now.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.i18n import N_
from newretail.kernel.money import Money
from newretail.org.schemas import BrandRead
from newretail.web import data, forms
from newretail.web.console_forms import FormState
from newretail.web.console_tasks import ERROR_TEXTS, _guides, _stores
from newretail.web.manage_fields import FieldProblem, parse_amount
from newretail.web.nav import WORKBENCH_ROLES, console_nav, url
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage
from newretail.workbench import service as workbench_service
from newretail.workbench.schemas import TargetPut

router = APIRouter(route_class=PageRoute, include_in_schema=False)
METRIC_LABELS = {"sales": N_("Net sales"), "new_members": N_("New members")}
PERIOD_LABELS = {"day": N_("Daily"), "week": N_("Weekly"), "month": N_("Monthly")}


def target_rows(
    page: Page,
    progress: list[workbench_service.TargetProgress],
    currency: str,
    names: dict[int, str],
) -> list[dict[str, Any]]:
    """Running targets as the pages show them: goal and actual in money or members."""
    rows = []
    for row in progress:
        t = row.target
        sales = t.metric == "sales"
        rows.append(
            {
                "id": t.id,
                "store": row.store_name,
                "guide": names.get(t.guide_id, "") if t.guide_id else "",
                "metric": page.translate(METRIC_LABELS[t.metric]),
                "period": page.translate(PERIOD_LABELS[t.period]),
                "starts_on": t.starts_on,
                "goal": Money(t.goal, currency) if sales else t.goal,
                "actual": Money(row.actual, currency) if sales else row.actual,
                "sales": sales,
                "percent": row.percent,
                "expected": row.expected_percent,
                "behind": row.percent < row.expected_percent,
            }
        )
    return rows


def _page(
    page: Page, session: Session, brand: BrandRead, state: FormState, status_code: int = 200
) -> HTMLResponse:
    scope = page.caller
    progress = workbench_service.current_progress(
        session=session, scope=scope, now=utcnow(), brand_id=brand.id
    )
    names = workbench_service.names(
        session=session, staff_ids=[p.target.guide_id for p in progress if p.target.guide_id]
    )
    stores = _stores(session, scope, brand.id)
    return page.render(
        "workbench/console_targets.html",
        status_code=status_code,
        brand=brand,
        nav_items=console_nav(page, brand.id, "targets"),
        brand_param=brand.id if scope.is_platform else None,
        targets=target_rows(page, progress, brand.currency, names),
        stores=[(s.id, f"{s.name} ({s.code})") for s in stores],
        guides=[(g.id, g.display_name) for g in _guides(session, scope)],
        metrics=[(k, page.translate(v)) for k, v in METRIC_LABELS.items()],
        periods=[(k, page.translate(v)) for k, v in PERIOD_LABELS.items()],
        **state.as_context(),
    )


def _today(timezone: str) -> str:
    return datetime.now(ZoneInfo(timezone)).date().isoformat()


@router.get("/console/targets")
def targets(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*WORKBENCH_ROLES)
    values = {"metric": "sales", "period": "day", "starts_on": _today(current.timezone)}
    return _page(page, session, current, FormState(page, values, error_texts=ERROR_TEXTS))


def _goal(fields: dict[str, str]) -> int | str:
    text = fields.get("goal", "")
    if fields.get("metric") == "sales":
        return parse_amount(text, 2)
    return text.strip()


@router.post("/console/targets")
def put_target(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    scope = page.caller
    brand_field = fields.get("brand", "")
    current = data.brand(
        session=session, scope=scope, brand_id=int(brand_field) if brand_field.isdigit() else None
    )
    state = FormState(
        page, fields, error_fields={"target_out_of_scope": "store"}, error_texts=ERROR_TEXTS
    )
    try:
        request = TargetPut.model_validate(
            {
                "brand_id": current.id if scope.is_platform else None,
                "store_id": fields.get("store", "") or None,
                "guide_id": fields.get("guide", "") or None,
                "metric": fields.get("metric", ""),
                "period": fields.get("period", ""),
                "starts_on": fields.get("starts_on", ""),
                "goal": _goal(fields),
            }
        )
        workbench_service.put_target(session=session, scope=scope, data=request, now=utcnow())
    except FieldProblem as exc:
        state.add_field_errors({"goal": exc.key})
        return _page(page, session, current, state, status_code=422)
    except ValidationError as exc:
        renamed = {"store_id": "store", "guide_id": "guide", "starts_on": "starts_on"}
        errors = forms.field_errors(exc)
        state.add_field_errors({renamed.get(k, k): v for k, v in errors.items()})
        return _page(page, session, current, state, status_code=422)
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _page(page, session, current, state, status_code=exc.status)
    return page.redirect(url("/console/targets", scope, current.id))


@router.post("/console/targets/{target_id}/delete")
def delete_target(
    page: StaffPage, session: PageSessionDep, target_id: int, fields: FormDep
) -> Response:
    scope = page.caller
    found = workbench_service.get_target(session=session, scope=scope, target_id=target_id)
    brand_id = found.brand_id
    workbench_service.delete_target(session=session, scope=scope, target_id=target_id)
    return page.redirect(url("/console/targets", scope, brand_id))
