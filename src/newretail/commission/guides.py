"""Guides as commission sees them: their own membership, so their own purchases are known."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.auth import service as auth_service
from newretail.commission import errors
from newretail.commission.plan_models import GuideMembership
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service

MANAGERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)


def own_membership(*, session: Session, scope: Scope, guide_id: int) -> int | None:
    staff = auth_service.get_staff(session=session, scope=scope, staff_id=guide_id)
    return session.scalar(
        select(GuideMembership.member_id).where(GuideMembership.staff_id == staff.id)
    )


def set_own_membership(
    *, session: Session, scope: Scope, guide_id: int, member_id: int | None
) -> int | None:
    """Name (or forget) the membership whose orders are the guide's own purchases."""
    staff = auth_service.get_staff(session=session, scope=scope, staff_id=guide_id)
    scope.require(*MANAGERS)
    if staff.brand_id is None:
        raise errors.InvalidRule("Only a brand's staff have memberships.")
    found = session.get(GuideMembership, staff.id)
    if member_id is None:
        if found is not None:
            session.delete(found)
    else:
        member = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
        if member.brand_id != staff.brand_id:
            raise errors.InvalidRule("The membership is of another brand.")
        taken = session.scalar(
            select(GuideMembership.staff_id).where(GuideMembership.member_id == member.id)
        )
        if taken is not None and taken != staff.id:
            raise errors.InvalidRule("The membership is another guide's.")
        if found is None:
            session.add(
                GuideMembership(staff_id=staff.id, brand_id=staff.brand_id, member_id=member.id)
            )
        else:
            found.member_id = member.id
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="commission.guide_membership_set",
        target_type="staff",
        target_id=staff.id,
        brand_id=staff.brand_id,
        details={"member_id": member_id},
    )
    return member_id
