"""Reading the ledger by the visibility ladder: a guide their own entries, a store manager
their stores' (the stores' own and those of the guides working there), a region manager
their regions' stores', HQ the brand's; no brand sees another's."""

from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from newretail.auth.models import RoleAssignment
from newretail.commission.models import CommissionEntry
from newretail.kernel import visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.org.models import Store


def _guides_of_stores(ids: visibility.Ids) -> ColumnElement[bool]:
    working = select(RoleAssignment.staff_id).where(
        RoleAssignment.role == Role.GUIDE.value, RoleAssignment.store_id.in_(ids)
    )
    return CommissionEntry.guide_id.in_(working)


def _stores_of_regions(ids: visibility.Ids) -> ColumnElement[bool]:
    return CommissionEntry.store_id.in_(select(Store.id).where(Store.region_id.in_(ids)))


ENTRIES = visibility.Ladder(
    brand=CommissionEntry.brand_id,
    regions=(visibility.Link(_stores_of_regions),),
    stores=(CommissionEntry.store_id, visibility.Link(_guides_of_stores)),
    guides=(CommissionEntry.guide_id,),
    guides_see_stores=False,
)


def list_entries(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None = None,
    limit: int = 50,
    guide_id: int | None = None,
    store_id: int | None = None,
    order_id: int | None = None,
    status: str | None = None,
    released_before: datetime | None = None,
) -> tuple[list[CommissionEntry], str | None]:
    """Entries the caller sees, newest first, narrowed by the filters given."""
    query = visibility.restrict(select(CommissionEntry), scope, ENTRIES)
    if scope.actor_type == "consumer":
        query = query.where(CommissionEntry.id.is_(None))
    if guide_id is not None:
        query = query.where(CommissionEntry.guide_id == guide_id)
    if store_id is not None:
        query = query.where(CommissionEntry.store_id == store_id)
    if order_id is not None:
        query = query.where(CommissionEntry.order_id == order_id)
    if status is not None:
        query = query.where(CommissionEntry.status == status)
    if released_before is not None:
        query = query.where(CommissionEntry.release_at < released_before)
    return paginate(
        session=session,
        query=query,
        id_column=CommissionEntry.id,
        cursor=cursor,
        limit=limit,
        descending=True,
    )
