"""A brand's audiences: define, read, change the rule, archive."""

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.analytics.audiences.models import Audience
from newretail.analytics.audiences.rules import AnyRule, AudienceRule
from newretail.analytics.reports.access import analysed_brand, sees
from newretail.analytics.reports.errors import AudienceNotFound, InvalidAudienceRule
from newretail.db import utcnow
from newretail.kernel.scope import Scope


def create_audience(
    *, session: Session, scope: Scope, brand_id: int | None, name: str, rule: AudienceRule
) -> Audience:
    """A new audience; its members are found by the next recompute (or ``refresh``)."""
    row = Audience(
        brand_id=analysed_brand(scope, brand_id), name=name, rule=rule.rule.model_dump(mode="json")
    )
    session.add(row)
    session.flush()
    return row


def get_audience(*, session: Session, scope: Scope, audience_id: int) -> Audience:
    row = session.get(Audience, audience_id)
    if row is None or not sees(scope, row.brand_id):
        raise AudienceNotFound()
    return row


def list_audiences(*, session: Session, scope: Scope, brand_id: int | None) -> list[Audience]:
    brand = analysed_brand(scope, brand_id)
    query = select(Audience).where(Audience.brand_id == brand, Audience.archived_at.is_(None))
    return list(session.scalars(query.order_by(Audience.id)))


def update_audience(
    *,
    session: Session,
    scope: Scope,
    audience_id: int,
    name: str | None,
    rule: AudienceRule | None,
) -> Audience:
    row = get_audience(session=session, scope=scope, audience_id=audience_id)
    analysed_brand(scope, row.brand_id)
    if name is not None:
        row.name = name
    if rule is not None:
        row.rule = rule.rule.model_dump(mode="json")
        row.computed_at = None  # the next recompute picks it up
    row.updated_at = utcnow()
    session.flush()
    return row


def archive_audience(*, session: Session, scope: Scope, audience_id: int, now: datetime) -> None:
    row = get_audience(session=session, scope=scope, audience_id=audience_id)
    analysed_brand(scope, row.brand_id)
    row.archived_at = now
    session.flush()


def rule_of(audience: Audience) -> AnyRule:
    return _validated(audience.rule).rule


def _validated(raw: dict[str, Any]) -> AudienceRule:
    try:
        return AudienceRule.model_validate({"rule": raw})
    except ValidationError as exc:
        raise InvalidAudienceRule(f"The saved rule is not valid: {exc.errors()[0]['msg']}") from exc
