"""What HQ and store managers set for the cloud stores: policy, activities, featured SKUs.

settings    brand admins; read by any manager of the brand
activities  brand admins for every store (store_id null), managers for their stores
featured    brand admins for the brand's list, managers for a store's own list

Each change writes an event (``cloudstore.*``), which is how every process's cached home
pages learn of it.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.catalog import service as catalog_service
from newretail.cloudstore import errors, rules
from newretail.cloudstore.models import CloudStoreSettings, FeaturedSku, StoreActivity
from newretail.cloudstore.schemas import (
    ActivityCreate,
    ActivityUpdate,
    CloudStoreSettingsWrite,
)
from newretail.kernel import visibility
from newretail.kernel.errors import NotFound
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.outbox import service as outbox_service

MANAGERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)


def _changed(session: Session, brand_id: int, type: str, resource: str, resource_id: int) -> None:
    outbox_service.record(
        session=session,
        brand_id=brand_id,
        type=f"cloudstore.{type}",
        resource_type=resource,
        resource_id=resource_id,
        payload={},
    )


# ---- settings -------------------------------------------------------------------------


def policy_for(*, session: Session, brand_id: int) -> rules.Policy:
    """The brand's selling policy; the defaults when it never set one."""
    row = session.get(CloudStoreSettings, brand_id)
    if row is None:
        return rules.Policy()
    return rules.Policy(
        rules.StoreSourcing(row.store_sourcing), row.nearby_radius_km, row.warehouse_sourcing
    )


def get_settings(*, session: Session, scope: Scope, brand_id: int) -> rules.Policy:
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    scope.require(*MANAGERS)
    return policy_for(session=session, brand_id=brand_id)


def put_settings(
    *, session: Session, scope: Scope, brand_id: int, data: CloudStoreSettingsWrite
) -> rules.Policy:
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    scope.require(Role.BRAND_ADMIN)
    row = session.get(CloudStoreSettings, brand_id)
    if row is None:
        row = CloudStoreSettings(brand_id=brand_id)
        session.add(row)
    row.store_sourcing = data.store_sourcing.value
    row.nearby_radius_km = data.nearby_radius_km
    row.warehouse_sourcing = data.warehouse_sourcing
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="cloudstore.settings_updated",
        target_type="brand",
        target_id=brand_id,
        brand_id=brand_id,
        details=data.model_dump(mode="json"),
    )
    _changed(session, brand_id, "settings_updated", "brand", brand_id)
    return policy_for(session=session, brand_id=brand_id)


# ---- activities -----------------------------------------------------------------------


# A brand-wide activity (no store) is seen by all the brand's staff, a store's by its own.
ACTIVITIES = visibility.Ladder(
    brand=StoreActivity.brand_id,
    stores=(StoreActivity.store_id,),
    shared_if_null=(StoreActivity.store_id,),
)


def _activity_query(scope: Scope) -> Select[StoreActivity]:
    return visibility.restrict(select(StoreActivity), scope, ACTIVITIES)


def _require_editor(scope: Scope, store_id: int | None) -> None:
    """Brand-wide activities are HQ's; a store's are also its managers'."""
    scope.require(*(MANAGERS if store_id is not None else (Role.BRAND_ADMIN,)))


def get_activity(*, session: Session, scope: Scope, activity_id: int) -> StoreActivity:
    activity = session.scalar(_activity_query(scope).where(StoreActivity.id == activity_id))
    if activity is None or not org_service.live_brand(session=session, brand_id=activity.brand_id):
        raise errors.ActivityNotFound()
    return activity


def list_activities(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    store_id: int | None = None,
    current_at: datetime | None = None,
) -> tuple[list[StoreActivity], str | None]:
    """Activities the caller sees; ``store_id`` gives that store's and the brand-wide ones."""
    query = _activity_query(scope)
    if store_id is not None:
        store = org_service.get_store(session=session, scope=scope, store_id=store_id)
        query = query.where(
            StoreActivity.brand_id == store.brand_id,
            or_(StoreActivity.store_id.is_(None), StoreActivity.store_id == store.id),
        )
    if current_at is not None:
        query = query.where(
            StoreActivity.starts_at <= current_at, StoreActivity.ends_at > current_at
        )
    return paginate(
        session=session, query=query, id_column=StoreActivity.id, cursor=cursor, limit=limit
    )


