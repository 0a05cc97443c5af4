"""Tasks reach exactly whom they aim at, refuse targets outside the sender's scope, and
track each assignee through read, started, done and overdue."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import member_builders as mb
from tests.integration.workbench import world as w
from tests.integration.workbench.inbox import templates_of

from newretail.db import Database, utcnow
from newretail.kernel.scope import Role, Scope
from newretail.workbench import service
from newretail.workbench.models import Task, TaskAssignment
from newretail.workbench.rules import Tally

pytestmark = pytest.mark.postgres


def _assignees(database: Database, task_id: int) -> dict[int, str]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(TaskAssignment.assignee_id, TaskAssignment.state).where(
                TaskAssignment.task_id == task_id
            )
        )
        return {person: state for person, state in rows}


def _tasks(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(Task)) or 0)


def test_a_region_reaches_exactly_the_guides_of_its_stores_down_the_tree(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    body = w.task_body({"regions": [world.base.east.id]})
    made = client.post("/api/v1/tasks", json=body, headers=world.headers("admin"))
    assert made.status_code == 201, made.text
    reached = _assignees(database, made.json()["id"])
    assert reached == {world.base.east_guide.id: "delivered", world.north_guide.id: "delivered"}
    assert templates_of(database, world.north_guide.id) == [("workbench.task", "inapp")]
    assert templates_of(database, world.west_guide.id) == []


def test_a_stock_count_reaches_the_store_managers_not_the_guides(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    body = w.task_body({"stores": [world.base.west_store.id]}, kind="stock_count")
    made = client.post("/api/v1/tasks", json=body, headers=world.headers("admin"))
    assert set(_assignees(database, made.json()["id"])) == {world.west_store_manager.id}


def test_a_region_manager_aiming_outside_their_subtree_is_refused_and_nothing_is_made(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    body = w.task_body({"regions": [world.base.east.id], "guides": [world.west_guide.id]})
    refused = client.post("/api/v1/tasks", json=body, headers=world.headers("east_manager"))
    assert (refused.status_code, refused.json()["code"]) == (403, "target_out_of_scope")
    assert _tasks(database) == 0


def test_a_store_manager_may_not_aim_at_a_region(database: Database, client: TestClient) -> None:
    world = w.world(database)
    body = w.task_body({"regions": [world.base.east.id]})
    refused = client.post("/api/v1/tasks", json=body, headers=world.headers("east_store_manager"))
    assert refused.json()["code"] == "target_out_of_scope"
    assert _tasks(database) == 0


def test_another_brands_task_is_a_404(database: Database, client: TestClient) -> None:
    world = w.world(database)
    other = w.world(database)
    made = client.post(
        "/api/v1/tasks",
        json=w.task_body({"stores": [other.base.east_store.id]}),
        headers=other.headers("admin"),
    )
    task_id = made.json()["id"]
    for path in (f"/api/v1/tasks/{task_id}", f"/api/v1/tasks/{task_id}/progress"):
        assert client.get(path, headers=world.headers("admin")).status_code == 404
    foreign = client.post(
        "/api/v1/tasks",
        json=w.task_body({"stores": [other.base.east_store.id]}),
        headers=world.headers("admin"),
    )
    assert foreign.status_code == 403


def test_read_then_done_with_a_photo_and_the_progress_rolls_up(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    made = client.post(
        "/api/v1/tasks",
        json=w.task_body({"regions": [world.base.hq.id]}),
        headers=world.headers("admin"),
    )
    task_id = made.json()["id"]
    guide = world.headers("north_guide")
    before = _assignees(database, task_id)[world.north_guide.id]
    client.get(f"/api/v1/tasks/{task_id}", headers=guide)
    assert _assignees(database, task_id)[world.north_guide.id] == before == "delivered"
    read = client.post(f"/api/v1/tasks/{task_id}/read", headers=guide)
    assert read.json()["state"] == "read"
    no_photo = client.post(f"/api/v1/tasks/{task_id}/done", json={}, headers=guide)
    assert no_photo.json()["code"] == "proof_required"
    done = client.post(
        f"/api/v1/tasks/{task_id}/done", json={"proof_url": "/media/ab/ab.png"}, headers=guide
    )
    assert (done.json()["state"], done.json()["proof_url"]) == ("done", "/media/ab/ab.png")
    progress = client.get(f"/api/v1/tasks/{task_id}/progress", headers=world.headers("admin"))
    regions = {r["region_id"]: (r["total"], r["done"]) for r in progress.json()["regions"]}
    assert regions[world.base.hq.id] == (3, 1)
    assert regions[world.base.east.id] == (2, 1)
    assert regions[world.north.id] == (1, 1)
    assert regions[world.base.west.id] == (1, 0)
    mine = client.get(f"/api/v1/tasks/{task_id}/progress", headers=world.headers("east_manager"))
    assert mine.json()["overall"]["total"] == 2


def test_only_the_worker_marks_a_task_overdue(database: Database, client: TestClient) -> None:
    world = w.world(database)
    due = utcnow() + timedelta(hours=1)
    made = client.post(
        "/api/v1/tasks",
        json=w.task_body({"stores": [world.base.east_store.id]}, due_at=due),
        headers=world.headers("admin"),
    )
    task_id = made.json()["id"]
    with database.transaction() as session:
        assert service.mark_overdue(session=session, now=due - timedelta(minutes=1)) == 0
    with database.transaction() as session:
        assert service.mark_overdue(session=session, now=due + timedelta(minutes=1)) == 1
    assert _assignees(database, task_id) == {world.base.east_guide.id: "overdue"}
    late = client.post(
        f"/api/v1/tasks/{task_id}/done",
        json={"proof_url": "/media/x.png"},
        headers=world.headers("east_guide"),
    )
    assert late.json()["state"] == "done"


def test_a_training_task_is_done_only_with_a_passing_quiz(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    quiz = [
        {"question": "Which fabric?", "options": ["wool", "silk"], "answer": 0},
        {"question": "Wash at?", "options": ["30", "60"], "answer": 0},
    ]
    made = client.post(
        "/api/v1/tasks",
        json=w.task_body({"guides": [world.west_guide.id]}, kind="training", quiz=quiz),
        headers=world.headers("admin"),
    )
    path = f"/api/v1/tasks/{made.json()['id']}/done"
    guide = world.headers("west_guide")
    failed = client.post(path, json={"answers": [1, 1]}, headers=guide)
    assert failed.json()["code"] == "quiz_failed"
    passed = client.post(path, json={"answers": [0, 0]}, headers=guide)
    assert (passed.json()["state"], passed.json()["quiz_score"]) == ("done", 100)


def test_a_recruitment_task_counts_sign_ups_bound_to_the_guide(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    made = client.post(
        "/api/v1/tasks",
        json=w.task_body(
            {"guides": [world.base.east_guide.id]},
            kind="recruitment",
            goal=2,
            starts_at=(utcnow() - timedelta(minutes=5)).isoformat(),
        ),
        headers=world.headers("admin"),
    )
    path = f"/api/v1/tasks/{made.json()['id']}/done"
    guide = world.headers("east_guide")
    mb.member(database, world.base)
    assert client.post(path, json={}, headers=guide).json()["code"] == "goal_not_reached"
    mb.scan(
        database, world.brand_id, mb.consumer(database), world.north_store.id, world.north_guide.id
    )
    assert client.post(path, json={}, headers=guide).json()["code"] == "goal_not_reached"
    mb.member(database, world.base)
    done = client.post(path, json={}, headers=guide)
    assert (done.json()["state"], done.json()["counted"]) == ("done", 2)


def test_a_task_not_sent_to_a_guide_cannot_be_read_by_them(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    made = client.post(
        "/api/v1/tasks",
        json=w.task_body({"stores": [world.base.west_store.id]}),
        headers=world.headers("admin"),
    )
    task_id = made.json()["id"]
    assert (
        client.get(f"/api/v1/tasks/{task_id}", headers=world.headers("east_guide")).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/tasks/{task_id}/read", headers=world.headers("east_guide")
        ).status_code
        == 404
    )


def test_the_task_lists_counts_match_each_tasks_progress(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    ids = [
        client.post(
            "/api/v1/tasks", json=w.task_body(targets), headers=world.headers("admin")
        ).json()["id"]
        for targets in ({"regions": [world.base.hq.id]}, {"stores": [world.base.west_store.id]})
    ]
    client.post(f"/api/v1/tasks/{ids[0]}/read", headers=world.headers("north_guide"))
    manager = Scope(
        actor_type="staff",
        actor_id=world.base.east_manager.id,
        roles=frozenset({Role.REGION_MANAGER}),
        brand_id=world.brand_id,
        region_ids=frozenset({world.base.east.id, world.north.id}),
        store_ids=frozenset({world.base.east_store.id, world.north_store.id}),
    )
    with database.transaction(read_only=True) as session:
        counted = service.tallies(session=session, scope=manager, task_ids=ids)
        each = {
            task_id: service.task_progress(session=session, scope=manager, task_id=task_id).overall
            for task_id in ids[:1]
        }
    assert counted[ids[0]] == each[ids[0]] == Tally(total=2, read=1)
    assert counted[ids[1]] == Tally()
