"""Copying events, orders and members into the warehouse by watermark, and who is who.

Each source keeps its watermark (the last transactional id copied) in ``sync_state``; a
round copies what lies past it, a page at a time, and moves the watermark after each page,
so a stopped copy resumes where it was. Orders and members also change after they are
first copied (paid, refunded, consents): those changed since the last round are copied
again in place. ``persons`` is rebuilt for a brand when its events or the merge log moved.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from newretail.analytics.warehouse import sources
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
    brands: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.events + self.orders + self.members + self.persons


def sync(*, database: Database, warehouse: Warehouse, page: int = PAGE) -> SyncReport:
    """One round: every source past its watermark, then persons where anything moved."""
    report = SyncReport()
    now = utcnow()
    _events(database, warehouse, page, report)
    _changing(database, warehouse, "orders", page, now, report)
    _changing(database, warehouse, "members", page, now, report)
    _persons(database, warehouse, report)
    return report


def _events(database: Database, warehouse: Warehouse, page: int, report: SyncReport) -> None:
    while True:
        after = warehouse.watermark("events")
        with database.transaction(read_only=True) as session:
            rows = sources.event_rows(session, after=after, limit=page)
        if not rows:
            return
        warehouse.insert_rows("events", rows)
        warehouse.set_watermark("events", rows[-1][1])
        report.events += len(rows)
        report.brands |= {r[0] for r in rows}
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


def _persons(database: Database, warehouse: Warehouse, report: SyncReport) -> None:
    """Rebuild ``persons`` of the brands whose events, or whose people, may have moved."""
    with database.transaction(read_only=True) as session:
        last, undone = members_service.merge_log_mark(session=session)
    mark = last * 1_000_000 + undone
    brands = set(report.brands)
    if mark != warehouse.watermark("merges"):
        brands |= {r[0] for r in warehouse.query("SELECT DISTINCT brand_id FROM events")}
    for brand_id in sorted(brands):
        report.persons += rebuild_persons(database, warehouse, brand_id)
    warehouse.set_watermark("merges", mark)


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
    anon = [k.removeprefix("anon:") for k in keys if k.startswith("anon:")]
    consumers = [int(k.removeprefix("consumer:")) for k in keys if k.startswith("consumer:")]
    with database.transaction(read_only=True) as session:
        by_anon = members_service.persons_of_anonymous_ids(
            session=session, brand_id=brand_id, anonymous_ids=anon
        )
        by_consumer = members_service.persons_of_consumers(
            session=session, brand_id=brand_id, consumer_ids=consumers
        )
    rows = [(brand_id, f"anon:{a}", p) for a, p in by_anon.items()]
    rows += [(brand_id, f"consumer:{c}", p) for c, p in by_consumer.items() if p != f"consumer:{c}"]
    warehouse.execute("DELETE FROM persons WHERE brand_id = ?", [brand_id])
    warehouse.insert_rows("persons", rows)
    return len(rows)
