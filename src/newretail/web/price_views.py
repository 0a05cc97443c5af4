"""What the price screen shows: a SKU's rules at every level, the one that wins, the form.

Plain data for ``console/prices.html``, read through the catalog and org services with
the caller's scope.
"""

from typing import Any

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.catalog.models import Offer, Sku
from newretail.catalog.rules import Level
from newretail.kernel.i18n import N_
from newretail.kernel.money import MINOR_UNIT_DIGITS, Money
from newretail.kernel.scope import Role, Scope
from newretail.org.schemas import BrandRead
from newretail.web import data, messages
from newretail.web.console_catalog import _stores, url
from newretail.web.manage import brand_param
from newretail.web.manage_fields import format_amount
from newretail.web.pages import Page
from newretail.web.views import region_options

RULES_SHOWN = 200
LEVEL_ROLES = {
    Level.BRAND: (Role.BRAND_ADMIN,),
    Level.CHANNEL: (Role.BRAND_ADMIN,),
    Level.REGION: (Role.BRAND_ADMIN, Role.REGION_MANAGER),
    Level.STORE: (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER),
    Level.STORE_CHANNEL: (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER),
}
LEVEL_HELP = {
    Level.BRAND: N_("Every store, every channel, unless a closer rule says otherwise."),
    Level.CHANNEL: N_("Every store, in one channel."),
    Level.REGION: N_("Every store of a region and its sub-regions, in every channel."),
    Level.STORE: N_("One store, in every channel."),
    Level.STORE_CHANNEL: N_("One store, in one channel: the most specific rule."),
}
# Which of the form's scope fields each level uses.
LEVEL_FIELDS = {
    "region_id": "region",
    "store_id": "store store_channel",
    "channel": "channel store_channel",
}


def values_for(
    page: Page, session: Session, sku: Sku, view: dict[str, Any], edit: int | None
) -> dict[str, str]:
    """The form's starting values: the rule being edited, else the most specific level allowed."""
    digits = MINOR_UNIT_DIGITS.get(_currency(session, page, sku), 2)
    store = view["store"]
    if edit is not None:
        offer = catalog_service.get_offer(session=session, scope=page.caller, offer_id=edit)
        level = catalog_service.offer_read(offer).level
        return {
            "level": level,
            "region_id": str(offer.region_id or ""),
            "store_id": str(offer.store_id or (store.id if store else "")),
            "channel": offer.channel or view["channel"],
            "price": format_amount(offer.price, digits),
            "compare_at": format_amount(offer.compare_at_price, digits),
        }
    allowed = levels(page.caller)
    if not allowed:
        return {}
    level = Level.STORE if Level.STORE in allowed else allowed[0]
    return {
        "level": level.value,
        "store_id": str(store.id) if store else "",
        "channel": view["channel"],
    }


def _currency(session: Session, page: Page, sku: Sku) -> str:
    return data.brand(session=session, scope=page.caller, brand_id=sku.brand_id).currency


def levels(scope: Scope) -> list[Level]:
    """The levels the caller may set a price at."""
    return [level for level, roles in LEVEL_ROLES.items() if scope.has_any(*roles)]


def sku_context(
    page: Page, session: Session, brand: BrandRead, sku: Sku, view: dict[str, Any]
) -> dict[str, Any]:
    product = catalog_service.get_product(
        session=session, scope=page.caller, product_id=sku.product_id
    )
    store = view["store"]
    resolved = None
    if store is not None:
        found = catalog_service.resolve_offers(
            session=session,
            brand_id=brand.id,
            store_id=store.id,
            channel=view["channel"],
            sku_ids=[sku.id],
        )
        resolved = found.get(sku.id)
    winner = resolved.fields["price"].source if resolved else None
    offers, more = catalog_service.list_offers(
        session=session, scope=page.caller, cursor=None, limit=RULES_SHOWN, sku_id=sku.id
    )
    names = _scope_names(page, session, brand)
    keep = {
        "brand": brand_param(page, brand),
        "sku": sku.id,
        "store": store.id if store else None,
        "channel": view["channel"],
    }
    return {
        "product": product,
        "attributes": " / ".join(str(v) for v in sku.attributes.values()),
        "store": store,
        "channel": view["channel"],
        "store_options": [(s.id, s.name) for s in view["stores"]],
        "channel_options": [(k, page.translate(v)) for k, v in messages.CHANNELS.items()],
        "resolved": _resolved(page, resolved, brand.currency),
        "rules": [
            _rule(page, offer, names, brand.currency, winner.offer_id if winner else None, keep)
            for offer in sorted(offers, key=_rule_order)
        ],
        "levels": [
            (
                level.value,
                page.translate(messages.PRICE_LEVELS[level.value]),
                page.translate(LEVEL_HELP[level]),
            )
            for level in levels(page.caller)
        ],
        "more_rules": more is not None,
        "level_fields": LEVEL_FIELDS,
        "region_options": [
            (str(i), n)
            for i, n in region_options(
                data.region_tree(session=session, scope=page.caller, brand_id=brand.id)
            )
        ],
        "form_store_options": [(str(s.id), s.name) for s in view["stores"]],
        "form_channel_options": [(k, page.translate(v)) for k, v in messages.CHANNELS.items()],
        "keep": keep,
    }


def _rule_order(offer: Offer) -> tuple[int, int]:
    order = [Level.STORE_CHANNEL, Level.STORE, Level.REGION, Level.CHANNEL, Level.BRAND]
    return order.index(Level(catalog_service.offer_read(offer).level)), offer.id


def _scope_names(page: Page, session: Session, brand: BrandRead) -> dict[str, dict[int, str]]:
    stores = _stores(page, session, brand.id, warehouses=True)
    regions = data.regions(session=session, scope=page.caller, brand_id=brand.id)
    return {"store": {s.id: s.name for s in stores}, "region": {r.id: r.name for r in regions}}


def _rule(
    page: Page,
    offer: Offer,
    names: dict[str, dict[int, str]],
    currency: str,
    winner: int | None,
    keep: dict[str, Any],
) -> dict[str, Any]:
    level = catalog_service.offer_read(offer).level
    where = [
        names["region"].get(offer.region_id or 0, "") if offer.region_id else "",
        names["store"].get(offer.store_id or 0, "") if offer.store_id else "",
        page.translate(messages.CHANNELS.get(offer.channel, "")) if offer.channel else "",
    ]
    return {
        "id": offer.id,
        "level": level,
        "level_label": page.translate(messages.PRICE_LEVELS[level]),
        "where": " · ".join(w for w in where if w) or page.gettext("All stores, all channels"),
        "price": Money(offer.price, currency) if offer.price is not None else None,
        "compare_at": Money(offer.compare_at_price, currency)
        if offer.compare_at_price is not None
        else None,
        "wins": offer.id == winner,
        "can_write": page.caller.has_any(*LEVEL_ROLES[Level(level)]),
        "edit_url": url("/console/prices", **keep, edit=offer.id),
    }


def _resolved(page: Page, resolved: Any, currency: str) -> dict[str, Any] | None:
    if resolved is None:
        return None
    out: dict[str, Any] = {}
    for name in ("price", "compare_at_price"):
        item = resolved.fields[name]
        level = item.source.level.value if item.source else None
        out[name] = {
            "value": Money(item.value, currency) if item.value is not None else None,
            "level": level or "",
            "label": page.translate(messages.PRICE_LEVELS[level]) if level else "—",
        }
    return out
