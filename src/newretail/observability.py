"""Structured JSON logs with a request id, and Prometheus metrics, as one ASGI middleware."""

import logging
import sys
import time
import uuid
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "newretail_http_requests_total",
    "HTTP requests by route and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "newretail_http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DATABASE_UNAVAILABLE = Counter(
    "newretail_database_unavailable_total",
    "Requests answered 503 because no database connection could be had, by error",
    ["error"],
)

_configured = False
_HANDLER_NAME = "newretail"


def configure_logging(*, level: str = "INFO", json: bool = True) -> None:
    """One JSON object per line on stderr, for our own logs and for the libraries' (uvicorn).

    Both carry the request id bound by ``RequestContextMiddleware``.
    """
    global _configured
    if _configured:
        return
    _configured = True
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    _route_standard_logging(numeric_level, shared, renderer)
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def _route_standard_logging(level: int, shared: list[Any], renderer: Any) -> None:
    """Render records of the standard ``logging`` module (uvicorn, alembic) like our own."""
    root = logging.getLogger()
    if any(handler.get_name() == _HANDLER_NAME for handler in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root.addHandler(handler)
    root.setLevel(level)


log = structlog.get_logger("newretail")


class RequestContextMiddleware:
    """Gives each request an id (kept from ``X-Request-ID`` if sent), logs it and counts it."""

    def __init__(self, app: ASGIApp, *, mount_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.mount_prefixes = mount_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_code = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = self._route_label(scope)
            REQUESTS.labels(scope["method"], route, str(status_code)).inc()
            LATENCY.labels(scope["method"], route).observe(elapsed)
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=route,
                status=status_code,
                duration_ms=round(elapsed * 1000, 2),
            )

    def _route_label(self, scope: Scope) -> str:
        """The route template (low cardinality), with the prefix it was mounted under."""
        template = getattr(scope.get("route"), "path", None)
        if template is None:
            return "unmatched"
        for prefix in self.mount_prefixes:
            if scope["path"].startswith(prefix + "/") and not template.startswith(prefix):
                return f"{prefix}{template}"
        return str(template)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")[:64]
            if candidate.isascii() and candidate.replace("-", "").isalnum():
                return candidate
    return None
