"""Keyset pagination by id with an opaque cursor."""

import base64
import binascii
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from newretail.kernel.errors import InvalidInput

MAX_LIMIT = 200


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    default_detail = "The cursor is not valid."


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = raw.partition(":")
        if prefix != "id":
            raise ValueError(raw)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc


T = TypeVar("T")


def paginate(
    *,
    session: Session,
    query: Select[T],
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    limit: int,
    descending: bool = False,
) -> tuple[list[T], str | None]:
    """One page of ``query`` ordered by ``id_column`` (newest first when ``descending``),
    and the cursor of the next page."""
    limit = max(1, min(limit, MAX_LIMIT))
    if cursor:
        after = decode_cursor(cursor)
        query = query.where(id_column < after if descending else id_column > after)
    order = id_column.desc() if descending else id_column
    rows: list[Any] = list(session.scalars(query.order_by(order).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(getattr(rows[-1], id_column.key))
