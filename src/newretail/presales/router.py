from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from newretail.kernel.http import ApiRoute, IdempotencyKey, ScopeDep, SessionDep, idempotent
from newretail.kernel.scope import Scope
from newretail.orders.schemas import OrderRead
from newretail.presales import service
from newretail.presales.models import PresaleCampaign, PresaleDeposit
from newretail.presales.rules import delivery_methods
from newretail.presales.schemas import (
    Board,
    DepositCreate,
    DepositRead,
    DepositResult,
    PresaleCreate,
    PresaleDelivery,
    PresaleRead,
)

router = APIRouter(prefix="/presales", tags=["presales"], route_class=ApiRoute)


def _deposit(deposit: PresaleDeposit, scope: Scope) -> DepositRead:
    read = DepositRead.model_validate(deposit)
    return read.model_copy(update={"address": service.address_seen_by(scope, deposit)})


def _read(campaign: PresaleCampaign) -> PresaleRead:
    return PresaleRead.model_validate(
        {
            **{c: getattr(campaign, c) for c in PresaleRead.model_fields if c != "store_ids"},
            "store_ids": [s.store_id for s in campaign.stores],
            "delivery_methods": [m.value for m in delivery_methods(campaign.delivery_methods)],
            "items": campaign.items,
        }
    )


@router.post("", response_model=PresaleRead, status_code=status.HTTP_201_CREATED)
def create_presale(data: PresaleCreate, session: SessionDep, scope: ScopeDep) -> PresaleRead:
    """A pre-sale of the brand: deposit window, SKUs with deposits, stores, balance day."""
    return _read(service.create_presale(session=session, scope=scope, data=data))


@router.get("", response_model=list[PresaleRead])
def list_presales(
    session: SessionDep,
    scope: ScopeDep,
    brand_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
) -> list[PresaleRead]:
    items = service.list_presales(session=session, scope=scope, brand_id=brand_id)
    return [_read(c) for c in items]


@router.get("/deposits", response_model=list[DepositRead])
def list_deposits(
    session: SessionDep,
    scope: ScopeDep,
    presale_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
) -> list[DepositRead]:
    """A consumer's own deposits; staff those of the stores they see."""
    items = service.list_deposits(session=session, scope=scope, presale_id=presale_id)
    return [_deposit(d, scope) for d in items]


@router.get("/deposits/{deposit_id}", response_model=DepositRead)
def get_deposit(deposit_id: int, session: SessionDep, scope: ScopeDep) -> DepositRead:
    return _deposit(service.get_deposit(session=session, scope=scope, deposit_id=deposit_id), scope)


@router.put("/deposits/{deposit_id}/delivery", response_model=DepositRead)
def change_delivery(
    deposit_id: int, data: PresaleDelivery, session: SessionDep, scope: ScopeDep
) -> DepositRead:
    """The buyer's delivery choice, until the balance is paid (409 ``delivery_locked`` after).

    A method the pre-sale does not offer is 422 ``delivery_not_offered``; a same-city
    address beyond the store's reach is 422 ``out_of_delivery_range``. An unpaid balance
    order follows the change.
    """
    deposit = service.change_delivery(
        session=session, scope=scope, deposit_id=deposit_id, data=data
    )
    return _deposit(deposit, scope)


@router.post(
    "/deposits/{deposit_id}/balance",
    response_model=DepositResult,
    status_code=status.HTTP_201_CREATED,
)
def order_balance(
    deposit_id: int, session: SessionDep, scope: ScopeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """The balance order, on the event day in the store's timezone only (409 otherwise).

    Pay it with ``POST /orders/{order_id}/pay``; its discount is what the deposit counts for.
    """

    def work() -> tuple[int, DepositResult]:
        deposit, order = service.order_balance(session=session, scope=scope, deposit_id=deposit_id)
        return 201, DepositResult(
            deposit=_deposit(deposit, scope), order=OrderRead.model_validate(order)
        )

    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation=f"POST /presales/deposits/{deposit_id}/balance",
        payload={},
        work=work,
    )


@router.get("/{presale_id}", response_model=PresaleRead)
def get_presale(presale_id: int, session: SessionDep, scope: ScopeDep) -> PresaleRead:
    return _read(service.get_presale(session=session, scope=scope, presale_id=presale_id))


@router.post(
    "/{presale_id}/deposits", response_model=DepositResult, status_code=status.HTTP_201_CREATED
)
def place_deposit(
    presale_id: int,
    data: DepositCreate,
    session: SessionDep,
    scope: ScopeDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A deposit order for units at a store, inside the deposit window; the units are held.

    Pay it with ``POST /orders/{order_id}/pay``.
    """

    def work() -> tuple[int, DepositResult]:
        deposit, order = service.place_deposit(
            session=session, scope=scope, presale_id=presale_id, data=data
        )
        return 201, DepositResult(
            deposit=_deposit(deposit, scope), order=OrderRead.model_validate(order)
        )

    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation=f"POST /presales/{presale_id}/deposits",
        payload=data.model_dump(mode="json"),
        work=work,
    )


@router.get("/{presale_id}/deposits", response_model=Board)
def deposit_board(presale_id: int, session: SessionDep, scope: ScopeDep) -> Board:
    """Paid deposits grouped by store and SKU, so HQ can stock ahead of the event."""
    return service.board(session=session, scope=scope, presale_id=presale_id)
