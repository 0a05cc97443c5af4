"""The till's HTTP API under /api/v1/pos (the contract: docs/pos.md)."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from newretail.db import Database
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep, get_database
from newretail.kernel.schemas import Page
from newretail.kernel.scope import Scope
from newretail.orders.schemas import FulfilmentRead, OrderRead
from newretail.pos import service
from newretail.pos.models import Register, Shift
from newretail.pos.receipt_schemas import Receipt
from newretail.pos.schemas import (
    BalanceSale,
    ConflictDetail,
    ConflictSettle,
    DepositSale,
    GuideList,
    MemberCard,
    MemberSignUp,
    MethodLineRead,
    PickupHandover,
    ProductHits,
    QuoteCreate,
    QuoteRead,
    RefundedTender,
    RegisterCreate,
    RegisterRead,
    SaleCreate,
    SaleRead,
    ShiftClose,
    ShiftOpen,
    ShiftRead,
    ShiftReopen,
    ShiftReport,
    SignUpRead,
    StoreCreditCreate,
    StoreCreditRead,
    SyncBatch,
    SyncRead,
    TillReturnCreate,
)
from newretail.returns.schemas import ReturnRead

router = APIRouter(prefix="/pos", tags=["pos"], route_class=ApiRoute)
StoreId = Annotated[int, Query(ge=1, le=2**53)]
OptionalId = Annotated[int | None, Query(ge=1, le=2**53)]
DatabaseDep = Annotated[Database, Depends(get_database)]


def _write(session: Session, work: Callable[[], tuple[int, BaseModel]]) -> JSONResponse:
    """Do the work and end the transaction in this thread (rows and SQLite's writer lock let
    go at once), answering with its status and body."""
    try:
        code, body = work()
        payload = body.model_dump(mode="json")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return JSONResponse(payload, status_code=code)


def _registers(session: Session, items: list[Register]) -> list[RegisterRead]:
    open_ids = service.open_shifts_of(session=session, register_ids=[r.id for r in items])
    return [
        RegisterRead.model_validate(r).model_copy(update={"open_shift_id": open_ids.get(r.id)})
        for r in items
    ]


# ---- registers ------------------------------------------------------------------------


@router.post("/registers", response_model=RegisterRead, status_code=status.HTTP_201_CREATED)
def create_register(data: RegisterCreate, session: SessionDep, scope: ScopeDep) -> RegisterRead:
    """A till for a store (managers)."""
    register = service.create_register(session=session, scope=scope, data=data)
    return _registers(session, [register])[0]


@router.get("/registers", response_model=Page[RegisterRead])
def list_registers(
    session: SessionDep,
    scope: ScopeDep,
    store_id: OptionalId = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[RegisterRead]:
    items, next_cursor = service.list_registers(
        session=session, scope=scope, store_id=store_id, cursor=cursor, limit=limit
    )
    return Page(items=_registers(session, items), next_cursor=next_cursor)


@router.get("/registers/{register_id}", response_model=RegisterRead)
def get_register(register_id: int, session: SessionDep, scope: ScopeDep) -> RegisterRead:
    register = service.get_register(session=session, scope=scope, register_id=register_id)
    return _registers(session, [register])[0]


# ---- shifts ---------------------------------------------------------------------------


@router.post("/shifts", response_model=ShiftRead, status_code=status.HTTP_201_CREATED)
def open_shift(data: ShiftOpen, session: SessionDep, scope: ScopeDep) -> Shift:
    """Open a shift on a register with the float in the drawer (one open shift a register)."""
    return service.open_shift(
        session=session,
        scope=scope,
        register_id=data.register_id,
        opening_float=data.opening_float,
    )


@router.get("/shifts", response_model=Page[ShiftRead])
def list_shifts(
    session: SessionDep,
    scope: ScopeDep,
    register_id: OptionalId = None,
    store_id: OptionalId = None,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ShiftRead]:
    items, next_cursor = service.list_shifts(
        session=session,
        scope=scope,
        register_id=register_id,
        store_id=store_id,
        status=status,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[ShiftRead.model_validate(i) for i in items], next_cursor=next_cursor)


@router.get("/shifts/{shift_id}", response_model=ShiftRead)
def get_shift(shift_id: int, session: SessionDep, scope: ScopeDep) -> Shift:
    return service.get_shift(session=session, scope=scope, shift_id=shift_id)


def _report(session: Session, scope: Scope, shift_id: int) -> ShiftReport:
    shift, lines, (count, total, refunds) = service.report(
        session=session, scope=scope, shift_id=shift_id
    )
    return ShiftReport(
        shift=ShiftRead.model_validate(shift),
        currency=shift.currency,
        sales_count=count,
        sales_total=total,
        refunds_total=refunds,
        change_given=sum(line.change for line in lines),
        methods=[MethodLineRead(**_line(line)) for line in lines],
        balanced=all(line.difference in (None, 0) for line in lines),
    )


def _line(line: Any) -> dict[str, Any]:
    names = ("method", "taken", "change", "refunded", "expected", "counted", "difference")
    return {name: getattr(line, name) for name in names}


@router.post("/shifts/{shift_id}/close", response_model=ShiftReport)
def close_shift(
    shift_id: int, data: ShiftClose, session: SessionDep, scope: ScopeDep
) -> ShiftReport:
    """Close with the counted amounts: 409 unsynced_sales while the till holds sales,
    409 shift_already_closed the second time. Answers with the shift's report."""
    service.close_shift(session=session, scope=scope, shift_id=shift_id, data=data)
    return _report(session, scope, shift_id)


