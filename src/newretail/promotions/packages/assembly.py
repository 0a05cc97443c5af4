"""Drafting, assembling and publishing coupon packages: the platform operator's work.

A package's candidates are coupon templates of several brands (a district package left
without gathers the active templates of the brands that have a store in its district).
Assembling judges each candidate by what it is expected to be worth to a member:

    face      the most one coupon takes off (a percent coupon needs its maximum)
    use rate  the share of its coupons used so far, smoothed towards 30% while few were
              issued: (redeemed + 3) / (issued + 10), per mille
    value     face x use rate; the face value is what it holds against the budget

A candidate that cannot take part (archived, not claimable when the package opens, out of
coupons or budget, without a face value, or not usable in the district) gets that reason;
the others go to the optimiser (``rules.assemble``), which picks the package and says why
each of them is in or out. The operator reviews the proposal and publishes it; a template
that changed since must be assembled again first.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.org import service as org_service
from newretail.promotions.discounts import Kind, face_value
from newretail.promotions.models import Coupon, CouponTemplate, Status
from newretail.promotions.packages import errors, rules
from newretail.promotions.packages.models import (
    CouponPackage,
    PackageCandidate,
    PackageKind,
    PackageStatus,
)
from newretail.promotions.packages.schemas import CandidateBody, PackageCreate, PackageUpdate
from newretail.promotions.shapes import check_dates, reach_of, terms_of

PRIOR_USED, PRIOR_ISSUED = 3, 10


def use_rate(issued: int, redeemed: int) -> int:
    """Per mille of a template's coupons expected to be used, from what happened so far."""
    return (redeemed + PRIOR_USED) * 1000 // (issued + PRIOR_ISSUED)


def create_package(
    *, session: Session, scope: Scope, data: PackageCreate, now: datetime | None = None
) -> CouponPackage:
    """A draft package, assembled at once from its candidates."""
    scope.require(Role.PLATFORM_ADMIN)
    check_dates(data.starts_at, data.ends_at)
    if data.kind is PackageKind.DISTRICT and data.district_id is None:
        raise errors.InvalidPackage("A district package names its district (district_id).")
    if data.district_id is not None:
        org_service.get_district(session=session, district_id=data.district_id)
    package = CouponPackage(
        **data.model_dump(exclude={"candidates", "conflicts"}),
        conflicts=[sorted(pair) for pair in data.conflicts],
        created_by=scope.actor_id,
    )
    session.add(package)
    session.flush()
    _set_candidates(session, package, data.candidates)
    return assemble(session=session, scope=scope, package_id=package.id, now=now)


def update_package(
    *,
    session: Session,
    scope: Scope,
    package_id: int,
    data: PackageUpdate,
    now: datetime | None = None,
) -> CouponPackage:
    """Change a draft's settings or candidates; it is assembled again."""
    package = _draft(session, scope, package_id)
    changes = data.model_dump(exclude_unset=True, exclude={"candidates", "conflicts"})
    check_dates(
        changes.get("starts_at", package.starts_at), changes.get("ends_at", package.ends_at)
    )
    for name, value in changes.items():
        setattr(package, name, value)
    if data.conflicts is not None:
        package.conflicts = [sorted(pair) for pair in data.conflicts]
    if data.candidates is not None:
        session.execute(delete(PackageCandidate).where(PackageCandidate.package_id == package.id))
        _set_candidates(session, package, data.candidates)
    return assemble(session=session, scope=scope, package_id=package.id, now=now)


def _set_candidates(
    session: Session, package: CouponPackage, given: Sequence[CandidateBody]
) -> None:
    ids = [c.template_id for c in given]
    if len(set(ids)) != len(ids):
        raise errors.InvalidPackage("Each template may be a candidate once.")
    if not given and package.kind != PackageKind.DISTRICT.value:
        raise errors.InvalidPackage("Name the candidate templates (candidates).")
    if given:
        found = dict(
            session.execute(
                select(CouponTemplate.id, CouponTemplate.brand_id).where(CouponTemplate.id.in_(ids))
            ).all()
        )
        missing = [i for i in ids if i not in found]
        if missing:
            raise errors.InvalidPackage(f"Coupon template {missing[0]} does not exist.")
        rows = [(c.template_id, found[c.template_id], c.segment) for c in given]
    else:
        rows = _district_templates(session, package.district_id or 0)
    session.add_all(
        PackageCandidate(package_id=package.id, template_id=t, brand_id=b, segment=s)
        for t, b, s in rows
    )
    session.flush()


