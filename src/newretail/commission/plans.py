"""Commission plans and rules: written by brand HQ, checked whole before anything is saved.

A brand has at most one active plan: activating one deactivates the others. A rule is
refused (nothing written) when a rate lies outside 0-10000 basis points
(``rate_out_of_range``), a split's shares do not add up to 100 % (``split_not_100``), its
fields do not fit its kind (``invalid_commission_rule``), or another rule of the plan
could match the same lines with equal specificity and priority (``overlapping_rules``,
naming both).
"""

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.catalog.rules import CHANNELS
from newretail.commission import errors, rules
from newretail.commission.plan_models import CommissionPlan, CommissionRule
from newretail.commission.rules import BP, CreditPolicy, Kind
from newretail.commission.schemas import PlanCreate, PlanUpdate, RuleCreate, RuleFields
from newretail.db import utcnow
from newretail.kernel.scope import Role, Scope
from newretail.org.rules import StoreType

HQ = (Role.BRAND_ADMIN,)
STORE_TYPES = frozenset(t.value for t in StoreType)


def spec_of(plan: CommissionPlan) -> rules.PlanSpec:
    return rules.PlanSpec(
        id=plan.id,
        name=plan.name,
        policy=plan.policy,
        bound_share_bp=plan.bound_share_bp,
        rules=tuple(rule_spec(r) for r in plan.rules),
    )


def rule_spec(rule: CommissionRule) -> rules.RuleSpec:
    fields = {name: getattr(rule, name) for name in rules.RuleSpec.__dataclass_fields__}
    return rules.RuleSpec(**fields)


def active_spec(*, session: Session, brand_id: int) -> rules.PlanSpec | None:
    """The brand's active plan as the pure rules see it, or None."""
    return active_specs(session=session, brand_ids={brand_id}).get(brand_id)


def active_specs(*, session: Session, brand_ids: Iterable[int]) -> dict[int, rules.PlanSpec]:
    """The active plan of each of ``brand_ids`` that has one, with its rules: two queries."""
    found: dict[int, rules.PlanSpec] = {}
    ids = sorted(set(brand_ids))
    if not ids:
        return found
    active = session.scalars(
        select(CommissionPlan)
        .where(CommissionPlan.brand_id.in_(ids), CommissionPlan.is_active.is_(True))
        .order_by(CommissionPlan.id)
    )
    for plan in active:
        found.setdefault(plan.brand_id, spec_of(plan))
    return found


# ---- plans ----------------------------------------------------------------------------


def list_plans(
    *, session: Session, scope: Scope, brand_id: int | None = None
) -> list[CommissionPlan]:
    """The brand's plans (its staff read them; HQ writes them)."""
    target = _reader_brand(scope, brand_id)
    query = select(CommissionPlan).where(CommissionPlan.brand_id == target)
    return list(session.scalars(query.order_by(CommissionPlan.id)))


def get_plan(*, session: Session, scope: Scope, plan_id: int) -> CommissionPlan:
    plan = session.get(CommissionPlan, plan_id)
    if plan is None or not scope.sees_brand(plan.brand_id) or scope.actor_type == "consumer":
        raise errors.PlanNotFound()
    return plan


def _reader_brand(scope: Scope, brand_id: int | None) -> int:
    if scope.actor_type == "consumer":
        raise errors.PlanNotFound()
    return scope.target_brand(brand_id)


def _shares(policy: CreditPolicy, bound: int | None, referring: int | None) -> int:
    """The bound guide's share: all of it unless split, where the two add up to 100 %."""
    if policy != CreditPolicy.SPLIT:
        return BP if policy == CreditPolicy.BOUND else 0
    if bound is None and referring is None:
        raise errors.SplitNot100("A split needs the bound and the referring guide's shares.")
    bound = bound if bound is not None else BP - (referring or 0)
    referring = referring if referring is not None else BP - bound
    if not (0 <= bound <= BP and 0 <= referring <= BP):
        raise errors.RateOutOfRange("A share is between 0 and 100 %.")
    if bound + referring != BP:
        raise errors.SplitNot100(
            f"The shares add up to {(bound + referring) / 100:g} %, not 100 %."
        )
    return bound


