"""A counter sale: drafted by the orders service (channel ``pos``: the store's prices,
promotions and the member's best coupons, routing), checked against what the till showed,
paid by its tenders through the payments service, and journaled in the shift's till.

    draft_sale   the orders' draft of the sale, nothing written
    quote        what it costs now, with the offers taken and the member's balances
    sell         the draft checked (prices, tenders), members' balances debited, the order
                 placed and paid by the tenders at once (a carry-out completed), the
                 till's journal written before the stock rows are touched
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.inventory import service as inventory_service
from newretail.kernel.scope import Scope
from newretail.members import rules as member_rules
from newretail.members import service as members_service
from newretail.members.rules import PointsKind
from newretail.orders import service as orders_service
from newretail.orders.schemas import Checkout
from newretail.payments import errors as payment_errors
from newretail.payments import service as payments_service
from newretail.pos import credit, errors, rules
from newretail.pos.models import Shift, TillEntry
from newretail.pos.rules import TenderLine, TenderMethod
from newretail.pos.schemas import SaleDelivery, SaleLine, TenderCreate


@dataclass(frozen=True, slots=True)
class SaleRequest:
    """What a sale asks for, from a till's body or a settlement."""

    store_id: int
    member_id: int | None
    lines: Sequence[SaleLine]
    offer_keys: Sequence[str] | None
    discount: int
    delivery: SaleDelivery
    note: str = ""
    points: int | None = None  # at most this many of the member's points (None: the best)


def draft_sale(*, session: Session, scope: Scope, request: SaleRequest) -> orders_service.Draft:
    checkout = Checkout(
        delivery=request.delivery,
        member_id=request.member_id,
        discount=request.discount,
        note=request.note,
        offer_keys=list(request.offer_keys) if request.offer_keys is not None else None,
        points=request.points,
    )
    return orders_service.draft(
        session=session,
        scope=scope,
        store_id=request.store_id,
        channel="pos",
        lines=[(line.sku_id, line.quantity) for line in request.lines],
        attribution=orders_service.Attribution(),
        checkout=checkout,
        serving_guides=[line.guide_id for line in request.lines],
    )


def check_prices(draft: orders_service.Draft, lines: Sequence[SaleLine], total: int | None) -> None:
    """The till's prices and total are the server's: ``price_changed`` names the first gap."""
    for line, priced in zip(lines, draft.priced, strict=True):
        if line.unit_price is not None and line.unit_price != priced.unit_price:
            raise errors.PriceChanged(
                f"SKU {line.sku_id} sells at {priced.unit_price}, "
                f"the till showed {line.unit_price}."
            )
    if total is not None and total != draft.total:
        raise errors.PriceChanged(f"The total is {draft.total}, the till showed {total}.")


def tender_lines(tenders: Sequence[TenderCreate], total: int) -> list[TenderLine]:
    """The tenders with their change, covering the total exactly."""
    try:
        lines = [rules.tender_line(t.method, t.amount, t.tendered) for t in tenders]
    except rules.InvalidTender as exc:
        raise errors.InvalidTender(str(exc)) from exc
    gap = rules.shortfall(lines, total)
    if gap > 0:
        raise payment_errors.PaymentShort(f"The tenders leave {gap} of {total} unpaid.")
    if gap < 0:
        raise payment_errors.PaymentOver(f"The tenders pay {-gap} more than the total {total}.")
    return lines


def _provider(tender: TenderCreate) -> tuple[str, str | None]:
    """Which provider charges a tender: a payment code through the provider named, else the
    wallet the code belongs to where the store takes it (the sandbox otherwise); everything
    the till holds itself (cash, a standalone card terminal's approval, balances) through
    the counter."""
    if tender.method is TenderMethod.PAYMENT_CODE:
        return tender.provider or payments_service.BY_CODE, tender.code
    if tender.provider is not None:
        return tender.provider, tender.code or tender.reference
    return payments_service.COUNTER, tender.reference


