from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status
from fastapi.responses import JSONResponse

from newretail.kernel.http import (
    ApiRoute,
    IdempotencyKey,
    ScopeDep,
    SessionDep,
    idempotent,
    idempotent_sale,
)
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderRead
from newretail.payments import service
from newretail.payments.rules import PaymentStatus
from newretail.payments.schemas import (
    NotificationResult,
    PaymentCreate,
    PaymentRead,
    PaymentResult,
    PurchaseCreate,
    RefundCreate,
    RefundRead,
    VoucherBoughtBack,
)

router = APIRouter(tags=["payments"], route_class=ApiRoute)


@router.post(
    "/orders/{order_id}/pay",
    response_model=PaymentResult,
    status_code=status.HTTP_201_CREATED,
    responses={
        202: {"model": PaymentResult, "description": "Pending: the provider confirms later."}
    },
)
def pay(
    order_id: int,
    data: PaymentCreate,
    session: SessionDep,
    scope: ScopeDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Charge the order's total: succeeded or declined (201), or pending (202).

    Paying a paid order is 409 order_already_paid, a cancelled one 409 order_not_payable;
    neither charges anything.
    """

    def work() -> tuple[int, PaymentResult]:
        payment, order = service.pay(session=session, scope=scope, order_id=order_id, data=data)
        result = PaymentResult(
            payment=PaymentRead.model_validate(payment), order=OrderRead.model_validate(order)
        )
        return (202 if payment.status == PaymentStatus.PENDING else 201), result

    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation=f"POST /orders/{order_id}/pay",
        payload=data.model_dump(mode="json"),
        work=work,
    )


@router.post(
    "/purchases",
    response_model=PaymentResult,
    status_code=status.HTTP_201_CREATED,
    responses={
        202: {"model": PaymentResult, "description": "Pending: the provider confirms later."}
    },
)
async def purchase(
    request: Request,
    data: PurchaseCreate,
    session: SessionDep,
    scope: ScopeDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Check out and pay in one request: the order is paid and allocated at once, its units
    taken straight from the shelf (201). A declined charge (201) or a pending one (202)
    leaves the order open with its units held, to be paid at ``/orders/{id}/pay``;
    ``insufficient_stock`` (409) charges nothing, or gives the charge back at once."""

    def work() -> tuple[int, PaymentResult]:
        payment, order = service.purchase(
            session=session, scope=scope, data=data, payment=data.payment
        )
        result = PaymentResult(
            payment=PaymentRead.model_validate(payment), order=OrderRead.model_validate(order)
        )
        return (202 if payment.status == PaymentStatus.PENDING else 201), result

    return await idempotent_sale(
        request=request,
        refuse=lambda: orders_service.refuse_sold_out(session=session, scope=scope, data=data),
        session=session,
        scope=scope,
        key=key,
        operation="POST /purchases",
        payload=data.model_dump(mode="json"),
        work=work,
    )


@router.get("/orders/{order_id}/payments", response_model=list[PaymentRead])
def list_payments(order_id: int, session: SessionDep, scope: ScopeDep) -> list[PaymentRead]:
    items = service.list_payments(session=session, scope=scope, order_id=order_id)
    return [PaymentRead.model_validate(i) for i in items]


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.post("/payments/notify/{provider}", response_model=NotificationResult)
def notify(
    provider: Annotated[str, Path(pattern="^[a-z][a-z0-9_]{0,31}$")],
    request: Request,
    body: Annotated[bytes, Depends(raw_body)],
    session: SessionDep,
) -> NotificationResult:
    """A provider's asynchronous word on a pending payment, HMAC-signed (401 if not)."""
    payment = service.notify(
        session=session, provider_name=provider, headers=dict(request.headers), body=body
    )
    return NotificationResult(payment_id=payment.id, status=payment.status)


@router.post(
    "/orders/{order_id}/refunds", response_model=RefundRead, status_code=status.HTTP_201_CREATED
)
def create_refund(
    order_id: int,
    data: RefundCreate,
    session: SessionDep,
    scope: ScopeDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Give back an amount or units of lines; more than was paid is 409 refund_exceeds_paid."""
    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation=f"POST /orders/{order_id}/refunds",
        payload=data.model_dump(mode="json"),
        work=lambda: (
            201,
            RefundRead.model_validate(
                service.refund(session=session, scope=scope, order_id=order_id, data=data)
            ),
        ),
    )


@router.get("/orders/{order_id}/refunds", response_model=list[RefundRead])
def list_refunds(order_id: int, session: SessionDep, scope: ScopeDep) -> list[RefundRead]:
    items = service.list_refunds(session=session, scope=scope, order_id=order_id)
    return [RefundRead.model_validate(i) for i in items]


@router.post("/coupons/{coupon_id}/buy-back", response_model=VoucherBoughtBack)
def buy_back_voucher(coupon_id: int, session: SessionDep, scope: ScopeDep) -> VoucherBoughtBack:
    """A member's unused paid voucher bought back: voided, its price refunded through the
    provider that charged it. Asking again answers the same and refunds nothing; a used
    voucher, or one held by an order, is refused (409 ``voucher_used``)."""
    coupon = service.buy_back_voucher(session=session, scope=scope, coupon_id=coupon_id)
    return VoucherBoughtBack(
        coupon_id=coupon.id,
        status=coupon.status,
        refunded=coupon.price_paid or 0,
        refund_ref=coupon.refund_ref,
    )
