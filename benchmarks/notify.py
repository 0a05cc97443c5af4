"""Benchmark: notifications fanned out to guides through the in-app channel.

``notify_service.send`` sends one notice to every guide of a brand (checks, recipients'
locale and timezone, rendering, one row per guide, each send its own transaction), as many
notices as it takes to reach ``--messages`` rows. Anchor, in the same run and on the same
database: a bare batch insert (``kernel.bulk.insert_rows``) of the same rows into the same
table, one transaction per notice, rounds interleaved with the service's. SQLite in a
temporary file by default; PostgreSQL when NEWRETAIL_BENCH_DATABASE_URL is set. Prints
one JSON line on stdout and a table on stderr.

    .venv/bin/python benchmarks/notify.py [--messages 100000] [--guides 1000]
"""

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from rich.console import Console
from rich.table import Table
from sqlalchemy import Table as SqlTable
from sqlalchemy import delete, func, select

from newretail.auth.models import Staff
from newretail.db import Database
from newretail.kernel.bulk import insert_rows
from newretail.models import Base
from newretail.notify import service as notify_service
from newretail.notify import templates
from newretail.notify.models import NotifyMessage
from newretail.org.models import Brand

NOW = datetime(2026, 12, 15, 4, 0, tzinfo=UTC)


def build_world(database: Database, guides: int) -> tuple[int, list[int]]:
    """A brand with ``guides`` staff (written in bulk: no password hashing)."""
    tag = uuid.uuid4().hex[:6]
    with database.transaction() as session:
        brand = Brand(code=f"NB{tag}", name="Notify bench")
        session.add(brand)
        session.flush()
        rows = [
            {
                "brand_id": brand.id,
                "username": f"nb-{tag}-{n}",
                "display_name": f"Guide {n}",
                "password_hash": "-",
                "is_active": True,
                "created_at": NOW,
            }
            for n in range(guides)
        ]
        insert_rows(session, cast(SqlTable, Staff.__table__), rows)
        ids = list(session.scalars(select(Staff.id).where(Staff.brand_id == brand.id)))
        return brand.id, sorted(ids)


def variables(n: int) -> dict[str, object]:
    return {"title": f"Notice {n}", "text": f"Count the shoes by 18:00 (round {n})."}


def bare_rows(brand_id: int, guide_ids: list[int], n: int) -> list[dict[str, Any]]:
    """The rows a send writes, built outside the service: the anchor's input."""
    text = templates.render(templates.get("notice.text"), variables(n), templates.ZH)
    return [
        {
            "brand_id": brand_id,
            "recipient_kind": "staff",
            "recipient_id": guide_id,
            "channel": "inapp",
            "address": None,
            "template": "notice.text",
            "purpose": "service",
            "locale": templates.ZH,
            "subject": text.subject,
            "body": text.body,
            "data": {},
            "dedupe_key": None,
            "sender_staff_id": None,
            "status": "delivered",
            "attempts": 0,
            "next_attempt_at": None,
            "created_at": NOW,
            "sent_at": NOW,
            "delivered_at": NOW,
        }
        for guide_id in guide_ids
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--guides", type=int, default=1000)
    args = parser.parse_args()
    rounds = max(1, args.messages // args.guides)
    url = os.environ.get("NEWRETAIL_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        Base.metadata.create_all(database.engine)
        brand_id, guide_ids = build_world(database, args.guides)
        recipients = [notify_service.Recipient("staff", g) for g in guide_ids]
        table = cast(SqlTable, NotifyMessage.__table__)

        # Interleaved, so that both paths write into a table of the same size.
        seconds = anchor_seconds = 0.0
        for n in range(rounds):
            started = time.perf_counter()
            with database.transaction() as session:
                notify_service.send(
                    session=session,
                    brand_id=brand_id,
                    recipients=recipients,
                    template="notice.text",
                    variables=variables(n),
                    purpose="service",
                    channels=["inapp"],
                    now=NOW,
                )
            seconds += time.perf_counter() - started
            rows = bare_rows(brand_id, guide_ids, n)
            started = time.perf_counter()
            with database.transaction() as session:
                insert_rows(session, table, rows)
            anchor_seconds += time.perf_counter() - started

        with database.transaction() as session:
            written = session.scalar(select(func.count()).where(NotifyMessage.brand_id == brand_id))
            session.execute(delete(NotifyMessage).where(NotifyMessage.brand_id == brand_id))
        dialect = database.engine.dialect.name
        database.dispose()
    messages = rounds * len(guide_ids)
    assert written == 2 * messages, (written, messages)
    result = {
        "benchmark": "notify_fanout",
        "database": dialect,
        "guides": len(guide_ids),
        "notices": rounds,
        "messages": messages,
        "messages_per_s": round(messages / seconds),
        "anchor": "bare batch insert of the same rows",
        "anchor_messages_per_s": round(messages / anchor_seconds),
        "ratio": round(seconds / anchor_seconds, 2),
    }
    print(json.dumps(result), flush=True)
    report = Table(
        title=f"{messages:,} in-app notifications to {len(guide_ids):,} guides on {dialect}"
    )
    for column in ("path", "messages/s", "seconds"):
        report.add_column(column, justify="right")
    report.add_row("notify_service.send", f"{messages / seconds:,.0f}", f"{seconds:.2f}")
    report.add_row(
        "anchor: bare batch insert", f"{messages / anchor_seconds:,.0f}", f"{anchor_seconds:.2f}"
    )
    Console(file=sys.stderr).print(report)


if __name__ == "__main__":
    main()
