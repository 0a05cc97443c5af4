"""Per-process copies of what every sale reads: brands, stores, region chains, resolved offers.

A sale reads its brand's version stamp (``kernel/stamps.py``, one primary-key read) and
uses the copies filed under that version; a copy filed under an older version is dropped
and read again. The stamp moves in the transaction of any change to the rows copied here:
a flush that adds, changes or deletes a brand, region, store, product, SKU or offer, or
that records a catalog or organisation event in the outbox (bulk imports write their rows
with set-based statements and announce them with one ``catalog.imported`` event), moves
the stamp of that brand before the rows are written (once per transaction, see
``kernel/stamps.py``). Every process therefore sees a change at its first sale after the
change commits: no timer, no message to lose.

Why the copies are never newer-labelled than they are: the stamp is read before the rows
(or in the same statement), so rows filed under version v were read at or after v.
"""

import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import ORMExecuteState, Session

from newretail.catalog import offers as offer_rules
from newretail.catalog.models import Offer, Product, Sku
from newretail.catalog.rules import ResolvedOffer
from newretail.kernel import stamps
from newretail.kernel.sale import SaleBrand, SaleOffer, SaleStore
from newretail.org import service as org_service
from newretail.org.models import Brand, Region, Store
from newretail.org.rules import StoreStatus, StoreType
from newretail.outbox.models import OutboxEvent

WATCHED = (Brand, Region, Store, Product, Sku, Offer)
WATCHED_EVENTS = ("brand.", "region.", "store.", "product.", "sku.", "offer.", "catalog.")
OfferKey = tuple[int, str, int]  # (store_id, channel, sku_id)
MAX_OFFERS_PER_BRAND = 200_000


# ---- the stamp moves with every change --------------------------------------------------


def _brand_of(instance: object) -> int | None:
    if isinstance(instance, Brand):
        return instance.id
    if isinstance(instance, OutboxEvent):
        if not instance.type.startswith(WATCHED_EVENTS):
            return None
        return instance.brand_id if instance.brand_id is not None else stamps.EVERY_BRAND
    brand_id = getattr(instance, "brand_id", None)
    return brand_id if isinstance(brand_id, int) else stamps.EVERY_BRAND


def changed_brands(session: Session) -> set[int]:
    """The brands whose cacheable rows this flush adds, changes or deletes."""
    brands: set[int] = set()
    for instance in (*session.new, *session.deleted):
        if isinstance(instance, (*WATCHED, OutboxEvent)):
            brand = _brand_of(instance)
            if brand is not None:
                brands.add(brand)
    for instance in session.dirty:
        if isinstance(instance, WATCHED) and session.is_modified(instance):
            brand = _brand_of(instance)
            if brand is not None:
                brands.add(brand)
    return brands


@event.listens_for(Session, "before_flush")
def _bump_before_flush(session: Session, *_: Any) -> None:
    brands = changed_brands(session)
    if brands:
        stamps.move(session, brands)


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk_change(state: ORMExecuteState) -> None:
    """A bulk UPDATE or DELETE through the ORM names no brand: every brand's copies go."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, WATCHED):
        stamps.move(state.session, [stamps.EVERY_BRAND])


# ---- the copies -------------------------------------------------------------------------


@dataclass
class _Copies:
    """One brand's copies, all read at or after the stamp ``version`` was read."""

    version: stamps.Version
    brand: SaleBrand | None = None
    stores: dict[int, SaleStore | None] = field(default_factory=dict)
    chains: dict[int, tuple[int, ...]] = field(default_factory=dict)
    offers: dict[OfferKey, SaleOffer | None] = field(default_factory=dict)


@dataclass
class _Database:
    """The copies of one database (one connection pool): ids mean nothing across databases."""

    brands: dict[int, _Copies] = field(default_factory=dict)
    brand_of_store: dict[int, int] = field(default_factory=dict)  # a store never moves brand


