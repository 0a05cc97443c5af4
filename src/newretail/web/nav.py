"""The console's navigation: the sections a member of staff may open, the current one marked."""

from urllib.parse import urlencode

from newretail.kernel.reporting import READERS
from newretail.kernel.scope import Role, Scope
from newretail.web.pages import Page

MEMBER_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER, Role.CASHIER)
REBIND_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
POLICY_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
CODE_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
STAFF_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
COMMISSION_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
PROMOTION_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
ORDER_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER, Role.CASHIER)
TILL_ROLES = (Role.STORE_MANAGER, Role.CASHIER)
ANALYTICS_ROLES = (Role.BRAND_ADMIN,)
WORKBENCH_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)


def url(path: str, scope: Scope, brand_id: int | None, **params: object) -> str:
    """``path`` with ``params``; a platform admin's URLs also name the brand."""
    query = {"brand": brand_id if scope.is_platform else None, **params}
    kept = {name: value for name, value in query.items() if value not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


def _sells(scope: Scope) -> bool:
    """Staff of a store who sell at its till (the platform admin has no store to sell in)."""
    return not scope.is_platform and scope.has_any(*TILL_ROLES)


def console_nav(page: Page, brand_id: int | None, active: str) -> list[dict[str, object]]:
    scope = page.caller
    items = [
        ("home", "/console", page.gettext("Overview"), scope.has_any(*READERS)),
        (
            "analytics",
            "/console/analytics",
            page.gettext("Analytics"),
            scope.has_any(*ANALYTICS_ROLES),
        ),
        (
            "audiences",
            "/console/audiences",
            page.gettext("Audiences"),
            scope.has_any(*ANALYTICS_ROLES),
        ),
        ("stores", "/console/stores", page.gettext("Stores"), True),
        ("products", "/console/products", page.gettext("Products"), True),
        ("offers", "/console/offers", page.gettext("Store prices"), True),
        ("stock", "/console/stock", page.gettext("Stock"), True),
    ]
    items += [
        ("orders", "/console/orders", page.gettext("Orders"), scope.has_any(*ORDER_ROLES)),
        ("till", "/pos", page.gettext("Till"), _sells(scope)),
        ("members", "/console/members", page.gettext("Members"), scope.has_any(*MEMBER_ROLES)),
        (
            "policy",
            "/console/binding-policy",
            page.gettext("Binding rules"),
            scope.has_any(*POLICY_ROLES),
        ),
        ("rebind", "/console/rebind", page.gettext("Guide handover"), scope.has_any(*REBIND_ROLES)),
        ("codes", "/console/codes", page.gettext("Codes"), scope.has_any(*CODE_ROLES)),
        (
            "presales",
            "/console/presales",
            page.gettext("Pre-sale board"),
            scope.has_any(*POLICY_ROLES),
        ),
        (
            "commission",
            "/console/commission",
            page.gettext("Commission"),
            scope.has_any(*COMMISSION_ROLES),
        ),
        (
            "promotions",
            "/console/promotions",
            page.gettext("Promotions"),
            scope.has_any(*PROMOTION_ROLES),
        ),
        ("coupons", "/console/coupons", page.gettext("Coupons"), scope.has_any(*PROMOTION_ROLES)),
        ("packages", "/console/packages", page.gettext("Coupon packages"), scope.is_platform),
        ("dunning", "/console/dunning", page.gettext("Dunning list"), scope.has_any(*POLICY_ROLES)),
        ("staff", "/console/staff", page.gettext("Staff"), scope.has_any(*STAFF_ROLES)),
        ("tasks", "/console/tasks", page.gettext("Tasks"), scope.has_any(*WORKBENCH_ROLES)),
        ("targets", "/console/targets", page.gettext("Targets"), scope.has_any(*WORKBENCH_ROLES)),
        ("content", "/console/content", page.gettext("Content"), scope.has_any(*WORKBENCH_ROLES)),
        ("dings", "/console/dings", page.gettext("DING"), scope.has_any(*WORKBENCH_ROLES)),
        (
            "commission_board",
            "/console/commission/leaderboard",
            page.gettext("Commission leaderboard"),
            scope.has_any(*READERS),
        ),
        (
            "settlement",
            "/console/commission/settlement",
            page.gettext("Settlement"),
            scope.has_any(*READERS),
        ),
    ]
    return [
        {"key": key, "url": url(path, scope, brand_id), "label": label, "active": key == active}
        for key, path, label, allowed in items
        if allowed
    ]
