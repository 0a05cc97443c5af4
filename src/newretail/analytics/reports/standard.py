"""The reports every brand has from the start: the seed funnel and the five traffic layers.

**Seed funnel** (strict order, 7-day window from entering the district):
District Entered -> Store Entered -> Item Tried On -> Order Completed -> Member Signed Up.

**Traffic layers** (any order, 30-day window): how far a person came towards the brand,
each layer counting the people who reached it and every layer above it.

1. *All channels*: any event at all, from any channel (an ad seen, a share opened, a page
   viewed, a sensor passed): everyone the brand reached.
2. *Platform*: an event on the brand's own digital platform, channels ``web``, ``mini_app``
   or ``app`` (products viewed and searched, cart, checkout, coupons claimed, a guide's
   share or message read).
3. *Near field*: near a store, offline: ``District Entered``, ``Geofence Entered``,
   ``Popup Visited``, ``QR Scanned`` or ``Sample Dispensed``.
4. *In store*: ``Store Entered`` or ``Item Tried On``.
5. *Purchase*: ``Order Completed`` in any channel.
"""

from typing import Any

from newretail.analytics.funnels.rules import FunnelSpec, Step
from newretail.analytics.reports.vocabulary import ONLINE_CHANNELS

SEED_FUNNEL = "seed_funnel"
TRAFFIC_LAYERS = "traffic_layers"

SEED_FUNNEL_SPEC = FunnelSpec(
    steps=[
        Step(label="District entered", events=["District Entered"]),
        Step(label="Store entered", events=["Store Entered"]),
        Step(label="Tried on", events=["Item Tried On"]),
        Step(label="Bought", events=["Order Completed"]),
        Step(label="Became a member", events=["Member Signed Up"]),
    ],
    window_seconds=7 * 86_400,
    order="strict",
)

TRAFFIC_LAYERS_SPEC = FunnelSpec(
    steps=[
        Step(label="All channels"),
        Step(label="Platform", channels=list(ONLINE_CHANNELS)),
        Step(
            label="Near field",
            events=[
                "District Entered",
                "Geofence Entered",
                "Popup Visited",
                "QR Scanned",
                "Sample Dispensed",
            ],
        ),
        Step(label="In store", events=["Store Entered", "Item Tried On"]),
        Step(label="Purchase", events=["Order Completed"]),
    ],
    window_seconds=30 * 86_400,
    order="any",
)

STANDARD: dict[str, tuple[str, FunnelSpec]] = {
    SEED_FUNNEL: ("Seed funnel", SEED_FUNNEL_SPEC),
    TRAFFIC_LAYERS: ("Traffic layers", TRAFFIC_LAYERS_SPEC),
}


def standard_rows(brand_id: int) -> list[dict[str, Any]]:
    """The rows of the standard reports of one brand."""
    return [
        {
            "brand_id": brand_id,
            "key": key,
            "name": name,
            "kind": "funnel",
            "spec": spec.model_dump(mode="json"),
        }
        for key, (name, spec) in STANDARD.items()
    ]
