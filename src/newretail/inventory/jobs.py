"""Background work of the inventory, run by ``newretail.worker``."""

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.inventory import reservations

BATCH = 500


def release_expired_reservations(database: Database, settings: Settings) -> int:
    """Expire one batch of lapsed reservations, giving their units back; returns how many."""
    with database.transaction() as session:
        return reservations.expire_due(session=session, now=utcnow(), limit=BATCH)
