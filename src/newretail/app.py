"""The ASGI application: API routers, error handlers, health, metrics and the pages.

``newretail serve`` hands uvicorn the factory ``newretail.app:serving_app``, which each
API worker process calls to build its app. Background work runs in one of them only when
``NEWRETAIL_IN_PROCESS_WORKER`` is set (``serve`` sets it when it runs a single process);
otherwise it runs in a ``newretail worker`` process of its own.
"""

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, configure_mappers
from starlette.exceptions import HTTPException as StarletteHTTPException

from newretail import __version__
from newretail import consumers as boot_consumers
from newretail.analytics.attribution.router import router as attribution_router
from newretail.analytics.audiences.router import router as audiences_router
from newretail.analytics.events.router import router as events_router
from newretail.analytics.funnels.router import router as funnels_router
from newretail.analytics.outreach.router import router as outreach_router
from newretail.analytics.reports.deps import close_reader
from newretail.analytics.retarget.router import router as retarget_router
from newretail.auth import cache as auth_cache
from newretail.auth import security
from newretail.auth import service as auth_service
from newretail.auth.router import router as auth_router
from newretail.catalog.router import router as catalog_router
from newretail.cloudstore.router import router as cloudstore_router
from newretail.commission.router import router as commission_router
from newretail.commission.settlement_router import router as commission_settlement_router
from newretail.config import Settings, get_settings
from newretail.db import UNAVAILABLE, Database
from newretail.integrations.router import router as integrations_router
from newretail.inventory.router import router as inventory_router
from newretail.kernel.errors import DomainError, NotFound, ServiceUnavailable
from newretail.kernel.guards import refuse_nul_in_url
from newretail.kernel.http import ApiRoute, build_routes, prefilter_routers, sale_turns
from newretail.kernel.schemas import ErrorRead
from newretail.kernel.scope import Scope
from newretail.members.router import router as members_router
from newretail.notify import service as notify_service
from newretail.notify.router import router as notify_router
from newretail.observability import (
    DATABASE_UNAVAILABLE,
    RequestContextMiddleware,
    configure_logging,
    log,
)
from newretail.orders.router import router as orders_router
from newretail.org.router import router as org_router
from newretail.outbox import metrics as outbox_metrics
from newretail.paylater.router import router as paylater_router
from newretail.payments.merchants.router import router as merchant_accounts_router
from newretail.payments.router import router as payments_router
from newretail.payments.wallets.router import router as wallet_payments_router
from newretail.pos.router import router as pos_router
from newretail.presales.router import router as presales_router
from newretail.promotions.router import router as promotions_router
from newretail.returns.router import router as returns_router
from newretail.touchpoints.router import router as touchpoints_router
from newretail.workbench.router import router as workbench_router
from newretail.worker import open_database

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
    merchant_accounts_router,
    wallet_payments_router,
    returns_router,
    presales_router,
    promotions_router,
    commission_router,
    commission_settlement_router,
    pos_router,
    events_router,
    funnels_router,
    attribution_router,
    audiences_router,
    outreach_router,
    retarget_router,
    notify_router,
    workbench_router,
]


class _Authenticator:
    """The ``kernel.http.Authenticator`` of one app: auth's scopes, cached per database."""

    def __init__(self, database: Database, cache_seconds: float) -> None:
        self.database = database
        auth_cache.cache_of(database, ttl_seconds=cache_seconds)

    def known(self, token: str) -> Scope | None:
        return auth_service.known_scope(database=self.database, token=token)

    def __call__(self, session: Session, token: str) -> Scope:
        return auth_service.scope_from_token(session=session, token=token)


def serving_app() -> FastAPI:
    """The app of one ``newretail serve`` process (uvicorn calls this in every worker)."""
    settings = get_settings()
    return ready_to_serve(create_app(settings, run_worker=settings.in_process_worker))


