"""A small shop on top of ``builders.brand_world``: a category tree, a product, offers, stock."""

from dataclasses import dataclass

from newretail.catalog import service as catalog_service
from newretail.catalog.models import Category, Product, Sku
from newretail.catalog.schemas import OfferCreate
from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.schemas import CloudStoreSettingsWrite
from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM
from tests import builders


@dataclass
class Shop:
    world: builders.BrandWorld
    shoes: Category
    running: Category
    product: Product
    black: Sku  # in stock at the east store, with a store price there
    white: Sku  # only in stock at the west store
    other_brand_product: Product

    @property
    def east_code(self) -> str:
        return f"{self.world.brand.code}.{self.world.east_store.code}"


def _offer(session: object, **fields: object) -> None:
    data = OfferCreate.model_validate(fields)
    catalog_service.create_offer(session=session, scope=SYSTEM, data=data)  # type: ignore[arg-type]


def shop(database: Database) -> Shop:
    world = builders.brand_world(database)
    with database.transaction() as session:
        brand_id = world.brand.id
        shoes = builders.category(session, brand_id, name="鞋履")
        running = builders.category(session, brand_id, shoes.id, name="跑步鞋")
        product = builders.product(
            session, brand_id, running.id, title="疾风 3 竞速跑鞋", description="轻量透气。"
        )
        black = builders.sku(
            session, brand_id, product.id, attributes={"colour": "曜石黑", "size": "42"}
        )
        white = builders.sku(
            session, brand_id, product.id, attributes={"colour": "云雾白", "size": "42"}
        )
        for sku in (black, white):
            _offer(session, sku_id=sku.id, price=89900, compare_at_price=99900)
        _offer(session, sku_id=black.id, store_id=world.east_store.id, price=79900)
        for store, sku, units in ((world.east_store, black, 5), (world.west_store, white, 3)):
            receipt = ReceiptCreate.model_validate(
                {"kind": "receipt", "location_id": store.id,
                 "lines": [{"sku_id": sku.id, "quantity": units}]}
            )  # fmt: skip
            inventory_service.record_movements(session=session, scope=SYSTEM, data=receipt)
        cloudstore_service.put_settings(
            session=session,
            scope=SYSTEM,
            brand_id=brand_id,
            data=CloudStoreSettingsWrite(store_sourcing="any"),
        )
        other = builders.brand(session)
        other_product = builders.product(session, other.id, title="别家商品")
        session.flush()
        session.expunge_all()
    return Shop(world, shoes, running, product, black, white, other_product)
