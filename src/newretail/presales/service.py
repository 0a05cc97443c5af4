"""Pre-sale use cases: campaigns, deposits, balances, the deposit board, expiry.

    create / get / list      campaigns of a brand for chosen SKUs and stores
    place_deposit            a ``deposit`` order holding the units at the store (paid
                             through the payments API like any order), with the buyer's
                             delivery: pickup there, or a parcel or courier from there
    change_delivery          a new delivery choice until the balance is paid (``delivery``)
    order_balance            inside the store's balance window only: a ``balance`` order
                             whose discount is what the deposits count for; it takes the
                             pre-sale's hold, so paying it sells the units; it carries the
                             deposit's delivery, and fulfilment follows it
    board                    paid deposits per store and SKU, for HQ to stock ahead
    follow_orders,           a deposit's life after it is placed (``lifecycle``): it
    expire_unpaid_balances   follows its orders through the outbox, and settles when its
                             balance window closes

Paying or refunding a deposit's orders through the ordinary orders and payments APIs needs
no hook into this domain: deposits follow them. Reading a deposit never changes it.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.catalog import service as catalog_service
from newretail.config import get_settings
from newretail.db import utcnow
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Line, Purpose
from newretail.kernel import visibility
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.rules import DeliveryMethod, OrderStatus
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.outbox import service as outbox_service
from newretail.presales import delivery, errors, lifecycle, rules
from newretail.presales.lifecycle import NO_SYNC
from newretail.presales.lifecycle import expire_unpaid as expire_unpaid
from newretail.presales.lifecycle import expire_unpaid_balances as expire_unpaid_balances
from newretail.presales.lifecycle import follow_orders as follow_orders
from newretail.presales.models import PresaleCampaign, PresaleDeposit, PresaleItem, PresaleStore
from newretail.presales.rules import DepositStatus
from newretail.presales.schemas import (
    Board,
    BoardRow,
    DepositCreate,
    PresaleCreate,
    PresaleDelivery,
)

MANAGERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER, Role.INTEGRATION)
HOLD_GRACE = timedelta(hours=1)


# ---- campaigns ------------------------------------------------------------------------


def create_presale(*, session: Session, scope: Scope, data: PresaleCreate) -> PresaleCampaign:
    """A campaign of the caller's brand over SKUs and stores of that brand."""
    if orders_service.is_consumer(scope):
        raise PermissionDenied()
    scope.require(Role.BRAND_ADMIN)
    brand_id = scope.target_brand(data.brand_id)
    system = orders_service.system_for(brand_id)
    for store_id in data.store_ids:
        org_service.get_store(session=session, scope=system, store_id=store_id)
    found = catalog_service.skus_by_id(
        session=session, brand_id=brand_id, sku_ids=[i.sku_id for i in data.items]
    )
    if len(found) != len(data.items):
        raise errors.InvalidPresale("Every SKU must belong to the brand.")
    campaign = PresaleCampaign(
        brand_id=brand_id,
        name=data.name,
        deposit_starts_at=data.deposit_starts_at,
        deposit_ends_at=data.deposit_ends_at,
        event_day=data.event_day,
        balance_opens=data.balance_opens,
        balance_closes=data.balance_closes,
        unpaid_rule=data.unpaid_rule.value,
        delivery_methods=rules.delivery_text(data.delivery_methods),
        items=[
            PresaleItem(
                sku_id=i.sku_id,
                price=i.price,
                deposit=i.deposit,
                deposit_value=i.deposit_value or i.deposit,
            )
            for i in data.items
        ],
        stores=[PresaleStore(store_id=s) for s in data.store_ids],
    )
    session.add(campaign)
    session.flush()
    outbox_service.record(
        session=session,
        brand_id=brand_id,
        type="presale.created",
        resource_type="presale",
        resource_id=campaign.id,
        payload={"id": campaign.id, "name": campaign.name, "event_day": str(data.event_day)},
    )
    audit_service.write(
        session=session,
        scope=scope,
        action="presale.created",
        target_type="presale",
        target_id=campaign.id,
        brand_id=brand_id,
        details={"name": campaign.name, "stores": len(data.store_ids), "skus": len(data.items)},
    )
    return campaign


def _campaigns(scope: Scope) -> Select[PresaleCampaign]:
    query = select(PresaleCampaign)
    if orders_service.is_consumer(scope) or scope.is_platform:
        return query  # pre-sales are public to consumers, like the cloud stores
    return query.where(PresaleCampaign.brand_id == scope.brand_id)


def get_presale(*, session: Session, scope: Scope, presale_id: int) -> PresaleCampaign:
    campaign = session.scalar(_campaigns(scope).where(PresaleCampaign.id == presale_id))
    if campaign is None:
        raise errors.PresaleNotFound()
    return campaign


