"""Words for the codes that other domains store and the pages show: payment states, methods
and providers, stock references, routing reasons, pre-sale rules, charge failures.

Every code a page shows goes through ``label``: a code with no entry here is shown as
"other" in the user's language rather than raw, so a new code is never printed as-is.
"""

import re

from newretail.kernel.i18n import N_
from newretail.web.pages import Page

PAYMENT_STATUSES = {
    "pending": N_("Being confirmed"),
    "succeeded": N_("Paid"),
    "declined": N_("Declined"),
    "reversed": N_("Reversed"),
}
PAYMENT_PROVIDERS = {"sandbox": N_("Sandbox payment")}
PAYMENT_METHODS = {
    "card": N_("Card"),
    "deferred_down_payment": N_("Pay later: down payment"),
    "deferred_balance": N_("Pay later: balance"),
}
# A pay-later balance (paylater.rules.ChargeStatus), as its buyer reads it.
CHARGE_STATUSES = {
    "scheduled": N_("Due later"),
    "retrying": N_("Being collected"),
    "dunning": N_("Overdue"),
    "paid": N_("Settled"),
    "cancelled": N_("Nothing owed: order given back"),
}
# A coupon in a member's wallet (promotions.models.CouponStatus), as its holder reads it.
COUPON_STATUSES = {
    "claimed": N_("Ready to use"),
    "released": N_("Ready to use"),
    "reserved": N_("Held by an unpaid order"),
    "redeemed": N_("Used"),
    "expired": N_("Expired"),
    "voided": N_("Bought back"),
}
# Who pays for a discount (promotions.models.Funder).
FUNDERS = {
    "platform": N_("Platform"),
    "brand": N_("Brand"),
    "store": N_("Store"),
    "franchisee": N_("Franchisee"),
}
REFUND_STATUSES = {"succeeded": N_("Refunded"), "pending": N_("Being refunded")}
# What a stock movement refers to (the reference type of the journal).
REFERENCE_TYPES = {
    "purchase_order": N_("Purchase order"),
    "transfer": N_("Transfer"),
    "erp": N_("ERP"),
    "manual": N_("By hand"),
    "order": N_("Order"),
    "return": N_("Return"),
    "cart": N_("Cart"),
    "presale": N_("Pre-sale"),
    "pos": N_("Till sale"),
}
# Why a charge or payment failed: the outcome, or the words of a provider this code knows.
FAILURES = {
    "declined": N_("Declined by the payment provider"),
    "pending": N_("No answer from the payment provider"),
    "card declined (sandbox)": N_("Card declined (sandbox)"),
    "the order was closed before the money arrived": N_(
        "The order was closed before the money arrived"
    ),
}
UNPAID_RULES = {
    "keep": N_("The deposit is kept"),
    "refund": N_("The deposit is refunded"),
}
GUIDE_LEVELS = {
    "junior": N_("Junior guide"),
    "senior": N_("Senior guide"),
    "star": N_("Star guide"),
}
COMMISSION_POLICIES = {
    "bound": N_("The member's own guide"),
    "referring": N_("The guide who referred the sale"),
    "split": N_("Split between the two"),
}
COMMISSION_KINDS = {
    "cps": N_("Share of sales"),
    "share": N_("Share-link sale"),
    "store": N_("Stores' shares"),
    "cpa": N_("New member bonus"),
    "store_bound": N_("Member's store"),
    "store_selling": N_("Selling store"),
    "store_fulfilling": N_("Fulfilling store"),
}
CPA_TRIGGERS = {"join": N_("On joining"), "first_order": N_("On the first paid order")}
CHANNELS = {
    "online": N_("Online shop"),
    "cloud_store": N_("Cloud store"),
    "pos": N_("In store"),
    "guide_share": N_("Guide share link"),
    "livestream": N_("Livestream"),
}
STORE_TYPES = {
    "direct": N_("Direct store"),
    "franchise": N_("Franchise store"),
    "counter": N_("Counter"),
    "popup": N_("Pop-up"),
    "warehouse": N_("Warehouse"),
}
OTHER = N_("Other")

_NEAREST = re.compile(r"^nearest store with full stock \(([0-9.]+) km\)$")
_RETURN_NOTE = re.compile(r"^(return|exchange) of order (\d+)$")
_SPLIT = re.compile(r"^fewest splits: (store|warehouse) holding the most of the ([0-9]+) lines")


def label(page: Page, table: dict[str, str], code: str | None) -> str:
    """The translated word for ``code``; "—" for none, "Other" for a code not in ``table``."""
    if not code:
        return "—"
    return page.translate(table.get(code, OTHER))


def failure(page: Page, reason: str | None) -> str:
    """A failure in the user's language; a provider's own words are shown as they came."""
    if not reason:
        return ""
    return page.translate(FAILURES[reason]) if reason in FAILURES else reason


def routing_reason(page: Page, reason: str | None) -> str:
    """Why an order's units come from a place, as the orders domain wrote it, translated."""
    if not reason:
        return "—"
    if reason == "pickup store":
        return page.gettext("The buyer picks up at this store")
    if reason.startswith("pre-sale "):  # a pre-sale's units are held where it was paid
        return page.gettext("Held at this store for the pre-sale")
    if _NEAREST.match(reason):
        return page.gettext("Nearest store with every item")
    split = _SPLIT.match(reason)
    if split:
        if split.group(1) == "warehouse":
            return page.gettext("Fewest parcels: the warehouse holding most of the items")
        return page.gettext("Fewest parcels: the store holding most of the items")
    return page.translate(OTHER)


def campaign(page: Page, code: str | None) -> str:
    """An order's campaign: a pre-sale by number, anything else as the brand named it."""
    if not code:
        return "—"
    kind, _, number = code.partition(":")
    if kind == "presale" and number.isdigit():
        return page.gettext("Pre-sale #%(number)s", number=number)
    return code


def movement_note(page: Page, note: str | None) -> str:
    """A stock movement's note: the returns domain's own words translated, a person's as typed."""
    found = _RETURN_NOTE.match(note or "")
    if found is None:
        return note or ""
    if found.group(1) == "exchange":
        return page.gettext("Exchange of order #%(id)s", id=found.group(2))
    return page.gettext("Return of order #%(id)s", id=found.group(2))
