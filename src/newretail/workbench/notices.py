"""What the workbench tells people, through the notifier: a task's assignees when it is
delivered, a DING's recipients when it is sent, and each escalation step of an unread DING.

    task delivered   the task's notice in each assignee's inbox (and work messenger)
    DING sent        an urgent notice to each recipient
    reminder         the DING again, urgent, in the inbox
    sms              the DING by text message where the notifier may text the person, else
                     on the brand's work messengers; always in the inbox too
    manager          a notice to the recipient's manager that the DING is still unread

Each notice is sent in the same transaction as the change it tells of (the task, the
DING, the receipt's step), so a retried job cannot send a step twice. The channels a step
actually reached are kept on the DING's receipt.
"""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from newretail.notify import service as notify_service
from newretail.notify.service import Recipient
from newretail.org import service as org_service
from newretail.workbench import people
from newretail.workbench.models import Ding, DingReceipt, Task
from newretail.workbench.rules import Escalation

TASK = notify_service.register_template(
    "workbench.task",
    zh=("新任务：{title}", "{sender}给你派了任务「{title}」，请在 {due} 前完成。"),
    en=("New task: {title}", "{sender} sent you the task “{title}”; it is due by {due}."),
)
DING = notify_service.register_template(
    "workbench.ding",
    zh=("DING · {sender}", "{sender}：{body}"),
    en=("DING from {sender}", "{sender}: {body}"),
)
REMINDER = notify_service.register_template(
    "workbench.ding_reminder",
    zh=("DING 未读提醒 · {sender}", "你还没有读{sender}的 DING：{body}"),
    en=("Unread DING from {sender}", "You have not read {sender}'s DING yet: {body}"),
)
ESCALATED = notify_service.register_template(
    "workbench.ding_escalated",
    zh=("{person}未读 DING", "{person}还没有读{sender}的 DING：{body}"),
    en=("{person} has not read a DING", "{person} has not read {sender}'s DING: {body}"),
)
WORK_MESSENGERS = ("dingtalk", "wecom")


def _staff(ids: Sequence[int]) -> list[Recipient]:
    return [Recipient("staff", person) for person in ids]


def _sms_step(session: Session, brand_id: int) -> list[str]:
    """The text-message step: SMS where the notifier may text the person, the brand's work
    messengers where it set them up, and the inbox."""
    configured = {
        c.value for c in notify_service.configured_channels(session=session, brand_id=brand_id)
    }
    return ["sms", *(c for c in WORK_MESSENGERS if c in configured), "inapp"]


def task_delivered(
    *, session: Session, task: Task, assignee_ids: Sequence[int], now: datetime
) -> None:
    """Each assignee hears of the new task (a service notice from the system)."""
    if not assignee_ids:
        return
    sender = people.names(session=session, staff_ids=[task.created_by_id or 0]).get(
        task.created_by_id or 0, ""
    )
    notify_service.send(
        session=session,
        brand_id=task.brand_id,
        recipients=_staff(assignee_ids),
        template=TASK.key,
        variables={
            "title": task.title,
            "sender": sender or "HQ",
            "due": _local(session, task.brand_id, task.due_at),
        },
        purpose="service",
        now=now,
        data={"kind": "task", "task_id": task.id},
    )


def _local(session: Session, brand_id: int, at: datetime) -> str:
    """``at`` on the brand's clock, as a person reads a deadline."""
    brand = org_service.live_brand(session=session, brand_id=brand_id)
    zone = ZoneInfo(brand.timezone if brand is not None else "Asia/Shanghai")
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _sender(session: Session, ding: Ding) -> str:
    return people.names(session=session, staff_ids=[ding.sender_id]).get(ding.sender_id, "")


def ding_sent(*, session: Session, ding: Ding, recipient_ids: Sequence[int], now: datetime) -> None:
    """Each recipient gets the DING at once, as an urgent notice."""
    notify_service.send(
        session=session,
        brand_id=ding.brand_id,
        recipients=_staff(recipient_ids),
        template=DING.key,
        variables={"sender": _sender(session, ding), "body": ding.body},
        purpose="urgent",
        sender_staff_id=ding.sender_id,
        now=now,
        data={"kind": "ding", "ding_id": ding.id},
    )


def ding_escalated(
    *,
    session: Session,
    ding: Ding,
    receipt: DingReceipt,
    step: Escalation,
    manager_ids: Sequence[int],
    now: datetime,
) -> list[str]:
    """One escalation step of an unread receipt; the channels it reached."""
    sender = _sender(session, ding)
    data = {"kind": "ding", "ding_id": ding.id}
    if step is Escalation.MANAGER:
        if not manager_ids:
            return []
        person = people.names(session=session, staff_ids=[receipt.recipient_id])
        sent = notify_service.send(
            session=session,
            brand_id=ding.brand_id,
            recipients=_staff(manager_ids),
            template=ESCALATED.key,
            variables={
                "person": person.get(receipt.recipient_id, ""),
                "sender": sender,
                "body": ding.body,
            },
            purpose="urgent",
            now=now,
            data=data,
        )
    else:
        sent = notify_service.send(
            session=session,
            brand_id=ding.brand_id,
            recipients=_staff([receipt.recipient_id]),
            template=REMINDER.key,
            variables={"sender": sender, "body": ding.body},
            purpose="urgent",
            channels=_sms_step(session, ding.brand_id) if step is Escalation.SMS else ("inapp",),
            now=now,
            data=data,
        )
    return sorted({message.channel for message in sent})
