# ruff: noqa: S608 - the text holds only column names and the spec's checked integer window;
# every value is a bound parameter.
"""The funnel as one SQL statement over the warehouse (``events`` and ``persons``).

``funnel_sql`` writes it; ``run_funnel`` runs it and answers ``rules.Reach`` rows (people
per breakdown value, deepest step and in-progress flag), which ``rules.step_counts`` reads.
The meaning of order, window, exclusions and in-progress is told in ``funnels.rules``.

Strict order is one join per step: people at step k-1 joined to their step-k events after
it, the earliest kept; any order is one pass of filtered aggregates over each person's
window. A strict funnel with no breakdown and no exclusion is read from per-step counts
(``step_sql``; on ClickHouse one ``windowFunnel`` per person, ``window_funnel_sql``); the
others put each person's steps side by side (``funnel_sql``). Every value is a bound
parameter except the window, an int checked by the spec. The text is the same on every
engine but for the reader's dialect's hooks (``analytics.warehouse.dialect``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from newretail.analytics.funnels.rules import (
    Exclusion,
    FunnelSpec,
    Reach,
    Step,
    breakdown_label,
    reaches_of_steps,
)
from newretail.analytics.reports.source import Readable, naive_utc, positional
from newretail.analytics.reports.vocabulary import DIMENSION_COLUMNS
from newretail.analytics.warehouse.dialect import DUCKDB, Dialect, dialect_of


@dataclass(frozen=True, slots=True)
class FunnelQuery:
    brand_id: int
    spec: FunnelSpec
    start: datetime
    end: datetime
    now: datetime
    breakdown: str | None = None


class _Params:
    """Numbered parameters (``$1``): the text may use them in any order it is built in;
    ``positional`` turns them into ``?`` at the end. Carries the engine's ``dialect``."""

    def __init__(self, dialect: Dialect) -> None:
        self.values: list[Any] = []
        self.dialect = dialect

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"

    def many(self, values: Sequence[Any]) -> str:
        return ", ".join(self(v) for v in values)


def _matches(bind: _Params, alias: str, events: Sequence[str], channels: Sequence[str]) -> str:
    terms = ["TRUE"]
    if events:
        terms.append(f"{alias}.event IN ({bind.many(events)})")
    if channels:
        terms.append(f"{alias}.channel IN ({bind.many([str(c) for c in channels])})")
    return " AND ".join(terms)


def _step_matches(bind: _Params, alias: str, step: Step | Exclusion) -> str:
    return _matches(bind, alias, step.events, step.channels)


def _events_cte(bind: _Params, q: FunnelQuery) -> str:
    column, d = DIMENSION_COLUMNS.get(q.breakdown or ""), bind.dialect
    dim = d.text(f"e.{column}") if column else d.null_text()
    names: set[str] = set()
    wanted: list[Step | Exclusion] = [*q.spec.steps, *q.spec.exclusions]
    every_event = any(not s.events for s in wanted)
    for s in wanted:
        names.update(s.events)
    window = q.spec.window_seconds
    only = "" if every_event else f" AND e.event IN ({bind.many(sorted(names))})"
    return (
        "ev AS (SELECT coalesce(p.person_id, e.person_key) AS person, e.event AS event, "
        f"e.channel AS channel, e.ts AS ts, {dim} AS dim FROM events e LEFT JOIN persons p "
        "ON p.brand_id = e.brand_id AND p.person_key = e.person_key "
        f"WHERE e.brand_id = {bind(q.brand_id)} AND e.ts >= {bind(naive_utc(q.start))} "
        f"AND e.ts < {d.timestamp(bind(naive_utc(q.end)))} + INTERVAL {window} SECOND "
        f"AND e.ts <= {bind(naive_utc(q.now))}{only})"
    )


def _dim(bind: _Params, q: FunnelQuery, alias: str, where: str | None = None) -> str:
    """The breakdown value of the step's earliest event; nothing to compute without one."""
    if q.breakdown is None:
        return bind.dialect.null_text()
    return bind.dialect.first_of(f"{alias}.dim", f"{alias}.ts", where)


def _overlaps(a: Step, b: Step) -> bool:
    return not a.events or not b.events or bool(set(a.events) & set(b.events))


def _strict_ctes(bind: _Params, q: FunnelQuery) -> list[str]:
    steps, window = q.spec.steps, q.spec.window_seconds
    ctes = [
        f"s1 AS (SELECT person, min(ts) AS t1, {_dim(bind, q, 'ev')} AS d1 FROM ev "
        f"WHERE {_step_matches(bind, 'ev', steps[0])} AND ts >= {bind(naive_utc(q.start))} "
        f"AND ts < {bind(naive_utc(q.end))} GROUP BY person)"
    ]
    for k in range(2, len(steps) + 1):
        after = ">" if _overlaps(steps[k - 2], steps[k - 1]) else ">="
        ctes.append(
            f"s{k} AS (SELECT p.person AS person, p.t1 AS t1, min(ev.ts) AS t{k}, "
            f"{_dim(bind, q, 'ev')} AS d{k} FROM s{k - 1} p JOIN ev ON ev.person = p.person "
            f"WHERE {_step_matches(bind, 'ev', steps[k - 1])} AND ev.ts {after} p.t{k - 1} "
            f"AND ev.ts <= p.t1 + INTERVAL {window} SECOND GROUP BY p.person, p.t1)"
        )
    return ctes


