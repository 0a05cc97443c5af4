from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from tests import builders
from tests.integration.inventory.stockworld import (
    active_reserved,
    journal_mismatches,
    level,
    receive,
    stock_world,
)
from tests.passwords import cheap_hashing
from tests.statements import count_statements

from newretail.auth import service as auth_service
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.inventory import errors, jobs
from newretail.inventory import service as inventory_service
from newretail.inventory.models import Reservation, StockMovement
from newretail.inventory.rules import Line, Purpose
from newretail.inventory.schemas import (
    AdjustmentCreate,
    CountCreate,
    ReceiptCreate,
    SyncItem,
    TransferCreate,
)
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import SYSTEM
from newretail.org.errors import StoreNotFound
from newretail.outbox.models import OutboxEvent


def _reserve(
    database: Database, ref: str, lines: list[Line], ttl_seconds: int | None = None
) -> int:
    with database.transaction() as session:
        reservation, _ = inventory_service.reserve(
            session=session,
            scope=SYSTEM,
            purpose=Purpose.CART,
            reference_id=ref,
            lines=lines,
            ttl_seconds=ttl_seconds,
        )
        return reservation.id


def _commit(database: Database, reservation_id: int) -> str:
    with database.transaction() as session:
        reservation = inventory_service.commit_reservation(
            session=session, scope=SYSTEM, reservation_id=reservation_id
        )
        return reservation.status


def _release(database: Database, reservation_id: int) -> str:
    with database.transaction() as session:
        reservation = inventory_service.release_reservation(
            session=session, scope=SYSTEM, reservation_id=reservation_id
        )
        return reservation.status


def _sync(database: Database, items: list[tuple[int, int, int, int]]) -> list[str]:
    batch = [SyncItem(location_id=loc, sku_id=s, on_hand=n, seq=q) for loc, s, n, q in items]
    with database.transaction() as session:
        result = inventory_service.sync_levels(session=session, scope=SYSTEM, items=batch)
    return [row.status for row in result.results]


def test_a_receipt_adds_on_hand_and_journals_it(database: Database) -> None:
    w = stock_world(database)
    receive(database, w.location_ids[0], w.sku_ids[0], 7)
    receive(database, w.location_ids[0], w.sku_ids[0], 3)
    assert level(database, w.location_ids[0], w.sku_ids[0]) == (10, 0, 0)
    with database.transaction(read_only=True) as session:
        kinds = list(session.scalars(select(StockMovement.kind).order_by(StockMovement.id)))
    assert kinds == ["receipt", "receipt"]
    assert journal_mismatches(database, w.brand_id) == []


def _receipt(database: Database, location_id: int, lines: dict[int, int]) -> list[StockMovement]:
    data = ReceiptCreate.model_validate(
        {
            "kind": "receipt",
            "location_id": location_id,
            "lines": [{"sku_id": sku, "quantity": n} for sku, n in lines.items()],
        }
    )
    with database.transaction() as session:
        return inventory_service.record_movements(
            session=session, scope=SYSTEM, data=data
        ).movements


def test_a_receipt_adds_to_all_its_levels_in_one_statement_however_many_lines(
    database: Database,
) -> None:
    """The lines' additions are one UPDATE run for every line (one execution), the new
    levels one INSERT, the levels read back in one SELECT: not a statement a line."""
    w = stock_world(database, skus=40)
    changes = []
    for skus in (w.sku_ids[:2], w.sku_ids):
        for _ in range(2):  # new levels, then levels that are there
            with count_statements(database) as statements:
                _receipt(database, w.location_ids[0], dict.fromkeys(skus, 3))
            changes.append([" ".join(s.split()[:2]) for s in statements if "stock_level" in s])
    assert changes == [changes[0]] * 4
    assert changes[0].count("UPDATE stock_level") == 1
    here, first, last = w.location_ids[0], w.sku_ids[0], w.sku_ids[-1]
    assert (level(database, here, first), level(database, here, last)) == ((12, 0, 0), (6, 0, 0))
    assert journal_mismatches(database, w.brand_id) == []


def test_each_line_of_a_receipt_journals_the_level_it_left_and_shrinks_a_shortfall(
    database: Database,
) -> None:
    w = stock_world(database, skus=3)
    here, (short, stocked, new) = w.location_ids[0], w.sku_ids
    receive(database, here, short, 2)
    receive(database, here, stocked, 10)
    _reserve(database, "cart-1", [Line(here, short, 2)])
    count = CountCreate.model_validate(
        {"kind": "count", "location_id": here, "lines": [{"sku_id": short, "counted": 0}]}
    )
    with database.transaction() as session:  # 2 reserved, none on the shelf: 2 short
        inventory_service.record_movements(session=session, scope=SYSTEM, data=count)
    assert level(database, here, short) == (0, 2, 2)

    movements = _receipt(database, here, {new: 4, stocked: 5, short: 1})

    assert [(m.sku_id, m.quantity, m.on_hand_after) for m in movements] == [
        (short, 1, 1),
        (stocked, 5, 15),
        (new, 4, 4),
    ]
    assert level(database, here, short) == (1, 2, 1)
    assert level(database, here, stocked) == (15, 0, 0)
    assert journal_mismatches(database, w.brand_id) == []


