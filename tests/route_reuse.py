"""One build of each route's request handling per test process, shared by every test's app.

FastAPI builds an included route's dependants, parameter fields and handler lazily, per app,
on the first request that walks its router: about 0.3 s of CPU for this app, which is most of
what an HTTP test costs when each test makes an app of its own (each needs its own database
and settings). Every app the tests make includes the same routers the same way, so the built
route is kept by what it was built from — the route and how it was included — and handed to
the next app that asks for it.

What is left out of that key is the app that provides dependency overrides: an app that has
overrides when its routes are built gets routes of its own.
"""

from collections.abc import Callable, Hashable, Iterator
from typing import Any

from fastapi import FastAPI, routing

_Built = dict[Hashable, tuple[Any, Any]]


def _include_key(context: Any) -> Hashable:
    def default(value: Any) -> Any:
        return getattr(value, "value", value)

    return (
        id(context.included_router),
        context.prefix,
        tuple(context.tags),
        tuple((d.dependency, d.use_cache, d.scope) for d in context.dependencies),
        tuple((code, id(value)) for code, value in context.responses.items()),
        default(context.default_response_class),
        default(context.generate_unique_id_function),
        default(context.strict_content_type),
        context.deprecated,
        context.include_in_schema,
        context.max_body_size,
        tuple(sorted(context.form_limits.items())),
    )


def _reusing(build: Callable[..., Any], built: _Built) -> Callable[..., Any]:
    def from_api_route(cls: type, *, original_route: Any, include_context: Any) -> Any:
        provider = include_context.dependency_overrides_provider
        if getattr(provider, "dependency_overrides", None):
            return build(cls, original_route=original_route, include_context=include_context)
        key = (id(original_route), _include_key(include_context))
        found = built.get(key)
        # The route itself is kept beside its build, so a recycled id never matches.
        if found is not None and found[0] is original_route:
            return found[1]
        context = build(cls, original_route=original_route, include_context=include_context)
        built[key] = (original_route, context)
        return context

    return from_api_route


def install() -> None:
    """Share built routes between the apps of this process (once; a later call does nothing)."""
    target = routing._EffectiveRouteContext
    if getattr(target, "_reused_by_tests", False):
        return
    build = target.from_api_route.__func__  # type: ignore[attr-defined]
    target.from_api_route = classmethod(_reusing(build, {}))  # type: ignore[assignment]
    target._reused_by_tests = True  # type: ignore[attr-defined]


# ---- the OpenAPI document --------------------------------------------------------------
#
# Writing the document costs about two seconds of CPU per app, and every app the tests make
# publishes the same one unless its routes differ: the document is kept by the app's
# description and the routes it serves (path, methods, handler, whether documented).


def served_routes(routes: list[Any]) -> Iterator[tuple[str, Any]]:
    """Each route an app serves, with its whole path, through the routers it includes."""
    for context in routing.iter_route_contexts(routes):
        yield context.path or "", context.original_route


def _routes(app: FastAPI) -> Iterator[tuple[Any, ...]]:
    for path, route in served_routes(app.routes):
        endpoint = getattr(route, "endpoint", None)
        yield (
            path,
            tuple(sorted(getattr(route, "methods", None) or ())),
            getattr(endpoint, "__module__", None),
            getattr(endpoint, "__qualname__", None),
            getattr(route, "include_in_schema", None),
        )


def _reusing_openapi(write: Callable[[FastAPI], dict[str, Any]]) -> Callable[..., Any]:
    documents: dict[Hashable, dict[str, Any]] = {}

    def openapi(app: FastAPI) -> dict[str, Any]:
        if app.openapi_schema is None:
            key = (app.title, app.version, app.summary, tuple(_routes(app)))
            found = documents.get(key)
            if found is None:
                found = documents[key] = write(app)
            app.openapi_schema = found
        return app.openapi_schema

    return openapi


def install_openapi() -> None:
    """Share OpenAPI documents between the apps of this process (once)."""
    if getattr(FastAPI, "_openapi_reused_by_tests", False):
        return
    FastAPI.openapi = _reusing_openapi(FastAPI.openapi)  # type: ignore[method-assign]
    FastAPI._openapi_reused_by_tests = True  # type: ignore[attr-defined]
