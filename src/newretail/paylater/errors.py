"""Pay-later errors, each with a stable code.

NotFound:  deferred_charge_not_found
Conflict:  credit_insufficient, member_required, down_payment_declined,
           deferred_charge_closed, charge_declined
"""

from newretail.kernel.errors import Conflict, NotFound


class DeferredChargeNotFound(NotFound):
    code = "deferred_charge_not_found"
    default_detail = "Deferred charge not found."


class CreditInsufficient(Conflict):
    code = "credit_insufficient"
    default_detail = "The member's credit score does not reach the brand's threshold."


class MemberRequired(Conflict):
    code = "member_required"
    default_detail = "Only a member of the brand can pay later."


class DownPaymentDeclined(Conflict):
    code = "down_payment_declined"
    default_detail = "The down payment was declined; nothing was taken on credit."


class ChargeDeclined(Conflict):
    code = "charge_declined"
    default_detail = "The charge was declined; the balance is still owed."


class DeferredChargeClosed(Conflict):
    code = "deferred_charge_closed"
    default_detail = "This deferred charge is paid already."
