"""Benchmark: the seed funnel over N events (10 million by default) through the funnel
engine, next to a bare hand-written DuckDB query over the same data in the same run.

The events are generated straight into a DuckDB warehouse file with DuckDB's own SQL (from
``range()``), with the warehouse's schema, and cached under ``var/bench/`` between runs:
every person enters a district; 20 % of them enter a store, 10 % try on, 4 % buy, 2 % join
(the seed funnel 100 -> 20 -> 10 -> 4 -> 2), each step ten minutes after the last; one
person in ten walks it on two devices joined in ``persons``; product views fill the rest.

The figure is the engine's time (``funnels.query.run_funnel`` through the warehouse adapter,
plus the step counts), the anchor the bare query: one hand-written statement with the same
meaning (first entry, earliest next step, 7-day window), no builder, no adapter, no
in-progress count: the ratio is what the engine costs over the SQL a person would write.
Both must count the same people at every step. Prints one JSON line.

    .venv/bin/python benchmarks/funnel.py [--events 10000000] [--repeat 5]
"""

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from newretail.analytics.funnels import rules
from newretail.analytics.funnels.query import FunnelQuery, run_funnel
from newretail.analytics.reports.standard import SEED_FUNNEL_SPEC
from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.schema import create_schema

BRAND = 1
START = datetime(2026, 10, 1)
DAYS = 30
END = START + timedelta(days=DAYS)
CACHE = Path("var/bench")
# Share of people (per million) reaching each seed step.
REACH = (1_000_000, 200_000, 100_000, 40_000, 20_000)
STEPS = ("District Entered", "Store Entered", "Item Tried On", "Order Completed",
         "Member Signed Up")  # fmt: skip
EVENTS_PER_PERSON = sum(REACH) / 1_000_000


def _generate(path: Path, events: int) -> None:
    people = int(events * 0.6 / EVENTS_PER_PERSON)
    conn = duckdb.connect(str(path))
    create_schema(conn)
    reach = ", ".join(str(r) for r in REACH)
    names = ", ".join(f"'{s}'" for s in STEPS)
    conn.execute(f"""
        INSERT INTO events
        SELECT {BRAND}, row_number() OVER (), 'f' || p || '-' || k, [{names}][k + 1],
               CASE WHEN k = 0 THEN 'app' ELSE 'store_sensor' END,
               CASE WHEN p % 10 = 0 AND k % 2 = 1 THEN 'member:' || p ELSE 'anon:' || p END,
               ts, ts, CASE WHEN k = 0 THEN NULL ELSE 1 + p % 20 END, 1 + p % 5,
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM (
          SELECT p, k, TIMESTAMP '{START}' + to_seconds(hash(p * 7) % ({DAYS} * 86400)
                 + k * 600) AS ts
          FROM range({people}) a(p), range(5) b(k)
          WHERE hash(p) % 1000000 < [{reach}][k + 1]
        )
    """)
    filled = conn.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
    conn.execute(f"""
        INSERT INTO events
        SELECT {BRAND}, {filled} + i + 1, 'v' || i, 'Product Viewed', 'mini_app',
               'anon:' || (i * 7919 % {people}),
               TIMESTAMP '{START}' + to_seconds(hash(i) % ({DAYS} * 86400)),
               TIMESTAMP '{START}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM range({events - filled}) t(i)
    """)
    conn.execute(f"""
        INSERT INTO persons
        SELECT {BRAND}, key, 'anon:' || p FROM range(0, {people}, 10) t(p),
               unnest(['anon:' || p, 'member:' || p]) u(key)
    """)
    conn.close()


