"""Pre-sales in the cloud store: the campaign page, paying a deposit, my pre-sales, the balance.

    GET  /s/{code}/presale/{id}               the campaign as this store runs it: its SKUs
                                              with deposit, what it counts for, price, windows
    GET  /s/{code}/presale/{id}/deposit?sku=  the deposit to pay (signed-in consumers), and
                                              how to get the item, among the campaign's ways
    POST /s/{code}/presale/{id}/deposit       the deposit order; then the sandbox payment page
    GET  /s/{code}/presales                   my deposits in this store and their state
    POST /s/{code}/presales/{deposit}/balance the balance order, inside its window only;
                                              then the sandbox payment page

Signing in, paying and the order status are the ordering pages' own (``shop_orders``);
changing the delivery later is ``shop_presale_delivery``'s.
A campaign of another brand, or one that does not name this store, is a 404.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.money import Money
from newretail.kernel.scope import Scope
from newretail.presales import errors as presale_errors
from newretail.presales import service as presales_service
from newretail.presales.models import PresaleDeposit
from newretail.presales.schemas import DepositCreate
from newretail.web import messages, presale_cards, shop_attribution, shop_shell
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, PublicPage
from newretail.web.shop_presale_delivery import delivery_label, form_of, read_delivery
from newretail.web.shop_shell import shopper, to_sign_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SkuQuery = Annotated[int | None, Query(ge=1, le=2**53)]
MAX_UNITS = 5


def _render(
    page: Page,
    session: Session,
    template: str,
    store: CloudStore,
    ref: str | None,
    tab: str | None = "me",
    **ctx: Any,
) -> Response:
    return page.render(
        template,
        **shop_shell.tabs(page, session, store, tab),
        store=store,
        link=linker(store.code, ref),
        ref=ref,
        categories=[],
        deposit_status_label=lambda s: messages.DEPOSIT_STATUSES.get(s, s),
        delivery_label=delivery_label,
        **ctx,
    )


@router.get("/s/{store_code}/presale/{presale_id}")
def campaign_page(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    presale_id: int,
    ref: Ref = None,
    sku: SkuQuery = None,
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    view = presale_cards.campaign(session=session, store=store, presale_id=presale_id)
    return _render(
        page,
        session,
        "cloudstore/presale.html",
        store,
        kept_ref(ref),
        None,
        presale=view,
        chosen=sku,
    )


def _item(view: presale_cards.PresaleView, sku_id: int | None) -> presale_cards.PresaleItemView:
    item = next((i for i in view.items if i.sku_id == sku_id), None)
    if item is None:
        raise presale_errors.PresaleItemNotFound()
    return item


def _deposit_page(
    page: Page,
    session: Session,
    store: CloudStore,
    ref: str | None,
    view: presale_cards.PresaleView,
    item: presale_cards.PresaleItemView,
    *,
    quantity: int = 1,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    first = view.delivery_methods[0]
    return page.render(
        "cloudstore/presale_deposit.html",
        **shop_shell.tabs(page, session, store, None),
        status_code=status_code,
        store=store,
        link=linker(store.code, ref),
        categories=[],
        presale=view,
        item=item,
        quantity=quantity,
        units=range(1, MAX_UNITS + 1),
        form=form or {"method": first},
        delivery_label=delivery_label,
        error=error,
    )


@router.get("/s/{store_code}/presale/{presale_id}/deposit")
def deposit_form(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    presale_id: int,
    ref: Ref = None,
    sku: SkuQuery = None,
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    view = presale_cards.campaign(session=session, store=store, presale_id=presale_id)
    item = _item(view, sku)
    if shopper(page, session) is None:
        return to_sign_in(
            linker(store.code, ref), f"/s/{store.code}/presale/{view.id}/deposit?sku={item.sku_id}"
        )
    return _deposit_page(page, session, store, ref, view, item)


@router.post("/s/{store_code}/presale/{presale_id}/deposit")
def pay_deposit(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    presale_id: int,
    fields: FormDep,
    ref: Ref = None,
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    view = presale_cards.campaign(session=session, store=store, presale_id=presale_id)
    item = _item(view, _int(fields.get("sku_id")))
    buyer = shopper(page, session)
    if buyer is None:
        return to_sign_in(
            linker(store.code, ref), f"/s/{store.code}/presale/{view.id}/deposit?sku={item.sku_id}"
        )
    quantity = min(max(_int(fields.get("quantity")) or 1, 1), MAX_UNITS)
    form = form_of(fields)
    delivery = read_delivery(page, store, form)
    if isinstance(delivery, str):
        return _deposit_page(
            page,
            session,
            store,
            ref,
            view,
            item,
            quantity=quantity,
            form=form,
            error=delivery,
            status_code=422,
        )
    came, dropped = shop_attribution.checked(
        session, store.brand_id, shop_attribution.arrival(page, store.brand_id, ref)
    )
    data = DepositCreate(
        store_id=store.id,
        sku_id=item.sku_id,
        quantity=quantity,
        delivery=delivery,
        referring_guide_id=came.guide_id,
        touchpoint_code=came.code,
    )
    try:
        _, order = presales_service.place_deposit(
            session=session, scope=buyer, presale_id=view.id, data=data, channel=came.channel
        )
    except DomainError as exc:
        session.rollback()
        return _deposit_page(
            page,
            session,
            store,
            ref,
            view,
            item,
            quantity=quantity,
            form=form,
            error=page.error_message(exc),
            status_code=exc.status,
        )
    pay_url = linker(store.code, ref)(f"/orders/{order.id}/pay")
    if dropped:
        response = page.redirect(pay_url, flash="arrival_dropped", kind="info")
        shop_attribution.forget(response, store.brand_id)
        return response
    return RedirectResponse(pay_url, status_code=303)


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


# ---- my pre-sales ---------------------------------------------------------------------


def _mine(session: Session, buyer: Scope, store: CloudStore) -> list[PresaleDeposit]:
    found = presales_service.list_deposits(session=session, scope=buyer)
    return [d for d in found if d.brand_id == store.brand_id and d.store_id == store.id]


@router.get("/s/{store_code}/presales")
def my_presales(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = shopper(page, session)
    if buyer is None:
        return to_sign_in(linker(store.code, ref), f"/s/{store.code}/presales")
    return _my_page(page, session, buyer, store, ref)


def _my_page(
    page: Page,
    session: Session,
    buyer: Scope,
    store: CloudStore,
    ref: str | None,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    deposits = _mine(session, buyer, store)
    views: dict[int, presale_cards.PresaleView] = {}
    rows = []
    for deposit in deposits:
        if deposit.campaign_id not in views:
            views[deposit.campaign_id] = presale_cards.campaign(
                session=session, store=store, presale_id=deposit.campaign_id
            )
        view = views[deposit.campaign_id]
        item = next((i for i in view.items if i.sku_id == deposit.sku_id), None)
        rows.append(
            {
                "deposit": deposit,
                "presale": view,
                "title": f"{item.title} · {item.label}" if item else str(deposit.sku_id),
                "paid": Money(deposit.deposit_amount, store.currency),
                "credit": Money(deposit.deposit_credit, store.currency),
                "balance": Money(deposit.balance_amount, store.currency),
                "refunded": Money(deposit.refunded_amount, store.currency),
            }
        )
    return _render(
        page,
        session,
        "cloudstore/presales.html",
        store,
        ref,
        rows=rows,
        now=utcnow(),
        error=error,
        status_code=status_code,
    )


@router.post("/s/{store_code}/presales/{deposit_id}/balance")
def pay_balance(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    deposit_id: int,
    fields: FormDep,
    ref: Ref = None,
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = shopper(page, session)
    if buyer is None:
        return to_sign_in(linker(store.code, ref), f"/s/{store.code}/presales")
    deposit = presales_service.get_deposit(session=session, scope=buyer, deposit_id=deposit_id)
    if deposit.brand_id != store.brand_id or deposit.store_id != store.id:
        raise presale_errors.DepositNotFound()
    try:
        _, order = presales_service.order_balance(
            session=session, scope=buyer, deposit_id=deposit.id
        )
    except DomainError as exc:
        session.rollback()
        return _my_page(
            page, session, buyer, store, ref, error=page.error_message(exc), status_code=exc.status
        )
    return RedirectResponse(linker(store.code, ref)(f"/orders/{order.id}/pay"), status_code=303)
