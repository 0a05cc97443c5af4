"""Small dialect-aware statements shared by the members modules."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, model: type[Any], values: dict[str, Any]) -> None:
    """INSERT a row unless its primary key exists already (no error, no overwrite)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