class SaleCatalog:
    """The copies of one process; thread-safe (values are frozen, dicts change under a lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._databases: weakref.WeakKeyDictionary[Any, _Database] = weakref.WeakKeyDictionary()

    def _of(self, session: Session) -> _Database:
        if stamps.moved_in(session):
            return _Database()  # copies for this transaction alone (see ``stamps.moved_in``)
        pool = session.get_bind().engine.pool
        found = self._databases.get(pool)
        if found is None:
            with self._lock:
                found = self._databases.setdefault(pool, _Database())
        return found

    def brand_of(self, *, session: Session, store_id: int) -> int | None:
        """The brand of a store this process has seen (no read: a store never moves brand)."""
        return self._of(session).brand_of_store.get(store_id)

    def store(
        self, *, session: Session, store_id: int, version: stamps.Version | None = None
    ) -> tuple[SaleBrand, SaleStore] | None:
        """The store and its brand (live brands only), from copies at the current version.

        ``version``: the brand's stamp as the caller just read it beside its own columns
        (see ``stamps.version_columns``), so the copies are checked without a read.
        """
        database = self._of(session)
        brand_id = database.brand_of_store.get(store_id)
        if brand_id is None:
            return self._first_sight(session, database, store_id)
        if version is None:
            copies = self._current(session, database, brand_id)
        else:
            copies = self._checked(session, database, brand_id, version)
        found = copies.stores.get(store_id, _MISSING)
        if found is _MISSING:
            found = copies.stores[store_id] = _load_store(session, store_id)
        if found is None or copies.brand is None:
            return None
        assert isinstance(found, SaleStore)
        return copies.brand, found

    def stores(
        self, *, session: Session, brand_id: int, ids: Iterable[int]
    ) -> dict[int, SaleStore]:
        """Locations of the brand among ``ids``, from the copies a sale last checked."""
        database = self._of(session)
        copies = database.brands.get(brand_id)
        if copies is None:
            copies = self._current(session, database, brand_id)
        wanted = [i for i in set(ids) if i not in copies.stores]
        if wanted:
            loaded = _load_stores(session, brand_id, wanted)
            for store_id in wanted:
                copies.stores[store_id] = loaded.get(store_id)
        found = {i: copies.stores.get(i) for i in ids}
        return {i: s for i, s in found.items() if s is not None and s.brand_id == brand_id}

    def offers(
        self, *, session: Session, store: SaleStore, channel: str, sku_ids: Sequence[int]
    ) -> dict[int, SaleOffer | None]:
        """How the store sells each SKU in ``channel``; None for SKUs not of its brand."""
        database = self._of(session)
        copies = database.brands.get(store.brand_id)
        if copies is None:
            copies = self._current(session, database, store.brand_id)
        keys = {sku: (store.id, channel, sku) for sku in sku_ids}
        missing = [sku for sku, key in keys.items() if key not in copies.offers]
        if missing:
            chain = copies.chains.get(store.region_id)
            if chain is None:
                chain = tuple(
                    org_service.region_chain(
                        session=session, brand_id=store.brand_id, region_id=store.region_id
                    )
                )
                copies.chains[store.region_id] = chain
            currency = copies.brand.currency if copies.brand else ""
            resolved = _resolve(session, store, channel, missing, chain, currency)
            if len(copies.offers) > MAX_OFFERS_PER_BRAND:
                copies.offers.clear()  # a bound on memory: the next sales read them again
            for sku in missing:
                found = resolved.get(sku)
                copies.offers[keys[sku]] = _sale_offer(found) if found else None
        return {sku: copies.offers.get(key) for sku, key in keys.items()}

    def version(self, *, session: Session, brand_id: int) -> stamps.Version | None:
        """The stamp the brand's copies were last checked against (a sale checks it when it
        opens), so per-brand copies elsewhere can follow it without another read."""
        copies = self._of(session).brands.get(brand_id)
        return copies.version if copies is not None else None

    def stamp(self, *, session: Session, brand_id: int) -> stamps.Version:
        """The brand's stamp: as the open sale checked it (no read), else read now."""
        version = self.version(session=session, brand_id=brand_id)
        return version if version is not None else stamps.read(session.connection(), brand_id)

    def refresh(self, *, session: Session, brand_id: int) -> None:
        """Check the brand's stamp now (one read); stale copies are dropped."""
        self._current(session, self._of(session), brand_id)

    def seen(self, *, session: Session, brand_id: int, version: stamps.Version) -> None:
        """The caller read the brand's stamp in a statement of its own: check the copies
        against it without another read (see ``stamps.version_columns``)."""
        self._checked(session, self._of(session), brand_id, version)

    # -- versions --

    def _checked(
        self, session: Session, database: _Database, brand_id: int, version: stamps.Version
    ) -> _Copies:
        """The brand's copies if they are at ``version``, else new ones at it."""
        copies = database.brands.get(brand_id)
        if copies is not None and copies.version == version:
            return copies
        fresh = _Copies(version, brand=_load_brand(session, brand_id))
        with self._lock:
            database.brands[brand_id] = fresh
        return fresh

    def _current(self, session: Session, database: _Database, brand_id: int) -> _Copies:
        """The brand's copies at its version now; copies under another version are dropped."""
        version = stamps.read(session.connection(), brand_id)
        return self._checked(session, database, brand_id, version)

    def _first_sight(
        self, session: Session, database: _Database, store_id: int
    ) -> tuple[SaleBrand, SaleStore] | None:
        """A store not seen yet: it, its brand and the stamp, in one statement."""
        row = session.connection().execute(_FIRST_SIGHT, {"store": store_id}).first()
        if row is None:
            return None
        store, brand = _store_of(row), _brand_of_row(row)
        version = (int(row.stamp_own), int(row.stamp_every))
        with self._lock:
            database.brand_of_store[store_id] = store.brand_id
            copies = database.brands.get(store.brand_id)
            if copies is None or copies.version != version:
                copies = database.brands[store.brand_id] = _Copies(version, brand=brand)
            copies.stores[store_id] = store
        return (brand, store) if brand is not None else None


