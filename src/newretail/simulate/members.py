"""The members step: consumers and memberships of both brands, bound to guides as if by scans.

Every consumer, membership, binding and points entry goes through the members service with
explicit times, so protection and expiry come out exactly as the brand's policy says. Some
people are members of both brands (one consumer, two memberships). The step records the
final state of every binding it made in ``world.truth["members"]``.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from newretail.db import utcnow
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.binding_rules import Action, BindingMode, BindingSource
from newretail.members.schemas import BindingPolicyUpdate, MemberProgramUpdate, PointsEntryCreate
from newretail.simulate import names
from newretail.simulate.world import BrandRecord, StaffRecord, Step, StepContext, StoreRecord

STEP_NAME = "members"
PHONE_PREFIXES = ("135", "136", "137", "138", "139", "150", "158", "186", "188")
SOURCES = (
    (BindingSource.BADGE_CODE, 40),
    (BindingSource.POS, 25),
    (BindingSource.SHARE_LINK, 20),
    (BindingSource.SHELF_CODE, 15),
)
TIERS = (
    {"code": "standard", "name": "普通会员", "threshold": 0},
    {"code": "silver", "name": "银卡", "threshold": 800},
    {"code": "gold", "name": "金卡", "threshold": 2500},
    {"code": "platinum", "name": "铂金卡", "threshold": 5000},
)


@dataclass(frozen=True)
class BrandMembersPlan:
    brand_code: str
    members: int
    mode: BindingMode
    protection_days: int
    expiry_days: int | None
    shared_share: float = 0.0  # share of this brand's members who already are another's


@dataclass(frozen=True)
class MembersPlan:
    brands: tuple[BrandMembersPlan, ...]
    history_days: int = 240
    second_touch_share: float = 0.3

    @property
    def units(self) -> int:
        return sum(brand.members for brand in self.brands)


@dataclass
class _Final:
    guide_id: int | None
    store_id: int
    source: str
    bound_at: datetime
    protected_until: datetime | None
    expires_at: datetime | None


@dataclass
class _BrandTruth:
    members: int = 0
    shared_consumers: int = 0
    sources: Counter[str] = field(default_factory=Counter)
    finals: dict[int, _Final] = field(default_factory=dict)
    points: int = 0


def step(plan: MembersPlan) -> Step:
    return Step(name=STEP_NAME, run=partial(build, plan), units=plan.units)


def anchor_time() -> datetime:
    """The moment the simulated history ends: the start of today (UTC), so a day's builds agree."""
    now = utcnow()
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def build(plan: MembersPlan, ctx: StepContext) -> None:
    anchor = anchor_time()
    phones: set[str] = set()
    earlier: list[int] = []
    truth: dict[str, Any] = {"anchor": anchor.isoformat(), "brands": {}}
    for brand_plan in plan.brands:
        brand = ctx.world.brands[brand_plan.brand_code]
        _set_rules(ctx, brand, brand_plan)
        made = _BrandTruth()
        consumers: list[int] = []
        for _ in range(brand_plan.members):
            if earlier and ctx.rng.random() < brand_plan.shared_share:
                consumer_id = earlier.pop(ctx.rng.randrange(len(earlier)))
                made.shared_consumers += 1
            else:
                consumer_id = _new_consumer(ctx, phones, anchor - timedelta(days=plan.history_days))
            consumers.append(consumer_id)
            _member_life(ctx, plan, brand, consumer_id, anchor, made)
            ctx.tick(1)
        earlier.extend(consumers)
        truth["brands"][brand.code] = _summary(brand, brand_plan, made, anchor)
    ctx.world.truth["members"] = truth


def _set_rules(ctx: StepContext, brand: BrandRecord, plan: BrandMembersPlan) -> None:
    members_service.put_policy(
        session=ctx.session,
        scope=SYSTEM,
        data=BindingPolicyUpdate(
            brand_id=brand.id,
            mode=plan.mode,
            protection_days=plan.protection_days,
            expiry_days=plan.expiry_days,
        ),
    )
    members_service.put_programme(
        session=ctx.session,
        scope=SYSTEM,
        data=MemberProgramUpdate.model_validate({"brand_id": brand.id, "tiers": TIERS}),
    )


def _new_consumer(ctx: StepContext, phones: set[str], earliest: datetime) -> int:
    while True:
        phone = "+86" + ctx.rng.choice(PHONE_PREFIXES) + f"{ctx.rng.randrange(10**8):08d}"
        if phone not in phones:
            phones.add(phone)
            break
    consumer_id, _ = members_service.consumer_for_phone(
        session=ctx.session, phone=phone, verified=True, now=earliest
    )
    members_service.set_consumer_name(
        session=ctx.session, consumer_id=consumer_id, display_name=names.person(ctx.rng)
    )
    return consumer_id


