"""Page plumbing: the session cookie, CSRF-checked forms, rendering, redirects, error pages.

Pages never answer with JSON. A page route (``PageRoute``) turns the exceptions of its
endpoint into HTML: ``LoginRequired`` into a redirect to the login form (the cookie is
dropped), a ``DomainError`` into an error page in the user's language, after rolling
back the request's transaction so that nothing half-done is committed.
"""

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from newretail.auth import service as auth_service
from newretail.config import Settings
from newretail.db import Database
from newretail.kernel import guards, i18n
from newretail.kernel.errors import DomainError, InvalidInput, PermissionDenied, Unauthenticated
from newretail.kernel.http import end_session, resolve_scope
from newretail.kernel.scope import Role, Scope
from newretail.web import brand_choice, messages, security, templating

SESSION_COOKIE = "nr_session"
NONCE_COOKIE = "nr_csrf"
LOCALE_COOKIE = "nr_locale"
FLASH_COOKIE = "nr_flash"
LOCALE_COOKIE_SECONDS = 365 * 24 * 3600
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The first path segment of pages for consumers: the cloud store and touchpoint codes.
CONSUMER_PREFIXES = frozenset({"s", "c"})
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


CONSOLE_ROLES = frozenset(
    {Role.PLATFORM_ADMIN, Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER, Role.CASHIER}
)
MANAGER_ROLES = CONSOLE_ROLES - {Role.CASHIER}


def home_path(scope: Scope) -> str:
    """Where a member of staff starts: cashiers at the till, guides at their workbench,
    everyone else the console."""
    if Role.CASHIER in scope.roles and not scope.roles & MANAGER_ROLES:
        return "/pos"
    if Role.GUIDE in scope.roles and not scope.roles & CONSOLE_ROLES:
        return "/g"
    return "/console"


class LoginRequired(Exception):
    """The page needs a logged-in member of staff; carries where to come back to."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageRedirect(Exception):
    """The page is elsewhere (a platform admin's console URL without a brand)."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    default_detail = "The form's CSRF token is missing or does not match the session."


class BadPageRequest(InvalidInput):
    code = "bad_request"
    default_detail = "The request could not be understood."


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_page_session(request: Request) -> AsyncIterator[Session]:
    """The request's transaction (read-only for GET), kept where the error path can undo it.

    Opening a session does no I/O, so this runs on the event loop; only ending a session
    that was used goes to a worker thread (``end_session``).
    """
    database: Database = request.app.state.database
    read_only = request.method in READ_METHODS
    session = database.session(read_only=read_only)
    request.state.page_session = session
    try:
        yield session
    except BaseException:
        await end_session(session, commit=False)
        raise
    await end_session(session, commit=not read_only)


PageSessionDep = Annotated[Session, Depends(get_page_session, scope="function")]


def scope_from_cookie(request: Request, session: Session) -> Scope | None:
    """The staff scope of the session cookie; None when absent, expired or revoked."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        scope = auth_service.scope_from_token(session=session, token=token)
    except Unauthenticated:
        return None
    return scope if scope.actor_type == "staff" else None


def csrf_binding(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(NONCE_COOKIE)


@dataclass
class Page:
    """One page being answered: its language, its caller and how to respond."""

    request: Request
    locale: str
    scope: Scope | None = None
    _nonce: str | None = field(default=None, init=False)

    @property
    def settings(self) -> Settings:
        return settings_of(self.request)

    @property
    def public_base_url(self) -> str:
        """Where consumers reach the pages (printed in QR codes): configured, else this origin."""
        return self.settings.public_base_url or str(self.request.base_url)

    @property
    def caller(self) -> Scope:
        """The logged-in caller; only pages behind ``StaffPage`` have one."""
        if self.scope is None:
            raise LoginRequired(self.request.url.path)
        return self.scope

    def gettext(self, message: str, **params: Any) -> str:
        """Translate a literal text (extracted from the call by ``make messages``)."""
        text = i18n.translations(self.locale).gettext(message)
        return text % params if params else text

    def translate(self, message: str, **params: Any) -> str:
        """Translate a text marked elsewhere with ``N_`` (passed here in a variable)."""
        return self.gettext(message, **params)

    def error_message(self, error: DomainError) -> str:
        """A domain error in the user's language (the service's English detail as a fallback)."""
        known = messages.ERRORS.get(error.code)
        return self.translate(known) if known else error.detail

    @property
    def csrf_token(self) -> str:
        binding = csrf_binding(self.request)
        if binding is None:
            self._nonce = self._nonce or security.new_nonce()
            binding = self._nonce
        return security.csrf_token(self.settings.secret_key, binding)

    def set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
            path="/",
        )

    def _flash(self) -> dict[str, str] | None:
        data = security.unsign(
            self.settings.secret_key, "flash", self.request.cookies.get(FLASH_COOKIE)
        )
        if data is None or data.get("key") not in messages.FLASHES:
            return None
        params = {k: str(v) for k, v in dict(data.get("params") or {}).items()}
        text = self.translate(messages.FLASHES[data["key"]], **params)
        return {"kind": str(data.get("kind", "success")), "text": text}

    def _user(self) -> dict[str, str] | None:
        if self.scope is None:
            return None
        role = next((r for r in messages.ROLES if r in self.scope.roles), "")
        label = self.translate(messages.ROLES[role]) if role else ""
        return {"name": self.scope.display_name, "role": label, "home": home_path(self.scope)}

    def remembered_brand(self) -> int | None:
        return brand_choice.remembered(
            secret=self.settings.secret_key,
            session_token=self.request.cookies.get(SESSION_COOKIE),
            cookie=self.request.cookies.get(brand_choice.COOKIE),
        )

    def _brand_picker(self) -> brand_choice.Picker | None:
        session: Session | None = getattr(self.request.state, "page_session", None)
        if self.scope is None or not self.scope.is_platform or session is None:
            return None
        return brand_choice.picker(
            session=session,
            scope=self.scope,
            query=self.request.url.query,
            remembered_brand=self.remembered_brand(),
        )

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        path = self.request.url.path
        query = self.request.url.query
        base = {
            "user": self._user(),
            "csrf_token": self.csrf_token,
            "flash": self._flash(),
            "current_path": security.safe_next(path + ("?" + query if query else "")),
            "brand_picker": self._brand_picker(),
        }
        html = templating.render(self.locale, template, {**base, **context})
        response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-store"
        if self._nonce is not None:
            self.set_cookie(response, NONCE_COOKIE, self._nonce, self.settings.session_ttl_seconds)
        if FLASH_COOKIE in self.request.cookies:
            response.delete_cookie(FLASH_COOKIE, path="/")
        return response

    def redirect(
        self, url: str, *, flash: str | None = None, kind: str = "success", **params: Any
    ) -> RedirectResponse:
        """A 303 to ``url`` (after a POST), optionally carrying a message for the next page
        (``kind`` ``error`` for an action that was refused)."""
        response = RedirectResponse(url, status_code=303)
        if flash is not None:
            body: dict[str, Any] = {"key": flash, "params": params}
            if kind != "success":
                body["kind"] = kind
            value = security.sign(self.settings.secret_key, "flash", body)
            self.set_cookie(response, FLASH_COOKIE, value, 60)
        return response


def build_page(request: Request, scope: Scope | None = None) -> Page:
    locale = i18n.choose_locale(
        cookie=request.cookies.get(LOCALE_COOKIE),
        staff_locale=scope.locale if scope else None,
        accept_language=request.headers.get("accept-language"),
        default=settings_of(request).default_locale,
    )
    return Page(request=request, locale=locale, scope=scope)


async def _cookie_scope(request: Request, session: Session) -> Scope | None:
    """``scope_from_cookie`` without a thread hop when the caller is already known."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        scope = await resolve_scope(request, session, token)
    except Unauthenticated:
        return None
    return scope if scope.actor_type == "staff" else None


