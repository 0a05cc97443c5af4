"""The console's task form read into a ``TaskCreate``: targets are one checkbox each
(``region_3``, ``store_7``, ``guide_12``) and a brand admin's choice of audience (``audience``,
for a member follow-up), the deadline a local date and time in the brand's
time zone, and a training quiz one question a line: ``Question | option | *right option``.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from newretail.kernel.i18n import N_
from newretail.kernel.scope import Scope
from newretail.workbench.schemas import TaskCreate

KIND_LABELS = {
    "recruitment": N_("Member recruitment"),
    "promotion": N_("Promotion execution"),
    "training": N_("Training"),
    "stock_count": N_("Stock count"),
    "follow_up": N_("Member follow-up"),
}
STATE_LABELS = {
    "delivered": N_("Delivered"),
    "read": N_("Read"),
    "started": N_("Started"),
    "done": N_("Done"),
    "overdue": N_("Overdue"),
}
MAX_QUIZ_LINES = 30


def checked_ids(fields: dict[str, str], prefix: str) -> list[int]:
    ids = []
    for name, value in fields.items():
        tail = name.removeprefix(prefix + "_")
        if name.startswith(prefix + "_") and tail.isdigit() and value:
            ids.append(int(tail))
    return sorted(ids)


def local_datetime(text: str, timezone: str) -> str:
    """A ``datetime-local`` value in ``timezone`` as ISO 8601 with its offset (or as typed,
    for the schema to refuse)."""
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    if naive.tzinfo is None:
        naive = naive.replace(tzinfo=ZoneInfo(timezone))
    return naive.isoformat()


def parse_quiz(text: str) -> list[dict[str, object]]:
    """``Question | option | *right option`` lines as quiz questions (the star marks the
    right one; a line without one is left for the schema to refuse)."""
    questions: list[dict[str, object]] = []
    for line in text.splitlines()[:MAX_QUIZ_LINES]:
        parts = [part.strip() for part in line.split("|")]
        if not parts[0]:
            continue
        options = parts[1:]
        answer = next((n for n, option in enumerate(options) if option.startswith("*")), -1)
        questions.append(
            {
                "question": parts[0],
                "options": [option.lstrip("*").strip() for option in options],
                "answer": answer,
            }
        )
    return questions


def task_input(fields: dict[str, str], *, brand_id: int, timezone: str, scope: Scope) -> TaskCreate:
    goal = fields.get("goal", "").strip()
    return TaskCreate.model_validate(
        {
            "brand_id": brand_id if scope.is_platform else None,
            "kind": fields.get("kind", ""),
            "title": fields.get("title", ""),
            "body": fields.get("body", ""),
            "goal": goal or None,
            "quiz": parse_quiz(fields.get("quiz", "")),
            "due_at": local_datetime(fields.get("due_at", ""), timezone),
            "targets": {
                "regions": checked_ids(fields, "region"),
                "stores": checked_ids(fields, "store"),
                "guides": checked_ids(fields, "guide"),
                "audience_id": fields.get("audience") or None,
            },
        }
    )
