"""Cloud stores by public code, stores near a point, and the locations a store can sell from.

Every open store (not a warehouse) of a live brand has a cloud store. Finding stores and
measuring distances is the organisation's (``org_service``); this module adds the public
code, the stock filter and the brand's selling policy.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from sqlalchemy.orm import Session

from newretail.cloudstore import errors, rules
from newretail.inventory import service as inventory_service
from newretail.org import service as org_service
from newretail.org.rules import is_open_at

MAX_SOURCE_STORES = 200
MAX_SOURCE_WAREHOUSES = 50


@dataclass(frozen=True)
class CloudStore:
    """A store as its cloud store shows it; a plain value, safe to share and to cache."""

    id: int
    brand_id: int
    region_id: int
    code: str  # the public code, ``{brand_code}.{store_code}``
    store_code: str
    name: str
    type: str
    address: str
    city: str
    lat: float
    lng: float
    timezone: str
    opening_hours: dict[str, list[list[str]]]
    brand_code: str
    brand_name: str
    currency: str

    @classmethod
    def of(cls, store: org_service.PublicStore) -> "CloudStore":
        return cls(
            id=store.id,
            brand_id=store.brand_id,
            region_id=store.region_id,
            code=rules.public_code(store.brand_code, store.code),
            store_code=store.code,
            name=store.name,
            type=store.type,
            address=store.address,
            city=store.city,
            lat=store.lat,
            lng=store.lng,
            timezone=store.timezone,
            opening_hours=store.opening_hours,
            brand_code=store.brand_code,
            brand_name=store.brand_name,
            currency=store.currency,
        )

    def open_at(self, at: datetime) -> bool:
        return is_open_at(self.opening_hours, self.timezone, at)


def get_cloud_store(*, session: Session, code: str) -> CloudStore:
    """The cloud store with public code ``{brand_code}.{store_code}``, else a 404."""
    parts = rules.split_public_code(code)
    if parts is None:
        raise errors.CloudStoreNotFound()
    found = org_service.public_store(session=session, brand_code=parts[0], store_code=parts[1])
    if found is None:
        raise errors.CloudStoreNotFound()
    return CloudStore.of(found)


def nearby_stores(
    *,
    session: Session,
    lat: float,
    lng: float,
    radius_km: float,
    brand_code: str | None = None,
    open_now: bool = False,
    sku_id: int | None = None,
    limit: int = 20,
    now: datetime | None = None,
) -> list[org_service.NearbyStore]:
    """Cloud stores near a point (``org_service.nearby_stores``); ``sku_id`` (with a brand)
    keeps those with at least one unit of it available."""
    stock = None
    if sku_id is not None:
        if brand_code is None:
            raise errors.BrandRequired()
        stock = _units_of(session, sku_id)
    return org_service.nearby_stores(
        session=session,
        lat=lat,
        lng=lng,
        radius_km=radius_km,
        brand_code=brand_code,
        open_now=open_now,
        stock=stock,
        limit=limit,
        now=now,
    )


def _units_of(session: Session, sku_id: int) -> org_service.StockLookup:
    def units(brand_id: int, store_ids: Sequence[int]) -> dict[int, int]:
        found = inventory_service.available(
            session=session, brand_id=brand_id, sku_ids=[sku_id], location_ids=store_ids
        )
        return {store_id: found[(store_id, sku_id)] for store_id in store_ids}

    return units


# ---- where else a store can sell from --------------------------------------------------


def source_candidates(
    *, session: Session, store: CloudStore, policy: rules.Policy
) -> list[org_service.Location]:
    """Other locations the brand's policy may let ``store`` sell from, stock not yet known.

    Stores of a ``nearby`` policy come from a bounding box of its radius; whether one is
    really within it is decided by its geodesic distance, once it has the stock.
    """
    sourcing = policy.store_sourcing
    return org_service.other_locations(
        session=session,
        brand_id=store.brand_id,
        besides=store.id,
        lat=store.lat,
        lng=store.lng,
        stores=sourcing is not rules.StoreSourcing.NONE,
        stores_within_km=policy.nearby_radius_km
        if sourcing is rules.StoreSourcing.NEARBY
        else None,
        warehouses=policy.warehouse_sourcing,
        max_stores=MAX_SOURCE_STORES,
        max_warehouses=MAX_SOURCE_WAREHOUSES,
    )


class Distances:
    """Geodesic distances from one store to its candidate locations, each computed once."""

    def __init__(self, store: CloudStore, policy: rules.Policy) -> None:
        self.store = store
        nearby = policy.store_sourcing is rules.StoreSourcing.NEARBY
        self.store_radius_km = policy.nearby_radius_km if nearby else None
        self._known: dict[int, float] = {}

    def nearest(
        self, locations: Sequence[org_service.Location], warehouses: bool
    ) -> Iterator[tuple[float, org_service.Location]]:
        """``locations`` of one kind the policy allows, nearest first (geodesic)."""
        by_id = {x.id: x for x in locations if x.is_warehouse is warehouses}
        radius = None if warehouses else self.store_radius_km
        points = [x.point for x in by_id.values()]
        ranked = org_service.nearest_first(
            self.store.lat, self.store.lng, points, radius, known=self._known
        )
        for distance, point in ranked:
            yield distance, by_id[point.id]


def _candidate(
    store: CloudStore, location: org_service.Location, distance: float, available: int
) -> rules.Candidate:
    shown = "" if location.is_warehouse else rules.public_code(store.brand_code, location.code)
    return rules.Candidate(
        location.id, shown, location.name, location.is_warehouse, distance, available
    )


def choose_sources(
    *,
    store: CloudStore,
    distances: Distances,
    candidates: Sequence[org_service.Location],
    units: Mapping[tuple[int, int], int],
    sku_ids: Sequence[int],
) -> tuple[dict[int, int], dict[int, rules.Source]]:
    """Units here per SKU, and where each would come from, given the stock of every location."""
    here = {sku_id: units.get((store.id, sku_id), 0) for sku_id in sku_ids}
    sources = {}
    for sku_id in sku_ids:
        if here[sku_id] > 0:  # the common case: no need to look at the other locations
            sources[sku_id] = rules.choose_source(here[sku_id], [])
            continue
        stocked = [c for c in candidates if units.get((c.id, sku_id), 0) > 0]
        best = [
            _candidate(store, location, distance, units[(location.id, sku_id)])
            for warehouses in (False, True)
            for distance, location in islice(distances.nearest(stocked, warehouses), 1)
        ]
        sources[sku_id] = rules.choose_source(here[sku_id], best)
    return here, sources


def fulfilment(
    *, session: Session, store: CloudStore, policy: rules.Policy, sku_ids: Sequence[int]
) -> tuple[dict[int, int], dict[int, rules.Source]]:
    """Units available here per SKU, and where each SKU would come from (one stock query)."""
    if not sku_ids:
        return {}, {}
    candidates = source_candidates(session=session, store=store, policy=policy)
    units = inventory_service.available(
        session=session,
        brand_id=store.brand_id,
        sku_ids=sku_ids,
        location_ids=[store.id, *(c.id for c in candidates)],
    )
    return choose_sources(
        store=store,
        distances=Distances(store, policy),
        candidates=candidates,
        units=units,
        sku_ids=sku_ids,
    )


def stocked_elsewhere(
    *, session: Session, store: CloudStore, policy: rules.Policy, sku_id: int, limit: int = 10
) -> list[rules.Candidate]:
    """Up to ``limit`` other locations the policy lets ``store`` sell from holding ``sku_id``.

    Stores first, nearest first, then warehouses (the order ``choose_source`` prefers).
    """
    candidates = source_candidates(session=session, store=store, policy=policy)
    if not candidates:
        return []
    units = inventory_service.available(
        session=session,
        brand_id=store.brand_id,
        sku_ids=[sku_id],
        location_ids=[c.id for c in candidates],
    )
    stocked = [c for c in candidates if units[(c.id, sku_id)] > 0]
    distances = Distances(store, policy)
    found = [
        _candidate(store, location, distance, units[(location.id, sku_id)])
        for warehouses in (False, True)
        for distance, location in islice(distances.nearest(stocked, warehouses), limit)
    ]
    return found[:limit]