def _person_rows(n: int) -> str:
    """One row per person who entered: the time of each step reached, and its value."""
    columns = ", ".join(f"s{k}.t{k} AS t{k}, s{k}.d{k} AS d{k}" for k in range(1, n + 1))
    joins = " ".join(f"LEFT JOIN s{k} ON s{k}.person = s1.person" for k in range(2, n + 1))
    return f"f AS (SELECT s1.person AS person, s1.t1 AS t0, {columns} FROM s1 {joins})"


def _any_order_ctes(bind: _Params, q: FunnelQuery) -> list[str]:
    steps, window = q.spec.steps, q.spec.window_seconds
    either = " OR ".join(f"({_step_matches(bind, 'ev', s)})" for s in steps)
    anchor = (
        f"a AS (SELECT person, min(ts) AS t0 FROM ev WHERE ({either}) "
        f"AND ts >= {bind(naive_utc(q.start))} AND ts < {bind(naive_utc(q.end))} GROUP BY person)"
    )
    columns = []
    for k, step in enumerate(steps, start=1):
        where = _step_matches(bind, "ev", step)
        columns.append(f"{bind.dialect.least_where('ev.ts', where)} AS t{k}")
        dim = _dim(bind, q, "ev", where)
        columns.append(f"{dim} AS d{k}")
    body = (
        f"f AS (SELECT a.person AS person, a.t0 AS t0, {', '.join(columns)} FROM a JOIN ev "
        f"ON ev.person = a.person AND ev.ts >= a.t0 AND ev.ts <= a.t0 + INTERVAL {window} SECOND "
        "GROUP BY a.person, a.t0)"
    )
    return [anchor, body]


def _level(n: int) -> str:
    cases = " ".join(
        f"WHEN {' AND '.join(f't{j} IS NOT NULL' for j in range(1, k + 1))} THEN {k}"
        for k in range(n, 0, -1)
    )
    return f"CASE {cases} ELSE 0 END"


def _excluded(bind: _Params, q: FunnelQuery) -> str:
    n, window = len(q.spec.steps), q.spec.window_seconds
    terms = []
    for exclusion in q.spec.exclusions:
        end = f"f.t0 + INTERVAL {window} SECOND"
        if q.spec.order == "strict":
            start = f"f.t{exclusion.after_step}"
            end = f"coalesce(f.t{exclusion.before_step or n}, {end})"
        else:
            start = "f.t0"
        terms.append(
            f"EXISTS (SELECT 1 FROM ev x WHERE x.person = f.person AND "
            f"{_step_matches(bind, 'x', exclusion)} AND x.ts >= {start} AND x.ts <= {end})"
        )
    return " OR ".join(terms) or "FALSE"


def funnel_sql(q: FunnelQuery, dialect: Dialect = DUCKDB) -> tuple[str, list[Any]]:
    """The statement and its parameters: rows of (value, level, in_progress, people)."""
    bind = _Params(dialect)
    n, window = len(q.spec.steps), q.spec.window_seconds
    ctes = [_events_cte(bind, q)]
    if q.spec.order == "strict":
        ctes += [*_strict_ctes(bind, q), _person_rows(n)]
    else:
        ctes += _any_order_ctes(bind, q)
    value = f"coalesce({', '.join(f'd{k}' for k in range(1, n + 1))})"
    excluded = _excluded(bind, q)
    now = dialect.timestamp(bind(naive_utc(q.now)))
    sql = (
        f"WITH {', '.join(ctes)} "
        f"SELECT value, level, in_progress, count(*) AS people FROM ("
        f"SELECT {value} AS value, {_level(n)} AS level, "
        f"(t{n} IS NULL AND t0 + INTERVAL {window} SECOND > {now}) AS in_progress "
        f"FROM f WHERE NOT ({excluded})) r WHERE level > 0 "
        "GROUP BY value, level, in_progress ORDER BY value, level, in_progress"
    )
    return positional(sql, bind.values)


def countable(q: FunnelQuery) -> bool:
    """Whether the counts per step tell everything: strict order, no breakdown, no exclusion
    (no person's rows need to be put side by side)."""
    return q.spec.order == "strict" and q.breakdown is None and not q.spec.exclusions


