"""What the cloud store pages show of pre-sales: campaigns of a store, read as plain values.

A campaign is shown in a cloud store only when it is of the store's brand and names the
store; its balance window is read in the store's own timezone. A campaign "runs" from the
opening of its deposits until its balance window closes.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.cloudstore.stores import CloudStore
from newretail.db import utcnow
from newretail.kernel.money import Money
from newretail.presales import errors as presale_errors
from newretail.presales import rules
from newretail.presales import service as presales_service
from newretail.presales.models import PresaleCampaign
from newretail.web import storefront


@dataclass(frozen=True)
class PresaleItemView:
    sku_id: int
    product_id: int
    title: str
    label: str
    price: Money
    deposit: Money
    deposit_value: Money
    balance: Money  # what is left to pay for one unit at balance time


@dataclass(frozen=True)
class PresaleView:
    id: int
    name: str
    deposit_starts_at: datetime
    deposit_ends_at: datetime
    event_day: date
    balance_opens_at: datetime
    balance_closes_at: datetime
    deposits_open: bool
    balance_open: bool
    items: list[PresaleItemView]
    delivery_methods: tuple[str, ...] = ("pickup",)  # in the order the pages offer them


def _belongs(campaign: PresaleCampaign, store: CloudStore) -> bool:
    return campaign.brand_id == store.brand_id and store.id in {s.store_id for s in campaign.stores}


def _view(session: Session, store: CloudStore, campaign: PresaleCampaign) -> PresaleView:
    now = utcnow()
    window = rules.balance_window(
        campaign.event_day, campaign.balance_opens, campaign.balance_closes, store.timezone
    )
    scope = storefront.reader(store.brand_id)
    skus = catalog_service.skus_by_id(
        session=session, brand_id=store.brand_id, sku_ids=[i.sku_id for i in campaign.items]
    )
    titles: dict[int, str] = {}
    items = []
    for item in campaign.items:
        sku = skus.get(item.sku_id)
        if sku is None:
            continue
        if sku.product_id not in titles:
            product = catalog_service.get_product(
                session=session, scope=scope, product_id=sku.product_id
            )
            titles[sku.product_id] = product.title
        label = " / ".join(str(v) for v in sku.attributes.values()) or sku.code
        items.append(
            PresaleItemView(
                sku_id=item.sku_id,
                product_id=sku.product_id,
                title=titles[sku.product_id],
                label=label,
                price=Money(item.price, store.currency),
                deposit=Money(item.deposit, store.currency),
                deposit_value=Money(item.deposit_value, store.currency),
                balance=Money(item.price - min(item.deposit_value, item.price), store.currency),
            )
        )
    return PresaleView(
        id=campaign.id,
        name=campaign.name,
        deposit_starts_at=campaign.deposit_starts_at,
        deposit_ends_at=campaign.deposit_ends_at,
        event_day=campaign.event_day,
        balance_opens_at=window.opens_at,
        balance_closes_at=window.closes_at,
        deposits_open=rules.deposit_window_open(
            campaign.deposit_starts_at, campaign.deposit_ends_at, now
        ),
        balance_open=window.contains(now),
        items=items,
        delivery_methods=tuple(m.value for m in rules.delivery_methods(campaign.delivery_methods)),
    )


def campaign(*, session: Session, store: CloudStore, presale_id: int) -> PresaleView:
    """The campaign as this store shows it; another brand's or another store's is a 404."""
    found = presales_service.get_presale(
        session=session, scope=storefront.reader(store.brand_id), presale_id=presale_id
    )
    if not _belongs(found, store):
        raise presale_errors.PresaleNotFound()
    return _view(session, store, found)


def running(*, session: Session, store: CloudStore) -> list[PresaleView]:
    """The store's campaigns whose deposits opened and whose balance window is not over."""
    return running_until(session=session, store=store)[0]


def running_until(
    *, session: Session, store: CloudStore
) -> tuple[list[PresaleView], datetime | None]:
    """``running``, and the next time that list (or a window's flag in it) changes."""
    now = utcnow()
    found = presales_service.list_presales(
        session=session, scope=storefront.reader(store.brand_id), brand_id=store.brand_id
    )
    views = []
    moments: list[datetime] = []
    for campaign in found:
        if not _belongs(campaign, store):
            continue
        if campaign.deposit_starts_at > now:
            moments.append(campaign.deposit_starts_at)
            continue
        view = _view(session, store, campaign)
        if view.balance_closes_at > now and view.items:
            views.append(view)
            moments += [view.deposit_ends_at, view.balance_opens_at, view.balance_closes_at]
    return views, min((m for m in moments if m > now), default=None)


def for_skus(
    views: list[PresaleView], sku_ids: list[int]
) -> list[tuple[PresaleView, PresaleItemView]]:
    """Each running campaign with the first of ``sku_ids`` (in that order) it puts on pre-sale."""
    cards = []
    for view in views:
        item = next((i for sku in sku_ids for i in view.items if i.sku_id == sku), None)
        if item is not None:
            cards.append((view, item))
    return cards
