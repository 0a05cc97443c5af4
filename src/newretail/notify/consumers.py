"""The notifier's outbox consumers: conversations follow bindings, and orders tell their
buyer what happens to them.

    member.bound          the member's conversation moves to their new guide and store
    order.* (see notices) the buyer hears of pickup, shipping, refunds, balances, charges
"""

from newretail.notify.conversations import follow_bindings
from newretail.notify.notices import BUYER_EVENTS, tell_buyer
from newretail.outbox.consumers import Consumer

CONVERSATIONS_FOLLOW_BINDINGS = Consumer.each(
    "conversations_follow_bindings", ["member.bound"], follow_bindings
)
BUYERS_HEAR_OF_ORDERS = Consumer.each("buyers_hear_of_orders", BUYER_EVENTS, tell_buyer)