async def public_page(request: Request) -> Page:
    return build_page(request)


async def staff_page(request: Request, session: PageSessionDep) -> Page:
    """The page of a logged-in member of staff, or a redirect to the login form."""
    scope = await _cookie_scope(request, session)
    if scope is None:
        query = request.url.query
        raise LoginRequired(request.url.path + ("?" + query if query else ""))
    request.state.page_scope = scope
    page = build_page(request, scope)
    if scope.is_platform and request.method == "GET":
        target = brand_choice.redirect_for(
            request.url.path, request.url.query, page.remembered_brand()
        )
        if target is not None:
            raise PageRedirect(target)
    return page


async def read_form(request: Request) -> dict[str, str]:
    """The posted form's text fields, once its CSRF token has been checked."""
    form = await request.form()
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    token = fields.pop("csrf_token", None)
    if not security.csrf_valid(settings_of(request).secret_key, csrf_binding(request), token):
        raise CsrfFailed()
    guards.refuse_nul_in_fields(fields.items())
    return fields


PublicPage = Annotated[Page, Depends(public_page)]
StaffPage = Annotated[Page, Depends(staff_page)]
FormDep = Annotated[dict[str, str], Depends(read_form)]


def login_redirect(request: Request, next_path: str) -> RedirectResponse:
    target = "/login?next=" + quote(security.safe_next(next_path), safe="/")
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def error_page(request: Request, error: DomainError) -> HTMLResponse:
    page = build_page(request, getattr(request.state, "page_scope", None))
    title = page.gettext("Something went wrong")
    if error.status == 404:
        title = page.gettext("Not found")
    elif error.status == 403:
        title = page.gettext("Not allowed")
    back_url, back_label = _way_back(page, request.url.path, error)
    return page.render(
        "error.html",
        status_code=error.status,
        title=title,
        message=page.error_message(error),
        back_url=back_url,
        back_label=back_label,
        consumer=_consumer_path(request.url.path),
    )


def _consumer_path(path: str) -> bool:
    return path.strip("/").split("/")[0] in CONSUMER_PREFIXES


def _way_back(page: Page, path: str, error: DomainError) -> tuple[str | None, str]:
    """Where an error page leads: a consumer back to the cloud store, staff to their home."""
    parts = path.strip("/").split("/")
    if parts[0] == "s" and len(parts) > 1 and error.code != "cloudstore_not_found":
        return f"/s/{parts[1]}", page.gettext("Back to the cloud store")
    if parts[0] in CONSUMER_PREFIXES:
        return None, ""
    if parts[0] == "g":
        return "/g", page.gettext("Back to my workbench")
    if parts[0] == "pos" and page.scope is not None and home_path(page.scope) == "/pos":
        return "/pos", page.gettext("Back to the till")
    return "/console", page.gettext("Back to the console")


async def _rollback(request: Request) -> None:
    session: Session | None = getattr(request.state, "page_session", None)
    if session is not None:
        await run_in_threadpool(session.rollback)


class PageRoute(APIRoute):
    """A route that answers errors with HTML pages instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                await _rollback(request)
                return login_redirect(request, exc.next_path)
            except PageRedirect as exc:
                await _rollback(request)
                return RedirectResponse(exc.target, status_code=303)
            except DomainError as exc:
                await _rollback(request)
                return error_page(request, exc)
            except RequestValidationError:
                await _rollback(request)
                return error_page(request, BadPageRequest())

        return page_handler
