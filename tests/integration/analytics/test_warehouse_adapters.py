"""Both warehouse engines keep the contract's tables and answer the same SQL the same way."""

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from tests.warehouse_builders import ENGINES, PlantedWarehouse

from newretail.analytics.warehouse import TABLES, open_configured
from newretail.analytics.warehouse.base import Warehouse
from newretail.analytics.warehouse.clickhouse import (
    SETTINGS,
    ClickHouseError,
    ClickHouseWarehouse,
    HttpClickHouseClient,
    bind,
)
from newretail.config import Settings

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(params=ENGINES)
def warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    """The adapter itself (no planting buffer), on each engine in a database of its own."""
    planted = PlantedWarehouse(request.param)
    yield planted.store
    planted.close()


def event(seq: int, *, name: str = "Store Entered", key: str = "anon:a", brand: int = 1) -> dict:
    return {
        "brand_id": brand,
        "seq": seq,
        "message_id": f"m-{seq}",
        "event": name,
        "channel": "store_sensor",
        "person_key": key,
        "ts": T0 + dt.timedelta(minutes=seq),
        "received_at": T0,
        "store_id": 7,
        "properties": {"note": 'it\'s, "quoted"'},
    }


def test_events_round_trip_with_nulls_quotes_and_naive_utc_times(warehouse: Warehouse) -> None:
    warehouse.insert_rows("events", [event(s) for s in range(1, 121)])

    rows = warehouse.query(
        "SELECT count(*), max(seq), min(ts), count(lat), count(store_id) FROM events "
        "WHERE brand_id = ? AND event = ?",
        [1, "Store Entered"],
    )

    assert rows == [(120, 120, dt.datetime(2026, 3, 1, 8, 1), 0, 120)]


def test_small_and_large_batches_keep_the_same_text(warehouse: Warehouse) -> None:
    warehouse.insert_rows("events", [event(1)])
    warehouse.insert_rows("events", [event(s) for s in range(2, 200)])

    texts = warehouse.query("SELECT DISTINCT properties FROM events")

    assert len(texts) == 1
    assert "it's" in texts[0][0]


def test_watermark_starts_at_zero_and_keeps_the_last_value(warehouse: Warehouse) -> None:
    assert warehouse.watermark("events") == 0

    warehouse.set_watermark("events", 40)
    warehouse.set_watermark("events", 75)

    assert warehouse.watermark("events") == 75
    assert warehouse.watermark("orders") == 0


def test_replace_rows_rewrites_only_the_brands_keys(warehouse: Warehouse) -> None:
    warehouse.insert_rows("persons", [(1, "anon:a", "member:1"), (2, "anon:a", "member:9")])

    warehouse.replace_rows(
        "persons", brand_id=1, key="person_key", keys=["anon:a"], rows=[(1, "anon:a", "member:2")]
    )

    rows = warehouse.query("SELECT brand_id, person_id FROM persons ORDER BY brand_id")
    assert rows == [(1, "member:2"), (2, "member:9")]


def test_rows_with_unknown_columns_are_refused(warehouse: Warehouse) -> None:
    with pytest.raises(ValueError, match="no column"):
        warehouse.insert_rows("persons", [{"brand_id": 1, "person_key": "x", "nope": 1}])


def test_every_contract_table_exists(warehouse: Warehouse) -> None:
    for table in TABLES:
        assert warehouse.query(f"SELECT count(*) FROM {table}") == [(0,)]


def test_clickhouse_binds_each_placeholder_as_a_typed_parameter() -> None:
    sql, params = bind("SELECT '?' , ? , ?, ?, ?", ["x'); DROP TABLE events; --\t", None, 7, T0])

    assert sql == (
        "SELECT '?' , {p1:String} , {p2:Nullable(String)}, {p3:Int64}, {p4:DateTime64(6)}"
    )
    assert params == {
        "p1": "x'); DROP TABLE events; --\\t",
        "p2": "\\N",
        "p3": "7",
        "p4": "2026-03-01 08:00:00.000000",
    }


def test_a_bound_text_comes_back_as_it_was_sent(warehouse: Warehouse) -> None:
    text = "it's \\ a\ttab, a\nline and {p1:String} ?"

    assert warehouse.query("SELECT ?, ?", [text, 5]) == [(text, 5)]


def test_a_clickhouse_server_gets_the_settings_and_typed_parameters_over_http() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"meta": [{"name": "n", "type": "UInt64"}], "data": [[3]]})

    client = HttpClickHouseClient("http://ch.test:8123", transport=httpx.MockTransport(answer))
    warehouse = ClickHouseWarehouse(client)

    rows = warehouse.query("SELECT count(*) FROM events WHERE brand_id = ? AND event = ?", [4, "x"])
    warehouse.close()

    (request,) = sent
    assert rows == [(3,)]
    assert request.content == (
        b"SELECT count(*) FROM events WHERE brand_id = {p1:Int64} AND event = {p2:String} "
        b"FORMAT JSONCompact"
    )
    assert dict(request.url.params) == {
        **SETTINGS,
        "param_p1": "4",
        "param_p2": "x",
    }


def _refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


def _timed_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def _failed(request: httpx.Request) -> httpx.Response:
    headers = {"X-ClickHouse-Exception-Code": "241"}
    return httpx.Response(500, text="Code: 241. DB::Exception: Memory limit", headers=headers)


@pytest.mark.parametrize(("answer", "code"), [(_refused, None), (_timed_out, None), (_failed, 241)])
def test_whatever_fails_on_the_way_to_clickhouse_is_a_clickhouse_error(
    answer: Callable[[httpx.Request], httpx.Response], code: int | None
) -> None:
    client = HttpClickHouseClient("http://ch.test:8123", transport=httpx.MockTransport(answer))

    with pytest.raises(ClickHouseError) as raised:
        ClickHouseWarehouse(client).query("SELECT 1")
    client.close()

    assert raised.value.code == code


def test_a_statement_chdb_rejects_is_a_clickhouse_error_with_its_code() -> None:
    planted = PlantedWarehouse("clickhouse")

    with pytest.raises(ClickHouseError) as raised:
        planted.store.query("SELECT count(*) FROM no_such_table")
    planted.close()

    assert raised.value.code == 60  # UNKNOWN_TABLE


def test_the_configured_engine_is_duckdb_by_default(tmp_path: Path) -> None:
    settings = Settings(analytics_warehouse_path=str(tmp_path / "wh.duckdb"))

    warehouse = open_configured(settings)
    warehouse.close()

    assert (settings.analytics_warehouse_engine, warehouse.dialect) == ("duckdb", "duckdb")
