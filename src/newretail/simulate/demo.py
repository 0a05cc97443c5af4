"""The demo world that ``newretail demo`` serves, built with a progress display."""

import time
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from newretail.db import Database
from newretail.kernel import i18n
from newretail.kernel.scope import SYSTEM, Role
from newretail.org import service as org_service
from newretail.org.rules import StoreType
from newretail.simulate import (
    audiences,
    campaigns,
    catalog,
    commission,
    journeys,
    members,
    orders,
    organisation,
    presales,
    tills,
    touchpoints,
    workbench,
)
from newretail.simulate.demo_files import DemoLogin
from newretail.simulate.journey_plan import DEMO_JOURNEYS, JourneysPlan
from newretail.simulate.shanghai import DEMO_MEMBERS, DEMO_PLAN
from newretail.simulate.world import StaffRecord, Step, World, build
from newretail.touchpoints import service as touchpoints_service

DEFAULT_SEED = 7
SHEETS_FOLDER = "code-sheets"
# One login per role and brand is printed; every other account shares the same password.
FEATURED_ROLES = (
    Role.BRAND_ADMIN,
    Role.REGION_MANAGER,
    Role.STORE_MANAGER,
    Role.GUIDE,
    Role.CASHIER,
)


def steps(
    *,
    members_plan: members.MembersPlan = DEMO_MEMBERS,
    orders_plan: orders.OrdersPlan = orders.DEMO_ORDERS,
    journeys_plan: JourneysPlan = DEMO_JOURNEYS,
) -> list[Step]:
    """The demo's steps in order; each capability appends the step that plants its data.

    Tests of the world's shape pass smaller plans: same steps, fewer people.
    """
    return [
        organisation.step(DEMO_PLAN),
        catalog.step(DEMO_PLAN),
        touchpoints.step(),
        members.step(members_plan),
        commission.plan_step(),
        orders.step(orders_plan),
        presales.step(),
        tills.step(),
        commission.settle_step(),
        campaigns.step(),
        journeys.step(journeys_plan),
        audiences.step(),
        workbench.step(),
    ]


class _RichProgress:
    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def start(self, step: Step) -> None:
        self._task = self._progress.add_task(step.name, total=step.units)

    def advance(self, units: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, units)

    def finish(self, step: Step) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=step.units)


def build_world(
    *,
    database: Database,
    seed: int = DEFAULT_SEED,
    console: Console | None = None,
    members_plan: members.MembersPlan = DEMO_MEMBERS,
    orders_plan: orders.OrdersPlan = orders.DEMO_ORDERS,
    journeys_plan: JourneysPlan = DEMO_JOURNEYS,
) -> World:
    """Build the demo world into ``database`` (migrated and empty); show progress on ``console``."""
    plan = steps(members_plan=members_plan, orders_plan=orders_plan, journeys_plan=journeys_plan)
    if console is None:
        return build(database=database, seed=seed, steps=plan)
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    started = time.perf_counter()
    with Progress(*columns, console=console) as progress:
        world = build(database=database, seed=seed, steps=plan, progress=_RichProgress(progress))
    console.print(
        f"[green]demo world built in {time.perf_counter() - started:.1f}s:[/green] {summary(world)}"
    )
    return world


def summary(world: World) -> str:
    stores = sum(len(brand.stores) for brand in world.brands.values())
    planted = world.truth.get("members", {}).get("brands", {})
    count = sum(brand["members"] for brand in planted.values())
    return (
        f"{len(world.districts)} districts, {len(world.brands)} brands, {stores} stores, "
        f"{len(world.all_staff())} staff, {count} members "
        f"(every account's password: {DEMO_PLAN.password})"
    )


def featured_logins(world: World) -> list[DemoLogin]:
    """The platform admin, then per brand the first account of each role."""
    chosen: list[StaffRecord] = [world.platform_admin] if world.platform_admin else []
    for brand in world.brands.values():
        for role in FEATURED_ROLES:
            chosen.extend(brand.staff_with_role(role)[:1])
    return [
        DemoLogin(
            role=member.role,
            username=member.username,
            password=member.password,
            scope=member.scope_label,
        )
        for member in chosen
    ]


def load(
    *, database: Database, seed: int = DEFAULT_SEED, console: Console | None = None
) -> list[DemoLogin]:
    """Build the demo world and return the logins to print."""
    return featured_logins(build_world(database=database, seed=seed, console=console))


def write_code_sheets(
    *, database: Database, folder: Path, base_url: str, locale: str = i18n.ZH
) -> list[Path]:
    """Each store's print sheet as ``folder/<brand>-<store>.pdf``; earlier sheets are dropped.

    Read from the database, so a world served again gets sheets for its new address.
    Warehouses get no codes in the demo, so no sheet either.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.pdf"):
        old.unlink()
    translate = i18n.translations(locale).gettext
    written: list[Path] = []
    with database.transaction(read_only=True) as session:
        brands, _ = org_service.list_brands(session=session, scope=SYSTEM, cursor=None, limit=100)
        for brand in brands:
            scope = touchpoints_service.brand_scope(brand.id)
            stores, _ = org_service.list_stores(
                session=session, scope=scope, cursor=None, limit=200, brand_id=brand.id
            )
            for store in stores:
                if store.type == StoreType.WAREHOUSE:
                    continue
                pdf = touchpoints_service.print_sheet(
                    session=session,
                    scope=scope,
                    store_id=store.id,
                    base_url=base_url,
                    translate=translate,
                )
                path = folder / f"{brand.code}-{store.code}.pdf"
                path.write_bytes(pdf)
                written.append(path)
    return written
