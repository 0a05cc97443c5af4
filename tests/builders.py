"""Small builders that create real data through the services, for tests."""

from dataclasses import dataclass
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.auth.schemas import StaffCreate
from newretail.catalog import service as catalog_service
from newretail.catalog.models import Category, Product, Sku
from newretail.catalog.schemas import CategoryCreate, ProductCreate, SkuCreate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.org.models import Brand, Region, Store
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate

PASSWORD = "correct-horse-battery"
_seq = count(1)


def _n() -> int:
    return next(_seq)


def brand(session: Session, **fields: Any) -> Brand:
    n = _n()
    data = BrandCreate.model_validate({"code": f"B{n}", "name": f"Brand {n}", **fields})
    return org_service.create_brand(session=session, scope=SYSTEM, data=data)


def region(session: Session, brand_id: int, parent_id: int | None = None, **fields: Any) -> Region:
    n = _n()
    data = RegionCreate.model_validate(
        {
            "brand_id": brand_id,
            "parent_id": parent_id,
            "code": f"R{n}",
            "name": f"Region {n}",
            **fields,
        }
    )
    return org_service.create_region(session=session, scope=SYSTEM, data=data)


def store(session: Session, brand_id: int, region_id: int, **fields: Any) -> Store:
    n = _n()
    data = StoreCreate.model_validate(
        {
            "brand_id": brand_id,
            "region_id": region_id,
            "code": f"S{n}",
            "name": f"Store {n}",
            "type": "direct",
            "lat": 31.2304,
            "lng": 121.4737,
            "opening_hours": {"mon": [["10:00", "22:00"]]},
            **fields,
        }
    )
    return org_service.create_store(session=session, scope=SYSTEM, data=data)


def staff(
    session: Session, brand_id: int | None, roles: list[dict[str, Any]], **fields: Any
) -> Staff:
    n = _n()
    data = StaffCreate.model_validate(
        {
            "brand_id": brand_id,
            "username": f"user{n}",
            "display_name": f"User {n}",
            "password": PASSWORD,
            "roles": roles,
            **fields,
        }
    )
    return auth_service.create_staff(session=session, scope=SYSTEM, data=data)


def token(staff: Staff) -> str:
    return auth_service.issue_staff_token(staff=staff)[0]


def category(
    session: Session, brand_id: int, parent_id: int | None = None, **fields: Any
) -> Category:
    n = _n()
    data = CategoryCreate.model_validate(
        {"brand_id": brand_id, "parent_id": parent_id, "code": f"C{n}", "name": f"Category {n}"}
        | fields
    )
    return catalog_service.create_category(session=session, scope=SYSTEM, data=data)


def product(
    session: Session, brand_id: int, category_id: int | None = None, **fields: Any
) -> Product:
    n = _n()
    data = ProductCreate.model_validate(
        {"brand_id": brand_id, "category_id": category_id, "code": f"P{n}", "title": f"Product {n}"}
        | fields
    )
    return catalog_service.create_product(session=session, scope=SYSTEM, data=data)


def sku(session: Session, brand_id: int, product_id: int, **fields: Any) -> Sku:
    """A SKU of ``product_id`` (which must belong to ``brand_id``)."""
    n = _n()
    data = SkuCreate.model_validate({"code": f"SKU{n}", "weight_g": 500} | fields)
    created = catalog_service.create_sku(
        session=session, scope=SYSTEM, product_id=product_id, data=data
    )
    assert created.brand_id == brand_id
    return created


@dataclass
class BrandWorld:
    """One brand with HQ → two areas → a store each, and a member of staff per role."""

    brand: Brand
    hq: Region
    east: Region
    west: Region
    east_store: Store
    west_store: Store
    admin: Staff
    east_manager: Staff
    east_store_manager: Staff
    east_guide: Staff
    east_cashier: Staff

    def token(self, who: str) -> str:
        return token(getattr(self, who))

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(who)}"}


def brand_world(database: Database) -> BrandWorld:
    with database.transaction() as session:
        b = brand(session)
        hq = region(session, b.id, kind="hq")
        east = region(session, b.id, parent_id=hq.id)
        west = region(session, b.id, parent_id=hq.id)
        east_store = store(session, b.id, east.id)
        west_store = store(session, b.id, west.id)
        world = BrandWorld(
            brand=b,
            hq=hq,
            east=east,
            west=west,
            east_store=east_store,
            west_store=west_store,
            admin=staff(session, b.id, [{"role": "brand_admin"}]),
            east_manager=staff(session, b.id, [{"role": "region_manager", "region_id": east.id}]),
            east_store_manager=staff(
                session, b.id, [{"role": "store_manager", "store_id": east_store.id}]
            ),
            east_guide=staff(session, b.id, [{"role": "guide", "store_id": east_store.id}]),
            east_cashier=staff(session, b.id, [{"role": "cashier", "store_id": east_store.id}]),
        )
        for model in (
            world.admin,
            world.east_manager,
            world.east_store_manager,
            world.east_guide,
            world.east_cashier,
        ):
            session.refresh(model)
        session.expunge_all()
    return world


def platform_admin(database: Database) -> Staff:
    with database.transaction() as session:
        admin = staff(session, None, [{"role": "platform_admin"}])
        session.refresh(admin)
        session.expunge_all()
    return admin
