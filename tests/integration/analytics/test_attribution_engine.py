"""Attribution on a planted warehouse: the planted touch -> purchase pairs come back, across
devices and channels, each touch type inside its own window, other brands apart."""

from datetime import datetime, timedelta

from tests.warehouse_builders import PlantedWarehouse

from newretail.analytics.attribution.query import attribute_period, report
from newretail.analytics.attribution.rules import AttributionSettings

BRAND, OTHER = 1, 2
START, END = datetime(2026, 11, 1), datetime(2026, 12, 1)


def _planted(wh: PlantedWarehouse) -> PlantedWarehouse:
    day = datetime(2026, 11, 10, 12)
    # a pop-up visit on the phone, bought at the till as a member 5 days later: one person
    wh.same_person(BRAND, "person:1", "anon:phone1", "member:1")
    wh.event(
        BRAND, "anon:phone1", "Popup Visited", day, popup_id=7, district_id=3, channel="mini_app"
    )
    wh.order(BRAND, 101, "member:1", day + timedelta(days=5), 30_000, channel="pos")
    # a code scan then a guide's message: last touch is the message
    wh.event(BRAND, "anon:2", "QR Scanned", day, code="QR-A", campaign="autumn")
    wh.event(BRAND, "anon:2", "Message Read", day + timedelta(days=1), guide_id=9)
    wh.order(BRAND, 102, "anon:2", day + timedelta(days=2), 10_001, channel="web")
    # a scan too long before (15 days > 14): the sale stays unattributed
    wh.event(BRAND, "anon:3", "QR Scanned", day - timedelta(days=7), code="QR-B")
    wh.order(BRAND, 103, "anon:3", day + timedelta(days=8), 5_000)
    # a cancelled order earns nothing; another brand's touch is not ours
    wh.event(BRAND, "anon:4", "Ad Exposed", day, campaign="autumn")
    wh.order(BRAND, 104, "anon:4", day + timedelta(days=1), 7_000, status="cancelled")
    wh.event(OTHER, "anon:5", "Ad Exposed", day, campaign="rival")
    wh.order(BRAND, 105, "anon:5", day + timedelta(days=1), 4_000)
    return wh


def test_the_planted_pairs_come_back_with_their_amounts(planted: PlantedWarehouse) -> None:
    found = attribute_period(
        _planted(planted), brand_id=BRAND, start=START, end=END, settings=AttributionSettings()
    )

    assert sorted((c.order_id, c.touch.event, c.fen) for c in found.credits) == [
        (101, "Popup Visited", 30_000),
        (102, "Message Read", 10_001),
    ]
    assert (found.purchases, found.revenue_fen, found.attributed_fen) == (4, 49_001, 40_001)


def test_reports_group_credits_per_pop_up_campaign_guide_and_touchpoint(
    planted: PlantedWarehouse,
) -> None:
    settings = AttributionSettings(model="position", touches="all")
    found = attribute_period(
        _planted(planted), brand_id=BRAND, start=START, end=END, settings=settings
    )

    by_popup = {r.value: r.fen for r in report(found, "popup")}
    by_campaign = {r.value: r.fen for r in report(found, "campaign")}
    by_guide = {r.value: (r.fen, r.purchases) for r in report(found, "guide")}
    by_touch = {r.value: r.fen for r in report(found, "touchpoint")}

    assert by_popup == {"7": 30_000, "(none)": 10_001}
    assert by_campaign == {"autumn": 5_001, "(none)": 35_000}
    assert by_guide["9"] == (5_000, 1)
    assert by_touch == {"Popup Visited": 30_000, "QR Scanned": 5_001, "Message Read": 5_000}


def test_a_longer_window_for_scans_attributes_the_late_sale(planted: PlantedWarehouse) -> None:
    settings = AttributionSettings(window_days={"QR Scanned": 16})

    found = attribute_period(
        _planted(planted), brand_id=BRAND, start=START, end=END, settings=settings
    )

    assert {r.value: r.fen for r in report(found, "code")}["QR-B"] == 5_000


def test_a_sale_reported_only_as_an_event_counts_once_and_orders_win_over_events(
    planted: PlantedWarehouse,
) -> None:
    wh = planted
    day = datetime(2026, 11, 10, 12)
    wh.event(BRAND, "anon:6", "Ad Exposed", day, campaign="winter")
    wh.event(
        BRAND,
        "anon:6",
        "Order Completed",
        day + timedelta(days=1),
        channel="web",
        order_id=601,
        revenue_fen=2_500,
    )
    wh.event(
        BRAND,
        "anon:6",
        "Order Completed",
        day + timedelta(days=1, seconds=5),
        channel="web",
        order_id=601,
        revenue_fen=2_500,
    )
    wh.event(BRAND, "anon:7", "Ad Exposed", day, campaign="winter")
    wh.event(
        BRAND,
        "anon:7",
        "Order Completed",
        day + timedelta(days=1),
        channel="platform",
        order_id=701,
        revenue_fen=9_999,
    )
    wh.order(BRAND, 701, "anon:7", day + timedelta(days=1), 7_000, status="cancelled")

    found = attribute_period(
        wh, brand_id=BRAND, start=START, end=END, settings=AttributionSettings()
    )

    assert [(c.order_id, c.fen) for c in found.credits] == [(601, 2_500)]
    assert (found.purchases, found.revenue_fen) == (1, 2_500)
