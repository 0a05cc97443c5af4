"""Running Alembic migrations from code (CLI, demo, tests)."""

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from newretail.db import make_engine

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head() -> str:
    """The newest schema revision the migrations define."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head() or ""


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision``."""
    _run(url, command.upgrade, revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Downgrade the database at ``url`` to ``revision`` (``base``: no tables left)."""
    _run(url, command.downgrade, revision)


class ForeignKeyViolation(RuntimeError):
    """A migration left rows pointing at rows that do not exist."""


def _run(url: str, alembic_command: Callable[[Config, str], None], revision: str) -> None:
    engine = make_engine(url)
    config = alembic_config(url)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            driver = connection.connection.dbapi_connection
            # Altering a table on SQLite rebuilds it: the old one is dropped while other
            # tables still point at it. Checks are off during the migration (the pragma only
            # takes effect outside a transaction) and the whole database is checked after.
            if sqlite and driver is not None:
                driver.execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    alembic_command(config, revision)
                    if sqlite:
                        _check_foreign_keys(connection)
            finally:
                if sqlite and driver is not None:
                    driver.execute("PRAGMA foreign_keys=ON")
    finally:
        engine.dispose()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise ForeignKeyViolation(
            f"{len(broken)} rows point nowhere, e.g. {table} row {rowid} -> {parent}"
        )
