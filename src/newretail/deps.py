"""FastAPI dependencies shared by every router: the request's transaction and the caller."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from newretail.auth import errors as auth_errors
from newretail.auth import service as auth_service
from newretail.auth.scope import Scope
from newretail.db import Database

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
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
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Scope:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise auth_errors.InvalidToken("A bearer token is required.")
    return auth_service.scope_from_token(session=session, token=credentials.credentials)


ScopeDep = Annotated[Scope, Depends(get_scope)]
Cursor = Annotated[str | None, Query(max_length=200, description="From `next_cursor`.")]
Limit = Annotated[int, Query(ge=1, le=200)]
