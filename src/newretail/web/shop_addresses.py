"""The shopper's address book with the store's brand, reached from the "me" page.

    GET  /s/{code}/me/addresses                  my addresses, the default first
    GET  /s/{code}/me/addresses/new              a new address
    POST /s/{code}/me/addresses                  keep it (the first becomes the default)
    GET  /s/{code}/me/addresses/{id}             change one
    POST /s/{code}/me/addresses/{id}             save the change
    POST /s/{code}/me/addresses/{id}/default     make it the default
    POST /s/{code}/me/addresses/{id}/delete      delete it

Every read and write goes through ``members.service`` with the shopper's own scope, so an
address of another consumer or brand is not found (404).
"""

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.members.models import ConsumerAddress
from newretail.members.schemas import AddressFields
from newretail.web import forms, messages, shop_shell
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.member_pages import display_phone
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, PublicPage
from newretail.web.shop_checkout import address_view
from newretail.web.shop_shell import signed_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FIELDS = ("recipient", "phone", "region", "city", "district", "line")
LIMITS = {"recipient": 100, "phone": 32, "region": 100, "city": 100, "district": 100, "line": 300}


def _signed_in(
    page: Page, session: Session, store: CloudStore, ref: str | None
) -> Scope | RedirectResponse:
    """The signed-in shopper, or the way to the phone sign-in and back to the address book."""
    return signed_in(page, session, store, linker(store.code, ref), "/me/addresses")


@router.get("/s/{store_code}/me/addresses")
def address_book(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = _signed_in(page, session, store, ref)
    if isinstance(buyer, RedirectResponse):
        return buyer
    held = members_service.list_addresses(session=session, scope=buyer, brand_id=store.brand_id)
    return page.render(
        "cloudstore/addresses.html",
        **shop_shell.tabs(page, session, store, "me"),
        store=store,
        link=linker(store.code, ref),
        ref=ref,
        categories=[],
        addresses=[address_view(a) for a in held],
        full=len(held) >= members_service.MAX_ADDRESSES,
    )


@router.get("/s/{store_code}/me/addresses/new")
def new_address(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = _signed_in(page, session, store, ref)
    if isinstance(buyer, RedirectResponse):
        return buyer
    return _form(page, session, store, ref, None, dict.fromkeys(FIELDS, ""))


@router.get("/s/{store_code}/me/addresses/{address_id}")
def edit_address(
    page: PublicPage, session: PageSessionDep, store_code: str, address_id: int, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = _signed_in(page, session, store, ref)
    if isinstance(buyer, RedirectResponse):
        return buyer
    saved = _own(session, store, buyer, address_id)
    values = {name: str(getattr(saved, name)) for name in FIELDS}
    values["phone"] = display_phone(saved.phone)
    values["is_default"] = "1" if saved.is_default else ""
    return _form(page, session, store, ref, address_id, values)


def _own(session: Session, store: CloudStore, buyer: Scope, address_id: int) -> ConsumerAddress:
    return members_service.get_address(
        session=session, scope=buyer, brand_id=store.brand_id, address_id=address_id
    )


def _form(
    page: Page,
    session: Session,
    store: CloudStore,
    ref: str | None,
    address_id: int | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return page.render(
        "cloudstore/address_form.html",
        **shop_shell.tabs(page, session, store, "me"),
        status_code=status_code,
        store=store,
        link=linker(store.code, ref),
        ref=ref,
        categories=[],
        address_id=address_id,
        values=values,
        errors=errors or {},
        error=error,
    )


@router.post("/s/{store_code}/me/addresses")
def add_address(
    page: PublicPage, session: PageSessionDep, store_code: str, fields: FormDep, ref: Ref = None
) -> Response:
    return _save(page, session, store_code, None, fields, ref)


@router.post("/s/{store_code}/me/addresses/{address_id}")
def change_address(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    address_id: int,
    fields: FormDep,
    ref: Ref = None,
) -> Response:
    return _save(page, session, store_code, address_id, fields, ref)


def _save(
    page: Page,
    session: Session,
    store_code: str,
    address_id: int | None,
    fields: dict[str, str],
    ref: str | None,
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = _signed_in(page, session, store, ref)
    if isinstance(buyer, RedirectResponse):
        return buyer
    if address_id is not None:
        _own(session, store, buyer, address_id)
    values = {name: fields.get(name, "").strip()[: LIMITS[name] + 1] for name in FIELDS}
    values["is_default"] = "1" if fields.get("is_default") else ""
    try:
        data = AddressFields.model_validate({**values, "is_default": bool(values["is_default"])})
    except ValidationError as exc:
        errors = {
            name: page.translate(messages.FIELD_ERRORS[key])
            for name, key in forms.field_errors(exc).items()
        }
        return _form(page, session, store, ref, address_id, values, errors, None, 422)
    try:
        _write(session, store, buyer, address_id, data)
    except DomainError as exc:
        session.rollback()
        errors = {"phone": page.error_message(exc)} if exc.code == "invalid_phone" else {}
        message = None if errors else page.error_message(exc)
        return _form(page, session, store, ref, address_id, values, errors, message, exc.status)
    return page.redirect(linker(store.code, ref)("/me/addresses"), flash="address_saved")


def _write(
    session: Session,
    store: CloudStore,
    buyer: Scope,
    address_id: int | None,
    data: AddressFields,
) -> None:
    if address_id is None:
        members_service.add_address(
            session=session, scope=buyer, brand_id=store.brand_id, data=data
        )
    else:
        members_service.change_address(
            session=session,
            scope=buyer,
            brand_id=store.brand_id,
            address_id=address_id,
            data=data,
        )


@router.post("/s/{store_code}/me/addresses/{address_id}/default")
def make_default(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    address_id: int,
    fields: FormDep,
    ref: Ref = None,
) -> Response:
    return _act_on(
        page, session, store_code, address_id, ref, members_service.make_default, "address_default"
    )


@router.post("/s/{store_code}/me/addresses/{address_id}/delete")
def delete_address(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    address_id: int,
    fields: FormDep,
    ref: Ref = None,
) -> Response:
    return _act_on(
        page,
        session,
        store_code,
        address_id,
        ref,
        members_service.delete_address,
        "address_deleted",
    )


def _act_on(
    page: Page,
    session: Session,
    store_code: str,
    address_id: int,
    ref: Ref,
    act: Callable[..., object],
    flash: str,
) -> Response:
    """Do ``act`` to one of the signed-in buyer's own addresses, then back to the book."""
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = _signed_in(page, session, store, ref)
    if isinstance(buyer, RedirectResponse):
        return buyer
    _own(session, store, buyer, address_id)
    act(session=session, scope=buyer, brand_id=store.brand_id, address_id=address_id)
    return page.redirect(linker(store.code, ref)("/me/addresses"), flash=flash)