def ready_to_serve(app: FastAPI) -> FastAPI:
    """``app`` with its routes built, the ORM's mappers configured and the stand-in password
    hash made, for a process about to serve it: the first callers after a start then do
    not wait on them."""
    build_routes(app)
    configure_mappers()
    security.prepare()
    return app


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
    database = database or open_database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if run_worker:
            from newretail.worker import Worker

            worker = Worker(database=database, settings=settings)
            worker.start_thread()
        # Everything imported and built so far lives as long as the process: out of the
        # collector's sight, a full collection no longer walks it (a pause of tens to
        # hundreds of milliseconds on the requests in flight).
        gc.freeze()
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        app.state.sales = sale_turns(database, settings.sqlite_sales_at_once)
        yield
        if worker is not None:
            worker.stop()
        close_reader(app.state)
        # Handed back to the collector at shutdown, so that objects of extension modules
        # (DuckDB's) are released before the interpreter ends rather than reported leaked.
        gc.unfreeze()

    app = FastAPI(
        title="newretail",
        version=__version__,
        summary="Smart-store platform: one member, one stock, every channel.",
        lifespan=lifespan,
        # Measured with Prometheus (/metrics) and logged with structlog; FastAPI's own
        # OpenTelemetry would only ask, on every request, whether a provider was set up.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        dependencies=[Depends(refuse_nul_in_url)],
        # Served from local files by the pages (web/apidocs.py), never from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.router.route_class = ApiRoute
    app.state.database = database
    app.state.settings = settings
    app.state.authenticate = _Authenticator(database, settings.auth_cache_seconds)
    app.state.sales = None  # the sales' turns: made in the event loop that serves them
    app.state.consumers = boot_consumers.registry()
    # Sign-in codes go through the notifier: texted after commit, never logged.
    app.state.otp_sender = notify_service.NotifierOtpSender(database=database, settings=settings)
    app.state.runs_worker = run_worker
    app.add_middleware(RequestContextMiddleware, mount_prefixes=(API_PREFIX,))
    _add_error_handlers(app)
    _add_operations_routes(app)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    _add_pages(app)
    prefilter_routers(app)
    return app


def _add_pages(app: FastAPI) -> None:
    from newretail.web import mount

    mount(app)


def _add_operations_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"])
    def healthz(request: Request) -> dict[str, Any]:
        """Liveness and database reachability (503 when the database cannot be had)."""
        database: Database = request.app.state.database
        with database.transaction(read_only=True) as session:
            session.execute(text("SELECT 1"))
        return {
            "status": "ok",
            "version": __version__,
            "database": database.engine.dialect.name,
            "process": os.getpid(),
        }

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    def metrics(request: Request) -> PlainTextResponse:
        """Prometheus metrics of this process, and the outbox consumers' lag."""
        lag = outbox_metrics.render(
            database=request.app.state.database, registry=request.app.state.consumers
        )
        return PlainTextResponse(generate_latest() + lag, media_type=CONTENT_TYPE_LATEST)


def _is_page(request: Request) -> bool:
    from newretail.web.pages import PageRoute

    return isinstance(request.scope.get("route"), PageRoute)


# Paths a browser may be sent to by hand; an unknown one there gets the HTML "not found" page.
_MACHINE_PREFIXES = ("/api/", "/metrics", "/static/", "/openapi", "/docs", "/redoc", "/healthz")


def _is_browser_path(request: Request) -> bool:
    """No route matched a browser's GET of a path outside the API: a page that does not exist."""
    path = request.url.path
    return (
        request.method == "GET"
        and request.scope.get("route") is None
        and not path.startswith(_MACHINE_PREFIXES)
        and "text/html" in request.headers.get("accept", "")
    )


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
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and _is_browser_path(request):
            from newretail.web.pages import error_page

            return error_page(request, NotFound())
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, exc.detail, dict(exc.headers or {}))

    # No connection could be had (the pool stayed full past its timeout, or the database is
    # unreachable): the request was fine, so it is a 503 to retry, on pages an HTML one.
    async def unavailable(request: Request, exc: Exception) -> Response:
        DATABASE_UNAVAILABLE.labels(type(exc).__name__).inc()
        log.warning("database_unavailable", error=str(exc)[:500], path=request.url.path)
        retry_after = str(request.app.state.settings.db_retry_after_seconds)
        error = ServiceUnavailable(headers={"Retry-After": retry_after})
        if _is_page(request):
            from newretail.web.pages import error_page

            response: Response = error_page(request, error)
            response.headers["Retry-After"] = retry_after
            return response
        return _error(error.status, error.code, error.detail, error.headers)

    for error_type in UNAVAILABLE:
        app.add_exception_handler(error_type, unavailable)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error_type=type(exc).__name__)
        return _error(500, "internal_error", "An internal error occurred.")
