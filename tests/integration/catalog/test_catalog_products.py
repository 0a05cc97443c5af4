import pytest
from tests import builders

from newretail.catalog import errors
from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import CategoryUpdate, ProductCreate, SkuCreate, SkuUpdate
from newretail.db import Database
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import SYSTEM, Role, Scope


def brand_admin(brand_id: int) -> Scope:
    return Scope(
        actor_type="staff", actor_id=1, roles=frozenset({Role.BRAND_ADMIN}), brand_id=brand_id
    )


def test_a_product_carries_its_skus_with_codes_and_barcodes_unique_per_brand(
    database: Database,
) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        other = builders.brand(session)
        product = builders.product(session, brand.id, specs={"material": "linen"})
        builders.sku(session, brand.id, product.id, code="SHIRT-M", barcode="6900000000017")
        other_product = builders.product(session, other.id)
        same_code_elsewhere = builders.sku(
            session, other.id, other_product.id, code="SHIRT-M", barcode="6900000000017"
        )
        with pytest.raises(errors.SkuCodeTaken):
            builders.sku(session, brand.id, product.id, code="SHIRT-M")
        with pytest.raises(errors.BarcodeTaken):
            builders.sku(session, brand.id, product.id, barcode="6900000000017")
        assert same_code_elsewhere.brand_id == other.id
        assert product.specs == {"material": "linen"}


def test_a_sku_of_another_brand_is_not_found_and_absent_from_lookups(database: Database) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        other = builders.brand(session)
        mine = builders.sku(session, brand.id, builders.product(session, brand.id).id)
        theirs = builders.sku(session, other.id, builders.product(session, other.id).id)
        scope = brand_admin(brand.id)
        assert catalog_service.get_sku(session=session, scope=scope, sku_id=mine.id) is mine
        with pytest.raises(errors.SkuNotFound):
            catalog_service.get_sku(session=session, scope=scope, sku_id=theirs.id)
        found = catalog_service.skus_by_id(
            session=session, brand_id=brand.id, sku_ids=[mine.id, theirs.id, 10_000]
        )
        assert list(found) == [mine.id]


def test_products_in_a_category_include_its_subcategories(database: Database) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        apparel = builders.category(session, brand.id)
        shirts = builders.category(session, brand.id, parent_id=apparel.id)
        shoes = builders.category(session, brand.id)
        shirt = builders.product(session, brand.id, shirts.id)
        builders.product(session, brand.id, shoes.id)
        items, _ = catalog_service.list_products(
            session=session, scope=SYSTEM, cursor=None, limit=50, category_id=apparel.id
        )
        assert [p.id for p in items] == [shirt.id]


def test_a_category_cannot_move_under_its_own_descendant(database: Database) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        top = builders.category(session, brand.id)
        child = builders.category(session, brand.id, parent_id=top.id)
        with pytest.raises(errors.CategoryCycle):
            catalog_service.update_category(
                session=session,
                scope=SYSTEM,
                category_id=top.id,
                data=CategoryUpdate(parent_id=child.id),
            )


def test_a_product_cannot_use_another_brands_category(database: Database) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        foreign = builders.category(session, builders.brand(session).id)
        with pytest.raises(errors.CategoryNotFound):
            catalog_service.create_product(
                session=session,
                scope=brand_admin(brand.id),
                data=ProductCreate(code="P1", title="Shirt", category_id=foreign.id),
            )


def test_only_brand_wide_staff_write_products_and_skus(database: Database) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        product = builders.product(session, brand.id)
        manager = Scope(
            actor_type="staff",
            actor_id=2,
            roles=frozenset({Role.STORE_MANAGER}),
            brand_id=brand.id,
            store_ids=frozenset(),
            region_ids=frozenset(),
        )
        with pytest.raises(PermissionDenied):
            catalog_service.create_sku(
                session=session, scope=manager, product_id=product.id, data=SkuCreate(code="X1")
            )


def test_updating_a_sku_keeps_barcodes_unique(database: Database) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        product = builders.product(session, brand.id)
        builders.sku(session, brand.id, product.id, barcode="111")
        second = builders.sku(session, brand.id, product.id, barcode="222")
        with pytest.raises(errors.BarcodeTaken):
            catalog_service.update_sku(
                session=session,
                scope=SYSTEM,
                product_id=product.id,
                sku_id=second.id,
                data=SkuUpdate(barcode="111"),
            )
        updated = catalog_service.update_sku(
            session=session,
            scope=SYSTEM,
            product_id=product.id,
            sku_id=second.id,
            data=SkuUpdate(barcode="333", weight_g=120),
        )
        assert (updated.barcode, updated.weight_g) == ("333", 120)
