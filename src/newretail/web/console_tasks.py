"""The console's tasks: the tasks a manager sent or can follow, sending one with its
targeting (regions down the tree, stores, single guides), and a task's live progress by
region and store with each assignee's state and proof.

Everything goes through the workbench service with the caller's scope: a region manager
may aim only inside their subtree, a store manager only at their stores and their guides;
a refused target refuses the whole task and the form says why.
"""

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.analytics.audiences import service as audiences_service
from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.i18n import N_
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.schemas import BrandRead
from newretail.web import data, forms, views
from newretail.web.console_forms import FormState
from newretail.web.console_tasks_forms import KIND_LABELS, STATE_LABELS, task_input
from newretail.web.nav import WORKBENCH_ROLES, console_nav, url
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage
from newretail.workbench import service as workbench_service
from newretail.workbench.rules import Tally

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 30
ERROR_TEXTS = {
    "target_out_of_scope": N_("One of the chosen targets is outside what you manage."),
    "no_assignees": N_("The chosen targets reach nobody yet: pick stores with guides."),
    "due_before_start": N_("The deadline must be in the future."),
}
ERROR_FIELDS = {"target_out_of_scope": "targets", "no_assignees": "targets"}


def _stores(session: Session, scope: Scope, brand_id: int) -> list[Store]:
    stores: list[Store] = data.every(
        lambda cursor: org_service.list_stores(
            session=session, scope=scope, cursor=cursor, limit=200, brand_id=brand_id
        )
    )
    return sorted(stores, key=lambda store: store.code)


def _guides(session: Session, scope: Scope) -> list[Staff]:
    staff: list[Staff] = data.every(
        lambda cursor: auth_service.list_staff(
            session=session, scope=scope, cursor=cursor, limit=200, role=Role.GUIDE
        )
    )
    return sorted(staff, key=lambda s: s.display_name)


def tally_view(counts: Tally) -> dict[str, int]:
    return {
        "total": counts.total,
        "read": counts.read,
        "done": counts.done,
        "overdue": counts.overdue,
        "percent": counts.percent_done,
    }


def _choices(page: Page, session: Session, brand: BrandRead) -> dict[str, Any]:
    scope = page.caller
    regions = (
        []
        if not scope.has_any(Role.BRAND_ADMIN, Role.REGION_MANAGER)
        else views.flatten(data.region_tree(session=session, scope=scope, brand_id=brand.id))
    )
    stores = _stores(session, scope, brand.id)
    names = {s.id: s.name for s in stores}
    return {
        "regions": [{"id": r.id, "name": r.name, "depth": r.depth} for r in regions],
        "stores": [{"id": s.id, "name": f"{s.name} ({s.code})"} for s in stores],
        "guides": [
            {
                "id": g.id,
                "name": g.display_name,
                "store": ", ".join(
                    names[a.store_id]
                    for a in g.roles
                    if a.role == Role.GUIDE and a.store_id in names
                ),
            }
            for g in _guides(session, scope)
        ],
        "kinds": [(kind, page.translate(label)) for kind, label in KIND_LABELS.items()],
        "audiences": _audiences(page, session, brand),
    }


def _audiences(page: Page, session: Session, brand: BrandRead) -> list[tuple[int, str]]:
    """The brand's live audiences with their sizes, for a brand admin (who manages them)."""
    if not (page.caller.is_platform or Role.BRAND_ADMIN in page.caller.roles):
        return []
    rows = audiences_service.list_audiences(session=session, scope=page.caller, brand_id=brand.id)
    return [
        (a.id, page.gettext("%(name)s (%(size)s people)", name=a.name, size=a.size or 0))
        for a in rows
    ]


def _form(
    page: Page, session: Session, brand: BrandRead, state: FormState, status_code: int = 200
) -> HTMLResponse:
    return page.render(
        "workbench/console_task_form.html",
        status_code=status_code,
        brand=brand,
        nav_items=console_nav(page, brand.id, "tasks"),
        brand_param=brand.id if page.caller.is_platform else None,
        back_url=url("/console/tasks", page.caller, brand.id),
        **_choices(page, session, brand),
        **state.as_context(),
    )


