"""What the cloud store pages show of promotions: only rules that checkout applies.

    running      the brand's active automatic promotions on now in a store and channel
    for_sku      those of them that reach one SKU (its categories included)
    claimable    coupon templates a member may claim now in a store and channel
    claimable_for_sku   those of them that reach one SKU
    names        the names of offers by key (promotion:<id>, coupon:<id>), for quotes

Reads only; each is one statement (``for_sku`` two: the SKU's categories).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.promotions.eligibility import Line
from newretail.promotions.models import Coupon, CouponTemplate, Promotion, Status
from newretail.promotions.shapes import reach_of


def _reaches(reach: dict[str, Any], store_id: int, channel: str) -> bool:
    shape = reach_of(reach)
    if shape.stores and store_id not in shape.stores:
        return False
    return not shape.channels or channel in shape.channels


def running(
    *, session: Session, brand_id: int, store_id: int, channel: str, now: datetime
) -> list[Promotion]:
    rows = session.scalars(
        select(Promotion)
        .where(
            Promotion.brand_id == brand_id,
            Promotion.status == Status.ACTIVE.value,
            Promotion.starts_at <= now,
            or_(Promotion.ends_at.is_(None), Promotion.ends_at > now),
        )
        .order_by(Promotion.priority.desc(), Promotion.id)
    ).all()
    return [p for p in rows if _reaches(p.reach, store_id, channel)]


def for_sku(
    *, session: Session, brand_id: int, store_id: int, channel: str, sku_id: int, now: datetime
) -> list[Promotion]:
    shown = running(session=session, brand_id=brand_id, store_id=store_id, channel=channel, now=now)
    if not shown:
        return []
    categories = catalog_service.sku_categories(
        session=session, brand_id=brand_id, sku_ids=[sku_id]
    ).get(sku_id, frozenset())
    line = Line(sku_id, categories, 1, 0)
    return [p for p in shown if reach_of(p.reach).covers(line)]


def claimable(
    *, session: Session, brand_id: int, store_id: int, channel: str, now: datetime
) -> list[CouponTemplate]:
    t = CouponTemplate
    rows = session.scalars(
        select(t)
        .where(
            t.brand_id == brand_id,
            t.status == Status.ACTIVE.value,
            t.starts_at <= now,
            or_(t.ends_at.is_(None), t.ends_at > now),
            or_(t.valid_until.is_(None), t.valid_until > now),
            or_(t.total_quantity.is_(None), t.issued < t.total_quantity),
        )
        .order_by(t.id)
    ).all()
    return [row for row in rows if _reaches(row.reach, store_id, channel)]


def claimable_for_sku(
    *, session: Session, brand_id: int, store_id: int, channel: str, sku_id: int, now: datetime
) -> list[CouponTemplate]:
    shown = claimable(
        session=session, brand_id=brand_id, store_id=store_id, channel=channel, now=now
    )
    if not shown:
        return []
    categories = catalog_service.sku_categories(
        session=session, brand_id=brand_id, sku_ids=[sku_id]
    ).get(sku_id, frozenset())
    line = Line(sku_id, categories, 1, 0)
    return [t for t in shown if reach_of(t.reach).covers(line)]


def names(*, session: Session, brand_id: int, keys: Iterable[str]) -> dict[str, str]:
    ids: dict[str, set[int]] = {"promotion": set(), "coupon": set()}
    for key in keys:
        kind, _, number = key.partition(":")
        if kind in ids and number.isdigit():
            ids[kind].add(int(number))
    found: dict[str, str] = {}
    if ids["promotion"]:
        rows = session.execute(
            select(Promotion.id, Promotion.name).where(
                Promotion.brand_id == brand_id, Promotion.id.in_(ids["promotion"])
            )
        )
        found.update({f"promotion:{i}": name for i, name in rows})
    if ids["coupon"]:
        rows = session.execute(
            select(Coupon.id, CouponTemplate.name)
            .join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
            .where(Coupon.brand_id == brand_id, Coupon.id.in_(ids["coupon"]))
        )
        found.update({f"coupon:{i}": name for i, name in rows})
    return found


def coupon_kinds(*, session: Session, brand_id: int, coupon_ids: Iterable[int]) -> dict[int, str]:
    """The kind of each of the brand's coupons among ``coupon_ids`` (how a wallet shows it)."""
    ids = set(coupon_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Coupon.id, CouponTemplate.kind)
        .join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
        .where(Coupon.brand_id == brand_id, Coupon.id.in_(ids))
    )
    return {int(i): kind for i, kind in rows}
