"""The guide's day at /g/work (mobile first): today's tasks, targets and progress, content
to share, and DINGs (reading them, and DINGing a manager about a member). A task aimed at an
audience lists the members of it the guide is to reach.

Opening a task marks it read by a POST from the page (a GET never writes); finishing it
asks for what its kind needs: a photo, the quiz, a count, or the recruitment goal reached.
"""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.guides import service as guides_service
from newretail.kernel.errors import DomainError
from newretail.kernel.i18n import N_
from newretail.kernel.money import Money
from newretail.members import service as members_service
from newretail.org import service as org_service
from newretail.web.console_dings import ding_views
from newretail.web.console_targets import target_rows
from newretail.web.console_tasks_forms import KIND_LABELS, STATE_LABELS
from newretail.web.guide import _tabs
from newretail.web.manage import UploadDep
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage
from newretail.workbench import service as workbench_service
from newretail.workbench.models import Task, TaskAssignment
from newretail.workbench.schemas import TaskProgress, UpwardDingCreate

router = APIRouter(route_class=PageRoute, include_in_schema=False)
CONTENT_SHOWN = 10
DONE_SHOWN = timedelta(days=1)  # finished tasks stay on the day's list until tomorrow
ERROR_TEXTS = {
    "proof_required": N_("Add a photo of the finished work."),
    "quiz_failed": N_("Not enough right answers yet; try again."),
    "goal_not_reached": N_("The recruitment goal is not reached yet."),
    "count_required": N_("Enter the number counted."),
    "no_manager": N_("No manager was found for your store."),
    "task_already_done": N_("This task is already done."),
}


def _currency(session: Session, brand_id: int) -> str:
    brand = org_service.live_brand(session=session, brand_id=brand_id)
    return brand.currency if brand is not None else "CNY"


def _task_view(page: Page, task: Task, assignment: TaskAssignment) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "kind": task.kind,
        "kind_label": page.translate(KIND_LABELS[task.kind]),
        "due_at": task.due_at,
        "state": assignment.state,
        "state_label": page.translate(STATE_LABELS[assignment.state]),
        "tone": {"done": "success", "overdue": "danger"}.get(assignment.state, "neutral"),
        "to_reach": len(assignment.audience_member_ids or []),
    }


@router.get("/g/work")
def today(page: StaffPage, session: PageSessionDep) -> HTMLResponse:
    scope = page.caller
    store = guides_service.guide_store(session=session, scope=scope)
    brand_currency = _currency(session, store.brand_id)
    now = utcnow()
    mine = [
        (task, assignment)
        for task, assignment in workbench_service.my_tasks(session=session, scope=scope)
        if assignment.done_at is None or assignment.done_at >= now - DONE_SHOWN
    ]
    progress = [
        row
        for row in workbench_service.current_progress(
            session=session, scope=scope, now=now, brand_id=store.brand_id
        )
        if row.target.guide_id in (None, scope.actor_id)
    ]
    names = workbench_service.names(session=session, staff_ids=[scope.actor_id or 0])
    content, _ = workbench_service.list_content(
        session=session, scope=scope, cursor=None, limit=CONTENT_SHOWN, brand_id=store.brand_id
    )
    dings = workbench_service.list_dings(session=session, scope=scope, box="received", limit=20)
    unread = [d for d in ding_views(page, session, dings, scope.actor_id) if d["unread_by_me"]]
    return page.render(
        "workbench/guide_work.html",
        store=store,
        tasks=[_task_view(page, t, a) for t, a in mine],
        open_count=sum(1 for _, a in mine if a.state != "done"),
        targets=target_rows(page, progress, brand_currency, names),
        content=[
            {"id": c.id, "title": c.title, "kind": c.kind, "image_url": c.image_url}
            for c in content
        ],
        unread_dings=unread,
        timezone=store.timezone,
        tabs=_tabs(page, "work"),
    )


