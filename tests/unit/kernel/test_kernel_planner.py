"""``rare``: SQLite is told a condition holds for few rows, and uses its index even when
its statistics were gathered while the column was empty on every row."""

import sqlite3

from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from newretail.kernel.planner import rare

LINES = Table(
    "line",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("statement_id", Integer, index=True),
    Column("status", String(12)),
)


def _sql(statement: object, dialect: object) -> str:
    return str(statement.compile(dialect=dialect))  # type: ignore[attr-defined]


def test_it_is_the_bare_condition_on_postgresql_and_likelihood_on_sqlite() -> None:
    query = select(LINES.c.id).where(rare(LINES.c.statement_id == 3))
    assert "likelihood(line.statement_id = ?, 0.001)" in _sql(query, sqlite.dialect())
    plain = _sql(query, postgresql.dialect())
    assert "likelihood" not in plain and "line.statement_id = %(statement_id_1)s" in plain


def test_sqlite_uses_the_index_despite_statistics_taken_when_the_column_was_empty() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE line (id INTEGER PRIMARY KEY, statement_id INTEGER, status TEXT)")
    db.execute("CREATE INDEX ix_line_statement_id ON line (statement_id)")
    db.executemany("INSERT INTO line (status) VALUES ('pending')", [()] * 2_000)
    db.execute("ANALYZE")
    db.execute("UPDATE line SET statement_id = id % 50")
    plain = "UPDATE line SET status = 'settled' WHERE statement_id = 7 AND status = 'pending'"
    told = str(
        update(LINES)
        .where(rare(LINES.c.statement_id == 7), LINES.c.status == "pending")
        .values(status="settled")
        .compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    )
    plans = [str(db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()) for sql in (plain, told)]
    assert "SCAN line" in plans[0]  # what the statistics alone lead to
    assert "USING INDEX ix_line_statement_id" in plans[1]
