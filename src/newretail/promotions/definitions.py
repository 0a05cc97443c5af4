"""Automatic promotions and coupon templates: a brand's marketing staff write them, every
member of its staff reads them (the visibility ladder), and archiving stops them for good."""

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.db import utcnow
from newretail.kernel import visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.outbox import service as outbox_service
from newretail.promotions import errors
from newretail.promotions.discounts import COUPON_KINDS, PROMOTION_KINDS, Kind
from newretail.promotions.models import CouponTemplate, Promotion, Status
from newretail.promotions.schemas import (
    PromotionCreate,
    PromotionUpdate,
    ReachBody,
    TemplateCreate,
    TemplateUpdate,
    TermsBody,
)
from newretail.promotions.shapes import check_dates, check_hours, check_terms

PROMOTIONS = visibility.Ladder(brand=Promotion.brand_id, brand_staff_see_all=True)
TEMPLATES = visibility.Ladder(brand=CouponTemplate.brand_id, brand_staff_see_all=True)
WRITERS = (Role.BRAND_ADMIN,)
Row = TypeVar("Row", Promotion, CouponTemplate)


def _stored(terms: TermsBody, reach: ReachBody) -> dict[str, Any]:
    return {
        "terms": terms.model_dump(mode="json"),
        "reach": reach.model_dump(mode="json"),
    }


def create_promotion(*, session: Session, scope: Scope, data: PromotionCreate) -> Promotion:
    scope.require(*WRITERS)
    brand_id = scope.target_brand(data.brand_id)
    if data.kind not in PROMOTION_KINDS:
        raise errors.InvalidTerms(f"{data.kind.value} is a coupon kind, not a promotion.")
    check_terms(data.kind, data.terms, data.reach)
    check_dates(data.starts_at, data.ends_at)
    check_hours(data.from_minute, data.until_minute)
    row = Promotion(
        brand_id=brand_id,
        **data.model_dump(exclude={"brand_id", "terms", "reach"}),
        **_stored(data.terms, data.reach),
    )
    session.add(row)
    session.flush()
    _announce(session, row, "promotion.created")
    return row


def _announce(session: Session, row: Promotion, type: str) -> None:
    """Pages that show promotions (the cloud store home) refresh on these events."""
    outbox_service.record(
        session=session,
        brand_id=row.brand_id,
        type=type,
        resource_type="promotion",
        resource_id=row.id,
        payload={"id": row.id, "name": row.name, "status": row.status},
    )


def get_promotion(*, session: Session, scope: Scope, promotion_id: int) -> Promotion:
    query = visibility.restrict(select(Promotion), scope, PROMOTIONS)
    row = session.scalar(query.where(Promotion.id == promotion_id))
    if row is None:
        raise errors.PromotionNotFound()
    return row


def list_promotions(
    *,
    session: Session,
    scope: Scope,
    status: Status | None,
    cursor: str | None,
    limit: int,
    brand_id: int | None = None,
) -> tuple[list[Promotion], str | None]:
    query = visibility.restrict(select(Promotion), scope, PROMOTIONS)
    if brand_id is not None:
        query = query.where(Promotion.brand_id == brand_id)
    if status is not None:
        query = query.where(Promotion.status == status.value)
    return paginate(
        session=session, query=query, id_column=Promotion.id, cursor=cursor, limit=limit
    )


def update_promotion(
    *, session: Session, scope: Scope, promotion_id: int, data: PromotionUpdate
) -> Promotion:
    row = get_promotion(session=session, scope=scope, promotion_id=promotion_id)
    scope.require(*WRITERS)
    changes = data.model_dump(exclude_unset=True, exclude={"terms", "reach"})
    terms = data.terms or TermsBody.model_validate(row.terms)
    reach = data.reach or ReachBody.model_validate(row.reach)
    check_terms(Kind(row.kind), terms, reach)
    check_dates(changes.get("starts_at", row.starts_at), changes.get("ends_at", row.ends_at))
    check_hours(
        changes.get("from_minute", row.from_minute), changes.get("until_minute", row.until_minute)
    )
    _change(row, {**changes, **_stored(terms, reach)})
    _announce(session, row, "promotion.updated")
    return row


