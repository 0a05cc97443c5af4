"""Commission maths, pure: which rule matches, who is credited, and what each one earns.

Rules match an order line by channel × category × SKU × store type × guide level, inside
their validity dates. The most specific rule of a kind wins (a SKU beats a category, which
beats a guide level, which beats a store type, which beats a channel); among rules equally
specific the higher ``priority`` wins; two rules that could match the same line with equal
specificity and priority are refused at save (``overlapping``).

Kinds of rule:

    cps     a percentage of the line's net collected amount, credited to guides by the
            plan's policy: the bound guide, the referring guide, or a split of the two
    share   a percentage for a sale through the guide's own share link or code
    store   the bound, selling and fulfilling stores' percentages of the line
    cpa     a fixed amount per recruited member, when they join or on their first paid order

Rounding, written down once: a group's commission is ``round_half_up(base × rate_bp /
10000)``, then capped (``cap``, per line and group); a split divides that commission over
its shares by largest remainder (``kernel.money.split``), so a line's entries always add up
to the line's commission to the fen, and recomputing on what a refund leaves is the same
function on a smaller base.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from newretail.auth.levels import GuideLevel
from newretail.kernel.money import split

__all__ = ["GuideLevel"]  # the levels rules name, kept by auth with the staff

BP = 10_000


class Kind(StrEnum):
    CPS = "cps"
    SHARE = "share"
    STORE = "store"
    CPA = "cpa"


class CreditPolicy(StrEnum):
    BOUND = "bound"
    REFERRING = "referring"
    SPLIT = "split"


class CpaTrigger(StrEnum):
    JOIN = "join"
    FIRST_ORDER = "first_order"


class StoreRole(StrEnum):
    BOUND = "store_bound"
    SELLING = "store_selling"
    FULFILLING = "store_fulfilling"


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: int
    name: str
    kind: str
    priority: int = 0
    channel: str | None = None
    category_id: int | None = None
    sku_id: int | None = None
    store_type: str | None = None
    guide_level: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    rate_bp: int | None = None
    fixed: int | None = None
    cap: int | None = None
    cpa_trigger: str | None = None
    store_bound_bp: int = 0
    store_selling_bp: int = 0
    store_fulfilling_bp: int = 0
    own_purchases: bool = False
    freeze_days: int = 7
    until_fulfilled: bool = False


@dataclass(frozen=True, slots=True)
class PlanSpec:
    id: int
    name: str
    policy: str
    bound_share_bp: int
    rules: tuple[RuleSpec, ...]
    # Each kind's rules in the order they win, ranked once per plan, not once per line.
    _ranked: dict[str, tuple[RuleSpec, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def winner(self, kind: "Kind", match: "Match") -> RuleSpec | None:
        """The rule of ``kind`` that wins for ``match`` (as ``resolve`` finds it)."""
        order = self._ranked.get(kind)
        if order is None:
            order = self._ranked[kind] = ranked(self.rules, kind)
        return next((rule for rule in order if matches(rule, match)), None)


@dataclass(frozen=True, slots=True)
class Match:
    """What a rule is matched against (None: the line has no such dimension)."""

    at: datetime
    channel: str | None = None
    category_id: int | None = None
    sku_id: int | None = None
    store_type: str | None = None
    guide_level: str | None = None
    cpa_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class Guide:
    id: int
    level: str | None
    is_buyer: bool = False


@dataclass(frozen=True, slots=True)
class LineFacts:
    line_id: int
    at: datetime
    channel: str
    base: int
    sku_id: int
    category_id: int | None
    store_type: str | None
    bound_guide: Guide | None
    referring_guide: Guide | None
    share_guide: Guide | None
    bound_store_id: int | None
    selling_store_id: int | None
    fulfilling_store_id: int | None


@dataclass(frozen=True, slots=True)
class Accrual:
    """One beneficiary's part of one group (``kind``) of a line: what the ledger records."""

    slot: str  # the key's tail: "cps:bound:guide:4", "store_selling:store:9", ...
    kind: str
    beneficiary: str  # guide | store
    beneficiary_id: int
    base: int
    rate_bp: int | None
    fixed: int | None
    cap: int | None
    share_bp: int | None
    amount: int
    rule: RuleSpec
    reason: str


# ---- money ----------------------------------------------------------------------------


def round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero (both integers)."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    return sign * ((2 * n + d) // (2 * d))


