"""Who works where, read for the workbench: the guides or managers of stores, a person's
stores and their managers (whom a DING escalates to, whom a guide DINGs upwards).

Read-only queries over the staff's role assignments, like the commission's facts; roles
and their scopes are the auth domain's to change.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from newretail.auth.models import RoleAssignment, Staff
from newretail.kernel.scope import Role
from newretail.org import service as org_service
from newretail.org.models import Store


@dataclass(frozen=True)
class Placed:
    """A person at one store (their first by id, when they work at several)."""

    staff_id: int
    store_id: int
    region_id: int


def _working(brand_id: int, role: Role) -> Select[int, int | None, int]:
    return (
        select(RoleAssignment.staff_id, RoleAssignment.store_id, Store.region_id)
        .join(Staff, Staff.id == RoleAssignment.staff_id)
        .join(Store, Store.id == RoleAssignment.store_id)
        .where(
            Staff.brand_id == brand_id,
            Staff.is_active.is_(True),
            Staff.left_at.is_(None),
            RoleAssignment.role == role.value,
        )
        .order_by(RoleAssignment.staff_id, RoleAssignment.store_id)
    )


def at_stores(
    *, session: Session, brand_id: int, store_ids: Iterable[int], role: Role
) -> list[Placed]:
    """Everyone holding ``role`` at one of ``store_ids``, once each."""
    wanted = sorted(set(store_ids))
    if not wanted:
        return []
    query = _working(brand_id, role).where(RoleAssignment.store_id.in_(wanted))
    return _once(session.execute(query))


def placed(
    *, session: Session, brand_id: int, staff_ids: Iterable[int], role: Role
) -> list[Placed]:
    """Each of ``staff_ids`` holding ``role`` at a store, with that store."""
    wanted = sorted(set(staff_ids))
    if not wanted:
        return []
    query = _working(brand_id, role).where(RoleAssignment.staff_id.in_(wanted))
    return _once(session.execute(query))


def _once(rows: Iterable[tuple[int, int | None, int]]) -> list[Placed]:
    found: dict[int, Placed] = {}
    for staff_id, store_id, region_id in rows:
        if store_id is not None:
            found.setdefault(staff_id, Placed(staff_id, store_id, region_id))
    return list(found.values())


def stores_of(*, session: Session, staff_id: int) -> set[int]:
    rows = session.scalars(
        select(RoleAssignment.store_id).where(
            RoleAssignment.staff_id == staff_id, RoleAssignment.store_id.is_not(None)
        )
    )
    return {row for row in rows if row is not None}


def managers_of(*, session: Session, brand_id: int, staff_id: int) -> list[int]:
    """The person's managers: the store managers of their stores, else the region managers
    nearest above those stores. Never the person themselves."""
    stores = stores_of(session=session, staff_id=staff_id)
    managers = [
        p.staff_id
        for p in at_stores(
            session=session, brand_id=brand_id, store_ids=stores, role=Role.STORE_MANAGER
        )
        if p.staff_id != staff_id
    ]
    if managers:
        return sorted(managers)
    regions = org_service.region_ids_of_stores(session=session, store_ids=stores)
    for region_id in sorted(regions):
        for node in org_service.region_chain(
            session=session, brand_id=brand_id, region_id=region_id
        ):
            found = _region_managers(session, brand_id, node, staff_id)
            if found:
                return found
    return []


def _region_managers(session: Session, brand_id: int, region_id: int, not_id: int) -> list[int]:
    rows = session.scalars(
        select(RoleAssignment.staff_id)
        .join(Staff, Staff.id == RoleAssignment.staff_id)
        .where(
            Staff.brand_id == brand_id,
            Staff.is_active.is_(True),
            RoleAssignment.role == Role.REGION_MANAGER.value,
            RoleAssignment.region_id == region_id,
            RoleAssignment.staff_id != not_id,
        )
    )
    return sorted(set(rows))


def names(*, session: Session, staff_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(staff_ids))
    if not wanted:
        return {}
    rows = session.execute(select(Staff.id, Staff.display_name).where(Staff.id.in_(wanted)))
    return {staff_id: name for staff_id, name in rows}


def brand_staff(*, session: Session, brand_id: int, staff_ids: Iterable[int]) -> set[int]:
    """Which of ``staff_ids`` are active staff of the brand."""
    wanted = sorted(set(staff_ids))
    if not wanted:
        return set()
    rows = session.scalars(
        select(Staff.id).where(
            Staff.id.in_(wanted), Staff.brand_id == brand_id, Staff.is_active.is_(True)
        )
    )
    return set(rows)
