"""The console's promotion and coupon forms: typed fields to service bodies, and back.

    reach       stores, channels and categories ticked, SKU codes typed (include and
                exclude), member tiers named: the ``reach`` of a promotion or template
    terms       tiers of spend and saving, amounts in yuan, counts and percentages
    moments     dates typed on the brand's wall clock, stored as instants

Each problem is noted on its field (``FieldProblem`` keys of ``messages.FIELD_ERRORS``);
what the services refuse (a percentage over 100, dates reversed) comes back as their
domain error, placed on the field it is about (``ERROR_FIELDS``).
"""

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.kernel.money import MINOR_UNIT_DIGITS
from newretail.org.schemas import BrandRead
from newretail.web import messages
from newretail.web.console_catalog import _categories, _stores
from newretail.web.console_forms import FormState
from newretail.web.manage import parse
from newretail.web.manage_fields import FieldProblem, format_amount, optional_amount, parse_whole
from newretail.web.pages import Page

CHANNELS = ("cloud_store", "online", "pos", "guide_share", "livestream")
TIER_ROWS = 3
ERROR_FIELDS = {
    "percentage_over_100": "percent_off",
    "dates_reversed": "ends_at",
    "invalid_terms": "kind",
}
_LIST = re.compile(r"[\s,，;；]+")


def state(page: Page, values: dict[str, str]) -> FormState:
    return FormState(page, values, error_fields=ERROR_FIELDS)


def digits(brand: BrandRead) -> int:
    return MINOR_UNIT_DIGITS.get(brand.currency, 2)


def moment(text: str, zone: ZoneInfo) -> datetime | None:
    """A ``datetime-local`` value on the brand's wall clock; None when left empty."""
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=zone)
    except ValueError as exc:
        raise FieldProblem("datetime") from exc


def required_moment(text: str, zone: ZoneInfo) -> datetime:
    found = moment(text, zone)
    if found is None:
        raise FieldProblem("missing")
    return found


def local(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if value else ""


def minute(text: str) -> int | None:
    """``"18:30"`` → 1110 minutes after midnight; None when empty."""
    if not text.strip():
        return None
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise FieldProblem("time")
    return int(hours) * 60 + int(minutes)


def clock(value: int | None) -> str:
    return "" if value is None else f"{value // 60:02d}:{value % 60:02d}"


def whole(state: FormState, fields: dict[str, str], name: str) -> int | None:
    text = fields.get(name, "")
    found: int | None = parse(state, name, lambda: parse_whole(text) if text.strip() else None)
    return found


def amount(state: FormState, fields: dict[str, str], name: str, places: int) -> int | None:
    text = fields.get(name, "")
    found: int | None = parse(state, name, lambda: optional_amount(text, places))
    return found


def choices(
    page: Page, session: Session, brand: BrandRead, values: dict[str, str]
) -> dict[str, Any]:
    """The stores, channels and categories a form offers to tick, ticked as in ``values``."""
    stores = _stores(page, session, brand.id, warehouses=False)
    return {
        "store_choices": [(s.id, s.name, bool(values.get(f"store_{s.id}"))) for s in stores],
        "channel_choices": [
            (c, page.translate(messages.CHANNELS[c]), bool(values.get(f"channel_{c}")))
            for c in CHANNELS
        ],
        "category_choices": [
            (i, name, bool(values.get(f"category_{i}")))
            for i, name in _categories(session, page, brand.id)
        ],
    }


def reach_body(
    page: Page, session: Session, brand: BrandRead, state: FormState, fields: dict[str, str]
) -> dict[str, Any]:
    """The ``reach`` of the ticked and typed fields; unknown SKU codes noted on their field."""
    stores = [s.id for s in _stores(page, session, brand.id, False) if fields.get(f"store_{s.id}")]
    categories = [i for i, _ in _categories(session, page, brand.id) if fields.get(f"category_{i}")]
    return {
        "stores": stores,
        "channels": [c for c in CHANNELS if fields.get(f"channel_{c}")],
        "categories": categories,
        "tiers": [t for t in _LIST.split(fields.get("tiers", "")) if t][:20],
        "skus": sku_ids(session, brand, state, fields, "skus"),
        "exclude_skus": sku_ids(session, brand, state, fields, "exclude_skus"),
    }


def sku_ids(
    session: Session, brand: BrandRead, state: FormState, fields: dict[str, str], name: str
) -> list[int]:
    codes = [c for c in _LIST.split(fields.get(name, "")) if c][:200]
    if not codes:
        return []
    known = catalog_service.skus_by_code(session=session, brand_id=brand.id, codes=codes)
    if any(code not in known for code in codes):
        state.add_field_errors({name: "unknown_sku"})
    return [known[c].id for c in codes if c in known]


def reach_values(session: Session, brand: BrandRead, reach: dict[str, Any]) -> dict[str, str]:
    """The form's fields for a stored ``reach``, to edit it."""
    ids = [*reach.get("skus", []), *reach.get("exclude_skus", [])]
    codes = {
        sku_id: sku.code
        for sku_id, sku in catalog_service.skus_by_id(
            session=session, brand_id=brand.id, sku_ids=ids
        ).items()
    }
    values = {f"store_{s}": "1" for s in reach.get("stores", [])}
    values |= {f"channel_{c}": "1" for c in reach.get("channels", [])}
    values |= {f"category_{c}": "1" for c in reach.get("categories", [])}
    values["tiers"] = ", ".join(reach.get("tiers", []))
    values["skus"] = ", ".join(codes.get(s, "") for s in reach.get("skus", []))
    values["exclude_skus"] = ", ".join(codes.get(s, "") for s in reach.get("exclude_skus", []))
    return values


def terms_body(state: FormState, fields: dict[str, str], places: int) -> dict[str, Any]:
    """The ``terms`` of the typed numbers; what a kind needs is the service's to check."""
    tiers = []
    for n in range(1, TIER_ROWS + 1):
        spend = amount(state, fields, f"tier_spend_{n}", places)
        off = amount(state, fields, f"tier_off_{n}", places)
        if spend is not None or off is not None:
            if spend is None or not off:
                state.add_field_errors({f"tier_off_{n}": "missing"})
            else:
                tiers.append({"threshold": spend, "off": off})
    body: dict[str, Any] = {"tiers": tiers}
    for name in ("every", "free", "percent_off"):
        body[name] = whole(state, fields, name) or 0
    for name in ("threshold", "amount", "set_price"):
        body[name] = amount(state, fields, name, places) or 0
    for name in ("max_off", "unit_price"):
        body[name] = amount(state, fields, name, places)
    return body


def terms_values(terms: dict[str, Any], places: int) -> dict[str, str]:
    """The form's fields for stored ``terms``."""
    values = {}
    for n, tier in enumerate(terms.get("tiers", [])[:TIER_ROWS], start=1):
        values[f"tier_spend_{n}"] = format_amount(int(tier["threshold"]), places)
        values[f"tier_off_{n}"] = format_amount(int(tier["off"]), places)
    for name in ("every", "free", "percent_off"):
        values[name] = str(terms.get(name) or "") if terms.get(name) else ""
    for name in ("threshold", "amount", "set_price", "max_off", "unit_price"):
        raw = terms.get(name)
        values[name] = format_amount(int(raw), places) if raw else ""
    return values
