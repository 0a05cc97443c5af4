"""An audience taken out: a CSV of who is in it, or a signed push to an ad platform.

The push is an outbox event, ``audience.exported``, in parts of at most ``PART_SIZE``
member ids; the integrations' webhook fan-out delivers it to the brand's endpoints that
subscribe to it, signed (HMAC, ``integrations.rules``) and retried like every webhook.
Only members who accept marketing are pushed: an ad platform is marketing.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from newretail.analytics.audiences.definitions import get_audience
from newretail.analytics.audiences.membership import current_members, target_member_ids
from newretail.analytics.reports.access import analysed_brand
from newretail.kernel.scope import Scope
from newretail.outbox import service as outbox_service

EXPORTED = "audience.exported"
PART_SIZE = 5_000


def csv_rows(*, session: Session, scope: Scope, audience_id: int) -> list[list[object]]:
    rows = current_members(session=session, scope=scope, audience_id=audience_id)
    header: list[object] = ["person_id", "member_id", "marketing_consent", "entered_at"]
    return [header] + [
        [r.person_id, r.member_id, r.marketing_consent, r.entered_at.isoformat()] for r in rows
    ]


def push(*, session: Session, scope: Scope, audience_id: int, now: datetime) -> int:
    """Queue the signed push of the audience's members; answers the number of parts."""
    audience = get_audience(session=session, scope=scope, audience_id=audience_id)
    analysed_brand(scope, audience.brand_id)
    ids = target_member_ids(session=session, scope=scope, audience_id=audience_id)
    parts = [ids[i : i + PART_SIZE] for i in range(0, len(ids), PART_SIZE)] or [[]]
    for n, part in enumerate(parts, start=1):
        outbox_service.record(
            session=session,
            brand_id=audience.brand_id,
            type=EXPORTED,
            resource_type="audience",
            resource_id=audience.id,
            payload={
                "audience_id": audience.id,
                "name": audience.name,
                "exported_at": now.isoformat(),
                "computed_at": audience.computed_at.isoformat() if audience.computed_at else None,
                "part": n,
                "parts": len(parts),
                "size": len(ids),
                "member_ids": part,
            },
        )
    return len(parts)
