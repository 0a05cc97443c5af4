"""Names for the ids the warehouse groups by: stores and districts by name, others as ids."""

from sqlalchemy.orm import Session

from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service

MAX_NAMED = 200


def names(*, session: Session, brand_id: int, dimension: str | None) -> dict[str, str]:
    """Id (as text) -> name, for a store or district breakdown; empty for the others."""
    if dimension == "store":
        stores, _ = org_service.list_stores(
            session=session, scope=SYSTEM, cursor=None, limit=MAX_NAMED, brand_id=brand_id
        )
        return {str(s.id): s.name for s in stores}
    if dimension in ("district", "popup"):
        districts, _ = org_service.list_districts(session=session, cursor=None, limit=MAX_NAMED)
        return {str(d.id): d.name for d in districts} if dimension == "district" else {}
    return {}
