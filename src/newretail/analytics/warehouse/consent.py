"""Consent in the copy: people seen in a round who refuse analytics lose their events, in the
copy and in the intake (``events.service.forget``), under every key that is them: their member
key and the keys ``persons`` says are them.

The people seen are those ``sync`` noted: members copied (joined, or their consents changed),
the members of the round's events, whoever ``persons`` says a recomputed key is (a sign-in, a
merge, an undo), and members given an anonymous id since the last round. Who refuses is read
from the copy's ``members``, just brought up to date. A round copies the intake's events
before this runs, so a refuser with no events in the copy has none in the intake either and
costs no write.
"""

from collections.abc import Collection
from typing import Any

from newretail.analytics.events import service as events_service
from newretail.analytics.warehouse.base import Warehouse
from newretail.db import Database

CHUNK = 1000


def forget_refusers(
    *, database: Database, warehouse: Warehouse, people: dict[int, set[str]]
) -> int:
    """Delete the events of the refusers among ``people`` (by brand); how many the copy held.

    The intake first: a round that fails between the two finds the copy's events again and
    deletes both once more.
    """
    forgotten = 0
    for brand_id, seen in sorted(people.items()):
        refusing = {str(r[0]) for r in _rows(warehouse, _REFUSING, brand_id, seen)}
        keys = refusing | {str(r[0]) for r in _rows(warehouse, _THEIR_KEYS, brand_id, refusing)}
        held = sum(int(r[0]) for r in _rows(warehouse, _HELD, brand_id, keys))
        if not held:
            continue
        with database.transaction() as session:
            events_service.forget(session=session, brand_id=brand_id, person_keys=keys)
        warehouse.replace_rows(
            "events", brand_id=brand_id, key="person_key", keys=sorted(keys), rows=[]
        )
        forgotten += held
    return forgotten


_REFUSING = (
    "SELECT person_key FROM members WHERE brand_id = ? AND NOT analytics_consent "
    "AND person_key IN ({marks})"
)
_THEIR_KEYS = "SELECT person_key FROM persons WHERE brand_id = ? AND person_id IN ({marks})"
_HELD = "SELECT count(*) FROM events WHERE brand_id = ? AND person_key IN ({marks})"


def _rows(
    warehouse: Warehouse, sql: str, brand_id: int, values: Collection[str]
) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` for the brand and ``values``, a chunk of values at a time."""
    ordered = sorted(values)
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows += warehouse.query(sql.format(marks=marks), [brand_id, *chunk])
    return rows
