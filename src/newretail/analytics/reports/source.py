"""What the analyses need of the warehouse: a read by SQL with bound parameters.

``newretail.analytics.warehouse`` (DuckDB by default, or ClickHouse) provides it; the
analyses depend on this protocol only, so a test can hand them any warehouse it planted rows
in. A reader may name its SQL dialect (``dialect``: "duckdb" or "clickhouse"); the analyses
then write that engine's SQL (``analytics.warehouse.dialect.dialect_of``).
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol


class Readable(Protocol):
    def query(self, sql: str, params: Sequence[Any] = ..., /) -> list[tuple[Any, ...]]: ...


def naive_utc(moment: datetime) -> datetime:
    """The warehouse keeps naive UTC timestamps; an aware time is converted, a naive one kept."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def aware(moment: datetime) -> datetime:
    """A warehouse timestamp as an aware UTC time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_NUMBERED = re.compile(r"\$(\d+)")


def positional(sql: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """``$n`` placeholders turned into the ``?`` every warehouse engine takes, the values
    repeated and ordered as the text uses them (so SQL may be built in any order)."""
    ordered: list[Any] = []

    def mark(found: re.Match[str]) -> str:
        ordered.append(values[int(found.group(1)) - 1])
        return "?"

    return _NUMBERED.sub(mark, sql), ordered
