"""What every router shares: the request's transaction, the caller, paging and idempotent creates.

The caller is resolved by the ``Authenticator`` the boot layer puts on
``app.state.authenticate``; so routers depend on the kernel, not on the auth domain.

The dependencies here are ``async``: FastAPI runs a plain ``def`` dependency on a worker
thread, one hop per dependency per request. Opening a session does no I/O, and most
callers are known without the database (a signed consumer token, a recently seen staff
token or API key), so those steps stay on the event loop; only the database work itself
(resolving an unknown caller, ending a transaction that was used) goes to a thread.
"""

import asyncio
import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Protocol

import anyio
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import Scope as AsgiScope

from newretail.db import Database, finish
from newretail.kernel import idempotency
from newretail.kernel.errors import InvalidToken
from newretail.kernel.scope import Scope

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiRoute(APIRoute):
    """A route whose plain ``def`` endpoint runs on a worker thread as one awaited call.

    FastAPI runs a plain ``def`` endpoint on a worker thread, and then, for it alone, checks
    and serializes what it returned on another: two hops a request where one does, and the
    second gains nothing (the check holds the interpreter lock wherever it runs). Behind an
    ``async`` wrapper (the endpoint's own signature, for the dependencies and the document)
    the check runs on the event loop, as it does for an ``async`` endpoint."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _awaited_on_a_thread(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, then the end of the request's transaction (``get_session``),
        committed (rolled back on any error) before the response is sent."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except BaseException:
                await _end_request_session(request, commit=False)
                raise
            await _end_request_session(request, commit=request.method not in READ_METHODS)
            return response

        return handle


def _awaited_on_a_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def on_a_thread(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return on_a_thread


_bearer = HTTPBearer(auto_error=False, description="A staff access token or an API key.")


class Authenticator(Protocol):
    """Turns a bearer token into the caller's scope."""

    def known(self, token: str) -> Scope | None:
        """The scope if it can be told without the database, else None (no I/O)."""

    def __call__(self, session: Session, token: str) -> Scope:
        """The scope, reading the database where needed."""


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


_SESSION = "newretail.session"  # ASGI scope: the request's session, for its route to end


async def get_session(request: Request) -> Session:
    """One transaction per request: committed before the response is sent, or rolled back.

    The route (an ``ApiRoute``) ends it once its handler is done. Not a generator
    dependency: FastAPI enters and leaves one through an exit stack, a context manager and
    a shielded cancel scope, which cost a purchase refused on the event loop a seventh of
    its CPU (0.33-0.35 ms with, 0.29-0.30 without, in-process)."""
    route = request.scope.get("route")
    if not isinstance(route, ApiRoute):
        raise TypeError(f"SessionDep is for ApiRoute routes only, not {type(route).__name__}.")
    database: Database = request.app.state.database
    session = database.session(read_only=request.method in READ_METHODS)
    request.scope[_SESSION] = session
    return session


async def _end_request_session(request: Request, *, commit: bool) -> None:
    session: Session | None = request.scope.pop(_SESSION, None)
    if session is not None:
        await end_session(session, commit=commit)


async def end_session(session: Session, *, commit: bool) -> None:
    """Commit or roll back and close; on a worker thread only if the session did anything.

    The thread comes from a limiter of its own (as FastAPI does for generator
    dependencies): when every pooled worker thread is busy waiting for a connection,
    the request holding one must still be able to give it back.
    """
    if not (session.in_transaction() or session.new or session.dirty or session.deleted):
        session.close()
        return
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(
            lambda: finish(session, commit=commit), limiter=anyio.CapacityLimiter(1)
        )


SessionDep = Annotated[Session, Depends(get_session)]


async def get_scope(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Scope:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidToken("A bearer token is required.")
    return await resolve_scope(request, session, credentials.credentials)


async def resolve_scope(request: Request, session: Session, token: str) -> Scope:
    """The caller behind ``token``: on the event loop when known, else on a worker thread."""
    authenticate: Authenticator = request.app.state.authenticate
    scope = authenticate.known(token)
    if scope is None:
        scope = await run_in_threadpool(_look_up, authenticate, session, token)
    return scope


def _look_up(authenticate: Authenticator, session: Session, token: str) -> Scope:
    """The scope read through the request's session, whose transaction then ends: on SQLite
    a writing session's first read takes the write lock, which a handler running its own
    transactions (a payment code: recorded, charged, settled) would otherwise wait on."""
    try:
        return authenticate(session, token)
    finally:
        if not (session.new or session.dirty or session.deleted):
            session.rollback()


ScopeDep = Annotated[Scope, Depends(get_scope)]
Cursor = Annotated[str | None, Query(max_length=200, description="From `next_cursor`.")]
Limit = Annotated[int, Query(ge=1, le=200)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Retries with the same key and body get the first answer; "
        "the same key with another body is 409 idempotency_key_reused.",
    ),
]


