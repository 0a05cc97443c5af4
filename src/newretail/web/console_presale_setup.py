"""Setting up a pre-sale from the console, through the pre-sales service.

    GET/POST /console/presales/new   name, deposit window, event day and balance hours,
                                     what happens to unpaid balances, how buyers may get
                                     their items (pickup, parcel, same-city courier),
                                     stores, and up to ``ITEM_ROWS`` SKUs with price,
                                     deposit and its value

Times are typed on the brand's wall clock and stored as instants; the event day is a
calendar date that each store reads in its own time zone. Brand admins set pre-sales up,
as in the API. A refused form keeps what was typed and says what is wrong where.
"""

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.kernel.money import MINOR_UNIT_DIGITS
from newretail.kernel.scope import Role
from newretail.orders import service as orders_service
from newretail.org.schemas import BrandRead
from newretail.presales import service as presales_service
from newretail.presales.rules import DELIVERY_ORDER, UnpaidRule, valid_item
from newretail.presales.schemas import PresaleCreate
from newretail.web import labels, messages
from newretail.web.console_catalog import _brand, _stores, url
from newretail.web.console_forms import FormState
from newretail.web.manage import attempt, brand_param, form_brand, parse
from newretail.web.manage_fields import FieldProblem, optional_amount, parse_amount
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ITEM_ROWS = 5
PRESALE_ERRORS = {"invalid_presale": "items", "store_not_found": "stores"}
DELIVERY_FIELD = "delivery_{}"


def _moment(text: str, zone: ZoneInfo) -> datetime:
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=zone)
    except ValueError as exc:
        raise FieldProblem("datetime" if text.strip() else "missing") from exc


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise FieldProblem("date" if text.strip() else "missing") from exc


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text.strip() or "00:00")
    except ValueError as exc:
        raise FieldProblem("time") from exc


