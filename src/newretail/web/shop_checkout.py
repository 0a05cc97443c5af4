"""The checkout page's choices: where it goes (a saved address or a new one) and how it is
paid (now, or later where the member qualifies under the brand's pay-later rules).

The routes stay in ``shop_orders``; these helpers read the form into the API's ``Checkout``,
keep a new address when asked, and take the order on credit through ``paylater.service``,
the same path as ``POST /api/v1/payments/deferred``.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.cloudstore.stores import CloudStore
from newretail.kernel.i18n import N_
from newretail.kernel.money import Money
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.members.models import ConsumerAddress
from newretail.members.schemas import AddressFields
from newretail.orders.schemas import Checkout
from newretail.paylater import rules as paylater_rules
from newretail.paylater import service as paylater_service
from newretail.paylater.models import DeferredCharge
from newretail.paylater.rules import ChargeStatus
from newretail.paylater.schemas import DeferredCreate
from newretail.web import labels
from newretail.web.member_pages import display_phone
from newretail.web.pages import Page

PAY_NOW, PAY_LATER = "now", "later"
NEW_ADDRESS = "new"
FIELDS = ("method", "address_id", "name", "phone", "region", "city", "district", "line1")
TEXT_FIELDS = ("name", "phone", "region", "city", "district", "line1", "note", "save_address")
REFUSALS = {
    "member_required": N_("Pay later is for members: join the brand on the Me page first."),
    "credit_insufficient": N_("Pay later is not open to your membership yet."),
}


class CheckoutFormError(ValueError):
    """The delivery part of the form is incomplete or not valid (nothing is written)."""


@dataclass(frozen=True)
class Choice:
    """The order as the form asks for it, and what to do with it once placed."""

    data: Checkout
    pay_later: bool
    keep_address: AddressFields | None


def form_of(fields: dict[str, str]) -> dict[str, str]:
    form = {k: fields.get(k, "").strip()[:300] for k in FIELDS}
    form["payment"] = PAY_LATER if fields.get("payment") == PAY_LATER else PAY_NOW
    form["save_address"] = "1" if fields.get("save_address") else ""
    return form


def context(
    page: Page, session: Session, store: CloudStore, buyer: Scope | None, total: int
) -> dict[str, Any]:
    """The saved addresses (the default first) and the pay-later offer for ``total``."""
    if buyer is None:
        return {"addresses": [], "pay_later": None, "pay_later_refusal": None}
    addresses = members_service.list_addresses(
        session=session, scope=buyer, brand_id=store.brand_id
    )
    offer = paylater_service.offer(
        session=session, scope=buyer, brand_id=store.brand_id, total=total
    )
    terms = None
    if offer.terms is not None:
        terms = {
            "now": Money(offer.terms.now, store.currency),
            "later": Money(offer.terms.later, store.currency),
            "due_at": offer.terms.due_at,
        }
    refusal = REFUSALS.get(offer.refusal or "")
    return {
        "addresses": [address_view(a) for a in addresses],
        "pay_later": terms,
        "pay_later_refusal": page.translate(refusal) if refusal else None,
    }


def chosen(
    session: Session,
    store: CloudStore,
    buyer: Scope,
    form: dict[str, str],
    note: str,
    offer_keys: list[str] | None = None,
    points: int | None = None,
) -> Choice:
    """The checkout the form asks for; ``CheckoutFormError`` when its delivery is not valid."""
    delivery: dict[str, Any] = {"method": "pickup"}
    keep = None
    if form["method"] == "same_city":
        address, keep = _address(session, store, buyer, form)
        # No geocoder offline: the courier's search starts from this store's own point.
        delivery = {
            "method": "same_city",
            "address": {**address, "lat": store.lat, "lng": store.lng},
        }
    try:
        data = Checkout.model_validate(
            {"delivery": delivery, "note": note, "offer_keys": offer_keys, "points": points}
        )
    except ValidationError as exc:
        raise CheckoutFormError() from exc
    return Choice(data=data, pay_later=form["payment"] == PAY_LATER, keep_address=keep)


def _address(
    session: Session, store: CloudStore, buyer: Scope, form: dict[str, str]
) -> tuple[dict[str, str], AddressFields | None]:
    """The delivery address: a saved one of the buyer's, or the typed one (kept if asked)."""
    picked = form["address_id"]
    if picked and picked != NEW_ADDRESS:
        if not picked.isdigit() or len(picked) > 12:
            raise CheckoutFormError()
        saved = members_service.get_address(
            session=session, scope=buyer, brand_id=store.brand_id, address_id=int(picked)
        )
        return order_address(saved), None
    keep = None
    if form["save_address"]:
        try:
            keep = AddressFields(
                recipient=form["name"],
                phone=form["phone"],
                region=form["region"],
                city=form["city"],
                district=form["district"],
                line=form["line1"],
            )
        except ValidationError as exc:
            raise CheckoutFormError() from exc
    place = [form[k] for k in ("region", "city", "district", "line1") if form[k]]
    line1 = " ".join(place) if form["line1"] else ""
    city = form["city"] or store.city
    return {"name": form["name"], "phone": form["phone"], "line1": line1, "city": city}, keep


def address_view(saved: ConsumerAddress) -> dict[str, Any]:
    """A saved address for the pages: its phone as people write it, its place in one line."""
    return {
        "id": saved.id,
        "recipient": saved.recipient,
        "phone": display_phone(saved.phone),
        "place": " ".join((saved.region, saved.city, saved.district)),
        "line": saved.line,
        "is_default": saved.is_default,
    }


def order_address(saved: ConsumerAddress) -> dict[str, str]:
    """A saved address as an order's delivery address (its place written out in full)."""
    line = " ".join((saved.region, saved.city, saved.district, saved.line))[:300]
    return {"name": saved.recipient, "phone": saved.phone, "line1": line, "city": saved.city}


def settle(
    session: Session, store: CloudStore, buyer: Scope, order_id: int, choice: Choice
) -> DeferredCharge | None:
    """After the order is placed: keep the new address, and take it on credit if chosen."""
    if choice.keep_address is not None:
        members_service.add_address(
            session=session, scope=buyer, brand_id=store.brand_id, data=choice.keep_address
        )
    if not choice.pay_later:
        return None
    charge, _ = paylater_service.take_on_credit(
        session=session, scope=buyer, data=DeferredCreate(order_id=order_id)
    )
    return charge


def charge_view(page: Page, charge: DeferredCharge | None) -> dict[str, Any] | None:
    """A pay-later charge as the order pages show it: state, collected, still due and when
    (nothing is due once it is paid, or cancelled with its order)."""
    if charge is None:
        return None
    owed = ChargeStatus(charge.status) in paylater_rules.OPEN
    return {
        "status": charge.status,
        "status_label": labels.label(page, labels.CHARGE_STATUSES, charge.status),
        "collected": Money(charge.down_payment, charge.currency),
        "due": Money(charge.amount if owed else 0, charge.currency),
        "balance": Money(charge.amount, charge.currency),
        "due_at": charge.due_at,
        "paid_at": charge.paid_at,
        "open": owed and charge.amount > 0,
    }