_MISSING: Any = object()
_STORE_COLUMNS = (
    Store.id,
    Store.brand_id,
    Store.region_id,
    Store.code,
    Store.name,
    Store.type,
    Store.status,
    Store.lat,
    Store.lng,
)
_BRAND_COLUMNS = (
    Brand.code.label("brand_code"),
    Brand.currency.label("brand_currency"),
    Brand.timezone.label("brand_timezone"),
    Brand.deleted_at.label("brand_deleted_at"),
)
_FIRST_SIGHT = (
    select(*_STORE_COLUMNS, *_BRAND_COLUMNS, *stamps.version_columns(Store.brand_id))
    .join(Brand, Brand.id == Store.brand_id)
    .where(Store.id == bindparam("store"))
)


def _store_of(row: Any) -> SaleStore:
    warehouse = row.type == StoreType.WAREHOUSE.value
    return SaleStore(
        id=row.id,
        brand_id=row.brand_id,
        region_id=row.region_id,
        code=row.code,
        name=row.name,
        type=row.type,
        status=row.status,
        lat=row.lat,
        lng=row.lng,
        warehouse=warehouse,
        sells=not warehouse and row.status == StoreStatus.OPEN.value,
    )


def _brand_of_row(row: Any) -> SaleBrand | None:
    if row.brand_deleted_at is not None:
        return None
    return SaleBrand(row.brand_id, row.brand_code, row.brand_currency, row.brand_timezone)


def _load_brand(session: Session, brand_id: int) -> SaleBrand | None:
    row = session.execute(
        select(Brand.id.label("brand_id"), *_BRAND_COLUMNS).where(Brand.id == brand_id)
    ).first()
    return _brand_of_row(row) if row is not None else None


def _load_store(session: Session, store_id: int) -> SaleStore | None:
    row = session.execute(select(*_STORE_COLUMNS).where(Store.id == store_id)).first()
    return _store_of(row) if row is not None else None


def _load_stores(session: Session, brand_id: int, ids: Sequence[int]) -> dict[int, SaleStore]:
    rows = session.execute(
        select(*_STORE_COLUMNS).where(Store.brand_id == brand_id, Store.id.in_(ids))
    )
    return {row.id: _store_of(row) for row in rows}


def _resolve(
    session: Session,
    store: SaleStore,
    channel: str,
    sku_ids: Sequence[int],
    chain: tuple[int, ...],
    currency: str,
) -> dict[int, ResolvedOffer]:
    rows = session.execute(
        select(Sku, Product)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.brand_id == store.brand_id, Sku.id.in_(set(sku_ids)))
    )
    return offer_rules.resolve_skus(
        session=session,
        store=store,
        channel=offer_rules.check_channel(channel),
        rows=[(sku, product) for sku, product in rows],
        currency=currency,
        chain=list(chain),
    )


def _sale_offer(resolved: ResolvedOffer) -> SaleOffer:
    source = resolved.fields["price"].source
    return SaleOffer(
        sku_id=resolved.sku_id,
        title=str(resolved.value("title") or "")[:200],
        unit_price=resolved.price,
        price_level=source.level.value if source is not None else None,
        price_offer_id=source.offer_id if source is not None else None,
        sellable=resolved.sellable,
        per_order_limit=resolved.per_order_limit,
    )


sale_catalog = SaleCatalog()