def warehouse_file(events: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"funnel-{events}.duckdb"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        _generate(partial, events)
        partial.rename(path)
    return path


BARE = """
WITH ev AS (
  SELECT coalesce(p.person_id, e.person_key) AS person, e.event, e.ts
  FROM events e LEFT JOIN persons p ON p.brand_id = e.brand_id AND p.person_key = e.person_key
  WHERE e.brand_id = 1 AND e.event IN ('District Entered', 'Store Entered', 'Item Tried On',
        'Order Completed', 'Member Signed Up') AND e.ts >= $start AND e.ts < $until
),
s1 AS (SELECT person, min(ts) AS t1 FROM ev WHERE event = 'District Entered'
       AND ts >= $start AND ts < $end GROUP BY person),
s2 AS (SELECT s1.person, s1.t1, min(ev.ts) AS t2 FROM s1 JOIN ev USING (person)
       WHERE ev.event = 'Store Entered' AND ev.ts >= s1.t1 AND ev.ts <= s1.t1 + INTERVAL 7 DAY
       GROUP BY s1.person, s1.t1),
s3 AS (SELECT s2.person, s2.t1, min(ev.ts) AS t3 FROM s2 JOIN ev USING (person)
       WHERE ev.event = 'Item Tried On' AND ev.ts >= s2.t2 AND ev.ts <= s2.t1 + INTERVAL 7 DAY
       GROUP BY s2.person, s2.t1),
s4 AS (SELECT s3.person, s3.t1, min(ev.ts) AS t4 FROM s3 JOIN ev USING (person)
       WHERE ev.event = 'Order Completed' AND ev.ts >= s3.t3 AND ev.ts <= s3.t1 + INTERVAL 7 DAY
       GROUP BY s3.person, s3.t1),
s5 AS (SELECT s4.person, min(ev.ts) AS t5 FROM s4 JOIN ev USING (person)
       WHERE ev.event = 'Member Signed Up' AND ev.ts >= s4.t4
         AND ev.ts <= s4.t1 + INTERVAL 7 DAY
       GROUP BY s4.person)
SELECT 1 AS k, count(*) FROM s1 UNION ALL SELECT 2, count(*) FROM s2
UNION ALL SELECT 3, count(*) FROM s3 UNION ALL SELECT 4, count(*) FROM s4
UNION ALL SELECT 5, count(*) FROM s5 ORDER BY k
"""


def _timed(works: list[Callable[[], list[int]]], repeat: int) -> list[tuple[float, list[int]]]:
    """Median seconds and answer of each work, the works taking turns (engine, bare, engine,
    ...) so that a busy moment of a shared machine falls on both alike."""
    times: list[list[float]] = [[] for _ in works]
    answers: list[list[int]] = [[] for _ in works]
    for _ in range(repeat):
        for i, work in enumerate(works):
            started = time.perf_counter()
            answers[i] = work()
            times[i].append(time.perf_counter() - started)
    return [(statistics.median(t), a) for t, a in zip(times, answers, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    generating = time.perf_counter()
    path = warehouse_file(args.events)
    generated_s = time.perf_counter() - generating
    warehouse = open_warehouse(path)
    query = FunnelQuery(BRAND, SEED_FUNNEL_SPEC, START, END, END + timedelta(days=8))
    labels = [s.label for s in SEED_FUNNEL_SPEC.steps]

    def engine() -> list[int]:
        return [s.reached for s in rules.step_counts(labels, run_funnel(warehouse, query))]

    def bare() -> list[int]:
        params = {"start": START, "end": END, "until": END + timedelta(days=7)}
        return [int(n) for _, n in warehouse.conn.execute(BARE, params).fetchall()]

    bare()  # both read the file warm
    (engine_s, counted), (anchor_s, expected) = _timed([engine, bare], args.repeat)
    events = warehouse.query("SELECT count(*) FROM events")[0][0]
    warehouse.close()
    if counted != expected:
        sys.exit(f"the engine counted {counted}, the bare query {expected}")
    print(json.dumps({
        "benchmark": "funnel",
        "events": events,
        "steps_reached": counted,
        "funnel_s": round(engine_s, 3),
        "anchor": "bare hand-written DuckDB query, same data, same run",
        "anchor_s": round(anchor_s, 3),
        "ratio": round(engine_s / anchor_s, 2),
        "generated_s": round(generated_s, 1),
    }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
