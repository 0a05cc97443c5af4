"""Request and response bodies of audiences."""

from datetime import datetime

from pydantic import Field, field_validator

from newretail.analytics.audiences.rules import MAX_DEPTH, AnyRule, AudienceRule, Rule, depth
from newretail.kernel.schemas import Id, InputModel, Name, ReadModel


def _shallow(rule: AnyRule | None) -> AnyRule | None:
    if rule is not None and depth(rule) > MAX_DEPTH:
        raise ValueError(f"a rule may nest at most {MAX_DEPTH} levels")
    return rule


class AudienceCreate(InputModel):
    name: Name
    rule: Rule = Field(description="See the rule language: did, profile, all, any, not.")
    brand_id: Id | None = None

    _depth = field_validator("rule")(_shallow)

    def audience_rule(self) -> AudienceRule:
        return AudienceRule(rule=self.rule)


class AudienceUpdate(InputModel):
    name: Name | None = None
    rule: Rule | None = None

    _depth = field_validator("rule")(_shallow)

    def audience_rule(self) -> AudienceRule | None:
        return None if self.rule is None else AudienceRule(rule=self.rule)


class AudienceRead(ReadModel):
    id: int
    brand_id: int
    name: str
    rule: Rule
    size: int
    computed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class MembershipRead(ReadModel):
    person_id: str
    member_id: int | None
    marketing_consent: bool
    entered_at: datetime
    left_at: datetime | None


class PushRead(ReadModel):
    audience_id: int
    parts: int
