"""/analytics/audiences/{id}/sends: coupons and marketing messages to the members now in an
audience who accept marketing, once per member under the send's key."""

from fastapi import APIRouter

from newretail.analytics.outreach import service as outreach
from newretail.analytics.outreach.schemas import AudienceSendCreate, AudienceSendRead
from newretail.db import utcnow
from newretail.kernel.http import ScopeDep, SessionDep

router = APIRouter(prefix="/analytics/audiences", tags=["analytics"])


@router.post("/{audience_id}/sends", response_model=AudienceSendRead)
def send(
    audience_id: int, data: AudienceSendCreate, session: SessionDep, scope: ScopeDep
) -> AudienceSendRead:
    """Give each member the coupon (``coupon_template_id``) and/or the ``message``.

    Asked again under the same ``key``, nobody is given anything twice. A member refused
    (a coupon run out, a limit reached, no consent) is given nothing and counted in
    ``skipped`` under the reason. 404 coupon_template_not_found (none in the brand),
    422 invalid_audience_send (a message template that does not exist or takes other
    variables).
    """
    tally = outreach.send_to_audience(
        session=session, scope=scope, audience_id=audience_id, data=data, now=utcnow()
    )
    return AudienceSendRead(
        audience_id=audience_id,
        key=data.key,
        members=tally.members,
        reached=tally.reached,
        coupons=tally.coupons,
        messages=tally.messages,
        skipped=dict(tally.skipped),
    )
