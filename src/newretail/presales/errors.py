"""Pre-sale errors, each with a stable code.

NotFound:     presale_not_found, deposit_not_found, presale_item_not_found (SKU or store
              not in the campaign)
Conflict:     deposit_window_closed, balance_window_closed, deposit_not_paid,
              balance_already_ordered, deposit_closed, delivery_locked
InvalidInput: invalid_presale, delivery_not_offered, out_of_delivery_range
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound


class PresaleNotFound(NotFound):
    code = "presale_not_found"
    default_detail = "Pre-sale not found."


class DepositNotFound(NotFound):
    code = "deposit_not_found"
    default_detail = "Pre-sale deposit not found."


class PresaleItemNotFound(NotFound):
    code = "presale_item_not_found"
    default_detail = "This SKU or store is not part of the pre-sale."


class DepositWindowClosed(Conflict):
    code = "deposit_window_closed"
    default_detail = "The pre-sale does not take deposits now."


class BalanceWindowClosed(Conflict):
    code = "balance_window_closed"
    default_detail = "The balance can only be paid on the event day, inside its window."


class DepositNotPaid(Conflict):
    code = "deposit_not_paid"
    default_detail = "The deposit has not been paid."


class DepositClosed(Conflict):
    code = "deposit_closed"
    default_detail = "This deposit is completed or expired."


class InvalidPresale(InvalidInput):
    code = "invalid_presale"
    default_detail = "The pre-sale is not valid."


class DeliveryLocked(Conflict):
    code = "delivery_locked"
    default_detail = "The balance is paid or the deposit is closed: the delivery cannot change."


class DeliveryNotOffered(InvalidInput):
    code = "delivery_not_offered"
    default_detail = "The pre-sale does not offer this delivery method."


class OutOfDeliveryRange(InvalidInput):
    code = "out_of_delivery_range"
    default_detail = "The address is too far from the store for same-city delivery."
