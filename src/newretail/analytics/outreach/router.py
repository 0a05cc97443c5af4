"""/analytics/audiences/{id}/sends: coupons and marketing messages to the members now in an
audience who accept marketing, once per member under the send's key."""

from fastapi import APIRouter, Response, status

from newretail.analytics.outreach import service as outreach
from newretail.analytics.outreach.schemas import AudienceSendCreate, AudienceSendRead, SendStatus
from newretail.db import utcnow
from newretail.kernel.http import ApiRoute, ScopeDep, SessionDep

router = APIRouter(prefix="/analytics/audiences", tags=["analytics"], route_class=ApiRoute)


@router.post(
    "/{audience_id}/sends",
    response_model=AudienceSendRead,
    responses={202: {"model": AudienceSendRead, "description": "Started; the worker goes on."}},
)
def send(
    audience_id: int,
    data: AudienceSendCreate,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
) -> AudienceSendRead:
    """Give each member the coupon (``coupon_template_id``) and/or the ``message``.

    The first members are given it before the answer; 200 with ``status: done`` when that
    was all of them, else 202 with ``status: running`` while the worker gives the rest, a
    chunk at a time (follow it at ``GET .../sends/{id}``). Asked again under the same
    ``key`` while it runs, the running send is answered; once done, nobody is given
    anything twice. A member refused (a coupon run out, a limit reached, no consent) is
    given nothing and counted in ``skipped`` under the reason. 404
    coupon_template_not_found (none in the brand), 422 invalid_audience_send (a message
    template that does not exist or takes other variables).
    """
    run = outreach.send_to_audience(
        session=session, scope=scope, audience_id=audience_id, data=data, now=utcnow()
    )
    if run.status == SendStatus.RUNNING:
        response.status_code = status.HTTP_202_ACCEPTED
    return AudienceSendRead.model_validate(run)


@router.get("/{audience_id}/sends", response_model=list[AudienceSendRead])
def sends(audience_id: int, session: SessionDep, scope: ScopeDep) -> list[AudienceSendRead]:
    """The audience's sends, newest first, with what each gave so far."""
    runs = outreach.list_runs(session=session, scope=scope, audience_id=audience_id)
    return [AudienceSendRead.model_validate(run) for run in runs]


@router.get("/{audience_id}/sends/{send_id}", response_model=AudienceSendRead)
def one_send(
    audience_id: int, send_id: int, session: SessionDep, scope: ScopeDep
) -> AudienceSendRead:
    """One send: ``running`` until every member was walked, and what it gave so far."""
    run = outreach.get_run(session=session, scope=scope, audience_id=audience_id, send_id=send_id)
    return AudienceSendRead.model_validate(run)
