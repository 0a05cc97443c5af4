"""Who is calling and what they may see: the caller's scope, checked in every service.

A scope is platform-wide (platform admin), brand-wide (brand admin, integration key),
a region subtree (region manager) or a set of stores (store manager, guide, cashier).
Anything outside it does not exist for the caller: services answer ``NotFound``.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from newretail.kernel.errors import NotFound, PermissionDenied


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    BRAND_ADMIN = "brand_admin"
    REGION_MANAGER = "region_manager"
    STORE_MANAGER = "store_manager"
    GUIDE = "guide"
    CASHIER = "cashier"
    INTEGRATION = "integration"


BRAND_WIDE_ROLES = frozenset({Role.BRAND_ADMIN, Role.INTEGRATION})
REGION_ROLES = frozenset({Role.REGION_MANAGER})
STORE_ROLES = frozenset({Role.STORE_MANAGER, Role.GUIDE, Role.CASHIER})


@dataclass(frozen=True)
class Scope:
    actor_type: str
    actor_id: int | None
    roles: frozenset[Role]
    brand_id: int | None = None
    region_ids: frozenset[int] | None = None
    store_ids: frozenset[int] | None = None
    display_name: str = ""
    locale: str | None = field(default=None, compare=False)

    @property
    def is_platform(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    @property
    def is_brand_wide(self) -> bool:
        return self.is_platform or bool(self.roles & BRAND_WIDE_ROLES)

    def has_any(self, *roles: Role) -> bool:
        return self.is_platform or bool(self.roles & set(roles))

    def require(self, *roles: Role) -> None:
        """Raise PermissionDenied unless the caller holds one of ``roles`` (platform always may)."""
        if not self.has_any(*roles):
            raise PermissionDenied("Your role does not allow this action.")

    def sees_brand(self, brand_id: int | None) -> bool:
        return self.is_platform or (brand_id is not None and brand_id == self.brand_id)

    def sees_region(self, brand_id: int, region_id: int) -> bool:
        if not self.sees_brand(brand_id):
            return False
        return self.is_brand_wide or self.region_ids is None or region_id in self.region_ids

    def sees_store(self, brand_id: int, store_id: int) -> bool:
        if not self.sees_brand(brand_id):
            return False
        return self.is_brand_wide or self.store_ids is None or store_id in self.store_ids

    def target_brand(self, brand_id: int | None) -> int:
        """The brand a brand-owned write goes to: the caller's own, or any for the platform."""
        if self.is_platform:
            if brand_id is None:
                raise PermissionDenied("A platform admin must say which brand (brand_id).")
            return brand_id
        if self.brand_id is None:
            raise PermissionDenied("This action needs a brand scope.")
        if brand_id is not None and brand_id != self.brand_id:
            raise NotFound("Brand not found.")
        return self.brand_id


SYSTEM = Scope(actor_type="system", actor_id=None, roles=frozenset({Role.PLATFORM_ADMIN}))
