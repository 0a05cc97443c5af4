"""The audience rule language, and who enters and leaves when an audience is recomputed.

A rule is a tree of JSON objects, each with a ``kind``:

- ``did``: the person did ``event`` (from ``channels``, in the last ``within_days``, at a
  store, district, pop-up, with a guide, code or campaign) at least ``min_count`` times,
  and none of ``none_since`` happened after the latest of them.
  "Added to cart online in the last 14 days and no order since"::

      {"kind": "did", "event": "Product Added", "channels": ["web", "mini_app", "app"],
       "within_days": 14, "none_since": ["Order Completed"]}

- ``profile``: a field of the person's membership: ``member`` (is one: true/false),
  ``store_id`` / ``guide_id`` (one id or a list), ``joined_within_days``,
  ``marketing_consent``.
- ``all`` / ``any`` of ``rules``; ``not`` a ``rule``.
  "Visited the pop-up, not yet a member"::

      {"kind": "all", "rules": [{"kind": "did", "event": "Popup Visited", "popup_id": 7},
                                {"kind": "profile", "field": "member", "value": false}]}
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from newretail.analytics.reports.vocabulary import Channel, EventName
from newretail.kernel.schemas import Id, InputModel

MAX_DEPTH = 6
MAX_DAYS = 3650
Days = Annotated[int, Field(ge=1, le=MAX_DAYS)]


class _Rule(InputModel):
    """Strict, immutable, and no NUL character in any text (kept as JSON in the database)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Did(_Rule):
    kind: Literal["did"]
    event: EventName
    channels: Annotated[list[Channel], Field(max_length=10)] = Field(default_factory=list)
    within_days: Days | None = None
    min_count: Annotated[int, Field(ge=1, le=10_000)] = 1
    store_id: Id | None = None
    district_id: Id | None = None
    popup_id: Id | None = None
    guide_id: Id | None = None
    code: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    campaign: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    none_since: Annotated[list[EventName], Field(max_length=10)] = Field(default_factory=list)


ProfileField = Literal["member", "store_id", "guide_id", "joined_within_days", "marketing_consent"]


class Profile(_Rule):
    kind: Literal["profile"]
    field: ProfileField
    value: bool | int | list[int]

    @model_validator(mode="after")
    def _value_fits_field(self) -> Self:
        problem = _profile_problem(self.field, self.value)
        if problem:
            raise ValueError(problem)
        return self


def _profile_problem(field: str, value: bool | int | list[int]) -> str | None:
    if field in ("member", "marketing_consent"):
        return None if isinstance(value, bool) else f"{field} takes true or false"
    if field == "joined_within_days":
        days_ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DAYS
        return None if days_ok else "joined_within_days takes a number of days from 1 to 3650"
    ids = value if isinstance(value, list) else [value]
    ids_ok = 1 <= len(ids) <= 500 and all(not isinstance(i, bool) and 1 <= i <= 2**53 for i in ids)
    return None if ids_ok else f"{field} takes an id or a list of up to 500 ids"


class AllOf(_Rule):
    kind: Literal["all"]
    rules: Annotated[list["Rule"], Field(min_length=1, max_length=20)]


class AnyOf(_Rule):
    kind: Literal["any"]
    rules: Annotated[list["Rule"], Field(min_length=1, max_length=20)]


class Not(_Rule):
    kind: Literal["not"]
    rule: "Rule"


AnyRule = Did | Profile | AllOf | AnyOf | Not
Rule = Annotated[AnyRule, Field(discriminator="kind")]


class AudienceRule(BaseModel):
    """The root of a rule, checked for depth."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: Rule

    @model_validator(mode="after")
    def _not_too_deep(self) -> Self:
        if depth(self.rule) > MAX_DEPTH:
            raise ValueError(f"a rule may nest at most {MAX_DEPTH} levels")
        return self


def depth(rule: AnyRule) -> int:
    if isinstance(rule, AllOf | AnyOf):
        return 1 + max(depth(r) for r in rule.rules)
    if isinstance(rule, Not):
        return 1 + depth(rule.rule)
    return 1


for _model in (AllOf, AnyOf, Not, AudienceRule):
    _model.model_rebuild()


@dataclass(frozen=True, slots=True)
class Changes:
    entered: dict[str, "Who"]
    left: list[str]
    stayed: dict[str, "Who"]


@dataclass(frozen=True, slots=True)
class Who:
    member_id: int | None
    marketing_consent: bool


def changes(current: Mapping[str, Who], inside: Mapping[str, Who]) -> Changes:
    """Who enters (in ``current``, not ``inside``), who leaves, and who stays (maybe with a
    member id or consent that changed)."""
    return Changes(
        entered={p: w for p, w in current.items() if p not in inside},
        left=sorted(p for p in inside if p not in current),
        stayed={p: w for p, w in current.items() if p in inside and inside[p] != w},
    )