def list_presales(
    *, session: Session, scope: Scope, brand_id: int | None = None
) -> list[PresaleCampaign]:
    query = _campaigns(scope)
    if brand_id is not None:
        query = query.where(PresaleCampaign.brand_id == brand_id)
    return list(session.scalars(query.order_by(PresaleCampaign.id.desc()).limit(200)))


def balance_window(campaign: PresaleCampaign, store: Store) -> rules.Window:
    return rules.balance_window(
        campaign.event_day, campaign.balance_opens, campaign.balance_closes, store.timezone
    )


# ---- deposits -------------------------------------------------------------------------


def _item(campaign: PresaleCampaign, sku_id: int, store_id: int) -> PresaleItem:
    item = next((i for i in campaign.items if i.sku_id == sku_id), None)
    if item is None or store_id not in {s.store_id for s in campaign.stores}:
        raise errors.PresaleItemNotFound()
    return item


def _buyer(
    session: Session, scope: Scope, brand_id: int, member_id: int | None = None
) -> tuple[int | None, int | None]:
    if not orders_service.is_consumer(scope):
        orders_service.require_staff(scope, *orders_service.access_cashiers(), Role.GUIDE)
        if member_id is None:
            return None, None
        chosen = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
        return chosen.consumer_id, chosen.id
    consumer = members_service.live_consumer_id(session=session, consumer_id=scope.actor_id or 0)
    if consumer is None:
        raise PermissionDenied()
    member = members_service.find_membership(
        session=session, brand_id=brand_id, consumer_id=consumer
    )
    return consumer, member.id if member else None


def place_deposit(
    *,
    session: Session,
    scope: Scope,
    presale_id: int,
    data: DepositCreate,
    channel: str | None = None,
    member_id: int | None = None,
) -> tuple[PresaleDeposit, Order]:
    """A deposit order for units at a store, holding them until the balance window closes.

    ``channel``: a consumer's channel when it is not the cloud store's (a guide's share).
    ``member_id``: staff taking the deposit at a till for this member of the brand.
    """
    campaign = get_presale(session=session, scope=scope, presale_id=presale_id)
    item = _item(campaign, data.sku_id, data.store_id)
    now = utcnow()
    if not rules.deposit_window_open(campaign.deposit_starts_at, campaign.deposit_ends_at, now):
        raise errors.DepositWindowClosed()
    system = orders_service.system_for(campaign.brand_id)
    if not orders_service.is_consumer(scope) and not scope.sees_store(
        campaign.brand_id, data.store_id
    ):
        raise errors.PresaleItemNotFound()
    consumer, member = _buyer(session, scope, campaign.brand_id, member_id)
    store = org_service.get_store(session=session, scope=system, store_id=data.store_id)
    delivery.check(campaign, store, data.delivery)
    window = balance_window(campaign, store)
    sku = catalog_service.get_sku(session=session, scope=system, sku_id=item.sku_id)
    product = catalog_service.get_product(session=session, scope=system, product_id=sku.product_id)
    reference = f"presale-{campaign.id}-{now:%y%m%d%H%M%S%f}-{scope.actor_type}{scope.actor_id}"
    reservation, _ = inventory_service.reserve(
        session=session,
        scope=system,
        purpose=Purpose.PRESALE,
        reference_id=reference,
        lines=[Line(store.id, item.sku_id, data.quantity)],
        ttl_seconds=int((window.closes_at + HOLD_GRACE - now).total_seconds()),
    )
    payment_window = timedelta(seconds=get_settings().order_payment_window_seconds)
    order = orders_service.place_fixed(
        session=session,
        scope=scope,
        store=store,
        kind=orders_service.OrderKind.DEPOSIT,
        channel=(channel or "cloud_store") if orders_service.is_consumer(scope) else "pos",
        consumer_id=consumer,
        member_id=member,
        lines=[
            orders_service.FixedLine(
                item.sku_id,
                f"{product.title} ({sku.code})",
                data.quantity,
                item.deposit,
                0,
                store.id,
                "pre-sale deposit",
            )
        ],
        reservation_id=reservation.id,
        expires_at=min(now + payment_window, campaign.deposit_ends_at),
        campaign=rules.campaign_tag(campaign.id),
        delivery_method=data.delivery.method,
        address=delivery.address_of(data.delivery),
        attribution=orders_service.Attribution(
            referring_guide_id=data.referring_guide_id, touchpoint_code=data.touchpoint_code
        ),
    )
    amounts = rules.balance_amounts(
        price=item.price, deposit_value=item.deposit_value, quantity=data.quantity
    )
    deposit = PresaleDeposit(
        brand_id=campaign.brand_id,
        campaign_id=campaign.id,
        store_id=store.id,
        sku_id=item.sku_id,
        quantity=data.quantity,
        consumer_id=consumer,
        member_id=member,
        status=DepositStatus.AWAITING_PAYMENT.value,
        deposit_amount=order.total,
        deposit_credit=amounts.credit,
        balance_amount=amounts.due,
        deposit_order_id=order.id,
        reservation_id=reservation.id,
        balance_opens_at=window.opens_at,
        balance_closes_at=window.closes_at,
        delivery_method=data.delivery.method.value,
        address=delivery.address_of(data.delivery),
        created_at=now,
    )
    session.add(deposit)
    session.flush()
    lifecycle.record_event(session, deposit, "presale.deposit_placed")
    return deposit, order


