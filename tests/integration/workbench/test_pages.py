"""The workbench's forms: a refused target, a DING to nobody and a failed quiz are shown on
the form (never a 500) and nothing is written; a task's page reads without marking it."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import member_builders
from tests.e2e.pages_support import csrf_of, login, post_form
from tests.integration.workbench import world as w

from newretail.db import Database, utcnow
from newretail.workbench.models import Ding, Task, TaskAssignment

pytestmark = pytest.mark.postgres


def _count(database: Database, model: type) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_store_manager_aiming_at_a_region_sees_why_and_nothing_is_sent(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    login(client, world.base.east_store_manager)
    due = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    answer = post_form(
        client,
        "/console/tasks/new",
        {"kind": "promotion", "title": "Window", "due_at": due, f"region_{world.base.hq.id}": "1"},
    )
    assert answer.status_code == 403
    assert 'data-testid="task-form"' in answer.text
    assert _count(database, Task) == 0


def test_a_task_sent_from_the_console_reaches_the_checked_stores_guides(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    login(client, world.base.admin)
    due = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    answer = post_form(
        client,
        "/console/tasks/new",
        {
            "kind": "training",
            "title": "Fabrics",
            "due_at": due,
            "quiz": "Wool? | *dry clean | hot wash",
            f"store_{world.base.west_store.id}": "1",
            f"guide_{world.north_guide.id}": "1",
        },
    )
    assert answer.status_code == 303, answer.text[:300]
    with database.transaction(read_only=True) as session:
        reached = set(session.scalars(select(TaskAssignment.assignee_id)))
    assert reached == {world.west_guide.id, world.north_guide.id}


def test_a_ding_to_nobody_is_shown_on_the_form(database: Database, client: TestClient) -> None:
    world = w.world(database)
    login(client, world.base.east_store_manager)
    answer = post_form(client, "/console/dings", {"body": "Anyone?", "minutes": "15"})
    assert answer.status_code == 422
    assert "ding-form" in answer.text
    assert _count(database, Ding) == 0


def test_a_guide_opening_a_task_page_leaves_it_delivered_until_the_page_says_read(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    login(client, world.base.admin)
    due = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    post_form(
        client,
        "/console/tasks/new",
        {
            "kind": "promotion",
            "title": "Window",
            "due_at": due,
            f"guide_{world.west_guide.id}": "1",
        },
    )
    client.cookies.clear()
    login(client, world.west_guide, "/g/work")
    with database.transaction(read_only=True) as session:
        task_id = session.scalar(select(Task.id))
    page = client.get(f"/g/work/tasks/{task_id}")
    assert page.status_code == 200
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(TaskAssignment.state)) == "delivered"
    token = csrf_of(client, f"/g/work/tasks/{task_id}")
    read = client.post(f"/g/work/tasks/{task_id}/read", data={"csrf_token": token})
    assert read.status_code == 204
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(TaskAssignment.state)) == "read"
    failed = client.post(
        f"/g/work/tasks/{task_id}/done", data={"csrf_token": token}, follow_redirects=False
    )
    assert failed.status_code == 422
    assert "请上传完成后的照片。" in failed.text


def test_a_recruitment_tasks_page_shows_each_guides_sign_ups(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    login(client, world.base.admin)
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
    member_builders.member(database, world.base)
    page = client.get(f"/console/tasks/{made.json()['id']}")
    assert '<span data-testid="recruited">已招募 1 / 2</span>' in page.text


def test_a_guides_day_shows_their_own_and_their_stores_targets_not_a_colleagues(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    colleague = member_builders.guide(database, world.brand_id, world.base.east_store.id)
    today = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    made = {}
    for who in (None, world.base.east_guide.id, colleague.id):
        answer = client.put(
            "/api/v1/targets",
            json={
                "store_id": world.base.east_store.id,
                "guide_id": who,
                "metric": "sales",
                "period": "week",
                "starts_on": today,
                "goal": 100_00,
            },
            headers=world.headers("admin"),
        )
        made[who] = answer.json()["id"]
    login(client, world.base.east_guide, "/g/work")
    page = client.get("/g/work").text
    shown = {who for who, target_id in made.items() if f'data-target="{target_id}"' in page}
    assert shown == {None, world.base.east_guide.id}
