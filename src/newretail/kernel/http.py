"""What every router shares: the request's transaction, the caller, paging and idempotent creates.

The caller is resolved by the ``authenticate`` function the boot layer puts on
``app.state``; so routers depend on the kernel, not on the auth domain.
"""

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session

from newretail.db import Database
from newretail.kernel import idempotency
from newretail.kernel.errors import InvalidToken
from newretail.kernel.scope import Scope

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Authenticate = Callable[[Session, str], Scope]
_bearer = HTTPBearer(auto_error=False, description="A staff access token or an API key.")


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back."""
    database = get_database(request)
    with database.transaction(read_only=request.method in READ_METHODS) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_scope(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Scope:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidToken("A bearer token is required.")
    authenticate: Authenticate = request.app.state.authenticate
    return authenticate(session, credentials.credentials)


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
    """Run a create once per Idempotency-Key and answer with its (replayed) status and body."""

    def answer() -> tuple[int, dict[str, Any]]:
        code, model = work()
        return code, model.model_dump(mode="json")

    code, body = idempotency.run(
        session=session, scope=scope, key=key, operation=operation, payload=payload, work=answer
    )
    return JSONResponse(body, status_code=code)
