"""Shelves this process found short: a buyer of a sold-out SKU answered without the database.

When a consumer's pickup is turned away because the store has too few units of a SKU
(``orders/routing.py``), the units that read found are kept here for a moment, per
database and process. A buyer who comes after, asking for more than that, is turned away
with the same answer before a worker thread or a connection is taken: in a flash sale most
buyers come after the last unit went, and each would otherwise cost a transaction to learn
what the one before them learnt.

What keeps the answer right:

- A mark lives ``sold_out_seconds`` (a setting, 1 s by default; 0 turns marks off). Units
  only leave a shelf by sales and holds, which can only make a mark truer; units come back
  by receipts, returns, counts, ERP levels and released holds, all of which go through
  ``stock.py``, which forgets the marks of the levels it raises in this process at once (a
  buyer turned away while that refill commits may mark the shelf again, for one mark's
  life). A shelf refilled by another process takes buyers here again within a mark's life.
- A mark only answers for every SKU a request asks for, or not at all: the refusal is then
  the one the database's read would give (the first short SKU by id, the same message).
- A request with an ``Idempotency-Key`` never meets a mark: its first answer, which only
  the database knows, may be a sale.
"""

import threading
import time
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy.orm import Session

from newretail.config import get_settings
from newretail.db import database_of
from newretail.inventory.rules import Key

LOCAL = "inventory.sold_out"  # the key of a database's marks in its ``local``
MAX_MARKS = 100_000  # past this many, every mark is dropped (a bound, not a tuning)


class SoldOutMarks:
    """The units of (location, SKU) levels as a refusing read found them, for ``seconds``."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._marks: dict[Key, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def note(self, location_id: int, units: Mapping[int, int]) -> None:
        """Keep the units (by SKU) a read at ``location_id`` found, as it turned a buyer away."""
        if self.seconds <= 0 or not units:
            return
        until = self._clock() + self.seconds
        with self._lock:
            if len(self._marks) + len(units) > MAX_MARKS:
                self._marks.clear()
            for sku_id, left in units.items():
                self._marks[(location_id, sku_id)] = (left, until)

    def units(self, location_id: int, sku_ids: Iterable[int]) -> dict[int, int] | None:
        """The marked units of every SKU of ``sku_ids`` at ``location_id``, or None if any
        of them has no live mark."""
        if not self._marks:
            return None
        now = self._clock()
        found: dict[int, int] = {}
        for sku_id in sku_ids:
            mark = self._marks.get((location_id, sku_id))
            if mark is None or mark[1] <= now:
                return None
            found[sku_id] = mark[0]
        return found

    def forget(self, keys: Iterable[Key]) -> None:
        """Drop the marks of levels whose units went up."""
        if not self._marks:
            return
        with self._lock:
            for key in keys:
                self._marks.pop(key, None)


def marks_of(session: Session) -> SoldOutMarks | None:
    """The marks of ``session``'s database in this process (None for a session made
    outside a ``Database``)."""
    database = database_of(session)
    if database is None:
        return None
    marks: SoldOutMarks | None = database.local.get(LOCAL)
    if marks is None:
        marks = database.local.setdefault(LOCAL, SoldOutMarks(get_settings().sold_out_seconds))
    return marks


def forget(session: Session, keys: Iterable[Key]) -> None:
    """Units went up at ``keys`` in ``session``'s transaction: their marks no longer hold."""
    marks = marks_of(session)
    if marks is not None:
        marks.forget(keys)
