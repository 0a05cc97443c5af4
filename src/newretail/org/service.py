"""Use cases of the organisation: brands, the region tree, districts and stores.

nearby.py  public stores by code, stores near a point, a brand's locations near a store
geo.py     geodesic distances (WGS84) and nearest-first ranking (pure)
"""

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.db import utcnow
from newretail.kernel import search, visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.org import errors, rules
from newretail.org.geo import geodesic_km as geodesic_km
from newretail.org.geo import nearest_first as nearest_first
from newretail.org.models import Brand, District, Region, Store
from newretail.org.nearby import Location as Location
from newretail.org.nearby import NearbyStore as NearbyStore
from newretail.org.nearby import PublicStore as PublicStore
from newretail.org.nearby import StockLookup as StockLookup
from newretail.org.nearby import nearby_stores as nearby_stores
from newretail.org.nearby import other_locations as other_locations
from newretail.org.nearby import public_store as public_store
from newretail.org.schemas import (
    BrandCreate,
    BrandUpdate,
    DistrictCreate,
    DistrictUpdate,
    RegionCreate,
    RegionUpdate,
    StoreCreate,
    StoreRead,
    StoreUpdate,
)
from newretail.outbox import service as outbox_service

# Who sees which rows of the organisation: every member of a brand's staff sees the brand,
# a region manager their subtree, store staff their stores and the regions those are in.
BRANDS = visibility.Ladder(brand=Brand.id, brand_staff_see_all=True)
REGIONS = visibility.Ladder(brand=Region.brand_id, regions=(Region.id,))
STORES = visibility.Ladder(brand=Store.brand_id, stores=(Store.id,))

# ---- brands ---------------------------------------------------------------------------


def live_brand(*, session: Session, brand_id: int) -> Brand | None:
    """The brand if it exists and is not deleted; used to refuse a deleted brand's tokens.

    Read once per session: the session keeps the brands it read (its identity map holds
    objects weakly, so one nobody else held would be read again at the next call)."""
    brand = session.get(Brand, brand_id)
    if brand is not None:
        session.info.setdefault(_BRANDS_READ, {})[brand_id] = brand
    return brand if brand is not None and brand.deleted_at is None else None


_BRANDS_READ = "newretail.org.brands_read"


def create_brand(*, session: Session, scope: Scope, data: BrandCreate) -> Brand:
    scope.require(Role.PLATFORM_ADMIN)
    if session.scalar(select(exists().where(Brand.code == data.code))):
        raise errors.BrandCodeTaken()
    brand = Brand(**data.model_dump())
    session.add(brand)
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="brand.created",
        target_type="brand",
        target_id=brand.id,
        brand_id=brand.id,
        details={"code": brand.code},
    )
    return brand


def get_brand(*, session: Session, scope: Scope, brand_id: int) -> Brand:
    brand = live_brand(session=session, brand_id=brand_id)
    if brand is None or not scope.sees_brand(brand.id):
        raise errors.BrandNotFound()
    return brand


def get_brand_by_code(*, session: Session, scope: Scope, code: str) -> Brand:
    brand = session.scalar(select(Brand).where(Brand.code == code, Brand.deleted_at.is_(None)))
    if brand is None or not scope.sees_brand(brand.id):
        raise errors.BrandNotFound()
    return brand


def list_brands(
    *, session: Session, scope: Scope, cursor: str | None, limit: int
) -> tuple[list[Brand], str | None]:
    query = visibility.restrict(select(Brand).where(Brand.deleted_at.is_(None)), scope, BRANDS)
    return paginate(session=session, query=query, id_column=Brand.id, cursor=cursor, limit=limit)


def update_brand(*, session: Session, scope: Scope, brand_id: int, data: BrandUpdate) -> Brand:
    brand = get_brand(session=session, scope=scope, brand_id=brand_id)
    scope.require(Role.BRAND_ADMIN)
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(brand, field, value)
    session.flush()
    return brand


def delete_brand(*, session: Session, scope: Scope, brand_id: int) -> None:
    """Soft-delete: the brand's data stays for the record, its tokens and keys stop working."""
    brand = get_brand(session=session, scope=scope, brand_id=brand_id)
    scope.require(Role.PLATFORM_ADMIN)
    brand.deleted_at = utcnow()
    audit_service.write(
        session=session,
        scope=scope,
        action="brand.deleted",
        target_type="brand",
        target_id=brand.id,
        brand_id=brand.id,
    )
    session.flush()


# ---- regions --------------------------------------------------------------------------


def _children_map(session: Session, brand_id: int) -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(select(Region.id, Region.parent_id).where(Region.brand_id == brand_id))
    for region_id, parent_id in rows:
        if parent_id is not None:
            children[parent_id].append(region_id)
    return children


def subtree_region_ids(*, session: Session, brand_id: int, root_ids: set[int]) -> set[int]:
    """Every region under (and including) ``root_ids`` in one brand."""
    return rules.subtree(root_ids, _children_map(session, brand_id))


