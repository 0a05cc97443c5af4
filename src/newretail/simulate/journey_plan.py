"""What the journeys step plants, written down before any event is made (pure, seeded).

Per store, ``people`` consumers enter its district; exact shares of them go on to enter the
store, try something on, buy and become members (the seed funnel 100 -> 20 -> 10 -> 4 -> 2,
each store's rates spread around it). Some members also browse the web or the mini app
under another anonymous id and sign in there later (same-person pairs across devices and
channels); some share a kiosk with another member (two members who must stay two people);
other consumers are touched (pop-up, code, sample, ad, guide share) and buy online 1 to 13
days later, inside the touch type's window.
"""

import itertools
import random
from dataclasses import dataclass, field

SEED_RATES = (0.20, 0.50, 0.40, 0.50)  # district -> store -> tried on -> bought -> member
FUNNEL = (
    "District Entered",
    "Store Entered",
    "Item Tried On",
    "Order Completed",
    "Member Signed Up",
)
# Touch type -> its attribution window in days (the defaults: 7 to 14).
TOUCH_WINDOWS = {
    "Popup Visited": 14,
    "QR Scanned": 14,
    "Share Opened": 14,
    "Sample Dispensed": 7,
    "Ad Exposed": 7,
}


@dataclass(frozen=True)
class JourneysPlan:
    people_per_store: int = 500
    days: int = 28
    rates: tuple[float, ...] = SEED_RATES
    spread: float = 0.25  # each store's rates lie within +-25 % of the seed rates
    web_share: float = 0.5  # members who also browsed the web under another id
    app_share: float = 0.3  # members who also shop in the mini app under another id
    shared_kiosks: int = 1  # per store: two members signing in on one kiosk
    touch_buyers: int = 20  # per store
    browsers: int = 0  # per store: anonymous web visitors who only browse (volume)
    views_per_browser: int = 5


# The demo's journeys: a few hundred people per store, a handful of members each.
DEMO_JOURNEYS = JourneysPlan(people_per_store=250, touch_buyers=12, browsers=40)


@dataclass(frozen=True)
class StorePlan:
    store_id: int
    district_id: int | None
    guide_id: int | None
    rates: tuple[float, ...]
    counts: tuple[int, ...]  # people reaching each funnel step, exactly


@dataclass
class Planted:
    """The ground truth the analytics must recover."""

    stores: list[StorePlan] = field(default_factory=list)
    same_person: list[tuple[str, str]] = field(default_factory=list)
    kept_apart: list[tuple[str, str]] = field(default_factory=list)
    attributions: list[dict[str, object]] = field(default_factory=list)
    events: int = 0

    def as_truth(self) -> dict[str, object]:
        return {
            "rates": {s.store_id: list(s.rates) for s in self.stores},
            "counts": {s.store_id: list(s.counts) for s in self.stores},
            "realised_rates": {s.store_id: realised(s.counts) for s in self.stores},
            "same_person": [list(p) for p in self.same_person],
            "kept_apart": [list(p) for p in self.kept_apart],
            "attributions": self.attributions,
            "attributed_revenue_fen": sum(int(str(a["revenue_fen"])) for a in self.attributions),
            "events": self.events,
        }


def realised(counts: tuple[int, ...]) -> list[float]:
    return [b / a if a else 0.0 for a, b in itertools.pairwise(counts)]


def store_plan(
    rng: random.Random,
    plan: JourneysPlan,
    *,
    store_id: int,
    district_id: int | None,
    guide_id: int | None,
) -> StorePlan:
    rates = tuple(round(r * (1 + rng.uniform(-plan.spread, plan.spread)), 4) for r in plan.rates)
    counts = [plan.people_per_store]
    for rate in rates:
        counts.append(round(counts[-1] * rate))
    return StorePlan(store_id, district_id, guide_id, rates, tuple(counts))
