"""The journeys step: consumers' paths through districts, stores, devices and touches, sent
as events through the data bank's bulk ingestion, with what was planted kept as truth.

``plant`` makes the members the journeys need (through the members service) and the events
(plain dictionaries in the collection envelope, no HTTP); ``send`` hands them to
``ingest`` in large batches. ``journey_plan`` says what is planted and why.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from newretail.analytics.events import service as events_service
from newretail.analytics.events.rules import Clock
from newretail.members import service as members_service
from newretail.members.schemas import Consents
from newretail.simulate.journey_plan import (
    FUNNEL,
    TOUCH_WINDOWS,
    JourneysPlan,
    Planted,
    StorePlan,
    store_plan,
)
from newretail.simulate.members import anchor_time
from newretail.simulate.world import Step, StepContext

STEP_NAME = "journeys"
STEP_MINUTES = (0, 10, 25, 40, 45)
FUNNEL_CHANNELS = ("store_sensor", "store_sensor", "kiosk", "pos", "mini_app")
ORDER_IDS = 50_000_000  # simulated orders' ids start here, apart from real ones


@dataclass(frozen=True)
class Site:
    store_id: int
    district_id: int | None = None
    guide_id: int | None = None


class _Maker:
    """Builds one brand's events; keeps the counters that make ids unique."""

    def __init__(self, session: Session, brand_id: int, rng: random.Random, anchor: datetime):
        self.session, self.brand_id, self.rng, self.anchor = session, brand_id, rng, anchor
        self.events: list[dict[str, Any]] = []
        self.planted = Planted()
        self.orders = ORDER_IDS
        self.phones: set[str] = set()

    def emit(self, mid: str, name: str, at: datetime, channel: str, **fields: Any) -> None:
        props = fields.pop("properties", {})
        context = {k: v for k, v in fields.pop("context", {}).items() if v is not None}
        event: dict[str, Any] = {"messageId": mid, "event": name, "channel": channel}
        event["timestamp"] = at.isoformat()
        event |= {"context": context, "properties": props}
        event |= {k: v for k, v in fields.items() if v is not None}
        self.events.append(event)

    def order(self) -> tuple[int, int]:
        self.orders += 1
        return self.orders, self.rng.randrange(99, 600) * 100

    def member(self, store_id: int, at: datetime) -> int:
        while True:
            phone = f"+86147{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                break
        consumer_id, _ = members_service.consumer_for_phone(
            session=self.session, phone=phone, verified=True, now=at
        )
        member, _ = members_service.ensure_membership(
            session=self.session,
            brand_id=self.brand_id,
            consumer_id=consumer_id,
            channel=members_service.JoinChannel.STORE,
            store_id=store_id,
            consents=Consents(analytics=True, marketing=self.rng.random() < 0.6),
            now=at,
        )
        return member.id


def plant(
    *,
    session: Session,
    brand_id: int,
    sites: list[Site],
    plan: JourneysPlan,
    rng: random.Random,
    anchor: datetime | None = None,
) -> tuple[list[dict[str, Any]], Planted]:
    """The members and the events of every site's journeys, and what they plant."""
    maker = _Maker(session, brand_id, rng, anchor or anchor_time())
    for site in sites:
        sp = store_plan(
            rng, plan, store_id=site.store_id, district_id=site.district_id, guide_id=site.guide_id
        )
        maker.planted.stores.append(sp)
        members = _funnel(maker, plan, sp)
        _kiosks(maker, plan, sp, members)
        _touches(maker, plan, sp)
        _browsers(maker, plan, sp)
    maker.planted.events = len(maker.events)
    return maker.events, maker.planted