def store_ids_in_regions(*, session: Session, brand_id: int, region_ids: set[int]) -> set[int]:
    if not region_ids:
        return set()
    rows = session.scalars(
        select(Store.id).where(Store.brand_id == brand_id, Store.region_id.in_(region_ids))
    )
    return set(rows)


def region_ids_of_stores(*, session: Session, store_ids: set[int]) -> set[int]:
    if not store_ids:
        return set()
    return set(session.scalars(select(Store.region_id).where(Store.id.in_(store_ids))))


def region_chain(*, session: Session, brand_id: int, region_id: int) -> list[int]:
    """``region_id`` and its ancestors, nearest first, up to the brand's root region."""
    rows = session.execute(select(Region.id, Region.parent_id).where(Region.brand_id == brand_id))
    parent_of = {node: parent for node, parent in rows}
    chain: list[int] = []
    node: int | None = region_id if region_id in parent_of else None
    while node is not None and node not in chain:
        chain.append(node)
        node = parent_of.get(node)
    return chain


def region_ids_by_code(*, session: Session, brand_id: int) -> dict[str, int]:
    """Every region of the brand, code to id (for bulk imports that name regions by code)."""
    rows = session.execute(select(Region.code, Region.id).where(Region.brand_id == brand_id))
    return {code: region_id for code, region_id in rows}


def store_ids_by_code(*, session: Session, brand_id: int) -> dict[str, int]:
    """Every store of the brand, code to id (for bulk imports that name stores by code)."""
    rows = session.execute(select(Store.code, Store.id).where(Store.brand_id == brand_id))
    return {code: store_id for code, store_id in rows}


def _region_query(scope: Scope) -> Select[Region]:
    query = select(Region).join(Brand, Brand.id == Region.brand_id)
    query = query.where(Brand.deleted_at.is_(None))
    return visibility.restrict(query, scope, REGIONS)


def get_region(*, session: Session, scope: Scope, region_id: int) -> Region:
    region = session.scalar(_region_query(scope).where(Region.id == region_id))
    if region is None:
        raise errors.RegionNotFound()
    return region


def list_regions(
    *, session: Session, scope: Scope, brand_id: int | None, cursor: str | None, limit: int
) -> tuple[list[Region], str | None]:
    query = _region_query(scope)
    if brand_id is not None:
        query = query.where(Region.brand_id == brand_id)
    return paginate(session=session, query=query, id_column=Region.id, cursor=cursor, limit=limit)


def _check_parent(session: Session, scope: Scope, brand_id: int, parent_id: int | None) -> None:
    if parent_id is None:
        if not scope.is_brand_wide:
            raise errors.RootRegionRequired()
        return
    parent = get_region(session=session, scope=scope, region_id=parent_id)
    if parent.brand_id != brand_id:
        raise errors.RegionNotFound()


def create_region(*, session: Session, scope: Scope, data: RegionCreate) -> Region:
    scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER)
    brand_id = scope.target_brand(data.brand_id)
    get_brand(session=session, scope=scope, brand_id=brand_id)
    _check_parent(session, scope, brand_id, data.parent_id)
    taken = exists().where(Region.brand_id == brand_id, Region.code == data.code)
    if session.scalar(select(taken)):
        raise errors.RegionCodeTaken()
    region = Region(brand_id=brand_id, **data.model_dump(exclude={"brand_id"}))
    session.add(region)
    session.flush()
    return region


def update_region(*, session: Session, scope: Scope, region_id: int, data: RegionUpdate) -> Region:
    region = get_region(session=session, scope=scope, region_id=region_id)
    scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER)
    changes = data.model_dump(exclude_unset=True)
    if "parent_id" in changes and changes["parent_id"] != region.parent_id:
        new_parent = changes["parent_id"]
        _check_parent(session, scope, region.brand_id, new_parent)
        rows = session.execute(
            select(Region.id, Region.parent_id).where(Region.brand_id == region.brand_id)
        )
        parent_of = {node: parent for node, parent in rows}
        if rules.would_create_cycle(region.id, new_parent, parent_of):
            raise errors.RegionCycle()
        region.parent_id = new_parent
    for field in ("name", "kind"):
        if changes.get(field) is not None:
            setattr(region, field, changes[field])
    session.flush()
    return region


def delete_region(*, session: Session, scope: Scope, region_id: int) -> None:
    region = get_region(session=session, scope=scope, region_id=region_id)
    scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER)
    has_child = session.scalar(select(exists().where(Region.parent_id == region.id)))
    has_store = session.scalar(select(exists().where(Store.region_id == region.id)))
    if has_child or has_store:
        raise errors.RegionNotEmpty()
    session.delete(region)
    session.flush()


# ---- districts ------------------------------------------------------------------------


