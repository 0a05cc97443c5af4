from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from newretail.cloudstore import rules, service
from newretail.cloudstore.home import Fetch
from newretail.cloudstore.schemas import (
    ActivityCreate,
    ActivityRead,
    ActivityUpdate,
    CloudStoreSettingsRead,
    CloudStoreSettingsWrite,
    FeaturedRead,
    FeaturedWrite,
    HomeRead,
    NearbyPage,
    NearbyStoreRead,
    SectionRead,
)
from newretail.db import Database, utcnow
from newretail.kernel.http import Cursor, Limit, ScopeDep, SessionDep, get_database
from newretail.kernel.schemas import Page

router = APIRouter(tags=["cloud store"])
DatabaseDep = Annotated[Database, Depends(get_database)]

# ---- public ---------------------------------------------------------------------------


@router.get("/cloudstores/{store_code}/home", response_model=HomeRead)
def cloudstore_home(
    store_code: Annotated[
        str, Path(max_length=80, description="Public code: `{brand_code}.{store_code}`.")
    ],
    database: DatabaseDep,
    fetch: Annotated[Fetch, Query(description="`sequential` is for measuring only.")] = (
        "parallel"
    ),
) -> HomeRead:
    """Public. The store card, guides on duty, activities, best sellers and featured SKUs.

    Each section has a time budget; one that is late or fails comes back empty with
    `degraded: true` and the page is still served. Warehouses, closed stores and stores of
    deleted brands have no cloud store (404 `cloudstore_not_found`).
    """
    home = service.home(database=database, code=store_code, fetch=fetch)
    return HomeRead(
        store_code=home.context.store.code,
        generated_at=home.context.now,
        fetch=fetch,
        sections={
            name: SectionRead(degraded=result.degraded, reason=result.reason, data=result.data)
            for name, result in home.sections.items()
        },
    )


