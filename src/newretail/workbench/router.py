from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import utcnow
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page
from newretail.workbench import service
from newretail.workbench.models import Ding
from newretail.workbench.rules import Tally
from newretail.workbench.schemas import (
    AssignmentRead,
    ContentCreate,
    ContentEventCreate,
    ContentRead,
    DingCreate,
    DingRead,
    ReceiptRead,
    RegionProgressRead,
    ShareRead,
    ShareStatsRead,
    StoreProgressRead,
    TallyRead,
    TargetProgressRead,
    TargetPut,
    TargetRead,
    TaskCreate,
    TaskProgress,
    TaskProgressRead,
    TaskRead,
    UpwardDingCreate,
)

router = APIRouter(tags=["workbench"], route_class=ApiRoute)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _tally(counts: Tally) -> dict[str, int]:
    return {
        "total": counts.total,
        "read": counts.read,
        "done": counts.done,
        "overdue": counts.overdue,
        "percent_done": counts.percent_done,
    }


# ---- tasks ------------------------------------------------------------------------------


@router.post("/tasks", response_model=TaskRead, status_code=status.HTTP_201_CREATED)
def create_task(data: TaskCreate, session: SessionDep, scope: ScopeDep) -> TaskRead:
    """A task for regions (down the tree), stores or guides; refused whole if any target is
    outside the caller's scope."""
    task = service.create_task(session=session, scope=scope, data=data, now=utcnow())
    return TaskRead.model_validate(task)


