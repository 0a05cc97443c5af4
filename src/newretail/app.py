"""The ASGI application: API routers, error handlers, health, metrics and the pages."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from newretail import __version__
from newretail.auth import service as auth_service
from newretail.auth.router import router as auth_router
from newretail.catalog.router import router as catalog_router
from newretail.cloudstore.router import router as cloudstore_router
from newretail.config import Settings, get_settings
from newretail.db import Database
from newretail.integrations.router import router as integrations_router
from newretail.inventory.router import router as inventory_router
from newretail.kernel.errors import DomainError
from newretail.kernel.schemas import ErrorRead
from newretail.kernel.scope import Scope
from newretail.members.router import router as members_router
from newretail.observability import RequestContextMiddleware, configure_logging, log
from newretail.orders.router import router as orders_router
from newretail.org.router import router as org_router
from newretail.paylater.router import router as paylater_router
from newretail.payments.router import router as payments_router
from newretail.presales.router import router as presales_router
from newretail.returns.router import router as returns_router
from newretail.touchpoints.router import router as touchpoints_router

API_PREFIX = "/api/v1"
# Every API error has one shape (see the handlers below); documenting it as 4XX also
# replaces FastAPI's default 422 description, which does not match what we send.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorRead, "description": "The request was refused; `code` says why."}
}
# cloudstore before org: its /stores/nearby must win over /stores/{store_id}.
API_ROUTERS = [
    auth_router,
    cloudstore_router,
    org_router,
    integrations_router,
    catalog_router,
    inventory_router,
    members_router,
    touchpoints_router,
    orders_router,
    paylater_router,
    payments_router,
    returns_router,
    presales_router,
]


def _authenticate(session: Session, token: str) -> Scope:
    return auth_service.scope_from_token(session=session, token=token)


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    *,
    run_worker: bool = False,
) -> FastAPI:
    """Build the app. ``run_worker`` also runs the background worker inside this process."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    database = database or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if run_worker:
            from newretail.worker import Worker

            worker = Worker(database=database, settings=settings)
            worker.start_thread()
        yield
        if worker is not None:
            worker.stop()

    app = FastAPI(
        title="newretail",
        version=__version__,
        summary="Smart-store platform: one member, one stock, every channel.",
        lifespan=lifespan,
        # Served from local files by the pages (web/apidocs.py), never from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.database = database
    app.state.settings = settings
    app.state.authenticate = _authenticate
    app.add_middleware(RequestContextMiddleware, mount_prefixes=(API_PREFIX,))
    _add_error_handlers(app)
    _add_operations_routes(app)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    _add_pages(app)
    return app


def _add_pages(app: FastAPI) -> None:
    from newretail.web import mount

    mount(app)


def _add_operations_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"])
    def healthz(request: Request) -> dict[str, Any]:
        """Liveness and database reachability."""
        database: Database = request.app.state.database
        with database.transaction(read_only=True) as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": database.engine.dialect.name}

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    def metrics() -> PlainTextResponse:
        """Prometheus metrics of this process."""
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _error(
    status: int, code: str, detail: Any, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "code": code, **extra}, status_code=status, headers=headers
    )


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid input"}
        where = ".".join(str(part) for part in first["loc"])
        return _error(422, "invalid_input", f"{where}: {first['msg']}", errors=errors)

    @app.exception_handler(IntegrityError)
    async def integrity_error(_: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity_error", error=str(exc.orig)[:500])
        return _error(409, "conflict", "The change conflicts with existing data.")

    # A number too large for an integer column (SQLite raises OverflowError while binding,
    # PostgreSQL a DataError) is bad input that slipped past the schema, not a server fault.
    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def value_out_of_range(_: Request, exc: Exception) -> JSONResponse:
        log.warning("value_out_of_range", error=str(exc)[:500])
        return _error(422, "invalid_input", "A value in the request is out of range.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, exc.detail, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error_type=type(exc).__name__)
        return _error(500, "internal_error", "An internal error occurred.")
