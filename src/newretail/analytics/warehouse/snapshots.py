"""Read snapshots: one process writes the warehouse, any number of processes read it.

DuckDB lets one process open a file for writing, and while it does, no other process may
open that file at all, not even to read. So the analyses never read the file the sync
writes: after a round that copied something, the writer (the worker's sync job) checkpoints
it, copies it to a new numbered file and points ``CURRENT`` at that copy with an atomic
rename. A snapshot is never written again; readers open the one ``CURRENT`` names
read-only, any number of processes at once, and move to a newer one when ``CURRENT``
changes. What they see is at most one sync interval old.

Beside the warehouse file ``analytics.duckdb``::

    analytics.duckdb.snapshots/
        CURRENT                the file name of the newest snapshot
        000000000042.duckdb    the snapshots; the newest ``KEEP`` are kept

Older snapshots are unlinked: a reader that still has one open keeps reading it (the file
lives on until it is closed), and a reader that read ``CURRENT`` just before the newest
was published and finds its file gone reads ``CURRENT`` again.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from newretail.analytics.warehouse.duck import DuckDBWarehouse

KEEP = 2
POINTER = "CURRENT"
SUFFIX = ".duckdb"
_OPEN_ATTEMPTS = 5


class NoSnapshot(LookupError):
    """No snapshot was published yet: the warehouse has not been synced once."""


def folder_of(path: str | Path) -> Path:
    """Where the snapshots of the warehouse file ``path`` live."""
    return Path(f"{path}.snapshots")


def published(path: str | Path) -> bool:
    """Whether any snapshot of ``path`` was published."""
    return (folder_of(path) / POINTER).exists()


def _numbered(folder: Path) -> list[Path]:
    found = [p for p in folder.glob(f"*{SUFFIX}") if p.stem.isdigit()]
    return sorted(found, key=lambda p: int(p.stem))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace_durably(tmp: Path, target: Path) -> None:
    _fsync(tmp)
    os.replace(tmp, target)
    _fsync(target.parent)


def publish(warehouse: DuckDBWarehouse, path: str | Path, *, keep: int = KEEP) -> Path:
    """Checkpoint the warehouse at ``path`` (open in ``warehouse``, by its only writer),
    copy it to the next snapshot, point ``CURRENT`` at it and drop all but the newest
    ``keep``. The caller must not write the warehouse meanwhile."""
    folder = folder_of(path)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(".*.tmp"):  # a publication that died half-way
        leftover.unlink(missing_ok=True)
    warehouse.execute("CHECKPOINT")  # every change in the file, none left in the WAL
    existing = _numbered(folder)
    name = f"{int(existing[-1].stem) + 1 if existing else 1:012d}{SUFFIX}"
    tmp = folder / f".{name}.tmp"
    shutil.copyfile(path, tmp)
    _replace_durably(tmp, folder / name)
    pointer = folder / f".{POINTER}.tmp"
    pointer.write_text(name, encoding="utf-8")
    _replace_durably(pointer, folder / POINTER)
    for old in _numbered(folder)[:-keep]:
        old.unlink(missing_ok=True)
    return folder / name


class _Snapshot:
    """One open snapshot and the queries running on it; closed when retired and idle."""

    def __init__(self, name: str, conn: duckdb.DuckDBPyConnection) -> None:
        self.name = name
        self.conn = conn
        self.users = 0
        self.retired = False


class SnapshotReader:
    """The newest snapshot, read-only, shared by the process's threads.

    Each query runs on a cursor of its own (a DuckDB connection is not for concurrent use),
    so queries do not wait for one another. Before each query the reader looks at
    ``CURRENT``: when it changed, one thread opens the newer snapshot while the others go
    on with the one they have; the older one is closed when its last query ends.
    """

    def __init__(self, path: str | Path) -> None:
        self.folder = folder_of(path)
        self._lock = threading.Lock()  # held for bookkeeping only, never for a query
        self._swapping = threading.Lock()  # one thread at a time opens a newer snapshot
        self._current: _Snapshot | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._closed = False

    def query(self, sql: str, params: Sequence[Any] = (), /) -> list[tuple[Any, ...]]:
        snapshot, cursor = self._acquire()
        try:
            return cursor.execute(sql, list(params)).fetchall()
        finally:
            cursor.close()
            self._release(snapshot)

    def available(self) -> bool:
        """Whether a snapshot can be read (one is open, or one was published)."""
        return self._current is not None or (self.folder / POINTER).exists()

    def _pointer_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.folder / POINTER)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _acquire(self) -> tuple[_Snapshot, duckdb.DuckDBPyConnection]:
        stamp = self._pointer_stamp()
        with self._lock:
            current = self._current
            if current is not None and (stamp is None or stamp == self._stamp):
                return self._use(current)
        if stamp is None:
            raise NoSnapshot(str(self.folder))
        # A newer snapshot: open it unless another thread is at it (then keep the one we
        # have); with none open yet, wait for whoever opens the first.
        if current is not None and not self._swapping.acquire(blocking=False):
            with self._lock:
                return self._use(self._current or current)
        if current is None:
            self._swapping.acquire()
        try:
            self._open_newest()
        finally:
            self._swapping.release()
        with self._lock:
            if self._current is None:
                raise NoSnapshot(str(self.folder))
            return self._use(self._current)

    def _use(self, snapshot: _Snapshot) -> tuple[_Snapshot, duckdb.DuckDBPyConnection]:
        snapshot.users += 1
        return snapshot, snapshot.conn.cursor()

    def _open_newest(self) -> None:
        for _ in range(_OPEN_ATTEMPTS):
            stamp = self._pointer_stamp()
            if stamp is None:
                return
            with self._lock:
                if stamp == self._stamp or self._closed:
                    return
            try:
                name = (self.folder / POINTER).read_text(encoding="utf-8").strip()
            except FileNotFoundError:
                continue
            if self._current is not None and self._current.name == name:
                with self._lock:
                    self._stamp = stamp
                return
            try:
                conn = duckdb.connect(str(self.folder / name), read_only=True)
            except duckdb.IOException:
                continue  # pruned between reading CURRENT and opening it: read it again
            self._install(_Snapshot(name, conn), stamp)
            return

    def _install(self, snapshot: _Snapshot, stamp: tuple[int, int, int]) -> None:
        with self._lock:
            old, self._current, self._stamp = self._current, snapshot, stamp
            idle = old is not None and old.users == 0
            if old is not None:
                old.retired = True
        if idle and old is not None:
            old.conn.close()

    def _release(self, snapshot: _Snapshot) -> None:
        with self._lock:
            snapshot.users -= 1
            idle = snapshot.retired and snapshot.users == 0
        if idle:
            snapshot.conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            current, self._current, self._stamp = self._current, None, None
            idle = current is not None and current.users == 0
            if current is not None:
                current.retired = True
        if idle and current is not None:
            current.conn.close()
