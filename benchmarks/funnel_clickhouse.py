"""Benchmark: the seed funnel over N events (one million by default) through the funnel
engine on ClickHouse (chdb, in-process: its ``windowFunnel`` statement), next to the bare
hand-written DuckDB query of ``benchmarks/funnel.py`` over the same data in the same run.

The events are ``benchmarks/funnel.py``'s (generated into a DuckDB file, cached under
``var/bench/``), copied into chdb through a Parquet file. The figure is the engine's time on
ClickHouse (``funnels.query.run_funnel`` through the ClickHouse adapter); the anchor the bare
DuckDB query; the engine's time on DuckDB is printed beside them. All three must count the
same people at every step. Prints one JSON line.

    .venv/bin/python benchmarks/funnel_clickhouse.py [--events 1000000] [--repeat 5]
"""

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from funnel import BARE, BRAND, END, START, _timed, warehouse_file
from newretail.analytics.funnels import rules
from newretail.analytics.funnels.query import FunnelQuery, run_funnel
from newretail.analytics.reports.source import Readable
from newretail.analytics.reports.standard import SEED_FUNNEL_SPEC
from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.clickhouse import ChdbClient, ClickHouseWarehouse


def _copy_to_clickhouse(duck_path: Path) -> tuple[ClickHouseWarehouse, str]:
    duck = open_warehouse(duck_path)
    database = f"bench_{uuid.uuid4().hex}"
    house = ClickHouseWarehouse(ChdbClient(database=database))
    house.create_schema()
    with tempfile.TemporaryDirectory() as tmp:
        for table in ("events", "persons"):
            parquet = Path(tmp) / f"{table}.parquet"
            duck.conn.execute(f"COPY {table} TO '{parquet}' (FORMAT parquet)")
            house.execute(f"INSERT INTO {table} SELECT * FROM file('{parquet}', Parquet)")
    duck.close()
    return house, database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = warehouse_file(args.events)
    copying = time.perf_counter()
    house, database = _copy_to_clickhouse(path)
    copied_s = time.perf_counter() - copying
    duck = open_warehouse(path)
    query = FunnelQuery(BRAND, SEED_FUNNEL_SPEC, START, END, END + timedelta(days=8))
    labels = [s.label for s in SEED_FUNNEL_SPEC.steps]

    def engine_on(warehouse: Readable) -> list[int]:
        return [s.reached for s in rules.step_counts(labels, run_funnel(warehouse, query))]

    def bare() -> list[int]:
        params = {"start": START, "end": END, "until": END + timedelta(days=7)}
        return [int(n) for _, n in duck.conn.execute(BARE, params).fetchall()]

    bare()  # every engine reads its data warm
    engine_on(house)
    timed = _timed([lambda: engine_on(house), bare, lambda: engine_on(duck)], args.repeat)
    (house_s, counted), (anchor_s, expected), (duck_s, duck_counted) = timed
    events = house.query("SELECT count(*) FROM events")[0][0]
    house.execute(f"DROP DATABASE {database}")
    house.close()
    duck.close()
    if not counted == duck_counted == expected:
        sys.exit(f"ClickHouse counted {counted}, DuckDB {duck_counted}, the bare query {expected}")
    print(json.dumps({
        "benchmark": "funnel_clickhouse",
        "events": events,
        "steps_reached": counted,
        "funnel_clickhouse_s": round(house_s, 3),
        "anchor": "bare hand-written DuckDB query, same data, same run",
        "anchor_s": round(anchor_s, 3),
        "ratio": round(house_s / anchor_s, 2),
        "funnel_duckdb_s": round(duck_s, 3),
        "copied_to_clickhouse_s": round(copied_s, 1),
    }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
