"""Offers (sub-products) and their resolution for a store and a channel.

Who may write which offer:

    brand, channel          brand admins and integration keys
    region                  brand-wide writers; region managers inside their subtree
    store, store+channel    brand-wide writers; region managers for stores in their
                            subtree; store managers for their own store

Reading offers follows the same lines: brand and channel offers are visible to all staff
of the brand, region and store offers to whoever may see that region or store. Another
brand's offers, stores or regions do not exist for the caller (404).
"""

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.catalog import errors, rules
from newretail.catalog.models import Offer, Product, Sku
from newretail.catalog.products import WRITERS, get_sku
from newretail.catalog.schemas import OfferCreate, OfferRead, OfferUpdate
from newretail.kernel import visibility
from newretail.kernel.money import CurrencyMismatch
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.org import errors as org_errors
from newretail.org import service as org_service
from newretail.outbox import service as outbox_service

FIELDS = ("currency", *rules.OFFER_FIELDS)


def offer_read(offer: Offer) -> OfferRead:
    level = rules.level_of(offer.channel, offer.region_id, offer.store_id)
    return OfferRead.model_validate({**_columns(offer), "level": level.value})


def _columns(offer: Offer) -> dict[str, Any]:
    names = ("id", "brand_id", "sku_id", "channel", "region_id", "store_id", "created_at")
    return {name: getattr(offer, name) for name in (*names, *FIELDS, "updated_at")}


OFFERS = visibility.Ladder(
    brand=Offer.brand_id,
    regions=(Offer.region_id,),
    stores=(Offer.store_id,),
    shared_if_null=(Offer.region_id, Offer.store_id),
)


def _offer_query(scope: Scope) -> Select[Offer]:
    return visibility.restrict(select(Offer), scope, OFFERS)


def get_offer(*, session: Session, scope: Scope, offer_id: int) -> Offer:
    offer = session.scalar(_offer_query(scope).where(Offer.id == offer_id))
    if offer is None:
        raise errors.OfferNotFound()
    return offer


def list_offers(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    sku_id: int | None = None,
    store_id: int | None = None,
    region_id: int | None = None,
    channel: str | None = None,
    level: str | None = None,
) -> tuple[list[Offer], str | None]:
    query = _offer_query(scope)
    for column, value in (
        (Offer.sku_id, sku_id),
        (Offer.store_id, store_id),
        (Offer.region_id, region_id),
        (Offer.channel, channel),
    ):
        if value is not None:
            query = query.where(column == value)
    if level is not None:
        query = query.where(_level_clause(rules.Level(level)))
    return paginate(session=session, query=query, id_column=Offer.id, cursor=cursor, limit=limit)


def _level_clause(level: rules.Level) -> Any:
    no_store, no_region = Offer.store_id.is_(None), Offer.region_id.is_(None)
    clauses = {
        rules.Level.STORE_CHANNEL: and_(~no_store, Offer.channel.is_not(None)),
        rules.Level.STORE: and_(~no_store, Offer.channel.is_(None)),
        rules.Level.REGION: ~no_region,
        rules.Level.CHANNEL: and_(no_store, no_region, Offer.channel.is_not(None)),
        rules.Level.BRAND: and_(no_store, no_region, Offer.channel.is_(None)),
    }
    return clauses.get(level, false())


def authorize_scope(
    *,
    session: Session,
    scope: Scope,
    brand_id: int,
    region_id: int | None,
    store_id: int | None,
) -> None:
    """Refuse an offer scope the caller may not write; a store or region elsewhere is 404."""
    if store_id is not None:
        store = org_service.get_store(session=session, scope=scope, store_id=store_id)
        if store.brand_id != brand_id:
            raise org_errors.StoreNotFound()
        scope.require(*WRITERS, Role.REGION_MANAGER, Role.STORE_MANAGER)
    elif region_id is not None:
        region = org_service.get_region(session=session, scope=scope, region_id=region_id)
        if region.brand_id != brand_id:
            raise org_errors.RegionNotFound()
        scope.require(*WRITERS, Role.REGION_MANAGER)
    else:
        scope.require(*WRITERS)


def check_money(values: dict[str, Any], brand_currency: str) -> dict[str, Any]:
    """Stamp the brand's currency on a priced offer; refuse another currency or a bad pair."""
    currency = values.get("currency")
    if currency is not None and currency != brand_currency:
        raise CurrencyMismatch(f"This brand sells in {brand_currency}, not {currency}.")
    priced = values.get("price") is not None or values.get("compare_at_price") is not None
    values["currency"] = brand_currency if priced else None
    problem = rules.check_prices(values.get("price"), values.get("compare_at_price"))
    if problem:
        raise errors.InvalidPrice(problem.capitalize() + ".")
    return values


def _record(session: Session, scope: Scope, offer: Offer, action: str) -> None:
    payload = offer_read(offer).model_dump(mode="json")
    outbox_service.record(
        session=session,
        brand_id=offer.brand_id,
        type=f"offer.{action}",
        resource_type="offer",
        resource_id=offer.id,
        payload=payload,
    )
    audit_service.write(
        session=session,
        scope=scope,
        action=f"offer.{action}",
        target_type="offer",
        target_id=offer.id,
        brand_id=offer.brand_id,
        details={k: payload[k] for k in ("sku_id", "level", "price", "available")},
    )