def _name_free(session: Session, brand_id: int, name: str, plan_id: int | None) -> None:
    taken = session.scalar(
        select(CommissionPlan.id).where(
            CommissionPlan.brand_id == brand_id, CommissionPlan.name == name
        )
    )
    if taken is not None and taken != plan_id:
        raise errors.PlanNameTaken()


def _activate(session: Session, plan: CommissionPlan) -> None:
    """The one active plan of its brand."""
    session.execute(
        update(CommissionPlan)
        .where(CommissionPlan.brand_id == plan.brand_id, CommissionPlan.id != plan.id)
        .values(is_active=False),
        execution_options={"synchronize_session": False},
    )
    plan.is_active = True


def create_plan(*, session: Session, scope: Scope, data: PlanCreate) -> CommissionPlan:
    scope.require(*HQ)
    brand_id = scope.target_brand(data.brand_id)
    bound = _shares(data.policy, data.bound_share_bp, data.referring_share_bp)
    _name_free(session, brand_id, data.name, None)
    plan = CommissionPlan(
        brand_id=brand_id, name=data.name, policy=data.policy.value, bound_share_bp=bound
    )
    session.add(plan)
    session.flush()
    if data.is_active:
        _activate(session, plan)
    _audit(session, scope, "commission.plan_created", plan)
    return plan


def update_plan(
    *, session: Session, scope: Scope, plan_id: int, data: PlanUpdate
) -> CommissionPlan:
    plan = get_plan(session=session, scope=scope, plan_id=plan_id)
    scope.require(*HQ)
    policy = data.policy or CreditPolicy(plan.policy)
    given = data.bound_share_bp is not None or data.referring_share_bp is not None
    if given or data.policy is not None:
        keep = plan.bound_share_bp if policy == CreditPolicy.SPLIT and not given else None
        plan.bound_share_bp = _shares(
            policy, keep if keep is not None else data.bound_share_bp, data.referring_share_bp
        )
        plan.policy = policy.value
    if data.name is not None:
        _name_free(session, plan.brand_id, data.name, plan.id)
        plan.name = data.name
    if data.is_active is True:
        _activate(session, plan)
    elif data.is_active is False:
        plan.is_active = False
    plan.updated_at = utcnow()
    session.flush()
    _audit(session, scope, "commission.plan_updated", plan)
    return plan


# ---- rules ----------------------------------------------------------------------------


