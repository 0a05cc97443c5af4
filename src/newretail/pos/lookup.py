"""What the cashier looks up: products by barcode or text (this store's pos price and stock),
members by phone or member number, the store's guides, sign-up at the counter, and quotes.

Everything comes from the catalog, inventory, members, auth and promotions services; the
sale's price is the one the orders service would charge (``selling.draft_sale``).
"""

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.catalog import service as catalog_service
from newretail.catalog.models import Sku
from newretail.inventory import service as inventory_service
from newretail.kernel.sale import SaleOffer
from newretail.kernel.scope import Role, Scope
from newretail.members import rules as member_rules
from newretail.members import service as members_service
from newretail.members.errors import MemberNotFound
from newretail.members.models import Membership
from newretail.members.schemas import MemberCreate
from newretail.orders import service as orders_service
from newretail.org import service as org_service
from newretail.pos import access, credit, errors, selling
from newretail.pos.schemas import (
    BindingRead,
    GuideRead,
    MemberCard,
    MemberSignUp,
    OfferTaken,
    ProductHit,
    QuoteCreate,
    QuoteLine,
    QuoteMember,
    QuoteRead,
    SignUpRead,
)
from newretail.promotions import service as promotions_service
from newretail.promotions.models import CouponStatus

MAX_GUIDES = 200


def products(
    *,
    session: Session,
    scope: Scope,
    store_id: int,
    barcode: str | None,
    q: str | None,
    limit: int = 20,
) -> list[ProductHit]:
    """Exact barcode (``unknown_barcode`` when none) or a search, priced for this store's till."""
    access.require_till(scope)
    if (barcode is None) == (q is None):
        raise errors.InvalidLookup("Give either barcode or q.")
    store = org_service.get_store(session=session, scope=scope, store_id=store_id)
    found = catalog_service.find_skus(
        session=session, brand_id=store.brand_id, barcode=barcode, q=q, limit=limit
    )
    if barcode is not None and not found:
        raise errors.UnknownBarcode()
    sale_store = catalog_service.sale_catalog.store(session=session, store_id=store.id)
    assert sale_store is not None
    brand, here = sale_store
    ids = [sku.id for sku, _ in found]
    offers = catalog_service.sale_catalog.offers(
        session=session, store=here, channel="pos", sku_ids=ids
    )
    units = inventory_service.available(
        session=session, brand_id=store.brand_id, sku_ids=ids, location_ids=[store.id]
    )
    return [
        _hit(sku, title, offers.get(sku.id), brand.currency, units[(store.id, sku.id)])
        for sku, title in found
    ]


def _hit(sku: Sku, title: str, offer: SaleOffer | None, currency: str, units: int) -> ProductHit:
    return ProductHit(
        sku_id=sku.id,
        product_id=sku.product_id,
        sku_code=sku.code,
        barcode=sku.barcode,
        title=offer.title if offer else f"{title} ({sku.code})",
        unit_price=offer.unit_price if offer else None,
        currency=currency,
        price_source=offer.price_source if offer else {},
        sellable=bool(offer and offer.sellable and offer.unit_price is not None),
        available_here=units,
    )


def _member(session: Session, scope: Scope, phone: str | None, code: str | None) -> Membership:
    brand_id = access.brand_of(scope)
    if code is not None:
        found = members_service.member_by_number(session=session, brand_id=brand_id, member_no=code)
        if found is None:
            raise MemberNotFound()
        return found
    consumers, _ = members_service.lookup(
        session=session, scope=scope, phone=phone, cursor=None, limit=1
    )
    ids = [m.id for c in consumers for m in c.memberships if m.brand_id == brand_id]
    if not ids:
        raise MemberNotFound()
    return members_service.get_brand_member(session=session, scope=scope, member_id=ids[0])


def _points_value(session: Session, member: Membership) -> int:
    """What the member's points pay at the till, at the brand's redemption rate."""
    rate = members_service.programme_of(session=session, brand_id=member.brand_id)
    return member_rules.points_value(member.points, rate.redeem_points_per_yuan)


def member_card(*, session: Session, scope: Scope, member: Membership) -> MemberCard:
    view = members_service.member_view(session=session, scope=scope, member=member)
    binding = view.binding if view.binding is not None and view.binding.active else None
    coupons = promotions_service.list_wallet(session=session, scope=scope, member_id=member.id)
    usable = {CouponStatus.CLAIMED.value, CouponStatus.RELEASED.value}
    return MemberCard(
        member_id=member.id,
        member_no=member.member_no,
        phone=view.phone,
        name=members_service.member_name(session=session, member=view),
        tier=member.tier,
        points=member.points,
        points_value=_points_value(session, member),
        store_credit=credit.balance(session=session, member_id=member.id),
        bound_store_id=binding.store_id if binding else None,
        bound_guide_id=binding.guide_id if binding else None,
        coupons=sum(1 for c in coupons if c.status in usable),
    )


