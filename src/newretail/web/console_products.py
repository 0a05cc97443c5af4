"""Console forms for products, SKUs and product pictures, through the catalog service.

    GET/POST /console/products/new                      a product, with its first picture
    GET/POST /console/products/{id}/edit                title, category, text, specs, status
    POST     /console/products/{id}/images              one more picture
    POST     /console/products/{id}/images/remove       a picture leaves the product
    GET/POST /console/products/{id}/skus/new            a SKU: code, barcode, variant, weight
    GET/POST /console/products/{id}/skus/{sku_id}/edit

Brand admins (and the platform) write the catalog, as in the API: the service refuses
anyone else. A refused write shows its form again with the reasons, and nothing is saved.
"""

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.catalog.models import Product, Sku
from newretail.catalog.schemas import ProductCreate, ProductUpdate, SkuCreate, SkuUpdate
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Role
from newretail.org.schemas import BrandRead
from newretail.web import data, forms, messages
from newretail.web.console_catalog import _brand, _categories
from newretail.web.console_forms import FormState
from newretail.web.manage import UploadDep, attempt, brand_param, form_brand, image_storage, parse
from newretail.web.manage_fields import format_pairs, parse_pairs, parse_whole
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
WRITERS = (Role.BRAND_ADMIN,)
PRODUCT_ERRORS = {
    "product_code_taken": "code",
    "category_not_found": "category_id",
    "invalid_image": "image",
    "image_too_large": "image",
    "too_many_images": "image",
}
SKU_ERRORS = {"sku_code_taken": "code", "barcode_taken": "barcode"}


def product_url(product_id: int) -> str:
    return f"/console/products/{product_id}"


def _product_input(
    state: FormState, fields: dict[str, str], *, editing: bool, known: Iterable[str] = ()
) -> dict[str, Any]:
    names = ("title", "description") if editing else ("code", "title", "description")
    values: dict[str, Any] = {name: fields.get(name, "").strip() for name in names}
    category = fields.get("category_id", "").strip()
    values["category_id"] = int(category) if category.isdigit() and len(category) < 19 else None
    if category and values["category_id"] is None:
        state.add_field_errors({"category_id": "choice"})
    specs = parse(state, "specs", lambda: parse_pairs(fields.get("specs", "")))
    values["specs"] = named(state.page, specs or {}, known)
    if editing:
        values["status"] = fields.get("status", "")
    return values


def _check_upload(state: FormState, page: Page, image: bytes | None) -> None:
    """Judge the picture now, so its problem shows beside the other fields' problems."""
    if image is None:
        return
    try:
        catalog_service.check_image(image, max_bytes=page.settings.media_max_bytes)
    except DomainError as exc:
        state.add_domain_error(exc)


def shown(page: Page, pairs: dict[str, Any]) -> str:
    """Attributes or specs as the form shows them: known names in the user's language."""
    return format_pairs(
        {
            page.translate(messages.ATTRIBUTES[k]) if k in messages.ATTRIBUTES else k: v
            for k, v in pairs.items()
        }
    )


def named(page: Page, pairs: dict[str, str], known: Iterable[str]) -> dict[str, str]:
    """Typed names back to stored ones: a translated known name becomes its key (the
    row's own keys first, so two keys with one translation keep apart)."""
    keys = {page.translate(label): key for key, label in reversed(messages.ATTRIBUTES.items())}
    keys |= {page.translate(messages.ATTRIBUTES.get(key, key)): key for key in known}
    return {keys.get(name, name): value for name, value in pairs.items()}


# ---- products ------------------------------------------------------------------------