def _district_templates(session: Session, district_id: int) -> list[tuple[int, int, str | None]]:
    brands = set(_district_stores(session, district_id))
    rows = session.execute(
        select(CouponTemplate.id, CouponTemplate.brand_id)
        .where(CouponTemplate.brand_id.in_(brands), CouponTemplate.status == Status.ACTIVE.value)
        .order_by(CouponTemplate.id)
        .limit(500)
    )
    return [(t, b, None) for t, b in rows]


def _district_stores(session: Session, district_id: int) -> dict[int, set[int]]:
    """The stores of each brand in the district."""
    out: dict[int, set[int]] = {}
    cursor: str | None = None
    while True:
        stores, cursor = org_service.list_stores(
            session=session, scope=SYSTEM, cursor=cursor, limit=200, district_id=district_id
        )
        for store in stores:
            out.setdefault(store.brand_id, set()).add(store.id)
        if cursor is None:
            return out


def assemble(
    *, session: Session, scope: Scope, package_id: int, now: datetime | None = None
) -> CouponPackage:
    """Judge a draft's candidates again and let the optimiser pick the package."""
    package = _draft(session, scope, package_id)
    now = now or utcnow()
    candidates = _candidates(session, package.id)
    templates = _templates(session, [c.template_id for c in candidates])
    history = _history(session, list(templates))
    district = _district_stores(session, package.district_id) if package.district_id else None
    benefits: list[rules.Benefit] = []
    for c in candidates:
        template = templates[c.template_id]
        c.face = face_value(terms_of(template.kind, template.terms)) or 0
        c.use_rate = use_rate(*history.get(template.id, (0, 0)))
        c.value = c.face * c.use_rate // 1000
        c.picked, c.other_template_id, c.margin = False, None, None
        c.reason = _unusable(template, c.face, _opens(package, now), district) or ""
        if not c.reason:
            benefits.append(
                rules.Benefit(f"template:{template.id}", c.brand_id, c.value, c.face, c.segment)
            )
    conflicts = frozenset(frozenset(f"template:{i}" for i in pair) for pair in package.conflicts)
    found = rules.assemble(
        rules.Problem(tuple(benefits), package.budget, conflicts, package.max_benefits)
    )
    by_key = {f"template:{c.template_id}": c for c in candidates}
    for decision in found.decisions:
        row = by_key[decision.key]
        row.picked = decision.verdict is rules.Verdict.PICKED
        row.reason = decision.verdict.value
        row.other_template_id = int(decision.other.split(":")[1]) if decision.other else None
        row.margin = decision.margin
    package.value, package.cost, package.nodes = found.value, found.cost, found.nodes
    package.assembled_at = package.updated_at = now
    session.flush()
    return package


def _opens(package: CouponPackage, now: datetime) -> datetime:
    return max(now, package.starts_at)


def _unusable(
    template: CouponTemplate, face: int, opens: datetime, district: dict[int, set[int]] | None
) -> str | None:
    """Why a template cannot be a benefit of a package that opens at ``opens``, if it cannot."""
    if template.status != Status.ACTIVE.value:
        return "template_inactive"
    if template.kind == Kind.PAID.value:
        return "sold_not_given"  # a paid voucher is bought; a package gives its benefits
    if (
        template.starts_at > opens
        or (template.ends_at is not None and template.ends_at <= opens)
        or (template.valid_until is not None and template.valid_until <= opens)
    ):
        return "claim_closed"
    if (template.total_quantity is not None and template.issued >= template.total_quantity) or (
        template.budget is not None and template.budget_used + face > template.budget
    ):
        return "exhausted"
    if face <= 0:
        return "no_face_value"
    if district is not None:
        stores = district.get(template.brand_id, set())
        reach = reach_of(template.reach).stores
        if not stores or (reach and not reach & stores):
            return "not_in_district"
    return None