@router.get("/shifts/{shift_id}/report", response_model=ShiftReport)
def shift_report(shift_id: int, session: SessionDep, scope: ScopeDep) -> ShiftReport:
    """Expected against counted per payment method, and the differences."""
    return _report(session, scope, shift_id)


@router.post("/shifts/{shift_id}/reopen", response_model=ShiftRead)
def reopen_shift(shift_id: int, data: ShiftReopen, session: SessionDep, scope: ScopeDep) -> Shift:
    """A manager reopens a closed shift; the reason is audited."""
    return service.reopen_shift(session=session, scope=scope, shift_id=shift_id, reason=data.reason)


# ---- lookups --------------------------------------------------------------------------


@router.get("/products", response_model=ProductHits)
def products(
    session: SessionDep,
    scope: ScopeDep,
    store_id: StoreId,
    barcode: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ProductHits:
    """By exact barcode (404 unknown_barcode) or search text, at this store's pos price."""
    items = service.products(
        session=session, scope=scope, store_id=store_id, barcode=barcode, q=q, limit=limit
    )
    return ProductHits(items=items)


@router.get("/members", response_model=MemberCard)
def find_member(
    session: SessionDep,
    scope: ScopeDep,
    store_id: StoreId,
    phone: Annotated[str | None, Query(min_length=3, max_length=32)] = None,
    code: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
) -> MemberCard:
    """A member by phone or by the member number their QR code carries."""
    return service.find_member(
        session=session, scope=scope, store_id=store_id, phone=phone, code=code
    )


@router.post("/members", response_model=SignUpRead, status_code=status.HTTP_201_CREATED)
def sign_up(data: MemberSignUp, session: SessionDep, scope: ScopeDep) -> SignUpRead:
    """Join at the counter, bound to the store and guide by the brand's binding policy."""
    return service.sign_up(session=session, scope=scope, data=data)


@router.post("/members/{member_id}/store-credit", response_model=StoreCreditRead)
def issue_store_credit(
    member_id: int, data: StoreCreditCreate, session: SessionDep, scope: ScopeDep
) -> StoreCreditRead:
    """A manager gives (or takes back) a member's store credit; audited."""
    balance = service.issue_store_credit(
        session=session, scope=scope, member_id=member_id, amount=data.amount, reason=data.reason
    )
    return StoreCreditRead(member_id=member_id, balance=balance)


@router.get("/guides", response_model=GuideList)
def guides(session: SessionDep, scope: ScopeDep, store_id: StoreId) -> GuideList:
    return GuideList(items=service.guides(session=session, scope=scope, store_id=store_id))


# ---- selling --------------------------------------------------------------------------


@router.post("/quote", response_model=QuoteRead)
def quote(data: QuoteCreate, session: SessionDep, scope: ScopeDep) -> QuoteRead:
    """What the sale costs now (promotions, the member's best coupons); nothing written."""
    return service.quote(session=session, scope=scope, data=data)


@router.post(
    "/orders",
    response_model=SaleRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": SaleRead, "description": "A replay: the first answer."}},
)
def place_sale(data: SaleCreate, session: SessionDep, scope: ScopeDep) -> JSONResponse:
    """One sale, taken once by its client id (a replay answers 200 with the first result)."""

    def work() -> tuple[int, BaseModel]:
        placed = service.place_sale(session=session, scope=scope, data=data)
        return (200 if placed.replayed else 201), placed.read

    return _write(session, work)


@router.get("/orders/{client_id}", response_model=SaleRead)
def sale_by_client_id(
    client_id: Annotated[str, Path(min_length=1, max_length=36)],
    session: SessionDep,
    scope: ScopeDep,
) -> SaleRead:
    return service.sale_by_client_id(session=session, scope=scope, client_id=str(client_id))


@router.post("/sync", response_model=SyncRead)
def sync(data: SyncBatch, session: SessionDep, database: DatabaseDep, scope: ScopeDep) -> SyncRead:
    """A till's queued sales: each taken once, placed or kept as a conflict."""
    session.commit()  # the caller is known: each sale runs in a transaction of its own
    return service.sync(database=database, scope=scope, data=data)


# ---- conflicts ------------------------------------------------------------------------


@router.get("/conflicts", response_model=Page[ConflictDetail])
def list_conflicts(
    session: SessionDep,
    scope: ScopeDep,
    store_id: OptionalId = None,
    status: Annotated[str | None, Query(pattern="^(open|settled)$")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ConflictDetail]:
    items, next_cursor = service.list_conflicts(
        session=session, scope=scope, store_id=store_id, status=status, cursor=cursor, limit=limit
    )
    details = service.conflict_details(session=session, conflicts=items)
    return Page(items=details, next_cursor=next_cursor)


@router.get("/conflicts/{conflict_id}", response_model=ConflictDetail)
def get_conflict(conflict_id: int, session: SessionDep, scope: ScopeDep) -> ConflictDetail:
    found = service.get_conflict(session=session, scope=scope, conflict_id=conflict_id)
    return service.conflict_details(session=session, conflicts=[found])[0]


@router.post("/conflicts/{conflict_id}/settle", response_model=ConflictDetail)
def settle(
    conflict_id: int, data: ConflictSettle, session: SessionDep, scope: ScopeDep
) -> ConflictDetail:
    """A manager settles a conflict: retry, honour or void (audited)."""
    settled = service.settle(
        session=session,
        scope=scope,
        conflict_id=conflict_id,
        resolution=data.resolution,
        note=data.note,
    )
    return service.conflict_details(session=session, conflicts=[settled])[0]


# ---- receipts and beyond the counter --------------------------------------------------


@router.get("/sales/{sale_id}/receipt", response_model=Receipt)
def receipt(sale_id: int, session: SessionDep, scope: ScopeDep) -> Receipt:
    """What the 80 mm receipt prints, with the join-membership link for its QR code."""
    return service.receipt(session=session, scope=scope, sale_id=sale_id)


@router.post("/pickups/handover", response_model=FulfilmentRead)
def hand_over(data: PickupHandover, session: SessionDep, scope: ScopeDep) -> FulfilmentRead:
    """The pickup waiting at this shift's store with the code (another store's: 422)."""
    fulfilment = service.hand_over(
        session=session, scope=scope, shift_id=data.shift_id, pickup_code=data.pickup_code
    )
    return FulfilmentRead.model_validate(fulfilment)


@router.get("/orders-to-return", response_model=OrderRead)
def order_to_return(
    session: SessionDep,
    scope: ScopeDep,
    number: Annotated[str, Query(min_length=1, max_length=32)],
) -> OrderRead:
    """An order of any channel of the brand, by its number, to take back here."""
    order = service.order_to_return(session=session, scope=scope, number=number)
    return OrderRead.model_validate(order)


class TillReturnRead(ReturnRead):
    tenders: list[RefundedTender]


@router.post("/returns", response_model=TillReturnRead, status_code=status.HTTP_201_CREATED)
def take_return(data: TillReturnCreate, session: SessionDep, scope: ScopeDep) -> JSONResponse:
    """An order of any channel comes back at this store, received at once."""

    def work() -> tuple[int, BaseModel]:
        record, tenders = service.take_return(session=session, scope=scope, data=data)
        read = ReturnRead.model_validate(record)
        return 201, TillReturnRead(**read.model_dump(), tenders=tenders)

    return _write(session, work)


@router.post("/presales/deposits", response_model=SaleRead, status_code=status.HTTP_201_CREATED)
def take_deposit(data: DepositSale, session: SessionDep, scope: ScopeDep) -> JSONResponse:
    """A pre-sale deposit for a member, channel pos, paid at once by the tenders."""

    def work() -> tuple[int, BaseModel]:
        placed = service.take_deposit(session=session, scope=scope, data=data)
        return (200 if placed.replayed else 201), placed.read

    return _write(session, work)


@router.post(
    "/presales/deposits/{deposit_id}/balance",
    response_model=SaleRead,
    status_code=status.HTTP_201_CREATED,
)
def take_balance(
    deposit_id: int, data: BalanceSale, session: SessionDep, scope: ScopeDep
) -> JSONResponse:
    """The balance of a paid deposit, channel pos, paid at once by the tenders."""

    def work() -> tuple[int, BaseModel]:
        placed = service.take_balance(
            session=session, scope=scope, deposit_id=deposit_id, data=data
        )
        return (200 if placed.replayed else 201), placed.read

    return _write(session, work)
