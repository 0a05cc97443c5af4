"""What the workbench tells people, and through which channel: a task's assignees when it
is delivered, a DING's recipients when it is sent, and each escalation step (a second
notice, an SMS, the manager).

Delivery goes through the notifier; until it is wired in, these record nothing beyond the
workbench's own rows (assignments, receipts and their escalation steps).
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from newretail.workbench.models import Ding, DingReceipt, Task
from newretail.workbench.rules import Escalation


def task_delivered(
    *, session: Session, task: Task, assignee_ids: Sequence[int], now: datetime
) -> None:
    """Each assignee hears of the new task."""


def ding_sent(*, session: Session, ding: Ding, recipient_ids: Sequence[int], now: datetime) -> None:
    """Each recipient gets the DING at once, as an urgent notice."""


def ding_escalated(
    *,
    session: Session,
    ding: Ding,
    receipt: DingReceipt,
    step: Escalation,
    manager_ids: Sequence[int],
    now: datetime,
) -> None:
    """One escalation step of an unread receipt."""
