"""Pure rules of the workbench: task states, roll-ups, target periods and credit, DING
escalation steps and the attribution window of a content share.

A task assignee's state moves one way::

    delivered ──read──▶ read ──start──▶ started ──done──▶ done
        │                 │                │
        └────────── due_at passes (the worker) ──▶ overdue ──done──▶ done

Reading never moves a state backwards; ``overdue`` is set only by the worker job, never by
whoever reads the task. A late assignee may still finish (``done`` after ``overdue``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class TaskKind(StrEnum):
    RECRUITMENT = "recruitment"
    PROMOTION = "promotion"
    TRAINING = "training"
    STOCK_COUNT = "stock_count"
    FOLLOW_UP = "follow_up"  # reach the members of an audience bound to you


class State(StrEnum):
    DELIVERED = "delivered"
    READ = "read"
    STARTED = "started"
    DONE = "done"
    OVERDUE = "overdue"


OPEN_STATES = frozenset({State.DELIVERED, State.READ, State.STARTED})


def after_read(state: State) -> State:
    """Reading a delivered task marks it read; any later state stays as it is."""
    return State.READ if state is State.DELIVERED else state


def after_start(state: State) -> State:
    """Starting moves a delivered or read task to started; later states stay (an overdue
    task stays overdue until done)."""
    return State.STARTED if state in (State.DELIVERED, State.READ) else state


def can_finish(state: State) -> bool:
    return state is not State.DONE


def quiz_score(quiz: list[dict[str, object]], answers: list[int]) -> int:
    """Percent of the quiz's questions answered with their right option (0-100)."""
    if not quiz:
        return 100
    right = sum(
        1
        for n, question in enumerate(quiz)
        if n < len(answers) and answers[n] == question.get("answer")
    )
    return right * 100 // len(quiz)


PASS_MARK = 60


# ---- progress roll-up -------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    total: int = 0
    read: int = 0
    done: int = 0
    overdue: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            self.total + other.total,
            self.read + other.read,
            self.done + other.done,
            self.overdue + other.overdue,
        )

    @property
    def percent_done(self) -> int:
        return self.done * 100 // self.total if self.total else 0


def tally(states: Iterable[State]) -> Tally:
    """The counts of a set of assignee states (read counts whoever has opened the task)."""
    total = read = done = overdue = 0
    for state in states:
        total += 1
        read += state is not State.DELIVERED
        done += state is State.DONE
        overdue += state is State.OVERDUE
    return Tally(total, read, done, overdue)


def roll_up(own: Mapping[int, Tally], parent_of: Mapping[int, int | None]) -> dict[int, Tally]:
    """Each region's tally with every region below it added in (a region's own assignees are
    those of its stores)."""
    totals: dict[int, Tally] = {region: Tally() for region in parent_of}
    for region, counts in own.items():
        seen: set[int] = set()
        node: int | None = region
        while node is not None and node not in seen:
            seen.add(node)
            totals[node] = totals.get(node, Tally()) + counts
            node = parent_of.get(node)
    return totals


# ---- targets ----------------------------------------------------------------------------


class Metric(StrEnum):
    SALES = "sales"
    NEW_MEMBERS = "new_members"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def period_start(period: Period, day: date) -> date:
    """The first day of the period holding ``day`` (weeks start on Monday)."""
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return day


def period_end(period: Period, start: date) -> date:
    """The first day after the period that starts on ``start``."""
    if period is Period.WEEK:
        return start + timedelta(days=7)
    if period is Period.MONTH:
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def utc_bounds(period: Period, start: date, timezone: str) -> tuple[datetime, datetime]:
    """The period's start and end as UTC instants, its days in the store's time zone."""
    zone = ZoneInfo(timezone)
    end = period_end(period, start)
    return (
        datetime.combine(start, time(), zone).astimezone(ZoneInfo("UTC")),
        datetime.combine(end, time(), zone).astimezone(ZoneInfo("UTC")),
    )


IN_STORE_CHANNELS = frozenset({"pos"})


def credited_store(channel: str, store_id: int, bound_store_id: int | None) -> int:
    """The store a sale counts for: a till sale for its store; any other channel for the
    member's bound store when there is one (a member's online purchase is their store's)."""
    if channel in IN_STORE_CHANNELS or bound_store_id is None:
        return store_id
    return bound_store_id


def credited_guide(referring_guide_id: int | None, bound_guide_id: int | None) -> int | None:
    """The guide a sale counts for: the one who referred it, else the member's own guide."""
    return referring_guide_id if referring_guide_id is not None else bound_guide_id


def percent(actual: int, goal: int) -> int:
    return actual * 100 // goal if goal > 0 else 0


def expected_percent(now: datetime, start: datetime, end: datetime) -> int:
    """How far through its period a target is at ``now`` (pace line for progress bars)."""
    if now <= start:
        return 0
    if now >= end:
        return 100
    return int((now - start) / (end - start) * 100)


# ---- DING escalation --------------------------------------------------------------------


class Escalation(StrEnum):
    REMINDER = "reminder"  # a second in-app notice
    SMS = "sms"
    MANAGER = "manager"


LADDER = (Escalation.REMINDER, Escalation.SMS, Escalation.MANAGER)


def next_step(level: int) -> Escalation | None:
    """The escalation after ``level`` steps already taken; None when the ladder is done."""
    return LADDER[level] if level < len(LADDER) else None


def next_due(now: datetime, minutes: int, level_after: int) -> datetime | None:
    """When an unread receipt next escalates, or None once the ladder is climbed."""
    return now + timedelta(minutes=minutes) if level_after < len(LADDER) else None


# ---- content attribution ----------------------------------------------------------------

ATTRIBUTION_DAYS = 7


def within_window(views: Iterable[datetime], paid_at: datetime) -> bool:
    """A sale follows a share when the buyer's side viewed it no more than the window before
    paying (any view counts, the last one before payment decides)."""
    before = [view for view in views if view <= paid_at]
    return bool(before) and paid_at - max(before) <= timedelta(days=ATTRIBUTION_DAYS)
