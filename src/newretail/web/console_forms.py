"""Console forms to create and edit regions and stores, through the org service.

A refused change shows the form again with the typed values kept and the reasons
next to their fields, in the user's language; nothing of it is committed.
"""

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Role
from newretail.org import service as org_service
from newretail.org.rules import WEEKDAYS
from newretail.org.schemas import (
    BrandRead,
    RegionCreate,
    RegionRead,
    RegionUpdate,
    StoreCreate,
    StoreRead,
    StoreUpdate,
)
from newretail.web import data, forms, messages
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage
from newretail.web.views import region_options

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MANAGERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER)
TIMEZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Macau",
    "Asia/Taipei",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Singapore",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)
REQUIRED_ON_EDIT = {"region": ("name",), "store": ("name", "type", "status", "lat", "lng")}


class FormState:
    """What a form shows: the typed values, errors per field and one error for the form.

    ``error_fields`` names the field a domain error belongs to on this form (before the
    shared ``messages.ERROR_FIELDS``); ``error_texts`` words a domain error for this form.
    """

    def __init__(
        self,
        page: Page,
        values: dict[str, str],
        *,
        error_fields: Mapping[str, str] | None = None,
        error_texts: Mapping[str, str] | None = None,
    ) -> None:
        self.page = page
        self.values = values
        self.errors: dict[str, str] = {}
        self.form_error: str | None = None
        self.error_fields = {**messages.ERROR_FIELDS, **(error_fields or {})}
        self.error_texts = error_texts or {}

    def add_field_errors(self, keys: dict[str, str]) -> None:
        for name, key in keys.items():
            self.errors.setdefault(name, self.page.translate(messages.FIELD_ERRORS[key]))
        if keys:
            self.form_error = self.page.translate(messages.ERRORS["invalid_input"])

    def add_domain_error(self, error: DomainError) -> None:
        field = self.error_fields.get(error.code)
        known = self.error_texts.get(error.code)
        text = self.page.translate(known) if known else self.page.error_message(error)
        if field is None:
            self.form_error = text
        else:
            self.errors[field] = text
            self.form_error = self.page.translate(messages.ERRORS["invalid_input"])

    def as_context(self) -> dict[str, Any]:
        return {"values": self.values, "errors": self.errors, "form_error": self.form_error}


