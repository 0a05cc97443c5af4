"""CPA on join: a fixed amount to the guide who recruited a member, once per member.

A member counts as recruited by the guide their first binding names (a ``member.bound``
event with nothing bound before). The entry's key, ``cpa:join:member:{member}``, makes it
once per member however often the event is seen.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.commission import facts, plans, rules
from newretail.commission.entries import detail
from newretail.commission.models import CommissionEntry, EntryStatus
from newretail.db import utcnow
from newretail.members.models import Membership
from newretail.org.models import Brand


def first_bindings(payloads: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    """The binding events that bind a member for the first time, to a guide, by member."""
    return {
        int(p["member_id"]): p
        for p in payloads
        if p.get("guide_id")
        and p.get("from_store_id") is None
        and p.get("from_guide_id") is None
        and isinstance(p.get("member_id"), int)
    }


def accrue_joins(
    *, session: Session, bindings: Mapping[int, Mapping[str, Any]], now: datetime | None = None
) -> int:
    """One CPA entry per newly recruited member whose brand's plan pays for joins."""
    if not bindings:
        return 0
    keys = {f"cpa:join:member:{m}": m for m in bindings}
    done = set(session.scalars(select(CommissionEntry.key).where(CommissionEntry.key.in_(keys))))
    members = {
        m.id: m
        for m in session.scalars(select(Membership).where(Membership.id.in_(list(bindings))))
    }
    guide_ids = {int(p["guide_id"]) for p in bindings.values()}
    store_ids = {int(p["store_id"]) for p in bindings.values() if p.get("store_id")}
    levels = facts.levels(session, guide_ids)
    own = facts.own_members(session, guide_ids)
    types = facts.store_types(session, store_ids)
    written = 0
    for key, member_id in sorted(keys.items()):
        member = members.get(member_id)
        if key in done or member is None:
            continue
        binding = bindings[member_id]
        made = _entry(session, member, binding, levels, own, types, key, now or utcnow())
        if made is not None:
            session.add(made)
            written += 1
    session.flush()
    return written


def _entry(
    session: Session,
    member: Membership,
    binding: Mapping[str, Any],
    levels: Mapping[int, str | None],
    own: Mapping[int, int],
    types: Mapping[int, str],
    key: str,
    now: datetime,
) -> CommissionEntry | None:
    plan = plans.active_spec(session=session, brand_id=member.brand_id)
    guide_id = int(binding["guide_id"])
    if plan is None:
        return None
    at = member.joined_at or now
    store_id = binding.get("store_id")
    match = rules.Match(
        at=at,
        channel=member.join_channel,
        store_type=types.get(store_id) if isinstance(store_id, int) else None,
        guide_level=levels.get(guide_id),
        cpa_trigger=rules.CpaTrigger.JOIN.value,
    )
    rule = rules.cpa(plan, match)
    if rule is None or (own.get(guide_id) == member.id and not rule.own_purchases):
        return None
    fixed = rule.fixed or 0
    accrual = rules.Accrual(
        "",
        rules.Kind.CPA.value,
        "guide",
        guide_id,
        0,
        None,
        fixed,
        None,
        None,
        fixed,
        rule,
        "cpa_join",
    )
    return CommissionEntry(
        brand_id=member.brand_id,
        key=key,
        beneficiary_type="guide",
        guide_id=guide_id,
        kind=rules.Kind.CPA.value,
        member_id=member.id,
        channel=member.join_channel,
        plan_id=plan.id,
        rule_id=rule.id,
        base=0,
        rate_bp=None,
        amount=fixed,
        currency=session.scalar(select(Brand.currency).where(Brand.id == member.brand_id)) or "CNY",
        detail=detail(None, None, "", accrual, plan.name, member_id=member.id),
        status=EntryStatus.PENDING.value,
        release_at=rules.release_at(rule, at, None),
        earned_at=at,
    )
