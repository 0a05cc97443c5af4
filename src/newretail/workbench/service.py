"""The workbench's use cases (import only this): tasks, targets, the content centre, DINGs.

    tasks.py     sending tasks to regions, stores and guides; an assignee's steps; overdue
    audience_tasks.py
                 tasks aimed at an audience: the guides bound to its members, each with
                 the members they serve, listed on the guide's page (``members_to_reach``)
    progress.py  a task's live progress by store and rolled up the region tree
    targets.py   sales and new-member targets per store and guide, with live actuals
    content.py   HQ content, guides' signed share links, views, claims and sales per share
    dings.py     urgent messages with read receipts and escalation, down and up
    people.py    who works where: guides and managers of stores, a person's managers
    queries.py   read-only figures: sign-ups, sales by store and guide, referred orders
    notices.py   what is sent to whom, through the notifier

Pure rules (task states, roll-ups, periods, credit, the escalation ladder) are in
``rules.py``. Worker jobs: ``mark_overdue_job`` and ``escalate_dings_job``.
"""

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.workbench.audience_tasks import MemberToReach, members_to_reach
from newretail.workbench.content import (
    Link,
    Shared,
    ShareStats,
    get_content,
    list_content,
    my_share,
    publish,
    record_event,
    share,
    share_path,
    share_stats,
    shared,
)
from newretail.workbench.dings import escalate, get_ding, list_dings, receipts, send, send_up
from newretail.workbench.dings import mark_read as read_ding
from newretail.workbench.images import store_picture
from newretail.workbench.people import managers_of, names
from newretail.workbench.progress import RegionProgress, StoreProgress, TaskProgress, task_progress
from newretail.workbench.targets import (
    TargetProgress,
    current_progress,
    delete_target,
    get_target,
    put_target,
)
from newretail.workbench.tasks import (
    assignments,
    create_task,
    finish,
    get_task,
    list_tasks,
    mark_overdue,
    mark_read,
    my_assignment,
    my_tasks,
    recruited,
    start,
    tallies,
)

__all__ = [
    "Link",
    "MemberToReach",
    "RegionProgress",
    "ShareStats",
    "Shared",
    "StoreProgress",
    "TargetProgress",
    "TaskProgress",
    "assignments",
    "create_task",
    "current_progress",
    "delete_target",
    "escalate",
    "escalate_dings_job",
    "finish",
    "get_content",
    "get_ding",
    "get_target",
    "get_task",
    "list_content",
    "list_dings",
    "list_tasks",
    "managers_of",
    "mark_overdue",
    "mark_overdue_job",
    "mark_read",
    "members_to_reach",
    "my_assignment",
    "my_share",
    "my_tasks",
    "names",
    "publish",
    "put_target",
    "read_ding",
    "receipts",
    "record_event",
    "recruited",
    "send",
    "send_up",
    "share",
    "share_path",
    "share_stats",
    "shared",
    "start",
    "store_picture",
    "tallies",
    "task_progress",
]


def mark_overdue_job(database: Database, settings: Settings) -> int:
    """Worker job: open task assignments past their deadline become overdue."""
    with database.transaction() as session:
        return mark_overdue(session=session, now=utcnow())


def escalate_dings_job(database: Database, settings: Settings) -> int:
    """Worker job: unread DINGs climb their escalation ladder."""
    with database.transaction() as session:
        return escalate(session=session, now=utcnow())
