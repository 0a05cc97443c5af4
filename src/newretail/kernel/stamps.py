"""Version stamps per brand: how every process learns that its cached copies went stale.

A process may keep copies of slow-changing rows (a brand's stores, regions, offers) as long
as the brand's stamp has not moved. Whoever changes such rows moves the stamp in the same
transaction (``catalog/cache.py`` does it for every flush that touches them, ``moved_by``
for other models' rows), so the move commits exactly when the change does. A reader reads
the stamp first and the rows after it, in one transaction: what it caches is never older
than the stamp it files it under, and the first read after a change's commit, in any
process, sees the new stamp.

A stamp is a random token, not a counter: a database rebuilt or restored under a running
process cannot come back to a stamp the process already filed copies under. Brand
``EVERY_BRAND`` (0) is the stamp of changes whose brand is not known (bulk statements); a
brand's ``Version`` is its own token and that one, so either moving moves it.
"""

import secrets
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, ColumnElement, Connection, bindparam, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, QueryableAttribute, Session, mapped_column

from newretail.db import Base

EVERY_BRAND = 0
Version = tuple[int, int]
"""(the brand's token, every brand's token); 0 for a stamp never moved."""


class CacheStamp(Base):
    """The token of a brand's cacheable rows, replaced by every change to them."""

    __tablename__ = "cache_stamp"

    brand_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


def _token_of(brand_id: ColumnElement[int] | QueryableAttribute[int] | int) -> ColumnElement[int]:
    return (
        select(func.coalesce(func.max(CacheStamp.version), 0))
        .where(CacheStamp.brand_id == brand_id)
        .scalar_subquery()
    )


def version_columns(
    brand_id: ColumnElement[int] | QueryableAttribute[int],
) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """The two tokens of the brand in ``brand_id`` (a column), to read beside other columns
    as ``stamp_own`` and ``stamp_every``."""
    return _token_of(brand_id).label("stamp_own"), _token_of(EVERY_BRAND).label("stamp_every")


def read(connection: Connection, brand_id: int) -> Version:
    """The brand's version now (one primary-key read)."""
    found = dict(connection.execute(_READ, {"brand": brand_id}).all())
    return found.get(brand_id, 0), found.get(EVERY_BRAND, 0)


def bump(connection: Connection, brand_ids: Iterable[int]) -> None:
    """Give ``brand_ids`` new tokens, in key order (writers then queue, never deadlock)."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    for brand_id in sorted(set(brand_ids)):
        token = secrets.randbits(62) + 1
        statement = insert(CacheStamp).values(brand_id=brand_id, version=token)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[CacheStamp.brand_id], set_={"version": token}
            )
        )


_READ = select(CacheStamp.brand_id, CacheStamp.version).where(
    CacheStamp.brand_id.in_([bindparam("brand", type_=BigInteger()), EVERY_BRAND])
)


def moved_by(*models: type) -> None:
    """Move the stamp of every brand whose rows of ``models`` (each with a ``brand_id``) a
    flush adds, changes or deletes, in the flush's transaction."""

    @event.listens_for(Session, "before_flush")
    def _bump_before_flush(session: Session, *_: Any) -> None:
        rows = (*session.new, *session.deleted, *session.dirty)
        found = (getattr(row, "brand_id", None) for row in rows if isinstance(row, models))
        brands = {brand_id for brand_id in found if isinstance(brand_id, int)}
        if brands:
            bump(session.connection(), brands)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Copies(Generic[K, V]):
    """Per-process copies filed under the stamp they were read at, apart for each database
    (by its engine's pool, held weakly), at most ``limit`` of them (the oldest go first)."""

    def __init__(self, limit: int = 50_000) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._databases: weakref.WeakKeyDictionary[Any, dict[K, tuple[Version, V]]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, session: Session, key: K, version: Version, load: Callable[[], V]) -> V:
        """The copy of ``key`` filed under ``version``, else ``load()`` filed under it."""
        pool = session.get_bind().engine.pool
        found = self._databases.get(pool, {}).get(key)
        if found is not None and found[0] == version:
            return found[1]
        value = load()
        with self._lock:
            known = self._databases.setdefault(pool, {})
            if key not in known and len(known) >= self._limit:
                del known[next(iter(known))]
            known[key] = (version, value)
        return value
