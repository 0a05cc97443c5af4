from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from newretail.kernel.http import (
    ApiRoute,
    Cursor,
    IdempotencyKey,
    Limit,
    ScopeDep,
    SessionDep,
    idempotent,
    idempotent_sale,
)
from newretail.kernel.schemas import Page
from newretail.orders import service
from newretail.orders.models import Cart
from newretail.orders.rules import OrderStatus
from newretail.orders.schemas import (
    CartCreate,
    CartLinesUpdate,
    CartRead,
    Checkout,
    FulfilmentRead,
    HandoverRequest,
    OrderCreate,
    OrderRead,
    PricedLineRead,
    ShipRequest,
)

router = APIRouter(tags=["orders"], route_class=ApiRoute)


def _cart_read(session: Session, cart: Cart) -> CartRead:
    priced = service.priced(session=session, cart=cart)
    return CartRead(
        id=cart.id,
        brand_id=cart.brand_id,
        store_id=cart.store_id,
        channel=cart.channel,
        status=cart.status,
        order_id=cart.order_id,
        attribution=cart.attribution,
        currency=priced.currency,
        lines=[PricedLineRead.model_validate(line, from_attributes=True) for line in priced.lines],
        subtotal=priced.subtotal,
    )


@router.post("/carts", response_model=CartRead, status_code=status.HTTP_201_CREATED)
def create_cart(
    data: CartCreate, session: SessionDep, scope: ScopeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """A cart in one store and channel, priced by that store's offers."""
    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation="POST /carts",
        payload=data.model_dump(mode="json"),
        work=lambda: (
            201,
            _cart_read(session, service.create_cart(session=session, scope=scope, data=data)),
        ),
    )


@router.get("/carts/{cart_id}", response_model=CartRead)
def get_cart(cart_id: int, session: SessionDep, scope: ScopeDep) -> CartRead:
    return _cart_read(session, service.get_cart(session=session, scope=scope, cart_id=cart_id))


@router.put("/carts/{cart_id}/lines", response_model=CartRead)
def replace_cart_lines(
    cart_id: int, data: CartLinesUpdate, session: SessionDep, scope: ScopeDep
) -> CartRead:
    cart = service.replace_lines(session=session, scope=scope, cart_id=cart_id, data=data)
    return _cart_read(session, cart)


@router.post(
    "/carts/{cart_id}/checkout", response_model=OrderRead, status_code=status.HTTP_201_CREATED
)
def check_out(
    cart_id: int, data: Checkout, session: SessionDep, scope: ScopeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """The cart becomes an order: priced again, routed, its stock held until paid."""
    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation=f"POST /carts/{cart_id}/checkout",
        payload=data.model_dump(mode="json"),
        work=lambda: (
            201,
            OrderRead.model_validate(
                service.check_out(session=session, scope=scope, cart_id=cart_id, data=data)
            ),
        ),
    )


@router.post("/orders", response_model=OrderRead, status_code=status.HTTP_201_CREATED)
async def create_order(
    request: Request,
    data: OrderCreate,
    session: SessionDep,
    scope: ScopeDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Lines and checkout in one request (409 insufficient_stock holds nothing)."""
    return await idempotent_sale(
        request=request,
        refuse=lambda: service.refuse_sold_out(session=session, scope=scope, data=data),
        session=session,
        scope=scope,
        key=key,
        operation="POST /orders",
        payload=data.model_dump(mode="json"),
        work=lambda: (
            201,
            OrderRead.model_validate(service.create_order(session=session, scope=scope, data=data)),
        ),
    )


@router.get("/orders", response_model=Page[OrderRead])
def list_orders(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    store_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    status: OrderStatus | None = None,
    member_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
) -> Page[OrderRead]:
    items, next_cursor = service.list_orders(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        store_id=store_id,
        status=status.value if status else None,
        member_id=member_id,
    )
    return Page(items=[OrderRead.model_validate(i) for i in items], next_cursor=next_cursor)


@router.get("/orders/{order_id}", response_model=OrderRead)
def get_order(order_id: int, session: SessionDep, scope: ScopeDep) -> OrderRead:
    return OrderRead.model_validate(
        service.get_order(session=session, scope=scope, order_id=order_id)
    )


@router.post("/orders/{order_id}/cancel", response_model=OrderRead)
def cancel_order(order_id: int, session: SessionDep, scope: ScopeDep) -> OrderRead:
    """Cancel an unpaid order; its held stock goes back. A paid one is refunded instead."""
    return OrderRead.model_validate(service.cancel(session=session, scope=scope, order_id=order_id))


@router.get("/orders/{order_id}/fulfilments", response_model=list[FulfilmentRead])
def list_fulfilments(order_id: int, session: SessionDep, scope: ScopeDep) -> list[FulfilmentRead]:
    """Where each part of the order comes from, and why it was routed there."""
    items = service.list_fulfilments(session=session, scope=scope, order_id=order_id)
    return [FulfilmentRead.model_validate(i) for i in items]


@router.post("/orders/{order_id}/fulfilments/{fulfilment_id}/ready", response_model=FulfilmentRead)
def mark_ready(
    order_id: int, fulfilment_id: int, session: SessionDep, scope: ScopeDep
) -> FulfilmentRead:
    """A pickup waits at the counter: it gets its pickup code and the buyer is told."""
    fulfilment = service.mark_ready(
        session=session, scope=scope, order_id=order_id, fulfilment_id=fulfilment_id
    )
    return FulfilmentRead.model_validate(fulfilment)


@router.post("/orders/{order_id}/fulfilments/{fulfilment_id}/ship", response_model=FulfilmentRead)
def ship(
    order_id: int, fulfilment_id: int, data: ShipRequest, session: SessionDep, scope: ScopeDep
) -> FulfilmentRead:
    fulfilment = service.ship(
        session=session,
        scope=scope,
        order_id=order_id,
        fulfilment_id=fulfilment_id,
        tracking_no=data.tracking_no,
    )
    return FulfilmentRead.model_validate(fulfilment)


@router.post(
    "/orders/{order_id}/fulfilments/{fulfilment_id}/deliver", response_model=FulfilmentRead
)
def deliver(
    order_id: int, fulfilment_id: int, session: SessionDep, scope: ScopeDep
) -> FulfilmentRead:
    fulfilment = service.deliver(
        session=session, scope=scope, order_id=order_id, fulfilment_id=fulfilment_id
    )
    return FulfilmentRead.model_validate(fulfilment)


@router.post("/pickups/handover", response_model=FulfilmentRead)
def hand_over(data: HandoverRequest, session: SessionDep, scope: ScopeDep) -> FulfilmentRead:
    """At a store's counter: the pickup waiting there with this code is handed over."""
    fulfilment = service.hand_over(
        session=session, scope=scope, store_id=data.store_id, pickup_code=data.pickup_code
    )
    return FulfilmentRead.model_validate(fulfilment)
