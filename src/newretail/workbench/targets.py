"""Targets: net sales and new members per store and guide per day, week and month, with their
actuals in every channel, read live (progress during the day).

Store staff above a guide set targets for the stores they see; a guide's target names a
guide working at that store. Setting the same store, guide, metric and period again
replaces the goal.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from newretail.kernel import visibility
from newretail.kernel.scope import Role, Scope
from newretail.workbench import errors, people, queries, rules
from newretail.workbench.models import Target
from newretail.workbench.rules import Metric, Period
from newretail.workbench.schemas import TargetPut

SETTERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
TARGETS = visibility.Ladder(
    brand=Target.brand_id, stores=(Target.store_id,), guides=(Target.guide_id,)
)
LOOKBACK_DAYS = 31


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    actual: int
    percent: int
    expected_percent: int
    store_name: str


def put_target(*, session: Session, scope: Scope, data: TargetPut, now: datetime) -> Target:
    scope.require(*SETTERS)
    brand_id = scope.target_brand(data.brand_id)
    place = queries.stores(session=session, store_ids=[data.store_id]).get(data.store_id)
    if place is None or place[3] != brand_id or not scope.sees_store(brand_id, data.store_id):
        raise errors.TargetOutOfScope()
    if data.guide_id is not None:
        at = people.at_stores(
            session=session, brand_id=brand_id, store_ids=[data.store_id], role=Role.GUIDE
        )
        if data.guide_id not in {p.staff_id for p in at}:
            raise errors.TargetOutOfScope()
    starts_on = rules.period_start(data.period, data.starts_on)
    found = session.scalar(
        select(Target).where(
            Target.brand_id == brand_id,
            Target.store_id == data.store_id,
            Target.guide_id.is_(None)
            if data.guide_id is None
            else Target.guide_id == data.guide_id,
            Target.metric == data.metric.value,
            Target.period == data.period.value,
            Target.starts_on == starts_on,
        )
    )
    if found is None:
        found = Target(
            brand_id=brand_id,
            store_id=data.store_id,
            guide_id=data.guide_id,
            metric=data.metric.value,
            period=data.period.value,
            starts_on=starts_on,
            goal=data.goal,
            created_by_id=scope.actor_id if scope.actor_type == "staff" else None,
            created_at=now,
        )
        session.add(found)
    found.goal = data.goal
    found.updated_at = now
    session.flush()
    return found


def _visible(scope: Scope) -> Select[Target]:
    return visibility.restrict(select(Target), scope, TARGETS)


def get_target(*, session: Session, scope: Scope, target_id: int) -> Target:
    found = session.scalar(_visible(scope).where(Target.id == target_id))
    if found is None:
        raise errors.TargetNotFound()
    return found


def delete_target(*, session: Session, scope: Scope, target_id: int) -> None:
    found = get_target(session=session, scope=scope, target_id=target_id)
    scope.require(*SETTERS)
    session.delete(found)
    session.flush()


def current_progress(
    *,
    session: Session,
    scope: Scope,
    now: datetime,
    brand_id: int | None = None,
    store_id: int | None = None,
    guide_id: int | None = None,
    stores_only: bool = False,
) -> list[TargetProgress]:
    """The targets whose period holds ``now`` (in each store's time zone), with actuals."""
    query = _visible(scope).where(Target.starts_on >= (now - timedelta(days=LOOKBACK_DAYS)).date())
    if brand_id is not None:
        query = query.where(Target.brand_id == brand_id)
    if store_id is not None:
        query = query.where(Target.store_id == store_id)
    if guide_id is not None:
        query = query.where(Target.guide_id == guide_id)
    if stores_only:
        query = query.where(Target.guide_id.is_(None))
    found = list(session.scalars(query.order_by(Target.store_id, Target.guide_id, Target.id)))
    places = queries.stores(session=session, store_ids={t.store_id for t in found})
    current = [t for t in found if _holds(t, _today(now, places[t.store_id][2]))]
    return [_measure(session, t, now, places[t.store_id]) for t in current]


def _today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def _holds(target: Target, today: date) -> bool:
    period = Period(target.period)
    return target.starts_on <= today < rules.period_end(period, target.starts_on)


def _measure(
    session: Session, target: Target, now: datetime, place: tuple[str, int, str, int]
) -> TargetProgress:
    start, end = rules.utc_bounds(Period(target.period), target.starts_on, place[2])
    actual = actual_of(session=session, target=target, start=start, end=end)
    return TargetProgress(
        target=target,
        actual=actual,
        percent=rules.percent(actual, target.goal),
        expected_percent=rules.expected_percent(now, start, end),
        store_name=place[0],
    )


def actual_of(*, session: Session, target: Target, start: datetime, end: datetime) -> int:
    """What the target's store or guide achieved in [start, end), in every channel."""
    brand = target.brand_id
    if Metric(target.metric) is Metric.SALES:
        if target.guide_id is not None:
            sales = queries.guide_sales(
                session=session, brand_id=brand, guide_ids=[target.guide_id], start=start, end=end
            )
            return sales.get(target.guide_id, 0)
        by_store = queries.store_sales(
            session=session, brand_id=brand, store_ids=[target.store_id], start=start, end=end
        )
        return by_store.get(target.store_id, 0)
    if target.guide_id is not None:
        signed = queries.signups_by_guide(
            session=session, brand_id=brand, guide_ids=[target.guide_id], start=start, end=end
        )
        return signed.get(target.guide_id, 0)
    joined = queries.store_signups(
        session=session, brand_id=brand, store_ids=[target.store_id], start=start, end=end
    )
    return joined.get(target.store_id, 0)
