"""The cashier's till at /pos: one page whose script sells through the POS API.

The page itself is a shell: the store, the caller and the words the script shows, in the
caller's language. Everything else (shifts, lookups, quotes, sales, pickups, returns) is
the script talking to ``/api/v1/pos/...`` with a short-lived bearer token that the page
hands out (``POST /pos/token``, checked against the page's CSRF token), because the API
does not read the session cookie.

The till must keep selling through a network outage, so a service worker (``/pos/sw.js``,
allowed the scope ``/pos``) keeps the shell and its static files, and the script keeps
every sale in IndexedDB until the server has taken it (see ``static/js/pos/``).
"""

import hashlib
import json
from datetime import UTC
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from newretail.auth import service as auth_service
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.rules import cloud_store_code
from newretail.touchpoints.images import QUIET_ZONE, dark_runs
from newretail.web import messages, pos_texts, security
from newretail.web.pages import (
    BadPageRequest,
    Page,
    PageRoute,
    PageSessionDep,
    StaffPage,
    csrf_binding,
    scope_from_cookie,
    settings_of,
)
from newretail.web.templating import STATIC_DIR

router = APIRouter(route_class=PageRoute, include_in_schema=False)
token_router = APIRouter(include_in_schema=False)

POS_ROLES = (Role.CASHIER, Role.STORE_MANAGER)
SCOPE = "/pos"
TOKEN_TTL_SECONDS = 15 * 60
STORES_SHOWN = 50
# What the service worker keeps for the till to start without a network.
SHELL_ASSETS = ("css/app.css", "css/pos.css", "favicon.svg")
SCRIPT_DIR = "js/pos"
StoreParam = Annotated[int | None, Query(ge=1)]
QrData = Annotated[str, Query(min_length=1, max_length=500)]
IMAGE_HEADERS = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}


@cache
def asset_paths() -> tuple[str, ...]:
    """The static files the till needs, relative to ``static/``."""
    scripts = (STATIC_DIR / SCRIPT_DIR).glob("*.js")
    return (*SHELL_ASSETS, *sorted(p.relative_to(STATIC_DIR).as_posix() for p in scripts))


@cache
def asset_digest() -> str:
    """A digest of the till's files: a new release gets a new cache on every device."""
    digest = hashlib.sha256()
    for path in asset_paths():
        digest.update(path.encode())
        digest.update((STATIC_DIR / path).read_bytes())
    return digest.hexdigest()[:16]


def till_asset(path: str) -> str:
    return f"/static/{path}?v={asset_digest()}"


def _till_stores(page: Page, session: PageSessionDep) -> list[Store]:
    scope = page.caller
    scope.require(*POS_ROLES)
    stores, _ = org_service.list_stores(
        session=session, scope=scope, cursor=None, limit=STORES_SHOWN
    )
    return [store for store in stores if store.type != "warehouse" and store.status == "open"]


def _pick(stores: list[Store], wanted: int | None) -> Store:
    if not stores:
        raise PermissionDenied("No store to sell in.")
    return next((store for store in stores if store.id == wanted), stores[0])


def _config(page: Page, store: Store) -> dict[str, Any]:
    scope = page.caller
    return {
        "store": {"id": store.id, "code": store.code, "name": store.name, "tz": store.timezone},
        "brand_id": store.brand_id,
        "staff": {"id": scope.actor_id, "name": scope.display_name},
        "manager": scope.has_any(Role.STORE_MANAGER),
        "locale": page.locale,
        "csrf": page.csrf_token,
        "worker": "/pos/sw.js",
        "scope": SCOPE,
        "texts": {key: page.translate(text) for key, text in pos_texts.TEXTS.items()},
        "errors": {
            code: page.translate(text)
            for code, text in {**messages.ERRORS, **pos_texts.ERRORS}.items()
        },
    }


def qr_svg(data: str, css_class: str = "pos-qr") -> Markup:
    """A QR code of ``data`` as SVG, its dark modules one path (no inline styles)."""
    size, runs = dark_runs(data)
    box = size + 2 * QUIET_ZONE
    path = "".join(
        f"M{column + QUIET_ZONE} {row + QUIET_ZONE}h{length}v1h-{length}z"
        for row, column, length in runs
    )
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {box} {box}" '
        'shape-rendering="crispEdges"><rect width="{box}" height="{box}" fill="#fff"/>'
        '<path fill="#000" d="{path}"/></svg>'
    ).format(css_class=css_class, box=box, path=path)


def _join_url(page: Page, session: PageSessionDep, store: Store) -> str:
    """The store's cloud store with its join-membership prompt, for receipts made offline
    (the server's receipts carry their own, naming the serving guide)."""
    brand = org_service.get_brand(session=session, scope=page.caller, brand_id=store.brand_id)
    base = page.public_base_url.rstrip("/")
    return f"{base}/s/{cloud_store_code(brand.code, store.code)}?join=1"


@router.get(SCOPE)
def till(page: StaffPage, session: PageSessionDep, store: StoreParam = None) -> HTMLResponse:
    stores = _till_stores(page, session)
    current = _pick(stores, store)
    return page.render(
        "pos/till.html",
        store=current,
        stores=[(s.id, s.name) for s in stores],
        config=_config(page, current),
        asset=till_asset,
        join_qr=qr_svg(_join_url(page, session, current), "receipt__qr-svg"),
    )


@router.get(SCOPE + "/qr.svg")
def receipt_qr(page: StaffPage, data: QrData) -> Response:
    """The QR code a receipt prints (its join-membership link): web links only."""
    page.caller.require(*POS_ROLES)
    if not data.startswith(("http://", "https://")):
        raise BadPageRequest()
    body = str(qr_svg(data, "receipt__qr-svg"))
    return Response(body, media_type="image/svg+xml", headers=IMAGE_HEADERS)


@router.get(SCOPE + "/sw.js")
def service_worker() -> Response:
    """The till's service worker; its header lets it control ``/pos`` itself, not only
    ``/pos/...``."""
    script = (STATIC_DIR / "js" / "pos-sw.js").read_text()
    assets = ["/static/" + path for path in asset_paths()]
    body = (
        f"const CACHE = {json.dumps('pos-' + asset_digest())};\n"
        f"const SHELL = {json.dumps(SCOPE)};\n"
        f"const ASSETS = {json.dumps(assets)};\n" + script
    )
    headers = {"Service-Worker-Allowed": SCOPE, "Cache-Control": "no-cache"}
    return Response(body, media_type="text/javascript", headers=headers)


def _token_refused(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status)


@token_router.post(SCOPE + "/token")
def till_token(request: Request, session: PageSessionDep) -> JSONResponse:
    """A short-lived bearer token for the till's calls to the API, for the signed-in cashier."""
    scope = scope_from_cookie(request, session)
    if scope is None or scope.actor_id is None:
        return _token_refused(401, "login_required", "Log in again.")
    sent = request.headers.get("x-csrf-token")
    if not security.csrf_valid(settings_of(request).secret_key, csrf_binding(request), sent):
        return _token_refused(403, "csrf_failed", "The CSRF token does not match the session.")
    if not _may_sell(scope):
        return _token_refused(403, "permission_denied", "Your role does not allow this action.")
    staff = auth_service.get_staff(session=session, scope=scope, staff_id=scope.actor_id)
    token, expires = auth_service.issue_staff_token(staff=staff, ttl_seconds=TOKEN_TTL_SECONDS)
    body = {"access_token": token, "expires_at": expires.astimezone(UTC).isoformat()}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _may_sell(scope: Scope) -> bool:
    return scope.has_any(*POS_ROLES)