def create_activity(*, session: Session, scope: Scope, data: ActivityCreate) -> StoreActivity:
    if data.store_id is not None:
        store = org_service.get_store(session=session, scope=scope, store_id=data.store_id)
        if data.brand_id is not None and data.brand_id != store.brand_id:
            raise NotFound("Store not found.")
        brand_id = store.brand_id
    else:
        brand_id = scope.target_brand(data.brand_id)
        org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    _require_editor(scope, data.store_id)
    activity = StoreActivity(
        brand_id=brand_id,
        created_by=scope.actor_id,
        **data.model_dump(exclude={"brand_id"}),
    )
    session.add(activity)
    session.flush()
    _changed(session, brand_id, "activity_created", "store_activity", activity.id)
    return activity


def update_activity(
    *, session: Session, scope: Scope, activity_id: int, data: ActivityUpdate
) -> StoreActivity:
    activity = get_activity(session=session, scope=scope, activity_id=activity_id)
    _require_editor(scope, activity.store_id)
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(activity, field, value)
    if activity.ends_at <= activity.starts_at:
        raise errors.InvalidActivityWindow()
    session.flush()
    _changed(session, activity.brand_id, "activity_updated", "store_activity", activity.id)
    return activity


def delete_activity(*, session: Session, scope: Scope, activity_id: int) -> None:
    activity = get_activity(session=session, scope=scope, activity_id=activity_id)
    _require_editor(scope, activity.store_id)
    _changed(session, activity.brand_id, "activity_deleted", "store_activity", activity.id)
    session.delete(activity)
    session.flush()


# ---- featured SKUs --------------------------------------------------------------------


def _owner(session: Session, scope: Scope, brand_id: int | None, store_id: int | None) -> int:
    """The brand of the list being read or written; 404 when the caller cannot see it."""
    if store_id is not None:
        return org_service.get_store(session=session, scope=scope, store_id=store_id).brand_id
    assert brand_id is not None
    return org_service.get_brand(session=session, scope=scope, brand_id=brand_id).id


def _featured_rows(session: Session, brand_id: int, store_id: int | None) -> list[int]:
    owner = FeaturedSku.store_id.is_(None) if store_id is None else FeaturedSku.store_id == store_id
    query = (
        select(FeaturedSku.sku_id)
        .where(FeaturedSku.brand_id == brand_id, owner)
        .order_by(FeaturedSku.position)
    )
    return list(session.scalars(query))


def get_featured(
    *, session: Session, scope: Scope, brand_id: int | None = None, store_id: int | None = None
) -> tuple[int, list[int]]:
    """(brand id, SKU ids) of the brand's list, or of one store's own list."""
    owner_brand = _owner(session, scope, brand_id, store_id)
    scope.require(*MANAGERS)
    return owner_brand, _featured_rows(session, owner_brand, store_id)


def set_featured(
    *,
    session: Session,
    scope: Scope,
    sku_ids: Sequence[int],
    brand_id: int | None = None,
    store_id: int | None = None,
) -> tuple[int, list[int]]:
    """Replace a list; an empty store list falls back to the brand's."""
    owner_brand = _owner(session, scope, brand_id, store_id)
    scope.require(*(MANAGERS if store_id is not None else (Role.BRAND_ADMIN,)))
    known = catalog_service.skus_by_id(session=session, brand_id=owner_brand, sku_ids=sku_ids)
    missing = [sku_id for sku_id in sku_ids if sku_id not in known]
    if missing:
        raise errors.SkuNotFound(f"SKU {missing[0]} not found.")
    owner = FeaturedSku.store_id.is_(None) if store_id is None else FeaturedSku.store_id == store_id
    session.execute(delete(FeaturedSku).where(FeaturedSku.brand_id == owner_brand, owner))
    session.add_all(
        FeaturedSku(brand_id=owner_brand, store_id=store_id, sku_id=sku_id, position=position)
        for position, sku_id in enumerate(sku_ids)
    )
    session.flush()
    owner_id, resource = (store_id, "store") if store_id is not None else (owner_brand, "brand")
    _changed(session, owner_brand, "featured_set", resource, owner_id)
    return owner_brand, list(sku_ids)
