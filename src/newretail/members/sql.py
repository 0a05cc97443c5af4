"""Small dialect-aware statements shared by the members modules."""

from typing import Any

from sqlalchemy.orm import Session

from newretail.kernel import upserts


def insert_if_absent(session: Session, model: type[Any], values: dict[str, Any]) -> None:
    """INSERT a row unless its primary key exists already (no error, no overwrite)."""
    session.execute(upserts.insert(session, model).values(**values).on_conflict_do_nothing())


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
