"""Pre-sale rules: the event day in the store's timezone, inflated deposits, expiry."""

from datetime import UTC, date, datetime, time

from newretail.orders.rules import OrderStatus
from newretail.presales import rules
from newretail.presales.rules import DepositStatus, UnpaidRule


def test_the_event_day_is_read_in_the_stores_timezone() -> None:
    window = rules.balance_window(date(2026, 11, 11), time(0, 0), time(0, 0), "Asia/Shanghai")
    assert window.opens_at == datetime(2026, 11, 10, 16, 0, tzinfo=UTC)
    assert window.closes_at == datetime(2026, 11, 11, 16, 0, tzinfo=UTC)


def test_the_same_event_day_opens_later_in_a_western_store() -> None:
    shanghai = rules.balance_window(date(2026, 11, 11), time(20), time(23), "Asia/Shanghai")
    paris = rules.balance_window(date(2026, 11, 11), time(20), time(23), "Europe/Paris")
    assert (paris.opens_at - shanghai.opens_at).total_seconds() == 7 * 3600


def test_a_window_holds_its_opening_but_not_its_closing() -> None:
    window = rules.balance_window(date(2026, 11, 11), time(10), time(12), "UTC")
    assert window.contains(datetime(2026, 11, 11, 10, 0, tzinfo=UTC))
    assert not window.contains(datetime(2026, 11, 11, 12, 0, tzinfo=UTC))
    assert not window.contains(datetime(2026, 11, 10, 11, 0, tzinfo=UTC))


def test_an_inflated_deposit_counts_more_off_the_balance() -> None:
    amounts = rules.balance_amounts(price=59_900, deposit_value=15_000, quantity=2)
    assert (amounts.subtotal, amounts.credit, amounts.due) == (119_800, 30_000, 89_800)


def test_the_deposit_never_counts_more_than_the_price() -> None:
    amounts = rules.balance_amounts(price=10_000, deposit_value=10_000, quantity=3)
    assert amounts.due == 0


def test_items_keep_the_deposit_between_zero_and_the_price() -> None:
    assert rules.valid_item(price=100, deposit=10, deposit_value=15)
    assert not rules.valid_item(price=100, deposit=20, deposit_value=15)
    assert not rules.valid_item(price=100, deposit=10, deposit_value=150)


def test_expiry_refunds_or_keeps_by_the_rule() -> None:
    assert rules.refund_on_expiry(UnpaidRule.REFUND, 10_000) == 10_000
    assert rules.refund_on_expiry(UnpaidRule.KEEP, 10_000) == 0


# ---- following the orders -------------------------------------------------------------

D, S = DepositStatus, OrderStatus


def test_a_paid_deposit_order_makes_the_deposit_deposited() -> None:
    moved = [
        rules.next_status(D.AWAITING_PAYMENT, deposit_order=status, balance_order=None)
        for status in (S.CREATED, S.PAID, S.ALLOCATED, S.CANCELLED, S.REFUNDED)
    ]
    assert moved == [None, D.DEPOSITED, D.DEPOSITED, D.LAPSED, D.REFUNDED]


def test_a_paid_balance_completes_the_deposit_even_if_the_deposit_was_refunded() -> None:
    assert (
        rules.next_status(D.BALANCE_ORDERED, deposit_order=S.REFUNDED, balance_order=S.PAID)
        is D.COMPLETED
    )


def test_a_refunded_deposit_order_closes_an_open_deposit() -> None:
    assert [
        rules.next_status(status, deposit_order=S.REFUNDED, balance_order=S.CREATED)
        for status in (D.DEPOSITED, D.BALANCE_ORDERED)
    ] == [D.REFUNDED, D.REFUNDED]


def test_closed_deposits_stay_whatever_their_orders_do() -> None:
    closed = [D.COMPLETED, D.EXPIRED, D.LAPSED, D.REFUNDED]
    assert [
        rules.next_status(status, deposit_order=S.REFUNDED, balance_order=S.PAID)
        for status in closed
    ] == [None] * 4


def test_a_presale_campaign_tag_names_its_presale_and_nothing_else_does() -> None:
    found = [
        rules.presale_of_campaign(tag)
        for tag in (rules.campaign_tag(42), "presale:", "presale:x1", "flash:42", None, 42)
    ]
    assert found == [42, None, None, None, None, None]
