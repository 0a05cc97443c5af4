"""Payment errors, each with a stable code.

NotFound:        payment_not_found, unknown_provider
Conflict:        payment_pending, payment_short (tenders below the total),
                 tender_declined (a tender of a split payment refused; the others given back)
InvalidInput:    invalid_notification, payment_over (tenders above the total)
Unauthenticated: invalid_signature (a notification whose HMAC does not verify)
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound, Unauthenticated


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    default_detail = "Payment not found."


class UnknownProvider(NotFound):
    code = "unknown_provider"
    default_detail = "No such payment provider."


class PaymentPending(Conflict):
    code = "payment_pending"
    default_detail = "A payment of this order is waiting for its provider's confirmation."


class InvalidNotification(InvalidInput):
    code = "invalid_notification"
    default_detail = "The notification is not one this provider sends."


class InvalidSignature(Unauthenticated):
    code = "invalid_signature"
    default_detail = "The notification's signature does not verify; nothing was changed."


class PaymentShort(Conflict):
    code = "payment_short"
    default_detail = "The tenders do not cover the total."


class PaymentOver(InvalidInput):
    code = "payment_over"
    default_detail = "The tenders add up to more than the total."


class TenderDeclined(Conflict):
    code = "tender_declined"
    default_detail = "A tender was refused; nothing was charged."
