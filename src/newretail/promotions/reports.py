"""Redemption figures of a brand's coupons: per template and per store. Reads only.

    per template   issued (claimed into wallets), in wallets now (claimed or released),
                   reserved by unpaid orders, redeemed, released at least once (back from
                   an order not paid, a lapsed hold or a return), expired, the fen the
                   redeemed ones took off, with the template's funder, and what members
                   paid for paid vouchers (the funder's real cost is the discount less it)
    per store      coupons redeemed in the store and what they took off, by funder
    per channel    coupons claimed through each claim channel (guide push, code scan, cloud
                   store, district page, POS, import, purchase), how many of them were
                   redeemed and what they took off: which channel brings coupons that are used

HQ reads the whole brand; a region or store manager the stores they cover (store figures;
the templates are the brand's, so their counts are the brand's).
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newretail.kernel.reporting import covered_stores
from newretail.kernel.scope import Scope
from newretail.promotions.models import Coupon, CouponStatus, CouponTemplate

S = CouponStatus


@dataclass(frozen=True)
class TemplateFigures:
    template_id: int
    name: str
    kind: str
    funder: str
    status: str
    issued: int
    in_wallets: int
    reserved: int
    redeemed: int
    released: int
    expired: int
    discount: int  # fen the redeemed coupons took off
    sales: int = 0  # fen members paid for the template's paid vouchers


@dataclass(frozen=True)
class StoreFigures:
    store_id: int
    funder: str
    redeemed: int
    discount: int


@dataclass(frozen=True)
class ChannelFigures:
    channel: str
    claimed: int
    redeemed: int
    discount: int  # fen the redeemed ones took off

    @property
    def redeemed_share(self) -> int:
        """Redeemed per hundred claimed, rounded down."""
        return self.redeemed * 100 // self.claimed if self.claimed else 0


@dataclass(frozen=True)
class RedemptionReport:
    templates: list[TemplateFigures]
    stores: list[StoreFigures]
    channels: list[ChannelFigures]


def redemption_report(*, session: Session, scope: Scope, brand_id: int) -> RedemptionReport:
    """Every template's coupons by state, what redeemed coupons took off per store, and
    what each claim channel brought."""
    stores = covered_stores(scope, brand_id)
    return RedemptionReport(
        _templates(session, brand_id),
        _stores(session, brand_id, stores),
        _channels(session, brand_id),
    )


def _channels(session: Session, brand_id: int) -> list[ChannelFigures]:
    redeemed = Coupon.status == S.REDEEMED.value
    rows = session.execute(
        select(
            Coupon.channel,
            func.count(),
            func.count().filter(redeemed),
            func.coalesce(func.sum(Coupon.discount).filter(redeemed), 0),
        )
        .where(Coupon.brand_id == brand_id)
        .group_by(Coupon.channel)
        .order_by(Coupon.channel)
    )
    return [
        ChannelFigures(channel, int(claimed), int(used), int(total or 0))
        for channel, claimed, used, total in rows
    ]


def _templates(session: Session, brand_id: int) -> list[TemplateFigures]:
    counts: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(
            Coupon.template_id,
            Coupon.status,
            func.count(),
            func.count(Coupon.released_at),
            func.coalesce(func.sum(Coupon.discount), 0),
            func.coalesce(func.sum(Coupon.price_paid), 0),
        )
        .where(Coupon.brand_id == brand_id)
        .group_by(Coupon.template_id, Coupon.status)
    )
    for template_id, status, count, released, discount, sales in rows:
        figures = counts.setdefault(template_id, {"released": 0, "discount": 0, "sales": 0})
        figures[status] = int(count)
        figures["released"] += int(released)
        figures["sales"] += int(sales or 0)
        if status == S.REDEEMED.value:
            figures["discount"] = int(discount or 0)
    templates = session.scalars(
        select(CouponTemplate)
        .where(CouponTemplate.brand_id == brand_id)
        .order_by(CouponTemplate.id.desc())
        .limit(500)
    )
    return [_figures(t, counts.get(t.id, {})) for t in templates]


def _figures(template: CouponTemplate, counts: dict[str, int]) -> TemplateFigures:
    return TemplateFigures(
        template_id=template.id,
        name=template.name,
        kind=template.kind,
        funder=template.funder,
        status=template.status,
        issued=template.issued,
        in_wallets=counts.get(S.CLAIMED.value, 0) + counts.get(S.RELEASED.value, 0),
        reserved=counts.get(S.RESERVED.value, 0),
        redeemed=counts.get(S.REDEEMED.value, 0),
        released=counts.get("released", 0),
        expired=counts.get(S.EXPIRED.value, 0),
        discount=counts.get("discount", 0),
        sales=counts.get("sales", 0),
    )


def _stores(session: Session, brand_id: int, stores: frozenset[int] | None) -> list[StoreFigures]:
    discount = func.coalesce(func.sum(Coupon.discount), 0)
    query = (
        select(Coupon.store_id, CouponTemplate.funder, func.count(), discount)
        .join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
        .where(
            Coupon.brand_id == brand_id,
            Coupon.status == S.REDEEMED.value,
            Coupon.store_id.is_not(None),
        )
        .group_by(Coupon.store_id, CouponTemplate.funder)
        .order_by(Coupon.store_id, CouponTemplate.funder)
    )
    if stores is not None:
        query = query.where(Coupon.store_id.in_(stores))
    return [
        StoreFigures(int(store or 0), funder, int(count), int(total or 0))
        for store, funder, count, total in session.execute(query)
    ]
