"""Copying events, orders and members into the warehouse by watermark, and who is who.

Each source keeps its watermark (the last transactional id copied) in ``sync_state``; a
round copies what lies past it, a page at a time, and moves the watermark after each page,
so a stopped copy resumes where it was, without copying an event twice (``_events``).
Orders and members also change after they are first copied (paid, refunded, consents):
those changed since the last round are copied again in place. ``persons`` follows the keys
that may have moved: new keys, the keys of consumers merged, parted or become members since
the last round, and anonymous ids given to members who refuse analytics. Last, the people
seen in the round who refuse analytics lose their events (``consent``).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

from newretail.analytics.warehouse import consent, sources
from newretail.analytics.warehouse.base import Warehouse
from newretail.db import Database, utcnow
from newretail.members import service as members_service

PAGE = 20_000
# Rows changed this long before the last round are copied again: clocks of several writers
# and transactions that committed late must not slip between two rounds.
OVERLAP = timedelta(minutes=5)


@dataclass
class SyncReport:
    events: int = 0
    orders: int = 0
    members: int = 0
    persons: int = 0
    forgotten: int = 0
    brands: set[int] = field(default_factory=set)
    # Keys other than members' seen this round, per brand, and the members copied.
    keys: dict[int, set[str]] = field(default_factory=dict)
    member_ids: set[int] = field(default_factory=set)
    # The people seen this round, per brand: member keys, and who ``persons`` says the
    # recomputed keys are.
    people: dict[int, set[str]] = field(default_factory=dict)

    def saw(self, brand_id: int, key: str) -> None:
        seen = self.people if key.startswith("member:") else self.keys
        seen.setdefault(brand_id, set()).add(key)

    @property
    def total(self) -> int:
        return self.events + self.orders + self.members + self.persons + self.forgotten


def sync(*, database: Database, warehouse: Warehouse, page: int = PAGE) -> SyncReport:
    """One round: every source past its watermark, then persons where anything moved, then
    the refusers' events forgotten. The merge log's and the identifiers' watermarks move
    last, so a round that fails before forgetting finds the same people in the next."""
    report = SyncReport()
    now = utcnow()
    _events(database, warehouse, page, report)
    _changing(database, warehouse, "orders", page, now, report)
    _changing(database, warehouse, "members", page, now, report)
    marks = _persons(database, warehouse, report)
    report.forgotten = consent.forget_refusers(
        database=database, warehouse=warehouse, people=report.people
    )
    for source, mark in marks.items():
        warehouse.set_watermark(source, mark)
    return report


def _events(database: Database, warehouse: Warehouse, page: int, report: SyncReport) -> None:
    """Events past the watermark, a page at a time. Before a page is copied, how far it goes
    is recorded (``events:copying``); a page copied whole or in part by a round that then
    stopped before moving the watermark (the process ended, the server went away) is
    cleared first by the next round, so no event is copied twice."""
    after = warehouse.watermark("events")
    copying = warehouse.watermark("events:copying")
    if copying > after:
        warehouse.execute("DELETE FROM events WHERE seq > ? AND seq <= ?", [after, copying])
    while True:
        with database.transaction(read_only=True) as session:
            rows = sources.event_rows(session, after=after, limit=page)
            signed_in = sources.signed_in_anonymous_ids(
                session, after=after, upto=rows[-1][1] if rows else after
            )
        if not rows:
            return
        for brand_id, anonymous_id in signed_in:
            report.saw(brand_id, f"anon:{anonymous_id}")
        warehouse.set_watermark("events:copying", rows[-1][1])
        warehouse.insert_rows("events", rows)
        after = rows[-1][1]
        warehouse.set_watermark("events", after)
        report.events += len(rows)
        report.brands |= {r[0] for r in rows}
        for row in rows:
            report.saw(row[0], row[5])
        if len(rows) < page:
            return


def _last_synced(warehouse: Warehouse, source: str) -> datetime | None:
    rows = warehouse.query("SELECT max(synced_at) FROM sync_state WHERE source = ?", [source])
    return rows[0][0] if rows and rows[0][0] is not None else None


def _changing(
    database: Database,
    warehouse: Warehouse,
    table: str,
    page: int,
    now: datetime,
    report: SyncReport,
) -> None:
    """Rows past the watermark and rows changed since the last round, replaced by id."""
    key = "order_id" if table == "orders" else "member_id"
    last = _last_synced(warehouse, table)
    since = (last.replace(tzinfo=now.tzinfo) - OVERLAP) if last is not None else None
    after = warehouse.watermark(table)
    watermark = after
    while True:
        with database.transaction(read_only=True) as session:
            if table == "orders":
                rows = sources.order_rows(session, after=after, changed_since=since, limit=page)
            else:
                rows = sources.member_rows(
                    session, after=after, changed_since=since, limit=page, now=now
                )
        if rows:
            _replace(warehouse, table, key, rows)
            for row in rows:
                if table == "orders":
                    report.saw(row[0], row[3])
                else:
                    report.member_ids.add(row[1])
                    report.saw(row[0], row[2])
            watermark = max(watermark, max(r[1] for r in rows))
            setattr(report, table, getattr(report, table) + len(rows))
        if len(rows) < page:
            break
        after = rows[-1][1]
        since = None  # the changed rows come in id order too: the next page is past them
    warehouse.set_watermark(table, watermark)


def _replace(warehouse: Warehouse, table: str, key: str, rows: list[tuple[Any, ...]]) -> None:
    for brand_id, group in groupby(sorted(rows, key=lambda r: r[0]), key=lambda r: r[0]):
        chunk = list(group)
        warehouse.replace_rows(
            table, brand_id=brand_id, key=key, keys=[r[1] for r in chunk], rows=chunk
        )


def _persons(database: Database, warehouse: Warehouse, report: SyncReport) -> dict[str, int]:
    """Who is who, for the keys that may have moved since the last round; the watermarks of
    the merge log and the identifiers to set once the round is done.

    Those are the keys of this round's events and orders, the anonymous ids and consumer
    keys of every consumer merged, parted (an undo) or become a member since then, and the
    anonymous ids given since then to members who refuse analytics. The first round builds
    every brand's ``persons`` whole.
    """
    if warehouse.watermark("persons") == 0:
        for brand_id in sorted(
            r[0] for r in warehouse.query("SELECT DISTINCT brand_id FROM events")
        ):
            report.persons += rebuild_persons(database, warehouse, brand_id)
        with database.transaction(read_only=True) as session:
            last, _ = members_service.touched_consumers(
                session=session, merges_after=0, undone_since=None, member_ids=()
            )
            identified, _ = members_service.refusers_identified(session=session, after=0)
        warehouse.set_watermark("persons", 1)
        return {"merges": last, "identifiers": identified}
    since = _last_synced(warehouse, "merges")
    with database.transaction(read_only=True) as session:
        last, consumers = members_service.touched_consumers(
            session=session,
            merges_after=warehouse.watermark("merges"),
            undone_since=since.replace(tzinfo=UTC) - OVERLAP if since is not None else None,
            member_ids=report.member_ids,
        )
        anonymous = members_service.anonymous_ids_of(session=session, consumer_ids=consumers)
        identified, refusers = members_service.refusers_identified(
            session=session, after=warehouse.watermark("identifiers")
        )
    for brand_id, member_id, anonymous_id in sorted(refusers):
        report.saw(brand_id, f"anon:{anonymous_id}")
        report.saw(brand_id, f"member:{member_id}")
    moved = {f"anon:{a}" for a in anonymous} | {f"consumer:{c}" for c in consumers}
    brands = set(report.keys)
    if moved:
        brands |= {r[0] for r in warehouse.query("SELECT DISTINCT brand_id FROM events")}
    for brand_id in sorted(brands):
        keys = report.keys.get(brand_id, set()) | moved
        report.persons += _recompute(database, warehouse, brand_id, keys, report)
    return {"merges": last, "identifiers": identified}


def _recompute(
    database: Database, warehouse: Warehouse, brand_id: int, keys: set[str], report: SyncReport
) -> int:
    rows = _persons_rows(database, brand_id, keys)
    warehouse.replace_rows(
        "persons", brand_id=brand_id, key="person_key", keys=sorted(keys), rows=rows
    )
    report.people.setdefault(brand_id, set()).update(person for _, _, person in rows)
    return len(rows)


def _persons_rows(database: Database, brand_id: int, keys: Iterable[str]) -> list[tuple[Any, ...]]:
    """The ``persons`` rows of ``keys``: only those who are someone other than themselves."""
    anon = [k.removeprefix("anon:") for k in keys if k.startswith("anon:")]
    consumers = [int(k.removeprefix("consumer:")) for k in keys if k.startswith("consumer:")]
    with database.transaction(read_only=True) as session:
        by_anon = members_service.persons_of_anonymous_ids(
            session=session, brand_id=brand_id, anonymous_ids=anon
        )
        by_consumer = members_service.persons_of_consumers(
            session=session, brand_id=brand_id, consumer_ids=consumers
        )
    rows: list[tuple[Any, ...]] = [(brand_id, f"anon:{a}", p) for a, p in by_anon.items()]
    rows += [(brand_id, f"consumer:{c}", p) for c, p in by_consumer.items() if p != f"consumer:{c}"]
    return rows


def rebuild_persons(database: Database, warehouse: Warehouse, brand_id: int) -> int:
    """Every anonymous and consumer key of the brand -> its person now (members first)."""
    keys = [
        r[0]
        for r in warehouse.query(
            "SELECT DISTINCT person_key FROM events WHERE brand_id = ? "
            "AND (person_key LIKE 'anon:%' OR person_key LIKE 'consumer:%') "
            "UNION DISTINCT SELECT DISTINCT person_key FROM orders WHERE brand_id = ? "
            "AND person_key LIKE 'consumer:%'",
            [brand_id, brand_id],
        )
    ]
    rows = _persons_rows(database, brand_id, keys)
    warehouse.execute("DELETE FROM persons WHERE brand_id = ?", [brand_id])
    warehouse.insert_rows("persons", rows)
    return len(rows)
