"""The console's touchpoint codes: the codes of the stores in scope with their counts (scans,
scanners, new members, and the orders, buyers and net sales through them), making codes in
bulk, switching one off or on, and a store's print sheet.

Everything goes through the touchpoints service with the caller's scope: a store manager
lists, changes and prints only their stores' codes; another brand's code is a 404.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.db import utcnow
from newretail.kernel import i18n
from newretail.kernel.errors import DomainError
from newretail.kernel.money import Money
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.schemas import BrandRead
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.rules import PLACEMENT_LABELS, Placement
from newretail.touchpoints.schemas import CodeBulkCreate, CodeUpdate
from newretail.web import data, forms, messages
from newretail.web.console_forms import FormState
from newretail.web.nav import CODE_ROLES, console_nav, url
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage
from newretail.web.security import safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
STATS_DAYS = 30
# Badges are made one per guide on the guide's first ask, never in bulk.
BULK_PLACEMENTS = tuple(p for p in Placement if p != Placement.GUIDE_BADGE)
Campaign = Annotated[str | None, Query(max_length=100)]
Cursor = Annotated[str | None, Query(max_length=200)]
CodePath = Annotated[str, Path(max_length=16)]


@dataclass(frozen=True)
class Filters:
    store: int | None = None
    placement: Placement | None = None
    campaign: str | None = None
    active: Literal["yes", "no"] | None = None

    def params(self) -> dict[str, object]:
        return {
            "store": self.store,
            "placement": self.placement.value if self.placement else None,
            "campaign": self.campaign,
            "active": self.active,
        }


def _stores(session: Session, scope: Scope, brand_id: int) -> list[Store]:
    stores: list[Store] = data.every(
        lambda cursor: org_service.list_stores(
            session=session, scope=scope, cursor=cursor, limit=200, brand_id=brand_id
        )
    )
    return sorted(stores, key=lambda store: store.code)


def _guide_names(session: Session, scope: Scope) -> dict[int, str]:
    staff: list[Staff] = data.every(
        lambda cursor: auth_service.list_staff(
            session=session, scope=scope, cursor=cursor, limit=200, role=Role.GUIDE
        )
    )
    return {s.id: s.display_name for s in staff}


def _code_rows(
    page: Page, session: Session, brand: BrandRead, filters: Filters, cursor: str | None
) -> tuple[list[dict[str, object]], str | None]:
    scope = page.caller
    rows, next_cursor = touchpoints_service.list_codes(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=PAGE_SIZE,
        brand_id=brand.id,
        store_id=filters.store,
        placement=filters.placement,
        campaign=filters.campaign or None,
        is_active=None if filters.active is None else filters.active == "yes",
    )
    counts = touchpoints_service.counts(
        session=session, codes=rows, since=utcnow() - timedelta(days=STATS_DAYS)
    )
    guides = _guide_names(session, scope) if rows else {}
    currency = brand.currency
    targets = _target_labels(page)
    return [
        {
            "code": row.code,
            "store_id": row.store_id,
            "placement": page.translate(PLACEMENT_LABELS[Placement(row.placement)]),
            "who": guides.get(row.guide_id, "") if row.guide_id else row.label,
            "campaign": row.campaign,
            "target": targets[row.target],
            "product_id": row.product_id,
            "active": row.is_active,
            "badge": row.badge_guide_id is not None,
            "counts": counts[row.id],
            "sales": Money(counts[row.id].sales, currency),
        }
        for row in rows
    ], next_cursor


def _target_labels(page: Page) -> dict[str, str]:
    return {target: page.translate(label) for target, label in messages.CODE_TARGETS.items()}


def _codes_page(
    page: Page,
    session: Session,
    brand: BrandRead,
    filters: Filters,
    cursor: str | None,
    state: FormState,
    status_code: int = 200,
) -> HTMLResponse:
    scope = page.caller
    stores = _stores(session, scope, brand.id)
    codes, next_cursor = _code_rows(page, session, brand, filters, cursor)
    params = filters.params()
    return page.render(
        "console/codes.html",
        status_code=status_code,
        brand=brand,
        nav_items=console_nav(page, brand.id, "codes"),
        codes=codes,
        store_names={s.id: s.name for s in stores},
        stores=[(s.id, f"{s.name} ({s.code})") for s in stores],
        placements=[(p.value, page.translate(PLACEMENT_LABELS[p])) for p in Placement],
        bulk_placements=[(p.value, page.translate(PLACEMENT_LABELS[p])) for p in BULK_PLACEMENTS],
        targets=list(_target_labels(page).items()),
        filters={name: "" if value is None else str(value) for name, value in params.items()},
        filtered=any(value not in (None, "") for value in params.values()),
        can_edit=scope.has_any(*CODE_ROLES),
        stats_days=STATS_DAYS,
        brand_param=brand.id if scope.is_platform else None,
        base_url=url("/console/codes", scope, brand.id),
        next_url=url("/console/codes", scope, brand.id, **params, cursor=next_cursor)
        if next_cursor
        else None,
        first_url=url("/console/codes", scope, brand.id, **params) if cursor else None,
        **state.as_context(),
    )


@router.get("/console/codes")
def codes(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    store: int | None = None,
    placement: Placement | None = None,
    campaign: Campaign = None,
    active: Literal["yes", "no"] | None = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*CODE_ROLES)
    filters = Filters(store, placement, campaign, active)
    only = _stores(session, scope, current.id)
    chosen = store or (only[0].id if len(only) == 1 else None)
    values = {"store": str(chosen or ""), "placement": Placement.SHELF_TAG.value, "count": "10"}
    return _codes_page(page, session, current, filters, cursor, FormState(page, values))


def _bulk(fields: dict[str, str]) -> CodeBulkCreate:
    return CodeBulkCreate.model_validate(
        {
            "store_id": fields.get("store", "").strip() or None,
            "placement": fields.get("placement", ""),
            "count": fields.get("count", "").strip() or None,
            "campaign": fields.get("campaign", "").strip(),
            "target": fields.get("target", "") or None,
            "product_id": fields.get("product_id", "").strip() or None,
        }
    )


_FIELD_NAMES = {"store_id": "store"}


@router.post("/console/codes")
def create_codes(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    scope = page.caller
    brand_field = fields.get("brand", "")
    current = data.brand(
        session=session, scope=scope, brand_id=int(brand_field) if brand_field.isdigit() else None
    )
    scope.require(*CODE_ROLES)
    state = FormState(page, fields)
    try:
        request = _bulk(fields)
        store = org_service.get_store(session=session, scope=scope, store_id=request.store_id)
        made = touchpoints_service.create_codes(session=session, scope=scope, data=request)
    except ValidationError as exc:
        errors = forms.field_errors(exc)
        state.add_field_errors({_FIELD_NAMES.get(name, name): key for name, key in errors.items()})
        return _codes_page(page, session, current, Filters(), None, state, status_code=422)
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _codes_page(page, session, current, Filters(), None, state, status_code=exc.status)
    return page.redirect(
        url("/console/codes", scope, current.id, store=store.id),
        flash="codes_created",
        count=len(made),
        store=store.name,
    )


@router.post("/console/codes/{code}/active")
def switch_code(
    code: CodePath, page: StaffPage, session: PageSessionDep, fields: FormDep
) -> Response:
    """Switch a code off (its printed labels stop leading anywhere) or on again."""
    scope = page.caller
    scope.require(*CODE_ROLES)
    active = fields.get("active") == "yes"
    row = touchpoints_service.update_code(
        session=session, scope=scope, code=code, data=CodeUpdate(is_active=active)
    )
    back = safe_next(fields.get("next"), url("/console/codes", scope, row.brand_id))
    return page.redirect(
        back, flash="code_activated" if active else "code_deactivated", code=row.code
    )


@router.get("/console/codes/sheet")
def print_sheet(page: StaffPage, session: PageSessionDep, store: int) -> Response:
    """The store's active codes as an A4 PDF of QR labels, in the reader's language."""
    scope = page.caller
    scope.require(*CODE_ROLES)
    pdf = touchpoints_service.print_sheet(
        session=session,
        scope=scope,
        store_id=store,
        base_url=page.public_base_url,
        translate=i18n.translations(page.locale).gettext,
    )
    found = org_service.get_store(session=session, scope=scope, store_id=store)
    headers = {
        "Content-Disposition": f'attachment; filename="codes-{found.code}.pdf"',
        "Cache-Control": "no-store",
    }
    return Response(content=pdf, media_type="application/pdf", headers=headers)


@router.get("/console/codes/{code}.svg")
def code_image(code: CodePath, page: StaffPage, session: PageSessionDep) -> Response:
    """A code's QR image for the console (pages authenticate by cookie, not bearer token)."""
    scope = page.caller
    scope.require(*CODE_ROLES)
    image = touchpoints_service.qr_svg(
        session=session, scope=scope, code=code, base_url=page.public_base_url
    )
    headers = {"Cache-Control": "private, max-age=300"}
    return Response(content=image, media_type="image/svg+xml", headers=headers)
