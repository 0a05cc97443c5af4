"""Console forms that move stock, through the inventory service: adjust and transfer.

    GET/POST /console/stock/adjust     add or take units at one location, with a reason
    GET/POST /console/stock/transfer   move units between two locations, with a reason

Both go through ``inventory_service``: its guarded statements refuse to take more than is
available (stock never goes below zero, whatever two people do at once), and every change
lands in the movements journal with who made it and why. Managers of the location (and
brand admins) may do either, as in the API.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.catalog.models import Sku
from newretail.inventory import errors as inventory_errors
from newretail.inventory import service as inventory_service
from newretail.inventory.schemas import AdjustmentCreate, TransferCreate
from newretail.kernel.scope import Role
from newretail.org.schemas import BrandRead
from newretail.web.console_catalog import _brand, _store_options, _stores, url
from newretail.web.console_forms import FormState
from newretail.web.manage import attempt, brand_param, form_brand, parse
from newretail.web.manage_fields import parse_whole
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MANAGERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
REASON_MAX = 500
ADJUST_ERRORS = {
    "insufficient_stock": "delta",
    "store_not_found": "store_id",
    "sku_not_found": "sku",
    "invalid_quantity": "delta",
}
TRANSFER_ERRORS = {
    "insufficient_stock": "quantity",
    "store_not_found": "to_store_id",
    "transfer_same_location": "to_store_id",
    "mixed_brands": "to_store_id",
    "sku_not_found": "sku",
    "invalid_quantity": "quantity",
}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _sku_code(page: Page, session: Session, sku: int | None) -> str:
    if sku is None:
        return ""
    return catalog_service.get_sku(session=session, scope=page.caller, sku_id=sku).code


def _find_sku(state: FormState, session: Session, brand: BrandRead, code: str) -> Sku | None:
    if not code.strip():
        state.add_field_errors({"sku": "missing"})
        return None
    found = catalog_service.skus_by_code(session=session, brand_id=brand.id, codes=[code.strip()])
    sku = found.get(code.strip())
    if sku is None:
        state.add_field_errors({"sku": "unknown_sku"})
    return sku


def _reason(state: FormState, fields: dict[str, str]) -> str:
    reason = fields.get("reason", "").strip()
    if not reason:
        state.add_field_errors({"reason": "missing"})
    elif len(reason) > REASON_MAX:
        state.add_field_errors({"reason": "too_long"})
    return reason


def _available(session: Session, page: Page, location_id: int, sku_id: int) -> int:
    levels, _ = inventory_service.list_levels(
        session=session,
        scope=page.caller,
        cursor=None,
        limit=1,
        location_id=location_id,
        sku_id=sku_id,
    )
    return levels[0].on_hand - levels[0].reserved if levels else 0


def _below_zero(
    state: FormState, page: Page, session: Session, field: str, key: tuple[int, int]
) -> None:
    """Say how many units there are, after the refused change has been rolled back."""
    available = max(0, _available(session, page, *key))
    state.errors[field] = page.gettext(
        "Only %(available)s available here: stock cannot go below zero.", available=available
    )


# ---- adjust ---------------------------------------------------------------------------


@router.get("/console/stock/adjust")
def adjust_form(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    store: int | None = None,
    sku: int | None = None,
) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(*MANAGERS)
    values = {"store_id": str(store or ""), "sku": _sku_code(page, session, sku)}
    state = FormState(page, values, error_fields=ADJUST_ERRORS)
    return _render(page, session, current, "adjust", state)


@router.post("/console/stock/adjust")
def adjust(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    current = form_brand(page, session, fields)
    page.caller.require(*MANAGERS)
    state = FormState(page, fields, error_fields=ADJUST_ERRORS)
    store_id = _int(fields.get("store_id"))
    if store_id is None:
        state.add_field_errors({"store_id": "choice"})
    sku = _find_sku(state, session, current, fields.get("sku", ""))
    delta = parse(state, "delta", lambda: parse_whole(fields.get("delta", ""), signed=True))
    if delta == 0:
        state.add_field_errors({"delta": "not_zero"})
    reason = _reason(state, fields)

    def write() -> Any:
        assert sku is not None and store_id is not None
        data = AdjustmentCreate.model_validate(
            {
                "kind": "adjustment",
                "location_id": store_id,
                "lines": [{"sku_id": sku.id, "delta": delta}],
                "note": reason,
            }
        )
        return inventory_service.record_movements(session=session, scope=page.caller, data=data)

    def again(status: int) -> HTMLResponse:
        return _render(page, session, current, "adjust", state, status)

    def explain(exc: Exception) -> None:
        if isinstance(exc, inventory_errors.InsufficientStock) and sku and store_id:
            _below_zero(state, page, session, "delta", (store_id, sku.id))

    outcome, refused = attempt(session, state, write, again, explain)
    if refused is not None:
        return refused
    assert sku is not None
    level = outcome.levels[0]
    back = url("/console/stock", brand=brand_param(page, current), store=store_id)
    return page.redirect(
        back, flash="stock_adjusted", sku=sku.code, delta=f"{delta:+d}", on_hand=level.on_hand
    )


# ---- transfer -------------------------------------------------------------------------


@router.get("/console/stock/transfer")
def transfer_form(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    store: int | None = None,
    sku: int | None = None,
) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(*MANAGERS)
    values = {"from_store_id": str(store or ""), "sku": _sku_code(page, session, sku)}
    state = FormState(page, values, error_fields=TRANSFER_ERRORS)
    return _render(page, session, current, "transfer", state)


@router.post("/console/stock/transfer")
def transfer(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    current = form_brand(page, session, fields)
    page.caller.require(*MANAGERS)
    state = FormState(page, fields, error_fields=TRANSFER_ERRORS)
    source, target = _int(fields.get("from_store_id")), _int(fields.get("to_store_id"))
    for name, value in (("from_store_id", source), ("to_store_id", target)):
        if value is None:
            state.add_field_errors({name: "choice"})
    sku = _find_sku(state, session, current, fields.get("sku", ""))
    quantity = parse(state, "quantity", lambda: parse_whole(fields.get("quantity", "")))
    if quantity == 0:
        state.add_field_errors({"quantity": "not_zero"})
    reason = _reason(state, fields)

    def write() -> Any:
        assert sku is not None
        data = TransferCreate.model_validate(
            {
                "from_location_id": source,
                "to_location_id": target,
                "lines": [{"sku_id": sku.id, "quantity": quantity}],
                "note": reason,
            }
        )
        return inventory_service.transfer(session=session, scope=page.caller, data=data)

    def again(status: int) -> HTMLResponse:
        return _render(page, session, current, "transfer", state, status)

    def explain(exc: Exception) -> None:
        if isinstance(exc, inventory_errors.InsufficientStock) and sku and source:
            _below_zero(state, page, session, "quantity", (source, sku.id))

    _, refused = attempt(session, state, write, again, explain)
    if refused is not None:
        return refused
    assert sku is not None and target is not None
    names = dict(_store_options(page, _stores(page, session, current.id, warehouses=True)))
    back = url("/console/stock", brand=brand_param(page, current), store=source)
    return page.redirect(
        back,
        flash="stock_transferred",
        quantity=quantity,
        sku=sku.code,
        store=names.get(target, ""),
    )


def _render(
    page: Page,
    session: Session,
    brand: BrandRead,
    action: str,
    state: FormState,
    status_code: int = 200,
) -> HTMLResponse:
    locations = [
        (str(value), label)
        for value, label in _store_options(page, _stores(page, session, brand.id, warehouses=True))
    ]
    store = state.values.get("store_id") or state.values.get("from_store_id") or ""
    return page.render(
        "console/stock_form.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "stock"),
        brand=brand,
        brand_param=brand_param(page, brand),
        action=action,
        locations=locations,
        reasons=_reasons(page, action),
        back_url=url("/console/stock", brand=brand_param(page, brand), store=store or None),
        **state.as_context(),
    )


def _reasons(page: Page, action: str) -> list[str]:
    """Suggestions for the reason field; any other reason may be typed."""
    if action == "transfer":
        return [
            page.gettext("Rebalancing between stores"),
            page.gettext("Customer order at another store"),
        ]
    return [
        page.gettext("Damaged"),
        page.gettext("Lost or stolen"),
        page.gettext("Found in a recount"),
        page.gettext("Display sample"),
    ]
