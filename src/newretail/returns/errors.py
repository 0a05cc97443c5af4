"""Return and exchange errors, each with a stable code.

NotFound:     return_not_found
Conflict:     return_window_closed, return_quantity_exceeded, order_not_returnable,
              return_not_open, exchange_price_differs
InvalidInput: invalid_return, invalid_exchange_sku
(an order the caller cannot see is the orders' order_not_found; a receiving location
they cannot see, the org's store_not_found; a new unit out of stock, insufficient_stock)
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound


class ReturnNotFound(NotFound):
    code = "return_not_found"
    default_detail = "Return not found."


class ReturnWindowClosed(Conflict):
    code = "return_window_closed"
    default_detail = "The brand's return window for this order has closed."


class ReturnQuantityExceeded(Conflict):
    code = "return_quantity_exceeded"
    default_detail = "More units would come back than were bought and not yet returned."


class OrderNotReturnable(Conflict):
    code = "order_not_returnable"
    default_detail = "Only goods the buyer received come back; refund an order still here."


class ReturnNotOpen(Conflict):
    code = "return_not_open"
    default_detail = "The return was already received or cancelled."


class ExchangePriceDiffers(Conflict):
    code = "exchange_price_differs"
    default_detail = (
        "An exchange is for a SKU at the same price; return the unit and buy the other one."
    )


class InvalidReturn(InvalidInput):
    code = "invalid_return"
    default_detail = "A return names lines of its order, each once."


class InvalidExchangeSku(InvalidInput):
    code = "invalid_exchange_sku"
    default_detail = "An exchange is for another SKU of the same product."
