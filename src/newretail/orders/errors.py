"""Order errors, each with a stable code.

NotFound:         order_not_found, cart_not_found, fulfilment_not_found
Conflict:         order_not_payable, order_already_paid, order_not_cancellable,
                  order_not_refundable, refund_exceeds_paid, fulfilment_not_ready,
                  order_expired, cart_checked_out, unknown_sku, coupon_unavailable
                  (and the promotions' refusals of a chosen combination)
                  (and the shared idempotency_key_reused)
InvalidInput:     unsellable_sku, per_order_limit, invalid_channel_for_buyer,
                  invalid_delivery, invalid_discount, pickup_code_mismatch, invalid_refund,
                  and refused attribution (``AttributionRefused``):
                  referring_guide_not_found, touchpoint_code_not_found,
                  referring_guide_not_code_guide, campaign_not_code_campaign
PermissionDenied: discount_not_allowed, serving_guide_not_allowed
(a shortage of stock answers with the inventory's insufficient_stock)
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_detail = "Order not found."


class CartNotFound(NotFound):
    code = "cart_not_found"
    default_detail = "Cart not found."


class FulfilmentNotFound(NotFound):
    code = "fulfilment_not_found"
    default_detail = "Fulfilment not found."


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    default_detail = "Only an unpaid, open order can be paid."


class OrderAlreadyPaid(Conflict):
    code = "order_already_paid"
    default_detail = "The order is already paid; nothing was charged."


class OrderExpired(Conflict):
    code = "order_expired"
    default_detail = "The order's payment window has closed; its stock was released."


class OrderNotCancellable(Conflict):
    code = "order_not_cancellable"
    default_detail = "Only an unpaid order can be cancelled; refund a paid one."


class OrderNotRefundable(Conflict):
    code = "order_not_refundable"
    default_detail = "Only a paid order can be refunded."


class RefundExceedsPaid(Conflict):
    code = "refund_exceeds_paid"
    default_detail = "A refund cannot give back more than was paid and not yet refunded."


class FulfilmentNotReady(Conflict):
    code = "fulfilment_not_ready"
    default_detail = "The fulfilment is not in a state that allows this step."


class CartCheckedOut(Conflict):
    code = "cart_checked_out"
    default_detail = "The cart has already become an order."


class UnknownSku(Conflict):
    """A cart line names a SKU that is not the store's brand's: unknown or another brand's,
    refused alike so that the answer says nothing about other brands' catalogs."""

    code = "unknown_sku"
    default_detail = "A SKU is not in this store's catalog."


class UnsellableSku(InvalidInput):
    code = "unsellable_sku"
    default_detail = "A SKU is not sold by this store in this channel."


class PerOrderLimit(InvalidInput):
    code = "per_order_limit"
    default_detail = "A line asks for more units than one order may hold."


class InvalidChannelForBuyer(InvalidInput):
    code = "invalid_channel_for_buyer"
    default_detail = "Consumers order online, in cloud stores, through share links or live."


class InvalidDelivery(InvalidInput):
    code = "invalid_delivery"
    default_detail = "The delivery details do not fit the delivery method."


class InvalidDiscount(InvalidInput):
    code = "invalid_discount"
    default_detail = "A discount is between zero and the order's subtotal."


class OfferNotAvailable(Conflict):
    code = "coupon_unavailable"
    default_detail = "A promotion or coupon chosen is not available to this order."


class PickupCodeMismatch(InvalidInput):
    code = "pickup_code_mismatch"
    default_detail = "The pickup code does not belong to this store's pickup."


class InvalidRefund(InvalidInput):
    code = "invalid_refund"
    default_detail = "A refund names an amount or lines with units left to refund."


class AttributionRefused(InvalidInput):
    """What an order names as its attribution does not hold; nothing was written."""

    code = "attribution_refused"
    default_detail = "The order's attribution was refused."


class ReferringGuideNotFound(AttributionRefused):
    code = "referring_guide_not_found"
    default_detail = "The referring guide is not an active guide of this brand."


class TouchpointCodeNotFound(AttributionRefused):
    code = "touchpoint_code_not_found"
    default_detail = "The touchpoint code is not a code of this brand."


class ReferringGuideNotCodeGuide(AttributionRefused):
    code = "referring_guide_not_code_guide"
    default_detail = "The referring guide is not the guide the touchpoint code names."


class CampaignNotCodeCampaign(AttributionRefused):
    code = "campaign_not_code_campaign"
    default_detail = "The campaign is not the touchpoint code's campaign."


class DiscountNotAllowed(PermissionDenied):
    code = "discount_not_allowed"
    default_detail = "Only staff may give a discount on an order."


class ServingGuideNotAllowed(PermissionDenied):
    code = "serving_guide_not_allowed"
    default_detail = "Only staff name the guide who served a line."
