"""Till errors, each with a stable code.

NotFound (404):      register_not_found, shift_not_found, sale_not_found, conflict_not_found,
                     unknown_barcode, member_not_found (the members' own)
Conflict (409):      register_code_taken, register_inactive, shift_already_open,
                     shift_already_closed, shift_not_closed, shift_not_open, unsynced_sales,
                     price_changed, client_id_reused, conflict_settled,
                     store_credit_insufficient
                     (and the payments' payment_short, tender_declined; the members'
                     insufficient_points; the orders', inventory's and promotions' refusals)
InvalidInput (422):  invalid_tender, member_required, invalid_lookup
                     (and the payments' payment_over)
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound


class RegisterNotFound(NotFound):
    code = "register_not_found"
    default_detail = "Register not found."


class ShiftNotFound(NotFound):
    code = "shift_not_found"
    default_detail = "Shift not found."


class SaleNotFound(NotFound):
    code = "sale_not_found"
    default_detail = "No sale of the till has this id."


class ConflictNotFound(NotFound):
    code = "conflict_not_found"
    default_detail = "Conflict not found."


class UnknownBarcode(NotFound):
    code = "unknown_barcode"
    default_detail = "No product of this brand has this barcode."


class RegisterCodeTaken(Conflict):
    code = "register_code_taken"
    default_detail = "The store already has a register with this code."


class RegisterInactive(Conflict):
    code = "register_inactive"
    default_detail = "The register is retired; open the shift on another."


class ShiftAlreadyOpen(Conflict):
    code = "shift_already_open"
    default_detail = "The register already has an open shift."


class ShiftAlreadyClosed(Conflict):
    code = "shift_already_closed"
    default_detail = "The shift is closed already."


class ShiftNotClosed(Conflict):
    code = "shift_not_closed"
    default_detail = "Only a closed shift can be reopened."


class ShiftNotOpen(Conflict):
    code = "shift_not_open"
    default_detail = "The shift is closed; sell on an open shift."


class UnsyncedSales(Conflict):
    code = "unsynced_sales"
    default_detail = "The till still holds sales the server has not taken; sync them first."


class PriceChanged(Conflict):
    code = "price_changed"
    default_detail = "A price differs from what the till showed."


class ClientIdReused(Conflict):
    code = "client_id_reused"
    default_detail = "This client id was used for a different sale."


class ConflictSettled(Conflict):
    code = "conflict_settled"
    default_detail = "The conflict is settled already."


class StoreCreditInsufficient(Conflict):
    code = "store_credit_insufficient"
    default_detail = "The member's store credit does not cover this tender."


class InvalidTender(InvalidInput):
    code = "invalid_tender"
    default_detail = "A tender does not make sense as given."


class PointsNotAccepted(InvalidInput):
    code = "points_not_accepted"
    default_detail = "This brand's points pay nothing: take another tender."


class MemberRequired(InvalidInput):
    code = "member_required"
    default_detail = "Points and store credit are a member's: name the member."


class InvalidLookup(InvalidInput):
    code = "invalid_lookup"
    default_detail = "Look up by exactly one of the ways offered."