def test_reserve_then_commit_sells_the_units_once(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 5)
    reservation_id = _reserve(database, "c1", [Line(loc, sku, 2)])
    assert level(database, loc, sku) == (5, 2, 0)
    assert _commit(database, reservation_id) == "committed"
    assert level(database, loc, sku) == (3, 0, 0)
    with pytest.raises(errors.ReservationNotActive):
        _commit(database, reservation_id)
    with pytest.raises(errors.ReservationNotActive):
        _release(database, reservation_id)
    assert level(database, loc, sku) == (3, 0, 0)
    assert journal_mismatches(database, w.brand_id) == []


def test_release_gives_the_units_back_once(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 5)
    reservation_id = _reserve(database, "c1", [Line(loc, sku, 5)])
    assert _release(database, reservation_id) == "released"
    with pytest.raises(errors.ReservationNotActive):
        _release(database, reservation_id)
    with pytest.raises(errors.ReservationNotActive):
        _commit(database, reservation_id)
    assert level(database, loc, sku) == (5, 0, 0)


def test_a_reservation_past_available_stock_holds_nothing_of_any_line(database: Database) -> None:
    w = stock_world(database)
    loc = w.location_ids[0]
    receive(database, loc, w.sku_ids[0], 5)
    receive(database, loc, w.sku_ids[1], 1)
    with pytest.raises(errors.InsufficientStock):
        _reserve(database, "c1", [Line(loc, w.sku_ids[0], 2), Line(loc, w.sku_ids[1], 2)])
    assert level(database, loc, w.sku_ids[0]) == (5, 0, 0)
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Reservation)) == 0


def test_a_refused_reservation_leaves_the_callers_transaction_usable(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receipt = ReceiptCreate.model_validate(
        {"kind": "receipt", "location_id": loc, "lines": [{"sku_id": sku, "quantity": 1}]}
    )
    with database.transaction() as session:
        inventory_service.record_movements(session=session, scope=SYSTEM, data=receipt)
        with pytest.raises(errors.InsufficientStock):
            inventory_service.reserve(
                session=session,
                scope=SYSTEM,
                purpose=Purpose.ORDER,
                reference_id="o1",
                lines=[Line(loc, sku, 2)],
            )
    assert level(database, loc, sku) == (1, 0, 0)


def test_reserving_again_for_the_same_reference_holds_nothing_more(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 5)
    first = _reserve(database, "cart-9", [Line(loc, sku, 2)])
    again = _reserve(database, "cart-9", [Line(loc, sku, 2)])
    assert again == first
    assert level(database, loc, sku) == (5, 2, 0)
    with pytest.raises(errors.ReservationReferenceConflict):
        _reserve(database, "cart-9", [Line(loc, sku, 3)])


def test_another_brands_sku_or_store_is_unknown_and_nothing_is_applied(
    database: Database,
) -> None:
    mine, theirs = stock_world(database), stock_world(database)
    loc = mine.location_ids[0]
    receive(database, loc, mine.sku_ids[0], 5)
    with pytest.raises(errors.UnknownSku):
        _reserve(database, "c1", [Line(loc, mine.sku_ids[0], 1), Line(loc, theirs.sku_ids[0], 1)])
    with pytest.raises(errors.MixedBrands):
        _reserve(
            database, "c2", [Line(loc, mine.sku_ids[0], 1), Line(theirs.location_ids[0], 1, 1)]
        )
    with pytest.raises(StoreNotFound):
        receive(database, 999_999, mine.sku_ids[0], 1)
    assert level(database, loc, mine.sku_ids[0]) == (5, 0, 0)


def test_an_adjustment_cannot_take_away_reserved_units(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 5)
    _reserve(database, "c1", [Line(loc, sku, 4)])
    adjust = AdjustmentCreate.model_validate(
        {
            "kind": "adjustment",
            "location_id": loc,
            "lines": [{"sku_id": sku, "delta": -2}],
            "note": "damaged",
        }
    )
    with database.transaction() as session, pytest.raises(errors.InsufficientStock):
        inventory_service.record_movements(session=session, scope=SYSTEM, data=adjust)
    assert level(database, loc, sku) == (5, 4, 0)


def test_a_count_below_reservations_sets_on_hand_and_reports_the_shortfall(
    database: Database,
) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 10)
    big = _reserve(database, "c1", [Line(loc, sku, 4)])
    small = _reserve(database, "c2", [Line(loc, sku, 2)])
    count = CountCreate.model_validate(
        {"kind": "count", "location_id": loc, "lines": [{"sku_id": sku, "counted": 3}]}
    )
    with database.transaction() as session:
        outcome = inventory_service.record_movements(session=session, scope=SYSTEM, data=count)
        assert [(w.code, w.shortfall) for w in outcome.warnings] == [("below_reserved", 3)]
    assert level(database, loc, sku) == (3, 6, 3)
    with pytest.raises(errors.InsufficientStock):
        _reserve(database, "c3", [Line(loc, sku, 1)])
    with pytest.raises(errors.InsufficientStock):
        _commit(database, big)
    assert _commit(database, small) == "committed"
    assert level(database, loc, sku) == (1, 4, 3)
    receive(database, loc, sku, 1)
    assert level(database, loc, sku) == (2, 4, 2)
    _release(database, big)
    assert level(database, loc, sku) == (2, 0, 0)
    assert journal_mismatches(database, w.brand_id) == []


