"""A plain ``def`` endpoint on an ``ApiRoute`` runs on one worker thread per request, its
answer still checked against its model (on the event loop); every API route is one."""

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastapi.routing
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database
from newretail.kernel import http
from newretail.kernel.errors import NotFound
from newretail.kernel.http import ApiRoute


class Item(BaseModel):
    id: int
    name: str


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The worker-thread hops, by whom: FastAPI's (an endpoint, a response check) and the
    route's own."""
    taken: list[str] = []

    def counted(who: str) -> Any:
        async def hop(func: Any, *args: Any, **kwargs: Any) -> Any:
            taken.append(who)
            return await run_in_threadpool(func, *args, **kwargs)

        return hop

    monkeypatch.setattr(fastapi.routing, "run_in_threadpool", counted("fastapi"))
    monkeypatch.setattr(http, "run_in_threadpool", counted("route"))
    yield taken


def _client(route_class: type[APIRoute]) -> tuple[TestClient, dict[str, int]]:
    router = APIRouter(route_class=route_class)
    threads: dict[str, int] = {}

    @router.get("/items/{item_id}", response_model=Item)
    def item(item_id: int) -> Any:
        threads["endpoint"] = threading.get_ident()
        return {"id": item_id, "name": f"item {item_id}"}

    @router.get("/broken", response_model=Item)
    def broken() -> Any:
        return {"id": "not a number"}

    @router.get("/events")
    async def events() -> dict[str, int]:
        threads["async"] = threading.get_ident()
        return {"events": 0}

    app = FastAPI()
    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False), threads


def test_a_plain_endpoint_takes_one_hop_where_fastapi_takes_two(hops: list[str]) -> None:
    client, threads = _client(ApiRoute)
    with client:  # one event loop, on one thread, for both requests
        answer = client.get("/items/7")
        one_hop = list(hops)
        hops.clear()
        client.get("/events")
    plain, _ = _client(APIRoute)
    plain.get("/items/7")

    assert answer.status_code == 200
    assert answer.json() == {"id": 7, "name": "item 7"}
    assert one_hop == ["route"]
    assert threads["endpoint"] != threads["async"]  # the endpoint's work is off the loop
    assert hops == ["fastapi", "fastapi"]  # a plain APIRoute: the endpoint, then the check


def test_an_answer_that_breaks_its_model_is_still_refused(hops: list[str]) -> None:
    client, _ = _client(ApiRoute)

    assert client.get("/broken").status_code == 500
    assert hops == ["route"]


def test_an_async_endpoint_is_left_as_it_is() -> None:
    async def events() -> dict[str, int]:
        return {}

    assert ApiRoute("/events", events).endpoint is events


def test_every_api_route_of_the_app_is_an_api_route() -> None:
    app = create_app(Settings(database_url="sqlite://"), Database("sqlite://"))
    api = [
        route
        for route in fastapi.routing.iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute) and route.include_in_schema
    ]

    assert api
    assert [
        route.path_format for route in api if not isinstance(route.original_route, ApiRoute)
    ] == []


def _session_app(route_class: type[APIRoute], path: Path) -> tuple[TestClient, Database]:
    """Routes that write a row (or fail after writing it) through the request's session."""
    database = Database(f"sqlite:///{path / 'notes.db'}")
    with database.transaction() as session:
        session.execute(text("CREATE TABLE note (body TEXT)"))
    router = APIRouter(route_class=route_class)

    @router.post("/notes")
    def write(session: http.SessionDep, fail: bool = False) -> dict[str, bool]:
        session.execute(text("INSERT INTO note VALUES ('kept?')"))
        if fail:
            raise NotFound()
        return {"written": True}

    app = FastAPI()
    app.state.database = database

    @app.exception_handler(NotFound)
    async def not_found(_: Any, exc: NotFound) -> JSONResponse:
        return JSONResponse({"code": exc.code}, status_code=exc.status)

    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False), database


def _notes(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(text("SELECT count(*) FROM note")) or 0)


def test_the_route_commits_a_request_and_rolls_back_a_failed_one(tmp_path: Path) -> None:
    client, database = _session_app(ApiRoute, tmp_path)
    with client:
        written = client.post("/notes")
        failed = client.post("/notes", params={"fail": True})

    assert (written.status_code, failed.status_code) == (200, 404)
    assert _notes(database) == 1
    assert database.engine.pool.checkedout() == 0
    database.dispose()


def test_the_session_dependency_refuses_a_route_that_would_not_end_it(tmp_path: Path) -> None:
    client, database = _session_app(APIRoute, tmp_path)

    assert client.post("/notes").status_code == 500
    assert _notes(database) == 0
    database.dispose()