@router.get("/console/tasks")
def tasks(
    page: StaffPage, session: PageSessionDep, brand: int | None = None, cursor: str | None = None
) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*WORKBENCH_ROLES)
    rows, next_cursor = workbench_service.list_tasks(
        session=session, scope=scope, cursor=cursor, limit=PAGE_SIZE, brand_id=current.id
    )
    counts = workbench_service.tallies(session=session, scope=scope, task_ids=[t.id for t in rows])
    items = []
    for task in rows:
        items.append(
            {
                "id": task.id,
                "title": task.title,
                "kind": page.translate(KIND_LABELS[task.kind]),
                "due_at": task.due_at,
                "overdue": task.due_at <= utcnow(),
                "tally": tally_view(counts[task.id]),
                "url": url(f"/console/tasks/{task.id}", scope, current.id),
            }
        )
    return page.render(
        "workbench/console_tasks.html",
        brand=current,
        nav_items=console_nav(page, current.id, "tasks"),
        tasks=items,
        timezone=current.timezone,
        new_url=url("/console/tasks/new", scope, current.id),
        next_url=url("/console/tasks", scope, current.id, cursor=next_cursor)
        if next_cursor
        else None,
    )


@router.get("/console/tasks/new")
def new_task(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*WORKBENCH_ROLES)
    state = FormState(
        page, {"kind": "promotion"}, error_fields=ERROR_FIELDS, error_texts=ERROR_TEXTS
    )
    return _form(page, session, current, state)


@router.post("/console/tasks/new")
def create_task(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    scope = page.caller
    brand_field = fields.get("brand", "")
    current = data.brand(
        session=session, scope=scope, brand_id=int(brand_field) if brand_field.isdigit() else None
    )
    scope.require(*WORKBENCH_ROLES)
    state = FormState(page, fields, error_fields=ERROR_FIELDS, error_texts=ERROR_TEXTS)
    try:
        request = task_input(fields, brand_id=current.id, timezone=current.timezone, scope=scope)
        task = workbench_service.create_task(
            session=session, scope=scope, data=request, now=utcnow()
        )
    except ValidationError as exc:
        state.add_field_errors(_named(forms.field_errors(exc), fields.get("kind", "")))
        return _form(page, session, current, state, status_code=422)
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _form(page, session, current, state, status_code=exc.status)
    return page.redirect(url(f"/console/tasks/{task.id}", scope, current.id))


def _named(errors: dict[str, str], kind: str) -> dict[str, str]:
    """Errors of the whole task put on the field they are about (a recruitment's goal, a
    training's quiz) and the deadline worded as a date and time."""
    named = {name: key for name, key in errors.items() if name}
    if "" in errors:
        whole = {"training": "quiz", "follow_up": "audience"}.get(kind, "goal")
        named.setdefault(whole, "missing")
    if "due_at" in named:
        named["due_at"] = "datetime"
    return named


@router.get("/console/tasks/{task_id}")
def task(page: StaffPage, session: PageSessionDep, task_id: int) -> HTMLResponse:
    scope = page.caller
    scope.require(*WORKBENCH_ROLES)
    found = workbench_service.task_progress(session=session, scope=scope, task_id=task_id)
    current = data.brand(session=session, scope=scope, brand_id=found.task.brand_id)
    people = workbench_service.assignments(session=session, scope=scope, task_id=task_id)
    names = workbench_service.names(session=session, staff_ids=[a.assignee_id for a in people])
    recruited = (
        workbench_service.recruited(
            session=session, task=found.task, guide_ids=[a.assignee_id for a in people]
        )
        if found.task.kind == "recruitment"
        else {}
    )
    stores = {s.store_id: s.name for s in found.stores}
    regions: list[dict[str, Any]] = [
        {"name": r.name, "depth": r.depth, **tally_view(r.tally)} for r in found.regions
    ]
    chart = {
        "labels": [r["name"] for r in regions],
        "series": [page.gettext("Done"), page.gettext("Read"), page.gettext("Not read")],
        "values": [
            [r["done"] for r in regions],
            [r["read"] - r["done"] for r in regions],
            [r["total"] - r["read"] for r in regions],
        ],
    }
    return page.render(
        "workbench/console_task.html",
        brand=current,
        nav_items=console_nav(page, current.id, "tasks"),
        task=found.task,
        kind=page.translate(KIND_LABELS[found.task.kind]),
        overall=tally_view(found.overall),
        regions=regions,
        stores=[{"name": s.name, **tally_view(s.tally)} for s in found.stores],
        chart_json=json.dumps(chart, ensure_ascii=False),
        people=[
            {
                "name": names.get(a.assignee_id, ""),
                "store": stores.get(a.store_id, ""),
                "state": a.state,
                "state_label": page.translate(STATE_LABELS[a.state]),
                "read_at": a.read_at,
                "done_at": a.done_at,
                "proof_url": a.proof_url,
                "score": a.quiz_score,
                "counted": a.counted,
                "recruited": recruited.get(a.assignee_id, 0)
                if found.task.kind == "recruitment"
                else None,
            }
            for a in sorted(people, key=lambda a: (a.state == "done", names.get(a.assignee_id, "")))
        ],
        timezone=current.timezone,
        back_url=url("/console/tasks", scope, current.id),
    )
