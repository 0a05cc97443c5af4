"""Read snapshots: the writer publishes, readers in any thread or process read the newest."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.duck import DuckDBWarehouse
from newretail.analytics.warehouse.jobs import WarehouseSync
from newretail.analytics.warehouse.snapshots import (
    KEEP,
    NoSnapshot,
    SnapshotReader,
    folder_of,
    publish,
    published,
)
from newretail.config import Settings
from newretail.db import Database


def _add_persons(warehouse: DuckDBWarehouse, first: int, n: int) -> None:
    rows = [(1, f"anon:{first + i}", f"member:{first + i}") for i in range(n)]
    warehouse.insert_rows("persons", rows)


def _count(reader: SnapshotReader) -> int:
    return int(reader.query("SELECT count(*) FROM persons")[0][0])


def test_there_is_nothing_to_read_before_the_first_publication(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    open_warehouse(path).close()
    reader = SnapshotReader(path)

    with pytest.raises(NoSnapshot):
        reader.query("SELECT 1")
    assert (published(path), reader.available()) == (False, False)


def test_a_reader_moves_to_the_newer_snapshot_and_old_ones_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    writer = open_warehouse(path)
    reader = SnapshotReader(path)
    counts = []
    for round_ in range(4):
        _add_persons(writer, round_ * 100, 100)
        publish(writer, path)
        counts.append(_count(reader))
    writer.close()
    reader.close()

    assert counts == [100, 200, 300, 400]
    kept = sorted(p.name for p in folder_of(path).iterdir())
    assert kept == ["000000000003.duckdb", "000000000004.duckdb", "CURRENT"]
    assert len(kept) == KEEP + 1


def test_threads_keep_reading_while_snapshots_are_published(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    writer = open_warehouse(path)
    _add_persons(writer, 0, 100)
    publish(writer, path)
    reader = SnapshotReader(path)
    done = threading.Event()
    seen: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []

    def read(mine: list[int]) -> None:
        try:
            while not done.is_set():
                mine.append(_count(reader))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(s,)) for s in seen]
    for thread in threads:
        thread.start()
    for round_ in range(1, 8):
        _add_persons(writer, round_ * 100, 100)
        publish(writer, path)
    final = 800
    while any(not s or s[-1] != final for s in seen) and not errors:
        threading.Event().wait(0.01)
    done.set()
    for thread in threads:
        thread.join(10)
    writer.close()
    reader.close()

    assert errors == []
    assert all(s == sorted(s) and s[-1] == final for s in seen)
    assert {c % 100 for s in seen for c in s} == {0}


def test_another_process_reads_the_snapshot_while_this_one_holds_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wh.duckdb"
    writer = open_warehouse(path)
    _add_persons(writer, 0, 250)
    publish(writer, path)
    program = (
        "import sys\n"
        "from newretail.analytics.warehouse.snapshots import SnapshotReader\n"
        "reader = SnapshotReader(sys.argv[1])\n"
        "print(reader.query('SELECT count(*) FROM persons')[0][0])\n"
    )

    out = subprocess.run(
        [sys.executable, "-c", program, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    _add_persons(writer, 250, 1)  # the writer still holds its file
    writer.close()

    assert (out.returncode, out.stdout.strip()) == (0, "250"), out.stderr


def test_a_second_worker_leaves_the_copy_to_the_process_that_holds_the_file(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "wh.duckdb"
    holder = subprocess.Popen(  # another worker process: it holds the file, then stops
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdin is not None
    ready = holder.stdout.readline()
    mine = settings.model_copy(update={"analytics_warehouse_path": str(path)})
    clock = [0.0]
    job = WarehouseSync(clock=lambda: clock[0])

    while_held = job(database, mine)
    holder.stdin.close()
    holder.wait(30)
    holder.stdout.close()
    clock[0] += 60  # the next round is due
    once_free = job(database, mine)
    job.close()

    assert (ready, while_held, once_free) == (b"ready\n", 0, 0)
    assert published(path)


HOLD = (
    "import sys\n"
    "from newretail.analytics.warehouse import open_warehouse\n"
    "warehouse = open_warehouse(sys.argv[1])\n"
    "print('ready', flush=True)\n"
    "sys.stdin.read()\n"
    "warehouse.close()\n"
)


def test_a_snapshot_gone_before_it_was_opened_leaves_the_reader_on_the_one_it_has(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wh.duckdb"
    writer = open_warehouse(path)
    _add_persons(writer, 0, 10)
    publish(writer, path)
    reader = SnapshotReader(path)
    before = _count(reader)
    (folder_of(path) / "CURRENT").write_text("000000000099.duckdb")  # pruned meanwhile

    during = _count(reader)
    _add_persons(writer, 10, 5)
    publish(writer, path)
    after = _count(reader)
    writer.close()
    reader.close()

    assert (before, during, after) == (10, 10, 15)
