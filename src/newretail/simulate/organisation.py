"""The organisation step: platform admin, districts, brands, region trees, stores and staff.

Everything is created through the organisation and auth services with the system scope,
so the simulated world obeys the same rules as one built through the API.
"""

from dataclasses import dataclass
from functools import partial
from typing import Any

from newretail.auth import service as auth_service
from newretail.auth.schemas import StaffCreate
from newretail.kernel.scope import SYSTEM, Role
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, DistrictCreate, RegionCreate, StoreCreate
from newretail.simulate import names
from newretail.simulate.plans import BrandPlan, OrganisationPlan, StorePlan
from newretail.simulate.world import BrandRecord, StaffRecord, Step, StepContext, StoreRecord

STEP_NAME = "organisation"
# Stores stand inside their mall, a few metres from its reference point.
JITTER_DEGREES = 0.0002


def step(plan: OrganisationPlan) -> Step:
    return Step(name=STEP_NAME, run=partial(build, plan), units=plan.units)


def build(plan: OrganisationPlan, ctx: StepContext) -> None:
    """Create the whole organisation of ``plan`` and record it in ``ctx.world``."""
    ctx.world.platform_admin = _add_staff(
        ctx,
        brand=None,
        username=plan.platform_admin,
        display_name="平台管理员",
        password=plan.password,
        grant={"role": Role.PLATFORM_ADMIN},
        scope_label="platform: every brand",
    )
    for district in plan.districts:
        data = DistrictCreate.model_validate(
            {
                "code": district.code,
                "name": district.name,
                "city": district.city,
                "lat": district.lat,
                "lng": district.lng,
                "polygon": [list(point) for point in district.polygon],
            }
        )
        created = org_service.create_district(session=ctx.session, scope=SYSTEM, data=data)
        ctx.world.districts[district.code] = created.id
        ctx.tick(1)
    for brand_plan in plan.brands:
        _build_brand(ctx, brand_plan, plan)


def _build_brand(ctx: StepContext, plan: BrandPlan, organisation: OrganisationPlan) -> None:
    data = BrandCreate.model_validate(
        {"code": plan.code, "name": plan.name, "currency": plan.currency, "timezone": plan.timezone}
    )
    created = org_service.create_brand(session=ctx.session, scope=SYSTEM, data=data)
    brand = BrandRecord(id=created.id, code=plan.code, name=plan.name)
    ctx.world.brands[plan.code] = brand
    ctx.tick(1)
    for region in plan.regions:
        region_data = RegionCreate.model_validate(
            {
                "brand_id": brand.id,
                "parent_id": brand.regions[region.parent] if region.parent else None,
                "code": region.code,
                "name": region.name,
                "kind": region.kind,
            }
        )
        made = org_service.create_region(session=ctx.session, scope=SYSTEM, data=region_data)
        brand.regions[region.code] = made.id
        ctx.tick(1)
    for store in plan.stores:
        brand.stores.append(_add_store(ctx, brand, store))
    _add_brand_staff(ctx, brand, plan, organisation.password)


def _add_store(ctx: StepContext, brand: BrandRecord, plan: StorePlan) -> StoreRecord:
    lat = round(plan.lat + ctx.rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 6)
    lng = round(plan.lng + ctx.rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 6)
    data = StoreCreate.model_validate(
        {
            "brand_id": brand.id,
            "region_id": brand.regions[plan.region],
            "district_id": ctx.world.districts[plan.district] if plan.district else None,
            "code": plan.code,
            "name": plan.name,
            "type": plan.type,
            "address": plan.address,
            "city": "上海",
            "lat": lat,
            "lng": lng,
            "opening_hours": plan.opening_hours,
        }
    )
    created = org_service.create_store(session=ctx.session, scope=SYSTEM, data=data)
    ctx.tick(1)
    return StoreRecord(
        id=created.id,
        code=plan.code,
        name=plan.name,
        type=str(plan.type),
        region_code=plan.region,
        district_code=plan.district,
        lat=lat,
        lng=lng,
    )


@dataclass(frozen=True)
class _Hire:
    username: str
    role: Role
    scope_label: str
    region_code: str | None = None
    store: StoreRecord | None = None


def _add_brand_staff(ctx: StepContext, brand: BrandRecord, plan: BrandPlan, password: str) -> None:
    """Two brand admins (the second approves what the first prepares, as finance), a manager
    per managed region, and each store's manager, guides, cashiers."""
    roster = [
        _Hire(f"{plan.handle}.admin", Role.BRAND_ADMIN, brand.name),
        _Hire(f"{plan.handle}.finance", Role.BRAND_ADMIN, brand.name),
    ]
    roster += [
        _Hire(f"{region.code.lower()}.manager", Role.REGION_MANAGER, region.name, region.code)
        for region in plan.regions
        if region.managed
    ]
    for store_plan in plan.stores:
        if store_plan.guides:
            roster += _store_roster(brand.store(store_plan.code), store_plan)
    display_names = names.people(ctx.rng, len(roster))
    for hire, display_name in zip(roster, display_names, strict=True):
        brand.staff.append(_hire(ctx, brand, hire, display_name, password))


def _store_roster(store: StoreRecord, plan: StorePlan) -> list[_Hire]:
    handle = store.code.lower()
    people = [(f"{handle}.manager", Role.STORE_MANAGER)]
    people += [(f"{handle}.guide{n}", Role.GUIDE) for n in range(1, plan.guides + 1)]
    people += [
        (f"{handle}.cashier" + (str(n) if plan.cashiers > 1 else ""), Role.CASHIER)
        for n in range(1, plan.cashiers + 1)
    ]
    return [_Hire(username, role, store.name, store=store) for username, role in people]


def _hire(
    ctx: StepContext, brand: BrandRecord, hire: _Hire, display_name: str, password: str
) -> StaffRecord:
    grant: dict[str, Any] = {"role": hire.role}
    if hire.region_code:
        grant["region_id"] = brand.regions[hire.region_code]
    if hire.store:
        grant["store_id"] = hire.store.id
    return _add_staff(
        ctx,
        brand=brand,
        username=hire.username,
        display_name=display_name,
        password=password,
        grant=grant,
        scope_label=hire.scope_label,
        region_code=hire.region_code,
        store_code=hire.store.code if hire.store else None,
    )


def _add_staff(
    ctx: StepContext,
    *,
    brand: BrandRecord | None,
    username: str,
    display_name: str,
    password: str,
    grant: dict[str, Any],
    scope_label: str,
    region_code: str | None = None,
    store_code: str | None = None,
) -> StaffRecord:
    data = StaffCreate.model_validate(
        {
            "brand_id": brand.id if brand else None,
            "username": username,
            "display_name": display_name,
            "password": password,
            "locale": "zh_Hans_CN",
            "roles": [grant],
        }
    )
    created = auth_service.create_staff(session=ctx.session, scope=SYSTEM, data=data)
    ctx.tick(1)
    return StaffRecord(
        id=created.id,
        username=created.username,
        password=password,
        display_name=display_name,
        role=str(grant["role"]),
        brand_code=brand.code if brand else None,
        region_code=region_code,
        store_code=store_code,
        scope_label=scope_label,
    )
