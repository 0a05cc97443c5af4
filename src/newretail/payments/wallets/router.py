from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse

from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.http import (
    ApiRoute,
    IdempotencyKey,
    ScopeDep,
    SessionDep,
    get_database,
    idempotent,
)
from newretail.orders.schemas import OrderRead
from newretail.payments import service as payments_service
from newretail.payments.router import raw_body
from newretail.payments.rules import PaymentStatus
from newretail.payments.schemas import NotificationResult, PaymentRead
from newretail.payments.wallets import service
from newretail.payments.wallets.schemas import (
    CodePaymentCreate,
    CodePaymentResult,
    PrepayCreate,
    PrepayResult,
)

router = APIRouter(tags=["payments"], route_class=ApiRoute)
DatabaseDep = Annotated[Database, Depends(get_database)]
PENDING: dict[int | str, dict[str, Any]] = {
    202: {"description": "Pending: the result is not known yet."}
}


@router.post(
    "/orders/{order_id}/pay/code",
    response_model=CodePaymentResult,
    status_code=status.HTTP_201_CREATED,
    responses=PENDING,
)
def pay_by_code(
    order_id: int,
    data: CodePaymentCreate,
    database: DatabaseDep,
    scope: ScopeDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Charge the consumer's payment code (付款码) scanned at the till (cashiers).

    Succeeded, declined or reversed: 201. A result the provider does not give in time is
    queried, then the charge reversed; if even the reversal goes unanswered the payment stays
    pending (202) and is settled later. The attempt is recorded before the code is charged.
    A retry with the same Idempotency-Key answers the attempt's state without charging again.
    """
    payment, order = service.pay_with_code(
        database=database, scope=scope, order_id=order_id, data=data, key=key
    )
    result = CodePaymentResult(
        payment=PaymentRead.model_validate(payment), order=OrderRead.model_validate(order)
    )
    code = 202 if payment.status == PaymentStatus.PENDING else 201
    return JSONResponse(result.model_dump(mode="json"), status_code=code)


@router.post(
    "/orders/{order_id}/pay/prepay",
    response_model=PrepayResult,
    status_code=status.HTTP_202_ACCEPTED,
)
def prepay(
    order_id: int,
    data: PrepayCreate,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Prepare the order's payment for the cloud store page (202: pending until the
    provider's signed notification). `pay` holds what the page hands the wallet."""
    settings: Settings = request.app.state.settings
    base_url = settings.public_base_url or str(request.base_url)

    def work() -> tuple[int, PrepayResult]:
        payment, order, pay = service.start_prepay(
            session=session, scope=scope, order_id=order_id, data=data, base_url=base_url
        )
        result = PrepayResult(
            payment=PaymentRead.model_validate(payment),
            order=OrderRead.model_validate(order),
            pay=pay,
        )
        return 202, result

    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation=f"POST /orders/{order_id}/pay/prepay",
        payload=data.model_dump(mode="json"),
        work=work,
    )


@router.post("/payments/notify/{provider}/{merchant_account_id}", response_model=None)
def notify_account(
    provider: Annotated[str, Path(pattern="^[a-z][a-z0-9_]{0,31}$")],
    merchant_account_id: int,
    request: Request,
    body: Annotated[bytes, Depends(raw_body)],
    session: SessionDep,
) -> Response:
    """A wallet provider's signed notification for a payment one merchant account receives
    (401 if its signature does not verify). Alipay is answered `success`, as it asks."""
    payment = payments_service.notify(
        session=session,
        provider_name=provider,
        headers=dict(request.headers),
        body=body,
        merchant_account_id=merchant_account_id,
    )
    if provider == "alipay":
        return PlainTextResponse("success")
    result = NotificationResult(payment_id=payment.id, status=payment.status)
    return JSONResponse(result.model_dump(mode="json"))
