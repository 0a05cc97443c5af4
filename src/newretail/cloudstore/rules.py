"""Pure rules of the cloud store: public codes, opening hours, fulfilment sources.

Public store code. Store codes are unique per brand, not on the platform, so the cloud
store's public code joins the brand code and the store code with a dot:
``ACME.SH001``. Neither code may contain a dot (see ``newretail.kernel.schemas.Code``), so the
first dot splits it back unambiguously.

Fulfilment source. A product shown in a store's cloud store comes, in this order, from:

    here          this store has it in stock
    nearby_store  the closest other store the brand's policy allows, with stock
    warehouse     the closest warehouse, if the brand sells warehouse stock
    none          nowhere the policy allows has it: sold out here
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from newretail.org.rules import CLOUD_STORE_CODE_SEPARATOR, WEEKDAYS, cloud_store_code

CODE_SEPARATOR = CLOUD_STORE_CODE_SEPARATOR
MAX_RADIUS_KM = 100.0  # how far a ``nearby`` policy may reach (a check constraint too)


class StoreSourcing(StrEnum):
    """Which other stores' stock a brand's cloud stores may sell."""

    NONE = "none"
    NEARBY = "nearby"
    ANY = "any"


class SourceKind(StrEnum):
    HERE = "here"
    NEARBY_STORE = "nearby_store"
    WAREHOUSE = "warehouse"
    NONE = "none"


# ---- public codes ---------------------------------------------------------------------


public_code = cloud_store_code


def split_public_code(code: str) -> tuple[str, str] | None:
    """(brand code, store code), or None when ``code`` cannot be a public store code."""
    brand_code, separator, store_code = code.partition(CODE_SEPARATOR)
    if not separator or not brand_code or not store_code or CODE_SEPARATOR in store_code:
        return None
    return brand_code, store_code


# ---- opening hours and activities -----------------------------------------------------


def hours_on(hours: dict[str, list[list[str]]], local: datetime) -> list[list[str]]:
    """The opening spans of the local day ``local`` falls on."""
    return hours.get(WEEKDAYS[local.weekday()], [])


def is_current(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    return starts_at <= now < ends_at


# ---- fulfilment -----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """Another location that might supply a SKU, as far as the policy allows."""

    location_id: int
    code: str
    name: str
    is_warehouse: bool
    distance_km: float
    available: int


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    available: int = 0
    location_id: int | None = None
    code: str | None = None
    name: str | None = None
    distance_km: float | None = None


def choose_source(here: int, candidates: Sequence[Candidate], quantity: int = 1) -> Source:
    """Where ``quantity`` units would come from: here, else the closest store, else a warehouse.

    Ties in distance go to the lower location id, so the answer never flickers.
    """
    if here >= quantity:
        return Source(SourceKind.HERE, available=here)
    stocked = [c for c in candidates if c.available >= quantity]
    for warehouse in (False, True):
        pool = [c for c in stocked if c.is_warehouse is warehouse]
        if pool:
            best = min(pool, key=lambda c: (c.distance_km, c.location_id))
            kind = SourceKind.WAREHOUSE if warehouse else SourceKind.NEARBY_STORE
            return Source(
                kind,
                available=best.available,
                location_id=best.location_id,
                code=best.code,
                name=best.name,
                distance_km=round(best.distance_km, 3),
            )
    return Source(SourceKind.NONE)


@dataclass(frozen=True)
class Policy:
    """A brand's rule for selling stock that is not in the store itself."""

    store_sourcing: StoreSourcing = StoreSourcing.NONE
    nearby_radius_km: float = 5.0
    warehouse_sourcing: bool = False

    @property
    def sells_elsewhere(self) -> bool:
        return self.store_sourcing is not StoreSourcing.NONE or self.warehouse_sourcing
