"""Codes: creating them (one by one, in bulk, a guide's badge on first ask), reading, changing.

Who sees which codes:

    platform admin                      every code
    brand admin, integration key        every code of the brand
    region/store manager, cashier       codes of their stores
    guide (and no other store role)     their own codes (their badge, codes naming them)

Creating and changing codes is for brand admins and region and store managers; a guide
gets their own badge through ``guide_badge``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.catalog import service as catalog_service
from newretail.db import utcnow
from newretail.kernel import visibility
from newretail.kernel.errors import NotFound, PermissionDenied
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.members import errors as members_errors
from newretail.members import service as members_service
from newretail.org import service as org_service
from newretail.touchpoints import errors, rules
from newretail.touchpoints.models import TouchpointCode
from newretail.touchpoints.schemas import CodeBulkCreate, CodeCreate, CodeUpdate

MANAGER_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
_CODE_ATTEMPTS = 5
Pick = Callable[[str], str]


def system_scope(brand_id: int) -> Scope:
    """The system acting inside one brand: another brand's rows do not exist for it."""
    return Scope(
        actor_type="system", actor_id=None, roles=frozenset({Role.BRAND_ADMIN}), brand_id=brand_id
    )


CODES = visibility.Ladder(
    brand=TouchpointCode.brand_id,
    stores=(TouchpointCode.store_id,),
    guides=(TouchpointCode.guide_id,),
    guides_see_stores=False,
)


def code_query(scope: Scope) -> Select[TouchpointCode]:
    return visibility.restrict(select(TouchpointCode), scope, CODES)


def get_code(*, session: Session, scope: Scope, code: str) -> TouchpointCode:
    """A code the caller may see; another brand's code does not exist for them."""
    found = session.scalar(code_query(scope).where(TouchpointCode.code == code))
    if found is None:
        raise errors.CodeNotFound()
    return found


def find_live_code(*, session: Session, code: str) -> TouchpointCode:
    """A code as the public sees it: known, active and of a brand that still trades."""
    found = session.scalar(select(TouchpointCode).where(TouchpointCode.code == code))
    if found is None or org_service.live_brand(session=session, brand_id=found.brand_id) is None:
        raise errors.CodeNotFound()
    if not found.is_active:
        raise errors.CodeInactive()
    return found


def code_of_brand(*, session: Session, brand_id: int, code: str) -> TouchpointCode | None:
    """The code an order names, if it is ``brand_id``'s (active or since retired).

    None for another brand's code or one that was never made: an order must not carry it.
    """
    return session.scalar(
        select(TouchpointCode).where(
            TouchpointCode.code == code, TouchpointCode.brand_id == brand_id
        )
    )


def list_codes(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    brand_id: int | None = None,
    store_id: int | None = None,
    guide_id: int | None = None,
    placement: rules.Placement | None = None,
    campaign: str | None = None,
    is_active: bool | None = None,
) -> tuple[list[TouchpointCode], str | None]:
    query = code_query(scope)
    if brand_id is not None:
        query = query.where(TouchpointCode.brand_id == brand_id)
    if store_id is not None:
        query = query.where(TouchpointCode.store_id == store_id)
    if guide_id is not None:
        query = query.where(TouchpointCode.guide_id == guide_id)
    if placement is not None:
        query = query.where(TouchpointCode.placement == placement.value)
    if campaign is not None:
        query = query.where(TouchpointCode.campaign == campaign)
    if is_active is not None:
        query = query.where(TouchpointCode.is_active == is_active)
    return paginate(
        session=session, query=query, id_column=TouchpointCode.id, cursor=cursor, limit=limit
    )


@dataclass(frozen=True)
class _Spec:
    brand_id: int
    store_id: int
    guide_id: int | None
    placement: rules.Placement
    campaign: str
    label: str
    target: rules.Target
    product_id: int | None


def _spec(session: Session, scope: Scope, data: CodeCreate | CodeBulkCreate) -> _Spec:
    store = org_service.get_store(session=session, scope=scope, store_id=data.store_id)
    scope.require(*MANAGER_ROLES)
    if data.guide_id is not None:
        members_service.check_guide(
            session=session, brand_id=store.brand_id, store_id=store.id, guide_id=data.guide_id
        )
    target = data.target or rules.default_target(data.placement)
    _check_target(session, store.brand_id, target, data.product_id)
    return _Spec(
        store.brand_id,
        store.id,
        data.guide_id,
        data.placement,
        data.campaign,
        data.label,
        target,
        data.product_id,
    )


def _check_target(
    session: Session, brand_id: int, target: rules.Target, product_id: int | None
) -> None:
    problem = rules.check_target(target, product_id)
    if problem is not None:
        raise errors.InvalidCodeTarget(problem)
    if product_id is not None:
        catalog_service.get_product(
            session=session, scope=system_scope(brand_id), product_id=product_id
        )