def _funnel(m: _Maker, plan: JourneysPlan, sp: StorePlan) -> list[int]:
    """Everyone of the store's funnel; the members made, in order."""
    span = timedelta(days=plan.days - 4).total_seconds()
    start = m.anchor - timedelta(days=plan.days)
    members: list[int] = []
    ctx = {"store": sp.store_id, "district": sp.district_id}
    for i in range(sp.counts[0]):
        anon = f"j{sp.store_id}.{i}"
        t0 = start + timedelta(seconds=m.rng.uniform(0, span))
        for k, name in enumerate(FUNNEL):
            if i >= sp.counts[k]:
                break
            at = t0 + timedelta(minutes=STEP_MINUTES[k])
            mid = f"j{sp.store_id}-{i}-{k}"
            if name == "Order Completed":
                order_id, revenue = m.order()
                props = {"order_id": order_id, "revenue_fen": revenue}
                m.emit(
                    mid,
                    name,
                    at,
                    FUNNEL_CHANNELS[k],
                    anonymousId=anon,
                    context=ctx,
                    properties=props,
                )
            elif name == "Member Signed Up":
                member = m.member(sp.store_id, at)
                members.append(member)
                m.planted.same_person.append((f"anon:{anon}", f"member:{member}"))
                props = {"member_id": member}
                m.emit(
                    mid,
                    name,
                    at,
                    FUNNEL_CHANNELS[k],
                    anonymousId=anon,
                    userId=str(member),
                    context=ctx,
                    properties=props,
                )
                _other_devices(m, plan, sp, member, at)
            else:
                m.emit(mid, name, at, FUNNEL_CHANNELS[k], anonymousId=anon, context=ctx)
    return members


def _other_devices(
    m: _Maker, plan: JourneysPlan, sp: StorePlan, member: int, joined: datetime
) -> None:
    """The member on the web or in the mini app under another id, signing in days later."""
    later = joined + timedelta(days=m.rng.uniform(0.5, 3))
    ctx = {"store": sp.store_id}
    if m.rng.random() < plan.web_share:
        web = f"w{member}"
        for n in range(m.rng.randint(2, 4)):
            props = {"product_id": m.rng.randrange(1, 200)}
            m.emit(
                f"w{member}-{n}",
                "Product Viewed",
                joined - timedelta(days=1, minutes=n),
                "web",
                anonymousId=web,
                context=ctx,
                properties=props,
            )
        m.emit(
            f"w{member}-in",
            "Cart Viewed",
            later,
            "web",
            anonymousId=web,
            userId=str(member),
            context=ctx,
        )
        m.planted.same_person.append((f"anon:{web}", f"member:{member}"))
    if m.rng.random() < plan.app_share:
        app = f"a{member}"
        props = {"product_id": m.rng.randrange(1, 200), "quantity": 1}
        m.emit(
            f"a{member}-add", "Product Added", later, "mini_app", anonymousId=app, properties=props
        )
        order_id, revenue = m.order()
        props = {"order_id": order_id, "revenue_fen": revenue}
        m.emit(
            f"a{member}-buy",
            "Order Completed",
            later + timedelta(minutes=3),
            "mini_app",
            anonymousId=app,
            userId=str(member),
            properties=props,
        )
        m.planted.same_person.append((f"anon:{app}", f"member:{member}"))