def idempotent(
    *,
    session: Session,
    scope: Scope,
    key: str | None,
    operation: str,
    payload: Any,
    work: Callable[[], tuple[int, BaseModel]],
) -> JSONResponse:
    """Run a create once per Idempotency-Key and answer with its (replayed) status and body.

    The request's transaction ends here, in the worker thread that did the work, committed
    or (on any error) rolled back: rows the work locked (a hot stock row, SQLite's write
    lock) are let go at once, not after a trip back through the event loop. The session's
    dependency then only closes it.
    """

    def answer() -> tuple[int, dict[str, Any]]:
        code, model = work()
        return code, model.model_dump(mode="json")

    try:
        code, body = idempotency.run(
            session=session, scope=scope, key=key, operation=operation, payload=payload, work=answer
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return JSONResponse(body, status_code=code)


async def idempotent_sale(
    *,
    request: Request,
    refuse: Callable[[], None],
    session: Session,
    scope: Scope,
    key: str | None,
    operation: str,
    payload: Any,
    work: Callable[[], tuple[int, BaseModel]],
) -> JSONResponse:
    """A sale (a checkout, a purchase) for an ``async`` route: ``idempotent`` on a worker
    thread, in the process's turn for sales where it has turns (``app.state.sales``).

    First, for a request without an ``Idempotency-Key``, ``refuse`` runs on the event loop:
    a refusal it can tell without I/O (a buyer of a shelf just found sold out) takes no
    thread, no turn and no connection; it runs again once the turn comes, since the sales
    before it may have told it more. A request with a key goes to the database: its stored
    answer may be another.

    Turns: on SQLite one transaction writes at a time, so sales running side by side in a
    process only wait on each other's write lock while their threads take the interpreter
    from the one holding it, and each buyer who read the shelf before another's sale
    committed is charged for units they may then lose (and given the money back). Waiting
    for the turn on the event loop costs nothing.
    """
    call = functools.partial(
        idempotent,
        session=session,
        scope=scope,
        key=key,
        operation=operation,
        payload=payload,
        work=work,
    )
    if key is None:
        refuse()
    turns: asyncio.Semaphore | None = getattr(request.app.state, "sales", None)
    if turns is None:
        return await run_in_threadpool(call)
    async with turns:
        if key is None:
            refuse()
        return await run_in_threadpool(call)


def sale_turns(database: Database, at_once: int) -> asyncio.Semaphore | None:
    """The turns of an app's sales (``idempotent_sale``): ``at_once`` on SQLite, none (only
    the request threads bound them) on PostgreSQL."""
    return asyncio.Semaphore(at_once) if database.is_sqlite else None


# ---- routing ---------------------------------------------------------------------------


def _leading(path_format: str) -> tuple[str, ...]:
    """A path's literal segments before its first parameter: ``/api/v1/orders/{id}/pay``
    gives ``("api", "v1", "orders")``."""
    leading = []
    for part in path_format.split("/"):
        if "{" in part:
            break
        if part:
            leading.append(part)
    return tuple(leading)


_PARTS = "newretail.path_parts"  # ASGI scope: the request path's segments


class _Prefilter:
    """The ``matches`` of a router included in the app, asked only about a path that one of
    its routes could take: one that begins with the literal segments of one of its paths.

    The app's routers are tried in turn for each request, each trying its routes' patterns
    in turn: a page under ``/s/`` was matched against every API router first (0.68 ms of
    CPU a request here, 0.17 ms for ``POST /api/v1/purchases``). The leading segments are
    read again whenever the router's routes change, until ``fix`` (a served app's routes
    are all added before its first request): asking the router for the version of its
    routes walks them, which for a request's eleven or so routers cost more than the
    matching it saves.
    """

    def __init__(self, included: Any) -> None:
        self.included = included
        self.matches: Callable[[AsgiScope], tuple[Match, AsgiScope]] = included.matches
        self.version: int | None = None
        self.fixed = False
        self.leads: frozenset[tuple[str, ...]] = frozenset()
        self.depths: tuple[int, ...] = ()

    def fix(self) -> None:
        """Read the leading segments now, and no more."""
        self._read()
        self.fixed = True

    def _read(self) -> None:
        if self.fixed:
            return
        version = self.included.original_router._get_routes_version()
        if version == self.version:
            return
        leads = set()
        for context in self.included.effective_route_contexts():
            starlette_route = getattr(context, "starlette_route", None)
            path_format = getattr(starlette_route, "path_format", None) or context.path_format
            leads.add(_leading(path_format))
        self.leads = frozenset(leads)
        self.depths = tuple(sorted({len(lead) for lead in leads}))
        self.version = version

    def __call__(self, scope: AsgiScope) -> tuple[Match, AsgiScope]:
        if scope["type"] != "http" or scope.get("root_path"):
            return self.matches(scope)
        self._read()
        parts = scope.get(_PARTS)
        if parts is None:  # the next routers of this request take them from the scope
            parts = scope[_PARTS] = tuple(part for part in scope["path"].split("/") if part)
        for depth in self.depths:
            if parts[:depth] in self.leads:
                return self.matches(scope)
        return Match.NONE, {}


def build_routes(app: FastAPI) -> int:
    """Build the request handling of every route the app includes, now; the routes built.

    FastAPI builds an included route's dependants, parameter fields and handler on the
    first request that walks its router, per app: the first requests of a new process
    would wait on it (~0.4 s for all of this app's routers). A served process calls this
    before it takes requests; the tests' many short-lived apps leave it to the first walk.
    The routers' prefilters read their paths here, for good: no route is added after.
    """
    built = 0
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            built += sum(1 for _ in contexts())
        if isinstance(route.matches, _Prefilter):
            route.matches.fix()
    return built


def prefilter_routers(app: FastAPI) -> None:
    """Give each router included in ``app`` a ``_Prefilter`` (once its routes are added).

    A router with low-priority routes (matched after every other) keeps its own matching,
    as does everything else in the app (its own routes, mounts)."""
    for route in app.router.routes:
        router = getattr(route, "original_router", None)
        if router is None or not hasattr(router, "_get_routes_version"):
            continue
        if getattr(router, "_low_priority_routes", None) or isinstance(route.matches, _Prefilter):
            continue
        route.matches = _Prefilter(route)  # type: ignore[method-assign]  # this instance's
