"""How a pre-sale's items reach the buyer, in the cloud store: chosen with the deposit,
changed from "my pre-sales" until the balance is paid.

    GET  /s/{code}/presales/{deposit}/delivery   the choice as it stands, to change
    POST /s/{code}/presales/{deposit}/delivery   the new choice; then my pre-sales

``read_delivery`` turns the form's fields into the service's input for both pages. There is
no geocoder offline, so a same-city address is placed at the store's own point (as the
ordering pages do); the API takes the address's real point and checks its distance.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.kernel.errors import DomainError
from newretail.presales import errors as presale_errors
from newretail.presales import service as presales_service
from newretail.presales.models import PresaleDeposit
from newretail.presales.rules import DepositStatus, delivery_changeable
from newretail.presales.schemas import PresaleDelivery
from newretail.web import labels, messages, presale_cards, shop_shell
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, PublicPage
from newretail.web.shop_shell import shopper, to_sign_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FIELDS = ("method", "name", "phone", "line1", "city")


def form_of(fields: dict[str, str]) -> dict[str, str]:
    """The delivery fields as typed, trimmed and cut to the longest the schema takes."""
    return {name: fields.get(name, "").strip()[:300] for name in FIELDS}


def form_from(deposit: PresaleDeposit) -> dict[str, str]:
    address = deposit.address or {}
    return {
        "method": deposit.delivery_method,
        **{name: str(address.get(name) or "") for name in FIELDS[1:]},
    }


def read_delivery(page: Page, store: CloudStore, form: dict[str, str]) -> PresaleDelivery | str:
    """The service's input from the form, or what to tell the buyer about it."""
    method = form.get("method") or "pickup"
    body: dict[str, Any] = {"method": method}
    if method != "pickup":
        address: dict[str, Any] = {k: form.get(k, "") for k in ("name", "phone", "line1")}
        address["city"] = form.get("city", "")
        if method == "same_city":
            address.update(city=store.city or "", lat=store.lat, lng=store.lng)
        body["address"] = address
    try:
        return PresaleDelivery.model_validate(body)
    except ValidationError as exc:
        if any(e["type"] == "enum" for e in exc.errors()):
            return page.translate(messages.ERRORS["delivery_not_offered"])
        phone = [e for e in exc.errors() if e["loc"][-1:] == ("phone",)]
        if phone and form.get("phone"):  # typed, but not a number to call
            return page.gettext("Enter a phone number a courier can call, in digits.")
        return page.gettext("Enter a name, a phone number and an address for the delivery.")


def delivery_label(method: str) -> str:
    """The untranslated words for a delivery method (templates translate them)."""
    return messages.DELIVERY_METHODS.get(method, labels.OTHER)


def _deposit(page: Page, session: Session, store: CloudStore, deposit_id: int) -> Any:
    buyer = shopper(page, session)
    if buyer is None:
        return None, None
    deposit = presales_service.get_deposit(session=session, scope=buyer, deposit_id=deposit_id)
    if deposit.brand_id != store.brand_id or deposit.store_id != store.id:
        raise presale_errors.DepositNotFound()
    return buyer, deposit


def _page(
    page: Page,
    session: Session,
    store: CloudStore,
    ref: str | None,
    deposit: PresaleDeposit,
    form: dict[str, str],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = presale_cards.campaign(session=session, store=store, presale_id=deposit.campaign_id)
    item = next((i for i in view.items if i.sku_id == deposit.sku_id), None)
    return page.render(
        "cloudstore/presale_delivery.html",
        **shop_shell.tabs(page, session, store, "me"),
        status_code=status_code,
        store=store,
        link=linker(store.code, ref),
        categories=[],
        presale=view,
        deposit=deposit,
        title=f"{item.title} · {item.label}" if item else "",
        form=form,
        delivery_label=delivery_label,
        error=error,
    )


@router.get("/s/{store_code}/presales/{deposit_id}/delivery")
def delivery_form(
    page: PublicPage, session: PageSessionDep, store_code: str, deposit_id: int, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer, deposit = _deposit(page, session, store, deposit_id)
    if buyer is None:
        path = f"/s/{store.code}/presales/{deposit_id}/delivery"
        return to_sign_in(linker(store.code, ref), path)
    if not delivery_changeable(DepositStatus(deposit.status)):
        return RedirectResponse(linker(store.code, ref)("/presales"), status_code=303)
    return _page(page, session, store, ref, deposit, form_from(deposit))


@router.post("/s/{store_code}/presales/{deposit_id}/delivery")
def change_delivery(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    deposit_id: int,
    fields: FormDep,
    ref: Ref = None,
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer, deposit = _deposit(page, session, store, deposit_id)
    if buyer is None:
        path = f"/s/{store.code}/presales/{deposit_id}/delivery"
        return to_sign_in(linker(store.code, ref), path)
    form = form_of(fields)
    data = read_delivery(page, store, form)
    if isinstance(data, str):
        return _page(page, session, store, ref, deposit, form, error=data, status_code=422)
    try:
        presales_service.change_delivery(
            session=session, scope=buyer, deposit_id=deposit.id, data=data
        )
    except DomainError as exc:
        session.rollback()
        deposit = presales_service.get_deposit(session=session, scope=buyer, deposit_id=deposit_id)
        return _page(
            page,
            session,
            store,
            ref,
            deposit,
            form,
            error=page.error_message(exc),
            status_code=exc.status,
        )
    return RedirectResponse(linker(store.code, ref)("/presales"), status_code=303)
