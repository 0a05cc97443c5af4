"""The request path: who is calling is known without rebuilding a scope on every request,
and changes to staff, roles, keys and stores still apply at once."""

import inspect
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update
from tests import builders
from tests import member_builders as members
from tests.e2e import pages_support
from tests.statements import count_statements

from newretail.app import create_app
from newretail.auth import cache as auth_cache
from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.config import Settings
from newretail.db import Database


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_consumer_token_is_resolved_without_the_database(
    client: TestClient, database: Database
) -> None:
    consumer_id = members.consumer(database)
    token, _ = auth_service.issue_consumer_token(consumer_id=consumer_id)

    with count_statements(database) as sent:
        me = client.get("/api/v1/auth/me", headers=bearer(token))

    assert me.json()["actor_type"] == "consumer"
    assert me.json()["actor_id"] == consumer_id
    assert sent == []


def test_a_staff_scope_is_read_once_then_known_without_the_database(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    headers = world.headers("east_store_manager")

    with count_statements(database) as first_time:
        first = client.get("/api/v1/auth/me", headers=headers).json()
    with count_statements(database) as second_time:
        second = client.get("/api/v1/auth/me", headers=headers).json()

    assert first == second
    assert first["store_ids"] == [world.east_store.id]
    assert len(first_time) > 0
    assert second_time == []


def test_a_deactivated_account_is_refused_on_its_very_next_request(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    guide = world.headers("east_guide")
    assert client.get("/api/v1/auth/me", headers=guide).status_code == 200

    deactivated = client.patch(
        f"/api/v1/staff/{world.east_guide.id}",
        json={"is_active": False},
        headers=world.headers("admin"),
    )
    refused = client.get("/api/v1/auth/me", headers=guide)

    assert deactivated.status_code == 200
    assert (refused.status_code, refused.json()["code"]) == (401, "account_inactive")


def test_new_roles_apply_on_the_very_next_request(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    manager = world.headers("east_store_manager")
    before = client.get("/api/v1/auth/me", headers=manager).json()

    client.put(
        f"/api/v1/staff/{world.east_store_manager.id}/roles",
        json={"roles": [{"role": "store_manager", "store_id": world.west_store.id}]},
        headers=world.headers("admin"),
    )
    after = client.get("/api/v1/auth/me", headers=manager).json()

    assert before["store_ids"] == [world.east_store.id]
    assert after["store_ids"] == [world.west_store.id]


def test_a_store_opened_in_a_managers_region_is_theirs_at_once(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    manager = world.headers("east_manager")
    before = client.get("/api/v1/auth/me", headers=manager).json()["store_ids"]

    with database.transaction() as session:
        opened = builders.store(session, world.brand.id, world.east.id).id
    after = client.get("/api/v1/auth/me", headers=manager).json()["store_ids"]

    assert before == [world.east_store.id]
    assert after == sorted([world.east_store.id, opened])


def test_a_change_made_by_another_process_applies_once_the_entry_runs_out(
    client: TestClient, database: Database
) -> None:
    clock = Clock()
    auth_cache.install(database, auth_cache.ScopeCache(ttl_seconds=5, clock=clock))
    world = builders.brand_world(database)
    guide = world.headers("east_guide")
    assert client.get("/api/v1/auth/me", headers=guide).status_code == 200
    # Another process deactivates the guide: nothing of this process's sessions sees it.
    with database.engine.begin() as connection:
        connection.execute(
            update(Staff).where(Staff.id == world.east_guide.id).values(is_active=False)
        )

    clock.now += 5
    refused = client.get("/api/v1/auth/me", headers=guide)

    assert (refused.status_code, refused.json()["code"]) == (401, "account_inactive")


def test_an_api_key_is_looked_up_once_and_a_wrong_secret_still_fails(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    key = client.post(
        "/api/v1/api-keys", json={"name": "ERP"}, headers=world.headers("admin")
    ).json()["key"]
    assert client.get("/api/v1/auth/me", headers=bearer(key)).status_code == 200
    kind, prefix, secret = key.split("_", 2)
    forged = f"{kind}_{prefix}_{'x' * len(secret)}"

    with count_statements(database) as sent:
        known = client.get("/api/v1/auth/me", headers=bearer(key))
    wrong = client.get("/api/v1/auth/me", headers=bearer(forged))

    assert (known.status_code, known.json()["actor_type"]) == (200, "api_key")
    assert sent == []
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_token")


def test_a_deactivated_member_of_staff_is_sent_to_the_login_form_on_the_next_page(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    pages = TestClient(client.app)
    pages_support.login(pages, world.east_store_manager)
    assert pages.get("/console", follow_redirects=False).status_code == 200

    client.patch(
        f"/api/v1/staff/{world.east_store_manager.id}",
        json={"is_active": False},
        headers=world.headers("admin"),
    )
    after = pages.get("/console", follow_redirects=False)

    assert (after.status_code, after.headers["location"]) == (303, "/login?next=/console")


def test_a_zero_cache_lifetime_reads_the_scope_on_every_request(database: Database) -> None:
    settings = Settings(
        database_url=database.url, auth_cache_seconds=0, log_json=False, log_level="WARNING"
    )
    world = builders.brand_world(database)
    headers = world.headers("east_store_manager")

    with TestClient(create_app(settings, database)) as uncached:
        uncached.get("/api/v1/auth/me", headers=headers)
        with count_statements(database) as second_time:
            second = uncached.get("/api/v1/auth/me", headers=headers)

    assert second.json()["store_ids"] == [world.east_store.id]
    assert len(second_time) > 0


def test_no_route_runs_a_dependency_on_a_worker_thread(client: TestClient) -> None:
    """FastAPI runs a plain-function dependency on a worker thread: a hop of its own before
    the endpoint runs, on every request of every route that has it. Dependencies are
    coroutines (a sync endpoint still runs on one thread, with its session)."""
    on_threads: set[str] = set()

    def awaited(call: Any) -> bool:
        target = call if inspect.isroutine(call) else type(call).__call__
        return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)

    def walk(dependant: Any) -> None:
        for dependency in dependant.dependencies:
            call = dependency.call
            if call is not None and not awaited(call):
                on_threads.add(f"{call.__module__}.{call.__qualname__}")
            walk(dependency)

    routes = 0
    for included in client.app.router.routes:  # type: ignore[attr-defined]
        for context in getattr(included, "effective_route_contexts", list)():
            route = getattr(context, "_route_context", None) or context
            dependant = getattr(route, "dependant", None)
            if dependant is not None:
                routes += 1
                walk(dependant)

    assert routes > 400
    assert on_threads == set()
