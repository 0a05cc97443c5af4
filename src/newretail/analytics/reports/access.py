"""Who may read a brand's analyses: the brand's admins and integrations, and the platform.

Analyses cut across the brand's stores and channels, so they are brand-wide only; anything
of another brand does not exist for the caller (404).
"""

from newretail.kernel.scope import Role, Scope


def analysed_brand(scope: Scope, brand_id: int | None) -> int:
    """The brand the caller analyses: their own, or the one a platform admin names."""
    scope.require(Role.BRAND_ADMIN, Role.INTEGRATION)
    return scope.target_brand(brand_id)


def sees(scope: Scope, brand_id: int) -> bool:
    return scope.is_brand_wide and scope.sees_brand(brand_id)
