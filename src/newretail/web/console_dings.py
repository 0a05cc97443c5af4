"""The console's DING board: send an urgent message to chosen people, see who has and has
not read each DING (and how far its escalation has gone), and read the DINGs sent to you,
guides' upward DINGs with their member attached among them.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.i18n import N_
from newretail.org.schemas import BrandRead
from newretail.web import data, forms
from newretail.web.console_forms import FormState
from newretail.web.console_tasks_forms import checked_ids
from newretail.web.nav import WORKBENCH_ROLES, console_nav, url
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage
from newretail.workbench import service as workbench_service
from newretail.workbench.models import Ding
from newretail.workbench.schemas import DingCreate

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ERROR_TEXTS = {
    "ding_without_recipients": N_("Choose at least one person to DING."),
    "target_out_of_scope": N_("One of the chosen people is outside what you manage."),
}
STEP_LABELS = {
    "reminder": N_("Reminded"),
    "sms": N_("Texted"),
    "manager": N_("Manager told"),
}


def ding_views(
    page: Page, session: Session, dings: list[Ding], me: int | None
) -> list[dict[str, Any]]:
    """DINGs with their readers, for the board and the guide's page."""
    found = workbench_service.receipts(session=session, ding_ids=[d.id for d in dings])
    people = {d.sender_id for d in dings} | {r.recipient_id for rs in found.values() for r in rs}
    names = workbench_service.names(session=session, staff_ids=people)
    views = []
    for ding in dings:
        receipts = found[ding.id]
        mine = next((r for r in receipts if r.recipient_id == me), None)
        views.append(
            {
                "id": ding.id,
                "body": ding.body,
                "up": ding.direction == "up",
                "member_id": ding.member_id,
                "sender": names.get(ding.sender_id, ""),
                "sent_by_me": ding.sender_id == me,
                "at": ding.created_at,
                "unread_by_me": mine is not None and mine.read_at is None,
                "read": sum(1 for r in receipts if r.read_at is not None),
                "readers": [
                    {
                        "name": names.get(r.recipient_id, ""),
                        "read": r.read_at is not None,
                        "step": page.translate(STEP_LABELS[r.escalations[-1]["step"]])
                        if r.escalations
                        else "",
                    }
                    for r in receipts
                ],
            }
        )
    return views


def _people(session: Session, page: Page) -> list[Staff]:
    staff: list[Staff] = data.every(
        lambda cursor: auth_service.list_staff(
            session=session, scope=page.caller, cursor=cursor, limit=200
        )
    )
    return sorted(
        (s for s in staff if s.id != page.caller.actor_id and s.brand_id is not None),
        key=lambda s: s.display_name,
    )


def _page(
    page: Page, session: Session, brand: BrandRead, state: FormState, status_code: int = 200
) -> HTMLResponse:
    scope = page.caller
    dings = workbench_service.list_dings(session=session, scope=scope)
    dings = [d for d in dings if d.brand_id == brand.id]
    return page.render(
        "workbench/console_dings.html",
        status_code=status_code,
        brand=brand,
        nav_items=console_nav(page, brand.id, "dings"),
        brand_param=brand.id if scope.is_platform else None,
        people=[{"id": s.id, "name": s.display_name} for s in _people(session, page)],
        dings=ding_views(page, session, dings, scope.actor_id),
        can_send=not scope.is_platform,
        timezone=brand.timezone,
        **state.as_context(),
    )


@router.get("/console/dings")
def dings(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*WORKBENCH_ROLES)
    state = FormState(page, {"minutes": "15"}, error_texts=ERROR_TEXTS)
    return _page(page, session, current, state)


@router.post("/console/dings")
def send_ding(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=None)
    scope.require(*WORKBENCH_ROLES)
    state = FormState(
        page,
        fields,
        error_fields={"ding_without_recipients": "people", "target_out_of_scope": "people"},
        error_texts=ERROR_TEXTS,
    )
    try:
        request = DingCreate.model_validate(
            {
                "body": fields.get("body", ""),
                "recipients": checked_ids(fields, "person"),
                "escalate_after_minutes": fields.get("minutes", "").strip() or 15,
            }
        )
        workbench_service.send(session=session, scope=scope, data=request, now=utcnow())
    except ValidationError as exc:
        renamed = {"escalate_after_minutes": "minutes"}
        state.add_field_errors({renamed.get(k, k): v for k, v in forms.field_errors(exc).items()})
        return _page(page, session, current, state, status_code=422)
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _page(page, session, current, state, status_code=exc.status)
    return page.redirect(url("/console/dings", scope, current.id))


@router.post("/console/dings/{ding_id}/read")
def read_ding(page: StaffPage, session: PageSessionDep, ding_id: int, fields: FormDep) -> Response:
    scope = page.caller
    workbench_service.read_ding(session=session, scope=scope, ding_id=ding_id, now=utcnow())
    back = "/g/work/dings" if fields.get("from") == "guide" else url("/console/dings", scope, None)
    return page.redirect(back)
