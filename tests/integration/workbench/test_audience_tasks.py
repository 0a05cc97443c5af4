"""Tasks aimed at an audience reach exactly the guides its members who accept marketing are
bound to (within the sender's scope), each assignment naming the members the guide serves,
and the guide's task page lists them."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import audience_builders as ab
from tests import member_builders as mb
from tests.e2e.pages_support import csrf_of, login, post_form
from tests.integration.workbench import world as w

from newretail.db import Database, utcnow
from newretail.members.models import Membership
from newretail.workbench.models import Task, TaskAssignment

pytestmark = pytest.mark.postgres


def _bound(database: Database, world: w.World, store_id: int, guide_id: int) -> int:
    """A member recruited at ``store_id`` by ``guide_id`` (bound to them)."""
    outcome = mb.scan(database, world.brand_id, mb.consumer(database), store_id, guide_id)
    return outcome.member_id


def _aimed_at(audience_id: int) -> dict[str, Any]:
    body = w.task_body({})
    body["targets"]["audience_id"] = audience_id
    return body


def _assigned(database: Database, task_id: int) -> dict[int, list[int] | None]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(TaskAssignment.assignee_id, TaskAssignment.audience_member_ids).where(
                TaskAssignment.task_id == task_id
            )
        )
        return {guide: members for guide, members in rows}


def test_an_audience_task_reaches_exactly_the_bound_guides_with_their_members(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    east_guide = world.base.east_guide.id
    east_store = world.base.east_store.id
    east_pair = sorted(_bound(database, world, east_store, east_guide) for _ in range(2))
    north_one = _bound(database, world, world.north_store.id, world.north_guide.id)
    shy = _bound(database, world, east_store, east_guide)
    _bound(database, world, world.base.west_store.id, world.west_guide.id)  # not in the audience
    unbound = mb.member_of_brand_only(database, world.brand_id)
    chosen = {**dict.fromkeys([*east_pair, north_one, unbound], True), shy: False}
    audience = ab.audience(database, world.brand_id, chosen)

    made = client.post("/api/v1/tasks", json=_aimed_at(audience), headers=world.headers("admin"))

    assert made.status_code == 201, made.text
    assert _assigned(database, made.json()["id"]) == {
        east_guide: east_pair,
        world.north_guide.id: [north_one],
    }


def test_a_region_manager_reaches_only_the_guides_of_their_region(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    east_one = _bound(database, world, world.base.east_store.id, world.base.east_guide.id)
    north_one = _bound(database, world, world.north_store.id, world.north_guide.id)
    west_one = _bound(database, world, world.base.west_store.id, world.west_guide.id)
    audience = ab.audience(
        database, world.brand_id, dict.fromkeys([east_one, north_one, west_one], True)
    )

    made = client.post(
        "/api/v1/tasks",
        json=_aimed_at(audience),
        headers=world.headers("east_manager"),
    )

    assert made.status_code == 201, made.text
    assert _assigned(database, made.json()["id"]) == {
        world.base.east_guide.id: [east_one],
        world.north_guide.id: [north_one],
    }


def test_another_brands_audience_is_a_404_and_no_task_is_made(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    other = w.world(database)
    theirs = _bound(database, other, other.base.east_store.id, other.base.east_guide.id)
    audience = ab.audience(database, other.brand_id, {theirs: True})

    refused = client.post("/api/v1/tasks", json=_aimed_at(audience), headers=world.headers("admin"))

    assert (refused.status_code, refused.json()["code"]) == (404, "audience_not_found")
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 0


def test_the_guides_task_page_lists_the_members_to_reach(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    east_guide = world.base.east_guide
    mine = sorted(
        _bound(database, world, world.base.east_store.id, east_guide.id) for _ in range(2)
    )
    audience = ab.audience(database, world.brand_id, dict.fromkeys(mine, True))
    made = client.post("/api/v1/tasks", json=_aimed_at(audience), headers=world.headers("admin"))
    with database.transaction(read_only=True) as session:
        numbers = list(session.scalars(select(Membership.member_no).where(Membership.id.in_(mine))))

    login(client, east_guide, "/g/work")
    day = client.get("/g/work")
    page = client.get(f"/g/work/tasks/{made.json()['id']}")

    assert "2 位待联系的会员" in day.text
    assert 'data-testid="members-to-reach"' in page.text
    assert "待联系的会员" in page.text
    assert all(f'href="/g/members/{member_id}"' in page.text for member_id in mine)
    assert all(number in page.text for number in numbers)


def test_a_follow_up_sent_from_the_console_to_an_audience_is_done_with_a_note(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    east_guide = world.base.east_guide
    mine = _bound(database, world, world.base.east_store.id, east_guide.id)
    audience = ab.audience(database, world.brand_id, {mine: True})
    login(client, world.base.admin)
    due = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    form = client.get("/console/tasks/new")
    body = {"kind": "follow_up", "title": "Call back", "due_at": due}
    unaimed = post_form(client, "/console/tasks/new", body)
    sent = post_form(client, "/console/tasks/new", {**body, "audience": str(audience)})
    client.cookies.clear()
    login(client, east_guide, "/g/work")
    with database.transaction(read_only=True) as session:
        task_id = session.scalar(select(Task.id))
    token = csrf_of(client, f"/g/work/tasks/{task_id}")
    done = client.post(
        f"/g/work/tasks/{task_id}/done",
        data={"csrf_token": token, "note": "Both called; one comes Saturday"},
        follow_redirects=False,
    )

    assert 'name="audience"' in form.text and "chosen（1 人）" in form.text
    assert unaimed.status_code == 422
    assert sent.status_code == 303, sent.text[:300]
    assert done.status_code == 303, done.text[:300]
    with database.transaction(read_only=True) as session:
        finished = session.execute(
            select(TaskAssignment.assignee_id, TaskAssignment.state, TaskAssignment.note)
        ).all()
    assert finished == [(east_guide.id, "done", "Both called; one comes Saturday")]


def test_a_follow_up_must_be_aimed_at_an_audience(database: Database, client: TestClient) -> None:
    world = w.world(database)
    body = w.task_body({"guides": [world.base.east_guide.id]}, kind="follow_up")

    refused = client.post("/api/v1/tasks", json=body, headers=world.headers("admin"))

    assert refused.status_code == 422