def find_member(
    *, session: Session, scope: Scope, store_id: int, phone: str | None, code: str | None
) -> MemberCard:
    """A member of the brand by phone or by the member number on their card or QR code."""
    access.require_till(scope)
    if (phone is None) == (code is None):
        raise errors.InvalidLookup("Give either phone or code.")
    org_service.get_store(session=session, scope=scope, store_id=store_id)
    member = _member(session, scope, phone, code)
    return member_card(session=session, scope=scope, member=member)


def sign_up(*, session: Session, scope: Scope, data: MemberSignUp) -> SignUpRead:
    """Join at the counter, bound to the store and serving guide by the brand's policy."""
    access.require_till(scope)
    org_service.get_store(session=session, scope=scope, store_id=data.store_id)
    joined = members_service.join(
        session=session,
        scope=scope,
        data=MemberCreate(
            phone=data.phone,
            store_id=data.store_id,
            guide_id=data.guide_id,
            channel=members_service.JoinChannel.POS,
            source=members_service.BindingSource.POS,
        ),
    )
    if data.name is not None:
        members_service.set_consumer_name(
            session=session, consumer_id=joined.member.consumer_id, display_name=data.name
        )
    card = member_card(session=session, scope=scope, member=joined.member)
    outcome = joined.binding
    return SignUpRead(
        **card.model_dump(),
        created=joined.created,
        binding=BindingRead(action=outcome.action.value, reason=outcome.reason)
        if outcome
        else None,
    )


def guides(*, session: Session, scope: Scope, store_id: int) -> list[GuideRead]:
    """The store's active guides, for the "served by" picker."""
    access.require_till(scope)
    store = org_service.get_store(session=session, scope=scope, store_id=store_id)
    staff, _ = auth_service.list_staff(
        session=session,
        scope=scope,
        cursor=None,
        limit=MAX_GUIDES,
        role=Role.GUIDE,
        store_id=store.id,
    )
    return [GuideRead(id=s.id, name=s.display_name) for s in staff if s.is_active]


def quote(*, session: Session, scope: Scope, data: QuoteCreate) -> QuoteRead:
    """What the sale costs now; nothing is written."""
    access.require_till(scope)
    org_service.get_store(session=session, scope=scope, store_id=data.store_id)
    request = selling.SaleRequest(
        data.store_id,
        data.member_id,
        data.lines,
        data.offer_keys,
        data.discount,
        data.delivery,
        points=data.points,
    )
    draft = selling.draft_sale(session=session, scope=scope, request=request)
    units = selling.available_here(
        session=session, draft=draft, sku_ids=[line.sku_id for line in data.lines]
    )
    lines = [
        QuoteLine(
            sku_id=p.sku_id,
            title=p.title,
            quantity=p.quantity,
            unit_price=p.unit_price or 0,
            price_source=p.price_source,
            subtotal=a.subtotal,
            discount=a.discount,
            total=a.total,
            guide_id=line.guide_id,
            available_here=units[p.sku_id],
        )
        for p, a, line in zip(draft.priced, draft.amounts, data.lines, strict=True)
    ]
    return QuoteRead(
        currency=draft.currency,
        lines=lines,
        offers=offers_taken(draft),
        subtotal=sum(a.subtotal for a in draft.amounts),
        discount=sum(a.discount for a in draft.amounts),
        total=draft.total,
        member=_quote_member(session, scope, data.member_id),
        points_used=draft.combination.points if draft.combination else 0,
        points_off=draft.combination.points_off if draft.combination else 0,
    )


def offers_taken(draft: orders_service.Draft) -> list[OfferTaken]:
    if draft.combination is None or draft.offers is None:
        return []
    taken = []
    for applied in draft.combination.applied:
        info = draft.offers.info[applied.key]
        taken.append(
            OfferTaken(key=info.key, name=info.name, source=info.source, amount=applied.saving)
        )
    return taken


def _quote_member(session: Session, scope: Scope, member_id: int | None) -> QuoteMember | None:
    if member_id is None:
        return None
    member = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
    return QuoteMember(
        member_id=member.id,
        points=member.points,
        points_value=_points_value(session, member),
        store_credit=credit.balance(session=session, member_id=member.id),
    )
