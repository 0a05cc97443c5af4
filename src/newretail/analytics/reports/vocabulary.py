"""The words of the warehouse contract (``WAREHOUSE.md``): event names, channels, dimensions.

Analyses validate what they are asked against these, so a misspelt event is a clear 422
instead of a funnel that silently counts nobody.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator

COMMERCE_EVENTS = (
    "Product Viewed",
    "Products Searched",
    "Product Added",
    "Cart Viewed",
    "Checkout Started",
    "Order Completed",
    "Order Refunded",
    "Coupon Claimed",
)
OFFLINE_EVENTS = (
    "District Entered",
    "Store Entered",
    "Item Tried On",
    "Sample Dispensed",
    "QR Scanned",
    "Ad Exposed",
    "Member Signed Up",
    "Geofence Entered",
    "Deposit Paid",
    "Popup Visited",
    "Share Opened",
    "Message Read",
)
EVENT_NAMES = frozenset(COMMERCE_EVENTS + OFFLINE_EVENTS)


class Channel(StrEnum):
    WEB = "web"
    MINI_APP = "mini_app"
    APP = "app"
    POS = "pos"
    KIOSK = "kiosk"
    STORE_SENSOR = "store_sensor"
    SAMPLING_MACHINE = "sampling_machine"
    PLATFORM = "platform"


ONLINE_CHANNELS = (Channel.WEB, Channel.MINI_APP, Channel.APP)

Dimension = Literal["store", "district", "channel", "guide", "popup"]
DIMENSION_COLUMNS: dict[str, str] = {
    "store": "store_id",
    "district": "district_id",
    "channel": "channel",
    "guide": "guide_id",
    "popup": "popup_id",
}


def known_event(name: str) -> str:
    if name not in EVENT_NAMES:
        raise ValueError(f"unknown event {name!r}; known events: {', '.join(sorted(EVENT_NAMES))}")
    return name


EventName = Annotated[str, AfterValidator(known_event)]
