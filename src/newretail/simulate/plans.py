"""What the organisation step builds, as plain data: districts, brands, regions, stores."""

from dataclasses import dataclass

from newretail.org.rules import WEEKDAYS, StoreType

Hours = dict[str, list[list[str]]]


def hours(
    daily: tuple[str, str], *, late: tuple[str, str] | None = None, closed: str = ""
) -> Hours:
    """Opening hours: ``daily`` every day, ``late`` on Friday and Saturday, none on ``closed``."""
    week: Hours = {}
    for day in WEEKDAYS:
        if day == closed:
            continue
        span = late if late and day in ("fri", "sat") else daily
        week[day] = [[span[0], span[1]]]
    return week


MALL_HOURS = hours(("10:00", "22:00"), late=("10:00", "22:30"))
DEPARTMENT_STORE_HOURS = hours(("10:00", "22:00"))
POPUP_HOURS = hours(("11:00", "21:00"))
WAREHOUSE_HOURS = hours(("08:00", "20:00"), closed="sun")


@dataclass(frozen=True)
class DistrictPlan:
    code: str
    name: str
    city: str
    lat: float
    lng: float
    polygon: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class RegionPlan:
    code: str
    name: str
    kind: str
    parent: str | None = None
    managed: bool = False


@dataclass(frozen=True)
class StorePlan:
    code: str
    name: str
    type: StoreType
    region: str
    address: str
    lat: float
    lng: float
    district: str | None
    opening_hours: Hours
    guides: int = 1
    cashiers: int = 0


@dataclass(frozen=True)
class BrandPlan:
    code: str
    name: str
    handle: str
    regions: tuple[RegionPlan, ...]
    stores: tuple[StorePlan, ...]
    currency: str = "CNY"
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class OrganisationPlan:
    districts: tuple[DistrictPlan, ...]
    brands: tuple[BrandPlan, ...]
    password: str
    platform_admin: str = "admin"
    city: str = "上海"

    @property
    def units(self) -> int:
        """Rows the step creates, for the progress display."""
        total = 1 + len(self.districts)
        for brand in self.brands:
            stores = brand.stores
            people = sum(1 + store.guides + store.cashiers for store in stores if store.guides)
            managers = sum(region.managed for region in brand.regions)
            total += 3 + len(brand.regions) + len(stores) + people + managers  # 2 admins
        return total