DEPOSITS = visibility.Ladder(
    brand=PresaleDeposit.brand_id,
    stores=(PresaleDeposit.store_id,),
    consumers=(PresaleDeposit.consumer_id,),
)


def _deposits(session: Session, scope: Scope) -> Select[PresaleDeposit]:
    consumer = None
    if orders_service.is_consumer(scope):
        consumer = members_service.live_consumer_id(
            session=session, consumer_id=scope.actor_id or 0
        )
    return visibility.restrict(select(PresaleDeposit), scope, DEPOSITS, consumer_id=consumer)


def get_deposit(*, session: Session, scope: Scope, deposit_id: int) -> PresaleDeposit:
    deposit = session.scalar(
        _deposits(session, scope)
        .where(PresaleDeposit.id == deposit_id)
        .execution_options(populate_existing=True)
    )
    if deposit is None:
        raise errors.DepositNotFound()
    return deposit


def list_deposits(
    *, session: Session, scope: Scope, presale_id: int | None = None
) -> list[PresaleDeposit]:
    query = _deposits(session, scope)
    if presale_id is not None:
        query = query.where(PresaleDeposit.campaign_id == presale_id)
    return list(session.scalars(query.order_by(PresaleDeposit.id.desc()).limit(200)))


def address_seen_by(scope: Scope, deposit: PresaleDeposit) -> dict[str, Any] | None:
    """The deposit's delivery address as the caller may see it: guides and cashiers see the
    recipient's phone masked, as they see members' phones."""
    if deposit.address is None or members_service.sees_full_phone(scope):
        return deposit.address
    phone = str(deposit.address.get("phone") or "")
    return {**deposit.address, "phone": rules.mask_phone_text(phone)}


def change_delivery(
    *, session: Session, scope: Scope, deposit_id: int, data: PresaleDelivery
) -> PresaleDeposit:
    """The deposit's new delivery (method and address), until its balance is paid."""
    deposit = get_deposit(session=session, scope=scope, deposit_id=deposit_id)
    follow_orders(session=session, deposits=[deposit])
    system = orders_service.system_for(deposit.brand_id)
    campaign = get_presale(session=session, scope=system, presale_id=deposit.campaign_id)
    return delivery.change_delivery(
        session=session, scope=scope, deposit=deposit, campaign=campaign, data=data
    )


