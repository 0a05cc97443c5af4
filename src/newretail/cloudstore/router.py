from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic_core import to_json
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from newretail.cloudstore import rules, service
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
)
from newretail.db import Database, utcnow
from newretail.kernel.errors import InvalidToken
from newretail.kernel.http import ApiRoute, Authenticator, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page
from newretail.kernel.scope import Scope
from newretail.org import geo

router = APIRouter(tags=["cloud store"], route_class=ApiRoute)
_bearer = HTTPBearer(auto_error=False, description="A consumer's token, for their own part.")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

# ---- public ---------------------------------------------------------------------------


@router.get("/cloudstores/{store_code}/home", response_model=HomeRead)
async def cloudstore_home(
    store_code: Annotated[
        str, Path(max_length=80, description="Public code: `{brand_code}.{store_code}`.")
    ],
    request: Request,
    credentials: BearerDep,
) -> Response:
    """Public. The store card, guides on duty, activities, best sellers and featured SKUs,
    and with a consumer's token their own `member` section (else it is null).

    Served from this process's cache: stock at most 2 s old, the rest dropped when an
    event says it changed. Warehouses, closed stores and stores of deleted brands have no
    cloud store (404 `cloudstore_not_found`).
    """
    database: Database = request.app.state.database
    if credentials is None and request.app.state.settings.home_cache:
        # Served from memory on the event loop when nothing needs reading; else in a thread.
        cache = service.home_cache(database)
        body = cache.ready_page(code=store_code, render=_sections_json)
        if body is None:
            body = await run_in_threadpool(cache.page, code=store_code, render=_sections_json)
        return _answer(store_code, body)
    home = await run_in_threadpool(_read_home, request, store_code, credentials)
    return _answer(home.context.store.code, _sections_json(home))


def _read_home(
    request: Request, code: str, credentials: HTTPAuthorizationCredentials | None
) -> service.Home:
    """The page with the caller's own part, or read afresh: one session at a time."""
    database: Database = request.app.state.database

    def caller(session: Session) -> Scope | None:
        return _member(request, session, credentials)

    if request.app.state.settings.home_cache:
        return service.cached_home(database=database, code=code, caller=caller)
    with database.transaction(read_only=True) as session:
        return service.home(session=session, code=code, member=caller(session))


def _member(
    request: Request, session: Session, credentials: HTTPAuthorizationCredentials | None
) -> Scope | None:
    if credentials is None:
        return None
    if credentials.scheme.lower() != "bearer":
        raise InvalidToken("A bearer token is required.")
    authenticate: Authenticator = request.app.state.authenticate
    return authenticate(session, credentials.credentials)


def _sections_json(home: service.Home) -> bytes:
    return to_json({name: {"data": data} for name, data in home.sections.items()})


def _answer(code: str, sections: bytes) -> Response:
    """The ``HomeRead`` document, put together from the sections already in JSON."""
    head = b'{"store_code":' + to_json(code) + b',"generated_at":' + to_json(utcnow())
    return Response(head + b',"sections":' + sections + b"}", media_type="application/json")


@router.get("/stores/nearby", response_model=NearbyPage)
def nearby_stores(
    session: SessionDep,
    lat: float,
    lng: float,
    radius_km: Annotated[float, Query(description=f"At most {geo.MAX_RADIUS_KM:g}.")] = 5.0,
    brand: Annotated[str | None, Query(max_length=32, description="A brand code.")] = None,
    open_now: bool = False,
    sku_id: Annotated[int | None, Query(description="Only stores with it available.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> NearbyPage:
    """Public. Cloud stores within `radius_km` of a point, nearest first.

    Distances are geodesics on the WGS84 ellipsoid, in kilometres.
    """
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
                code=rules.public_code(n.store.brand_code, n.store.code),
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
