"""The world record, the step protocol and the runner that builds a world step by step."""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from newretail.db import Database


@dataclass(frozen=True)
class StaffRecord:
    """A staff account the simulator created, with the password it was given."""

    id: int
    username: str
    password: str
    display_name: str
    role: str
    brand_code: str | None = None
    region_code: str | None = None
    store_code: str | None = None
    scope_label: str = ""


@dataclass(frozen=True)
class StoreRecord:
    id: int
    code: str
    name: str
    type: str
    region_code: str
    district_code: str | None
    lat: float
    lng: float


@dataclass(frozen=True)
class SkuRecord:
    id: int
    code: str
    product_id: int
    product_code: str
    barcode: str
    price: int  # the brand default, in minor units


@dataclass(frozen=True)
class PlantedOffer:
    """A rule the catalog step set above the brand default, and what it should resolve to."""

    level: str
    sku_code: str
    store_code: str  # a store where this rule is the one that decides the price
    channel: str
    price: int
    title: str | None = None
    available: bool = True


@dataclass
class CatalogRecord:
    """The catalog and stock a brand was given: codes to ids, prices, units per location."""

    categories: dict[str, int] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    skus: dict[str, SkuRecord] = field(default_factory=dict)
    offers: list[PlantedOffer] = field(default_factory=list)
    received: dict[tuple[str, str], int] = field(default_factory=dict)
    sold: dict[tuple[str, str], int] = field(default_factory=dict)
    featured: list[str] = field(default_factory=list)

    def on_hand(self, location_code: str, sku_code: str) -> int:
        key = (location_code, sku_code)
        return self.received.get(key, 0) - self.sold.get(key, 0)


@dataclass
class BrandRecord:
    id: int
    code: str
    name: str
    regions: dict[str, int] = field(default_factory=dict)
    stores: list[StoreRecord] = field(default_factory=list)
    staff: list[StaffRecord] = field(default_factory=list)
    catalog: CatalogRecord = field(default_factory=CatalogRecord)

    def store(self, code: str) -> StoreRecord:
        return next(store for store in self.stores if store.code == code)

    def staff_with_role(self, role: str) -> list[StaffRecord]:
        return [member for member in self.staff if member.role == role]


@dataclass
class World:
    """What the simulator built and planted: the ground truth that tests compare against."""

    seed: int
    platform_admin: StaffRecord | None = None
    districts: dict[str, int] = field(default_factory=dict)
    brands: dict[str, BrandRecord] = field(default_factory=dict)
    truth: dict[str, Any] = field(default_factory=dict)

    def all_staff(self) -> list[StaffRecord]:
        admins = [self.platform_admin] if self.platform_admin else []
        return admins + [member for brand in self.brands.values() for member in brand.staff]


@dataclass
class StepContext:
    """What a step works with: one open transaction, its own random stream, the record."""

    session: Session
    rng: random.Random
    world: World
    tick: Callable[[int], None]


@dataclass(frozen=True)
class Step:
    """One stage of world building. ``units`` sizes the progress bar; ``run`` ticks it."""

    name: str
    run: Callable[[StepContext], None]
    units: int = 1


class Progress(Protocol):
    def start(self, step: Step) -> None: ...

    def advance(self, units: int) -> None: ...

    def finish(self, step: Step) -> None: ...


class _Silent:
    def start(self, step: Step) -> None:
        return None

    def advance(self, units: int) -> None:
        return None

    def finish(self, step: Step) -> None:
        return None


def step_rng(seed: int, step_name: str) -> random.Random:
    """A random stream that depends only on the seed and the step, not on earlier steps."""
    return random.Random(f"{seed}:{step_name}")


def build(
    *,
    database: Database,
    seed: int,
    steps: Sequence[Step],
    progress: Progress | None = None,
    world: World | None = None,
) -> World:
    """Run ``steps`` in order, each in its own transaction, and return the world record."""
    world = world or World(seed=seed)
    progress = progress or _Silent()
    for step in steps:
        progress.start(step)
        with database.transaction() as session:
            step.run(
                StepContext(
                    session=session,
                    rng=step_rng(seed, step.name),
                    world=world,
                    tick=progress.advance,
                )
            )
        progress.finish(step)
    return world
