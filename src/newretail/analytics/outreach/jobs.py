"""The worker's job for sends to an audience: one chunk of members of the oldest running
send a round."""

from newretail.analytics.outreach.sending import advance_next, any_running
from newretail.config import Settings
from newretail.db import Database, utcnow


def give_audience_sends(database: Database, settings: Settings, /) -> int:
    """Gives the next chunk of the oldest send still running; answers the members walked."""
    with database.transaction(read_only=True) as session:
        if not any_running(session=session):
            return 0  # the usual round: a read, no writer taken
    with database.transaction() as session:
        return advance_next(session=session, now=utcnow())