def publish(
    *, session: Session, scope: Scope, package_id: int, now: datetime | None = None
) -> CouponPackage:
    """The operator publishes the proposal they reviewed: consumers may claim it."""
    package = _draft(session, scope, package_id)
    now = now or utcnow()
    picked = [c for c in _candidates(session, package.id) if c.picked]
    if not picked:
        raise errors.PackageEmpty()
    templates = _templates(session, [c.template_id for c in picked])
    for c in picked:
        if _unusable(templates[c.template_id], c.face, _opens(package, now), None):
            raise errors.PackageStale(f"Coupon template {c.template_id} changed: assemble again.")
    package.status = PackageStatus.PUBLISHED.value
    package.published_by, package.published_at, package.updated_at = scope.actor_id, now, now
    session.flush()
    return package


def close(*, session: Session, scope: Scope, package_id: int) -> CouponPackage:
    """No more claims; coupons already claimed stay in the wallets."""
    package = get_package(session=session, scope=scope, package_id=package_id)
    scope.require(Role.PLATFORM_ADMIN)
    if package.status != PackageStatus.CLOSED.value:
        package.status = PackageStatus.CLOSED.value
        package.updated_at = utcnow()
        session.flush()
    return package


def _draft(session: Session, scope: Scope, package_id: int) -> CouponPackage:
    package = get_package(session=session, scope=scope, package_id=package_id)
    scope.require(Role.PLATFORM_ADMIN)
    if package.status != PackageStatus.DRAFT.value:
        raise errors.PackageNotDraft()
    return package


def _visible(scope: Scope) -> Select[CouponPackage]:
    """The platform sees every package; brand staff and consumers the published ones."""
    query = select(CouponPackage)
    if not scope.is_platform:
        query = query.where(CouponPackage.status == PackageStatus.PUBLISHED.value)
    return query


def get_package(*, session: Session, scope: Scope, package_id: int) -> CouponPackage:
    package = session.scalar(_visible(scope).where(CouponPackage.id == package_id))
    if package is None:
        raise errors.PackageNotFound()
    return package


def list_packages(
    *,
    session: Session,
    scope: Scope,
    status: PackageStatus | None,
    cursor: str | None,
    limit: int,
    now: datetime | None = None,
) -> tuple[list[CouponPackage], str | None]:
    """Packages newest first; callers other than the platform see those open for claims."""
    query = _visible(scope)
    if status is not None:
        query = query.where(CouponPackage.status == status.value)
    if not scope.is_platform:
        moment = now or utcnow()
        query = query.where(
            CouponPackage.starts_at <= moment,
            (CouponPackage.ends_at.is_(None)) | (CouponPackage.ends_at > moment),
        )
    return paginate(
        session=session, query=query, id_column=CouponPackage.id, cursor=cursor, limit=limit
    )


def candidates_of(
    *, session: Session, scope: Scope, package: CouponPackage
) -> list[PackageCandidate]:
    """The platform sees every candidate and its verdict; others see the picked benefits."""
    rows = sorted(
        _candidates(session, package.id), key=lambda c: (not c.picked, -c.value, c.template_id)
    )
    return rows if scope.is_platform else [c for c in rows if c.picked]


def _candidates(session: Session, package_id: int) -> list[PackageCandidate]:
    return list(
        session.scalars(
            select(PackageCandidate)
            .where(PackageCandidate.package_id == package_id)
            .order_by(PackageCandidate.template_id)
        )
    )


def _templates(session: Session, ids: Sequence[int]) -> dict[int, CouponTemplate]:
    rows = session.scalars(select(CouponTemplate).where(CouponTemplate.id.in_(ids)))
    return {t.id: t for t in rows}


def _history(session: Session, template_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Each template's coupons issued and redeemed so far."""
    redeemed = func.count(Coupon.redeemed_at)
    rows = session.execute(
        select(Coupon.template_id, func.count(), redeemed)
        .where(Coupon.template_id.in_(template_ids))
        .group_by(Coupon.template_id)
    )
    return {t: (int(issued), int(used)) for t, issued, used in rows}
