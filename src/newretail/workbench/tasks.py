"""Tasks: sending work to regions, stores and guides, and following it to done.

A task is aimed at regions (every store below them, down the tree), stores and single
guides; the aim is checked against the sender's scope first, and one refused target refuses
the whole task (nothing is created). It reaches the guides of those stores (a stock count
reaches their store managers), one ``TaskAssignment`` each. Aimed at an audience too, it
reaches the guides in the sender's scope bound to the audience's members, each assignment
naming the members its guide serves (``audience_tasks``). Assignees mark it read, start
it and finish it with what its kind asks for; ``overdue`` is set by ``mark_overdue`` (the
worker), never by whoever reads.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from newretail.kernel import visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.workbench import audience_tasks, errors, notices, people, queries, rules
from newretail.workbench.models import Task, TaskAssignment
from newretail.workbench.rules import State, TaskKind
from newretail.workbench.schemas import Targeting, TaskCreate, TaskProgress

SENDERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)

ASSIGNMENTS = visibility.Ladder(
    brand=TaskAssignment.brand_id,
    stores=(TaskAssignment.store_id,),
    guides=(TaskAssignment.assignee_id,),
    guides_see_stores=False,
)
TASKS = visibility.Ladder(
    brand=Task.brand_id,
    stores=(visibility.via(Task.id, TaskAssignment.task_id, (TaskAssignment.store_id,)),),
    guides=(visibility.via(Task.id, TaskAssignment.task_id, (TaskAssignment.assignee_id,)),),
    guides_see_stores=False,
)


# ---- sending ----------------------------------------------------------------------------


def _region_allowed(scope: Scope, brand_id: int, region_id: int) -> bool:
    if scope.is_brand_wide:
        return True
    return Role.REGION_MANAGER in scope.roles and scope.sees_region(brand_id, region_id)


def reach(
    *, session: Session, scope: Scope, brand_id: int, kind: TaskKind, targeting: Targeting
) -> list[people.Placed]:
    """Everyone ``targeting`` reaches, after checking each target against ``scope``."""
    known_regions = set(org_service.region_ids_by_code(session=session, brand_id=brand_id).values())
    for region_id in targeting.regions:
        if region_id not in known_regions or not _region_allowed(scope, brand_id, region_id):
            raise errors.TargetOutOfScope()
    regions = org_service.subtree_region_ids(
        session=session, brand_id=brand_id, root_ids=set(targeting.regions)
    )
    stores = org_service.store_ids_in_regions(
        session=session, brand_id=brand_id, region_ids=regions
    )
    brand_stores = org_service.store_ids_by_code(session=session, brand_id=brand_id).values()
    for store_id in targeting.stores:
        if store_id not in brand_stores or not scope.sees_store(brand_id, store_id):
            raise errors.TargetOutOfScope()
    stores |= set(targeting.stores)
    role = Role.STORE_MANAGER if kind is TaskKind.STOCK_COUNT else Role.GUIDE
    reached = {
        p.staff_id: p
        for p in people.at_stores(session=session, brand_id=brand_id, store_ids=stores, role=role)
    }
    named = people.placed(
        session=session, brand_id=brand_id, staff_ids=targeting.guides, role=Role.GUIDE
    )
    if len(named) != len(set(targeting.guides)):
        raise errors.TargetOutOfScope()
    for guide in named:
        if not scope.sees_store(brand_id, guide.store_id):
            raise errors.TargetOutOfScope()
        reached.setdefault(guide.staff_id, guide)
    return sorted(reached.values(), key=lambda p: p.staff_id)


def _assignees(
    session: Session, scope: Scope, brand_id: int, data: TaskCreate, now: datetime
) -> tuple[list[people.Placed], dict[int, list[int]]]:
    """Everyone the task reaches, and by guide the audience's members they serve."""
    reached = {
        p.staff_id: p
        for p in reach(
            session=session, scope=scope, brand_id=brand_id, kind=data.kind, targeting=data.targets
        )
    }
    audience_id = data.targets.audience_id
    if audience_id is None:
        return list(reached.values()), {}
    served = audience_tasks.serving(
        session=session, scope=scope, brand_id=brand_id, audience_id=audience_id, now=now
    )
    for guide_id, found in served.items():
        reached.setdefault(guide_id, found.guide)
    everyone = sorted(reached.values(), key=lambda p: p.staff_id)
    return everyone, {guide_id: found.member_ids for guide_id, found in served.items()}