def _check_rule(data: RuleFields) -> None:
    """Everything a rule must hold on its own, with the code of the first thing it breaks."""
    for name in ("rate_bp", "store_bound_bp", "store_selling_bp", "store_fulfilling_bp"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= BP:
            raise errors.RateOutOfRange(f"{name}: a rate is between 0 and 100 % (0-10000 bp).")
    for name in ("fixed", "cap"):
        value = getattr(data, name)
        if value is not None and value < 0:
            raise errors.InvalidRule(f"{name}: an amount is not negative.")
    if data.channel is not None and data.channel not in CHANNELS:
        raise errors.InvalidRule(f"channel: one of {', '.join(sorted(CHANNELS))}.")
    if data.store_type is not None and data.store_type not in STORE_TYPES:
        raise errors.InvalidRule(f"store_type: one of {', '.join(sorted(STORE_TYPES))}.")
    if data.valid_from and data.valid_until and data.valid_until <= data.valid_from:
        raise errors.InvalidRule("valid_until: after valid_from.")
    _check_kind(data)


def _check_kind(data: RuleFields) -> None:
    kind = data.kind
    if kind in (Kind.CPS, Kind.SHARE) and data.rate_bp is None:
        raise errors.InvalidRule("rate_bp: a percentage rule needs its rate.")
    if kind == Kind.CPA and (data.fixed is None or data.cpa_trigger is None):
        raise errors.InvalidRule(
            "fixed, cpa_trigger: a CPA rule pays a fixed amount on join or first order."
        )
    if kind == Kind.CPA and (data.category_id or data.sku_id):
        raise errors.InvalidRule("A CPA rule is per member, not per category or SKU.")
    if kind == Kind.STORE and data.guide_level is not None:
        raise errors.InvalidRule("guide_level: a store rule credits stores, not guides.")
    if kind == Kind.STORE and not (
        data.store_bound_bp or data.store_selling_bp or data.store_fulfilling_bp
    ):
        raise errors.InvalidRule("A store rule gives at least one store a share.")
    if kind != Kind.CPA and data.fixed is not None:
        raise errors.InvalidRule("fixed: only CPA rules pay a fixed amount.")


def _no_overlap(plan: CommissionPlan, rule: CommissionRule) -> None:
    candidate = rule_spec(rule)
    others = [rule_spec(r) for r in plan.rules if r.id != rule.id]
    clash = rules.first_overlap(candidate, others)
    if clash is not None:
        raise errors.OverlappingRules(
            f"Rule {rule.name!r} overlaps rule {clash.name!r}: they match the same lines with "
            f"the same priority ({rule.priority}); give one a different priority or dimension.",
            names=(rule.name, clash.name),
        )


def _rule_name_free(plan: CommissionPlan, name: str, rule_id: int | None) -> None:
    if any(r.name == name and r.id != rule_id for r in plan.rules):
        raise errors.RuleNameTaken()


def _values(data: RuleFields) -> dict[str, object]:
    values = data.model_dump(exclude={"name"})
    return {k: v.value if isinstance(v, StrEnum) else v for k, v in values.items()}


def add_rule(*, session: Session, scope: Scope, plan_id: int, data: RuleCreate) -> CommissionRule:
    plan = get_plan(session=session, scope=scope, plan_id=plan_id)
    scope.require(*HQ)
    _check_rule(data)
    _rule_name_free(plan, data.name, None)
    probe = CommissionRule(
        id=0, brand_id=plan.brand_id, plan_id=plan.id, name=data.name, **_values(data)
    )
    _no_overlap(plan, probe)
    rule = CommissionRule(brand_id=plan.brand_id, plan_id=plan.id, name=data.name, **_values(data))
    plan.rules.append(rule)
    plan.updated_at = utcnow()
    session.flush()
    _audit(session, scope, "commission.rule_added", plan, rule=rule.name)
    return rule


def update_rule(
    *, session: Session, scope: Scope, plan_id: int, rule_id: int, data: RuleCreate
) -> CommissionRule:
    plan = get_plan(session=session, scope=scope, plan_id=plan_id)
    scope.require(*HQ)
    rule = next((r for r in plan.rules if r.id == rule_id), None)
    if rule is None:
        raise errors.RuleNotFound()
    _check_rule(data)
    _rule_name_free(plan, data.name, rule.id)
    probe = CommissionRule(
        id=rule.id, brand_id=plan.brand_id, plan_id=plan.id, name=data.name, **_values(data)
    )
    _no_overlap(plan, probe)
    for name, value in _values(data).items():
        setattr(rule, name, value)
    rule.name = data.name
    plan.updated_at = utcnow()
    session.flush()
    _audit(session, scope, "commission.rule_updated", plan, rule=rule.name)
    return rule


def delete_rule(*, session: Session, scope: Scope, plan_id: int, rule_id: int) -> None:
    plan = get_plan(session=session, scope=scope, plan_id=plan_id)
    scope.require(*HQ)
    rule = next((r for r in plan.rules if r.id == rule_id), None)
    if rule is None:
        raise errors.RuleNotFound()
    plan.rules.remove(rule)
    plan.updated_at = utcnow()
    session.flush()
    _audit(session, scope, "commission.rule_deleted", plan, rule=rule.name)


def _audit(
    session: Session, scope: Scope, action: str, plan: CommissionPlan, **details: object
) -> None:
    audit_service.write(
        session=session,
        scope=scope,
        action=action,
        target_type="commission_plan",
        target_id=plan.id,
        brand_id=plan.brand_id,
        details={"name": plan.name, **details},
    )