def create_district(*, session: Session, scope: Scope, data: DistrictCreate) -> District:
    scope.require(Role.PLATFORM_ADMIN)
    if session.scalar(select(exists().where(District.code == data.code))):
        raise errors.DistrictCodeTaken()
    district = District(**data.model_dump())
    session.add(district)
    session.flush()
    return district


def get_district(*, session: Session, district_id: int) -> District:
    district = session.get(District, district_id)
    if district is None:
        raise errors.DistrictNotFound()
    return district


def list_districts(
    *, session: Session, cursor: str | None, limit: int
) -> tuple[list[District], str | None]:
    return paginate(
        session=session, query=select(District), id_column=District.id, cursor=cursor, limit=limit
    )


def update_district(
    *, session: Session, scope: Scope, district_id: int, data: DistrictUpdate
) -> District:
    scope.require(Role.PLATFORM_ADMIN)
    district = get_district(session=session, district_id=district_id)
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(district, field, value)
    session.flush()
    return district


# ---- stores ---------------------------------------------------------------------------


def _store_query(scope: Scope) -> Select[Store]:
    query = select(Store).join(Brand, Brand.id == Store.brand_id)
    query = query.where(Brand.deleted_at.is_(None))
    return visibility.restrict(query, scope, STORES)


def get_store(*, session: Session, scope: Scope, store_id: int) -> Store:
    store = session.scalar(_store_query(scope).where(Store.id == store_id))
    if store is None:
        raise errors.StoreNotFound()
    return store


def list_stores(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    brand_id: int | None = None,
    region_id: int | None = None,
    district_id: int | None = None,
    type: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> tuple[list[Store], str | None]:
    """Stores in the caller's scope; ``region_id`` includes the region's whole subtree."""
    query = _store_query(scope)
    if brand_id is not None:
        query = query.where(Store.brand_id == brand_id)
    if region_id is not None:
        region = get_region(session=session, scope=scope, region_id=region_id)
        ids = subtree_region_ids(session=session, brand_id=region.brand_id, root_ids={region.id})
        query = query.where(Store.region_id.in_(ids))
    if district_id is not None:
        query = query.where(Store.district_id == district_id)
    if type is not None:
        query = query.where(Store.type == type)
    if status is not None:
        query = query.where(Store.status == status)
    if q:
        query = query.where(search.contains(Store.name, q) | search.contains(Store.code, q))
    return paginate(session=session, query=query, id_column=Store.id, cursor=cursor, limit=limit)


def count_stores_by_region(*, session: Session, scope: Scope) -> dict[int, int]:
    subquery = _store_query(scope).subquery()
    rows = session.execute(
        select(subquery.c.region_id, func.count()).group_by(subquery.c.region_id)
    )
    return {region_id: count for region_id, count in rows}


def _store_payload(store: Store) -> dict[str, Any]:
    return StoreRead.model_validate(store).model_dump(mode="json")


def create_store(*, session: Session, scope: Scope, data: StoreCreate) -> Store:
    scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER)
    brand_id = scope.target_brand(data.brand_id)
    get_brand(session=session, scope=scope, brand_id=brand_id)
    region = get_region(session=session, scope=scope, region_id=data.region_id)
    if region.brand_id != brand_id:
        raise errors.RegionNotFound()
    if data.district_id is not None:
        get_district(session=session, district_id=data.district_id)
    taken = exists().where(Store.brand_id == brand_id, Store.code == data.code)
    if session.scalar(select(taken)):
        raise errors.StoreCodeTaken()
    store = Store(brand_id=brand_id, **data.model_dump(exclude={"brand_id"}, mode="json"))
    session.add(store)
    session.flush()
    outbox_service.record(
        session=session,
        brand_id=brand_id,
        type="store.created",
        resource_type="store",
        resource_id=store.id,
        payload=_store_payload(store),
    )
    return store


def update_store(*, session: Session, scope: Scope, store_id: int, data: StoreUpdate) -> Store:
    store = get_store(session=session, scope=scope, store_id=store_id)
    scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
    changes = data.model_dump(exclude_unset=True, mode="json")
    changes = {field: value for field, value in changes.items() if value is not None}
    if "region_id" in changes:
        scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER)
        region = get_region(session=session, scope=scope, region_id=changes["region_id"])
        if region.brand_id != store.brand_id:
            raise errors.RegionNotFound()
    if "district_id" in changes:
        get_district(session=session, district_id=changes["district_id"])
    changed = [field for field, value in changes.items() if getattr(store, field) != value]
    if not changed:
        return store
    for field in changed:
        setattr(store, field, changes[field])
    store.updated_at = utcnow()
    session.flush()
    outbox_service.record(
        session=session,
        brand_id=store.brand_id,
        type="store.updated",
        resource_type="store",
        resource_id=store.id,
        payload={**_store_payload(store), "changed": sorted(changed)},
    )
    return store
