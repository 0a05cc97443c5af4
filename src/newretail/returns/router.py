from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from newretail.kernel.http import (
    ApiRoute,
    Cursor,
    IdempotencyKey,
    Limit,
    ScopeDep,
    SessionDep,
    idempotent,
)
from newretail.kernel.schemas import Page
from newretail.returns import service as returns
from newretail.returns.schemas import (
    ReturnCreate,
    ReturnPolicyRead,
    ReturnPolicyUpdate,
    ReturnRead,
)

router = APIRouter(tags=["returns"], route_class=ApiRoute)


@router.post("/returns", response_model=ReturnRead, status_code=status.HTTP_201_CREATED)
def create_return(
    data: ReturnCreate, session: SessionDep, scope: ScopeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Units of an order from any channel coming back to any store or warehouse of its brand.

    Outside the brand's window 409 return_window_closed; more units than are left
    409 return_quantity_exceeded; an exchange at another price 409 exchange_price_differs.
    """
    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation="POST /returns",
        payload=data.model_dump(mode="json"),
        work=lambda: (
            201,
            ReturnRead.model_validate(
                returns.create_return(session=session, scope=scope, data=data)
            ),
        ),
    )


@router.get("/returns", response_model=Page[ReturnRead])
def list_returns(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    order_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    location_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    status: Annotated[str | None, Query(pattern="^(requested|received|cancelled)$")] = None,
) -> Page[ReturnRead]:
    items, next_cursor = returns.list_returns(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        order_id=order_id,
        location_id=location_id,
        status=status,
    )
    return Page(items=[ReturnRead.model_validate(i) for i in items], next_cursor=next_cursor)


@router.get("/returns/{return_id}", response_model=ReturnRead)
def get_return(return_id: int, session: SessionDep, scope: ScopeDep) -> ReturnRead:
    return ReturnRead.model_validate(
        returns.get_return(session=session, scope=scope, return_id=return_id)
    )


@router.post("/returns/{return_id}/receive", response_model=ReturnRead)
def receive_return(return_id: int, session: SessionDep, scope: ScopeDep) -> ReturnRead:
    """The receiving location has the goods: back on its shelf, then refunded or swapped."""
    return ReturnRead.model_validate(
        returns.receive(session=session, scope=scope, return_id=return_id)
    )


@router.post("/returns/{return_id}/cancel", response_model=ReturnRead)
def cancel_return(return_id: int, session: SessionDep, scope: ScopeDep) -> ReturnRead:
    return ReturnRead.model_validate(
        returns.cancel(session=session, scope=scope, return_id=return_id)
    )


@router.get("/return-policy", response_model=ReturnPolicyRead)
def read_return_policy(
    session: SessionDep,
    scope: ScopeDep,
    brand_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
) -> ReturnPolicyRead:
    return returns.get_policy(session=session, scope=scope, brand_id=brand_id)


@router.put("/return-policy", response_model=ReturnPolicyRead)
def update_return_policy(
    data: ReturnPolicyUpdate, session: SessionDep, scope: ScopeDep
) -> ReturnPolicyRead:
    """Brand admins: how many days after purchase goods come back (default 30)."""
    return returns.put_policy(session=session, scope=scope, data=data)
