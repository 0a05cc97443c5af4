"""The demo world: two brands sharing a Shanghai district, a dozen stores, every role."""

from collections import Counter

from sqlalchemy import select
from tests.integration.simulate.worlds import BuiltWorld

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.db import Database
from newretail.kernel.scope import Role
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.rules import haversine_km
from newretail.simulate import demo
from newretail.simulate.shanghai import DEMO_PLAN, WEST_NANJING_ROAD
from newretail.simulate.world import World

STAFF_ROLES = {"brand_admin", "region_manager", "store_manager", "guide", "cashier"}


def test_two_brands_have_a_dozen_stores_in_the_shared_district(
    world: World, world_database: Database
) -> None:
    district_id = world.districts[WEST_NANJING_ROAD.code]
    with world_database.transaction(read_only=True) as session:
        rows = session.execute(
            select(Store.brand_id, Store.type).where(Store.district_id == district_id)
        ).all()

    assert len(rows) == 12
    assert Counter(brand_id for brand_id, _ in rows) == {
        brand.id: 6 for brand in world.brands.values()
    }
    assert {type_ for _, type_ in rows} == {"direct", "franchise", "counter", "popup"}


def test_every_brand_has_a_warehouse_outside_the_districts(world: World) -> None:
    warehouses = [
        store
        for brand in world.brands.values()
        for store in brand.stores
        if store.type == "warehouse"
    ]

    assert len(warehouses) == len(world.brands) == 2
    assert {store.district_code for store in warehouses} == {None}


def test_district_stores_stand_within_a_kilometre_of_its_centre(world: World) -> None:
    centre = (WEST_NANJING_ROAD.lat, WEST_NANJING_ROAD.lng)
    distances = [
        haversine_km(*centre, store.lat, store.lng)
        for brand in world.brands.values()
        for store in brand.stores
        if store.district_code == WEST_NANJING_ROAD.code
    ]

    assert len(distances) == 12
    assert max(distances) < 1.0


def test_every_brand_has_staff_of_every_role(world: World) -> None:
    for brand in world.brands.values():
        assert {member.role for member in brand.staff} == STAFF_ROLES


def test_staff_scopes_follow_their_roles(world: World, world_database: Database) -> None:
    brand = world.brands["YUEDONG"]
    guide = brand.staff_with_role(Role.GUIDE)[0]
    division_manager = brand.staff_with_role(Role.REGION_MANAGER)[0]
    with world_database.transaction(read_only=True) as session:
        guide_scope = auth_service.scope_for_staff(
            session=session, staff=session.get_one(Staff, guide.id)
        )
        manager_scope = auth_service.scope_for_staff(
            session=session, staff=session.get_one(Staff, division_manager.id)
        )
        visible, _ = org_service.list_stores(
            session=session, scope=manager_scope, cursor=None, limit=50
        )
        visible_codes = {store.code for store in visible}

    assert guide_scope.store_ids == {brand.store(guide.store_code or "").id}
    assert visible_codes == {store.code for store in brand.stores}


def test_the_platform_admin_and_a_login_per_role_and_brand_are_featured(world: World) -> None:
    logins = demo.featured_logins(world)

    assert logins[0].role == "platform_admin"
    assert Counter(login.role for login in logins[1:]) == {role: 2 for role in STAFF_ROLES}
    assert {login.password for login in logins} == {DEMO_PLAN.password}


def test_progress_advances_by_the_planned_units(built_world: BuiltWorld) -> None:
    steps = built_world.steps

    assert built_world.ticks == {step.name: step.units for step in steps}


def test_every_store_has_codes_every_guide_a_badge_and_the_scans_add_up(
    world: World, world_database: Database
) -> None:
    from newretail.kernel.scope import SYSTEM as system
    from newretail.touchpoints import service as touchpoints_service
    from newretail.touchpoints.rules import Placement

    planted = world.truth["touchpoints"]
    guides = [s for b in world.brands.values() for s in b.staff_with_role(Role.GUIDE)]
    with world_database.transaction(read_only=True) as session:
        badges, _ = touchpoints_service.list_codes(
            session=session, scope=system, cursor=None, limit=200, placement=Placement.GUIDE_BADGE
        )
        badge_guides = {b.guide_id for b in badges}
        sample = next(iter(planted))
        stats = touchpoints_service.stats(session=session, scope=system, code=sample)
    assert badge_guides == {g.id for g in guides}
    assert (stats.scans, stats.unique_scanners) == (
        planted[sample]["scans"],
        planted[sample]["unique_scanners"],
    )
