"""Coupons imported from a brand's own system: all of them, or none.

An import names members by id or phone, one entry each, with the entry's reference in the
brand's system (``external_ref``). Entries imported before (same template, same reference)
are returned, not issued again, so a retried import issues nothing twice. The new entries
are checked first, every problem collected (an unknown member, a member over their limit,
more coupons than the template has left, more than its budget holds), and any problem
refuses the whole import with every reason. Then they are counted through the claim's
guarded UPDATEs, all at once per member and once for the template (members in id order,
the shared template row last), so a claim racing the import still never over-issues: a
guard that refuses then raises, and the transaction rolls back the whole import.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.members.models import Membership
from newretail.promotions import errors
from newretail.promotions.definitions import get_template
from newretail.promotions.discounts import face_value
from newretail.promotions.models import ClaimChannel, Coupon, CouponClaimCount, CouponTemplate
from newretail.promotions.schemas import ImportCreate, ImportEntry
from newretail.promotions.shapes import terms_of
from newretail.promotions.wallet import check_open, count_issue, count_member_claims, new_coupon

IMPORTERS = (Role.BRAND_ADMIN,)
Problem = tuple[str, str, str]  # (external_ref, code, detail)


@dataclass(frozen=True, slots=True)
class Imported:
    issued: list[Coupon]
    already: list[Coupon]


def import_coupons(
    *,
    session: Session,
    scope: Scope,
    template_id: int,
    data: ImportCreate,
    now: datetime | None = None,
) -> Imported:
    """Issue one coupon per new entry of ``data``, or refuse them all saying why."""
    now = now or utcnow()
    template = get_template(session=session, scope=scope, template_id=template_id)
    scope.require(*IMPORTERS)
    check_open(template, now)
    refs = [entry.external_ref for entry in data.entries]
    twice = [ref for ref, n in Counter(refs).items() if n > 1]
    if twice:
        raise errors.ImportRefused([(r, "duplicate_ref", "given twice") for r in twice])
    already = _imported_before(session, template.id, refs)
    fresh = [e for e in data.entries if e.external_ref not in already]
    members, problems = _members(session, scope, template, fresh)
    problems += _over_limits(session, template, fresh, members)
    if problems:
        raise errors.ImportRefused(problems)
    issued = _issue(session, template, fresh, members, now)
    return Imported(issued, sorted(already.values(), key=lambda c: c.id))


def _imported_before(session: Session, template_id: int, refs: list[str]) -> dict[str, Coupon]:
    rows = session.scalars(
        select(Coupon).where(Coupon.template_id == template_id, Coupon.external_ref.in_(refs))
    )
    return {c.external_ref: c for c in rows if c.external_ref is not None}


def _members(
    session: Session, scope: Scope, template: CouponTemplate, entries: list[ImportEntry]
) -> tuple[dict[str, Membership], list[Problem]]:
    members: dict[str, Membership] = {}
    problems: list[Problem] = []
    for entry in entries:
        found = _member(session, scope, template.brand_id, entry)
        if isinstance(found, Membership):
            members[entry.external_ref] = found
        else:
            problems.append((entry.external_ref, "unknown_member", found))
    return members, problems


def _member(session: Session, scope: Scope, brand_id: int, entry: ImportEntry) -> Membership | str:
    """The brand's member an entry names, or why none."""
    if (entry.member_id is None) == (entry.phone is None):
        return "give either member_id or phone"
    if entry.member_id is not None:
        try:
            member = members_service.get_brand_member(
                session=session, scope=scope, member_id=entry.member_id
            )
        except DomainError:
            return f"no member {entry.member_id} in this brand"
        return member if member.brand_id == brand_id else f"no member {entry.member_id}"
    try:
        consumers, _ = members_service.lookup(
            session=session, scope=scope, phone=entry.phone, cursor=None, limit=1
        )
    except DomainError as refused:
        return refused.detail
    found = consumers and members_service.find_membership(
        session=session, brand_id=brand_id, consumer_id=consumers[0].id
    )
    return found or "no member of this brand has this phone"


def _over_limits(
    session: Session,
    template: CouponTemplate,
    entries: list[ImportEntry],
    members: dict[str, Membership],
) -> list[Problem]:
    problems: list[Problem] = []
    if template.per_member_limit is not None:
        wanted = Counter(m.id for m in members.values())
        held = _held(session, template.id, set(wanted))
        for entry in entries:
            member = members.get(entry.external_ref)
            if member and held.get(member.id, 0) + wanted[member.id] > template.per_member_limit:
                detail = f"member {member.id} may hold {template.per_member_limit}"
                problems.append((entry.external_ref, "member_limit_reached", detail))
    count = len(entries)
    if template.total_quantity is not None and template.issued + count > template.total_quantity:
        left = template.total_quantity - template.issued
        problems.append(("*", "coupons_exhausted", f"{count} asked, {left} left"))
    face = (face_value(terms_of(template.kind, template.terms)) or 0) * count
    if template.budget is not None and template.budget_used + face > template.budget:
        left = template.budget - template.budget_used
        problems.append(("*", "budget_exhausted", f"{face} fen asked, {left} left"))
    return problems


def _held(session: Session, template_id: int, member_ids: set[int]) -> dict[int, int]:
    rows = session.execute(
        select(CouponClaimCount.membership_id, func.max(CouponClaimCount.claimed))
        .where(
            CouponClaimCount.template_id == template_id,
            CouponClaimCount.membership_id.in_(member_ids),
        )
        .group_by(CouponClaimCount.membership_id)
    )
    return {int(m): int(n) for m, n in rows}


def _issue(
    session: Session,
    template: CouponTemplate,
    entries: list[ImportEntry],
    members: dict[str, Membership],
    now: datetime,
) -> list[Coupon]:
    if not entries:
        return []
    if template.per_member_limit is not None:
        wanted = Counter(m.id for m in members.values())
        for member_id in sorted(wanted):
            count_member_claims(session, template, member_id, wanted[member_id])
    count_issue(session, template, len(entries))
    coupons = []
    for entry in entries:
        coupon = new_coupon(template, members[entry.external_ref], now, ClaimChannel.IMPORT)
        coupon.external_ref = entry.external_ref
        coupons.append(coupon)
    session.add_all(coupons)
    try:
        session.flush()
    except IntegrityError:
        # The same references imported at this very moment by another request: it won.
        raise errors.ImportRefused(
            [("*", "import_in_progress", "these references are being imported; retry")]
        ) from None
    return coupons
