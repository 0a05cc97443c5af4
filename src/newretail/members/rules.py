"""Pure rules of consumers and members: identity merges, tiers, points expiry, phone display."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from newretail.kernel.scope import Role


class IdentifierKind(StrEnum):
    PHONE = "phone"
    UNION_ID = "union_id"
    DEVICE = "device"
    ANONYMOUS = "anonymous"


# A person has at most one of each; two verified ones mean two people.
STRONG_KINDS = frozenset({IdentifierKind.PHONE, IdentifierKind.UNION_ID})


class JoinChannel(StrEnum):
    POS = "pos"
    STORE = "store"
    CLOUD_STORE = "cloud_store"
    ONLINE = "online"
    SHARE_LINK = "share_link"
    TOUCHPOINT = "touchpoint"
    IMPORT = "import"


class PointsKind(StrEnum):
    EARN = "earn"
    SPEND = "spend"
    EXPIRE = "expire"
    ADJUST = "adjust"
    REVERSE = "reverse"  # an order's points taken back for its refunds
    RETURN = "return"  # points that paid an order, given back on its cancellation or refund


class TierBasis(StrEnum):
    SPEND = "spend"
    POINTS = "points"


# ---- identity merges ------------------------------------------------------------------


@dataclass(frozen=True)
class ConsumerFacts:
    """What the merge rules need to know about one consumer."""

    consumer_id: int
    verified_kinds: frozenset[str]
    brand_ids: frozenset[int]


@dataclass(frozen=True)
class MergeDecision:
    allowed: bool
    reason: str
    survivor_id: int = 0
    absorbed_id: int = 0


# Refusals that mean "two people", not "nothing to do" (same consumer, undone before).
PEOPLE_APART = frozenset(
    {*(f"two_verified_{kind}s" for kind in STRONG_KINDS), "two_members_of_one_brand"}
)


def decide_merge(a: ConsumerFacts, b: ConsumerFacts) -> MergeDecision:
    """Whether two consumers are one person, and which record survives.

    Never merges two verified phones (or union ids), nor two memberships of one brand:
    those are two people, or a case for a human.
    """
    if a.consumer_id == b.consumer_id:
        return MergeDecision(False, "same_consumer")
    for kind in sorted(STRONG_KINDS):
        if kind in a.verified_kinds and kind in b.verified_kinds:
            return MergeDecision(False, f"two_verified_{kind}s")
    if a.brand_ids & b.brand_ids:
        return MergeDecision(False, "two_members_of_one_brand")
    survivor, absorbed = sorted((a, b), key=_survivor_rank)
    return MergeDecision(True, "ok", survivor.consumer_id, absorbed.consumer_id)


def _survivor_rank(facts: ConsumerFacts) -> tuple[int, int, int]:
    """Verified identities first, then more memberships, then the older record."""
    return (-len(facts.verified_kinds), -len(facts.brand_ids), facts.consumer_id)


# ---- tiers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    code: str
    name: str
    threshold: int
    points_multiplier_pct: int = 100  # a paid order earns this percentage of its base points


DEFAULT_TIERS = (Tier("standard", "Standard", 0),)


def check_tiers(tiers: Sequence[Tier]) -> None:
    """Raise ValueError unless the tiers have distinct codes and thresholds and one starts at 0."""
    if not tiers:
        raise ValueError("at least one tier is needed")
    if len({t.code for t in tiers}) != len(tiers):
        raise ValueError("tier codes must be distinct")
    if len({t.threshold for t in tiers}) != len(tiers):
        raise ValueError("tier thresholds must be distinct")
    if any(t.threshold < 0 for t in tiers):
        raise ValueError("tier thresholds must not be negative")
    if min(t.threshold for t in tiers) != 0:
        raise ValueError("one tier must start at threshold 0 (the entry tier)")


def evaluate_tier(tiers: Iterable[Tier], value: int) -> str:
    """The code of the highest tier whose threshold ``value`` reaches."""
    reached = [t for t in tiers if t.threshold <= value]
    if not reached:
        return entry_tier(DEFAULT_TIERS)
    return max(reached, key=lambda t: t.threshold).code


def entry_tier(tiers: Iterable[Tier]) -> str:
    return min(tiers, key=lambda t: t.threshold).code


# ---- points ---------------------------------------------------------------------------

FEN_PER_YUAN = 100


def order_points(*, collected: int, points_per_yuan: int, multiplier_pct: int) -> int:
    """Points a paid order earns: ``points_per_yuan`` per yuan collected, times the member's
    tier multiplier (a percentage), rounded down to a whole point (fen never earn alone).

    ``collected`` is in fen, so the rule is floor(collected × rate × pct / 10 000).
    """
    if collected <= 0 or points_per_yuan <= 0 or multiplier_pct <= 0:
        return 0
    return collected * points_per_yuan * multiplier_pct // (FEN_PER_YUAN * 100)


def points_value(points: int, per_yuan: int) -> int:
    """What ``points`` pay, in fen, when ``per_yuan`` points pay one yuan (rounded down;
    nothing when points pay nothing)."""
    return points * FEN_PER_YUAN // per_yuan if per_yuan > 0 else 0


def points_for(fen: int, per_yuan: int) -> int:
    """The fewest points that pay ``fen`` when ``per_yuan`` points pay one yuan (rounded up:
    the points taken are worth at least ``fen``)."""
    return -(-fen * per_yuan // FEN_PER_YUAN)


def points_within(fen: int, per_yuan: int) -> int:
    """The most points that pay at most ``fen`` when ``per_yuan`` points pay one yuan."""
    return ((fen + 1) * per_yuan - 1) // FEN_PER_YUAN if per_yuan > 0 else 0


def points_kept(*, earned: int, paid: int, refunded: int) -> int:
    """What a member keeps of an order's ``earned`` points once ``refunded`` of ``paid`` went back.

    In proportion to what the order still holds, rounded down: a partial refund never leaves
    a fraction of a point to the member, and a full refund takes everything back.
    """
    if paid <= 0 or refunded >= paid:
        return 0
    return earned * (paid - max(refunded, 0)) // paid


def earn_expiry(earned_at: datetime, expiry_days: int | None) -> datetime | None:
    """When points earned at ``earned_at`` expire under a brand's rule (None: never)."""
    if not expiry_days:
        return None
    return earned_at + timedelta(days=expiry_days)


def points_to_expire(*, expired_earned: int, debited: int) -> int:
    """Unspent points of lots past their expiry.

    Debits (spends, earlier expiries, negative adjustments) are charged against the
    earliest-expiring points first, so of the ``expired_earned`` points in lots that have
    expired, ``min(expired_earned, debited)`` are already gone and the rest expire now.
    """
    return max(0, expired_earned - debited)


# ---- phones ---------------------------------------------------------------------------

FULL_PHONE_ROLES = frozenset(
    {
        Role.PLATFORM_ADMIN,
        Role.BRAND_ADMIN,
        Role.INTEGRATION,
        Role.REGION_MANAGER,
        Role.STORE_MANAGER,
    }
)


def sees_full_phone(roles: Iterable[Role]) -> bool:
    """Managers and the brand's own systems see full numbers; guides and cashiers, 138****1234."""
    return bool(FULL_PHONE_ROLES & set(roles))