@router.get("/tasks", response_model=Page[TaskRead])
def list_tasks(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    brand_id: int | None = None,
) -> Page[TaskRead]:
    rows, next_cursor = service.list_tasks(
        session=session, scope=scope, cursor=cursor, limit=limit, brand_id=brand_id
    )
    return Page(items=[TaskRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/tasks/mine", response_model=list[AssignmentRead])
def my_tasks(session: SessionDep, scope: ScopeDep) -> list[AssignmentRead]:
    """The caller's own assignments, open first, the nearest deadline first."""
    return [
        AssignmentRead.model_validate(a) for _, a in service.my_tasks(session=session, scope=scope)
    ]


@router.get("/tasks/{task_id}", response_model=TaskRead)
def get_task(task_id: int, session: SessionDep, scope: ScopeDep) -> TaskRead:
    return TaskRead.model_validate(service.get_task(session=session, scope=scope, task_id=task_id))


@router.get("/tasks/{task_id}/assignments", response_model=list[AssignmentRead])
def task_assignments(task_id: int, session: SessionDep, scope: ScopeDep) -> list[AssignmentRead]:
    rows = service.assignments(session=session, scope=scope, task_id=task_id)
    return [AssignmentRead.model_validate(r) for r in rows]


@router.get("/tasks/{task_id}/progress", response_model=TaskProgressRead)
def task_progress(task_id: int, session: SessionDep, scope: ScopeDep) -> TaskProgressRead:
    """Live progress: overall, by store and rolled up the region tree."""
    found = service.task_progress(session=session, scope=scope, task_id=task_id)
    return TaskProgressRead(
        task=TaskRead.model_validate(found.task),
        overall=TallyRead(**_tally(found.overall)),
        regions=[
            RegionProgressRead(
                region_id=r.region_id, name=r.name, parent_id=r.parent_id, **_tally(r.tally)
            )
            for r in found.regions
        ],
        stores=[
            StoreProgressRead(
                store_id=s.store_id, name=s.name, region_id=s.region_id, **_tally(s.tally)
            )
            for s in found.stores
        ],
    )


def _step(
    session: Session, scope: ScopeDep, task_id: int, step: Literal["read", "start"]
) -> AssignmentRead:
    act = service.mark_read if step == "read" else service.start
    return AssignmentRead.model_validate(
        act(session=session, scope=scope, task_id=task_id, now=utcnow())
    )


@router.post("/tasks/{task_id}/read", response_model=AssignmentRead)
def read_task(task_id: int, session: SessionDep, scope: ScopeDep) -> AssignmentRead:
    return _step(session, scope, task_id, "read")


@router.post("/tasks/{task_id}/start", response_model=AssignmentRead)
def start_task(task_id: int, session: SessionDep, scope: ScopeDep) -> AssignmentRead:
    return _step(session, scope, task_id, "start")


@router.post("/tasks/{task_id}/done", response_model=AssignmentRead)
def finish_task(
    task_id: int, data: TaskProgress, session: SessionDep, scope: ScopeDep
) -> AssignmentRead:
    """Done, with what the kind asks for: a photo URL, quiz answers, a count, or the goal met."""
    done = service.finish(session=session, scope=scope, task_id=task_id, data=data, now=utcnow())
    return AssignmentRead.model_validate(done)


# ---- targets ----------------------------------------------------------------------------


@router.put("/targets", response_model=TargetRead)
def put_target(data: TargetPut, session: SessionDep, scope: ScopeDep) -> TargetRead:
    """Set (or replace) a store's or guide's goal for a day, week or month."""
    target = service.put_target(session=session, scope=scope, data=data, now=utcnow())
    return TargetRead.model_validate(target)


@router.get("/targets", response_model=list[TargetProgressRead])
def current_targets(
    session: SessionDep,
    scope: ScopeDep,
    brand_id: int | None = None,
    store_id: int | None = None,
    guide_id: int | None = None,
) -> list[TargetProgressRead]:
    """Targets running now, with their actuals so far in every channel."""
    rows = service.current_progress(
        session=session,
        scope=scope,
        now=utcnow(),
        brand_id=brand_id,
        store_id=store_id,
        guide_id=guide_id,
    )
    return [
        TargetProgressRead(
            **TargetRead.model_validate(row.target).model_dump(),
            actual=row.actual,
            percent=row.percent,
            expected_percent=row.expected_percent,
        )
        for row in rows
    ]


@router.delete("/targets/{target_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_target(target_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    service.delete_target(session=session, scope=scope, target_id=target_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- content ----------------------------------------------------------------------------


@router.post("/content", response_model=ContentRead, status_code=status.HTTP_201_CREATED)
def publish_content(data: ContentCreate, session: SessionDep, scope: ScopeDep) -> ContentRead:
    item = service.publish(session=session, scope=scope, data=data, now=utcnow())
    return ContentRead.model_validate(item)


@router.get("/content", response_model=Page[ContentRead])
def list_content(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    brand_id: int | None = None,
) -> Page[ContentRead]:
    rows, next_cursor = service.list_content(
        session=session, scope=scope, cursor=cursor, limit=limit, brand_id=brand_id
    )
    return Page(items=[ContentRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/content/{content_id}", response_model=ContentRead)
def get_content(content_id: int, session: SessionDep, scope: ScopeDep) -> ContentRead:
    item = service.get_content(session=session, scope=scope, content_id=content_id)
    return ContentRead.model_validate(item)


@router.post("/content/{content_id}/shares", response_model=ShareRead)
def share_content(
    content_id: int, request: Request, session: SessionDep, scope: ScopeDep
) -> ShareRead:
    """The calling guide's own signed link to the content."""
    link = service.share(
        session=session,
        scope=scope,
        content_id=content_id,
        secret=_settings(request).secret_key,
        now=utcnow(),
    )
    return ShareRead(
        content_id=link.content_id, guide_id=link.guide_id, ref=link.ref, path=link.path
    )


@router.get("/content/{content_id}/shares", response_model=list[ShareStatsRead])
def content_shares(content_id: int, session: SessionDep, scope: ScopeDep) -> list[ShareStatsRead]:
    """Each guide's share of the content with its views, claims, orders and sales."""
    rows = service.share_stats(session=session, scope=scope, content_id=content_id)
    return [
        ShareStatsRead(
            content_id=r.content_id,
            guide_id=r.guide_id,
            views=r.views,
            claims=r.claims,
            orders=r.orders,
            sales=r.sales,
        )
        for r in rows
    ]


@router.post("/content/{content_id}/{kind}", status_code=status.HTTP_204_NO_CONTENT)
def content_event(
    content_id: int,
    kind: Literal["views", "claims"],
    data: ContentEventCreate,
    request: Request,
    session: SessionDep,
) -> Response:
    """A share link's page was viewed, or its offer claimed (public; counted once a visitor)."""
    service.record_event(
        session=session,
        content_id=content_id,
        secret=_settings(request).secret_key,
        ref=data.ref,
        visitor=data.visitor,
        kind=kind[:-1],
        now=utcnow(),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- DING -------------------------------------------------------------------------------


def _ding_read(session: Session, ding: Ding) -> DingRead:
    found = service.receipts(session=session, ding_ids=[ding.id])[ding.id]
    names = service.names(session=session, staff_ids=[r.recipient_id for r in found])
    return DingRead(
        id=ding.id,
        brand_id=ding.brand_id,
        sender_id=ding.sender_id,
        direction=ding.direction,
        body=ding.body,
        member_id=ding.member_id,
        escalate_after_minutes=ding.escalate_after_minutes,
        created_at=ding.created_at,
        receipts=[
            ReceiptRead(
                recipient_id=r.recipient_id,
                name=names.get(r.recipient_id, ""),
                read_at=r.read_at,
                level=r.level,
                escalated_to_id=r.escalated_to_id,
            )
            for r in found
        ],
    )


@router.post("/dings", response_model=DingRead, status_code=status.HTTP_201_CREATED)
def send_ding(data: DingCreate, session: SessionDep, scope: ScopeDep) -> DingRead:
    """An urgent message to chosen staff, escalated while unread; to nobody is refused."""
    ding = service.send(session=session, scope=scope, data=data, now=utcnow())
    return _ding_read(session, ding)


@router.post("/dings/up", response_model=DingRead, status_code=status.HTTP_201_CREATED)
def send_ding_up(data: UpwardDingCreate, session: SessionDep, scope: ScopeDep) -> DingRead:
    """A guide's DING to their managers, with the member whose problem it is."""
    ding = service.send_up(session=session, scope=scope, data=data, now=utcnow())
    return _ding_read(session, ding)


@router.get("/dings", response_model=list[DingRead])
def list_dings(
    session: SessionDep,
    scope: ScopeDep,
    box: Annotated[Literal["all", "sent", "received"], Query()] = "all",
) -> list[DingRead]:
    return [
        _ding_read(session, d) for d in service.list_dings(session=session, scope=scope, box=box)
    ]


@router.get("/dings/{ding_id}", response_model=DingRead)
def get_ding(ding_id: int, session: SessionDep, scope: ScopeDep) -> DingRead:
    """The DING with who has and has not read it."""
    return _ding_read(session, service.get_ding(session=session, scope=scope, ding_id=ding_id))


@router.post("/dings/{ding_id}/read", response_model=DingRead)
def read_ding(ding_id: int, session: SessionDep, scope: ScopeDep) -> DingRead:
    service.read_ding(session=session, scope=scope, ding_id=ding_id, now=utcnow())
    return _ding_read(session, service.get_ding(session=session, scope=scope, ding_id=ding_id))
