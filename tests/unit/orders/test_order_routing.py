import pytest

from newretail.orders.rules import (
    DeliveryMethod,
    FulfilmentKind,
    Location,
    Unroutable,
    fulfilment_kind,
    route,
)


def store(location_id: int, km: float, **stock: int) -> Location:
    return Location(location_id, False, km, {int(k[1:]): n for k, n in stock.items()})


def warehouse(location_id: int, km: float, **stock: int) -> Location:
    return Location(location_id, True, km, {int(k[1:]): n for k, n in stock.items()})


def test_prefers_the_nearest_store_with_full_stock() -> None:
    plan = route(
        {1: 2, 2: 1},
        [store(10, 5.0, s1=2, s2=1), store(11, 1.0, s1=2, s2=1), warehouse(12, 0.5, s1=9, s2=9)],
    )
    assert [(a.location_id, a.sku_ids) for a in plan] == [(11, (1, 2))]
    assert plan[0].reason.startswith("nearest store with full stock")


def test_a_store_missing_one_unit_is_passed_over() -> None:
    plan = route({1: 2}, [store(10, 1.0, s1=1), store(11, 9.0, s1=2)])
    assert [a.location_id for a in plan] == [11]


def test_prefers_fewer_splits_over_nearer_partial_stores() -> None:
    plan = route(
        {1: 1, 2: 1, 3: 1},
        [store(10, 1.0, s1=1), store(11, 2.0, s2=1), store(12, 8.0, s2=1, s3=1)],
    )
    assert [(a.location_id, a.sku_ids) for a in plan] == [(12, (2, 3)), (10, (1,))]
    assert all(a.reason.startswith("fewest splits") for a in plan)


def test_a_warehouse_holding_everything_beats_splitting_over_stores() -> None:
    plan = route(
        {1: 1, 2: 1}, [store(10, 1.0, s1=1), store(11, 1.0, s2=1), warehouse(20, 40.0, s1=5, s2=5)]
    )
    assert [(a.location_id, a.warehouse) for a in plan] == [(20, True)]


def test_between_equal_covers_a_store_goes_before_a_warehouse() -> None:
    plan = route(
        {1: 1, 2: 1}, [warehouse(20, 1.0, s1=1), store(10, 30.0, s1=1), store(11, 3.0, s2=1)]
    )
    assert [a.location_id for a in plan] == [11, 10]


def test_lines_no_store_holds_come_from_a_warehouse() -> None:
    plan = route({1: 1, 2: 1}, [store(10, 1.0, s1=1), warehouse(20, 50.0, s2=3)])
    assert [(a.location_id, a.sku_ids) for a in plan] == [(10, (1,)), (20, (2,))]


def test_an_order_nobody_can_send_is_unroutable() -> None:
    with pytest.raises(Unroutable) as caught:
        route({1: 1, 2: 5}, [store(10, 1.0, s1=1, s2=4)])
    assert caught.value.sku_id == 2


def test_fulfilment_kinds_follow_the_method_and_the_location() -> None:
    assert fulfilment_kind(DeliveryMethod.SHIP, True) is FulfilmentKind.SHIP_FROM_WAREHOUSE
    assert fulfilment_kind(DeliveryMethod.SHIP, False) is FulfilmentKind.SHIP_FROM_STORE
    assert fulfilment_kind(DeliveryMethod.PICKUP, False) is FulfilmentKind.PICKUP
    assert fulfilment_kind(DeliveryMethod.SAME_CITY, False) is FulfilmentKind.SAME_CITY
