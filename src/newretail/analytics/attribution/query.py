"""Purchases and the touches before them, read from the warehouse, credited by ``rules``.

A purchase is a paid order of the period in ``orders`` (any channel; cancelled and refunded
ones are not), or an ``Order Completed`` event carrying an order id and revenue that
``orders`` does not hold (a sale another system reported). One statement joins each
purchase to the touches of the same person within the longest window; ``rules.attribute``
then keeps those inside their type's window and splits the amount. Persons are resolved
through ``persons`` on both sides, so a scan on the phone and a purchase at the till of the
same person meet.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from newretail.analytics.attribution.rules import (
    TOUCH_EVENTS,
    AttributionSettings,
    Credit,
    Purchase,
    Touch,
    attribute,
)
from newretail.analytics.reports.source import Readable, naive_utc, positional

By = Literal["touchpoint", "code", "campaign", "popup", "district", "guide"]
NOT_PURCHASES = ("cancelled", "refunded")

_PAIRS = """
WITH kept AS (
  SELECT o.order_id AS order_id, coalesce(p.person_id, o.person_key) AS person,
         coalesce(o.paid_at, o.placed_at) AS at, o.total_fen AS total_fen
  FROM orders o LEFT JOIN persons p ON p.brand_id = o.brand_id AND p.person_key = o.person_key
  WHERE o.brand_id = $1 AND o.paid_at IS NOT NULL AND o.status NOT IN ($2, $3)
    AND o.paid_at >= $4 AND o.paid_at < $5
), reported AS (
  SELECT e.order_id AS order_id, min(coalesce(p.person_id, e.person_key)) AS person,
         min(e.ts) AS at,
         max(e.revenue_fen) AS total_fen
  FROM events e LEFT JOIN persons p ON p.brand_id = e.brand_id AND p.person_key = e.person_key
  WHERE e.brand_id = $1 AND e.event = 'Order Completed' AND e.order_id IS NOT NULL
    AND e.revenue_fen IS NOT NULL AND e.ts >= $4 AND e.ts < $5
    AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.brand_id = e.brand_id
                    AND x.order_id = e.order_id)
  GROUP BY e.order_id
), o AS (
  SELECT * FROM kept UNION ALL SELECT * FROM reported
), t AS (
  SELECT coalesce(p.person_id, e.person_key) AS person, e.event AS event, e.ts AS ts,
         e.seq AS seq, e.code AS code, e.campaign AS campaign, e.popup_id AS popup_id,
         e.district_id AS district_id, e.guide_id AS guide_id
  FROM events e LEFT JOIN persons p ON p.brand_id = e.brand_id AND p.person_key = e.person_key
  WHERE e.brand_id = $1 AND e.event IN ({touch_marks})
    AND e.ts >= $6 AND e.ts < $5
)
SELECT o.order_id, o.at, o.total_fen, t.event, t.ts, t.seq, t.code, t.campaign, t.popup_id,
       t.district_id, t.guide_id
FROM o LEFT JOIN t ON t.person = o.person AND t.ts <= o.at AND t.ts >= $6
ORDER BY o.order_id, t.ts, t.seq
"""


@dataclass(frozen=True, slots=True)
class Attribution:
    purchases: int
    revenue_fen: int
    credits: list[Credit]

    @property
    def attributed_fen(self) -> int:
        return sum(c.fen for c in self.credits)


def _pairs(
    warehouse: Readable, brand_id: int, start: datetime, end: datetime, earliest: datetime
) -> Iterator[tuple[Purchase, Touch | None]]:
    marks = ", ".join(f"${7 + i}" for i in range(len(TOUCH_EVENTS)))
    params = [brand_id, *NOT_PURCHASES, naive_utc(start), naive_utc(end), naive_utc(earliest)]
    sql, values = positional(_PAIRS.format(touch_marks=marks), [*params, *TOUCH_EVENTS])
    for row in warehouse.query(sql, values):
        order_id, at, total, event, ts, seq, code, campaign, popup, district, guide = row
        purchase = Purchase(int(order_id), at, int(total))
        touch = (
            None if event is None else Touch(event, ts, seq, code, campaign, popup, district, guide)
        )
        yield purchase, touch


def attribute_period(
    warehouse: Readable,
    *,
    brand_id: int,
    start: datetime,
    end: datetime,
    settings: AttributionSettings,
) -> Attribution:
    """Every paid purchase of ``[start, end)`` and its credits."""
    earliest = naive_utc(start) - settings.longest_window
    touches: dict[Purchase, list[Touch]] = defaultdict(list)
    for purchase, touch in _pairs(warehouse, brand_id, start, end, earliest):
        bucket = touches[purchase]
        if touch is not None:
            bucket.append(touch)
    credits = [c for p, ts in touches.items() for c in attribute(p, ts, settings)]
    return Attribution(
        purchases=len(touches), revenue_fen=sum(p.total_fen for p in touches), credits=credits
    )


def _key(touch: Touch, by: By) -> object:
    return {
        "touchpoint": touch.event,
        "code": touch.code,
        "campaign": touch.campaign,
        "popup": touch.popup_id,
        "district": touch.district_id,
        "guide": touch.guide_id,
    }[by]


@dataclass(frozen=True, slots=True)
class CreditRow:
    value: str
    fen: int
    purchases: int
    touches: int


def report(attribution: Attribution, by: By) -> list[CreditRow]:
    """Credited fen, purchases and touches per value of ``by``, the largest first.

    Touches without a value of ``by`` (a scan has no pop-up) fall under "(none)".
    """
    fen: dict[str, int] = defaultdict(int)
    orders: dict[str, set[int]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    for credit in attribution.credits:
        raw = _key(credit.touch, by)
        value = "(none)" if raw is None else str(raw)
        fen[value] += credit.fen
        orders[value].add(credit.order_id)
        count[value] += 1
    rows = [CreditRow(v, fen[v], len(orders[v]), count[v]) for v in fen]
    return sorted(rows, key=lambda r: (-r.fen, r.value))
