"""Inventory errors, each with a stable code.

NotFound:     reservation_not_found, sku_not_found
              (an unknown location answers with the organisation's store_not_found)
Conflict:     insufficient_stock, reservation_not_active, reservation_expired,
              reservation_reference_conflict, stock_changed_concurrently
InvalidInput: invalid_quantity, invalid_reference, duplicate_line, transfer_same_location,
              mixed_brands
DomainError:  inventory_inconsistent (500: an invariant broke; never expected)
"""

from newretail.kernel.errors import Conflict, DomainError, InvalidInput, NotFound


class ReservationNotFound(NotFound):
    code = "reservation_not_found"
    default_detail = "Reservation not found."


class UnknownSku(NotFound):
    """The catalog's code for a SKU that does not exist or belongs to another brand."""

    code = "sku_not_found"
    default_detail = "SKU not found."


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_detail = "Not enough stock available."


class ReservationNotActive(Conflict):
    code = "reservation_not_active"
    default_detail = "The reservation was already committed, released or expired."


class ReservationExpired(Conflict):
    code = "reservation_expired"
    default_detail = "The reservation has expired; its stock is being released."


class ReservationReferenceConflict(Conflict):
    code = "reservation_reference_conflict"
    default_detail = "This reference already holds a reservation with different lines."


class StockChangedConcurrently(Conflict):
    code = "stock_changed_concurrently"
    default_detail = "The stock level changed while it was being set; try again."


class InvalidQuantity(InvalidInput):
    code = "invalid_quantity"
    default_detail = "Quantities are whole numbers of units, greater than zero."


class InvalidReference(InvalidInput):
    code = "invalid_reference"
    default_detail = "A reference id is 1 to 64 characters without surrounding spaces."


class DuplicateLine(InvalidInput):
    code = "duplicate_line"
    default_detail = "Each SKU (per location) may appear on one line only."


class TransferSameLocation(InvalidInput):
    code = "transfer_same_location"
    default_detail = "A transfer needs two different locations."


class InventoryInconsistent(DomainError):
    """A guarded change that cannot fail did: the data broke an invariant. Never expected."""

    code = "inventory_inconsistent"
    status = 500
    default_detail = "Stock levels and reservations disagree; an operator must look."


class MixedBrands(InvalidInput):
    code = "mixed_brands"
    default_detail = "All locations of one request must belong to the same brand."
