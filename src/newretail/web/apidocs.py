"""The API's reference pages, Swagger UI (``/docs``) and ReDoc (``/redoc``), served offline.

FastAPI's own pages load their scripts from a CDN, so a machine without internet access (a
demo in a shop, an intranet) shows a blank page. The scripts and styles here come from the
pinned ``fastapi-offline`` package (see pyproject.toml), whose wheel ships the built files of
both viewers; they are served from this origin like any other static file.
"""

import base64
import hashlib
import re
from importlib.metadata import version

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from newretail.web.templating import static_url

ASSETS_PACKAGE = "fastapi_offline"
ASSETS_PREFIX = "/docs/assets"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# The viewers style themselves inline and ReDoc searches in a worker made from a blob; the
# rest stays on this origin, which also stops ReDoc's decorative logo from another host.
_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "script-src 'self'"
)


def _asset(name: str) -> str:
    # The package's version in the URL: an upgrade reaches browsers that cached the old file.
    return f"{ASSETS_PREFIX}/{name}?v={version('fastapi-offline')}"


def _locked_down(page: HTMLResponse) -> HTMLResponse:
    """``page`` with a policy that lets it load nothing from another origin; its inline
    start-up script is allowed by its hash, not by allowing every inline script."""
    body = bytes(page.body).decode()
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(body)
    ]
    page.headers["Content-Security-Policy"] = " ".join([_POLICY, *hashes])
    page.headers["X-Content-Type-Options"] = "nosniff"
    return page


def mount(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` from local files (the app is built with both unset)."""
    app.mount(
        ASSETS_PREFIX,
        StaticFiles(packages=[(ASSETS_PACKAGE, "static")]),
        name="api-docs-assets",
    )
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return _locked_down(
            get_swagger_ui_html(
                openapi_url=request.scope.get("root_path", "") + openapi_url,
                title=f"{app.title} · API",
                swagger_js_url=_asset("swagger-ui-bundle.js"),
                swagger_css_url=_asset("swagger-ui.css"),
                swagger_favicon_url=static_url("favicon.svg"),
            )
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return _locked_down(
            get_redoc_html(
                openapi_url=request.scope.get("root_path", "") + openapi_url,
                title=f"{app.title} · API",
                redoc_js_url=_asset("redoc.standalone.js"),
                redoc_favicon_url=static_url("favicon.svg"),
                with_google_fonts=False,
            )
        )
