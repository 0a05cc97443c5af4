"""A brand's re-targeting rules: define, read, stop, and the offers each one sent."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newretail.analytics.audiences import offers
from newretail.analytics.audiences import service as audiences
from newretail.analytics.reports.access import analysed_brand, sees
from newretail.analytics.reports.errors import RetargetRuleNotFound
from newretail.analytics.retarget import templates
from newretail.analytics.retarget.models import RetargetRule, RetargetSend
from newretail.analytics.retarget.schemas import RetargetRuleCreate
from newretail.kernel.scope import Scope


def create_rule(
    *, session: Session, scope: Scope, data: RetargetRuleCreate, now: datetime
) -> RetargetRule:
    """A rule over one of the brand's audiences; the coupon, if any, of the same brand."""
    audience = audiences.get_audience(session=session, scope=scope, audience_id=data.audience_id)
    brand = analysed_brand(scope, audience.brand_id)
    if data.coupon_template_id is not None:
        offers.check_coupon_template(
            session=session, brand_id=brand, template_id=data.coupon_template_id
        )
    templates.check(
        session=session,
        brand_id=brand,
        key=data.template,
        rule_variables=data.variables,
        now=now,
    )
    row = RetargetRule(
        brand_id=brand,
        audience_id=audience.id,
        **data.model_dump(exclude={"audience_id"}),
    )
    session.add(row)
    session.flush()
    return row


def get_rule(*, session: Session, scope: Scope, rule_id: int) -> RetargetRule:
    row = session.get(RetargetRule, rule_id)
    if row is None or not sees(scope, row.brand_id):
        raise RetargetRuleNotFound()
    return row


def list_rules(*, session: Session, scope: Scope, brand_id: int | None) -> list[RetargetRule]:
    brand = analysed_brand(scope, brand_id)
    query = select(RetargetRule).where(RetargetRule.brand_id == brand)
    return list(session.scalars(query.order_by(RetargetRule.id)))


def stop_rule(*, session: Session, scope: Scope, rule_id: int) -> RetargetRule:
    row = get_rule(session=session, scope=scope, rule_id=rule_id)
    analysed_brand(scope, row.brand_id)
    row.active = False
    session.flush()
    return row


def sends_of(*, session: Session, scope: Scope, rule_id: int) -> list[RetargetSend]:
    rule = get_rule(session=session, scope=scope, rule_id=rule_id)
    query = select(RetargetSend).where(RetargetSend.rule_id == rule.id)
    return list(session.scalars(query.order_by(RetargetSend.id)))


def sent_counts(*, session: Session, rule_ids: list[int]) -> dict[int, int]:
    """How many offers each of ``rule_ids`` sent (rules that sent none are left out)."""
    if not rule_ids:
        return {}
    query = (
        select(RetargetSend.rule_id, func.count())
        .where(RetargetSend.rule_id.in_(rule_ids))
        .group_by(RetargetSend.rule_id)
    )
    return {int(rule): int(count) for rule, count in session.execute(query)}
