"""Console screens for coupon packages across brands: the platform operator's.

    GET       /console/packages                    every package: kind, state, value, claims
    GET/POST  /console/packages/new                a draft: settings and candidate templates
    GET       /console/packages/{id}               the optimiser's proposal: each pick with
                                                   its figures and margin, each candidate
                                                   left out with the reason
    POST      /console/packages/{id}/assemble      assemble the draft again
    POST      /console/packages/{id}/publish       consumers may claim it
    POST      /console/packages/{id}/close         no more claims

These pages are about no brand in particular (``brand_choice.BRANDLESS_PREFIXES``).
"""

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.kernel.errors import DomainError, NotFound
from newretail.kernel.money import Money
from newretail.kernel.scope import Role
from newretail.promotions import service as promotions_service
from newretail.promotions.packages import service as packages_service
from newretail.promotions.packages.models import CouponPackage, PackageStatus
from newretail.promotions.packages.schemas import PackageCreate
from newretail.web import console_offer_forms as forms
from newretail.web import data, labels, offer_words
from newretail.web.console_forms import FormState
from newretail.web.manage import attempt, parse
from newretail.web.manage_fields import FieldProblem
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ZONE = "Asia/Shanghai"  # packages span brands; the platform's own clock
CURRENCY = "CNY"
PACKAGE_ERRORS = {"invalid_package": "candidates", "district_not_found": "district_id"}


def _nav(page: Page, active: str = "packages") -> list[dict[str, object]]:
    return console_nav(page, page.remembered_brand(), active)


@router.get("/console/packages")
def packages(page: StaffPage, session: PageSessionDep) -> Response:
    page.caller.require(Role.PLATFORM_ADMIN)
    rows = data.every(
        lambda cursor: packages_service.list_packages(
            session=session, scope=page.caller, status=None, cursor=cursor, limit=200
        )
    )
    return page.render(
        "console/packages.html",
        nav_items=_nav(page),
        zone=ZONE,
        packages=[_summary(page, p) for p in reversed(rows)],
    )


def _summary(page: Page, p: CouponPackage) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "kind": labels.label(page, offer_words.PACKAGE_KINDS, p.kind),
        "theme": p.theme,
        "status": p.status,
        "status_label": labels.label(page, offer_words.PACKAGE_STATUSES, p.status),
        "value": Money(p.value, CURRENCY),
        "cost": Money(p.cost, CURRENCY),
        "budget": Money(p.budget, CURRENCY),
        "claimed": p.claimed,
        "total_quantity": p.total_quantity,
        "starts_at": p.starts_at,
        "ends_at": p.ends_at,
        "url": f"/console/packages/{p.id}",
    }


@router.get("/console/packages/new")
def new_package(page: StaffPage, session: PageSessionDep) -> Response:
    page.caller.require(Role.PLATFORM_ADMIN)
    values = {"kind": "district"}
    return _form(page, session, FormState(page, values, error_fields=PACKAGE_ERRORS))


