"""Tasks aimed at an audience: the guides bound to its members, each with the members they serve.

An audience is brand-wide (the data bank's), but whom a task reaches is the sender's to say:
it reaches only the guides within the sender's scope, each of them with the audience's
members bound to them when it is sent. The members are those who accept marketing
(``target_member_ids``): the guide is asked to reach out to them. Members without a live
binding to a guide are left out. A guide's page lists the members still bound to them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.analytics.audiences import service as audiences_service
from newretail.kernel.scope import Role, Scope
from newretail.members.access import active_binding
from newretail.members.models import Consumer, MemberBinding, Membership
from newretail.workbench import people
from newretail.workbench.models import TaskAssignment

CHUNK = 5_000  # member ids per IN list: SQLite binds at most 32,766 parameters


@dataclass(frozen=True)
class Served:
    """A guide the task reaches through the audience, and the members they serve in it."""

    guide: people.Placed
    member_ids: list[int]


@dataclass(frozen=True)
class MemberToReach:
    member_id: int
    member_no: str
    name: str | None


def _brand_reader(brand_id: int) -> Scope:
    """The brand reading its own audience: any sender may aim at one of the brand's audiences;
    whom the task reaches is then held to the sender's own scope."""
    return Scope(
        actor_type="system", actor_id=None, roles=frozenset({Role.BRAND_ADMIN}), brand_id=brand_id
    )


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def bound_guides(
    *, session: Session, brand_id: int, member_ids: Sequence[int], now: datetime
) -> dict[int, int]:
    """The guide each of ``member_ids`` is bound to at ``now`` (none, or lapsed: left out)."""
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(set(member_ids))):
        rows = session.execute(
            select(MemberBinding.membership_id, MemberBinding.guide_id).where(
                MemberBinding.brand_id == brand_id,
                MemberBinding.membership_id.in_(chunk),
                MemberBinding.guide_id.is_not(None),
                active_binding(now),
            )
        )
        found.update({member: guide for member, guide in rows if guide is not None})
    return found


def serving(
    *, session: Session, scope: Scope, brand_id: int, audience_id: int, now: datetime
) -> dict[int, Served]:
    """By staff id: the guides within ``scope`` bound to the audience's members, with them.

    Another brand's audience is ``audience_not_found``.
    """
    members = audiences_service.target_member_ids(
        session=session, scope=_brand_reader(brand_id), audience_id=audience_id
    )
    by_guide: dict[int, list[int]] = {}
    bound = bound_guides(session=session, brand_id=brand_id, member_ids=members, now=now)
    for member_id, guide_id in sorted(bound.items()):
        by_guide.setdefault(guide_id, []).append(member_id)
    guides = people.placed(session=session, brand_id=brand_id, staff_ids=by_guide, role=Role.GUIDE)
    return {
        guide.staff_id: Served(guide, by_guide[guide.staff_id])
        for guide in guides
        if scope.sees_store(brand_id, guide.store_id)
    }


def members_to_reach(
    *, session: Session, assignment: TaskAssignment, now: datetime
) -> list[MemberToReach]:
    """The assignment's audience members still bound to its assignee, by member number."""
    wanted = assignment.audience_member_ids or []
    found: list[MemberToReach] = []
    for chunk in _chunks(sorted(set(wanted))):
        rows = session.execute(
            select(Membership.id, Membership.member_no, Consumer.display_name)
            .join(MemberBinding, MemberBinding.membership_id == Membership.id)
            .join(Consumer, Consumer.id == Membership.consumer_id)
            .where(
                Membership.brand_id == assignment.brand_id,
                Membership.id.in_(chunk),
                MemberBinding.guide_id == assignment.assignee_id,
                active_binding(now),
            )
        )
        found += [MemberToReach(int(m), str(no), name) for m, no, name in rows]
    return sorted(found, key=lambda m: (m.member_no, m.member_id))