def create_template(*, session: Session, scope: Scope, data: TemplateCreate) -> CouponTemplate:
    scope.require(*WRITERS)
    brand_id = scope.target_brand(data.brand_id)
    if data.kind not in COUPON_KINDS:
        raise errors.InvalidTerms(f"{data.kind.value} is an automatic promotion, not a coupon.")
    check_terms(data.kind, data.terms, data.reach)
    check_dates(data.starts_at, data.ends_at)
    check_dates(data.valid_from, data.valid_until)
    if (data.valid_until is None) == (data.valid_days is None):
        raise errors.InvalidTerms("Give either valid_until (a fixed window) or valid_days.")
    if data.budget is not None and data.kind is Kind.PERCENT and data.terms.max_off is None:
        raise errors.InvalidTerms("A percent coupon under a budget needs max_off.")
    gift = data.terms.gift_sku_id
    if gift is not None and gift not in catalog_service.skus_by_id(
        session=session, brand_id=brand_id, sku_ids=[gift]
    ):
        raise errors.InvalidTerms(f"SKU {gift} is not one of the brand's SKUs.")
    row = CouponTemplate(
        brand_id=brand_id,
        **data.model_dump(exclude={"brand_id", "terms", "reach"}),
        **_stored(data.terms, data.reach),
    )
    session.add(row)
    session.flush()
    return row


def get_template(*, session: Session, scope: Scope, template_id: int) -> CouponTemplate:
    """The template, if the caller sees it (one already in the session costs no read: a
    send to an audience claims one template for a chunk of members)."""
    row = session.get(CouponTemplate, template_id)
    if row is None or not visibility.admits(scope, TEMPLATES, row):
        raise errors.TemplateNotFound()
    return row


def list_templates(
    *,
    session: Session,
    scope: Scope,
    status: Status | None,
    cursor: str | None,
    limit: int,
    brand_id: int | None = None,
) -> tuple[list[CouponTemplate], str | None]:
    query = visibility.restrict(select(CouponTemplate), scope, TEMPLATES)
    if brand_id is not None:
        query = query.where(CouponTemplate.brand_id == brand_id)
    if status is not None:
        query = query.where(CouponTemplate.status == status.value)
    return paginate(
        session=session, query=query, id_column=CouponTemplate.id, cursor=cursor, limit=limit
    )


def update_template(
    *, session: Session, scope: Scope, template_id: int, data: TemplateUpdate
) -> CouponTemplate:
    """Names, limits and status; never below what was already issued or held."""
    row = get_template(session=session, scope=scope, template_id=template_id)
    scope.require(*WRITERS)
    changes = data.model_dump(exclude_unset=True)
    check_dates(row.starts_at, changes.get("ends_at", row.ends_at))
    if (changes.get("total_quantity") or row.issued) < row.issued:
        raise errors.InvalidTerms(f"{row.issued} coupons were issued already.")
    if (changes.get("budget") or row.budget_used) < row.budget_used:
        raise errors.InvalidTerms(f"{row.budget_used} of the budget is held already.")
    _change(row, changes)
    return row


def archive(*, session: Session, scope: Scope, row: Row) -> Row:
    scope.require(*WRITERS)
    if row.status != Status.ARCHIVED.value:
        _change(row, {"status": Status.ARCHIVED.value})
        if isinstance(row, Promotion):
            _announce(session, row, "promotion.archived")
    return row


def _change(row: Promotion | CouponTemplate, changes: dict[str, Any]) -> None:
    if row.status == Status.ARCHIVED.value:
        raise errors.InvalidTerms("An archived offer cannot change.")
    for name, value in changes.items():
        setattr(row, name, value.value if hasattr(value, "value") else value)
    row.updated_at = utcnow()