@router.post("/console/packages/new")
def create_package(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    page.caller.require(Role.PLATFORM_ADMIN)
    state = FormState(page, fields, error_fields=PACKAGE_ERRORS)
    body = _body(page, session, state, fields)

    def write() -> CouponPackage:
        checked = PackageCreate.model_validate(body)
        return packages_service.create_package(session=session, scope=page.caller, data=checked)

    made, refused = attempt(
        session, state, write, lambda status: _form(page, session, state, status)
    )
    if refused is not None:
        return refused
    return page.redirect(f"/console/packages/{made.id}", flash="package_assembled", name=made.name)


def _body(page: Page, session: Session, state: FormState, fields: dict[str, str]) -> dict[str, Any]:
    zone = ZoneInfo(ZONE)
    name = fields.get("name", "").strip()
    if not name:
        state.add_field_errors({"name": "missing"})
    budget = forms.amount(state, fields, "budget", 2)
    if budget is None:
        state.add_field_errors({"budget": "missing"})
    district = fields.get("district_id", "")
    return {
        "name": name,
        "kind": fields.get("kind", ""),
        "district_id": int(district) if district.isdigit() else None,
        "theme": fields.get("theme", "").strip()[:200],
        "budget": budget,
        "max_benefits": forms.whole(state, fields, "max_benefits"),
        "candidates": [
            {"template_id": t, "segment": fields.get(f"segment_{t}", "").strip()[:40] or None}
            for t in _template_ids(page, session)
            if fields.get(f"template_{t}")
        ],
        "conflicts": parse(state, "conflicts", lambda: _pairs(fields.get("conflicts", ""))),
        "starts_at": parse(
            state, "starts_at", lambda: forms.required_moment(fields.get("starts_at", ""), zone)
        ),
        "ends_at": parse(state, "ends_at", lambda: forms.moment(fields.get("ends_at", ""), zone)),
        "total_quantity": forms.whole(state, fields, "total_quantity"),
    }


def _pairs(text: str) -> list[list[int]]:
    """``"12 34"`` per line: two template numbers that must not share the package."""
    pairs = []
    for line in text.splitlines():
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        if len(parts) != 2 or not all(p.isdigit() and len(p) < 12 for p in parts):
            raise FieldProblem("pairs")
        pairs.append([int(parts[0]), int(parts[1])])
    return pairs


def _templates(page: Page, session: Session) -> list[Any]:
    return data.every(
        lambda cursor: promotions_service.list_templates(
            session=session, scope=page.caller, status=None, cursor=cursor, limit=200
        )
    )


def _template_ids(page: Page, session: Session) -> list[int]:
    return [t.id for t in _templates(page, session) if t.status == "active"]


def _form(page: Page, session: Session, state: FormState, status_code: int = 200) -> HTMLResponse:
    brands = {b.id: b for b in data.brands(session=session, scope=page.caller)}
    rows = [t for t in _templates(page, session) if t.status == "active" and t.brand_id in brands]
    return page.render(
        "console/package_form.html",
        status_code=status_code,
        nav_items=_nav(page),
        zone=ZONE,
        kind_options=[(k, page.translate(v)) for k, v in offer_words.PACKAGE_KINDS.items()],
        district_options=[(d.id, d.name) for d in data.districts(session=session)],
        candidates=[
            {
                "id": t.id,
                "name": t.name,
                "brand": brands[t.brand_id].name,
                "terms": offer_words.terms_text(page, t.kind, t.terms, brands[t.brand_id].currency),
                "checked": bool(state.values.get(f"template_{t.id}")),
            }
            for t in sorted(rows, key=lambda t: (brands[t.brand_id].name, t.id))
        ],
        cancel_url="/console/packages",
        **state.as_context(),
    )


@router.get("/console/packages/{package_id}")
def package_page(page: StaffPage, session: PageSessionDep, package_id: int) -> Response:
    page.caller.require(Role.PLATFORM_ADMIN)
    package = packages_service.get_package(
        session=session, scope=page.caller, package_id=package_id
    )
    candidates = packages_service.candidates_of(session=session, scope=page.caller, package=package)
    templates = {t.id: t for t in _templates(page, session)}
    brands = {b.id: b.name for b in data.brands(session=session, scope=page.caller)}

    def row(c: Any) -> dict[str, Any]:
        template = templates.get(c.template_id)
        other = templates.get(c.other_template_id) if c.other_template_id else None
        return {
            "template_id": c.template_id,
            "name": template.name if template else f"#{c.template_id}",
            "brand": brands.get(c.brand_id, ""),
            "segment": c.segment or "",
            "face": Money(c.face, CURRENCY),
            "use_rate": f"{c.use_rate / 10:g}%",
            "value": Money(c.value, CURRENCY),
            "margin": Money(c.margin, CURRENCY) if c.margin is not None else None,
            "reason": labels.label(page, offer_words.VERDICTS, c.reason),
            "other": other.name if other else "",
        }

    return page.render(
        "console/package.html",
        nav_items=_nav(page),
        zone=ZONE,
        package=_summary(page, package),
        district=_district_name(session, package.district_id),
        picked=[row(c) for c in candidates if c.picked],
        left_out=[row(c) for c in candidates if not c.picked],
        is_draft=package.status == PackageStatus.DRAFT.value,
        is_open=package.status != PackageStatus.CLOSED.value,
    )


def _district_name(session: Session, district_id: int | None) -> str:
    if district_id is None:
        return ""
    return next((d.name for d in data.districts(session=session) if d.id == district_id), "")


ACTIONS: dict[str, tuple[Callable[..., CouponPackage], str]] = {
    "assemble": (packages_service.assemble, "package_assembled"),
    "publish": (packages_service.publish, "package_published"),
    "close": (packages_service.close, "package_closed"),
}


@router.post("/console/packages/{package_id}/{action}")
def act(page: StaffPage, session: PageSessionDep, package_id: int, action: str) -> Response:
    """Assemble again, publish or close; a refusal (nothing picked, a template changed)
    comes back as a message on the proposal."""
    if action not in ACTIONS:
        raise NotFound()
    run, flash = ACTIONS[action]
    back = f"/console/packages/{package_id}"
    try:
        made = run(session=session, scope=page.caller, package_id=package_id)
    except DomainError as refused:
        session.rollback()
        reason = page.error_message(refused)
        return page.redirect(back, flash="package_action_failed", kind="error", reason=reason)
    return page.redirect(back, flash=flash, name=made.name)