def order_balance(
    *,
    session: Session,
    scope: Scope,
    deposit_id: int,
    channel: str | None = None,
    points: int | None = None,
) -> tuple[PresaleDeposit, Order]:
    """The balance order of a paid deposit, inside its window only (else balance_window_closed).

    Asking again returns the same balance order while it is open. ``channel``: where the
    balance is paid when not where the deposit was (a till's ``pos``). The balance is
    priced by the best combination: the brand's promotions and the member's coupons on the
    pre-sale price, then the deposit credit, then at most ``points`` of the member's points
    (None: as many as is best; ``orders.balance`` says why in that order).
    """
    deposit = get_deposit(session=session, scope=scope, deposit_id=deposit_id)
    if not orders_service.is_consumer(scope):
        orders_service.require_staff(scope, *orders_service.access_cashiers(), Role.GUIDE)
    follow_orders(session=session, deposits=[deposit])
    now = utcnow()
    if deposit.status == DepositStatus.AWAITING_PAYMENT.value:
        raise errors.DepositNotPaid()
    if deposit.status not in {DepositStatus.DEPOSITED.value, DepositStatus.BALANCE_ORDERED.value}:
        raise errors.DepositClosed(f"The deposit is {deposit.status}.")
    if not rules.Window(deposit.balance_opens_at, deposit.balance_closes_at).contains(now):
        raise errors.BalanceWindowClosed()
    system = orders_service.system_for(deposit.brand_id)
    if deposit.balance_order_id is not None:
        existing = orders_service.get_order(
            session=session, scope=system, order_id=deposit.balance_order_id
        )
        if existing.status == OrderStatus.CREATED.value:
            return deposit, existing
    campaign = get_presale(session=session, scope=system, presale_id=deposit.campaign_id)
    item = _item(campaign, deposit.sku_id, deposit.store_id)
    store = org_service.get_store(session=session, scope=system, store_id=deposit.store_id)
    first = orders_service.get_order(
        session=session, scope=system, order_id=deposit.deposit_order_id
    )
    order = orders_service.place_fixed(
        session=session,
        scope=scope,
        store=store,
        kind=orders_service.OrderKind.BALANCE,
        channel=channel or first.channel,
        consumer_id=deposit.consumer_id,
        member_id=deposit.member_id,
        lines=[
            orders_service.FixedLine(
                item.sku_id,
                first.lines[0].title,
                deposit.quantity,
                item.price,
                deposit.deposit_credit,
                store.id,
                "pre-sale balance, held at the store since the deposit",
            )
        ],
        reservation_id=deposit.reservation_id,
        expires_at=deposit.balance_closes_at,
        campaign=rules.campaign_tag(campaign.id),
        delivery_method=DeliveryMethod(deposit.delivery_method),
        address=deposit.address,
        attribution=orders_service.Attribution(
            referring_guide_id=first.referring_guide_id, touchpoint_code=first.touchpoint_code
        ),
        carried=True,
        balance=orders_service.Balance(deposit.deposit_credit, points),
    )
    session.execute(
        update(PresaleDeposit)
        .where(PresaleDeposit.id == deposit.id)
        .values(status=DepositStatus.BALANCE_ORDERED.value, balance_order_id=order.id),
        execution_options=NO_SYNC,
    )
    deposit.status, deposit.balance_order_id = DepositStatus.BALANCE_ORDERED.value, order.id
    lifecycle.record_event(session, deposit, "presale.balance_ordered", balance=order.total)
    return deposit, order


# ---- the board ------------------------------------------------------------------------


def board(*, session: Session, scope: Scope, presale_id: int) -> Board:
    """Paid deposits per store and SKU (those not expired), for stocking ahead."""
    if orders_service.is_consumer(scope):
        raise PermissionDenied()
    scope.require(*MANAGERS)
    campaign = get_presale(session=session, scope=scope, presale_id=presale_id)
    deposit_order = Order.__table__.alias("deposit_order")
    balance_order = Order.__table__.alias("balance_order")
    sold = [s.value for s in rules.PAID_ORDER]
    live = [s.value for s in rules.CLOSED_UNSOLD]
    query = (
        select(
            PresaleDeposit.store_id,
            Store.code,
            Store.name,
            PresaleDeposit.sku_id,
            func.count(PresaleDeposit.id),
            func.sum(PresaleDeposit.quantity),
            func.sum(PresaleDeposit.deposit_amount),
            func.sum(case((balance_order.c.status.in_(sold), PresaleDeposit.quantity), else_=0)),
        )
        .join(Store, Store.id == PresaleDeposit.store_id)
        .join(deposit_order, deposit_order.c.id == PresaleDeposit.deposit_order_id)
        .outerjoin(balance_order, balance_order.c.id == PresaleDeposit.balance_order_id)
        .where(
            PresaleDeposit.campaign_id == campaign.id,
            PresaleDeposit.brand_id == campaign.brand_id,
            deposit_order.c.status == OrderStatus.PAID.value,
            PresaleDeposit.status.not_in(live),
        )
        .group_by(PresaleDeposit.store_id, Store.code, Store.name, PresaleDeposit.sku_id)
        .order_by(Store.code, PresaleDeposit.sku_id)
    )
    query = visibility.restrict(query, scope, DEPOSITS)
    skus = catalog_service.skus_by_id(
        session=session, brand_id=campaign.brand_id, sku_ids=[i.sku_id for i in campaign.items]
    )
    rows = [
        BoardRow(
            store_id=r[0],
            store_code=r[1],
            store_name=r[2],
            sku_id=r[3],
            sku_code=skus[r[3]].code if r[3] in skus else str(r[3]),
            deposits=int(r[4]),
            units=int(r[5] or 0),
            deposit_amount=int(r[6] or 0),
            balance_paid_units=int(r[7] or 0),
        )
        for r in session.execute(query).all()
    ]
    currency = orders_service.brand_currency(session=session, brand_id=campaign.brand_id)
    return Board(
        presale_id=campaign.id,
        currency=currency,
        rows=rows,
        total_deposits=sum(r.deposits for r in rows),
        total_units=sum(r.units for r in rows),
        total_deposit_amount=sum(r.deposit_amount for r in rows),
    )
