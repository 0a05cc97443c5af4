"""Staff accounts and roles from the console: only within the creator's own scope."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import builders
from tests.e2e.manage.manage_support import audit_actions, field_error
from tests.e2e.pages_support import csrf_of, login, post_form

from newretail.auth.models import RoleAssignment, Staff
from newretail.db import Database

pytestmark = pytest.mark.sqlite_only


def _staff_count(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(Staff)) or 0)


def _roles(database: Database, username: str) -> list[tuple[str, int | None, int | None]]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(RoleAssignment.role, RoleAssignment.region_id, RoleAssignment.store_id)
            .join(Staff, Staff.id == RoleAssignment.staff_id)
            .where(Staff.username == username)
            .order_by(RoleAssignment.role)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _new(world: builders.BrandWorld, **fields: str) -> dict[str, str]:
    return {
        "display_name": "王小雨",
        "username": "xiaoyu.wang",
        "password": "long-enough-pw",
        "role": "guide",
        "store_id": str(world.east_store.id),
        **fields,
    }


def test_a_store_manager_makes_a_guide_of_their_store_who_can_log_in(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.east_store_manager)

    created = post_form(client, "/console/staff/new", _new(world))
    page = client.get(created.headers["location"]).text

    assert created.status_code == 303
    assert _roles(database, "xiaoyu.wang") == [("guide", None, world.east_store.id)]
    assert "王小雨 现在可以用 xiaoyu.wang 登录了。" in page
    assert audit_actions(database, "staff")[-1] == "staff.created"
    client.cookies.clear()
    signed_in = client.post(
        "/login",
        data={
            "username": "xiaoyu.wang",
            "password": "long-enough-pw",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/g"


def test_a_role_above_the_creators_own_is_refused_and_nothing_is_saved(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.east_store_manager)
    before = _staff_count(database)

    refused = post_form(
        client,
        "/console/staff/new",
        _new(world, role="region_manager", region_id=str(world.east.id)),
    )

    assert refused.status_code == 403
    assert field_error(refused.text, "role") == "您不能授予这个角色。"
    assert _staff_count(database) == before


def test_a_store_outside_the_creators_scope_is_refused_and_nothing_is_saved(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    before = _staff_count(database)

    login(client, world.east_store_manager)
    by_store_manager = post_form(
        client, "/console/staff/new", _new(world, store_id=str(world.west_store.id))
    )
    login(client, world.east_manager)
    by_region_manager = post_form(
        client,
        "/console/staff/new",
        _new(world, role="store_manager", store_id=str(world.west_store.id)),
    )

    assert (by_store_manager.status_code, by_region_manager.status_code) == (404, 404)
    assert field_error(by_store_manager.text, "store_id") == "未找到该门店。"
    assert field_error(by_region_manager.text, "store_id") == "未找到该门店。"
    assert _staff_count(database) == before


def test_a_taken_username_and_a_short_password_are_shown_on_their_fields(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)
    before = _staff_count(database)

    taken = post_form(client, "/console/staff/new", _new(world, username=world.east_guide.username))
    short = post_form(client, "/console/staff/new", _new(world, password="short"))

    assert (taken.status_code, short.status_code) == (409, 422)
    assert field_error(taken.text, "username") == "该用户名已被占用。"
    assert field_error(short.text, "password") == "至少 8 个字符。"
    assert "short" not in short.text.split('name="password"')[1].split(">")[0]
    assert _staff_count(database) == before


def test_a_brand_admin_gives_a_guide_a_second_role_and_takes_it_back(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)
    guide = world.east_guide

    given = post_form(
        client,
        f"/console/staff/{guide.id}/roles",
        {"role": "cashier", "store_id": str(world.west_store.id)},
    )
    with_two = _roles(database, guide.username)
    page = client.get(f"/console/staff/{guide.id}").text
    index = page.split('data-role="cashier"')[1].split('name="index" value="')[1].split('"')[0]
    taken = post_form(client, f"/console/staff/{guide.id}/roles/remove", {"index": index})

    assert (given.status_code, taken.status_code) == (303, 303)
    assert with_two == [
        ("cashier", None, world.west_store.id),
        ("guide", None, world.east_store.id),
    ]
    assert _roles(database, guide.username) == [("guide", None, world.east_store.id)]
    assert audit_actions(database, "staff")[-2:] == ["staff.roles_changed", "staff.roles_changed"]


def test_a_store_manager_cannot_give_a_role_at_another_store_to_their_guide(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.east_store_manager)

    refused = post_form(
        client,
        f"/console/staff/{world.east_guide.id}/roles",
        {"role": "cashier", "store_id": str(world.west_store.id)},
    )

    assert refused.status_code == 404
    assert field_error(refused.text, "store_id") == "未找到该门店。"
    assert _roles(database, world.east_guide.username) == [("guide", None, world.east_store.id)]


def test_guides_and_cashiers_do_not_manage_staff(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    login(client, world.east_cashier)

    listing = client.get("/console/staff")
    posted = post_form(client, "/console/staff/new", _new(world, role="cashier"))

    assert (listing.status_code, posted.status_code) == (403, 403)