def _task_page(
    page: Page,
    session: Session,
    task_id: int,
    *,
    form_error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    scope = page.caller
    task = workbench_service.get_task(session=session, scope=scope, task_id=task_id)
    assignment = workbench_service.my_assignment(session=session, scope=scope, task_id=task_id)
    store = guides_service.guide_store(session=session, scope=scope)
    to_reach = workbench_service.members_to_reach(
        session=session, assignment=assignment, now=utcnow()
    )
    recruited = None
    if task.kind == "recruitment" and scope.actor_id is not None:
        counts = workbench_service.recruited(session=session, task=task, guide_ids=[scope.actor_id])
        recruited = counts.get(scope.actor_id, 0)
    return page.render(
        "workbench/guide_work_task.html",
        status_code=status_code,
        task=task,
        view=_task_view(page, task, assignment),
        assignment=assignment,
        recruited=recruited,
        to_reach=to_reach,
        quiz=[{"n": n, **q} for n, q in enumerate(task.quiz)],
        form_error=form_error,
        timezone=store.timezone,
        tabs=_tabs(page, "work"),
    )


@router.get("/g/work/tasks/{task_id}")
def task(page: StaffPage, session: PageSessionDep, task_id: int) -> HTMLResponse:
    return _task_page(page, session, task_id)


@router.post("/g/work/tasks/{task_id}/read")
def read_task(page: StaffPage, session: PageSessionDep, task_id: int, fields: FormDep) -> Response:
    """The task page was opened (the page's script posts this: reading never writes)."""
    workbench_service.mark_read(session=session, scope=page.caller, task_id=task_id, now=utcnow())
    return Response(status_code=204)


@router.post("/g/work/tasks/{task_id}/start")
def start_task(page: StaffPage, session: PageSessionDep, task_id: int, fields: FormDep) -> Response:
    workbench_service.start(session=session, scope=page.caller, task_id=task_id, now=utcnow())
    return page.redirect(f"/g/work/tasks/{task_id}")


@router.post("/g/work/tasks/{task_id}/done")
def finish_task(
    page: StaffPage, session: PageSessionDep, task_id: int, form: UploadDep
) -> Response:
    scope = page.caller
    fields = form.fields
    try:
        photo = form.files.get("photo")
        proof = (
            workbench_service.store_picture(settings=page.settings, data=photo)
            if photo is not None
            else None
        )
        answers = [
            int(fields[name])
            for name in sorted(fields, key=_question_order)
            if name.startswith("q_") and fields[name].isdigit()
        ]
        counted = fields.get("counted", "").strip()
        data = TaskProgress.model_validate(
            {
                "proof_url": proof,
                "answers": answers,
                "counted": counted or None,
                "note": fields.get("note", ""),
            }
        )
        workbench_service.finish(
            session=session, scope=scope, task_id=task_id, data=data, now=utcnow()
        )
    except ValidationError:
        session.rollback()
        text = page.gettext("Check what you entered.")
        return _task_page(page, session, task_id, form_error=text, status_code=422)
    except DomainError as exc:
        session.rollback()
        known = ERROR_TEXTS.get(exc.code)
        text = page.translate(known) if known else page.error_message(exc)
        return _task_page(page, session, task_id, form_error=text, status_code=exc.status)
    return page.redirect(f"/g/work/tasks/{task_id}")


def _question_order(name: str) -> int:
    tail = name.removeprefix("q_")
    return int(tail) if tail.isdigit() else 0


# ---- content -----------------------------------------------------------------------------


@router.get("/g/work/content/{content_id}")
def content_item(page: StaffPage, session: PageSessionDep, content_id: int) -> HTMLResponse:
    scope = page.caller
    guides_service.guide_store(session=session, scope=scope)
    item = workbench_service.get_content(session=session, scope=scope, content_id=content_id)
    link = workbench_service.my_share(
        session=session, scope=scope, content_id=item.id, secret=page.settings.secret_key
    )
    stats = workbench_service.share_stats(session=session, scope=scope, content_id=item.id)
    currency = _currency(session, item.brand_id)
    return page.render(
        "workbench/guide_work_content.html",
        item=item,
        url=page.public_base_url.rstrip("/") + link.path if link else None,
        stats={
            "views": stats[0].views,
            "claims": stats[0].claims,
            "orders": stats[0].orders,
            "sales": Money(stats[0].sales, currency),
        }
        if stats
        else None,
        tabs=_tabs(page, "work"),
    )


@router.post("/g/work/content/{content_id}/share")
def share_content(
    page: StaffPage, session: PageSessionDep, content_id: int, fields: FormDep
) -> Response:
    """The guide's first ask for their link makes it (GET pages only read)."""
    workbench_service.share(
        session=session,
        scope=page.caller,
        content_id=content_id,
        secret=page.settings.secret_key,
        now=utcnow(),
    )
    return page.redirect(f"/g/work/content/{content_id}")


# ---- DINGs -------------------------------------------------------------------------------


def _dings_page(
    page: Page, session: Session, values: dict[str, str], form_error: str | None, status_code: int
) -> HTMLResponse:
    scope = page.caller
    store = guides_service.guide_store(session=session, scope=scope)
    rows, _ = members_service.search_members(session=session, scope=scope, limit=50)
    dings = workbench_service.list_dings(session=session, scope=scope, limit=30)
    return page.render(
        "workbench/guide_work_dings.html",
        status_code=status_code,
        members=[(row.member.id, row.name or row.member.member_no) for row in rows],
        dings=ding_views(page, session, dings, scope.actor_id),
        values=values,
        errors={},
        form_error=form_error,
        timezone=store.timezone,
        tabs=_tabs(page, "work"),
    )


@router.get("/g/work/dings")
def dings(page: StaffPage, session: PageSessionDep, member: int | None = None) -> HTMLResponse:
    return _dings_page(page, session, {"member": str(member or "")}, None, 200)


@router.post("/g/work/dings")
def ding_up(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    try:
        data = UpwardDingCreate.model_validate(
            {"body": fields.get("body", ""), "member_id": fields.get("member", "") or None}
        )
        workbench_service.send_up(session=session, scope=page.caller, data=data, now=utcnow())
    except ValidationError:
        text = page.gettext("Write what the customer needs.")
        return _dings_page(page, session, fields, text, 422)
    except DomainError as exc:
        session.rollback()
        known = ERROR_TEXTS.get(exc.code)
        text = page.translate(known) if known else page.error_message(exc)
        return _dings_page(page, session, fields, text, exc.status)
    return page.redirect("/g/work/dings")
