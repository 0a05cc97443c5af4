"""What every router shares: the request's transaction, the caller, paging and idempotent creates.

The caller is resolved by the ``Authenticator`` the boot layer puts on
``app.state.authenticate``; so routers depend on the kernel, not on the auth domain.

The dependencies here are ``async``: FastAPI runs a plain ``def`` dependency on a worker
thread, one hop per dependency per request. Opening a session does no I/O, and most
callers are known without the database (a signed consumer token, a recently seen staff
token or API key), so those steps stay on the event loop; only the database work itself
(resolving an unknown caller, ending a transaction that was used) goes to a thread.
"""

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Protocol

import anyio
from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from newretail.db import Database, finish
from newretail.kernel import idempotency
from newretail.kernel.errors import InvalidToken
from newretail.kernel.scope import Scope

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
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


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back."""
    database: Database = request.app.state.database
    read_only = request.method in READ_METHODS
    session = database.session(read_only=read_only)
    try:
        yield session
    except BaseException:
        await end_session(session, commit=False)
        raise
    await end_session(session, commit=not read_only)


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


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


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