def _missing(fields: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {name: "missing" for name in names if not fields.get(name, "").strip()}


def _brand_field(fields: dict[str, str]) -> int | None:
    value = fields.get("brand", "")
    return int(value) if value.isdigit() else None


# ---- regions --------------------------------------------------------------------------


@router.get("/console/regions/new")
def new_region(
    page: StaffPage, session: PageSessionDep, brand: int | None = None, parent: int | None = None
) -> HTMLResponse:
    page.caller.require(*MANAGERS)
    current = data.brand(session=session, scope=page.caller, brand_id=brand)
    state = FormState(page, {"parent_id": str(parent or ""), "kind": "area"})
    return _region_form(page, session, current, None, state)


@router.post("/console/regions/new")
def create_region(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    page.caller.require(*MANAGERS)
    current = data.brand(session=session, scope=page.caller, brand_id=_brand_field(fields))
    state = FormState(page, fields)
    try:
        region_input = RegionCreate.model_validate(
            {**forms.region_input(fields), "brand_id": current.id}
        )
        region = org_service.create_region(session=session, scope=page.caller, data=region_input)
    except ValidationError as exc:
        state.add_field_errors(forms.field_errors(exc))
        return _region_form(page, session, current, None, state, status_code=422)
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _region_form(page, session, current, None, state, status_code=exc.status)
    url = data.console_url(page.caller, current.id)
    return page.redirect(url, flash="region_created", name=region.name)


@router.get("/console/regions/{region_id}/edit")
def edit_region(page: StaffPage, session: PageSessionDep, region_id: int) -> HTMLResponse:
    region = RegionRead.model_validate(
        org_service.get_region(session=session, scope=page.caller, region_id=region_id)
    )
    page.caller.require(*MANAGERS)
    current = data.brand(session=session, scope=page.caller, brand_id=region.brand_id)
    values = {"name": region.name, "kind": region.kind, "parent_id": str(region.parent_id or "")}
    return _region_form(page, session, current, region, FormState(page, values))


@router.post("/console/regions/{region_id}/edit")
def update_region(
    page: StaffPage, session: PageSessionDep, region_id: int, fields: FormDep
) -> Response:
    scope = page.caller
    region = RegionRead.model_validate(
        org_service.get_region(session=session, scope=scope, region_id=region_id)
    )
    scope.require(*MANAGERS)
    current = data.brand(session=session, scope=scope, brand_id=region.brand_id)
    state = FormState(page, fields)
    candidate = {k: v for k, v in forms.region_input(fields).items() if k != "code"}
    try:
        state.add_field_errors(_missing(fields, REQUIRED_ON_EDIT["region"]))
        checked = RegionUpdate.model_validate(candidate).model_dump(exclude_unset=True)
        if not state.errors:
            changed = RegionUpdate.model_validate(forms.changes(checked, region.model_dump()))
            org_service.update_region(
                session=session, scope=scope, region_id=region.id, data=changed
            )
    except ValidationError as exc:
        state.add_field_errors(forms.field_errors(exc))
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _region_form(page, session, current, region, state, status_code=exc.status)
    if state.errors:
        return _region_form(page, session, current, region, state, status_code=422)
    url = data.console_url(scope, current.id)
    return page.redirect(url, flash="region_updated", name=candidate.get("name", region.name))


def _region_form(
    page: Page,
    session: Session,
    brand: BrandRead,
    region: RegionRead | None,
    state: FormState,
    status_code: int = 200,
) -> HTMLResponse:
    scope = page.caller
    tree = data.region_tree(session=session, scope=scope, brand_id=brand.id)
    parents = region_options(tree)
    if region is not None and region.parent_id and region.parent_id not in dict(parents):
        parents.insert(0, (region.parent_id, page.gettext("(keep the current parent)")))
    kinds = [(k, page.translate(label)) for k, label in messages.REGION_KINDS.items()]
    return page.render(
        "console/region_form.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "stores"),
        brand=brand,
        region=region,
        parents=parents,
        allow_top_level=scope.is_brand_wide,
        kinds=kinds,
        cancel_url=data.console_url(scope, brand.id),
        **state.as_context(),
    )


# ---- stores ---------------------------------------------------------------------------


@router.get("/console/stores/new")
def new_store(
    page: StaffPage, session: PageSessionDep, brand: int | None = None, region: int | None = None
) -> HTMLResponse:
    page.caller.require(*MANAGERS)
    current = data.brand(session=session, scope=page.caller, brand_id=brand)
    values = {
        "region_id": str(region or ""),
        "type": "direct",
        "timezone": current.timezone,
        **{f"hours_{day}": "10:00-22:00" for day in WEEKDAYS},
    }
    return _store_form(page, session, current, None, FormState(page, values))


@router.post("/console/stores/new")
def create_store(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    page.caller.require(*MANAGERS)
    current = data.brand(session=session, scope=page.caller, brand_id=_brand_field(fields))
    state = FormState(page, fields)
    store_input, hour_errors = forms.store_input(fields)
    state.add_field_errors(hour_errors)
    try:
        checked = StoreCreate.model_validate({**store_input, "brand_id": current.id})
        if not state.errors:
            store = org_service.create_store(session=session, scope=page.caller, data=checked)
            url = data.console_url(page.caller, current.id)
            return page.redirect(url, flash="store_created", name=store.name)
    except ValidationError as exc:
        state.add_field_errors(forms.field_errors(exc))
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _store_form(page, session, current, None, state, status_code=exc.status)
    return _store_form(page, session, current, None, state, status_code=422)


@router.get("/console/stores/{store_id}/edit")
def edit_store(page: StaffPage, session: PageSessionDep, store_id: int) -> HTMLResponse:
    store = StoreRead.model_validate(
        org_service.get_store(session=session, scope=page.caller, store_id=store_id)
    )
    page.caller.require(*MANAGERS, Role.STORE_MANAGER)
    current = data.brand(session=session, scope=page.caller, brand_id=store.brand_id)
    values = {
        **{name: str(getattr(store, name)) for name in forms.STORE_FIELDS},
        "region_id": str(store.region_id),
        "district_id": str(store.district_id or ""),
        **forms.hours_fields(store.opening_hours),
    }
    return _store_form(page, session, current, store, FormState(page, values))


@router.post("/console/stores/{store_id}/edit")
def update_store(
    page: StaffPage, session: PageSessionDep, store_id: int, fields: FormDep
) -> Response:
    scope = page.caller
    store = StoreRead.model_validate(
        org_service.get_store(session=session, scope=scope, store_id=store_id)
    )
    scope.require(*MANAGERS, Role.STORE_MANAGER)
    current = data.brand(session=session, scope=scope, brand_id=store.brand_id)
    state = FormState(page, fields)
    store_input, hour_errors = forms.store_input(fields)
    store_input.pop("code", None)
    state.add_field_errors(hour_errors)
    state.add_field_errors(_missing(fields, REQUIRED_ON_EDIT["store"]))
    try:
        checked = StoreUpdate.model_validate(store_input).model_dump(
            exclude_unset=True, mode="json"
        )
        if not state.errors:
            changed = forms.changes(checked, store.model_dump(mode="json"))
            org_service.update_store(
                session=session,
                scope=scope,
                store_id=store.id,
                data=StoreUpdate.model_validate(changed),
            )
            url = data.console_url(scope, current.id)
            return page.redirect(url, flash="store_updated", name=checked["name"])
    except ValidationError as exc:
        state.add_field_errors(forms.field_errors(exc))
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _store_form(page, session, current, store, state, status_code=exc.status)
    return _store_form(page, session, current, store, state, status_code=422)


def _store_form(
    page: Page,
    session: Session,
    brand: BrandRead,
    store: StoreRead | None,
    state: FormState,
    status_code: int = 200,
) -> HTMLResponse:
    scope = page.caller
    tree = data.region_tree(session=session, scope=scope, brand_id=brand.id)
    districts = [
        (d.id, f"{d.name} · {d.city}" if d.city else d.name)
        for d in data.districts(session=session)
    ]
    return page.render(
        "console/store_form.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "stores"),
        brand=brand,
        store=store,
        regions=region_options(tree),
        districts=districts,
        allow_no_district=store is None or store.district_id is None,
        can_move=scope.has_any(*MANAGERS),
        types=[(k, page.translate(label)) for k, label in messages.STORE_TYPES.items()],
        statuses=[(k, page.translate(label)) for k, label in messages.STORE_STATUSES.items()],
        weekdays=[(day, page.translate(messages.WEEKDAY_NAMES[day])) for day in WEEKDAYS],
        timezones=TIMEZONES,
        cancel_url=data.console_url(scope, brand.id),
        **state.as_context(),
    )