def create_task(*, session: Session, scope: Scope, data: TaskCreate, now: datetime) -> Task:
    """The task and one assignment per person it reaches; each is sent a notice."""
    scope.require(*SENDERS)
    brand_id = scope.target_brand(data.brand_id)
    starts_at = data.starts_at or now
    if data.due_at <= starts_at:
        raise errors.DueBeforeStart()
    reached, served = _assignees(session, scope, brand_id, data, now)
    if not reached:
        raise errors.NoAssignees()
    task = Task(
        brand_id=brand_id,
        kind=data.kind.value,
        title=data.title,
        body=data.body,
        goal=data.goal,
        quiz=[q.model_dump() for q in data.quiz],
        targets=data.targets.model_dump(),
        starts_at=starts_at,
        due_at=data.due_at,
        created_by_id=scope.actor_id if scope.actor_type == "staff" else None,
        created_at=now,
    )
    session.add(task)
    session.flush()
    session.add_all(_assignment(task, p, served.get(p.staff_id), now) for p in reached)
    session.flush()
    notices.task_delivered(
        session=session, task=task, assignee_ids=[p.staff_id for p in reached], now=now
    )
    return task


def _assignment(
    task: Task, person: people.Placed, member_ids: list[int] | None, now: datetime
) -> TaskAssignment:
    return TaskAssignment(
        brand_id=task.brand_id,
        task_id=task.id,
        assignee_id=person.staff_id,
        store_id=person.store_id,
        region_id=person.region_id,
        state=State.DELIVERED.value,
        due_at=task.due_at,
        delivered_at=now,
        audience_member_ids=member_ids,
    )


# ---- reading ----------------------------------------------------------------------------


def _tasks(scope: Scope) -> Select[Task]:
    return visibility.restrict(select(Task), scope, TASKS)


def get_task(*, session: Session, scope: Scope, task_id: int) -> Task:
    task = session.scalar(_tasks(scope).where(Task.id == task_id))
    if task is None:
        raise errors.TaskNotFound()
    return task


def list_tasks(
    *, session: Session, scope: Scope, cursor: str | None, limit: int, brand_id: int | None = None
) -> tuple[list[Task], str | None]:
    query = _tasks(scope)
    if brand_id is not None:
        query = query.where(Task.brand_id == brand_id)
    return paginate(
        session=session, query=query, id_column=Task.id, cursor=cursor, limit=limit, descending=True
    )


def assignments(*, session: Session, scope: Scope, task_id: int) -> list[TaskAssignment]:
    """The task's assignees the caller sees (a store manager: their stores' only)."""
    get_task(session=session, scope=scope, task_id=task_id)
    query = visibility.restrict(
        select(TaskAssignment).where(TaskAssignment.task_id == task_id), scope, ASSIGNMENTS
    )
    return list(session.scalars(query.order_by(TaskAssignment.id)))


def tallies(*, session: Session, scope: Scope, task_ids: Sequence[int]) -> dict[int, rules.Tally]:
    """Each task's counts over the assignees the caller sees, in one grouped query."""
    if not task_ids:
        return {}
    query = visibility.restrict(
        select(TaskAssignment.task_id, TaskAssignment.state, func.count())
        .where(TaskAssignment.task_id.in_(sorted(set(task_ids))))
        .group_by(TaskAssignment.task_id, TaskAssignment.state),
        scope,
        ASSIGNMENTS,
    )
    states: dict[int, list[State]] = {task_id: [] for task_id in task_ids}
    for task_id, state, count in session.execute(query):
        states[task_id] += [State(state)] * int(count)
    return {task_id: rules.tally(found) for task_id, found in states.items()}


