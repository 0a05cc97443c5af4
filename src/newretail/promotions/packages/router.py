"""/coupon-packages: the platform operator drafts, reviews and publishes packages; consumers
claim a whole package at once."""

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from newretail.kernel.http import (
    ApiRoute,
    Cursor,
    IdempotencyKey,
    Limit,
    ScopeDep,
    SessionDep,
    idempotent,
)
from newretail.kernel.schemas import Page
from newretail.kernel.scope import Scope
from newretail.promotions.packages import service
from newretail.promotions.packages.models import CouponPackage, PackageStatus
from newretail.promotions.packages.schemas import (
    CandidateRead,
    PackageClaimRead,
    PackageCreate,
    PackageRead,
    PackageUpdate,
)
from newretail.promotions.schemas import CouponRead

router = APIRouter(prefix="/coupon-packages", tags=["coupon packages"], route_class=ApiRoute)


def _read(session: Session, scope: Scope, package: CouponPackage) -> PackageRead:
    candidates = service.candidates_of(session=session, scope=scope, package=package)
    return PackageRead.model_validate(
        {
            **{c.name: getattr(package, c.name) for c in CouponPackage.__table__.columns},
            "candidates": [CandidateRead.model_validate(c) for c in candidates],
        }
    )


@router.post("", response_model=PackageRead, status_code=status.HTTP_201_CREATED)
def create_package(data: PackageCreate, session: SessionDep, scope: ScopeDep) -> PackageRead:
    """A draft package (platform operator), assembled at once: the optimiser's picks and
    a reason for every candidate left out."""
    package = service.create_package(session=session, scope=scope, data=data)
    return _read(session, scope, package)


@router.get("", response_model=Page[PackageRead])
def list_packages(
    session: SessionDep,
    scope: ScopeDep,
    status: PackageStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[PackageRead]:
    """The platform sees every package; others the published ones open for claims."""
    rows, next_cursor = service.list_packages(
        session=session, scope=scope, status=status, cursor=cursor, limit=limit
    )
    return Page(items=[_read(session, scope, r) for r in rows], next_cursor=next_cursor)


@router.get("/{package_id}", response_model=PackageRead)
def get_package(package_id: int, session: SessionDep, scope: ScopeDep) -> PackageRead:
    package = service.get_package(session=session, scope=scope, package_id=package_id)
    return _read(session, scope, package)


@router.patch("/{package_id}", response_model=PackageRead)
def update_package(
    package_id: int, data: PackageUpdate, session: SessionDep, scope: ScopeDep
) -> PackageRead:
    """Change a draft; it is assembled again."""
    package = service.update_package(session=session, scope=scope, package_id=package_id, data=data)
    return _read(session, scope, package)


@router.post("/{package_id}/assemble", response_model=PackageRead)
def assemble(package_id: int, session: SessionDep, scope: ScopeDep) -> PackageRead:
    """Assemble a draft again (its templates' figures may have changed)."""
    package = service.assemble(session=session, scope=scope, package_id=package_id)
    return _read(session, scope, package)


@router.post("/{package_id}/publish", response_model=PackageRead)
def publish(package_id: int, session: SessionDep, scope: ScopeDep) -> PackageRead:
    """409 package_empty (nothing picked), package_stale (a template changed since)."""
    package = service.publish(session=session, scope=scope, package_id=package_id)
    return _read(session, scope, package)


@router.post("/{package_id}/close", response_model=PackageRead)
def close(package_id: int, session: SessionDep, scope: ScopeDep) -> PackageRead:
    package = service.close(session=session, scope=scope, package_id=package_id)
    return _read(session, scope, package)


@router.post(
    "/{package_id}/claim", response_model=PackageClaimRead, status_code=status.HTTP_201_CREATED
)
def claim(
    package_id: int, session: SessionDep, scope: ScopeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """A consumer claims every benefit of the package at once, joining the brands they are
    new to; all or nothing. 409 package_already_claimed, packages_exhausted,
    package_closed, or the refusal of the benefit that cannot be issued."""

    def work() -> tuple[int, PackageClaimRead]:
        coupons = service.claim_package(session=session, scope=scope, package_id=package_id)
        return 201, PackageClaimRead(
            package_id=package_id, coupons=[CouponRead.model_validate(c) for c in coupons]
        )

    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation=f"POST /coupon-packages/{package_id}/claim",
        payload={"package_id": package_id},
        work=work,
    )