@router.get("/console/presales/new")
def new_presale(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(Role.BRAND_ADMIN)
    values = {
        "balance_opens": "00:00",
        "balance_closes": "00:00",
        "unpaid_rule": "keep",
        DELIVERY_FIELD.format("pickup"): "1",
    }
    return _form(page, session, current, FormState(page, values, error_fields=PRESALE_ERRORS))


@router.post("/console/presales/new")
def create_presale(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    current = form_brand(page, session, fields)
    page.caller.require(Role.BRAND_ADMIN)
    state = FormState(page, fields, error_fields=PRESALE_ERRORS)
    body = _body(page, session, current, state, fields)

    def write() -> Any:
        checked = PresaleCreate.model_validate(body)
        return presales_service.create_presale(session=session, scope=page.caller, data=checked)

    made, refused = attempt(
        session, state, write, lambda status: _form(page, session, current, state, status)
    )
    if refused is not None:
        return refused
    back = url("/console/presales", brand=brand_param(page, current), presale=made.id)
    return page.redirect(back, flash="presale_created", name=made.name)


def _body(
    page: Page, session: Session, brand: BrandRead, state: FormState, fields: dict[str, str]
) -> dict[str, Any]:
    """The service's input from the form; each problem noted on its field."""
    zone = ZoneInfo(brand.timezone)
    name = fields.get("name", "").strip()
    if not name:
        state.add_field_errors({"name": "missing"})
    starts = parse(
        state, "deposit_starts_at", lambda: _moment(fields.get("deposit_starts_at", ""), zone)
    )
    ends = parse(state, "deposit_ends_at", lambda: _moment(fields.get("deposit_ends_at", ""), zone))
    if starts and ends and ends <= starts:
        state.errors["deposit_ends_at"] = page.gettext("Deposits must close after they open.")
    event_day = parse(state, "event_day", lambda: _day(fields.get("event_day", "")))
    if starts and event_day and event_day < starts.date():
        state.errors["event_day"] = page.gettext("The event day comes after deposits open.")
    opens = parse(state, "balance_opens", lambda: _clock(fields.get("balance_opens", "")))
    closes = parse(state, "balance_closes", lambda: _clock(fields.get("balance_closes", "")))
    if opens and closes and closes != time(0) and closes <= opens:
        state.errors["balance_closes"] = page.gettext("The balance must close after it opens.")
    stores = [
        s.id
        for s in _stores(page, session, brand.id, warehouses=False)
        if fields.get(f"store_{s.id}")
    ]
    if not stores:
        state.add_field_errors({"stores": "choose_one"})
    methods = [m.value for m in DELIVERY_ORDER if fields.get(DELIVERY_FIELD.format(m.value))]
    if not methods:
        state.add_field_errors({"delivery": "choose_one"})
    items = _items(page, session, brand, state, fields)
    if state.errors and not state.form_error:
        state.form_error = page.translate(messages.ERRORS["invalid_input"])
    return {
        "brand_id": brand.id,
        "name": name,
        "deposit_starts_at": starts,
        "deposit_ends_at": ends,
        "event_day": event_day,
        "balance_opens": opens,
        "balance_closes": closes,
        "unpaid_rule": fields.get("unpaid_rule", ""),
        "delivery_methods": methods,
        "store_ids": stores,
        "items": items,
    }


def _items(
    page: Page, session: Session, brand: BrandRead, state: FormState, fields: dict[str, str]
) -> list[dict[str, Any]]:
    digits = MINOR_UNIT_DIGITS.get(brand.currency, 2)
    rows = [n for n in range(1, ITEM_ROWS + 1) if fields.get(f"sku_{n}", "").strip()]
    if not rows:
        state.add_field_errors({"sku_1": "missing"})
        return []
    codes = {fields[f"sku_{n}"].strip() for n in rows}
    known = catalog_service.skus_by_code(session=session, brand_id=brand.id, codes=codes)
    items: list[dict[str, Any]] = []
    for n in rows:
        sku = known.get(fields[f"sku_{n}"].strip())
        if sku is None:
            state.add_field_errors({f"sku_{n}": "unknown_sku"})
        amounts = _amounts(page, state, fields, n, digits)
        if sku is not None:
            items.append({"sku_id": sku.id, **amounts})
    if len({item["sku_id"] for item in items}) != len(items):
        state.errors["sku_1"] = page.translate(messages.ERRORS["duplicate_line"])
    return items


def _amounts(
    page: Page, state: FormState, fields: dict[str, str], row: int, digits: int
) -> dict[str, int | None]:
    """One item row's price, deposit and what the deposit counts for, in minor units."""

    def amount(name: str, required: bool) -> int | None:
        text = fields.get(f"{name}_{row}", "")
        read = parse_amount if required else optional_amount
        result: int | None = parse(state, f"{name}_{row}", lambda: read(text, digits))
        return result

    price, deposit, value = amount("price", True), amount("deposit", True), amount("value", False)
    if (
        price
        and deposit
        and not valid_item(price=price, deposit=deposit, deposit_value=value or deposit)
    ):
        state.errors[f"deposit_{row}"] = page.gettext(
            "Need: 0 < deposit ≤ what it counts for ≤ price."
        )
    return {"price": price, "deposit": deposit, "deposit_value": value}


def _form(
    page: Page, session: Session, brand: BrandRead, state: FormState, status_code: int = 200
) -> HTMLResponse:
    stores = _stores(page, session, brand.id, warehouses=False)
    return page.render(
        "console/presale_form.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "presales"),
        brand=brand,
        stores=[(s.id, s.name, bool(state.values.get(f"store_{s.id}"))) for s in stores],
        rows=range(1, ITEM_ROWS + 1),
        deliveries=[
            (
                DELIVERY_FIELD.format(m.value),
                page.translate(messages.DELIVERY_METHODS[m.value]),
                bool(state.values.get(DELIVERY_FIELD.format(m.value))),
            )
            for m in DELIVERY_ORDER
        ],
        same_city_km=f"{orders_service.SAME_CITY_RADIUS_KM:g}",
        rules=[
            (rule.value, page.translate(labels.UNPAID_RULES[rule.value])) for rule in UnpaidRule
        ],
        cancel_url=url("/console/presales", brand=brand_param(page, brand)),
        **state.as_context(),
    )
