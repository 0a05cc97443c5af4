"""Console screens for automatic promotions (满减, 第二件, 买赠, set prices, member prices).

    GET       /console/promotions                  the brand's promotions: terms, where, when
    GET/POST  /console/promotions/new              a new promotion
    GET/POST  /console/promotions/{id}/edit        change its terms, reach, dates or status
    POST      /console/promotions/{id}/archive     stop it for good

Brand staff read; brand admins write, through ``promotions_service`` with the caller's
scope. Dates are typed on the brand's wall clock; a refused form keeps what was typed.
"""

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.kernel.scope import Role
from newretail.org.schemas import BrandRead
from newretail.promotions import service as promotions_service
from newretail.promotions.discounts import PROMOTION_KINDS
from newretail.promotions.models import Promotion
from newretail.promotions.schemas import PromotionCreate, PromotionUpdate
from newretail.web import console_offer_forms as forms
from newretail.web import data, labels, offer_words
from newretail.web.console_catalog import _brand, _categories, _stores, url
from newretail.web.console_forms import FormState
from newretail.web.manage import attempt, brand_param, form_brand, parse
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
READERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
KIND_ORDER = ("spend_save", "nth_item", "buy_get", "set_price", "tier_price")


@router.get("/console/promotions")
def promotions(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(*READERS)
    rows, _ = promotions_service.list_promotions(
        session=session, scope=page.caller, status=None, cursor=None, limit=200, brand_id=current.id
    )
    names = _names(page, session, current)
    return page.render(
        "console/promotions.html",
        nav_items=console_nav(page, current.id, "promotions"),
        brand=current,
        promotions=[_row(page, current, p, names) for p in reversed(rows)],
        can_edit=page.caller.has_any(Role.BRAND_ADMIN),
        new_url=url("/console/promotions/new", brand=brand_param(page, current)),
    )


def _names(page: Page, session: Session, brand: BrandRead) -> tuple[dict[int, str], dict[int, str]]:
    stores = {s.id: s.name for s in _stores(page, session, brand.id, warehouses=False)}
    categories = {i: name.strip() for i, name in _categories(session, page, brand.id)}
    return stores, categories


def _row(
    page: Page, brand: BrandRead, p: Promotion, names: tuple[dict[int, str], dict[int, str]]
) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "kind": labels.label(page, offer_words.KINDS, p.kind),
        "terms": offer_words.terms_text(page, p.kind, p.terms, brand.currency),
        "reach": offer_words.reach_text(page, p.reach, *names)
        or [page.gettext("Every store, channel and product")],
        "stacking": labels.label(page, offer_words.STACKING, p.stacking),
        "starts_at": p.starts_at,
        "ends_at": p.ends_at,
        "hours": f"{forms.clock(p.from_minute)}–{forms.clock(p.until_minute)}"
        if p.from_minute is not None
        else "",
        "status": p.status,
        "status_label": labels.label(page, offer_words.OFFER_STATUSES, p.status),
        "edit_url": f"/console/promotions/{p.id}/edit",
    }