def test_late_and_repeated_erp_messages_never_roll_stock_back(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    assert _sync(database, [(loc, sku, 10, 5)]) == ["applied"]
    assert _sync(database, [(loc, sku, 99, 3), (loc, sku, 42, 5)]) == ["stale", "duplicate"]
    assert level(database, loc, sku) == (10, 0, 0)
    assert _sync(database, [(loc, sku, 7, 6)]) == ["applied"]
    assert level(database, loc, sku) == (7, 0, 0)
    assert journal_mismatches(database, w.brand_id) == []


def test_a_sync_batch_applies_in_sequence_order(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    assert _sync(database, [(loc, sku, 8, 2), (loc, sku, 5, 1)]) == ["applied", "applied"]
    assert level(database, loc, sku) == (8, 0, 0)


def test_a_sync_batch_naming_an_unknown_sku_or_store_is_refused_whole(
    database: Database,
) -> None:
    w, other = stock_world(database), stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    with pytest.raises(errors.UnknownSku, match=r"items\[1\]"):
        _sync(database, [(loc, sku, 8, 1), (loc, other.sku_ids[0], 1, 1)])
    with pytest.raises(StoreNotFound, match=r"items\[0\].*1 more"):
        _sync(database, [(999_998, sku, 1, 1), (999_999, sku, 1, 1), (loc, sku, 1, 1)])
    assert level(database, loc, sku) == (0, 0, 0)


def test_an_erp_level_below_reservations_keeps_them_and_blocks_new_ones(
    database: Database,
) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 5)
    _reserve(database, "c1", [Line(loc, sku, 4)])
    batch = [SyncItem(location_id=loc, sku_id=sku, on_hand=1, seq=1)]
    with database.transaction() as session:
        row = inventory_service.sync_levels(session=session, scope=SYSTEM, items=batch).results[0]
    assert (row.status, row.code, row.delta, row.shortfall) == ("applied", "below_reserved", -4, 3)
    assert level(database, loc, sku) == (1, 4, 3)
    with pytest.raises(errors.InsufficientStock):
        _reserve(database, "c2", [Line(loc, sku, 1)])
    assert journal_mismatches(database, w.brand_id) == []


def test_expiry_releases_only_reservations_past_their_time(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 10)
    soon = _reserve(database, "c1", [Line(loc, sku, 3)], ttl_seconds=60)
    later = _reserve(database, "c2", [Line(loc, sku, 2)], ttl_seconds=3600)
    with database.transaction() as session:
        expired = inventory_service.expire_due(session=session, now=utcnow() + timedelta(minutes=5))
    assert expired == 1
    assert level(database, loc, sku) == (10, 2, 0)
    with pytest.raises(errors.ReservationNotActive):
        _commit(database, soon)
    assert _commit(database, later) == "committed"


def test_the_worker_job_expires_lapsed_reservations_once(
    database: Database, settings: Settings
) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 10)
    lapsed = _reserve(database, "c1", [Line(loc, sku, 3)])
    _reserve(database, "c2", [Line(loc, sku, 2)])
    with database.transaction() as session:
        session.execute(
            update(Reservation)
            .where(Reservation.id == lapsed)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert jobs.release_expired_reservations(database, settings) == 1
    assert jobs.release_expired_reservations(database, settings) == 0
    assert level(database, loc, sku) == (10, 2, 0)
    assert active_reserved(database, loc, sku) == 2
    with database.transaction(read_only=True) as session:
        types = list(
            session.scalars(select(OutboxEvent.type).where(OutboxEvent.type.like("reservation.%")))
        )
    assert types == ["reservation.expired"]


def test_an_active_reservation_past_its_time_cannot_be_committed(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 10)
    reservation_id = _reserve(database, "c1", [Line(loc, sku, 3)])
    with database.transaction() as session:
        session.execute(
            update(Reservation)
            .where(Reservation.id == reservation_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    with pytest.raises(errors.ReservationExpired):
        _commit(database, reservation_id)
    assert level(database, loc, sku) == (10, 3, 0)


def test_a_transfer_moves_units_with_two_movements(database: Database) -> None:
    w = stock_world(database)
    shop, warehouse = w.location_ids
    receive(database, warehouse, w.sku_ids[0], 10)
    data = TransferCreate.model_validate(
        {
            "from_location_id": warehouse,
            "to_location_id": shop,
            "lines": [{"sku_id": w.sku_ids[0], "quantity": 4}],
        }
    )
    with database.transaction() as session:
        record = inventory_service.transfer(session=session, scope=SYSTEM, data=data)
        moves = session.execute(
            select(StockMovement.kind, StockMovement.quantity)
            .where(StockMovement.reference_id == str(record.id))
            .order_by(StockMovement.kind)
        ).all()
    assert [tuple(m) for m in moves] == [("transfer_in", 4), ("transfer_out", -4)]
    assert level(database, warehouse, w.sku_ids[0]) == (6, 0, 0)
    assert level(database, shop, w.sku_ids[0]) == (4, 0, 0)


def test_a_transfer_past_available_moves_nothing(database: Database) -> None:
    w = stock_world(database)
    shop, warehouse = w.location_ids
    receive(database, warehouse, w.sku_ids[0], 10)
    receive(database, warehouse, w.sku_ids[1], 1)
    data = TransferCreate.model_validate(
        {
            "from_location_id": warehouse,
            "to_location_id": shop,
            "lines": [
                {"sku_id": w.sku_ids[0], "quantity": 4},
                {"sku_id": w.sku_ids[1], "quantity": 2},
            ],
        }
    )
    with database.transaction() as session, pytest.raises(errors.InsufficientStock):
        inventory_service.transfer(session=session, scope=SYSTEM, data=data)
    assert level(database, warehouse, w.sku_ids[0]) == (10, 0, 0)
    assert level(database, shop, w.sku_ids[0]) == (0, 0, 0)


def test_available_answers_zero_where_nothing_is_kept(database: Database) -> None:
    w = stock_world(database)
    shop, warehouse = w.location_ids
    receive(database, shop, w.sku_ids[0], 4)
    _reserve(database, "c1", [Line(shop, w.sku_ids[0], 1)])
    with database.transaction(read_only=True) as session:
        result = inventory_service.available(
            session=session, brand_id=w.brand_id, sku_ids=w.sku_ids, location_ids=w.location_ids
        )
    assert result == {
        (shop, w.sku_ids[0]): 3,
        (shop, w.sku_ids[1]): 0,
        (warehouse, w.sku_ids[0]): 0,
        (warehouse, w.sku_ids[1]): 0,
    }


def test_store_staff_reach_only_their_store_and_guides_cannot_reserve(
    database: Database,
) -> None:
    with cheap_hashing():
        world = builders.brand_world(database)
    with database.transaction() as session:
        product = builders.product(session, world.brand.id)
        sku = builders.sku(session, world.brand.id, product.id).id
    receive(database, world.east_store.id, sku, 5)
    receive(database, world.west_store.id, sku, 5)
    with database.transaction() as session:
        cashier = auth_service.scope_for_staff(
            session=session, staff=session.get(type(world.east_cashier), world.east_cashier.id)
        )
        guide = auth_service.scope_for_staff(
            session=session, staff=session.get(type(world.east_guide), world.east_guide.id)
        )
        reservation, _ = inventory_service.reserve(
            session=session,
            scope=cashier,
            purpose=Purpose.POS,
            reference_id="till-1",
            lines=[Line(world.east_store.id, sku, 1)],
        )
        assert reservation.status == "active"
        with pytest.raises(StoreNotFound):
            inventory_service.reserve(
                session=session,
                scope=cashier,
                purpose=Purpose.POS,
                reference_id="till-2",
                lines=[Line(world.west_store.id, sku, 1)],
            )
        with pytest.raises(PermissionDenied):
            inventory_service.reserve(
                session=session,
                scope=guide,
                purpose=Purpose.POS,
                reference_id="till-3",
                lines=[Line(world.east_store.id, sku, 1)],
            )