def debit_balances(
    *,
    session: Session,
    scope: Scope,
    brand_id: int,
    member_id: int | None,
    lines: Sequence[TenderLine],
    reference: str,
) -> None:
    """Points and store credit tenders taken from the member, once per reference: each
    balance once, for what all its tenders pay (two store credit tenders of 20 yuan take 40
    yuan of credit; points are counted on the sum, at the brand's rate)."""
    owed = {method: sum(t.amount for t in lines if t.method is method) for method in TenderMethod}
    points, credit_owed = owed[TenderMethod.POINTS], owed[TenderMethod.STORE_CREDIT]
    if not points and not credit_owed:  # a tender's amount is at least a fen
        return
    if member_id is None:
        raise errors.MemberRequired()
    if points:
        programme = members_service.programme_of(session=session, brand_id=brand_id)
        rate = programme.redeem_points_per_yuan
        if rate <= 0:
            raise errors.PointsNotAccepted()
        member = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
        members_service.post_entry(
            session=session,
            member=member,
            kind=PointsKind.SPEND,
            delta=-member_rules.points_for(points, rate),
            now=utcnow(),
            actor=scope,
            reason=f"pos {reference}"[:200],
            reference=f"pos:{reference}",
            programme=programme,
        )
    if credit_owed:
        credit.post(
            session=session,
            scope=scope,
            brand_id=brand_id,
            member_id=member_id,
            delta=-credit_owed,
            reference=f"pos:{reference}",
            reason="spent at the till",
        )


def charges(
    tenders: Sequence[TenderCreate], lines: Sequence[TenderLine], reference: str
) -> list[payments_service.Tender]:
    """What the payments service charges for each tender. A payment code's trade number is
    derived from the sale's client id (``reference``), the tender's place and the code, so
    a sale sent again reaches the same trade at the provider, and a fresh code (the cashier
    trying again after a refusal) a new one."""
    made = []
    for place, (tender, line) in enumerate(zip(tenders, lines, strict=True)):
        provider, instruction = _provider(tender)
        made.append(
            payments_service.Tender(
                tender.method.value,
                line.amount,
                provider,
                instruction,
                trade_no(reference, place, instruction),
            )
        )
    return made


def trade_no(reference: str, place: int, code: str | None) -> str:
    """A provider's out_trade_no (32 characters at most) for one tender of one sale."""
    seed = f"{reference}|{place}|{code or ''}".encode()
    return f"pos{hashlib.sha256(seed).hexdigest()[:29]}"


@dataclass(frozen=True, slots=True)
class Sold:
    order: orders_service.OrderView
    tenders: tuple[tuple[TenderLine, int], ...]  # each tender with its payment id


def sell(
    *,
    session: Session,
    scope: Scope,
    shift: Shift,
    draft: orders_service.Draft,
    tenders: Sequence[TenderCreate],
    lines: Sequence[TenderLine],
    reference: str,
    sale_id: int | None,
) -> Sold:
    """The order placed and paid by ``tenders`` at once; the till's journal written."""
    debit_balances(
        session=session,
        scope=scope,
        brand_id=draft.sale.brand.id,
        member_id=draft.sale.buyer.member_id,
        lines=lines,
        reference=reference,
    )
    paid: list[tuple[TenderLine, int]] = []

    def journal(order: orders_service.OrderView, charged: list[payments_service.Charged]) -> None:
        for line, item in zip(lines, charged, strict=True):
            paid.append((line, item.payment_id))
        write_journal(session, shift, order.id, sale_id, paid, kind="sale")

    _, order = payments_service.purchase_with(
        session=session,
        scope=scope,
        draft=draft,
        tenders=charges(tenders, lines, reference),
        before_stock=journal,
    )
    return Sold(order, tuple(paid))


_INSERT_ENTRY = insert(TillEntry)


def write_journal(
    session: Session,
    shift: Shift,
    order_id: int,
    sale_id: int | None,
    tenders: Sequence[tuple[TenderLine, int | None]],
    *,
    kind: str,
    refund_id: int | None = None,
) -> None:
    """One journal row per tender, one statement."""
    rows = [
        {
            "brand_id": shift.brand_id,
            "shift_id": shift.id,
            "kind": kind,
            "method": line.method.value,
            "amount": line.amount,
            "tendered": line.tendered,
            "change": line.change,
            "order_id": order_id,
            "sale_id": sale_id,
            "payment_id": payment_id,
            "refund_id": refund_id,
        }
        for line, payment_id in tenders
    ]
    if rows:
        session.connection().execute(_INSERT_ENTRY, rows)


def available_here(
    *, session: Session, draft: orders_service.Draft, sku_ids: Sequence[int]
) -> dict[int, int]:
    store_id = draft.sale.store.id
    units = inventory_service.available(
        session=session, brand_id=draft.sale.brand.id, sku_ids=sku_ids, location_ids=[store_id]
    )
    return {sku: units[(store_id, sku)] for sku in sku_ids}
