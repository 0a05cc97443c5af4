"""What the console pages read, fetched through the services with the caller's scope."""

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from newretail.kernel.scope import Scope
from newretail.org import errors as org_errors
from newretail.org import service as org_service
from newretail.org.schemas import BrandRead, DistrictRead, RegionRead
from newretail.web import views

T = TypeVar("T")
_BATCH = 200


def _every(fetch: Callable[[str | None], tuple[list[T], str | None]]) -> list[T]:
    """Every item of a cursor-paginated listing."""
    items: list[T] = []
    cursor: str | None = None
    while True:
        batch, cursor = fetch(cursor)
        items.extend(batch)
        if cursor is None:
            return items


def every(fetch: Callable[[str | None], tuple[list[T], str | None]]) -> list[T]:
    """Every item of a cursor-paginated listing (for pages that need a whole small list)."""
    return _every(fetch)


def brand(*, session: Session, scope: Scope, brand_id: int | None) -> BrandRead:
    """The brand a page works on: the one asked for, else the caller's own."""
    wanted = brand_id if brand_id is not None else scope.brand_id
    if wanted is None:
        raise org_errors.BrandNotFound()
    return BrandRead.model_validate(
        org_service.get_brand(session=session, scope=scope, brand_id=wanted)
    )


def brands(*, session: Session, scope: Scope) -> list[BrandRead]:
    rows = _every(
        lambda cursor: org_service.list_brands(
            session=session, scope=scope, cursor=cursor, limit=_BATCH
        )
    )
    return [BrandRead.model_validate(row) for row in rows]


def regions(*, session: Session, scope: Scope, brand_id: int) -> list[RegionRead]:
    rows = _every(
        lambda cursor: org_service.list_regions(
            session=session, scope=scope, brand_id=brand_id, cursor=cursor, limit=_BATCH
        )
    )
    return [RegionRead.model_validate(row) for row in rows]


def region_tree(*, session: Session, scope: Scope, brand_id: int) -> list[views.RegionNode]:
    counts = org_service.count_stores_by_region(session=session, scope=scope)
    return views.region_tree(regions(session=session, scope=scope, brand_id=brand_id), counts)


def districts(*, session: Session) -> list[DistrictRead]:
    rows = _every(
        lambda cursor: org_service.list_districts(session=session, cursor=cursor, limit=_BATCH)
    )
    return [DistrictRead.model_validate(row) for row in rows]


def console_url(scope: Scope, brand_id: int, **params: Any) -> str:
    """The stores screen of a brand (regions and stores); a platform admin's URL names the brand."""
    query = {"brand": brand_id if scope.is_platform else None, **params}
    kept = {name: value for name, value in query.items() if value not in (None, "")}
    return "/console/stores" + ("?" + urlencode(kept) if kept else "")
