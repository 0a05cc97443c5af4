"""Console screens for staff: who works where, new accounts, and roles given or taken away.

    GET      /console/staff                         staff in the caller's scope
    GET/POST /console/staff/new                     an account with its first role
    GET      /console/staff/{id}                    an account and its roles
    POST     /console/staff/{id}/roles              one more role
    POST     /console/staff/{id}/roles/remove       a role taken away
    POST     /console/staff/{id}/level              a guide's level (commission rules name it)

Accounts and roles go through ``auth_service`` with the caller's scope, which audits each
change and refuses a role above the caller's own or outside their regions and stores: a
store manager may make guides and cashiers of their own store, a region manager store
roles and region managers inside their regions, a brand admin anything in the brand.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.auth.levels import GuideLevel
from newretail.auth.models import Staff
from newretail.auth.schemas import RoleGrant, StaffCreate
from newretail.kernel.i18n import N_
from newretail.kernel.scope import REGION_ROLES, STORE_ROLES, Role, Scope
from newretail.org.schemas import BrandRead
from newretail.web import data, labels, messages
from newretail.web.console_catalog import _brand, _stores, url
from newretail.web.console_forms import FormState
from newretail.web.manage import attempt, brand_param, form_brand
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage
from newretail.web.views import region_options

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MANAGERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
PAGE_SIZE = 50
Cursor = Annotated[str | None, Query(max_length=200)]
# The roles each caller may give, most senior first (the service has the last word).
GRANTABLE = {
    Role.BRAND_ADMIN: (
        Role.BRAND_ADMIN,
        Role.REGION_MANAGER,
        Role.STORE_MANAGER,
        Role.GUIDE,
        Role.CASHIER,
    ),
    Role.REGION_MANAGER: (Role.REGION_MANAGER, Role.STORE_MANAGER, Role.GUIDE, Role.CASHIER),
    Role.STORE_MANAGER: (Role.GUIDE, Role.CASHIER),
}
STAFF_ERRORS = {
    "username_taken": "username",
    "permission_denied": "role",
    "invalid_role_scope": "role",
    "store_not_found": "store_id",
    "region_not_found": "region_id",
}
STAFF_TEXTS = {"permission_denied": N_("You may not give this role.")}
# Which form field names where a role applies.
ROLE_FIELDS = {
    "region_id": " ".join(sorted(REGION_ROLES)),
    "store_id": " ".join(sorted(STORE_ROLES)),
}


def grantable(scope: Scope) -> list[Role]:
    if scope.is_platform:
        return list(GRANTABLE[Role.BRAND_ADMIN])
    return next((list(GRANTABLE[r]) for r in GRANTABLE if r in scope.roles), [])


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _grant(fields: dict[str, str], state: FormState) -> RoleGrant | None:
    """The role of a form: a region for a region role, a store for a store role."""
    role = fields.get("role", "")
    if role not in {r.value for r in Role}:
        state.add_field_errors({"role": "choice"})
        return None
    grant = Role(role)
    region = _int(fields.get("region_id")) if grant in REGION_ROLES else None
    store = _int(fields.get("store_id")) if grant in STORE_ROLES else None
    if grant in REGION_ROLES and region is None:
        state.add_field_errors({"region_id": "choice"})
    if grant in STORE_ROLES and store is None:
        state.add_field_errors({"store_id": "choice"})
    return RoleGrant(role=grant, region_id=region, store_id=store)


def _names(page: Page, session: Session, brand: BrandRead) -> dict[str, dict[int, str]]:
    stores = _stores(page, session, brand.id, warehouses=True)
    regions = data.regions(session=session, scope=page.caller, brand_id=brand.id)
    return {"store": {s.id: s.name for s in stores}, "region": {r.id: r.name for r in regions}}


def _role_rows(page: Page, staff: Staff, names: dict[str, dict[int, str]]) -> list[dict[str, Any]]:
    return [
        {
            "index": index,
            "role": a.role,
            "label": page.translate(messages.ROLES.get(a.role, N_("Other"))),
            "where": _where(page, a.region_id, a.store_id, names),
        }
        for index, a in enumerate(staff.roles)
    ]


def _where(
    page: Page, region_id: int | None, store_id: int | None, names: dict[str, dict[int, str]]
) -> str:
    if store_id is not None:
        return names["store"].get(store_id) or page.gettext("Another store")
    if region_id is not None:
        return names["region"].get(region_id) or page.gettext("Another region")
    return page.gettext("Whole brand")


# ---- the list -------------------------------------------------------------------------


@router.get("/console/staff")
def staff_list(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    role: Annotated[str | None, Query(max_length=32)] = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    current = _brand(page, session, brand)
    page.caller.require(*MANAGERS)
    chosen = Role(role) if role in {r.value for r in Role} else None
    rows, next_cursor = auth_service.list_staff(
        session=session, scope=page.caller, cursor=cursor, limit=PAGE_SIZE, role=chosen
    )
    rows = [s for s in rows if s.brand_id == current.id]
    names = _names(page, session, current)
    keep = {"brand": brand_param(page, current), "role": chosen.value if chosen else None}
    return page.render(
        "console/staff.html",
        nav_items=console_nav(page, current.id, "staff"),
        brand=current,
        brand_param=keep["brand"],
        staff=[
            {
                "id": s.id,
                "name": s.display_name,
                "username": s.username,
                "active": s.is_active,
                "roles": _role_rows(page, s, names),
            }
            for s in rows
        ],
        role_options=[
            (r.value, page.translate(messages.ROLES[r.value])) for r in GRANTABLE[Role.BRAND_ADMIN]
        ],
        filters={"role": keep["role"] or ""},
        new_url=url("/console/staff/new", brand=keep["brand"]) if grantable(page.caller) else None,
        next_url=url("/console/staff", **keep, cursor=next_cursor) if next_cursor else None,
        first_url=url("/console/staff", **keep) if cursor else None,
    )


# ---- a new account --------------------------------------------------------------------


@router.get("/console/staff/new")
def new_staff(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(*MANAGERS)
    first = grantable(page.caller)
    values = {"role": first[-1].value if first else ""}
    return _staff_form(page, session, current, _state(page, values))


@router.post("/console/staff/new")
def create_staff(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    current = form_brand(page, session, fields)
    page.caller.require(*MANAGERS)
    state = _state(page, {k: v for k, v in fields.items() if k != "password"})
    grant = _grant(fields, state)

    def write() -> Staff:
        checked = StaffCreate.model_validate(
            {
                "brand_id": current.id,
                "username": fields.get("username", "").strip(),
                "display_name": fields.get("display_name", "").strip(),
                "password": fields.get("password", ""),
                "roles": [grant.model_dump()] if grant else [],
            }
        )
        return auth_service.create_staff(session=session, scope=page.caller, data=checked)

    made, refused = attempt(
        session, state, write, lambda status: _staff_form(page, session, current, state, status)
    )
    if refused is not None:
        return refused
    return page.redirect(
        f"/console/staff/{made.id}",
        flash="staff_created",
        name=made.display_name,
        username=made.username,
    )


def _state(page: Page, values: dict[str, str]) -> FormState:
    return StaffFormState(page, values, error_fields=STAFF_ERRORS, error_texts=STAFF_TEXTS)


class StaffFormState(FormState):
    """A username and a password have their own rules, told as such."""

    def add_field_errors(self, keys: dict[str, str]) -> None:
        renamed = {"username": "username", "password": "password"}
        super().add_field_errors(
            {
                name: renamed[name] if name in renamed and key != "missing" else key
                for name, key in keys.items()
            }
        )


def _role_context(page: Page, session: Session, brand: BrandRead) -> dict[str, Any]:
    stores = _stores(page, session, brand.id, warehouses=True)
    regions = data.region_tree(session=session, scope=page.caller, brand_id=brand.id)
    return {
        "roles": [
            (r.value, page.translate(messages.ROLES[r.value])) for r in grantable(page.caller)
        ],
        "region_options": [(str(i), n) for i, n in region_options(regions)],
        "store_options": [(str(s.id), s.name) for s in stores],
        "role_fields": ROLE_FIELDS,
    }


def _staff_form(
    page: Page, session: Session, brand: BrandRead, state: FormState, status_code: int = 200
) -> HTMLResponse:
    return page.render(
        "console/staff_form.html",
        status_code=status_code,
        nav_items=console_nav(page, brand.id, "staff"),
        brand=brand,
        cancel_url=url("/console/staff", brand=brand_param(page, brand)),
        **_role_context(page, session, brand),
        **state.as_context(),
    )


# ---- one account and its roles --------------------------------------------------------


@router.get("/console/staff/{staff_id}")
def staff_page(page: StaffPage, session: PageSessionDep, staff_id: int) -> HTMLResponse:
    found = auth_service.get_staff(session=session, scope=page.caller, staff_id=staff_id)
    page.caller.require(*MANAGERS)
    roles = grantable(page.caller)
    values = {"role": roles[-1] if roles else "", "guide_level": found.guide_level or ""}
    return _staff_page(page, session, found, _state(page, values))


def _staff_page(
    page: Page, session: Session, staff: Staff, state: FormState, status_code: int = 200
) -> HTMLResponse:
    current = data.brand(session=session, scope=page.caller, brand_id=staff.brand_id)
    is_self = staff.id == page.caller.actor_id
    return page.render(
        "console/staff_member.html",
        status_code=status_code,
        nav_items=console_nav(page, current.id, "staff"),
        brand=current,
        member=staff,
        assigned=_role_rows(page, staff, _names(page, session, current)),
        can_change=not is_self and bool(grantable(page.caller)),
        is_guide=any(a.role == Role.GUIDE for a in staff.roles),
        level_options=[
            (level.value, labels.label(page, labels.GUIDE_LEVELS, level.value))
            for level in GuideLevel
        ],
        level_label=labels.label(page, labels.GUIDE_LEVELS, staff.guide_level)
        if staff.guide_level
        else page.gettext("No level"),
        back_url=url("/console/staff", brand=brand_param(page, current)),
        **_role_context(page, session, current),
        **state.as_context(),
    )


def _current_grants(staff: Staff) -> list[RoleGrant]:
    return [
        RoleGrant(role=Role(a.role), region_id=a.region_id, store_id=a.store_id)
        for a in staff.roles
    ]


@router.post("/console/staff/{staff_id}/roles")
def add_role(page: StaffPage, session: PageSessionDep, staff_id: int, fields: FormDep) -> Response:
    found = auth_service.get_staff(session=session, scope=page.caller, staff_id=staff_id)
    page.caller.require(*MANAGERS)
    state = _state(page, fields)
    grant = _grant(fields, state)

    def write() -> Staff:
        assert grant is not None
        grants = [*_current_grants(found), grant]
        return auth_service.replace_roles(
            session=session, scope=page.caller, staff_id=found.id, grants=grants
        )

    def again(status: int) -> HTMLResponse:
        refreshed = auth_service.get_staff(session=session, scope=page.caller, staff_id=staff_id)
        return _staff_page(page, session, refreshed, state, status)

    saved, refused = attempt(session, state, write, again)
    if refused is not None:
        return refused
    return page.redirect(f"/console/staff/{saved.id}", flash="role_added", name=saved.display_name)


@router.post("/console/staff/{staff_id}/roles/remove")
def remove_role(
    page: StaffPage, session: PageSessionDep, staff_id: int, fields: FormDep
) -> Response:
    found = auth_service.get_staff(session=session, scope=page.caller, staff_id=staff_id)
    page.caller.require(*MANAGERS)
    grants = _current_grants(found)
    index = _int(fields.get("index"))
    state = _state(page, {})
    if index is None or index >= len(grants) or len(grants) == 1:
        state.form_error = page.gettext("A member of staff keeps at least one role.")
        return _staff_page(page, session, found, state, 422)
    kept = grants[:index] + grants[index + 1 :]

    def again(status: int) -> HTMLResponse:
        refreshed = auth_service.get_staff(session=session, scope=page.caller, staff_id=staff_id)
        return _staff_page(page, session, refreshed, state, status)

    saved, refused = attempt(
        session,
        state,
        lambda: auth_service.replace_roles(
            session=session, scope=page.caller, staff_id=found.id, grants=kept
        ),
        again,
    )
    if refused is not None:
        return refused
    return page.redirect(
        f"/console/staff/{saved.id}", flash="role_removed", name=saved.display_name
    )


@router.post("/console/staff/{staff_id}/level")
def set_level(page: StaffPage, session: PageSessionDep, staff_id: int, fields: FormDep) -> Response:
    found = auth_service.get_staff(session=session, scope=page.caller, staff_id=staff_id)
    page.caller.require(*MANAGERS)
    chosen = fields.get("guide_level", "")
    state = _state(page, {"guide_level": chosen})
    if chosen and chosen not in {level.value for level in GuideLevel}:
        state.add_field_errors({"guide_level": "choice"})
    level = GuideLevel(chosen) if chosen in {lv.value for lv in GuideLevel} else None

    def write() -> Staff:
        auth_service.set_guide_level(session=session, scope=page.caller, staff=found, level=level)
        session.flush()
        return found

    def again(status: int) -> HTMLResponse:
        refreshed = auth_service.get_staff(session=session, scope=page.caller, staff_id=staff_id)
        return _staff_page(page, session, refreshed, state, status)

    saved, refused = attempt(session, state, write, again)
    if refused is not None:
        return refused
    return page.redirect(f"/console/staff/{saved.id}", flash="level_set", name=saved.display_name)