@router.get("/stores/nearby", response_model=NearbyPage)
def nearby_stores(
    session: SessionDep,
    lat: float,
    lng: float,
    radius_km: Annotated[float, Query(description=f"At most {rules.MAX_RADIUS_KM:g}.")] = 5.0,
    brand: Annotated[str | None, Query(max_length=32, description="A brand code.")] = None,
    open_now: bool = False,
    sku_id: Annotated[int | None, Query(description="Only stores with it available.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> NearbyPage:
    """Public. Cloud stores within `radius_km` of a point, nearest first."""
    found = service.nearby_stores(
        session=session,
        lat=lat,
        lng=lng,
        radius_km=radius_km,
        brand_code=brand,
        open_now=open_now,
        sku_id=sku_id,
        limit=limit,
    )
    return NearbyPage(
        items=[
            NearbyStoreRead(
                code=n.store.code,
                name=n.store.name,
                brand_code=n.store.brand_code,
                brand_name=n.store.brand_name,
                type=n.store.type,
                address=n.store.address,
                city=n.store.city,
                lat=n.store.lat,
                lng=n.store.lng,
                distance_km=n.distance_km,
                open_now=n.open_now,
                available=n.available,
            )
            for n in found
        ]
    )


# ---- staff: brand policy and featured SKUs ----------------------------------------------


def _settings(brand_id: int, policy: rules.Policy) -> CloudStoreSettingsRead:
    return CloudStoreSettingsRead(
        brand_id=brand_id,
        store_sourcing=policy.store_sourcing,
        nearby_radius_km=policy.nearby_radius_km,
        warehouse_sourcing=policy.warehouse_sourcing,
    )


@router.get("/brands/{brand_id}/cloudstore", response_model=CloudStoreSettingsRead)
def get_settings(brand_id: int, session: SessionDep, scope: ScopeDep) -> CloudStoreSettingsRead:
    """Which stock the brand's cloud stores sell besides each store's own."""
    policy = service.get_settings(session=session, scope=scope, brand_id=brand_id)
    return _settings(brand_id, policy)


@router.put("/brands/{brand_id}/cloudstore", response_model=CloudStoreSettingsRead)
def put_settings(
    brand_id: int, data: CloudStoreSettingsWrite, session: SessionDep, scope: ScopeDep
) -> CloudStoreSettingsRead:
    policy = service.put_settings(session=session, scope=scope, brand_id=brand_id, data=data)
    return _settings(brand_id, policy)


@router.get("/brands/{brand_id}/cloudstore/featured", response_model=FeaturedRead)
def get_brand_featured(brand_id: int, session: SessionDep, scope: ScopeDep) -> FeaturedRead:
    owner, sku_ids = service.get_featured(session=session, scope=scope, brand_id=brand_id)
    return FeaturedRead(brand_id=owner, store_id=None, sku_ids=sku_ids)


@router.put("/brands/{brand_id}/cloudstore/featured", response_model=FeaturedRead)
def put_brand_featured(
    brand_id: int, data: FeaturedWrite, session: SessionDep, scope: ScopeDep
) -> FeaturedRead:
    """The brand's featured SKUs, shown in every store without a list of its own."""
    owner, sku_ids = service.set_featured(
        session=session, scope=scope, brand_id=brand_id, sku_ids=data.sku_ids
    )
    return FeaturedRead(brand_id=owner, store_id=None, sku_ids=sku_ids)


@router.get("/stores/{store_id}/cloudstore/featured", response_model=FeaturedRead)
def get_store_featured(store_id: int, session: SessionDep, scope: ScopeDep) -> FeaturedRead:
    owner, sku_ids = service.get_featured(session=session, scope=scope, store_id=store_id)
    return FeaturedRead(brand_id=owner, store_id=store_id, sku_ids=sku_ids)


@router.put("/stores/{store_id}/cloudstore/featured", response_model=FeaturedRead)
def put_store_featured(
    store_id: int, data: FeaturedWrite, session: SessionDep, scope: ScopeDep
) -> FeaturedRead:
    """A store's own featured SKUs; an empty list falls back to the brand's."""
    owner, sku_ids = service.set_featured(
        session=session, scope=scope, store_id=store_id, sku_ids=data.sku_ids
    )
    return FeaturedRead(brand_id=owner, store_id=store_id, sku_ids=sku_ids)


# ---- staff: store activities ----------------------------------------------------------


@router.post("/store-activities", response_model=ActivityRead, status_code=status.HTTP_201_CREATED)
def create_activity(data: ActivityCreate, session: SessionDep, scope: ScopeDep) -> ActivityRead:
    """HQ creates brand-wide activities (no `store_id`); managers their stores' ones."""
    activity = service.create_activity(session=session, scope=scope, data=data)
    return ActivityRead.model_validate(activity)


@router.get("/store-activities", response_model=Page[ActivityRead])
def list_activities(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    store_id: Annotated[int | None, Query(description="With the brand-wide ones.")] = None,
    current: Annotated[bool, Query(description="Only those on now.")] = False,
) -> Page[ActivityRead]:
    items, next_cursor = service.list_activities(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        store_id=store_id,
        current_at=utcnow() if current else None,
    )
    return Page(items=[ActivityRead.model_validate(a) for a in items], next_cursor=next_cursor)


@router.get("/store-activities/{activity_id}", response_model=ActivityRead)
def get_activity(activity_id: int, session: SessionDep, scope: ScopeDep) -> ActivityRead:
    activity = service.get_activity(session=session, scope=scope, activity_id=activity_id)
    return ActivityRead.model_validate(activity)


@router.patch("/store-activities/{activity_id}", response_model=ActivityRead)
def update_activity(
    activity_id: int, data: ActivityUpdate, session: SessionDep, scope: ScopeDep
) -> ActivityRead:
    activity = service.update_activity(
        session=session, scope=scope, activity_id=activity_id, data=data
    )
    return ActivityRead.model_validate(activity)


@router.delete("/store-activities/{activity_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_activity(activity_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    service.delete_activity(session=session, scope=scope, activity_id=activity_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