def create_offer(*, session: Session, scope: Scope, data: OfferCreate) -> Offer:
    sku = get_sku(session=session, scope=scope, sku_id=data.sku_id)
    authorize_scope(
        session=session,
        scope=scope,
        brand_id=sku.brand_id,
        region_id=data.region_id,
        store_id=data.store_id,
    )
    brand = org_service.get_brand(session=session, scope=scope, brand_id=sku.brand_id)
    values = check_money(data.model_dump(include=set(FIELDS)), brand.currency)
    key = rules.scope_key(data.channel, data.region_id, data.store_id)
    taken = select(Offer.id).where(Offer.sku_id == sku.id, Offer.scope_key == key)
    if session.scalar(taken) is not None:
        raise errors.OfferScopeTaken()
    offer = Offer(
        brand_id=sku.brand_id,
        sku_id=sku.id,
        channel=data.channel,
        region_id=data.region_id,
        store_id=data.store_id,
        scope_key=key,
        **values,
    )
    session.add(offer)
    session.flush()
    _record(session, scope, offer, "created")
    return offer


def update_offer(*, session: Session, scope: Scope, offer_id: int, data: OfferUpdate) -> Offer:
    """Change the fields given; a field sent as null is no longer set at this level."""
    offer = get_offer(session=session, scope=scope, offer_id=offer_id)
    authorize_scope(
        session=session,
        scope=scope,
        brand_id=offer.brand_id,
        region_id=offer.region_id,
        store_id=offer.store_id,
    )
    brand = org_service.get_brand(session=session, scope=scope, brand_id=offer.brand_id)
    merged = {name: getattr(offer, name) for name in FIELDS}
    merged.update(data.model_dump(exclude_unset=True))
    if "currency" not in data.model_fields_set:
        merged["currency"] = None
    for name, value in check_money(merged, brand.currency).items():
        setattr(offer, name, value)
    session.flush()
    _record(session, scope, offer, "updated")
    return offer


def delete_offer(*, session: Session, scope: Scope, offer_id: int) -> None:
    offer = get_offer(session=session, scope=scope, offer_id=offer_id)
    authorize_scope(
        session=session,
        scope=scope,
        brand_id=offer.brand_id,
        region_id=offer.region_id,
        store_id=offer.store_id,
    )
    _record(session, scope, offer, "deleted")
    session.delete(offer)
    session.flush()


# ---- resolution -----------------------------------------------------------------------


def check_channel(channel: str) -> str:
    if channel not in rules.CHANNELS:
        raise errors.InvalidChannel(f"Channel must be one of {', '.join(sorted(rules.CHANNELS))}.")
    return channel


def _rule(offer: Offer) -> rules.OfferRule:
    values = {name: getattr(offer, name) for name in rules.OFFER_FIELDS}
    return rules.OfferRule(offer.id, offer.channel, offer.region_id, offer.store_id, values)


def _product_content(product: Product) -> dict[str, Any]:
    return {name: getattr(product, name) for name in rules.PRODUCT_FIELDS}


class SellingStore(Protocol):
    """What resolution needs of a store: an ORM row or a cached sale value alike."""

    @property
    def id(self) -> int: ...
    @property
    def brand_id(self) -> int: ...
    @property
    def region_id(self) -> int: ...


def applicable_offers(
    *,
    session: Session,
    brand_id: int,
    store: SellingStore,
    chain: list[int],
    channel: str,
    sku_ids: Iterable[int],
) -> dict[int, list[rules.OfferRule]]:
    """In one query: every offer that can apply to these SKUs in this store and channel."""
    ids = list(sku_ids)
    by_sku: dict[int, list[rules.OfferRule]] = {sku_id: [] for sku_id in ids}
    if not ids:
        return by_sku
    query = select(Offer).where(
        Offer.brand_id == brand_id,
        Offer.sku_id.in_(ids),
        or_(Offer.channel.is_(None), Offer.channel == channel),
        or_(
            Offer.store_id == store.id,
            Offer.region_id.in_(chain),
            and_(Offer.store_id.is_(None), Offer.region_id.is_(None)),
        ),
    )
    for offer in session.scalars(query):
        by_sku[offer.sku_id].append(_rule(offer))
    return by_sku


def resolve_skus(
    *,
    session: Session,
    store: SellingStore,
    channel: str,
    rows: Sequence[tuple[Sku, Product]],
    currency: str,
    chain: list[int] | None = None,
) -> dict[int, rules.ResolvedOffer]:
    """Resolve already-loaded SKUs with two more queries (the region chain, unless given,
    and the offers)."""
    if chain is None:
        chain = org_service.region_chain(
            session=session, brand_id=store.brand_id, region_id=store.region_id
        )
    offers = applicable_offers(
        session=session,
        brand_id=store.brand_id,
        store=store,
        chain=chain,
        channel=channel,
        sku_ids=[sku.id for sku, _ in rows],
    )
    return {
        sku.id: rules.resolve(
            offers[sku.id],
            sku_id=sku.id,
            store_id=store.id,
            region_chain=chain,
            channel=channel,
            currency=currency,
            product=_product_content(product),
            active=product.status == "active",
        )
        for sku, product in rows
    }


def resolve_offers(
    *, session: Session, brand_id: int, store_id: int, channel: str, sku_ids: Iterable[int]
) -> dict[int, rules.ResolvedOffer]:
    """How ``store_id`` sells these SKUs in ``channel``; SKUs of other brands are left out.

    For other domains (cloud store, orders, POS): a fixed number of queries for any number
    of SKUs. The store must belong to ``brand_id`` (else ``StoreNotFound``).
    """
    store = org_service.get_store(session=session, scope=SYSTEM, store_id=store_id)
    if store.brand_id != brand_id:
        raise org_errors.StoreNotFound()
    brand = org_service.get_brand(session=session, scope=SYSTEM, brand_id=brand_id)
    rows = session.execute(
        select(Sku, Product)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.brand_id == brand_id, Sku.id.in_(set(sku_ids)))
    )
    return resolve_skus(
        session=session,
        store=store,
        channel=check_channel(channel),
        rows=list(rows),
        currency=brand.currency,
    )
