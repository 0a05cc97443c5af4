"""Who may touch which stock: roles per use case, locations in scope, SKUs of the brand.

Anything the caller cannot see answers as unknown (``store_not_found``, ``sku_not_found``):
another brand's locations and SKUs, and for store staff every other store.
"""

from collections.abc import Iterable

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.inventory import errors
from newretail.inventory.models import StockLevel, StockMovement
from newretail.kernel import visibility
from newretail.kernel.scope import Role, Scope
from newretail.org import errors as org_errors
from newretail.org import service as org_service

MANAGERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER, Role.INTEGRATION)
RESERVERS = (*MANAGERS, Role.CASHIER)
SYNCERS = (Role.BRAND_ADMIN, Role.INTEGRATION)


def visible_locations(
    *, session: Session, scope: Scope, location_ids: Iterable[int]
) -> dict[int, int]:
    """The brand of each location among ``location_ids`` that the caller may see."""
    found: dict[int, int] = {}
    for location_id in sorted(set(location_ids)):
        try:
            store = org_service.get_store(session=session, scope=scope, store_id=location_id)
        except org_errors.StoreNotFound:
            continue
        found[location_id] = store.brand_id
    return found


def locations(*, session: Session, scope: Scope, location_ids: Iterable[int]) -> dict[int, int]:
    """The brand of every location of ``location_ids``, or ``store_not_found``."""
    wanted = sorted(set(location_ids))
    found = visible_locations(session=session, scope=scope, location_ids=wanted)
    for location_id in wanted:
        if location_id not in found:
            raise org_errors.StoreNotFound(f"Store {location_id} not found.")
    return found


def one_brand(brand_ids: Iterable[int]) -> int:
    """The one brand that all locations of a request belong to."""
    brands = set(brand_ids)
    if len(brands) != 1:
        raise errors.MixedBrands()
    return brands.pop()


def check_skus(*, session: Session, brand_id: int, sku_ids: Iterable[int]) -> None:
    """Raise ``sku_not_found`` unless every SKU belongs to ``brand_id``."""
    wanted = set(sku_ids)
    known = catalog_service.skus_by_id(session=session, brand_id=brand_id, sku_ids=wanted)
    missing = sorted(wanted - set(known))
    if missing:
        raise errors.UnknownSku(f"SKU {missing[0]} not found.")


def known_skus(*, session: Session, brand_id: int, sku_ids: Iterable[int]) -> set[int]:
    return set(catalog_service.skus_by_id(session=session, brand_id=brand_id, sku_ids=sku_ids))


def in_scope_location_ids(scope: Scope) -> frozenset[int] | None:
    """The locations a store- or region-scoped caller is limited to; None for brand-wide."""
    return visibility.store_limit(scope)


def at_locations(model: type[StockLevel] | type[StockMovement]) -> visibility.Ladder:
    """Stock rows on the ladder: each belongs to its location."""
    return visibility.Ladder(brand=model.brand_id, stores=(model.location_id,))