def group_commission(base: int, rate_bp: int | None, fixed: int | None, cap: int | None) -> int:
    """A group's commission: the fixed amount or the rate of the base, half up, then capped."""
    amount = fixed if fixed is not None else round_half_up(base * (rate_bp or 0), BP)
    return min(amount, cap) if cap is not None else amount


def group_amounts(
    base: int, rate_bp: int | None, fixed: int | None, cap: int | None, shares: Sequence[int]
) -> list[int]:
    """Each beneficiary's part of a group's commission, adding up to it exactly."""
    total = group_commission(base, rate_bp, fixed, cap)
    return split(total, shares) if len(shares) > 1 else [total]


def line_bases(kept: int, weights: Sequence[int]) -> list[int]:
    """The net collected amount of each line: what the order kept, over what each line kept.

    For an order paid in full this is each line's total less its refunds; an order paid in
    part (pay later) spreads what was collected over its lines.
    """
    if not weights or sum(weights) <= 0 or kept <= 0:
        return [0 for _ in weights]
    return split(min(kept, sum(weights)), weights)


def release_at(
    rule: RuleSpec, earned_at: datetime, fulfilled_at: datetime | None
) -> datetime | None:
    """When an entry of ``rule`` unfreezes: N days after it was earned, or at fulfilment."""
    if rule.until_fulfilled and rule.kind != Kind.CPA:
        return fulfilled_at
    return earned_at + timedelta(days=rule.freeze_days)


# ---- matching -------------------------------------------------------------------------

_DIMENSIONS = ("sku_id", "category_id", "guide_level", "store_type", "channel")


def specificity(rule: RuleSpec) -> tuple[bool, ...]:
    """Which dimensions a rule names, most telling first: compared as a tuple."""
    return tuple(getattr(rule, name) is not None for name in _DIMENSIONS)


def matches(rule: RuleSpec, match: Match) -> bool:
    if rule.valid_from is not None and match.at < rule.valid_from:
        return False
    if rule.valid_until is not None and match.at >= rule.valid_until:
        return False
    if rule.kind == Kind.CPA and rule.cpa_trigger != match.cpa_trigger:
        return False
    return all(
        getattr(rule, name) is None or getattr(rule, name) == getattr(match, name)
        for name in _DIMENSIONS
    )


def _rank(rule: RuleSpec) -> tuple[tuple[bool, ...], int, int]:
    return (specificity(rule), rule.priority, -rule.id)


def ranked(rules: Iterable[RuleSpec], kind: Kind) -> tuple[RuleSpec, ...]:
    """The rules of ``kind`` in the order they win: most specific, highest priority, oldest."""
    return tuple(sorted((r for r in rules if r.kind == kind), key=_rank, reverse=True))


def resolve(rules: Iterable[RuleSpec], kind: Kind, match: Match) -> RuleSpec | None:
    """The rule of ``kind`` that wins for ``match``: most specific, then highest priority."""
    return next((r for r in ranked(rules, kind) if matches(r, match)), None)


def _dates_meet(a: RuleSpec, b: RuleSpec) -> bool:
    a_end, b_end = a.valid_until, b.valid_until
    if a_end is not None and b.valid_from is not None and a_end <= b.valid_from:
        return False
    return not (b_end is not None and a.valid_from is not None and b_end <= a.valid_from)


def overlapping(a: RuleSpec, b: RuleSpec) -> bool:
    """Whether no specificity or priority could decide between ``a`` and ``b`` for some line."""
    if a.kind != b.kind or a.priority != b.priority or specificity(a) != specificity(b):
        return False
    if a.kind == Kind.CPA and a.cpa_trigger != b.cpa_trigger:
        return False
    same = all(getattr(a, name) == getattr(b, name) for name in _DIMENSIONS)
    return same and _dates_meet(a, b)


def first_overlap(rule: RuleSpec, others: Iterable[RuleSpec]) -> RuleSpec | None:
    return next((o for o in others if o.id != rule.id and overlapping(rule, o)), None)


# ---- who is credited for a line -------------------------------------------------------


def _credited(plan: PlanSpec, facts: LineFacts) -> list[tuple[str, Guide]]:
    """(role, guide) by the plan's policy, the guide whose level picks the rule first."""
    bound, referring = facts.bound_guide, facts.referring_guide
    if plan.policy == CreditPolicy.BOUND:
        return [("bound", bound)] if bound else []
    if plan.policy == CreditPolicy.REFERRING:
        return [("referring", referring)] if referring else []
    if bound and referring and bound.id == referring.id:
        return [("bound", bound)]
    return [(role, g) for role, g in (("bound", bound), ("referring", referring)) if g]


