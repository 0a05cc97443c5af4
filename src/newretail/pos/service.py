"""The till's use cases, for its router, the demo and other callers (import only this).

    shifts.py      registers; shifts opened with a float, closed with a count (refused
                   while the till holds unsynced sales), reported, reopened (audited)
    lookup.py      products by barcode or text with this store's pos price and stock;
                   members by phone or member number; the store's guides; sign-up at the
                   counter; quotes (promotions and the member's best coupons)
    selling.py     a sale drafted by the orders service, checked against the till, paid by
                   its tenders through the payments service, journaled in the shift
    sales.py       sales by client id (taken once, replays get the first answer), a synced
                   sale's conflict kept when it cannot be placed
    sync.py        a till's queue of offline sales, each in a transaction of its own
    conflicts.py   conflicts listed and settled by managers (retry, honour, void), audited
    receipts.py    a sale's receipt, with a join-membership link for its QR code
    counter.py     pickups, returns and exchanges of any channel's orders, pre-sale
                   deposits and balances, at the shift's store
    credit.py      members' store credit, a tender; issued by managers
    consumers.py   store credit and points given back when a refund reaches their tenders

Pure rules (tenders and change, the drawer's expected amounts) live in ``rules.py``.
"""

from newretail.pos.conflicts import details as conflict_details
from newretail.pos.conflicts import get_conflict, list_conflicts, settle
from newretail.pos.counter import (
    hand_over,
    order_to_return,
    take_balance,
    take_deposit,
    take_return,
)
from newretail.pos.credit import balance as store_credit_balance
from newretail.pos.credit import issue as issue_store_credit
from newretail.pos.lookup import find_member, guides, products, quote, sign_up
from newretail.pos.receipts import receipt
from newretail.pos.sales import Placed, get_sale, place_sale, sale_by_client_id
from newretail.pos.shifts import (
    close_shift,
    create_register,
    get_register,
    get_shift,
    list_registers,
    list_shifts,
    open_shift,
    open_shifts_of,
    reopen_shift,
    report,
)
from newretail.pos.sync import sync

__all__ = [
    "Placed",
    "close_shift",
    "conflict_details",
    "create_register",
    "find_member",
    "get_conflict",
    "get_register",
    "get_sale",
    "get_shift",
    "guides",
    "hand_over",
    "issue_store_credit",
    "list_conflicts",
    "list_registers",
    "list_shifts",
    "open_shift",
    "open_shifts_of",
    "order_to_return",
    "place_sale",
    "products",
    "quote",
    "receipt",
    "reopen_shift",
    "report",
    "sale_by_client_id",
    "settle",
    "sign_up",
    "store_credit_balance",
    "sync",
    "take_balance",
    "take_deposit",
    "take_return",
]
