"""Read-only member figures for the dashboards, scoped like every report (kernel/reporting).

A new member is a membership that started (``joined_at``) within the period; a region's or a
store's figure counts the members who joined at its stores.
"""

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from newretail.kernel.reporting import covered_stores
from newretail.kernel.scope import Scope
from newretail.members.models import Membership


def new_members_by_interval(
    *, session: Session, scope: Scope, brand_id: int, bounds: Sequence[datetime]
) -> list[int]:
    """Members who joined in each interval ``[bounds[i], bounds[i+1])``."""
    intervals = list(pairwise(bounds))
    columns = [
        func.coalesce(
            func.sum(
                case((and_(Membership.joined_at >= start, Membership.joined_at < end), 1), else_=0)
            ),
            0,
        )
        for start, end in intervals
    ]
    query = select(*columns).where(
        Membership.brand_id == brand_id,
        Membership.joined_at >= bounds[0],
        Membership.joined_at < bounds[-1],
    )
    stores = covered_stores(scope, brand_id)
    if stores is not None:
        query = query.where(Membership.join_store_id.in_(stores))
    row = session.execute(query).one()
    return [int(value) for value in row]
