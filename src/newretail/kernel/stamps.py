"""Version stamps per brand: how every process learns that its cached copies went stale.

A process may keep copies of slow-changing rows (a brand's stores, regions, offers) as long
as the brand's stamp has not moved. Whoever changes such rows moves the stamp in the same
transaction (``catalog/cache.py`` does it for every flush that touches them, ``moved_by``
for other models' rows), so the move commits exactly when the change does. A reader reads
the stamp first and the rows after it, in one transaction: what it caches is never older
than the stamp it files it under, and the first read after a change's commit, in any
process, sees the new stamp.

A transaction moves a brand's stamp once, at the first flush that changes the brand's rows;
every later change in it commits with that move all the same. So that the token moved to
never labels what the transaction itself read before its last change, a transaction that has
moved a stamp files no copies (``moved_in``). A savepoint rolled back takes its move with it,
and the next change moves the stamp again.

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
from sqlalchemy.orm import Mapped, QueryableAttribute, Session, mapped_column

from newretail.db import Base
from newretail.kernel import upserts

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
    for brand_id in sorted(set(brand_ids)):
        token = secrets.randbits(62) + 1
        statement = upserts.insert(connection, CacheStamp).values(brand_id=brand_id, version=token)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[CacheStamp.brand_id], set_={"version": token}
            )
        )


_MOVED = "stamps.moved"


def _current_transaction(session: Session) -> Any:
    return session.get_nested_transaction() or session.get_transaction()


def move(session: Session, brand_ids: Iterable[int]) -> None:
    """Move the stamps of ``brand_ids`` in the session's transaction, unless this transaction
    (or a savepoint of it still open) has moved them already."""
    moved: dict[int, Any] = session.info.setdefault(_MOVED, {})
    fresh = [b for b in set(brand_ids) if not _still_open(moved.get(b))]
    if not fresh:
        return
    bump(session.connection(), fresh)
    transaction = _current_transaction(session)
    for brand_id in fresh:
        moved[brand_id] = transaction


def _still_open(transaction: Any) -> bool:
    return transaction is not None and transaction.is_active


def moved_in(session: Session) -> bool:
    """Whether the session's open transaction has moved a stamp (it then files no copies:
    what it reads may change again before it commits, under the token it moved to)."""
    moved: dict[int, Any] | None = session.info.get(_MOVED)
    if not moved:
        return False
    if any(_still_open(t) for t in moved.values()):
        return True
    moved.clear()
    return False


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
            move(session, brands)


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
        if moved_in(session):
            return load()
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