@router.get("/console/products/new")
def new_product(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> Response:
    page.caller.require(*WRITERS)
    current = _brand(page, session, brand)
    return _product_form(page, session, current, None, _state(page, {}))


@router.post("/console/products/new")
def create_product(page: StaffPage, session: PageSessionDep, form: UploadDep) -> Response:
    page.caller.require(*WRITERS)
    current = form_brand(page, session, form.fields)
    state = _state(page, form.fields)
    values = _product_input(state, form.fields, editing=False)
    image = form.files.get("image")
    _check_upload(state, page, image)

    def write() -> Product:
        checked = ProductCreate.model_validate({**values, "brand_id": current.id})
        made = catalog_service.create_product(session=session, scope=page.caller, data=checked)
        if image is not None:
            _add_image(page, session, made.id, image)
        return made

    made, refused = attempt(
        session,
        state,
        write,
        lambda status: _product_form(page, session, current, None, state, status),
    )
    if refused is not None:
        return refused
    return page.redirect(product_url(made.id), flash="product_created", title=made.title)


@router.get("/console/products/{product_id}/edit")
def edit_product(page: StaffPage, session: PageSessionDep, product_id: int) -> Response:
    found = catalog_service.get_product(session=session, scope=page.caller, product_id=product_id)
    page.caller.require(*WRITERS)
    current = data.brand(session=session, scope=page.caller, brand_id=found.brand_id)
    return _product_form(page, session, current, found, _state(page, _product_values(page, found)))


def _product_values(page: Page, product: Product) -> dict[str, str]:
    return {
        "title": product.title,
        "description": product.description,
        "category_id": str(product.category_id or ""),
        "specs": shown(page, product.specs),
        "status": product.status,
    }


@router.post("/console/products/{product_id}/edit")
def update_product(
    page: StaffPage, session: PageSessionDep, product_id: int, fields: FormDep
) -> Response:
    found = catalog_service.get_product(session=session, scope=page.caller, product_id=product_id)
    page.caller.require(*WRITERS)
    current = data.brand(session=session, scope=page.caller, brand_id=found.brand_id)
    state = _state(page, fields)
    values = _product_input(state, fields, editing=True, known=found.specs)
    before = {name: getattr(found, name) for name in values}

    def write() -> Product:
        changed = ProductUpdate.model_validate(forms.changes(values, before))
        return catalog_service.update_product(
            session=session, scope=page.caller, product_id=found.id, data=changed
        )

    saved, refused = attempt(
        session,
        state,
        write,
        lambda status: _product_form(page, session, current, found, state, status),
    )
    if refused is not None:
        return refused
    return page.redirect(product_url(saved.id), flash="product_updated", title=saved.title)


def _state(page: Page, values: dict[str, str]) -> FormState:
    return FormState(page, values, error_fields=PRODUCT_ERRORS)


def _product_form(
    page: Page,
    session: Session,
    brand: BrandRead,
    product: Product | None,
    state: FormState,
    status_code: int = 200,
) -> HTMLResponse:
    return page.render(
        "console/product_form.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "products"),
        brand=brand,
        brand_param=brand_param(page, brand),
        product=product,
        images=list(product.images) if product is not None else [],
        categories=[(str(value), label) for value, label in _categories(session, page, brand.id)],
        statuses=[(k, page.translate(v)) for k, v in messages.PRODUCT_STATUSES.items()],
        upload_limit_mb=f"{page.settings.media_max_bytes / (1024 * 1024):g}",
        cancel_url=product_url(product.id) if product else _list_url(page, brand),
        **state.as_context(),
    )


def _list_url(page: Page, brand: BrandRead) -> str:
    kept = brand_param(page, brand)
    return "/console/products" + (f"?brand={kept}" if kept else "")


# ---- pictures ------------------------------------------------------------------------


def _add_image(page: Page, session: Session, product_id: int, image: bytes) -> None:
    catalog_service.add_product_image(
        session=session,
        scope=page.caller,
        product_id=product_id,
        data=image,
        storage=image_storage(page.settings),
        max_bytes=page.settings.media_max_bytes,
    )


@router.post("/console/products/{product_id}/images")
def add_image(
    page: StaffPage, session: PageSessionDep, product_id: int, form: UploadDep
) -> Response:
    found = catalog_service.get_product(session=session, scope=page.caller, product_id=product_id)
    page.caller.require(*WRITERS)
    current = data.brand(session=session, scope=page.caller, brand_id=found.brand_id)
    image = form.files.get("image")
    state = _state(page, _product_values(page, found))
    if image is None:
        state.add_field_errors({"image": "missing"})
    else:
        _check_upload(state, page, image)
    _, refused = attempt(
        session,
        state,
        lambda: _add_image(page, session, found.id, image or b""),
        lambda status: _product_form(page, session, current, found, state, status),
    )
    if refused is not None:
        return refused
    return page.redirect(f"{product_url(found.id)}/edit", flash="image_added")


@router.post("/console/products/{product_id}/images/remove")
def remove_image(
    page: StaffPage, session: PageSessionDep, product_id: int, fields: FormDep
) -> Response:
    catalog_service.remove_product_image(
        session=session, scope=page.caller, product_id=product_id, url=fields.get("url", "")
    )
    return page.redirect(f"{product_url(product_id)}/edit", flash="image_removed")


# ---- SKUs ----------------------------------------------------------------------------


@router.get("/console/products/{product_id}/skus/new")
def new_sku(page: StaffPage, session: PageSessionDep, product_id: int) -> Response:
    found = catalog_service.get_product(session=session, scope=page.caller, product_id=product_id)
    page.caller.require(*WRITERS)
    return _sku_form(page, session, found, None, _sku_state(page, {}))


@router.post("/console/products/{product_id}/skus/new")
def create_sku(
    page: StaffPage, session: PageSessionDep, product_id: int, fields: FormDep
) -> Response:
    found = catalog_service.get_product(session=session, scope=page.caller, product_id=product_id)
    page.caller.require(*WRITERS)
    state = _sku_state(page, fields)
    values = _sku_input(state, fields, editing=False)

    def write() -> Sku:
        checked = SkuCreate.model_validate(values)
        return catalog_service.create_sku(
            session=session, scope=page.caller, product_id=found.id, data=checked
        )

    made, refused = attempt(
        session, state, write, lambda status: _sku_form(page, session, found, None, state, status)
    )
    if refused is not None:
        return refused
    return page.redirect(product_url(found.id), flash="sku_created", code=made.code)


@router.get("/console/products/{product_id}/skus/{sku_id}/edit")
def edit_sku(page: StaffPage, session: PageSessionDep, product_id: int, sku_id: int) -> Response:
    sku = catalog_service.get_product_sku(
        session=session, scope=page.caller, product_id=product_id, sku_id=sku_id
    )
    page.caller.require(*WRITERS)
    found = catalog_service.get_product(session=session, scope=page.caller, product_id=product_id)
    values = {
        "barcode": sku.barcode or "",
        "attributes": shown(page, sku.attributes),
        "weight_g": "" if sku.weight_g is None else str(sku.weight_g),
    }
    return _sku_form(page, session, found, sku, _sku_state(page, values))


@router.post("/console/products/{product_id}/skus/{sku_id}/edit")
def update_sku(
    page: StaffPage, session: PageSessionDep, product_id: int, sku_id: int, fields: FormDep
) -> Response:
    sku = catalog_service.get_product_sku(
        session=session, scope=page.caller, product_id=product_id, sku_id=sku_id
    )
    page.caller.require(*WRITERS)
    found = catalog_service.get_product(session=session, scope=page.caller, product_id=product_id)
    state = _sku_state(page, fields)
    values = _sku_input(state, fields, editing=True, known=sku.attributes)
    before = {"barcode": sku.barcode, "attributes": sku.attributes, "weight_g": sku.weight_g}

    def write() -> Sku:
        changed = SkuUpdate.model_validate(forms.changes(values, before))
        return catalog_service.update_sku(
            session=session, scope=page.caller, product_id=found.id, sku_id=sku.id, data=changed
        )

    saved, refused = attempt(
        session, state, write, lambda status: _sku_form(page, session, found, sku, state, status)
    )
    if refused is not None:
        return refused
    return page.redirect(product_url(found.id), flash="sku_updated", code=saved.code)


def _sku_input(
    state: FormState, fields: dict[str, str], *, editing: bool, known: Iterable[str] = ()
) -> dict[str, Any]:
    values: dict[str, Any] = {} if editing else {"code": fields.get("code", "").strip()}
    values["barcode"] = fields.get("barcode", "").strip() or None
    attributes = parse(state, "attributes", lambda: parse_pairs(fields.get("attributes", "")))
    values["attributes"] = named(state.page, attributes or {}, known)
    weight = fields.get("weight_g", "").strip()
    values["weight_g"] = parse(state, "weight_g", lambda: parse_whole(weight)) if weight else None
    return values


def _sku_state(page: Page, values: dict[str, str]) -> FormState:
    return SkuFormState(page, values, error_fields=SKU_ERRORS)


class SkuFormState(FormState):
    """A SKU's code and barcode follow their own patterns, not a store's or region's."""

    def add_field_errors(self, keys: dict[str, str]) -> None:
        renamed = {"code": "sku_code", "barcode": "barcode"}
        super().add_field_errors(
            {
                name: renamed[name] if name in renamed and key != "missing" else key
                for name, key in keys.items()
            }
        )


def _sku_form(
    page: Page,
    session: Session,
    product: Product,
    sku: Sku | None,
    state: FormState,
    status_code: int = 200,
) -> HTMLResponse:
    current = data.brand(session=session, scope=page.caller, brand_id=product.brand_id)
    return page.render(
        "console/sku_form.html",
        status_code=status_code,
        nav_items=console_nav(page, current.id, "products"),
        brand=current,
        product=product,
        sku=sku,
        cancel_url=product_url(product.id),
        **state.as_context(),
    )
