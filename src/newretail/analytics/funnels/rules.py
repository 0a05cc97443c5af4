"""What a funnel is and how its counts are read: pure, no warehouse.

A funnel is a list of steps, each a set of event names (empty: any event) and optionally of
channels. A person enters at their **first** event of step 1 in the period; the conversion
window runs from that moment.

- ``strict`` order: step k counts when it happens at or after step k-1 (the earliest such
  event is taken, which never loses a deeper path), still inside the window.
- ``any`` order: the window runs from the person's first event of any step in the period,
  and step k counts when steps 1..k all happen inside it, in whatever order.

An exclusion drops a person from the whole funnel when one of its events happens between
their ``after_step`` and their ``before_step`` (or the window's end, if that step was not
reached). A person who has not reached the last step while their window is still open at
``now`` is **in progress**: shown at the deepest step they reached, and left out of the
conversion rates, which are taken over settled people only (window closed, or finished).

A breakdown groups people by a dimension of their step events: the value on the earliest
step that carries one (a store funnel that starts in a district takes the store entered).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from newretail.analytics.reports.vocabulary import Channel, EventName
from newretail.kernel.schemas import InputModel

MAX_STEPS = 10
MAX_WINDOW_DAYS = 90
NO_VALUE = "(none)"


class _Spec(InputModel):
    """Strict, immutable, and no NUL character in any text (kept as JSON in the database)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Spec):
    label: Annotated[str, Field(min_length=1, max_length=80)]
    events: Annotated[list[EventName], Field(max_length=30)] = Field(
        default_factory=list, description="Event names that count as this step; empty: any."
    )
    channels: Annotated[list[Channel], Field(max_length=10)] = Field(
        default_factory=list, description="Only events from these channels; empty: any."
    )


class Exclusion(_Spec):
    events: Annotated[list[EventName], Field(min_length=1, max_length=30)]
    channels: Annotated[list[Channel], Field(max_length=10)] = Field(default_factory=list)
    after_step: Annotated[int, Field(ge=1, le=MAX_STEPS)] = 1
    before_step: Annotated[int, Field(ge=2, le=MAX_STEPS)] | None = Field(
        default=None, description="Default: the last step."
    )


class FunnelSpec(_Spec):
    steps: Annotated[list[Step], Field(min_length=2, max_length=MAX_STEPS)]
    window_seconds: Annotated[int, Field(ge=60, le=MAX_WINDOW_DAYS * 86_400)] = 7 * 86_400
    order: Literal["strict", "any"] = "strict"
    exclusions: Annotated[list[Exclusion], Field(max_length=10)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _exclusions_within_steps(self) -> Self:
        last = len(self.steps)
        for exclusion in self.exclusions:
            before = exclusion.before_step or last
            if before > last or exclusion.after_step >= before:
                raise ValueError(
                    f"an exclusion must lie between two of the {last} steps "
                    f"(after_step < before_step <= {last})"
                )
        return self


@dataclass(frozen=True, slots=True)
class Reach:
    """One row of the engine's answer: how many people stopped at ``level`` (0 = excluded
    never counted), with the breakdown ``value``, still ``in_progress`` or settled."""

    value: str
    level: int
    in_progress: bool
    people: int


@dataclass(frozen=True, slots=True)
class StepCount:
    label: str
    reached: int
    in_progress: int
    settled: int
    rate_from_previous: Fraction | None
    rate_from_start: Fraction | None


@dataclass(frozen=True, slots=True)
class FunnelGroup:
    value: str
    steps: list[StepCount]


def step_counts(labels: list[str], reaches: Iterable[Reach]) -> list[StepCount]:
    """Per step: people who reached it, those of them in progress there, and the rates.

    Rates are over settled people: ``settled[k] / settled[k-1]``, ``settled[k] / settled[0]``.
    """
    n = len(labels)
    reached = [0] * n
    settled = [0] * n
    waiting = [0] * n
    for reach in reaches:
        for k in range(min(reach.level, n)):
            reached[k] += reach.people
            if not reach.in_progress:
                settled[k] += reach.people
        if reach.in_progress and 1 <= reach.level <= n:
            waiting[reach.level - 1] += reach.people
    return [
        StepCount(
            label=label,
            reached=reached[k],
            in_progress=waiting[k],
            settled=settled[k],
            rate_from_previous=_rate(settled[k], settled[k - 1]) if k else None,
            rate_from_start=_rate(settled[k], settled[0]) if k else None,
        )
        for k, label in enumerate(labels)
    ]


def grouped(labels: list[str], reaches: Iterable[Reach]) -> list[FunnelGroup]:
    """One funnel per breakdown value, the largest first (then by value)."""
    by_value: dict[str, list[Reach]] = defaultdict(list)
    for reach in reaches:
        by_value[reach.value].append(reach)
    groups = [FunnelGroup(value, step_counts(labels, rows)) for value, rows in by_value.items()]
    return sorted(groups, key=lambda g: (-g.steps[0].reached, g.value))


def reaches_of_steps(steps: list[tuple[int, int]]) -> list[Reach]:
    """The people per deepest step from per-step counts: ``(reached, window open)`` of each
    step, every step's people among the step before's (strict order).

    Of those at step k and not at k+1, the ones whose window is open are in progress; who
    reached the last step is done, window open or not.
    """
    reaches = []
    for k, (people, open_) in enumerate(steps, start=1):
        if k == len(steps):
            reaches.append(Reach(NO_VALUE, k, False, people))
            break
        next_people, next_open = steps[k]
        waiting = open_ - next_open
        reaches.append(Reach(NO_VALUE, k, True, waiting))
        reaches.append(Reach(NO_VALUE, k, False, people - next_people - waiting))
    return [r for r in reaches if r.people]


def _rate(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def breakdown_label(value: object) -> str:
    return NO_VALUE if value is None else str(value)
