"""Small worlds for the notifier's tests: a brand with a guide and members with consents."""

from datetime import UTC, datetime

from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.schemas import Consents
from tests import builders
from tests import member_builders as mb

# A Tuesday noon in Shanghai: outside any quiet hours the tests set.
NOON = datetime(2026, 12, 15, 4, 0, tzinfo=UTC)


def member(
    database: Database,
    world: builders.BrandWorld,
    *,
    marketing: bool = False,
    sms: bool = False,
    guide_id: int | None = None,
) -> tuple[int, int]:
    """A member of the world's east store and guide: (member id, consumer id)."""
    member_id = mb.member(database, world, guide_id=guide_id)
    with database.transaction() as session:
        members_service.update_consents(
            session=session,
            scope=SYSTEM,
            member_id=member_id,
            consents=Consents(marketing=marketing, sms=sms),
        )
    return member_id, mb.consumer_of(database, member_id)
