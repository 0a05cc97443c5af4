"""A consumer claims a whole coupon package at once: every benefit, or nothing.

The claim runs in one transaction, in this order (each shared row as late as possible, so
its lock is held for the shortest time):

1. the consumer's claim row, unique per package (``ON CONFLICT DO NOTHING``): a second
   claim by the same consumer, even at the same moment, finds it and is refused;
2. the consumer joins each brand they are not yet a member of (a wallet is per brand);
3. one coupon of each picked template, in template id order, each through the wallet's
   guarded UPDATEs (the member's limit, then the template's quantity and budget), so two
   package claims take the templates' row locks in the same order and never deadlock;
4. the package's own counter, guarded by its quantity.

Any refusal raises, and the request's transaction rolls back every coupon the claim had
issued: nothing is over-issued and no benefit is half-claimed.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import upserts
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.members.models import Membership
from newretail.members.schemas import MemberCreate
from newretail.promotions import errors as promotion_errors
from newretail.promotions.models import ClaimChannel, Coupon, CouponTemplate
from newretail.promotions.packages import errors
from newretail.promotions.packages.models import (
    CouponPackage,
    PackageCandidate,
    PackageClaim,
    PackageKind,
    PackageStatus,
)
from newretail.promotions.wallet import issue

_NO_SYNC = {"synchronize_session": False}


def claim_package(
    *, session: Session, scope: Scope, package_id: int, now: datetime | None = None
) -> list[Coupon]:
    """Put one coupon of every benefit of a published package in the consumer's wallets."""
    now = now or utcnow()
    package = session.scalar(
        select(CouponPackage).where(
            CouponPackage.id == package_id,
            CouponPackage.status == PackageStatus.PUBLISHED.value,
        )
    )
    if package is None:
        raise errors.PackageNotFound()
    consumer_id = _consumer(session, scope)
    if package.starts_at > now or (package.ends_at is not None and package.ends_at <= now):
        raise errors.PackageClosed()
    if package.total_quantity is not None and package.claimed >= package.total_quantity:
        raise errors.PackagesExhausted()
    claim_id = _claim_row(session, package.id, consumer_id, now)
    templates = _picked_templates(session, package.id)
    members = _memberships(session, scope, consumer_id, {t.brand_id for t in templates})
    coupons = [
        issue(
            session=session,
            template=template,
            member=members[template.brand_id],
            now=now,
            channel=_channel(package),
            package_claim_id=claim_id,
        )
        for template in templates
    ]
    _count_package(session, package)
    return coupons


def _channel(package: CouponPackage) -> ClaimChannel:
    """A district's package is claimed on its district page; the others in the cloud store."""
    if package.kind == PackageKind.DISTRICT.value:
        return ClaimChannel.DISTRICT_PAGE
    return ClaimChannel.CLOUD_STORE


def _consumer(session: Session, scope: Scope) -> int:
    if scope.actor_type != "consumer":
        raise promotion_errors.MemberRequired("A consumer claims a package for themself.")
    consumer_id = members_service.live_consumer_id(session=session, consumer_id=scope.actor_id or 0)
    if consumer_id is None:
        raise promotion_errors.MemberRequired()
    return consumer_id


def _claim_row(session: Session, package_id: int, consumer_id: int, now: datetime) -> int:
    claim_id: int | None = session.scalar(
        upserts.insert(session, PackageClaim)
        .values(package_id=package_id, consumer_id=consumer_id, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["package_id", "consumer_id"])
        .returning(PackageClaim.id)
    )
    if claim_id is None:
        raise errors.PackageAlreadyClaimed()
    return claim_id


def _picked_templates(session: Session, package_id: int) -> list[CouponTemplate]:
    return list(
        session.scalars(
            select(CouponTemplate)
            .join(PackageCandidate, PackageCandidate.template_id == CouponTemplate.id)
            .where(PackageCandidate.package_id == package_id, PackageCandidate.picked.is_(True))
            .order_by(CouponTemplate.id)
        )
    )


def _memberships(
    session: Session, scope: Scope, consumer_id: int, brands: set[int]
) -> dict[int, Membership]:
    """The consumer's membership of each brand, joining the brands they are new to."""
    members: dict[int, Membership] = {}
    for brand_id in sorted(brands):
        member = members_service.find_membership(
            session=session, brand_id=brand_id, consumer_id=consumer_id
        )
        if member is None:
            data = MemberCreate(brand_id=brand_id, channel=members_service.JoinChannel.ONLINE)
            member = members_service.join(session=session, scope=scope, data=data).member
        members[brand_id] = member
    return members


def _count_package(session: Session, package: CouponPackage) -> None:
    p = CouponPackage
    counted = session.execute(
        update(p)
        .where(
            p.id == package.id,
            (p.total_quantity.is_(None)) | (p.claimed < p.total_quantity),
        )
        .values(claimed=p.claimed + 1)
        .returning(p.claimed)
        .execution_options(**_NO_SYNC)
    ).first()
    if counted is None:
        raise errors.PackagesExhausted()


def claimed_by(*, session: Session, consumer_id: int, package_ids: Sequence[int]) -> set[int]:
    """Which of ``package_ids`` the consumer has claimed."""
    if not package_ids:
        return set()
    return set(
        session.scalars(
            select(PackageClaim.package_id).where(
                PackageClaim.consumer_id == consumer_id,
                PackageClaim.package_id.in_(package_ids),
            )
        )
    )
