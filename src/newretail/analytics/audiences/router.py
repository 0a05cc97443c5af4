"""/analytics/audiences: rule-built segments of a brand's people, who is in them (and who
entered or left when), recomputed on demand, exported as CSV or pushed signed to an ad
platform (to the brand's webhooks subscribed to ``audience.exported``)."""

from fastapi import APIRouter, status
from fastapi.responses import Response

from newretail.analytics.audiences import service as audiences
from newretail.analytics.audiences.schemas import (
    AudienceCreate,
    AudienceRead,
    AudienceUpdate,
    MembershipRead,
    PushRead,
)
from newretail.analytics.reports import csvfile
from newretail.analytics.reports.deps import BrandParam, WarehouseDep
from newretail.db import utcnow
from newretail.kernel.http import ApiRoute, ScopeDep, SessionDep

router = APIRouter(prefix="/analytics/audiences", tags=["analytics"], route_class=ApiRoute)


@router.get("", response_model=list[AudienceRead])
def list_audiences(
    session: SessionDep, scope: ScopeDep, brand_id: BrandParam = None
) -> list[AudienceRead]:
    """The brand's live audiences and their sizes at the last recompute."""
    rows = audiences.list_audiences(session=session, scope=scope, brand_id=brand_id)
    return [AudienceRead.model_validate(r) for r in rows]


@router.post("", response_model=AudienceRead, status_code=status.HTTP_201_CREATED)
def create_audience(data: AudienceCreate, session: SessionDep, scope: ScopeDep) -> AudienceRead:
    """A new audience; the worker fills it after the next sync (or ask ``/refresh``)."""
    row = audiences.create_audience(
        session=session,
        scope=scope,
        brand_id=data.brand_id,
        name=data.name,
        rule=data.audience_rule(),
    )
    return AudienceRead.model_validate(row)


@router.get("/{audience_id}", response_model=AudienceRead)
def get_audience(audience_id: int, session: SessionDep, scope: ScopeDep) -> AudienceRead:
    row = audiences.get_audience(session=session, scope=scope, audience_id=audience_id)
    return AudienceRead.model_validate(row)


@router.patch("/{audience_id}", response_model=AudienceRead)
def update_audience(
    audience_id: int, data: AudienceUpdate, session: SessionDep, scope: ScopeDep
) -> AudienceRead:
    row = audiences.update_audience(
        session=session,
        scope=scope,
        audience_id=audience_id,
        name=data.name,
        rule=data.audience_rule(),
    )
    return AudienceRead.model_validate(row)


@router.delete("/{audience_id}", status_code=status.HTTP_204_NO_CONTENT)
def archive_audience(audience_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    audiences.archive_audience(session=session, scope=scope, audience_id=audience_id, now=utcnow())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{audience_id}/refresh", response_model=AudienceRead)
def refresh(
    audience_id: int, session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep
) -> AudienceRead:
    """Recompute who is in the audience now."""
    row = audiences.refresh(
        session=session, scope=scope, warehouse=warehouse, audience_id=audience_id, now=utcnow()
    )
    return AudienceRead.model_validate(row)


@router.get("/{audience_id}/members", response_model=list[MembershipRead])
def members(audience_id: int, session: SessionDep, scope: ScopeDep) -> list[MembershipRead]:
    """Who is in the audience now."""
    rows = audiences.current_members(session=session, scope=scope, audience_id=audience_id)
    return [MembershipRead.model_validate(r) for r in rows]


@router.get("/{audience_id}/members.csv", response_class=Response)
def members_csv(audience_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    rows = audiences.csv_rows(session=session, scope=scope, audience_id=audience_id)
    return csvfile.response(f"audience-{audience_id}.csv", rows)


@router.get("/{audience_id}/history", response_model=list[MembershipRead])
def history(audience_id: int, session: SessionDep, scope: ScopeDep) -> list[MembershipRead]:
    """Every entry and exit, oldest first."""
    rows = audiences.history(session=session, scope=scope, audience_id=audience_id)
    return [MembershipRead.model_validate(r) for r in rows]


@router.post("/{audience_id}/push", response_model=PushRead, status_code=status.HTTP_202_ACCEPTED)
def push(audience_id: int, session: SessionDep, scope: ScopeDep) -> PushRead:
    """Queue a signed push of the members who accept marketing to the brand's webhooks."""
    parts = audiences.push(session=session, scope=scope, audience_id=audience_id, now=utcnow())
    return PushRead(audience_id=audience_id, parts=parts)
