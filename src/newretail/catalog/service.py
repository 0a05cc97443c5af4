"""The catalog's use cases, for routers, the CLI and other domains (import only this module).

products.py    the category tree, main products (SPU) and SKUs
offers.py      offers (sub-products): writes, scopes and resolution
storefront.py  the resolved catalog of a store, page by page
imports.py     bulk import and export (CSV, JSON)
images.py      product pictures: checked by content, kept behind a storage interface
cache.py       per-process copies of brands, stores and resolved offers for sales
"""

from newretail.catalog.cache import SaleCatalog, sale_catalog
from newretail.catalog.exports import export_catalog
from newretail.catalog.files import FileFormat
from newretail.catalog.images import (
    MAX_IMAGES,
    ImageStorage,
    LocalImageStorage,
    add_product_image,
    check_image,
    media_type_of,
    remove_product_image,
    storage_for,
)
from newretail.catalog.imports import ImportKind, ImportMode, ImportReport, RowError, import_catalog
from newretail.catalog.offers import (
    create_offer,
    delete_offer,
    get_offer,
    list_offers,
    offer_read,
    resolve_offers,
    update_offer,
)
from newretail.catalog.products import (
    category_subtree_ids,
    create_category,
    create_product,
    create_sku,
    delete_category,
    find_skus,
    get_category,
    get_product,
    get_product_sku,
    get_sku,
    list_categories,
    list_products,
    list_skus,
    sku_categories,
    skus_by_code,
    skus_by_id,
    update_category,
    update_product,
    update_sku,
)
from newretail.catalog.rules import ResolvedOffer
from newretail.catalog.storefront import CatalogEntry, store_catalog

__all__ = [
    "MAX_IMAGES",
    "CatalogEntry",
    "FileFormat",
    "ImageStorage",
    "ImportKind",
    "ImportMode",
    "ImportReport",
    "LocalImageStorage",
    "ResolvedOffer",
    "RowError",
    "SaleCatalog",
    "add_product_image",
    "category_subtree_ids",
    "check_image",
    "create_category",
    "create_offer",
    "create_product",
    "create_sku",
    "delete_category",
    "delete_offer",
    "export_catalog",
    "find_skus",
    "get_category",
    "get_offer",
    "get_product",
    "get_product_sku",
    "get_sku",
    "import_catalog",
    "list_categories",
    "list_offers",
    "list_products",
    "list_skus",
    "media_type_of",
    "offer_read",
    "remove_product_image",
    "resolve_offers",
    "sale_catalog",
    "sku_categories",
    "skus_by_code",
    "skus_by_id",
    "storage_for",
    "store_catalog",
    "update_category",
    "update_offer",
    "update_product",
    "update_sku",
]
