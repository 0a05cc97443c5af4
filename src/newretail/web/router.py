"""Logging in and out of the pages, and choosing their language."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from newretail.auth import service as auth_service
from newretail.auth.schemas import StaffUpdate
from newretail.kernel import i18n
from newretail.kernel.errors import DomainError
from newretail.web import messages
from newretail.web.pages import (
    LOCALE_COOKIE,
    LOCALE_COOKIE_SECONDS,
    SESSION_COOKIE,
    BadPageRequest,
    FormDep,
    Page,
    PageRoute,
    PageSessionDep,
    PublicPage,
    build_page,
    home_path,
    scope_from_cookie,
)
from newretail.web.security import safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)
NextPath = Annotated[str | None, Query(max_length=2000)]
USERNAME_MAX = 64
PASSWORD_MAX = 128


@router.get("/")
def index() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


@router.get("/login")
def login_form(
    request: Request, page: PublicPage, session: PageSessionDep, next: NextPath = None
) -> Response:
    scope = scope_from_cookie(request, session)
    if scope is not None:
        return RedirectResponse(safe_next(next, home_path(scope)), status_code=303)
    return _login_page(page, next_path=safe_next(next))


@router.post("/login")
def login(page: PublicPage, session: PageSessionDep, fields: FormDep) -> Response:
    username = fields.get("username", "").strip()
    password = fields.get("password", "")
    next_path = safe_next(fields.get("next"), "")
    if not username or not password:
        error = page.translate(messages.FIELD_ERRORS["missing"])
        return _login_page(page, next_path, username, error, status_code=422)
    if len(username) > USERNAME_MAX or len(password) > PASSWORD_MAX:
        error = page.translate(messages.ERRORS["bad_credentials"])
        return _login_page(page, next_path, username, error, status_code=401)
    result = auth_service.login(session=session, username=username, password=password)
    session.commit()  # failed attempts must be counted even though we answer with an error
    try:
        staff = auth_service.check_login(result)
        scope = auth_service.scope_for_staff(session=session, staff=staff)
    except DomainError as exc:
        error = page.error_message(exc)
        return _login_page(page, next_path, username, error, status_code=exc.status)
    ttl = page.settings.session_ttl_seconds
    token, _ = auth_service.issue_staff_token(staff=staff, ttl_seconds=ttl)
    response = page.redirect(_landing(next_path, home_path(scope)))
    page.set_cookie(response, SESSION_COOKIE, token, ttl)
    return response


def _landing(next_path: str, home: str) -> str:
    """The page asked for; a plain login (or one sent to the console home) lands at home."""
    return home if next_path in ("", "/console") else next_path


def _login_page(
    page: Page,
    next_path: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page.render(
        "auth/login.html", status_code=status_code, next=next_path, username=username, error=error
    )


@router.post("/logout")
def logout(page: PublicPage, fields: FormDep) -> Response:
    response = page.redirect("/login", flash="logged_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/locale")
def choose_locale(request: Request, session: PageSessionDep, fields: FormDep) -> Response:
    """Remember the chosen language in a cookie and, when logged in, on the staff account."""
    locale = i18n.supported(fields.get("locale"))
    if locale is None:
        raise BadPageRequest()
    scope = scope_from_cookie(request, session)
    if scope is not None and scope.actor_id is not None:
        auth_service.update_staff(
            session=session,
            scope=scope,
            staff_id=scope.actor_id,
            data=StaffUpdate(locale=locale),
        )
    page = build_page(request, scope)
    response = page.redirect(safe_next(fields.get("next")))
    page.set_cookie(response, LOCALE_COOKIE, locale, LOCALE_COOKIE_SECONDS)
    return response