def _match(facts: LineFacts, guide: Guide | None) -> Match:
    return Match(
        at=facts.at,
        channel=facts.channel,
        category_id=facts.category_id,
        sku_id=facts.sku_id,
        store_type=facts.store_type,
        guide_level=guide.level if guide else None,
    )


def _cps(plan: PlanSpec, facts: LineFacts) -> list[Accrual]:
    credited = _credited(plan, facts)
    if not credited:
        return []
    rule = plan.winner(Kind.CPS, _match(facts, credited[0][1]))
    if rule is None:
        return []
    kept = [(role, g) for role, g in credited if rule.own_purchases or not g.is_buyer]
    if not kept:
        return []
    shares = {"bound": plan.bound_share_bp, "referring": BP - plan.bound_share_bp}
    weights = [shares[role] for role, _ in kept] if len(kept) > 1 else [BP]
    amounts = group_amounts(facts.base, rule.rate_bp, None, rule.cap, weights)
    return [
        Accrual(
            slot=f"cps:{role}:guide:{guide.id}",
            kind=Kind.CPS.value,
            beneficiary="guide",
            beneficiary_id=guide.id,
            base=facts.base,
            rate_bp=rule.rate_bp,
            fixed=None,
            cap=rule.cap,
            share_bp=weight if len(kept) > 1 else None,
            amount=amount,
            rule=rule,
            reason="split" if len(kept) > 1 else f"{role}_guide",
        )
        for (role, guide), weight, amount in zip(kept, weights, amounts, strict=True)
    ]


def _share(plan: PlanSpec, facts: LineFacts) -> list[Accrual]:
    guide = facts.share_guide
    if guide is None:
        return []
    rule = plan.winner(Kind.SHARE, _match(facts, guide))
    if rule is None or (guide.is_buyer and not rule.own_purchases):
        return []
    amount = group_commission(facts.base, rule.rate_bp, None, rule.cap)
    return [
        Accrual(
            f"share:guide:{guide.id}",
            Kind.SHARE.value,
            "guide",
            guide.id,
            facts.base,
            rule.rate_bp,
            None,
            rule.cap,
            None,
            amount,
            rule,
            "share_link",
        )
    ]


def _stores(plan: PlanSpec, facts: LineFacts) -> list[Accrual]:
    rule = plan.winner(Kind.STORE, _match(facts, None))
    if rule is None:
        return []
    roles = (
        (StoreRole.BOUND, facts.bound_store_id, rule.store_bound_bp),
        (StoreRole.SELLING, facts.selling_store_id, rule.store_selling_bp),
        (StoreRole.FULFILLING, facts.fulfilling_store_id, rule.store_fulfilling_bp),
    )
    return [
        Accrual(
            f"{role.value}:store:{store_id}",
            role.value,
            "store",
            store_id,
            facts.base,
            rate,
            None,
            rule.cap,
            None,
            group_commission(facts.base, rate, None, rule.cap),
            rule,
            role.value,
        )
        for role, store_id, rate in roles
        if store_id is not None and rate > 0
    ]


def accrue_line(plan: PlanSpec, facts: LineFacts) -> list[Accrual]:
    """Every entry one order line earns under ``plan``: guides, share conversions, stores."""
    return [*_cps(plan, facts), *_share(plan, facts), *_stores(plan, facts)]


def cpa(plan: PlanSpec, match: Match) -> RuleSpec | None:
    """The CPA rule for a recruited member (``match.cpa_trigger`` says join or first order)."""
    rule = plan.winner(Kind.CPA, match)
    return rule if rule is not None and rule.fixed else None


def repriced(
    parts: Sequence[tuple[int | None, int | None, int | None, int | None]], base: int
) -> list[int]:
    """A group's parts again on a new base: each part is (rate_bp, fixed, cap, share_bp).

    The parts of a group share their rate, fixed amount and cap; they differ in their share.
    """
    rate_bp, fixed, cap, _ = parts[0]
    shares = [share if share is not None else BP for _, _, _, share in parts]
    return group_amounts(base, rate_bp, fixed, cap, shares)
