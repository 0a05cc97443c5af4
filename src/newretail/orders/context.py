"""Opening a sale: the selling store and brand, the prices, the buyer, read once.

The store, brand and resolved offers come from the catalog's per-process copies, checked
against the brand's stamp; the buyer from one read of consumer, membership and binding. A
consumer buying at a store this process has sold from before is read with the stamp beside
them, so the sale opens in one statement; otherwise the stamp is read first and the buyer
after the stock (``buyer``). Everything after this takes them from the ``Sale``.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.kernel import stamps
from newretail.kernel.sale import ANONYMOUS, Buyer, Sale, SaleBrand, SaleStore
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.members.errors import ConsumerGone
from newretail.orders import access, errors
from newretail.orders.rules import DeliveryMethod
from newretail.org import errors as org_errors

CONSUMER_CHANNELS = frozenset({"online", "cloud_store", "guide_share", "livestream"})


def check_buyer(scope: Scope, channel: str) -> None:
    """Consumers buy in their own channels; staff who sell in any."""
    if access.is_consumer(scope):
        if channel not in CONSUMER_CHANNELS:
            raise errors.InvalidChannelForBuyer()
        return
    access.require_staff(scope, *access.SELLERS)


def check_counter(
    scope: Scope, channel: str, delivery_method: str, serving: Sequence[int | None]
) -> None:
    """Serving guides and carry-out are the counter's: staff only, carry-out in ``pos``."""
    counter = not access.is_consumer(scope)
    if any(g is not None for g in serving) and not counter:
        raise errors.ServingGuideNotAllowed()
    if delivery_method == DeliveryMethod.CARRY_OUT and (not counter or channel != "pos"):
        raise errors.InvalidDelivery("Carry-out is a counter sale: staff, channel pos.")


def selling_store(
    *, session: Session, scope: Scope, store_id: int, version: stamps.Version | None = None
) -> tuple[SaleBrand, SaleStore]:
    """An open store (not a warehouse) the caller may sell from; consumers buy from any.

    ``version``: the brand's stamp, read by the caller beside its own columns."""
    catalog = catalog_service.sale_catalog
    found = catalog.store(session=session, store_id=store_id, version=version)
    seen = found is not None and (
        access.is_consumer(scope) or scope.sees_store(found[1].brand_id, found[1].id)
    )
    if found is None or not seen:
        raise org_errors.StoreNotFound()
    if not found[1].sells:
        raise org_errors.StoreNotFound("This store does not sell.")
    return found


def open_sale(
    *,
    session: Session,
    scope: Scope,
    store_id: int,
    channel: str,
    sku_ids: Sequence[int],
    now: datetime,
    buyer: members_service.StampedBuyer | None = None,
) -> Sale:
    """The sale's store, brand and prices, and a consumer's membership when it could be read
    in the same statement as the stamp (else ``buyer`` reads it). ``buyer``: the consumer
    and the stamp as the caller read them (``routing.counter_stock``). The caller has
    checked the buyer may buy in ``channel`` (``check_buyer``), before any read."""
    brand_id = catalog_service.sale_catalog.brand_of(session=session, store_id=store_id)
    shopper, version = ANONYMOUS, None
    if access.is_consumer(scope) and brand_id is not None:
        found, version = buyer or members_service.stamped_buyer_of(
            session=session, consumer_id=scope.actor_id or 0, brand_id=brand_id, now=now
        )
        if found is None:
            raise ConsumerGone()
        shopper = found
    brand, store = selling_store(session=session, scope=scope, store_id=store_id, version=version)
    offers = catalog_service.sale_catalog.offers(
        session=session, store=store, channel=channel, sku_ids=sku_ids
    )
    return Sale(brand, store, channel, shopper, offers, scope.actor_type, scope.actor_id, now)


def buyer(*, session: Session, scope: Scope, sale: Sale, member_id: int | None) -> Buyer:
    """A consumer token's own membership (as the sale opened with it, or read now), or the
    member staff name (none: anonymous)."""
    if access.is_consumer(scope):
        if sale.buyer.consumer_id is not None:
            return sale.buyer
        return consumer_buyer(
            session=session, consumer_id=scope.actor_id or 0, brand_id=sale.brand.id, now=sale.now
        )
    if member_id is None:
        return ANONYMOUS
    member = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
    binding = members_service.current_binding(session=session, member_id=member.id)
    if binding is None or (binding.expires_at is not None and binding.expires_at <= sale.now):
        return Buyer(member.consumer_id, member.id, tier=member.tier)
    return Buyer(member.consumer_id, member.id, binding.store_id, binding.guide_id, member.tier)


def consumer_buyer(*, session: Session, consumer_id: int, brand_id: int, now: datetime) -> Buyer:
    """A consumer buying in the brand: their membership and its binding at ``now`` (the
    snapshot every order of theirs keeps), in one read."""
    found = members_service.buyer_of(
        session=session, consumer_id=consumer_id, brand_id=brand_id, now=now
    )
    if found is None:
        raise ConsumerGone()
    return found
