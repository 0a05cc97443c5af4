"""The shared worlds' plan and the records the world fixtures hand to the tests."""

from collections import Counter
from dataclasses import dataclass, field

from tests import member_builders as mb

from newretail.db import Database
from newretail.simulate import demo
from newretail.simulate.orders import OrdersPlan
from newretail.simulate.world import Step, World

SHARED_ORDERS = OrdersPlan(per_brand=40, refund_share=0.2, return_share=0.1)


def shared_steps() -> list[Step]:
    return demo.steps(
        members_plan=mb.SMALL_MEMBERS_PLAN,
        orders_plan=SHARED_ORDERS,
        journeys_plan=mb.SMALL_JOURNEYS_PLAN,
    )


@dataclass(frozen=True)
class BuiltWorld:
    """A shared world: its database, its record, the steps that built it and their progress."""

    database: Database
    world: World
    steps: list[Step]
    ticks: Counter[str]


@dataclass
class CountingProgress:
    """Counts the units each step reports, by step name."""

    ticks: Counter[str] = field(default_factory=Counter)
    current: str = ""

    def start(self, step: Step) -> None:
        self.current = step.name

    def advance(self, units: int) -> None:
        self.ticks[self.current] += units

    def finish(self, step: Step) -> None:
        self.current = ""
