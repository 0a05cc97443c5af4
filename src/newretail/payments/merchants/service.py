"""Use cases of merchant accounts: configured by a brand admin, resolved for every payment.

secrets.py  the keys an account names, read from the settings or files of its brand
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, case, exists, select
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.catalog import service as catalog_service
from newretail.db import utcnow
from newretail.kernel import stamps
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.org import errors as org_errors
from newretail.org import service as org_service
from newretail.org.models import Brand, Store
from newretail.payments.merchants import errors, rules
from newretail.payments.merchants.models import MerchantAccount, MerchantAccountStore
from newretail.payments.merchants.rules import OwnerType, ProviderName
from newretail.payments.merchants.schemas import MerchantAccountCreate, MerchantAccountUpdate


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """What a provider needs to act for one account: its ids and its key references."""

    id: int
    brand_id: int
    brand_code: str
    provider: str
    merchant_id: str
    app_id: str
    key_serial: str
    platform_key_id: str
    private_key_ref: str
    platform_key_ref: str
    api_key_ref: str
    updated_at: Any


def _account_query(scope: Scope) -> Select[MerchantAccount]:
    query = select(MerchantAccount)
    if not scope.is_platform:
        query = query.where(MerchantAccount.brand_id == scope.brand_id)
    return query


def _audit(
    session: Session, scope: Scope, account: MerchantAccount, action: str, **details: Any
) -> None:
    audit_service.write(
        session=session,
        scope=scope,
        action=action,
        target_type="merchant_account",
        target_id=account.id,
        brand_id=account.brand_id,
        details=details,
    )


def _check(account: MerchantAccount) -> None:
    try:
        rules.check_owner(
            OwnerType(account.owner_type),
            owner_store_id=account.owner_store_id,
            brand_default=account.brand_default,
        )
    except ValueError as exc:
        raise errors.InvalidMerchantAccount(str(exc)) from exc
    values = {
        field: getattr(account, field)
        for field in rules.REQUIRED_FIELDS[ProviderName(account.provider)]
    }
    missing = rules.missing_fields(ProviderName(account.provider), values)
    if missing and account.active:
        raise errors.InvalidMerchantAccount(f"{account.provider} needs {', '.join(missing)}.")


def _check_default(session: Session, account: MerchantAccount) -> None:
    if not (account.brand_default and account.active):
        return
    other = exists().where(
        MerchantAccount.brand_id == account.brand_id,
        MerchantAccount.provider == account.provider,
        MerchantAccount.brand_default.is_(True),
        MerchantAccount.active.is_(True),
        MerchantAccount.id != account.id,
    )
    if session.scalar(select(other)):
        raise errors.BrandDefaultExists()


def _set_stores(session: Session, account: MerchantAccount, store_ids: list[int]) -> None:
    """Link the account to ``store_ids`` (a store's own account always to its store)."""
    wanted = set(store_ids) | ({account.owner_store_id} if account.owner_store_id else set())
    if not account.active:
        wanted = set()
    if wanted:
        found = set(
            session.scalars(
                select(Store.id).where(Store.brand_id == account.brand_id, Store.id.in_(wanted))
            )
        )
        if found != wanted:
            raise org_errors.StoreNotFound()
    taken = session.scalars(
        select(MerchantAccountStore.store_id).where(
            MerchantAccountStore.provider == account.provider,
            MerchantAccountStore.store_id.in_(wanted),
            MerchantAccountStore.merchant_account_id != account.id,
        )
    ).all()
    if taken:
        raise errors.StoreHasMerchantAccount(
            f"Stores {sorted(taken)} already receive {account.provider} payments elsewhere."
        )
    account.stores = [link for link in account.stores if link.store_id in wanted]
    kept = {link.store_id for link in account.stores}
    for store_id in sorted(wanted - kept):
        account.stores.append(
            MerchantAccountStore(
                brand_id=account.brand_id, store_id=store_id, provider=account.provider
            )
        )


def create_account(
    *, session: Session, scope: Scope, data: MerchantAccountCreate
) -> MerchantAccount:
    """A new merchant account of the caller's brand, with the stores it receives for."""
    scope.require(Role.BRAND_ADMIN)
    brand_id = scope.target_brand(data.brand_id)
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    taken = exists().where(MerchantAccount.brand_id == brand_id, MerchantAccount.code == data.code)
    if session.scalar(select(taken)):
        raise errors.MerchantAccountCodeTaken()
    fields = data.model_dump(exclude={"brand_id", "store_ids"})
    account = MerchantAccount(brand_id=brand_id, **fields, active=True, stores=[])
    _check(account)
    if account.owner_store_id is not None:
        org_service.get_store(session=session, scope=scope, store_id=account.owner_store_id)
    _check_default(session, account)
    session.add(account)
    session.flush()
    _set_stores(session, account, data.store_ids)
    session.flush()
    _audit(session, scope, account, "merchant_account.created", provider=account.provider)
    return account


def get_account(*, session: Session, scope: Scope, account_id: int) -> MerchantAccount:
    account = session.scalar(_account_query(scope).where(MerchantAccount.id == account_id))
    if account is None:
        raise errors.MerchantAccountNotFound()
    scope.require(Role.BRAND_ADMIN)
    return account


def list_accounts(
    *, session: Session, scope: Scope, provider: str | None, cursor: str | None, limit: int
) -> tuple[list[MerchantAccount], str | None]:
    scope.require(Role.BRAND_ADMIN)
    query = _account_query(scope)
    if provider is not None:
        query = query.where(MerchantAccount.provider == provider)
    return paginate(
        session=session, query=query, id_column=MerchantAccount.id, cursor=cursor, limit=limit
    )


def update_account(
    *, session: Session, scope: Scope, account_id: int, data: MerchantAccountUpdate
) -> MerchantAccount:
    """Change what the account says; ``active=false`` stops it and lets go of its stores."""
    account = get_account(session=session, scope=scope, account_id=account_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    store_ids = changes.pop("store_ids", None)
    changed = sorted(f for f, value in changes.items() if getattr(account, f) != value)
    for field in changed:
        setattr(account, field, changes[field])
    _check(account)
    _check_default(session, account)
    if store_ids is not None or "active" in changed:
        current = [s for s in account.store_ids if s != account.owner_store_id]
        _set_stores(session, account, current if store_ids is None else store_ids)
        changed.append("store_ids")
    account.updated_at = utcnow()
    session.flush()
    _audit(session, scope, account, "merchant_account.updated", changed=changed)
    return account


def resolve(*, session: Session, brand_id: int, store_id: int, provider: str) -> int | None:
    """The active account that receives ``provider``'s payments for the store: the one
    listing the store, else the brand's default; None if neither exists.

    Answers are kept per process under the brand's version stamp (``kernel/stamps.py``),
    which every change to the brand's accounts or their stores moves in its own
    transaction: a sale that has opened reads no more than its stamp, which it has read
    already; one statement otherwise."""
    version = catalog_service.sale_catalog.stamp(session=session, brand_id=brand_id)
    params = {"brand": brand_id, "store": store_id, "provider": provider}
    return _resolved.get(
        session,
        (brand_id, store_id, provider),
        version,
        lambda: session.connection().execute(_RESOLVE, params).scalar(),
    )


_link = MerchantAccountStore
_RESOLVE = (
    select(MerchantAccount.id)
    .outerjoin(
        _link,
        (_link.merchant_account_id == MerchantAccount.id) & (_link.store_id == bindparam("store")),
    )
    .where(
        MerchantAccount.brand_id == bindparam("brand"),
        MerchantAccount.provider == bindparam("provider"),
        MerchantAccount.active.is_(True),
        _link.id.is_not(None) | MerchantAccount.brand_default.is_(True),
    )
    .order_by(case((_link.id.is_(None), 1), else_=0))
    .limit(1)
)


# Each database's resolved receivers: (brand, store, provider) -> account, by stamp.
_resolved: stamps.Copies[tuple[int, int, str], int | None] = stamps.Copies()
stamps.moved_by(MerchantAccount, MerchantAccountStore)


def account_config(*, session: Session, account_id: int) -> AccountConfig:
    """The ids and key references a provider acts with for the account (any state: refunds
    of an account that stopped receiving still go through it)."""
    row = session.execute(
        select(MerchantAccount, Brand.code)
        .join(Brand, Brand.id == MerchantAccount.brand_id)
        .where(MerchantAccount.id == account_id)
    ).first()
    if row is None:
        raise errors.MerchantAccountNotFound()
    account, brand_code = row
    return AccountConfig(
        id=account.id,
        brand_id=account.brand_id,
        brand_code=brand_code,
        provider=account.provider,
        merchant_id=account.merchant_id,
        app_id=account.app_id,
        key_serial=account.key_serial,
        platform_key_id=account.platform_key_id,
        private_key_ref=account.private_key_ref,
        platform_key_ref=account.platform_key_ref,
        api_key_ref=account.api_key_ref,
        updated_at=account.updated_at,
    )
