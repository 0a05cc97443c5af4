"""Errors of consumers and members, each with a stable code.

NotFound (404)          consumer_not_found, member_not_found, merge_not_found,
                        guide_not_found, address_not_found, store_not_found and
                        brand_not_found (org)
InvalidInput (422)      invalid_phone, guide_not_at_store, invalid_rebind,
                        invalid_member_program, store_required, invalid_input (a
                        consumer joining without brand_id, a source not theirs)
Conflict (409)          insufficient_points, guide_inactive, no_guides_available,
                        merge_refused, merge_already_undone, merge_undo_blocked,
                        points_reference_reused, address_book_full
Unauthenticated (401)   otp_invalid, otp_expired, consumer_gone
TooManyRequests (429)   otp_rate_limited, otp_too_many_attempts
"""

from newretail.kernel.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)


class InvalidPhone(InvalidInput):
    code = "invalid_phone"
    default_detail = "The phone number is not valid."


class PhoneRegionNotAllowed(InvalidInput):
    code = "phone_region_not_allowed"
    default_detail = "Phone numbers of this country or region cannot sign in here."


class ConsumerNotFound(NotFound):
    code = "consumer_not_found"
    default_detail = "Consumer not found."


class ConsumerGone(Unauthenticated):
    code = "consumer_gone"
    default_detail = "This consumer account no longer exists; log in again."


class MemberNotFound(NotFound):
    code = "member_not_found"
    default_detail = "Member not found."


class GuideNotFound(NotFound):
    code = "guide_not_found"
    default_detail = "Guide not found."


class GuideNotAtStore(InvalidInput):
    code = "guide_not_at_store"
    default_detail = "This guide does not work at that store."


class GuideInactive(Conflict):
    code = "guide_inactive"
    default_detail = "This guide has left and can no longer be bound to members."


class NoGuidesAvailable(Conflict):
    code = "no_guides_available"
    default_detail = "The store has no other active guide to take the members."


class InvalidRebind(InvalidInput):
    code = "invalid_rebind"
    default_detail = "Give exactly one of to_guide_id or spread=true, and not the same guide."


class StoreRequired(InvalidInput):
    code = "store_required"
    default_detail = "Say which store (store_id): your role covers several stores or none."


class InvalidMemberProgram(InvalidInput):
    code = "invalid_member_program"
    default_detail = "The member programme is not valid."


class InsufficientPoints(Conflict):
    code = "insufficient_points"
    default_detail = "The member does not have enough points."


class PointsReferenceReused(Conflict):
    code = "points_reference_reused"
    default_detail = "This reference was already used for a different points entry."


class MergeNotFound(NotFound):
    code = "merge_not_found"
    default_detail = "Merge not found."


class MergeRefused(Conflict):
    code = "merge_refused"
    default_detail = "These consumers may not be merged."


class MergeAlreadyUndone(Conflict):
    code = "merge_already_undone"
    default_detail = "This merge was already undone."


class MergeUndoBlocked(Conflict):
    code = "merge_undo_blocked"
    default_detail = "The surviving consumer was merged again since; undo that merge first."


class OtpInvalid(Unauthenticated):
    code = "otp_invalid"
    default_detail = "The code is wrong."


class OtpExpired(Unauthenticated):
    code = "otp_expired"
    default_detail = "The code has expired or was never sent; ask for a new one."


class OtpRateLimited(TooManyRequests):
    code = "otp_rate_limited"
    default_detail = "A code was sent to this phone too recently; wait before asking again."


class OtpTooManyAttempts(TooManyRequests):
    code = "otp_too_many_attempts"
    default_detail = "Too many wrong codes; ask for a new one."


class AddressNotFound(NotFound):
    code = "address_not_found"
    default_detail = "Address not found."


class AddressBookFull(Conflict):
    code = "address_book_full"
    default_detail = "The address book is full: delete an address first."
