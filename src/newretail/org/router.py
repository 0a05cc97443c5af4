from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page
from newretail.org import service
from newretail.org.rules import StoreStatus, StoreType
from newretail.org.schemas import (
    BrandCreate,
    BrandRead,
    BrandUpdate,
    DistrictCreate,
    DistrictRead,
    DistrictUpdate,
    RegionCreate,
    RegionRead,
    RegionUpdate,
    StoreCreate,
    StoreRead,
    StoreUpdate,
)

router = APIRouter(tags=["organisation"], route_class=ApiRoute)


@router.post("/brands", response_model=BrandRead, status_code=status.HTTP_201_CREATED)
def create_brand(data: BrandCreate, session: SessionDep, scope: ScopeDep) -> BrandRead:
    return BrandRead.model_validate(service.create_brand(session=session, scope=scope, data=data))


@router.get("/brands", response_model=Page[BrandRead])
def list_brands(
    session: SessionDep, scope: ScopeDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[BrandRead]:
    items, next_cursor = service.list_brands(
        session=session, scope=scope, cursor=cursor, limit=limit
    )
    return Page(items=[BrandRead.model_validate(b) for b in items], next_cursor=next_cursor)


@router.get("/brands/{brand_id}", response_model=BrandRead)
def get_brand(brand_id: int, session: SessionDep, scope: ScopeDep) -> BrandRead:
    return BrandRead.model_validate(
        service.get_brand(session=session, scope=scope, brand_id=brand_id)
    )


@router.patch("/brands/{brand_id}", response_model=BrandRead)
def update_brand(
    brand_id: int, data: BrandUpdate, session: SessionDep, scope: ScopeDep
) -> BrandRead:
    brand = service.update_brand(session=session, scope=scope, brand_id=brand_id, data=data)
    return BrandRead.model_validate(brand)


@router.delete("/brands/{brand_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_brand(brand_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    service.delete_brand(session=session, scope=scope, brand_id=brand_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/regions", response_model=RegionRead, status_code=status.HTTP_201_CREATED)
def create_region(data: RegionCreate, session: SessionDep, scope: ScopeDep) -> RegionRead:
    return RegionRead.model_validate(service.create_region(session=session, scope=scope, data=data))


@router.get("/regions", response_model=Page[RegionRead])
def list_regions(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 200,
    brand_id: int | None = None,
) -> Page[RegionRead]:
    items, next_cursor = service.list_regions(
        session=session, scope=scope, brand_id=brand_id, cursor=cursor, limit=limit
    )
    return Page(items=[RegionRead.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get("/regions/{region_id}", response_model=RegionRead)
def get_region(region_id: int, session: SessionDep, scope: ScopeDep) -> RegionRead:
    region = service.get_region(session=session, scope=scope, region_id=region_id)
    return RegionRead.model_validate(region)


@router.patch("/regions/{region_id}", response_model=RegionRead)
def update_region(
    region_id: int, data: RegionUpdate, session: SessionDep, scope: ScopeDep
) -> RegionRead:
    region = service.update_region(session=session, scope=scope, region_id=region_id, data=data)
    return RegionRead.model_validate(region)


@router.delete("/regions/{region_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_region(region_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    service.delete_region(session=session, scope=scope, region_id=region_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/districts", response_model=DistrictRead, status_code=status.HTTP_201_CREATED)
def create_district(data: DistrictCreate, session: SessionDep, scope: ScopeDep) -> DistrictRead:
    district = service.create_district(session=session, scope=scope, data=data)
    return DistrictRead.model_validate(district)


@router.get("/districts", response_model=Page[DistrictRead])
def list_districts(
    session: SessionDep, scope: ScopeDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[DistrictRead]:
    """Business districts are shared by all brands on the platform."""
    items, next_cursor = service.list_districts(session=session, cursor=cursor, limit=limit)
    return Page(items=[DistrictRead.model_validate(d) for d in items], next_cursor=next_cursor)


@router.get("/districts/{district_id}", response_model=DistrictRead)
def get_district(district_id: int, session: SessionDep, scope: ScopeDep) -> DistrictRead:
    return DistrictRead.model_validate(
        service.get_district(session=session, district_id=district_id)
    )


@router.patch("/districts/{district_id}", response_model=DistrictRead)
def update_district(
    district_id: int, data: DistrictUpdate, session: SessionDep, scope: ScopeDep
) -> DistrictRead:
    district = service.update_district(
        session=session, scope=scope, district_id=district_id, data=data
    )
    return DistrictRead.model_validate(district)


@router.post("/stores", response_model=StoreRead, status_code=status.HTTP_201_CREATED)
def create_store(data: StoreCreate, session: SessionDep, scope: ScopeDep) -> StoreRead:
    return StoreRead.model_validate(service.create_store(session=session, scope=scope, data=data))


@router.get("/stores", response_model=Page[StoreRead])
def list_stores(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    brand_id: int | None = None,
    region_id: Annotated[int | None, Query(description="Includes sub-regions.")] = None,
    district_id: int | None = None,
    type: StoreType | None = None,
    status: StoreStatus | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[StoreRead]:
    items, next_cursor = service.list_stores(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        brand_id=brand_id,
        region_id=region_id,
        district_id=district_id,
        type=type,
        status=status,
        q=q,
    )
    return Page(items=[StoreRead.model_validate(s) for s in items], next_cursor=next_cursor)


@router.get("/stores/{store_id}", response_model=StoreRead)
def get_store(store_id: int, session: SessionDep, scope: ScopeDep) -> StoreRead:
    return StoreRead.model_validate(
        service.get_store(session=session, scope=scope, store_id=store_id)
    )


@router.patch("/stores/{store_id}", response_model=StoreRead)
def update_store(
    store_id: int, data: StoreUpdate, session: SessionDep, scope: ScopeDep
) -> StoreRead:
    store = service.update_store(session=session, scope=scope, store_id=store_id, data=data)
    return StoreRead.model_validate(store)
