"""Console screens for coupon templates: what members claim into their wallets.

    GET       /console/coupons                 the brand's templates: terms, where, claim
                                               window, validity, quantity and budget used
    GET/POST  /console/coupons/new             a new template
    GET/POST  /console/coupons/{id}/edit       its name, claim end, limits, return rule, state

Brand staff read; brand admins write, through ``promotions_service``. A template's terms
and reach are fixed once coupons may exist; its limits never go below what was issued.
"""

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.kernel.money import Money
from newretail.kernel.scope import Role
from newretail.org.schemas import BrandRead
from newretail.promotions import service as promotions_service
from newretail.promotions.models import CouponTemplate
from newretail.promotions.schemas import TemplateCreate, TemplateUpdate
from newretail.web import console_offer_forms as forms
from newretail.web import data, labels, offer_words
from newretail.web.console_catalog import _brand, _categories, _stores, url
from newretail.web.console_forms import FormState
from newretail.web.manage import attempt, brand_param, form_brand, parse
from newretail.web.manage_fields import format_amount
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
READERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
COUPON_KINDS = ("threshold", "fixed", "percent", "free_gift", "service", "paid")
FUNDERS = ("brand", "store", "franchisee", "platform")


@router.get("/console/coupons")
def templates(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(*READERS)
    rows, _ = promotions_service.list_templates(
        session=session, scope=page.caller, status=None, cursor=None, limit=200, brand_id=current.id
    )
    stores = {s.id: s.name for s in _stores(page, session, current.id, warehouses=False)}
    categories = {i: name.strip() for i, name in _categories(session, page, current.id)}
    return page.render(
        "console/coupons.html",
        nav_items=console_nav(page, current.id, "coupons"),
        brand=current,
        templates=[_row(page, current, t, stores, categories) for t in reversed(rows)],
        can_edit=page.caller.has_any(Role.BRAND_ADMIN),
        new_url=url("/console/coupons/new", brand=brand_param(page, current)),
        report_url=url("/console/coupons/report", brand=brand_param(page, current)),
    )


def _row(
    page: Page,
    brand: BrandRead,
    t: CouponTemplate,
    stores: dict[int, str],
    categories: dict[int, str],
) -> dict[str, Any]:
    def cash(amount: int) -> Money:
        return Money(amount, brand.currency)

    return {
        "id": t.id,
        "name": t.name,
        "kind": labels.label(page, offer_words.KINDS, t.kind),
        "terms": offer_words.terms_text(page, t.kind, t.terms, brand.currency),
        "reach": offer_words.reach_text(page, t.reach, stores, categories)
        or [page.gettext("Every store, channel and product")],
        "funder": labels.label(page, labels.FUNDERS, t.funder),
        "starts_at": t.starts_at,
        "ends_at": t.ends_at,
        "valid_days": t.valid_days,
        "valid_until": t.valid_until,
        "issued": t.issued,
        "total_quantity": t.total_quantity,
        "budget_used": cash(t.budget_used),
        "budget": cash(t.budget) if t.budget is not None else None,
        "per_member_limit": t.per_member_limit,
        "return_rule": labels.label(page, offer_words.RETURN_RULES, t.return_rule),
        "status": t.status,
        "status_label": labels.label(page, offer_words.OFFER_STATUSES, t.status),
        "edit_url": f"/console/coupons/{t.id}/edit",
    }


@router.get("/console/coupons/new")
def new_template(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(Role.BRAND_ADMIN)
    values = {
        "kind": "threshold",
        "stacking": "stackable",
        "funder": "brand",
        "valid_days": "30",
        "per_order": "1",
        "return_rule": "forfeit",
    }
    return _form(page, session, current, None, forms.state(page, values))


@router.post("/console/coupons/new")
def create_template(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    current = form_brand(page, session, fields)
    page.caller.require(Role.BRAND_ADMIN)
    state = forms.state(page, fields)
    body = _create_body(page, session, current, state, fields)

    def write() -> CouponTemplate:
        checked = TemplateCreate.model_validate({"brand_id": current.id, **body})
        return promotions_service.create_template(session=session, scope=page.caller, data=checked)

    made, refused = attempt(
        session, state, write, lambda status: _form(page, session, current, None, state, status)
    )
    if refused is not None:
        return refused
    back = url("/console/coupons", brand=brand_param(page, current))
    return page.redirect(back, flash="coupon_template_saved", name=made.name)


@router.get("/console/coupons/{template_id}/edit")
def edit_template(page: StaffPage, session: PageSessionDep, template_id: int) -> Response:
    row = promotions_service.get_template(
        session=session, scope=page.caller, template_id=template_id
    )
    page.caller.require(Role.BRAND_ADMIN)
    current = data.brand(session=session, scope=page.caller, brand_id=row.brand_id)
    return _form(page, session, current, row, forms.state(page, _values(current, row)))


@router.post("/console/coupons/{template_id}/edit")
def update_template(
    page: StaffPage, session: PageSessionDep, template_id: int, fields: FormDep
) -> Response:
    row = promotions_service.get_template(
        session=session, scope=page.caller, template_id=template_id
    )
    page.caller.require(Role.BRAND_ADMIN)
    current = data.brand(session=session, scope=page.caller, brand_id=row.brand_id)
    state = forms.state(page, fields)
    body = _update_body(current, state, fields)

    def write() -> CouponTemplate:
        checked = TemplateUpdate.model_validate(body)
        return promotions_service.update_template(
            session=session, scope=page.caller, template_id=row.id, data=checked
        )

    made, refused = attempt(
        session, state, write, lambda status: _form(page, session, current, row, state, status)
    )
    if refused is not None:
        return refused
    back = url("/console/coupons", brand=brand_param(page, current))
    return page.redirect(back, flash="coupon_template_saved", name=made.name)


def _create_body(
    page: Page, session: Session, brand: BrandRead, state: FormState, fields: dict[str, str]
) -> dict[str, Any]:
    zone = ZoneInfo(brand.timezone)
    until = parse(state, "valid_until", lambda: forms.moment(fields.get("valid_until", ""), zone))
    funder = fields.get("funder", "") or "brand"
    store = fields.get("funder_store_id", "")
    if funder in ("store", "franchisee") and not store.isdigit():
        state.add_field_errors({"funder_store_id": "missing"})
    return {
        **_limits(brand, state, fields),
        "name": fields.get("name", "").strip(),
        "kind": fields.get("kind", ""),
        "stacking": fields.get("stacking", "") or "stackable",
        "priority": forms.whole(state, fields, "priority") or 0,
        "terms": _terms(session, brand, state, fields),
        "reach": forms.reach_body(page, session, brand, state, fields),
        "funder": funder,
        "funder_store_id": int(store)
        if funder in ("store", "franchisee") and store.isdigit()
        else None,
        "starts_at": parse(
            state, "starts_at", lambda: forms.required_moment(fields.get("starts_at", ""), zone)
        ),
        "valid_days": None if until else forms.whole(state, fields, "valid_days"),
        "valid_until": until,
        "per_order": forms.whole(state, fields, "per_order") or 1,
    }


def _terms(
    session: Session, brand: BrandRead, state: FormState, fields: dict[str, str]
) -> dict[str, Any]:
    """The typed numbers, a paid voucher's price and a free gift's SKU (by its code)."""
    terms = forms.terms_body(state, fields, forms.digits(brand))
    terms["price"] = forms.amount(state, fields, "price", forms.digits(brand)) or 0
    gift = forms.sku_ids(session, brand, state, fields, "gift_sku")
    terms["gift_sku_id"] = gift[0] if gift else None
    return terms


def _update_body(brand: BrandRead, state: FormState, fields: dict[str, str]) -> dict[str, Any]:
    body = _limits(brand, state, fields)
    body["status"] = fields.get("status") or None
    return body


def _limits(brand: BrandRead, state: FormState, fields: dict[str, str]) -> dict[str, Any]:
    """What a template's form sets both when it is made and when it changes."""
    zone = ZoneInfo(brand.timezone)
    name = fields.get("name", "").strip()
    if not name:
        state.add_field_errors({"name": "missing"})
    return {
        "name": name,
        "ends_at": parse(state, "ends_at", lambda: forms.moment(fields.get("ends_at", ""), zone)),
        "total_quantity": forms.whole(state, fields, "total_quantity"),
        "budget": forms.amount(state, fields, "budget", forms.digits(brand)),
        "per_member_limit": forms.whole(state, fields, "per_member_limit"),
        "return_rule": fields.get("return_rule") or "forfeit",
    }


def _values(brand: BrandRead, row: CouponTemplate) -> dict[str, str]:
    zone = ZoneInfo(brand.timezone)
    places = forms.digits(brand)
    return {
        "name": row.name,
        "ends_at": forms.local(row.ends_at, zone),
        "total_quantity": str(row.total_quantity or ""),
        "budget": format_amount(row.budget, places),
        "per_member_limit": str(row.per_member_limit or ""),
        "return_rule": row.return_rule,
        "status": row.status,
    }


def _form(
    page: Page,
    session: Session,
    brand: BrandRead,
    row: CouponTemplate | None,
    state: FormState,
    status_code: int = 200,
) -> HTMLResponse:
    stores = _stores(page, session, brand.id, warehouses=False)
    return page.render(
        "console/coupon_form.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "coupons"),
        brand=brand,
        coupon=row,
        summary=offer_words.terms_text(page, row.kind, row.terms, brand.currency) if row else "",
        action=f"/console/coupons/{row.id}/edit" if row else "/console/coupons/new",
        kind_options=[(k, page.translate(offer_words.KINDS[k])) for k in COUPON_KINDS],
        stacking_options=[(k, page.translate(v)) for k, v in offer_words.STACKING.items()],
        funder_options=[(k, page.translate(labels.FUNDERS[k])) for k in FUNDERS],
        store_options=[(s.id, s.name) for s in stores],
        return_options=[(k, page.translate(v)) for k, v in offer_words.RETURN_RULES.items()],
        status_options=[
            (k, page.translate(offer_words.OFFER_STATUSES[k])) for k in ("active", "paused")
        ],
        cancel_url=url("/console/coupons", brand=brand_param(page, brand)),
        **forms.choices(page, session, brand, state.values),
        **state.as_context(),
    )
