"""A sale's receipt: everything an 80 mm slip prints, read from the order it placed.

The join-membership link is the store's cloud store, carrying (when a guide served the sale)
the signed reference of that guide, so whoever joins through the printed QR code is bound
to the guide who served them, by the brand's binding policy.
"""

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.config import get_settings
from newretail.guides import service as guides_service
from newretail.kernel.errors import NotFound
from newretail.kernel.scope import Scope
from newretail.members import redemption
from newretail.members import service as members_service
from newretail.orders import service as orders_service
from newretail.org import rules as org_rules
from newretail.org import service as org_service
from newretail.pos import errors, sales
from newretail.pos.models import PosSale, Register
from newretail.pos.receipt_schemas import (
    Receipt,
    ReceiptBrand,
    ReceiptLine,
    ReceiptMember,
    ReceiptOrder,
    ReceiptPerson,
    ReceiptRegister,
    ReceiptStore,
)
from newretail.pos.schemas import OfferTaken, SaleRead

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def receipt(*, session: Session, scope: Scope, sale_id: int) -> Receipt:
    sale = sales.get_sale(session=session, scope=scope, sale_id=sale_id)
    if sale.order_id is None:
        raise errors.SaleNotFound("This sale placed no order (a conflict): no receipt.")
    order = orders_service.get_order(session=session, scope=scope, order_id=sale.order_id)
    store = org_service.get_store(session=session, scope=scope, store_id=order.store_id)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=order.brand_id)
    names = _names(session, scope, {line.serving_guide_id for line in order.lines}, sale)
    read = SaleRead.model_validate(sale.result) if sale.result.get("order_id") else None
    lead = next((g for g in (line.serving_guide_id for line in order.lines) if g), None)
    return Receipt(
        store=ReceiptStore.model_validate(store),
        brand=ReceiptBrand(id=brand.id, name=brand.name),
        till=_register(session, sale),
        shift_id=sale.shift_id,
        cashier=_person(sale.cashier_id, names),
        order=ReceiptOrder.model_validate(order),
        device_time=sale.device_time,
        currency=order.currency,
        lines=[
            ReceiptLine(
                sku_id=line.sku_id,
                title=line.title,
                quantity=line.quantity,
                unit_price=line.unit_price,
                subtotal=line.subtotal,
                discount=line.discount,
                total=line.total,
                guide=_person(line.serving_guide_id, names),
            )
            for line in order.lines
        ],
        discounts=[
            OfferTaken(key=d.offer_key, name=d.name, source=d.source, amount=d.amount)
            for d in orders_service.order_discounts(session=session, scope=scope, order_id=order.id)
        ],
        subtotal=order.subtotal,
        discount=order.discount,
        total=order.total,
        tenders=read.tenders if read else [],
        change=read.change if read else 0,
        member=_member(session, scope, order.member_id),
        points_used=redemption.spent_on_order(
            session=session, member_id=order.member_id, order_id=order.id
        )
        if order.member_id is not None
        else 0,
        join_url=_join_url(brand.code, store.code, lead),
    )


def _register(session: Session, sale: PosSale) -> ReceiptRegister | None:
    register = session.get(Register, sale.register_id) if sale.register_id else None
    return ReceiptRegister(id=register.id, code=register.code) if register else None


def _names(
    session: Session, scope: Scope, guides: set[int | None], sale: PosSale
) -> dict[int, str]:
    names = {}
    for staff_id in {*guides, sale.cashier_id} - {None}:
        assert staff_id is not None
        try:
            staff = auth_service.get_staff(
                session=session, scope=orders_service.system_for(sale.brand_id), staff_id=staff_id
            )
        except NotFound:
            continue
        names[staff_id] = staff.display_name
    return names


def _person(staff_id: int | None, names: dict[int, str]) -> ReceiptPerson | None:
    if staff_id is None or staff_id not in names:
        return None
    return ReceiptPerson(id=staff_id, name=names[staff_id])


def _member(session: Session, scope: Scope, member_id: int | None) -> ReceiptMember | None:
    if member_id is None:
        return None
    member = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
    view = members_service.member_view(session=session, scope=scope, member=member)
    return ReceiptMember(
        member_id=member.id,
        member_no=member.member_no,
        phone=view.phone,
        tier=member.tier,
        points=member.points,
    )


def _join_url(brand_code: str, store_code: str, guide_id: int | None) -> str:
    settings = get_settings()
    base = (settings.public_base_url or DEFAULT_BASE_URL).rstrip("/")
    url = f"{base}/s/{org_rules.cloud_store_code(brand_code, store_code)}?join=1"
    if guide_id is not None:
        url += f"&ref={guides_service.share_ref(secret=settings.secret_key, guide_id=guide_id)}"
    return url
