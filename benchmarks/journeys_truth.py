"""Benchmark: the simulator's journeys at scale (one million events by default) through the
data bank's bulk ingestion (``ingest``: validation, store and member checks, consent,
identity links, bulk insert), copied to DuckDB by the warehouse sync, and what was planted
recovered from it by the code the API runs, reading the read snapshot the sync publishes
(as the API processes do): each store's seed-funnel rates from the funnel engine (broken
down by store), every same-person pair in ``persons``, the members kept
apart, and the attributed sales from the attribution engine (last touch, unique touches,
default windows), credit by credit against the planted touch -> purchase pairs.
``truth_recovered`` says whether all of it held (funnel rates within 1 percentage point).

Anchor, in the same run, on the same database: the rows ingestion wrote, deleted and
bulk-inserted again into the same table by the same statement, without validation.
``ratio`` is ingestion's events/s over the anchor's. SQLite in a temporary file by default;
PostgreSQL with ``--database-url``. Prints one JSON line on stdout, timings on stderr.

    .venv/bin/python benchmarks/journeys_truth.py [--stores 10] [--people 25000]
        [--browsers 12900] [--database-url postgresql://...]
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from newretail.analytics.attribution.query import attribute_period
from newretail.analytics.attribution.rules import AttributionSettings
from newretail.analytics.events.ingest import DEDUPE, EVENTS
from newretail.analytics.events.models import AnalyticsEvent
from newretail.analytics.funnels import service as funnels_service
from newretail.analytics.reports.period import Period
from newretail.analytics.reports.source import Readable
from newretail.analytics.reports.standard import SEED_FUNNEL_SPEC
from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.snapshots import SnapshotReader, publish
from newretail.analytics.warehouse.sync import sync
from newretail.db import Database
from newretail.kernel import bulk
from newretail.kernel.scope import SYSTEM
from newretail.members.models import Membership
from newretail.models import Base
from newretail.observability import configure_logging
from newretail.org import service as org_service
from newretail.org.schemas import BrandCreate, RegionCreate, StoreCreate
from newretail.simulate import journeys
from newretail.simulate.journey_plan import JourneysPlan, Planted, realised
from newretail.simulate.members import anchor_time


def stage(label: str, work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f}s", file=sys.stderr, flush=True)
    return seconds, result


def build_brand(database: Database, stores: int) -> tuple[int, list[journeys.Site]]:
    tag = uuid.uuid4().hex[:6]
    with database.transaction() as session:
        brand = org_service.create_brand(
            session=session, scope=SYSTEM, data=BrandCreate(code=f"JT{tag}", name="Journeys")
        )
        region = org_service.create_region(
            session=session,
            scope=SYSTEM,
            data=RegionCreate(brand_id=brand.id, code="HQ", name="HQ", kind="hq"),
        )
        sites = []
        for n in range(stores):
            data = StoreCreate(
                brand_id=brand.id,
                region_id=region.id,
                code=f"S{n:02d}",
                name=f"Store {n}",
                type="direct",
                lat=31.2,
                lng=121.4,
            )
            store = org_service.create_store(session=session, scope=SYSTEM, data=data)
            sites.append(journeys.Site(store.id, 100 + n % 3, None))
        return brand.id, sites


def funnel_errors_pp(
    warehouse: Readable, brand_id: int, planted: Planted, period: Period, now: datetime
) -> list[float]:
    """The seed funnel by store, run by the funnel engine: each step's rate against the
    planted one, in percentage points."""
    result = funnels_service.run(
        warehouse=warehouse,
        brand_id=brand_id,
        spec=SEED_FUNNEL_SPEC,
        period=period,
        breakdown="store",
        now=now,
    )
    found = {g.value: tuple(s.reached for s in g.steps) for g in result.groups}
    errors = []
    for sp in planted.stores:
        got = realised(found.get(str(sp.store_id), (0,) * len(sp.counts)))
        errors += [abs(a - b) * 100 for a, b in zip(got, realised(sp.counts), strict=True)]
    return errors


def attribution_check(
    warehouse: Readable, brand_id: int, planted: Planted, period: Period
) -> dict[str, int]:
    """The attribution engine over the period: its credits against the planted pairs."""
    found = attribute_period(
        warehouse,
        brand_id=brand_id,
        start=period.start,
        end=period.end,
        settings=AttributionSettings(),
    )
    credits = {(c.order_id, c.touch.event, c.fen) for c in found.credits}
    wanted = {
        (int(str(a["order_id"])), str(a["touch"]), int(str(a["revenue_fen"])))
        for a in planted.attributions
    }
    return {
        "attributions_found": len(found.credits),
        "attributions_matching": len(wanted & credits),
        "attributed_revenue_found_fen": found.attributed_fen,
        "purchases_seen": found.purchases,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=10)
    parser.add_argument("--people", type=int, default=25_000)
    parser.add_argument("--browsers", type=int, default=12_900)
    parser.add_argument("--touch-buyers", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--database-url", default=os.environ.get("NEWRETAIL_BENCH_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=100)
    args = parser.parse_args()
    configure_logging(level="WARNING", json=False)
    plan = JourneysPlan(
        people_per_store=args.people,
        browsers=args.browsers,
        touch_buyers=args.touch_buyers,
        shared_kiosks=2,
    )
    anchor = anchor_time()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(url)
        Base.metadata.create_all(database.engine)
        brand_id, sites = build_brand(database, args.stores)

        def planting() -> Any:
            with database.transaction() as session:
                return journeys.plant(
                    session=session,
                    brand_id=brand_id,
                    sites=sites,
                    plan=plan,
                    rng=random.Random(args.seed),
                    anchor=anchor,
                )

        plant_seconds, (events, planted) = stage("plant (members + events)", planting)

        def sending() -> dict[str, int]:
            with database.transaction() as session:
                return journeys.send(
                    session=session,
                    brand_id=brand_id,
                    events=events,
                    days=plan.days,
                    now=anchor,
                    batch=args.batch,
                )

        ingest_seconds, totals = stage("ingest", sending)
        wh_path = Path(tmp) / "wh.duckdb"
        warehouse = open_warehouse(wh_path)
        sync_seconds, _ = stage("sync", lambda: sync(database=database, warehouse=warehouse))
        publish_seconds, _ = stage("publish snapshot", lambda: publish(warehouse, wh_path))
        reader = SnapshotReader(wh_path)
        period = Period(anchor - timedelta(days=plan.days + 1), anchor + timedelta(days=1))
        funnel_seconds, errors_pp = stage(
            "funnel engine", lambda: funnel_errors_pp(reader, brand_id, planted, period, anchor)
        )
        attribution_seconds, attributed = stage(
            "attribution engine", lambda: attribution_check(reader, brand_id, planted, period)
        )
        reader.close()
        person = {
            key: pid
            for key, pid in warehouse.query(
                "SELECT person_key, person_id FROM persons WHERE brand_id = ?", [brand_id]
            )
        }
        merged = sum(person.get(a, a) == person.get(b, b) for a, b in planted.same_person)
        members_merged = sum(key.startswith("member:") for key in person)
        with database.transaction(read_only=True) as session:
            apart = 0
            for a, b in planted.kept_apart:
                ma = session.get(Membership, int(a.removeprefix("member:")))
                mb = session.get(Membership, int(b.removeprefix("member:")))
                apart += ma is not None and mb is not None and ma.consumer_id != mb.consumer_id
        columns = [c for c in EVENTS.c if c.name != "id"]
        with database.transaction(read_only=True) as session:
            rows = [dict(r) for r in session.execute(select(*columns)).mappings()]
        with database.transaction() as session:
            session.execute(delete(AnalyticsEvent))

        def bare() -> int:
            written = 0
            for start in range(0, len(rows), args.batch):
                with database.transaction() as session:
                    chunk = rows[start : start + args.batch]
                    written += bulk.insert_rows(session, EVENTS, chunk, skip_taken=DEDUPE)
            return written

        anchor_seconds, anchored = stage("anchor (bare insert)", bare)
        backend = database.engine.dialect.name
        warehouse.close()
        database.dispose()
    n = len(events)
    assert totals["accepted"] == anchored == n
    result = {
        "benchmark": "journeys_truth",
        "backend": backend,
        "events": n,
        "members_planted": sum(sp.counts[-1] for sp in planted.stores),
        "plant_s": round(plant_seconds, 1),
        "ingest_events_per_s": round(n / ingest_seconds, 1),
        "anchor_events_per_s": round(n / anchor_seconds, 1),
        "ratio": round(anchor_seconds / ingest_seconds, 3),
        "sync_events_per_s": round(n / sync_seconds, 1),
        "funnel_engine_s": round(funnel_seconds, 2),
        "attribution_engine_s": round(attribution_seconds, 2),
        "publish_s": round(publish_seconds, 2),
        "funnel_max_error_pp": round(max(errors_pp), 4),
        "same_person_pairs": len(planted.same_person),
        "same_person_merged": merged,
        "kept_apart_pairs": len(planted.kept_apart),
        "kept_apart_held": apart,
        "members_merged_in_warehouse": members_merged,
        "attributions_planted": len(planted.attributions),
        **attributed,
        "attributed_revenue_planted_fen": sum(
            int(str(a["revenue_fen"])) for a in planted.attributions
        ),
    }
    result["truth_recovered"] = (
        max(errors_pp) <= 1.0
        and merged == len(planted.same_person)
        and apart == len(planted.kept_apart)
        and members_merged == 0
        and attributed["attributions_matching"] == len(planted.attributions)
        and attributed["attributed_revenue_found_fen"] == result["attributed_revenue_planted_fen"]
    )
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
