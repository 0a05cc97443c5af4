"""What the notifier holds for a person, for workbench tests."""

from sqlalchemy import select

from newretail.db import Database
from newretail.notify.models import NotifyMessage


def templates_of(database: Database, staff_id: int) -> list[tuple[str, str]]:
    """(template, channel) of every message sent to a member of staff, oldest first."""
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(NotifyMessage.template, NotifyMessage.channel)
            .where(NotifyMessage.recipient_kind == "staff", NotifyMessage.recipient_id == staff_id)
            .order_by(NotifyMessage.id)
        )
        return [(template, channel) for template, channel in rows]