def step_sql(q: FunnelQuery, dialect: Dialect = DUCKDB) -> tuple[str, list[Any]]:
    """For a ``countable`` funnel: per step, the people who reached it and those of them
    whose window is still open (``rules.reaches_of_steps`` reads them)."""
    bind = _Params(dialect)
    window = q.spec.window_seconds
    ctes = [_events_cte(bind, q), *_strict_ctes(bind, q)]
    now = dialect.timestamp(bind(naive_utc(q.now)))
    counts = " UNION ALL ".join(
        f"SELECT {k} AS step, count(*) AS people, count(*) FILTER "
        f"(WHERE t1 + INTERVAL {window} SECOND > {now}) AS open FROM s{k}"
        for k in range(1, len(q.spec.steps) + 1)
    )
    sql = f"WITH {', '.join(ctes)} SELECT step, people, open FROM ({counts}) c ORDER BY step"
    return positional(sql, bind.values)


def _any_overlap(steps: Sequence[Step]) -> bool:
    return any(_overlaps(a, b) for a, b in pairwise(steps))


def native(q: FunnelQuery, dialect: Dialect) -> bool:
    """Whether the engine's own ``windowFunnel`` counts this ``countable`` funnel."""
    return dialect.window_funnel and not _any_overlap(q.spec.steps)


def window_funnel_sql(q: FunnelQuery, dialect: Dialect) -> tuple[str, list[Any]]:
    """For a ``native`` funnel: per deepest step reached, the people who stopped there and
    those of them whose window is still open, from one ``windowFunnel`` per person over the
    window from their first entry of the period (one pass: ClickHouse would compute a CTE
    again for each statement of a UNION that reads it).

    The first condition admits only that entry, so the chain starts where the joins start
    it; ``windowFunnel`` takes steps at the same instant in order, as the joins' ``>=`` do.
    It would let one event stand for two adjacent steps that share it, so such funnels are
    not ``native`` and keep the joins (``step_sql``)."""
    bind = _Params(dialect)
    steps, window = q.spec.steps, q.spec.window_seconds
    first = _step_matches(bind, "ev", steps[0])
    entry = (
        f"s1 AS (SELECT person, min(ts) AS t1 FROM ev WHERE {first} "
        f"AND ts >= {bind(naive_utc(q.start))} AND ts < {bind(naive_utc(q.end))} GROUP BY person)"
    )
    conditions = [f"ev.ts = s1.t1 AND {first}"]
    conditions += [f"({_step_matches(bind, 'ev', step)})" for step in steps[1:]]
    micros = "toUInt64(toUnixTimestamp64Micro(ev.ts))"
    levels = (
        "w AS (SELECT s1.person AS person, s1.t1 AS t1, "
        f"windowFunnel({window * 1_000_000})({micros}, {', '.join(conditions)}) AS level "
        "FROM s1 JOIN ev ON ev.person = s1.person "
        f"WHERE ev.ts >= s1.t1 AND ev.ts <= s1.t1 + INTERVAL {window} SECOND "
        "GROUP BY s1.person, s1.t1)"
    )
    now = dialect.timestamp(bind(naive_utc(q.now)))
    ctes = [_events_cte(bind, q), entry, levels]
    sql = (
        f"WITH {', '.join(ctes)} SELECT level, count(*) AS people, count(*) FILTER "
        f"(WHERE t1 + INTERVAL {window} SECOND > {now}) AS open FROM w WHERE level > 0 "
        "GROUP BY level ORDER BY level"
    )
    return positional(sql, bind.values)


def _reached_from_levels(rows: Sequence[tuple[Any, ...]], n: int) -> list[tuple[int, int]]:
    """(people, open) per step from those per deepest step: a step is reached by everyone
    who stopped there or further."""
    stopped = {int(level): (int(people), int(open_)) for level, people, open_ in rows}
    steps = []
    for k in range(1, n + 1):
        deeper = [stopped.get(level, (0, 0)) for level in range(k, n + 1)]
        steps.append((sum(p for p, _ in deeper), sum(o for _, o in deeper)))
    return steps


def run_funnel(warehouse: Readable, q: FunnelQuery, *, per_person: bool = False) -> list[Reach]:
    """The funnel's people per breakdown value, deepest step and in-progress flag.

    A ``countable`` funnel is read from per-step counts (no per-person join); ``per_person``
    asks for the general statement anyway (tests compare the two)."""
    dialect = dialect_of(warehouse)
    if countable(q) and not per_person and native(q, dialect):
        sql, params = window_funnel_sql(q, dialect)
        rows = warehouse.query(sql, params)
        return reaches_of_steps(_reached_from_levels(rows, len(q.spec.steps)))
    if countable(q) and not per_person:
        sql, params = step_sql(q, dialect)
        steps = [(int(people), int(open_)) for _, people, open_ in warehouse.query(sql, params)]
        return reaches_of_steps(steps)
    sql, params = funnel_sql(q, dialect)
    return [
        Reach(value=breakdown_label(value), level=int(level), in_progress=bool(waiting), people=n)
        for value, level, waiting, n in warehouse.query(sql, params)
    ]
