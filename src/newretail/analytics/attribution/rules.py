"""Attribution maths: which touches a purchase is credited to, and how its amount is split.

A **touch** is a qualifying event of the buyer's person before the purchase (a pop-up visit,
a code scanned, a sample dispensed, an ad exposure, a guide's share opened or message read),
within its type's window (7 to 14 days by default, each configurable).

- ``last_touch``: the whole amount to the latest qualifying touch.
- ``position``: 40 % to the first, 40 % to the last, 20 % shared by those between
  (one touch takes all; two share half and half).
- ``unique``: each touchpoint (its type, code, campaign, pop-up and guide) counts once per
  purchase, at its latest touch; ``all`` counts every touch.

Amounts are integer fen split by largest remainder (``kernel.money.split``): the credits of
a purchase always add up to its total exactly.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from newretail.kernel.money import split

TOUCH_EVENTS = (
    "Popup Visited",
    "QR Scanned",
    "Sample Dispensed",
    "Ad Exposed",
    "Share Opened",
    "Message Read",
)
DEFAULT_WINDOW_DAYS = {
    "Popup Visited": 14,
    "QR Scanned": 14,
    "Sample Dispensed": 7,
    "Ad Exposed": 7,
    "Share Opened": 14,
    "Message Read": 14,
}
MAX_WINDOW_DAYS = 90


class AttributionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: Literal["last_touch", "position"] = "last_touch"
    touches: Literal["unique", "all"] = "unique"
    window_days: dict[str, Annotated[int, Field(ge=1, le=MAX_WINDOW_DAYS)]] = Field(
        default_factory=dict, description="Per touch type; the rest keep their default."
    )

    @field_validator("window_days")
    @classmethod
    def _known_touch_types(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(TOUCH_EVENTS))
        if unknown:
            raise ValueError(f"not touch types: {unknown}; touch types: {list(TOUCH_EVENTS)}")
        return value

    def window(self, event: str) -> timedelta:
        return timedelta(days=self.window_days.get(event, DEFAULT_WINDOW_DAYS[event]))

    @property
    def longest_window(self) -> timedelta:
        return max(self.window(event) for event in TOUCH_EVENTS)


@dataclass(frozen=True, slots=True)
class Touch:
    event: str
    at: datetime
    seq: int
    code: str | None = None
    campaign: str | None = None
    popup_id: int | None = None
    district_id: int | None = None
    guide_id: int | None = None

    @property
    def touchpoint(self) -> tuple[object, ...]:
        return (self.event, self.code, self.campaign, self.popup_id, self.guide_id)


@dataclass(frozen=True, slots=True)
class Purchase:
    order_id: int
    at: datetime
    total_fen: int


@dataclass(frozen=True, slots=True)
class Credit:
    order_id: int
    touch: Touch
    fen: int


def qualifying(
    purchase: Purchase, touches: Iterable[Touch], settings: AttributionSettings
) -> list[Touch]:
    """The touches inside their type's window before the purchase, oldest first."""
    found = [
        t
        for t in touches
        if t.event in DEFAULT_WINDOW_DAYS
        and purchase.at - settings.window(t.event) <= t.at <= purchase.at
    ]
    return sorted(found, key=lambda t: (t.at, t.seq))


def counted(touches: Sequence[Touch], how: Literal["unique", "all"]) -> list[Touch]:
    """All touches, or each touchpoint once at its latest touch (still oldest first)."""
    if how == "all":
        return list(touches)
    latest = {t.touchpoint: t for t in touches}
    return sorted(latest.values(), key=lambda t: (t.at, t.seq))


def weights(n: int, model: Literal["last_touch", "position"]) -> list[int]:
    """Integer weights of ``n`` touches, oldest first: 40/20/40 is 2(n-2) : 1 ... : 2(n-2)."""
    if n <= 0:
        return []
    if model == "last_touch":
        return [0] * (n - 1) + [1]
    if n <= 2:
        return [1] * n
    return [2 * (n - 2)] + [1] * (n - 2) + [2 * (n - 2)]


def attribute(
    purchase: Purchase, touches: Iterable[Touch], settings: AttributionSettings
) -> list[Credit]:
    """The purchase's credits; none when no touch qualifies (the sale stays unattributed)."""
    chosen = counted(qualifying(purchase, touches, settings), settings.touches)
    if not chosen:
        return []
    shares = weights(len(chosen), settings.model)
    amounts = split(purchase.total_fen, shares)
    return [
        Credit(purchase.order_id, touch, fen)
        for touch, share, fen in zip(chosen, shares, amounts, strict=True)
        if share
    ]
