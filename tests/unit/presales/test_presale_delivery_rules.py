from newretail.orders.rules import DeliveryMethod as M
from newretail.presales import rules
from newretail.presales.rules import DepositStatus as D


def test_delivery_methods_are_stored_in_one_order_and_read_back() -> None:
    text = rules.delivery_text([M.SAME_CITY, M.PICKUP])
    assert text == "pickup,same_city"
    assert rules.delivery_methods(text) == (M.PICKUP, M.SAME_CITY)


def test_a_campaign_with_no_known_method_offers_pickup() -> None:
    assert [rules.delivery_methods(t) for t in ("", None, "drone")] == [(M.PICKUP,)] * 3


def test_the_delivery_changes_only_while_the_deposit_is_open() -> None:
    changeable = [status for status in D if rules.delivery_changeable(status)]
    assert changeable == [D.AWAITING_PAYMENT, D.DEPOSITED, D.BALANCE_ORDERED]


def test_same_city_reaches_up_to_its_radius() -> None:
    assert [rules.within_same_city(d, 20.0) for d in (0.0, 19.9, 20.0, 20.1)] == [
        True,
        True,
        True,
        False,
    ]


def test_a_typed_phone_is_masked_to_its_first_three_and_last_four_digits() -> None:
    masked = [rules.mask_phone_text(t) for t in ("139 1234 5678", "+86 139-1234-5678", "12-34")]
    assert masked == ["139****5678", "861******5678", "1*34"]