def _guides_by_store(brand: BrandRecord) -> dict[str, list[StaffRecord]]:
    guides: dict[str, list[StaffRecord]] = {}
    for member in brand.staff_with_role("guide"):
        if member.store_code is not None:
            guides.setdefault(member.store_code, []).append(member)
    return guides


def _touch(
    ctx: StepContext,
    brand: BrandRecord,
    consumer_id: int,
    store: StoreRecord,
    guides: list[StaffRecord],
    at: datetime,
    made: _BrandTruth,
) -> int:
    source = ctx.rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
    guide = None if source == BindingSource.SHELF_CODE else ctx.rng.choice(guides)
    outcome = members_service.bind_by_touchpoint(
        session=ctx.session,
        brand_id=brand.id,
        consumer_id=consumer_id,
        store_id=store.id,
        guide_id=guide.id if guide else None,
        source=source,
        now=at,
    )
    if outcome.action == Action.BIND and outcome.binding is not None:
        b = outcome.binding
        made.sources[source.value] += 1
        made.finals[outcome.member_id] = _Final(
            b.guide_id, b.store_id, b.source, b.bound_at, b.protected_until, b.expires_at
        )
    return outcome.member_id


def _member_life(
    ctx: StepContext,
    plan: MembersPlan,
    brand: BrandRecord,
    consumer_id: int,
    anchor: datetime,
    made: _BrandTruth,
) -> None:
    guides = _guides_by_store(brand)
    store = brand.store(ctx.rng.choice(sorted(guides)))
    joined = anchor - timedelta(minutes=ctx.rng.randrange(60, plan.history_days * 24 * 60))
    member_id = _touch(ctx, brand, consumer_id, store, guides[store.code], joined, made)
    made.members += 1
    if ctx.rng.random() < plan.second_touch_share:
        later = joined + (anchor - joined) * ctx.rng.uniform(0.2, 0.95)
        _touch(ctx, brand, consumer_id, store, guides[store.code], later, made)
    _points(ctx, member_id, joined, anchor, made)


def _points(
    ctx: StepContext, member_id: int, joined: datetime, anchor: datetime, made: _BrandTruth
) -> None:
    balance = 0
    visits = sorted(
        joined + (anchor - joined) * ctx.rng.random()
        for _ in range(ctx.rng.choice((0, 1, 1, 2, 3)))
    )
    for n, at in enumerate(visits):
        amount = ctx.rng.choice((60, 120, 199, 299, 480, 899, 1299, 2399))
        _post(ctx, member_id, "earn", amount, f"demo-{member_id}-e{n}", at, "消费积分")
        balance += amount
    if balance >= 500 and ctx.rng.random() < 0.35:
        spent = 100 * ctx.rng.randrange(1, balance // 100 + 1)
        at = visits[-1] + (anchor - visits[-1]) * ctx.rng.random()
        _post(ctx, member_id, "spend", spent, f"demo-{member_id}-s", at, "积分兑换")
        balance -= spent
    made.points += balance


def _post(
    ctx: StepContext,
    member_id: int,
    kind: str,
    points: int,
    reference: str,
    at: datetime,
    reason: str,
) -> None:
    members_service.post(
        session=ctx.session,
        scope=SYSTEM,
        member_id=member_id,
        data=PointsEntryCreate.model_validate(
            {"kind": kind, "points": points, "reference": reference, "reason": reason}
        ),
        now=at,
    )


def _summary(
    brand: BrandRecord, plan: BrandMembersPlan, made: _BrandTruth, anchor: datetime
) -> dict[str, Any]:
    usernames = {member.id: member.username for member in brand.staff}
    active = [f for f in made.finals.values() if f.expires_at is None or f.expires_at > anchor]
    by_guide = Counter(usernames[f.guide_id] for f in active if f.guide_id is not None)
    return {
        "members": made.members,
        "shared_consumers": made.shared_consumers,
        "bound": len(made.finals),
        "expired": len(made.finals) - len(active),
        "protected": sum(
            1 for f in active if f.protected_until is not None and f.protected_until > anchor
        ),
        "active_by_guide": dict(sorted(by_guide.items())),
        "without_guide": sum(1 for f in active if f.guide_id is None),
        "bindings_by_source": dict(sorted(made.sources.items())),
        "points_balance": made.points,
        "policy": {
            "mode": plan.mode.value,
            "protection_days": plan.protection_days,
            "expiry_days": plan.expiry_days,
        },
    }
