from fastapi import APIRouter, status

from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page
from newretail.payments.merchants import service
from newretail.payments.merchants.rules import ProviderName
from newretail.payments.merchants.schemas import (
    MerchantAccountCreate,
    MerchantAccountRead,
    MerchantAccountUpdate,
)

router = APIRouter(tags=["payments"], route_class=ApiRoute)


@router.post(
    "/payments/merchant-accounts",
    response_model=MerchantAccountRead,
    status_code=status.HTTP_201_CREATED,
)
def create_merchant_account(
    data: MerchantAccountCreate, session: SessionDep, scope: ScopeDep
) -> MerchantAccountRead:
    """A provider account that receives payments: the brand's, a store's or a franchisee's.

    Keys are named by reference (`setting:NAME`, `file:PATH`), read on the server from the
    brand's own namespace; they are never sent or stored here.
    """
    account = service.create_account(session=session, scope=scope, data=data)
    return MerchantAccountRead.model_validate(account)


@router.get("/payments/merchant-accounts", response_model=Page[MerchantAccountRead])
def list_merchant_accounts(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    provider: ProviderName | None = None,
) -> Page[MerchantAccountRead]:
    items, next_cursor = service.list_accounts(
        session=session, scope=scope, provider=provider, cursor=cursor, limit=limit
    )
    return Page(
        items=[MerchantAccountRead.model_validate(a) for a in items], next_cursor=next_cursor
    )


@router.get("/payments/merchant-accounts/{merchant_account_id}", response_model=MerchantAccountRead)
def get_merchant_account(
    merchant_account_id: int, session: SessionDep, scope: ScopeDep
) -> MerchantAccountRead:
    account = service.get_account(session=session, scope=scope, account_id=merchant_account_id)
    return MerchantAccountRead.model_validate(account)


@router.patch(
    "/payments/merchant-accounts/{merchant_account_id}", response_model=MerchantAccountRead
)
def update_merchant_account(
    merchant_account_id: int, data: MerchantAccountUpdate, session: SessionDep, scope: ScopeDep
) -> MerchantAccountRead:
    """Change an account; `active: false` stops it receiving and lets go of its stores
    (its past payments keep naming it, and their refunds still go through it)."""
    account = service.update_account(
        session=session, scope=scope, account_id=merchant_account_id, data=data
    )
    return MerchantAccountRead.model_validate(account)
