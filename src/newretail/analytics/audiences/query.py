# ruff: noqa: S608 - the text holds only column names and checked integers (days, counts);
# every value is a bound parameter.
"""An audience rule compiled to one SQL statement over the warehouse.

Each rule node becomes a set of persons: ``did`` and ``profile`` leaves select them from
the events and members of the brand (persons resolved through ``persons``), ``all`` and
``any`` intersect and unite their children, ``not`` takes them out of everyone the brand
knows. The answer is every person in the audience with their member id and consent.
"""

from datetime import datetime
from typing import Any

from newretail.analytics.audiences.rules import AllOf, AnyRule, Did, Not, Profile, Who
from newretail.analytics.reports.source import Readable, naive_utc, positional
from newretail.analytics.warehouse.dialect import DUCKDB, Dialect, dialect_of

_COMMON = (
    "ev AS (SELECT coalesce(p.person_id, e.person_key) AS person, e.event AS event, "
    "e.channel AS channel, e.ts AS ts, e.store_id AS store_id, e.district_id AS district_id, "
    "e.popup_id AS popup_id, e.guide_id AS guide_id, e.code AS code, e.campaign AS campaign "
    "FROM events e "
    "LEFT JOIN persons p ON p.brand_id = e.brand_id AND p.person_key = e.person_key "
    "WHERE e.brand_id = $1 AND e.ts <= $2), "
    "mem AS (SELECT coalesce(p.person_id, m.person_key) AS person, m.member_id AS member_id, "
    "m.store_id AS store_id, m.guide_id AS guide_id, m.joined_at AS joined_at, "
    "m.marketing_consent AS marketing_consent FROM members m "
    "LEFT JOIN persons p ON p.brand_id = m.brand_id AND p.person_key = m.person_key "
    "WHERE m.brand_id = $1), "
    "people AS (SELECT person FROM ev UNION SELECT person FROM mem)"
)
_DID_FILTERS = ("store_id", "district_id", "popup_id", "guide_id", "code", "campaign")


class _Compiler:
    def __init__(self, brand_id: int, now: datetime, dialect: Dialect) -> None:
        self.params: list[Any] = [brand_id, naive_utc(now)]
        self.aliases = 0
        self.now = dialect.timestamp("$2")

    def bind(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def alias(self) -> str:
        self.aliases += 1
        return f"r{self.aliases}"

    def persons(self, rule: AnyRule) -> str:
        """A SELECT of one column, ``person``."""
        if isinstance(rule, Did):
            return self.did(rule)
        if isinstance(rule, Profile):
            return self.profile(rule)
        if isinstance(rule, Not):
            return f"SELECT person FROM people EXCEPT {self.wrapped(rule.rule)}"
        joiner = " INTERSECT " if isinstance(rule, AllOf) else " UNION "
        return joiner.join(self.wrapped(r) for r in rule.rules)

    def wrapped(self, rule: AnyRule) -> str:
        return f"SELECT person FROM ({self.persons(rule)}) {self.alias()}"

    def did(self, rule: Did) -> str:
        terms = [f"event = {self.bind(rule.event)}"]
        if rule.channels:
            terms.append(f"channel IN ({', '.join(self.bind(str(c)) for c in rule.channels)})")
        if rule.within_days is not None:
            terms.append(f"ts >= {self.now} - INTERVAL {int(rule.within_days)} DAY")
        for column in _DID_FILTERS:
            value = getattr(rule, column)
            if value is not None:
                terms.append(f"{column} = {self.bind(value)}")
        counted = (
            f"SELECT person, count(*) AS n, max(ts) AS last FROM ev "
            f"WHERE {' AND '.join(terms)} GROUP BY person"
        )
        since = ""
        if rule.none_since:
            names = ", ".join(self.bind(e) for e in rule.none_since)
            since = (
                f" AND NOT EXISTS (SELECT 1 FROM ev y WHERE y.person = x.person "
                f"AND y.event IN ({names}) AND y.ts >= x.last)"
            )
        return f"SELECT x.person FROM ({counted}) x WHERE x.n >= {int(rule.min_count)}{since}"

    def profile(self, rule: Profile) -> str:
        value = rule.value
        if rule.field == "member":
            members = "SELECT person FROM mem"
            return members if value else f"SELECT person FROM people EXCEPT {members}"
        if rule.field == "marketing_consent":
            return f"SELECT person FROM mem WHERE marketing_consent = {self.bind(bool(value))}"
        if rule.field == "joined_within_days":
            return (
                "SELECT person FROM mem WHERE joined_at >= "
                f"{self.now} - INTERVAL {int(value)} DAY"  # type: ignore[arg-type]
            )
        ids = value if isinstance(value, list) else [value]
        marks = ", ".join(self.bind(int(i)) for i in ids)
        return f"SELECT person FROM mem WHERE {rule.field} IN ({marks})"


def audience_sql(
    rule: AnyRule, *, brand_id: int, now: datetime, dialect: Dialect = DUCKDB
) -> tuple[str, list[Any]]:
    """Rows of (person, member_id, marketing_consent) for everyone the rule selects."""
    compiler = _Compiler(brand_id, now, dialect)
    chosen = compiler.persons(rule)
    consent = dialect.any_true("m.marketing_consent")
    sql = (
        f"WITH {_COMMON}, chosen AS ({chosen}) "
        f"SELECT c.person, min(m.member_id), coalesce({consent}, FALSE) "
        "FROM chosen c LEFT JOIN mem m ON m.person = c.person GROUP BY c.person ORDER BY c.person"
    )
    return positional(sql, compiler.params)


def audience_people(
    warehouse: Readable, rule: AnyRule, *, brand_id: int, now: datetime
) -> dict[str, Who]:
    sql, params = audience_sql(rule, brand_id=brand_id, now=now, dialect=dialect_of(warehouse))
    return {
        str(person): Who(None if member is None else int(member), bool(consent))
        for person, member, consent in warehouse.query(sql, params)
    }
