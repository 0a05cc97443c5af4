from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from newretail.kernel.http import ApiRoute, IdempotencyKey, ScopeDep, SessionDep, idempotent
from newretail.orders.schemas import OrderRead
from newretail.paylater import service
from newretail.paylater.rules import ChargeStatus
from newretail.paylater.schemas import (
    CreditRead,
    DeferredCreate,
    DeferredRead,
    DeferredResult,
    EarlyPayment,
    PolicyRead,
    PolicyUpdate,
)

router = APIRouter(prefix="/payments/deferred", tags=["pay later"], route_class=ApiRoute)


@router.post("", response_model=DeferredResult, status_code=status.HTTP_201_CREATED)
def take_on_credit(
    data: DeferredCreate, session: SessionDep, scope: ScopeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Pay an order's down payment now and the rest at the due date (409 credit_insufficient)."""

    def work() -> tuple[int, DeferredResult]:
        charge, order = service.take_on_credit(session=session, scope=scope, data=data)
        return 201, DeferredResult(
            charge=DeferredRead.model_validate(charge), order=OrderRead.model_validate(order)
        )

    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation="POST /payments/deferred",
        payload=data.model_dump(mode="json"),
        work=work,
    )


@router.get("", response_model=list[DeferredRead])
def list_charges(
    session: SessionDep, scope: ScopeDep, status: ChargeStatus | None = None
) -> list[DeferredRead]:
    """A consumer's own deferred charges; staff those of the stores they see, by due date."""
    items = service.list_charges(session=session, scope=scope, status=status)
    return [DeferredRead.model_validate(c) for c in items]


@router.get("/dunning", response_model=list[DeferredRead])
def dunning(session: SessionDep, scope: ScopeDep) -> list[DeferredRead]:
    """Charges whose automatic retries all failed, for follow-up."""
    return [DeferredRead.model_validate(c) for c in service.dunning(session=session, scope=scope)]


@router.get("/policy", response_model=PolicyRead)
def get_policy(
    session: SessionDep,
    scope: ScopeDep,
    brand_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
) -> PolicyRead:
    brand = scope.target_brand(brand_id)
    return PolicyRead.model_validate(service.policy(session=session, brand_id=brand))


@router.put("/policy", response_model=PolicyRead)
def set_policy(data: PolicyUpdate, session: SessionDep, scope: ScopeDep) -> PolicyRead:
    """The brand's credit threshold, down payment and term."""
    return PolicyRead.model_validate(service.set_policy(session=session, scope=scope, data=data))


@router.get("/credit/{member_id}", response_model=CreditRead)
def credit(member_id: int, session: SessionDep, scope: ScopeDep) -> CreditRead:
    score, threshold = service.credit_of(session=session, scope=scope, member_id=member_id)
    return CreditRead(
        member_id=member_id, score=score, threshold=threshold, qualifies=score >= threshold
    )


@router.get("/{charge_id}", response_model=DeferredRead)
def get_charge(charge_id: int, session: SessionDep, scope: ScopeDep) -> DeferredRead:
    return DeferredRead.model_validate(
        service.get_charge(session=session, scope=scope, charge_id=charge_id)
    )


@router.post("/{charge_id}/pay", response_model=DeferredRead)
def pay_early(
    charge_id: int, data: EarlyPayment, session: SessionDep, scope: ScopeDep
) -> DeferredRead:
    """Settle the balance before its due date (or after the retries failed)."""
    charge = service.pay_early(
        session=session, scope=scope, charge_id=charge_id, instruction=data.instruction
    )
    return DeferredRead.model_validate(charge)
