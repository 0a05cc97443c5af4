"""The demo's files: its SQLite database and the record a finished build leaves beside it.

Building the world takes most of a minute; serving it again should take seconds. A build
writes its record (seed, schema revision, the logins to print, the address its code sheets
hold) only once the world is complete, so a database without a record is an interrupted
build and is built again, and so is one built with another seed or an older schema.
"""

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

RECORD_SUFFIX = ".built.json"
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - names, not a bind


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    scope: str


@dataclass(frozen=True)
class BuildRecord:
    seed: int
    schema: str
    logins: tuple[DemoLogin, ...]
    sheets_base_url: str = ""

    def with_sheets_for(self, base_url: str) -> "BuildRecord":
        return replace(self, sheets_base_url=base_url)


def record_path(database_file: Path) -> Path:
    return database_file.with_name(database_file.name + RECORD_SUFFIX)


def read_record(database_file: Path) -> BuildRecord | None:
    """The record of the build in ``database_file``; None when absent or unreadable."""
    path = record_path(database_file)
    if not database_file.is_file() or not path.is_file():
        return None
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return BuildRecord(
            seed=int(raw["seed"]),
            schema=str(raw["schema"]),
            logins=tuple(DemoLogin(**login) for login in raw["logins"]),
            sheets_base_url=str(raw.get("sheets_base_url", "")),
        )
    except (ValueError, KeyError, TypeError):
        return None


def reusable(database_file: Path, *, seed: int, schema: str) -> BuildRecord | None:
    """The record of a finished build with ``seed`` at ``schema``, if there is one."""
    record = read_record(database_file)
    if record is None or record.seed != seed or record.schema != schema:
        return None
    return record


def save_record(database_file: Path, record: BuildRecord) -> None:
    """Write the record atomically: a half-written record must never pass for a build."""
    path = record_path(database_file)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(asdict(record), ensure_ascii=False, indent=2), "utf-8")
    os.replace(temporary, path)


def remove(database_file: Path) -> None:
    """Drop the record first, then the database, so an interrupted removal rebuilds."""
    record_path(database_file).unlink(missing_ok=True)
    for suffix in SQLITE_SUFFIXES:
        Path(f"{database_file}{suffix}").unlink(missing_ok=True)


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine uses for a server bound to ``host:port``."""
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
