"""Beyond the sale at the counter: pickups handed over, returns and exchanges of orders from
any channel, pre-sale deposits and balances paid at the till.

Each goes through its own domain's service (orders' hand-over, returns, pre-sales) at the
shift's store; what the till's drawer gives or takes is journaled in the shift.

    hand_over        the pickup waiting at this shift's store with the code (a code of
                     another store's pickup is refused by the orders service)
    take_return      received at once at this store: stock back, money back to the order's
                     tenders in proportion; what goes back to a tender a till took (cash
                     from this drawer) is journaled as a refund of this shift
    take_deposit     a deposit order (channel pos) for a member, paid by the tenders
    take_balance     the balance order of a paid deposit (channel pos), paid by the tenders
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.kernel.scope import Scope
from newretail.orders import service as orders_service
from newretail.orders.models import Fulfilment, Order
from newretail.payments import service as payments_service
from newretail.pos import errors, rules, sales, selling, shifts
from newretail.pos.models import Shift, TillEntry
from newretail.pos.rules import ShiftStatus, TenderLine, TenderMethod
from newretail.pos.schemas import (
    BalanceSale,
    DepositSale,
    RefundedTender,
    SaleRead,
    TenderCreate,
    TenderRead,
    TillReturnCreate,
)
from newretail.presales import service as presales_service
from newretail.presales.schemas import DepositCreate
from newretail.returns import service as returns_service
from newretail.returns.models import OrderReturn
from newretail.returns.schemas import ReturnCreate

METHODS = frozenset(m.value for m in TenderMethod)


def _open_shift(session: Session, scope: Scope, shift_id: int) -> Shift:
    shift = shifts.get_shift(session=session, scope=scope, shift_id=shift_id)
    if shift.status != ShiftStatus.OPEN.value:
        raise errors.ShiftNotOpen()
    return shift


def hand_over(*, session: Session, scope: Scope, shift_id: int, pickup_code: str) -> Fulfilment:
    shift = _open_shift(session, scope, shift_id)
    return orders_service.hand_over(
        session=session, scope=scope, store_id=shift.store_id, pickup_code=pickup_code
    )


def take_return(
    *, session: Session, scope: Scope, data: TillReturnCreate
) -> tuple[OrderReturn, list[RefundedTender]]:
    shift = _open_shift(session, scope, data.shift_id)
    record = returns_service.create_return(
        session=session,
        scope=scope,
        data=ReturnCreate.model_validate(
            {
                **data.model_dump(exclude={"shift_id"}),
                "receiving_location_id": shift.store_id,
                "received": True,
            }
        ),
    )
    if record.refund_id is None:
        return record, []
    refund = next(
        r
        for r in payments_service.list_refunds(
            session=session, scope=scope, order_id=record.order_id
        )
        if r.id == record.refund_id
    )
    taken_here = set(
        session.scalars(
            select(TillEntry.payment_id).where(
                TillEntry.payment_id.in_([t.payment_id for t in refund.tenders]),
                TillEntry.kind == "sale",
            )
        )
    )
    journaled = [
        (TenderLine(TenderMethod(t.method), t.amount), t.payment_id)
        for t in refund.tenders
        if t.payment_id in taken_here and t.method in METHODS
    ]
    selling.write_journal(
        session, shift, record.order_id, None, journaled, kind="refund", refund_id=refund.id
    )
    return record, [RefundedTender(method=t.method, amount=t.amount) for t in refund.tenders]


def order_to_return(*, session: Session, scope: Scope, number: str) -> Order:
    """An order of any channel of the brand, by its number, to take back at the till."""
    return returns_service.order_by_number(session=session, scope=scope, number=number)


def _pay(
    session: Session,
    scope: Scope,
    shift: Shift,
    order: Order,
    tenders: Sequence[TenderCreate],
    client_id: str,
    sale_id: int,
    deposit_id: int,
) -> SaleRead:
    """An open order of the till (a deposit or a balance) paid by the tenders, journaled."""
    order_id, total, member_id = order.id, order.total, order.member_id
    lines = selling.tender_lines(tenders, total)
    selling.debit_balances(
        session=session,
        scope=scope,
        brand_id=shift.brand_id,
        member_id=member_id,
        lines=lines,
        reference=client_id,
    )
    charged, paid = payments_service.pay_with(
        session=session,
        scope=scope,
        order_id=order_id,
        tenders=selling.charges(tenders, lines, client_id),
    )
    pairs = [(line, item.payment_id) for line, item in zip(lines, charged, strict=True)]
    selling.write_journal(session, shift, order_id, sale_id, pairs, kind="sale")
    return _paid_read(client_id, sale_id, deposit_id, paid, pairs)


def _paid_read(
    client_id: str,
    sale_id: int,
    deposit_id: int,
    paid: orders_service.OrderView,
    pairs: Sequence[tuple[TenderLine, int]],
) -> SaleRead:
    return SaleRead(
        client_id=client_id,
        status=rules.SaleStatus.PLACED.value,
        sale_id=sale_id,
        order_id=paid.id,
        order_number=paid.number,
        order_status=paid.status,
        total=paid.total,
        change=rules.change_due(line for line, _ in pairs),
        tenders=[
            TenderRead(
                method=line.method.value,
                amount=line.amount,
                tendered=line.tendered,
                change=line.change,
                payment_id=payment_id,
            )
            for line, payment_id in pairs
        ],
        conflict=None,
        receipt_url=f"/api/v1/pos/sales/{sale_id}/receipt",
        deposit_id=deposit_id,
    )


def take_deposit(*, session: Session, scope: Scope, data: DepositSale) -> sales.Placed:
    shift = shifts.get_shift(session=session, scope=scope, shift_id=data.shift_id)

    def work(sale_id: int) -> SaleRead:
        deposit, order = presales_service.place_deposit(
            session=session,
            scope=scope,
            presale_id=data.presale_id,
            data=DepositCreate(
                store_id=shift.store_id,
                sku_id=data.sku_id,
                quantity=data.quantity,
                referring_guide_id=data.guide_id,
            ),
            member_id=data.member_id,
        )
        client_id = str(data.client_id)
        return _pay(session, scope, shift, order, data.tenders, client_id, sale_id, deposit.id)

    return sales.once(
        session=session,
        scope=scope,
        client_id=str(data.client_id),
        body=data.model_dump(mode="json"),
        kind="deposit",
        shift=shift,
        work=work,
    )


def take_balance(
    *, session: Session, scope: Scope, deposit_id: int, data: BalanceSale
) -> sales.Placed:
    shift = shifts.get_shift(session=session, scope=scope, shift_id=data.shift_id)

    def work(sale_id: int) -> SaleRead:
        deposit, order = presales_service.order_balance(
            session=session, scope=scope, deposit_id=deposit_id, channel="pos"
        )
        client_id = str(data.client_id)
        return _pay(session, scope, shift, order, data.tenders, client_id, sale_id, deposit.id)

    return sales.once(
        session=session,
        scope=scope,
        client_id=str(data.client_id),
        body={**data.model_dump(mode="json"), "deposit_id": deposit_id},
        kind="balance",
        shift=shift,
        work=work,
    )