def my_tasks(
    *, session: Session, scope: Scope, limit: int = 50
) -> list[tuple[Task, TaskAssignment]]:
    """The caller's own assignments, open ones first, the nearest deadline first."""
    if scope.actor_type != "staff" or scope.actor_id is None:
        return []
    rows = session.execute(
        select(Task, TaskAssignment)
        .join(TaskAssignment, TaskAssignment.task_id == Task.id)
        .where(TaskAssignment.assignee_id == scope.actor_id)
        .order_by((TaskAssignment.state == State.DONE.value), TaskAssignment.due_at, Task.id)
        .limit(limit)
    )
    return [(task, assignment) for task, assignment in rows]


def my_assignment(*, session: Session, scope: Scope, task_id: int) -> TaskAssignment:
    """The caller's assignment of ``task_id``; a task not sent to them is a 404."""
    get_task(session=session, scope=scope, task_id=task_id)
    found = session.scalar(
        select(TaskAssignment).where(
            TaskAssignment.task_id == task_id, TaskAssignment.assignee_id == scope.actor_id
        )
    )
    if found is None:
        raise errors.NotAnAssignee()
    return found


# ---- an assignee's steps ----------------------------------------------------------------


def mark_read(*, session: Session, scope: Scope, task_id: int, now: datetime) -> TaskAssignment:
    assignment = my_assignment(session=session, scope=scope, task_id=task_id)
    state = State(assignment.state)
    if rules.after_read(state) is not state:
        assignment.state = State.READ.value
    if assignment.read_at is None:
        assignment.read_at = now
    session.flush()
    return assignment


def start(*, session: Session, scope: Scope, task_id: int, now: datetime) -> TaskAssignment:
    assignment = mark_read(session=session, scope=scope, task_id=task_id, now=now)
    assignment.state = rules.after_start(State(assignment.state)).value
    if assignment.started_at is None:
        assignment.started_at = now
    session.flush()
    return assignment


def finish(
    *, session: Session, scope: Scope, task_id: int, data: TaskProgress, now: datetime
) -> TaskAssignment:
    """Done, with what the task's kind asks for: a photo, a passed quiz, a count, the goal
    (a follow-up asks for nothing more than the guide's word and, if they like, a note)."""
    task = get_task(session=session, scope=scope, task_id=task_id)
    assignment = my_assignment(session=session, scope=scope, task_id=task_id)
    if not rules.can_finish(State(assignment.state)):
        raise errors.TaskAlreadyDone()
    kind = TaskKind(task.kind)
    if kind is TaskKind.PROMOTION:
        if not data.proof_url:
            raise errors.ProofRequired()
        assignment.proof_url = data.proof_url
    elif kind is TaskKind.TRAINING:
        score = rules.quiz_score(task.quiz, data.answers)
        assignment.quiz_score = score
        if score < rules.PASS_MARK:
            session.flush()
            raise errors.QuizFailed()
    elif kind is TaskKind.STOCK_COUNT:
        if data.counted is None:
            raise errors.CountRequired()
        assignment.counted = data.counted
    elif kind is TaskKind.RECRUITMENT:
        signed = recruited(session=session, task=task, guide_ids=[assignment.assignee_id])
        count = signed.get(assignment.assignee_id, 0)
        if count < (task.goal or 0):
            raise errors.GoalNotReached()
        assignment.counted = count
    if assignment.read_at is None:
        assignment.read_at = now
    assignment.state = State.DONE.value
    assignment.done_at = now
    assignment.note = data.note
    session.flush()
    return assignment


def recruited(*, session: Session, task: Task, guide_ids: Sequence[int]) -> dict[int, int]:
    """Sign-ups bound to each guide while the task ran (its start to its deadline)."""
    return queries.signups_by_guide(
        session=session,
        brand_id=task.brand_id,
        guide_ids=guide_ids,
        start=task.starts_at,
        end=task.due_at,
    )


# ---- the worker -------------------------------------------------------------------------


def mark_overdue(*, session: Session, now: datetime) -> int:
    """Every open assignment past its deadline becomes overdue; how many did."""
    result = session.execute(
        update(TaskAssignment)
        .where(
            TaskAssignment.state.in_([s.value for s in rules.OPEN_STATES]),
            TaskAssignment.due_at <= now,
        )
        .values(state=State.OVERDUE.value, overdue_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
