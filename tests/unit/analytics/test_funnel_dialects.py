"""The funnel's SQL per warehouse dialect: ClickHouse counts an ordered funnel with its
``windowFunnel`` unless two adjacent steps share an event; DuckDB always joins the steps."""

from datetime import datetime

from newretail.analytics.funnels.query import FunnelQuery, funnel_sql, native, window_funnel_sql
from newretail.analytics.funnels.rules import FunnelSpec, Step
from newretail.analytics.warehouse.dialect import CLICKHOUSE, DUCKDB, dialect_of

AT = datetime(2026, 11, 1)


def _query(*events: str) -> FunnelQuery:
    steps = [Step(label=f"s{i}", events=[e]) for i, e in enumerate(events)]
    return FunnelQuery(1, FunnelSpec(steps=steps, window_seconds=3_600), AT, AT, AT)


def test_clickhouse_counts_an_ordered_funnel_with_window_funnel() -> None:
    query = _query("Store Entered", "Item Tried On")
    sql, params = window_funnel_sql(query, CLICKHOUSE)

    assert (native(query, CLICKHOUSE), native(query, DUCKDB)) == (True, False)
    assert "windowFunnel(3600000000)" in sql
    assert sql.count("?") == len(params)


def test_steps_sharing_an_event_are_joined_on_every_engine() -> None:
    query = _query("Store Entered", "Store Entered")

    assert (native(query, CLICKHOUSE), native(query, DUCKDB)) == (False, False)


def test_each_dialect_writes_its_own_first_value_and_text() -> None:
    query = FunnelQuery(1, _query("Store Entered", "Item Tried On").spec, AT, AT, AT, "store")

    duck, _ = funnel_sql(query, DUCKDB)
    house, _ = funnel_sql(query, CLICKHOUSE)

    assert "arg_min_null(" in duck and "CAST(e.store_id AS VARCHAR)" in duck
    assert "argMin(tuple(" in house and "toString(e.store_id)" in house


class _Wrapper:
    def __init__(self, warehouse: object) -> None:
        self.warehouse = warehouse


class _House:
    dialect = "clickhouse"


def test_a_reader_names_its_dialect_through_wrappers_and_is_duckdb_by_default() -> None:
    assert dialect_of(_Wrapper(_House())) is CLICKHOUSE
    assert dialect_of(_Wrapper(object())) is DUCKDB
    assert dialect_of(object()) is DUCKDB
