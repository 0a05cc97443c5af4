"""Promotion and coupon errors, each with a stable code.

NotFound:      promotion_not_found, coupon_template_not_found, coupon_not_found,
               reservation_not_found
InvalidInput:  invalid_terms, percentage_over_100, dates_reversed
Conflict:      claim_closed, coupons_exhausted, budget_exhausted, member_limit_reached,
               member_required, coupon_unavailable, coupon_expired, coupon_not_applicable,
               threshold_not_met, exclusive_conflict, order_limit, import_refused,
               channel_not_allowed, voucher_not_paid
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound


class PromotionNotFound(NotFound):
    code = "promotion_not_found"
    default_detail = "Promotion not found."


class TemplateNotFound(NotFound):
    code = "coupon_template_not_found"
    default_detail = "Coupon template not found."


class CouponNotFound(NotFound):
    code = "coupon_not_found"
    default_detail = "Coupon not found."


class ReservationNotFound(NotFound):
    code = "reservation_not_found"
    default_detail = "No coupon is reserved under this reference."


class InvalidTerms(InvalidInput):
    code = "invalid_terms"
    default_detail = "The terms do not fit the kind of offer."


class PercentageOver100(InvalidInput):
    code = "percentage_over_100"
    default_detail = "A percentage off must be between 1 and 100."


class DatesReversed(InvalidInput):
    code = "dates_reversed"
    default_detail = "The end must come after the start."


class ClaimClosed(Conflict):
    code = "claim_closed"
    default_detail = "This coupon cannot be claimed now."


class CouponsExhausted(Conflict):
    code = "coupons_exhausted"
    default_detail = "Every coupon of this template has been claimed."


class BudgetExhausted(Conflict):
    code = "budget_exhausted"
    default_detail = "The coupon's budget is spent."


class MemberLimitReached(Conflict):
    code = "member_limit_reached"
    default_detail = "The member already holds as many of these coupons as allowed."


class MemberRequired(Conflict):
    code = "member_required"
    default_detail = "Only a member of the brand can hold its coupons."


class CouponUnavailable(Conflict):
    code = "coupon_unavailable"
    default_detail = "The coupon is not in the wallet, or is reserved or used already."


class CouponExpired(Conflict):
    code = "coupon_expired"
    default_detail = "The coupon is not valid at this time."


class CouponNotApplicable(Conflict):
    code = "coupon_not_applicable"
    default_detail = "The offer does not apply to this cart, store or channel."


class ThresholdNotMet(Conflict):
    code = "threshold_not_met"
    default_detail = "The cart does not reach the offer's threshold."


class ExclusiveConflict(Conflict):
    code = "exclusive_conflict"
    default_detail = "An exclusive offer cannot be combined with this one."


class OrderLimit(Conflict):
    code = "order_limit"
    default_detail = "The order already carries as many offers of this kind as allowed."


class ChannelNotAllowed(Conflict):
    code = "channel_not_allowed"
    default_detail = "Coupons cannot be claimed by this caller through this channel."


class ImportRefused(Conflict):
    """Nothing of the import was issued; ``problems`` says which entries and why."""

    code = "import_refused"
    default_detail = "The import was refused as a whole."

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        shown = "; ".join(f"{ref}: {code} ({detail})" for ref, code, detail in problems[:20])
        more = f"; and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"Nothing was imported. {shown}{more}")


class VoucherNotPaid(Conflict):
    code = "voucher_not_paid"
    default_detail = "The voucher's payment was declined or not confirmed; nothing was bought."


class VoucherUsed(Conflict):
    code = "voucher_used"
    default_detail = (
        "The voucher is used, or held by an order: only an unused paid voucher is bought back."
    )


class NotAPaidVoucher(Conflict):
    code = "not_a_paid_voucher"
    default_detail = "Only a voucher bought at a price is bought back."
