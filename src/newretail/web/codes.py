"""The consumer's side of a touchpoint code: the scan link and the join-member page.

``/c/{code}`` is what every printed QR code holds: it records the scan (under a long-lived
anonymous cookie, so repeated scans count one scanner), remembers the code as the shopper's
arrival for the cloud store's checkout (``shop_attribution``) and redirects to the code's
target.
``/c/{code}/join`` signs a consumer in by phone and one-time code and makes them a member of
the code's brand, bound as the brand's policy decides; no JavaScript is needed.
"""

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from newretail.db import Database
from newretail.kernel.errors import DomainError
from newretail.members import service as members_service
from newretail.members.schemas import Consents
from newretail.notify import service as notify_service
from newretail.touchpoints import service as touchpoints_service
from newretail.web import shop_attribution
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, PublicPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ANONYMOUS_COOKIE = "nr_anon"
ANONYMOUS_COOKIE_SECONDS = 2 * 365 * 24 * 3600
PHONE_MAX = 32
OTP_MAX = 12
CodePath = Annotated[str, Path(max_length=16)]
_log_sender = members_service.LogOtpSender()


def otp_sender(request: Request) -> members_service.OtpSender:
    """The app's sender (``app.state.otp_sender``), else one that texts nothing."""
    sender: members_service.OtpSender | None = getattr(request.app.state, "otp_sender", None)
    return sender if sender is not None else _log_sender


def _sandbox(
    request: Request,
) -> members_service.SandboxOtpSender | notify_service.NotifierOtpSender | None:
    """The app's sender when it is one of the demo's sandbox senders, else None."""
    sender = otp_sender(request)
    if isinstance(sender, members_service.SandboxOtpSender | notify_service.NotifierOtpSender):
        return sender
    return None


def sandbox_code(request: Request, phone: str) -> str | None:
    """The live code of ``phone`` when the app runs with the demo's sandbox sender, else None:
    the sign-in pages show it in a box marked as a sandbox, since no text message is sent."""
    sandbox = _sandbox(request)
    return sandbox.code_for(phone) if sandbox is not None else None


def spend_sandbox_code(request: Request, phone: str) -> None:
    """After a sign-in with ``phone``'s code: the demo's sandbox no longer shows it."""
    sandbox = _sandbox(request)
    if sandbox is not None:
        sandbox.forget(phone)


@router.get("/c/{code}")
def scan(code: CodePath, request: Request, page: PublicPage) -> Response:
    """Record the scan and send the scanner on to the code's target."""
    anonymous_id = request.cookies.get(ANONYMOUS_COOKIE) or secrets.token_hex(12)
    database: Database = request.app.state.database
    with database.transaction() as session:
        result = touchpoints_service.scan(
            session=session,
            code=code,
            anonymous_id=anonymous_id[:64],
            device=request.headers.get("user-agent", "")[:200],
        )
    response = RedirectResponse(result.target_path, status_code=303)
    shop_attribution.remember_scan(page, response, result.code.brand_id, result.code.code)
    if ANONYMOUS_COOKIE not in request.cookies:
        page.set_cookie(response, ANONYMOUS_COOKIE, anonymous_id, ANONYMOUS_COOKIE_SECONDS)
    return response


@dataclass(frozen=True)
class _Form:
    phone: str = ""
    otp: str = ""
    agree: bool = False
    marketing: bool = False


def _join_page(
    page: Page,
    session: PageSessionDep,
    code: str,
    *,
    step: str = "phone",
    form: _Form | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    row = touchpoints_service.find_live_code(session=session, code=code)
    names = touchpoints_service.names_of(session=session, row=row)
    return page.render(
        "codes/join.html",
        status_code=status_code,
        code=row.code,
        names=names,
        step=step,
        form=form or _Form(),
        error=error,
        sandbox_code=sandbox_code(page.request, form.phone) if form and step == "code" else None,
    )


@router.get("/c/{code}/join")
def join_form(code: CodePath, page: PublicPage, session: PageSessionDep) -> Response:
    return _join_page(page, session, code)


@router.post("/c/{code}/join")
def join(code: CodePath, page: PublicPage, session: PageSessionDep, fields: FormDep) -> Response:
    form = _Form(
        phone=fields.get("phone", "").strip()[:PHONE_MAX],
        otp=fields.get("otp", "").strip()[:OTP_MAX],
        agree=fields.get("agree") == "yes",
        marketing=fields.get("marketing") == "yes",
    )
    brand_id = touchpoints_service.find_live_code(session=session, code=code).brand_id
    if fields.get("action") == "send":
        return _send(page, session, code, brand_id, form)
    return _join(page, session, code, brand_id, form)


def _send(page: Page, session: PageSessionDep, code: str, brand_id: int, form: _Form) -> Response:
    try:
        members_service.send_code(
            session=session, phone=form.phone, sender=otp_sender(page.request), brand_id=brand_id
        )
        # The code is issued, and texted (or kept in the demo's sandbox), as this commits:
        # committed here, the page that answers can show the sandbox's code.
        session.commit()
    except DomainError as exc:
        step = "code" if exc.code == "otp_rate_limited" else "phone"
        error = page.error_message(exc)
        return _join_page(
            page, session, code, step=step, form=form, error=error, status_code=exc.status
        )
    return _join_page(page, session, code, step="code", form=form)


def _join(page: Page, session: PageSessionDep, code: str, brand_id: int, form: _Form) -> Response:
    if not form.agree or not form.otp:
        error = page.gettext("Enter the code and agree to the membership terms to join.")
        return _join_page(page, session, code, step="code", form=form, error=error, status_code=422)
    try:
        checked = members_service.verify_code(
            session=session, phone=form.phone, code=form.otp, brand_id=brand_id
        )
        session.commit()  # every try counts, even though a wrong one is answered with an error
        phone = members_service.check_otp(checked)
        spend_sandbox_code(page.request, phone)
    except DomainError as exc:
        return _join_page(
            page,
            session,
            code,
            step="code",
            form=form,
            error=page.error_message(exc),
            status_code=exc.status,
        )
    consumer_id, _ = members_service.sign_in(session=session, phone=phone)
    consents = Consents(marketing=form.marketing, sms=form.marketing)
    result = touchpoints_service.join(
        session=session, code=code, consumer_id=consumer_id, consents=consents
    )
    return page.render(
        "codes/joined.html",
        brand_name=result.names.brand_name,
        member_no=result.member.member_no,
        headline=_headline(page, result),
        detail=_detail(page, result),
        store_path=touchpoints_service.store_path(result.names),
    )


def _headline(page: Page, result: touchpoints_service.JoinResult) -> str:
    brand = result.names.brand_name
    if result.member_created:
        return page.gettext("You are now a member of %(brand)s", brand=brand)
    return page.gettext("You are already a member of %(brand)s", brand=brand)


def _detail(page: Page, result: touchpoints_service.JoinResult) -> str:
    guide = result.guide_name
    bound = result.action == members_service.Action.BIND
    if bound and guide:
        return page.gettext("Your guide is %(guide)s.", guide=guide)
    if bound:
        return page.gettext("Your store is %(store)s.", store=result.names.store_name)
    if result.action == members_service.Action.KEEP and guide:
        return page.gettext("Your guide is %(guide)s.", guide=guide)
    if guide:
        return page.gettext(
            "Under the brand's membership rules you stay with your guide %(guide)s.", guide=guide
        )
    return page.gettext("Under the brand's membership rules your membership stays as it was.")