@router.get("/console/promotions/new")
def new_promotion(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(Role.BRAND_ADMIN)
    values = {"kind": "spend_save", "stacking": "stackable", "priority": "0"}
    return _form(page, session, current, None, forms.state(page, values))


@router.post("/console/promotions/new")
def create_promotion(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    current = form_brand(page, session, fields)
    page.caller.require(Role.BRAND_ADMIN)
    state = forms.state(page, fields)
    body = _body(page, session, current, state, fields)

    def write() -> Promotion:
        checked = PromotionCreate.model_validate({"brand_id": current.id, **body})
        return promotions_service.create_promotion(session=session, scope=page.caller, data=checked)

    made, refused = attempt(
        session, state, write, lambda status: _form(page, session, current, None, state, status)
    )
    if refused is not None:
        return refused
    back = url("/console/promotions", brand=brand_param(page, current))
    return page.redirect(back, flash="promotion_saved", name=made.name)


@router.get("/console/promotions/{promotion_id}/edit")
def edit_promotion(page: StaffPage, session: PageSessionDep, promotion_id: int) -> Response:
    row = promotions_service.get_promotion(
        session=session, scope=page.caller, promotion_id=promotion_id
    )
    page.caller.require(Role.BRAND_ADMIN)
    current = data.brand(session=session, scope=page.caller, brand_id=row.brand_id)
    return _form(page, session, current, row, forms.state(page, _values(session, current, row)))


@router.post("/console/promotions/{promotion_id}/edit")
def update_promotion(
    page: StaffPage, session: PageSessionDep, promotion_id: int, fields: FormDep
) -> Response:
    row = promotions_service.get_promotion(
        session=session, scope=page.caller, promotion_id=promotion_id
    )
    page.caller.require(Role.BRAND_ADMIN)
    current = data.brand(session=session, scope=page.caller, brand_id=row.brand_id)
    state = forms.state(page, {**fields, "kind": row.kind})
    body = _body(page, session, current, state, {**fields, "kind": row.kind})
    body.pop("kind")

    def write() -> Promotion:
        checked = PromotionUpdate.model_validate({**body, "status": fields.get("status") or None})
        return promotions_service.update_promotion(
            session=session, scope=page.caller, promotion_id=row.id, data=checked
        )

    made, refused = attempt(
        session, state, write, lambda status: _form(page, session, current, row, state, status)
    )
    if refused is not None:
        return refused
    back = url("/console/promotions", brand=brand_param(page, current))
    return page.redirect(back, flash="promotion_saved", name=made.name)


@router.post("/console/promotions/{promotion_id}/archive")
def archive_promotion(page: StaffPage, session: PageSessionDep, promotion_id: int) -> Response:
    row = promotions_service.get_promotion(
        session=session, scope=page.caller, promotion_id=promotion_id
    )
    promotions_service.archive(session=session, scope=page.caller, row=row)
    current = data.brand(session=session, scope=page.caller, brand_id=row.brand_id)
    back = url("/console/promotions", brand=brand_param(page, current))
    return page.redirect(back, flash="promotion_archived", name=row.name)


def _body(
    page: Page, session: Session, brand: BrandRead, state: FormState, fields: dict[str, str]
) -> dict[str, Any]:
    zone = ZoneInfo(brand.timezone)
    name = fields.get("name", "").strip()
    if not name:
        state.add_field_errors({"name": "missing"})
    body = {
        "name": name,
        "kind": fields.get("kind", ""),
        "stacking": fields.get("stacking", "") or "stackable",
        "priority": forms.whole(state, fields, "priority") or 0,
        "terms": forms.terms_body(state, fields, forms.digits(brand)),
        "reach": forms.reach_body(page, session, brand, state, fields),
        "starts_at": parse(
            state, "starts_at", lambda: forms.required_moment(fields.get("starts_at", ""), zone)
        ),
        "ends_at": parse(state, "ends_at", lambda: forms.moment(fields.get("ends_at", ""), zone)),
        "from_minute": parse(state, "from_time", lambda: forms.minute(fields.get("from_time", ""))),
        "until_minute": parse(
            state, "until_time", lambda: forms.minute(fields.get("until_time", ""))
        ),
    }
    return body


def _values(session: Session, brand: BrandRead, row: Promotion) -> dict[str, str]:
    zone = ZoneInfo(brand.timezone)
    return {
        "name": row.name,
        "kind": row.kind,
        "stacking": row.stacking,
        "priority": str(row.priority),
        "starts_at": forms.local(row.starts_at, zone),
        "ends_at": forms.local(row.ends_at, zone),
        "from_time": forms.clock(row.from_minute),
        "until_time": forms.clock(row.until_minute),
        "status": row.status,
        **forms.terms_values(row.terms, forms.digits(brand)),
        **forms.reach_values(session, brand, row.reach),
    }


def _form(
    page: Page,
    session: Session,
    brand: BrandRead,
    row: Promotion | None,
    state: FormState,
    status_code: int = 200,
) -> HTMLResponse:
    kinds = [k for k in KIND_ORDER if k in PROMOTION_KINDS]
    return page.render(
        "console/promotion_form.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "promotions"),
        brand=brand,
        promotion=row,
        action=f"/console/promotions/{row.id}/edit" if row else "/console/promotions/new",
        kind_options=[(k, page.translate(offer_words.KINDS[k])) for k in kinds],
        kind_label=labels.label(page, offer_words.KINDS, row.kind) if row else "",
        stacking_options=[(k, page.translate(v)) for k, v in offer_words.STACKING.items()],
        status_options=[
            (k, page.translate(offer_words.OFFER_STATUSES[k])) for k in ("active", "paused")
        ],
        tier_rows=range(1, forms.TIER_ROWS + 1),
        cancel_url=url("/console/promotions", brand=brand_param(page, brand)),
        **forms.choices(page, session, brand, state.values),
        **state.as_context(),
    )
