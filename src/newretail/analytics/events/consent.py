"""A member who refuses analytics keeps no events, under whichever key they were kept.

``ingest`` keeps none that such a member sends, nor any sent under an anonymous id they
hold. What was kept before (before they withdrew consent, or joined refusing it, or before
an anonymous id was known to be theirs) is found by the warehouse sync, which deletes it from
its copy and, through ``forget``, from the intake: one mechanism for every way a person comes
to refuse, and deleting twice changes nothing.
"""

from collections.abc import Collection

from sqlalchemy import delete
from sqlalchemy.orm import Session

from newretail.analytics.events.models import AnalyticsEvent


def forget(*, session: Session, brand_id: int, person_keys: Collection[str]) -> int:
    """Delete the brand's intake events kept under ``person_keys``; how many there were."""
    ordered = sorted(set(person_keys))
    deleted = 0
    for start in range(0, len(ordered), 500):
        result = session.execute(
            delete(AnalyticsEvent).where(
                AnalyticsEvent.brand_id == brand_id,
                AnalyticsEvent.person_key.in_(ordered[start : start + 500]),
            )
        )
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted
