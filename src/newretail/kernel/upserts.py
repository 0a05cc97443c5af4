"""``INSERT ... ON CONFLICT`` in the dialect of the session or connection at hand.

PostgreSQL and SQLite say it the same way (``DO NOTHING``, ``DO UPDATE SET ... WHERE``,
``excluded``), but SQLAlchemy builds each with its own dialect's ``insert``: the choice is
made here, once, for every domain that claims a key or counts in place.
"""

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert(bind: Session | Connection, target: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``target`` (a table or mapped class) that can say ON CONFLICT."""
    dialect = bind.dialect if isinstance(bind, Connection) else bind.get_bind().dialect
    if dialect.name == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)