def _kiosks(m: _Maker, plan: JourneysPlan, sp: StorePlan, members: list[int]) -> None:
    """Two members sign in on one kiosk: the kiosk's id may join one, never both."""
    for n in range(min(plan.shared_kiosks, len(members) // 2)):
        first, second = members[2 * n], members[2 * n + 1]
        kiosk = f"k{sp.store_id}.{n}"
        at = m.anchor - timedelta(days=1, hours=n)
        ctx = {"store": sp.store_id}
        props = {"template_id": 1}
        m.emit(f"{kiosk}-0", "Item Tried On", at, "kiosk", anonymousId=kiosk, context=ctx)
        m.emit(
            f"{kiosk}-1",
            "Coupon Claimed",
            at,
            "kiosk",
            anonymousId=kiosk,
            userId=str(first),
            context=ctx,
            properties=props,
        )
        m.emit(
            f"{kiosk}-2",
            "Coupon Claimed",
            at,
            "kiosk",
            anonymousId=kiosk,
            userId=str(second),
            context=ctx,
            properties=props,
        )
        m.planted.kept_apart.append((f"member:{first}", f"member:{second}"))


def _touches(m: _Maker, plan: JourneysPlan, sp: StorePlan) -> None:
    """Consumers touched once, buying online inside the touch's window."""
    kinds = sorted(TOUCH_WINDOWS)
    for i in range(plan.touch_buyers):
        kind = kinds[i % len(kinds)]
        window = TOUCH_WINDOWS[kind]
        anon = f"t{sp.store_id}.{i}"
        touched = (
            m.anchor - timedelta(days=plan.days) + timedelta(days=m.rng.uniform(0, plan.days - 15))
        )
        days = m.rng.randint(1, window - 1)
        bought = touched + timedelta(days=days, minutes=m.rng.randrange(600))
        ctx = _touch_context(kind, sp)
        m.emit(
            f"{anon}-touch",
            kind,
            touched,
            "app" if kind == "Ad Exposed" else "mini_app",
            anonymousId=anon,
            context=ctx,
        )
        order_id, revenue = m.order()
        props = {"order_id": order_id, "revenue_fen": revenue}
        m.emit(f"{anon}-buy", "Order Completed", bought, "web", anonymousId=anon, properties=props)
        m.planted.attributions.append(
            {"touch": kind, "touch_message_id": f"{anon}-touch", "person_key": f"anon:{anon}",
             "store_id": sp.store_id, "order_id": order_id, "revenue_fen": revenue, "days": days}
        )  # fmt: skip


def _touch_context(kind: str, sp: StorePlan) -> dict[str, Any]:
    match kind:
        case "QR Scanned":
            return {"store": sp.store_id, "code": f"S{sp.store_id}", "guide": sp.guide_id}
        case "Popup Visited":
            return {"popup": 90_000 + sp.store_id, "district": sp.district_id}
        case "Share Opened":
            return {"guide": sp.guide_id or 1, "store": sp.store_id}
        case "Sample Dispensed":
            return {"store": sp.store_id}
        case _:
            return {"campaign": f"ad-{sp.store_id}"}


def _browsers(m: _Maker, plan: JourneysPlan, sp: StorePlan) -> None:
    span = timedelta(days=plan.days - 1).total_seconds()
    start = m.anchor - timedelta(days=plan.days)
    ctx = {"store": sp.store_id}
    for i in range(plan.browsers):
        anon = f"b{sp.store_id}.{i}"
        t0 = start + timedelta(seconds=m.rng.uniform(0, span))
        for n in range(plan.views_per_browser):
            props = {"product_id": (i + n) % 500 + 1}
            m.emit(
                f"{anon}-{n}",
                "Product Viewed",
                t0 + timedelta(minutes=n),
                "web",
                anonymousId=anon,
                context=ctx,
                properties=props,
            )


def send(
    *,
    session: Session,
    brand_id: int,
    events: list[dict[str, Any]],
    days: int,
    now: datetime,
    batch: int = 20_000,
) -> dict[str, int]:
    """Every event through the collection's bulk path; totals of what became of them."""
    clock = Clock(
        received_at=now, max_future=timedelta(minutes=5), max_age=timedelta(days=days + 2)
    )
    sender = events_service.Sender(brand_id=brand_id)
    totals = {"accepted": 0, "duplicates": 0, "no_consent": 0, "rejected": 0}
    for start in range(0, len(events), batch):
        result = events_service.ingest(
            session=session, sender=sender, events=events[start : start + batch], clock=clock
        )
        totals["accepted"] += result.accepted
        totals["duplicates"] += result.duplicates
        totals["no_consent"] += result.no_consent
        totals["rejected"] += len(result.rejected)
    return totals


def step(plan: JourneysPlan) -> Step:
    return Step(name=STEP_NAME, run=partial(build, plan), units=1)


def build(plan: JourneysPlan, ctx: StepContext) -> None:
    """Every brand's journeys at its stores that lie in a district (the funnel's first step)."""
    anchor = anchor_time()
    truth: dict[str, Any] = {}
    for brand in ctx.world.brands.values():
        guides = {s.store_code: s.id for s in brand.staff_with_role("guide")}
        sites = [
            Site(s.id, ctx.world.districts[s.district_code], guides.get(s.code))
            for s in brand.stores
            if s.district_code in ctx.world.districts and s.type != "warehouse"
        ]
        events, planted = plant(
            session=ctx.session,
            brand_id=brand.id,
            sites=sites,
            plan=plan,
            rng=ctx.rng,
            anchor=anchor,
        )
        totals = send(
            session=ctx.session, brand_id=brand.id, events=events, days=plan.days, now=anchor
        )
        truth[brand.code] = {**planted.as_truth(), "ingested": totals}
    ctx.world.truth[STEP_NAME] = truth
    ctx.tick(1)
