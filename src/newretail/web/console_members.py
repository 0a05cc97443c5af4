"""Console screens for members: the list and a member's page, the brand's binding rules,
and handing a leaving guide's members over to other guides of their store.

Everything goes through the members service with the caller's scope: store managers see
and move only their stores' members, and phones are masked by the service for roles that
may not see them.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.members.errors import GuideNotFound, InvalidRebind
from newretail.members.schemas import BindingPolicyUpdate, RebindRequest
from newretail.org.schemas import BrandRead
from newretail.web import data, forms, member_pages, messages
from newretail.web.console_forms import FormState
from newretail.web.nav import MEMBER_ROLES, POLICY_ROLES, REBIND_ROLES, console_nav, url
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Before = member_pages.Before
PAGE_SIZE = 50
Text = Annotated[str | None, Query(max_length=64)]
Offset = Annotated[int, Query(ge=0, le=100_000)]


@dataclass(frozen=True)
class GuideOption:
    id: int
    name: str
    store_ids: frozenset[int]
    active: bool


def _guides(session: Session, scope: Scope) -> list[GuideOption]:
    staff: list[Staff] = data.every(
        lambda cursor: auth_service.list_staff(
            session=session, scope=scope, cursor=cursor, limit=200, role=Role.GUIDE
        )
    )
    return [
        GuideOption(
            id=s.id,
            name=s.display_name,
            store_ids=frozenset(
                a.store_id for a in s.roles if a.role == Role.GUIDE and a.store_id is not None
            ),
            active=s.is_active,
        )
        for s in staff
    ]


# ---- members --------------------------------------------------------------------------


@router.get("/console/members")
def members(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    store: int | None = None,
    guide: int | None = None,
    tier: Text = None,
    q: Text = None,
    offset: Offset = 0,
) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*MEMBER_ROLES)
    known = member_pages.names(session=session, scope=scope, brand_id=current.id)
    rows, more = members_service.search_members(
        session=session,
        scope=scope,
        q=q,
        tier=tier or None,
        store_id=store,
        guide_id=guide,
        brand_id=current.id,
        offset=offset,
        limit=PAGE_SIZE,
    )
    filters = {"store": store, "guide": guide, "tier": tier, "q": q}
    guides = _guides(session, scope)
    return page.render(
        "console/members.html",
        brand=current,
        nav_items=console_nav(page, current.id, "members"),
        members=[
            member_pages.member_view(page, row.member, row.name, known, row.last_activity)
            for row in rows
        ],
        filters={name: "" if value is None else str(value) for name, value in filters.items()},
        stores=sorted(known.stores.items(), key=lambda item: item[1]),
        guides=[(g.id, g.name) for g in guides],
        tiers=[(code, member_pages.tier_label(page, name)) for code, name in known.tiers.items()],
        full_phones=members_service.sees_full_phone(scope),
        brand_param=current.id if scope.is_platform else None,
        base_url=url("/console/members", scope, current.id),
        next_url=url("/console/members", scope, current.id, **filters, offset=offset + PAGE_SIZE)
        if more
        else None,
        prev_url=url("/console/members", scope, current.id, **filters, offset=offset - PAGE_SIZE)
        if offset
        else None,
    )


@router.get("/console/members/{member_id}")
def member(
    page: StaffPage, session: PageSessionDep, member_id: int, before: Before = None
) -> HTMLResponse:
    scope = page.caller
    found = members_service.read_member(session=session, scope=scope, member_id=member_id)
    scope.require(*MEMBER_ROLES)
    current = data.brand(session=session, scope=scope, brand_id=found.brand_id)
    known = member_pages.names(session=session, scope=scope, brand_id=found.brand_id)
    name = members_service.member_name(session=session, member=found)
    sections = member_pages.history(
        page,
        session,
        found,
        known,
        path=page.request.url.path,
        before=member_pages.parse_before(before),
    )
    latest = max([found.joined_at, *(e.at for s in sections for e in s.entries)])
    return page.render(
        "console/member.html",
        brand=current,
        nav_items=console_nav(page, current.id, "members"),
        member=member_pages.member_view(page, found, name, known, latest),
        sections=sections,
        back_url=url("/console/members", scope, current.id),
    )


# ---- binding rules --------------------------------------------------------------------


@router.get("/console/binding-policy")
def binding_policy(
    page: StaffPage, session: PageSessionDep, brand: int | None = None
) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*POLICY_ROLES)
    policy = members_service.get_policy(session=session, scope=scope, brand_id=current.id)
    values = {
        "mode": policy.mode,
        "protection_days": str(policy.protection_days),
        "expiry_days": str(policy.expiry_days or ""),
    }
    return _policy_page(page, current, FormState(page, values))


@router.post("/console/binding-policy")
def save_binding_policy(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    scope = page.caller
    brand_field = fields.get("brand", "")
    current = data.brand(
        session=session, scope=scope, brand_id=int(brand_field) if brand_field.isdigit() else None
    )
    state = FormState(page, fields)
    try:
        update = BindingPolicyUpdate.model_validate(
            {
                "brand_id": current.id if scope.is_platform else None,
                "mode": fields.get("mode", ""),
                "protection_days": fields.get("protection_days", "").strip() or 0,
                "expiry_days": fields.get("expiry_days", "").strip() or None,
            }
        )
        members_service.put_policy(session=session, scope=scope, data=update)
    except ValidationError as exc:
        state.add_field_errors(
            {name: "choice" if name == "mode" else "invalid" for name in forms.field_errors(exc)}
        )
        return _policy_page(page, current, state, status_code=422)
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _policy_page(page, current, state, status_code=exc.status)
    return page.redirect(url("/console/binding-policy", scope, current.id), flash="policy_saved")


def _policy_page(
    page: Page, brand: BrandRead, state: FormState, status_code: int = 200
) -> HTMLResponse:
    modes = [
        (mode, page.translate(label), page.translate(messages.BINDING_MODE_HELP[mode]))
        for mode, label in messages.BINDING_MODES.items()
    ]
    return page.render(
        "console/binding_policy.html",
        status_code=status_code,
        brand=brand,
        nav_items=console_nav(page, brand.id, "policy"),
        modes=modes,
        can_edit=page.caller.has_any(Role.BRAND_ADMIN),
        **state.as_context(),
    )


# ---- handing over a guide's members ---------------------------------------------------


@router.get("/console/rebind")
def rebind(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    guide: int | None = None,
    to: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*REBIND_ROLES)
    guides = _guides(session, scope)
    loads = members_service.guide_loads(
        session=session, scope=scope, guide_ids=[g.id for g in guides]
    )
    known = member_pages.names(session=session, scope=scope, brand_id=current.id)
    leaving = next((g for g in guides if g.id == guide), None)
    if guide is not None and leaving is None:
        raise GuideNotFound()
    targets = (
        [g for g in guides if g.active and g.id != leaving.id and g.store_ids & leaving.store_ids]
        if leaving
        else []
    )
    target = next((g for g in targets if str(g.id) == to), None)
    spread = to == "spread"
    return page.render(
        "console/rebind.html",
        brand=current,
        nav_items=console_nav(page, current.id, "rebind"),
        guides=[
            {
                "id": g.id,
                "name": g.name,
                "active": g.active,
                "members": loads.get(g.id, 0),
                "stores": " · ".join(known.store(page, s) for s in sorted(g.store_ids)),
            }
            for g in guides
        ],
        leaving=leaving,
        leaving_count=loads.get(leaving.id, 0) if leaving else 0,
        leaving_stores=" · ".join(known.store(page, s) for s in sorted(leaving.store_ids))
        if leaving
        else "",
        targets=[{"id": g.id, "name": g.name, "members": loads.get(g.id, 0)} for g in targets],
        target=target,
        spread=spread and bool(targets),
        to=to or "",
        brand_param=current.id if scope.is_platform else None,
    )


@router.post("/console/rebind")
def confirm_rebind(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    scope = page.caller
    guide_field, to_field = fields.get("guide", ""), fields.get("to", "")
    if not guide_field.isdigit() or not (to_field.isdigit() or to_field == "spread"):
        raise InvalidRebind()
    leaving = auth_service.get_staff(session=session, scope=scope, staff_id=int(guide_field))
    request = RebindRequest(
        to_guide_id=int(to_field) if to_field.isdigit() else None, spread=to_field == "spread"
    )
    result = members_service.rebind_guide_members(
        session=session, scope=scope, guide_id=leaving.id, data=request
    )
    brand_id = leaving.brand_id
    target = url("/console/members", scope, brand_id, guide=request.to_guide_id)
    if result.moved == 0:
        return page.redirect(target, flash="nothing_to_rebind", guide=leaving.display_name)
    staff_names = {g.id: g.name for g in _guides(session, scope) if g.id in result.to_guides}
    summary = ", ".join(
        f"{staff_names.get(g, '#' + str(g))} {n}" for g, n in sorted(result.to_guides.items())
    )
    return page.redirect(
        target,
        flash="members_rebound",
        moved=result.moved,
        guide=leaving.display_name,
        summary=summary,
    )
