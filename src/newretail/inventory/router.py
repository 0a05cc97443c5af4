from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from newretail.inventory import service
from newretail.inventory.rules import Line, MovementKind
from newretail.inventory.schemas import (
    LevelRead,
    MovementCreate,
    MovementRead,
    MovementResult,
    ReservationCreate,
    ReservationRead,
    SyncBatch,
    SyncResult,
    TransferCreate,
    TransferRead,
)
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page

router = APIRouter(prefix="/inventory", tags=["inventory"], route_class=ApiRoute)


@router.get("/levels", response_model=Page[LevelRead])
def list_levels(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    location_id: int | None = None,
    sku_id: int | None = None,
    below: Annotated[
        int | None, Query(ge=1, description="Only levels with fewer units available.")
    ] = None,
) -> Page[LevelRead]:
    items, next_cursor = service.list_levels(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        location_id=location_id,
        sku_id=sku_id,
        below=below,
    )
    return Page(items=[LevelRead.model_validate(i) for i in items], next_cursor=next_cursor)


@router.get("/movements", response_model=Page[MovementRead])
def list_movements(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    location_id: int | None = None,
    sku_id: int | None = None,
    kind: MovementKind | None = None,
) -> Page[MovementRead]:
    """The journal: every change of on_hand, oldest first."""
    items, next_cursor = service.list_movements(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        location_id=location_id,
        sku_id=sku_id,
        kind=kind,
    )
    return Page(items=[MovementRead.model_validate(i) for i in items], next_cursor=next_cursor)


@router.post("/movements", response_model=MovementResult, status_code=status.HTTP_201_CREATED)
def record_movements(
    data: Annotated[MovementCreate, Body()], session: SessionDep, scope: ScopeDep
) -> MovementResult:
    """A receipt, return, adjustment or count at one location: every line or none."""
    outcome = service.record_movements(session=session, scope=scope, data=data)
    return MovementResult(
        movements=[MovementRead.model_validate(m) for m in outcome.movements],
        levels=[LevelRead.model_validate(level) for level in outcome.levels],
        warnings=outcome.warnings,
    )


@router.post("/transfers", response_model=TransferRead, status_code=status.HTTP_201_CREATED)
def create_transfer(data: TransferCreate, session: SessionDep, scope: ScopeDep) -> TransferRead:
    return TransferRead.model_validate(service.transfer(session=session, scope=scope, data=data))


@router.post(
    "/reservations",
    response_model=ReservationRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "A retry: the reservation first made for this reference."}},
)
def create_reservation(
    data: ReservationCreate, session: SessionDep, scope: ScopeDep, response: Response
) -> ReservationRead:
    """Hold stock for every line or none (409 insufficient_stock)."""
    reservation, created = service.reserve(
        session=session,
        scope=scope,
        purpose=data.purpose,
        reference_id=data.reference_id,
        lines=[Line(line.location_id, line.sku_id, line.quantity) for line in data.lines],
        ttl_seconds=data.ttl_seconds,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return ReservationRead.model_validate(reservation)


@router.get("/reservations/{reservation_id}", response_model=ReservationRead)
def get_reservation(reservation_id: int, session: SessionDep, scope: ScopeDep) -> ReservationRead:
    reservation = service.get_reservation(
        session=session, scope=scope, reservation_id=reservation_id
    )
    return ReservationRead.model_validate(reservation)


@router.post("/reservations/{reservation_id}/commit", response_model=ReservationRead)
def commit_reservation(
    reservation_id: int, session: SessionDep, scope: ScopeDep
) -> ReservationRead:
    """The sale: the held units leave on_hand. A second commit is 409 reservation_not_active."""
    reservation = service.commit_reservation(
        session=session, scope=scope, reservation_id=reservation_id
    )
    return ReservationRead.model_validate(reservation)


@router.post("/reservations/{reservation_id}/release", response_model=ReservationRead)
def release_reservation(
    reservation_id: int, session: SessionDep, scope: ScopeDep
) -> ReservationRead:
    reservation = service.release_reservation(
        session=session, scope=scope, reservation_id=reservation_id
    )
    return ReservationRead.model_validate(reservation)


@router.post("/sync", response_model=SyncResult)
def sync_levels(data: SyncBatch, session: SessionDep, scope: ScopeDep) -> SyncResult:
    """Absolute levels from the ERP; an item whose seq is not newer is skipped and reported."""
    return service.sync_levels(session=session, scope=scope, items=data.items)