def _insert(
    session: Session, spec: _Spec, pick: Pick | None, badge_guide_id: int | None = None
) -> TouchpointCode:
    """Insert a code under a fresh random value, drawing again on the (rare) collision."""
    for _ in range(_CODE_ATTEMPTS):
        row = TouchpointCode(
            code=rules.generate_code(pick) if pick else rules.generate_code(),
            brand_id=spec.brand_id,
            store_id=spec.store_id,
            guide_id=spec.guide_id,
            badge_guide_id=badge_guide_id,
            placement=spec.placement.value,
            campaign=spec.campaign,
            label=spec.label,
            target=spec.target.value,
            product_id=spec.product_id,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            if badge_guide_id is not None and _badge_of(session, badge_guide_id) is not None:
                raise
            continue
        return row
    raise RuntimeError("could not draw an unused code")


def create_code(
    *, session: Session, scope: Scope, data: CodeCreate, pick: Pick | None = None
) -> TouchpointCode:
    """One code of a store in the caller's scope."""
    return _insert(session, _spec(session, scope, data), pick)


def create_codes(
    *, session: Session, scope: Scope, data: CodeBulkCreate, pick: Pick | None = None
) -> list[TouchpointCode]:
    """``data.count`` codes alike but for their value, e.g. one per shelf of a store."""
    spec = _spec(session, scope, data)
    return [_insert(session, spec, pick) for _ in range(data.count)]


def update_code(*, session: Session, scope: Scope, code: str, data: CodeUpdate) -> TouchpointCode:
    row = get_code(session=session, scope=scope, code=code)
    scope.require(*MANAGER_ROLES)
    changes = data.model_dump(exclude_unset=True)
    target = rules.Target(changes.get("target") or row.target)
    product_id = changes.get("product_id", row.product_id)
    if "target" in changes and target != rules.Target.PRODUCT and "product_id" not in changes:
        product_id = None
    _check_target(session, row.brand_id, target, product_id)
    row.target = target.value
    row.product_id = product_id
    for name in ("campaign", "label", "is_active"):
        if changes.get(name) is not None:
            setattr(row, name, changes[name])
    row.updated_at = utcnow()
    session.flush()
    return row


# ---- a guide's badge ------------------------------------------------------------------


def _badge_of(session: Session, guide_id: int) -> TouchpointCode | None:
    return session.scalar(
        select(TouchpointCode)
        .where(TouchpointCode.badge_guide_id == guide_id)
        .execution_options(populate_existing=True)
    )


def find_guide_badge(*, session: Session, scope: Scope, guide_id: int) -> TouchpointCode | None:
    """The guide's badge if they have one and the caller may see it; reads only, never creates."""
    return session.scalar(code_query(scope).where(TouchpointCode.badge_guide_id == guide_id))


def guide_badge(
    *, session: Session, scope: Scope, guide_id: int, pick: Pick | None = None
) -> tuple[TouchpointCode, bool]:
    """The guide's own badge code, created at their (first) store on the first ask.

    The guide asks for their own; managers for a guide they can see. Returns the code and
    whether it was created now. Two first asks at once make one badge: the loser of the
    unique ``badge_guide_id`` reads the winner's.
    """
    try:
        guide = auth_service.get_staff(session=session, scope=scope, staff_id=guide_id)
    except NotFound as exc:
        raise members_errors.GuideNotFound() from exc
    if scope.actor_id != guide.id and not scope.has_any(*MANAGER_ROLES):
        raise PermissionDenied("A guide asks for their own badge only.")
    existing = _badge_of(session, guide.id)
    if existing is not None:
        return existing, False
    stores = sorted(a.store_id for a in guide.roles if a.role == Role.GUIDE and a.store_id)
    if not stores or guide.brand_id is None:
        raise members_errors.GuideNotFound("This member of staff is not a guide at a store.")
    members_service.check_guide(
        session=session, brand_id=guide.brand_id, store_id=stores[0], guide_id=guide.id
    )
    spec = _Spec(
        guide.brand_id,
        stores[0],
        guide.id,
        rules.Placement.GUIDE_BADGE,
        "",
        guide.display_name,
        rules.Target.JOIN,
        None,
    )
    try:
        return _insert(session, spec, pick, badge_guide_id=guide.id), True
    except IntegrityError:
        badge = _badge_of(session, guide.id)
        assert badge is not None
        return badge, False


# ---- what a code points at ------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    brand_code: str
    brand_name: str
    store_code: str
    store_name: str
    guide_name: str | None


def names_of(*, session: Session, row: TouchpointCode) -> Names:
    """The brand, store and guide of a code, for links, labels and the join page."""
    scope = system_scope(row.brand_id)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=row.brand_id)
    store = org_service.get_store(session=session, scope=scope, store_id=row.store_id)
    return Names(brand.code, brand.name, store.code, store.name, guide_name(session, row))


def guide_name(session: Session, row: TouchpointCode | None) -> str | None:
    if row is None or row.guide_id is None:
        return None
    return staff_name(session=session, brand_id=row.brand_id, staff_id=row.guide_id)


def staff_name(*, session: Session, brand_id: int, staff_id: int) -> str | None:
    try:
        staff = auth_service.get_staff(
            session=session, scope=system_scope(brand_id), staff_id=staff_id
        )
    except NotFound:
        return None
    return staff.display_name


def destination(row: TouchpointCode, names: Names) -> rules.Destination:
    return rules.Destination(
        row.code, rules.Target(row.target), names.brand_code, names.store_code, row.product_id
    )
