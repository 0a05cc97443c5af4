"""Words the pages show for codes: store types, roles, domain error codes, flash messages.

Each text is marked with ``N_`` for extraction and translated where it is rendered, so
a domain error reaches the user in their language whatever the service's detail says.
"""

from newretail.kernel.i18n import N_

STORE_TYPES = {
    "direct": N_("Direct"),
    "franchise": N_("Franchise"),
    "counter": N_("Counter"),
    "popup": N_("Pop-up"),
    "warehouse": N_("Warehouse"),
}

STORE_STATUSES = {"open": N_("Open"), "closed": N_("Closed")}

REGION_KINDS = {
    "hq": N_("Headquarters"),
    "division": N_("Division"),
    "area": N_("Area"),
    "city": N_("City"),
}

ROLES = {
    "platform_admin": N_("Platform admin"),
    "brand_admin": N_("Brand admin"),
    "region_manager": N_("Region manager"),
    "store_manager": N_("Store manager"),
    "guide": N_("Shopping guide"),
    "cashier": N_("Cashier"),
    "integration": N_("Integration"),
}

WEEKDAY_NAMES = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}

ERRORS = {
    # messages (the notifier and conversations)
    "no_marketing_consent": N_("A member has not agreed to marketing messages."),
    "not_your_member": N_("A member is not one of yours."),
    "notify_rate_limited": N_("Too many messages to this person for now; try again later."),
    "message_empty": N_("Write a message or choose a product."),
    "no_recipients": N_("Choose at least one member."),
    "conversation_not_found": N_("This conversation does not exist, or you may not see it."),
    # the management screens (products, prices, stock, staff, pre-sale setup)
    "invalid_image": N_("The file is not a picture: upload a JPEG, PNG, WebP or GIF."),
    "image_too_large": N_("The picture is too large."),
    "too_many_images": N_("A product has at most 30 pictures; remove one first."),
    "request_too_large": N_("The upload is far too large."),
    "product_code_taken": N_("Another product of this brand already uses this code."),
    "sku_code_taken": N_("Another SKU of this brand already uses this code."),
    "barcode_taken": N_("Another SKU of this brand already uses this barcode."),
    "invalid_price": N_("Prices cannot be negative, and the was-price cannot be below the price."),
    "offer_not_found": N_("This price rule does not exist, or you may not see it."),
    "offer_scope_taken": N_("This SKU already has a rule at this level; change that one."),
    "currency_mismatch": N_("Amounts in different currencies cannot be combined."),
    "insufficient_stock": N_("Not enough stock here: stock cannot go below zero."),
    "invalid_quantity": N_("Enter a whole number of units."),
    "duplicate_line": N_("Each SKU may appear once."),
    "transfer_same_location": N_("Choose two different locations."),
    "mixed_brands": N_("Both locations must belong to the same brand."),
    "staff_not_found": N_("Staff member not found."),
    "username_taken": N_("This username is already taken."),
    "invalid_role_scope": N_("This role does not fit the chosen region or store."),
    "invalid_presale": N_("The pre-sale is not valid."),
    "bad_credentials": N_("Wrong username or password."),
    "account_inactive": N_("This account is no longer active."),
    "brand_deleted": N_("This brand has been deleted."),
    "too_many_requests": N_("Too many failed logins. Please wait a moment and try again."),
    "csrf_failed": N_("This form has expired. Please reload the page and try again."),
    "service_unavailable": N_("We are very busy right now. Please try again in a moment."),
    "not_found": N_("This page does not exist, or you may not see it."),
    "brand_not_found": N_("Brand not found."),
    "region_not_found": N_("Region not found."),
    "store_not_found": N_("Store not found."),
    "district_not_found": N_("Business district not found."),
    "permission_denied": N_("Your role does not allow this action."),
    "region_cycle": N_("A region cannot be placed under itself or one of its sub-regions."),
    "region_code_taken": N_("Another region of this brand already uses this code."),
    "store_code_taken": N_("Another store of this brand already uses this code."),
    "region_parent_required": N_("Only a brand-wide admin may put a region at the top level."),
    "conflict": N_("The change conflicts with existing data."),
    "invalid_input": N_("Please correct the highlighted fields."),
    "bad_request": N_("The request could not be understood."),
    "nul_character": N_("Text must not contain the NUL character (\\x00)."),
    "member_not_found": N_("Member not found."),
    "guide_not_found": N_("Guide not found."),
    "guide_not_at_store": N_("The chosen guide does not work at the members' store."),
    "guide_inactive": N_("The chosen guide has left."),
    "no_guides_available": N_("The store has no other active guide to take the members."),
    "invalid_rebind": N_("Choose one guide to take the members, or spread them over the store."),
    "not_a_guide": N_("This account is not a shopping guide of any store."),
    "product_not_found": N_("Product not found."),
    "product_not_shareable": N_("This product is not on sale in your store."),
    "code_not_found": N_("This code does not exist."),
    "code_inactive": N_("This code is no longer in use."),
    "invalid_code_target": N_("A code leading to a product needs the product; other codes none."),
    "invalid_phone": N_("Please enter a valid mobile number."),
    "phone_region_not_allowed": N_("Numbers from this country or region cannot sign in here."),
    "otp_invalid": N_("The code is wrong. Please check it and try again."),
    "otp_expired": N_("The code has expired. Please ask for a new one."),
    "otp_rate_limited": N_("A code was sent a moment ago. Please wait before asking again."),
    "otp_too_many_attempts": N_("Too many wrong codes. Please ask for a new one."),
    "cloudstore_not_found": N_("This cloud store does not exist or is closed."),
    "category_not_found": N_("Category not found."),
    "order_not_found": N_("Order not found."),
    "cart_not_found": N_("Cart not found."),
    "fulfilment_not_found": N_("Fulfilment not found."),
    "sku_not_found": N_("SKU not found."),
    "presale_not_found": N_("This pre-sale does not exist in this store."),
    "presale_item_not_found": N_("This item is not part of the pre-sale in this store."),
    "deposit_not_found": N_("Pre-sale deposit not found."),
    "deposit_window_closed": N_("The pre-sale does not take deposits now."),
    "balance_window_closed": N_(
        "The balance can only be paid on the event day, inside its window."
    ),
    "deposit_not_paid": N_("Pay the deposit first."),
    "deposit_closed": N_("This deposit is completed or expired."),
    "delivery_locked": N_("The balance is paid: the delivery can no longer change."),
    "delivery_not_offered": N_("This pre-sale does not offer that way of getting the item."),
    "out_of_delivery_range": N_("The address is too far from the store for same-city delivery."),
    "invalid_channel": N_("Not a known channel."),
    "credit_insufficient": N_("Pay later is not open to your membership: nothing was ordered."),
    "member_required": N_("Pay later is for members of the brand: nothing was ordered."),
    "coupon_unavailable": N_(
        "A discount you picked is no longer available: choose again, nothing was ordered."
    ),
    "coupon_expired": N_("A coupon you picked is not valid now: nothing was ordered."),
    "coupon_not_applicable": N_("A discount you picked does not apply to this cart."),
    "threshold_not_met": N_("The cart does not reach a discount's threshold any more."),
    "exclusive_conflict": N_("Two of the discounts you picked cannot be used together."),
    "order_limit": N_("Too many discounts for one order: choose again."),
    "claim_closed": N_("This coupon cannot be claimed now."),
    "coupons_exhausted": N_("All of these coupons have been claimed."),
    "budget_exhausted": N_("All of these coupons have been claimed."),
    "member_limit_reached": N_("You already hold as many of these coupons as one member may."),
    "down_payment_declined": N_("The down payment was declined: nothing was ordered."),
    "address_not_found": N_("This address does not exist in your address book."),
    "address_book_full": N_("Your address book is full: delete an address first."),
    "percentage_over_100": N_("A percentage off must be between 1 and 100."),
    "dates_reversed": N_("The end must come after the start."),
    "invalid_terms": N_("These numbers do not make an offer of this kind."),
    "invalid_package": N_("Pick candidate coupons (a district package may gather them itself)."),
    "package_not_draft": N_("Only a package awaiting review can change."),
    "package_empty": N_("The optimiser picked nothing: there is nothing to publish."),
    "package_stale": N_("A picked coupon changed since: assemble the package again."),
    "package_closed": N_("This package cannot be claimed now."),
    "package_already_claimed": N_("You have claimed this package already."),
    "packages_exhausted": N_("Every package has been claimed."),
}

# Which form field a domain error belongs to; the others are shown above the form.
ERROR_FIELDS = {
    "region_cycle": "parent_id",
    "region_parent_required": "parent_id",
    "region_code_taken": "code",
    "store_code_taken": "code",
    "district_not_found": "district_id",
    "invalid_code_target": "product_id",
    "product_not_found": "product_id",
}

FIELD_ERRORS = {
    "amount": N_("Enter an amount such as 199 or 199.50."),
    "amount_decimals": N_("Use at most two decimals (fen)."),
    "negative_amount": N_("Amounts cannot be negative."),
    "amount_too_large": N_("This amount is too large."),
    "whole_number": N_("Enter a whole number."),
    "pairs": N_("Write one “name: value” per line, each name once."),
    "sku_code": N_("Use up to 64 letters, digits, ., - or _, starting with a letter or digit."),
    "barcode": N_("Use up to 64 letters, digits or -."),
    "username": N_("Use 3 to 64 letters, digits, ., _, @ or -, starting with a letter or digit."),
    "password": N_("Use at least 8 characters."),
    "datetime": N_("Enter a date and a time."),
    "date": N_("Enter a date."),
    "time": N_("Enter a time such as 10:00."),
    "choose_one": N_("Choose at least one."),
    "unknown_sku": N_("No SKU of this brand has this code."),
    "not_zero": N_("Enter a number other than zero."),
    "missing": N_("This field is required."),
    "too_long": N_("This is too long."),
    "code": N_("Use up to 32 letters, digits, - or _, starting with a letter or digit."),
    "kind": N_("Use lower-case letters and _ only."),
    "latitude": N_("Enter a latitude between -90 and 90."),
    "longitude": N_("Enter a longitude between -180 and 180."),
    "timezone": N_("Not a known time zone (for example Asia/Shanghai)."),
    "hours": N_("Use HH:MM-HH:MM spans in order, without overlaps, separated by commas."),
    "choice": N_("Choose one of the options."),
    "invalid": N_("This value is not valid."),
}

# The name of the tier every member programme starts with (members.rules.DEFAULT_TIERS);
# tiers a brand names itself are shown as named.
DEFAULT_TIER_NAMES = (N_("Standard"),)

FLASHES = {
    "product_created": N_("Product %(title)s was created."),
    "product_updated": N_("Product %(title)s was saved."),
    "sku_created": N_("SKU %(code)s was created."),
    "sku_updated": N_("SKU %(code)s was saved."),
    "image_added": N_("The picture was added."),
    "image_removed": N_("The picture was removed."),
    "price_saved": N_("The price rule was saved: %(level)s."),
    "price_cleared": N_("The price at this level was removed: %(level)s."),
    "stock_adjusted": N_("Stock of %(sku)s changed by %(delta)s; %(on_hand)s on hand now."),
    "stock_transferred": N_("%(quantity)s of %(sku)s moved to %(store)s."),
    "staff_created": N_("%(name)s can now log in as %(username)s."),
    "role_added": N_("%(name)s was given a role."),
    "role_removed": N_("A role of %(name)s was removed."),
    "level_set": N_("The level of %(name)s was saved."),
    "commission_plan_saved": N_("Commission plan %(name)s was saved."),
    "commission_plan_active": N_("%(name)s is now the active commission plan."),
    "commission_rule_saved": N_("Rule %(name)s was added."),
    "commission_rule_deleted": N_("The rule was removed."),
    "presale_created": N_("Pre-sale %(name)s was set up."),
    "payment_succeeded": N_("Paid. Thank you!"),
    "payment_pending": N_("The payment is being confirmed; this page shows when it is."),
    "payment_declined": N_("The payment was declined; nothing was charged. Try again."),
    "payment_failed": N_("The order could not be paid: %(reason)s"),
    "coupon_claimed": N_("The coupon is in your wallet: checkout uses it when it saves you most."),
    "voucher_bought": N_("Paid: the voucher is in your wallet, worth its full value at checkout."),
    "voucher_bought_back": N_("The voucher was bought back: its price is on its way back to you."),
    "voucher_not_bought_back": N_("The voucher was not bought back: %(reason)s"),
    "coupon_not_claimable": N_("This coupon cannot be claimed in this store now."),
    "coupon_member_required": N_("Join the brand first (one tap, below) to claim coupons."),
    "coupon_claim_failed": N_("The coupon was not claimed: %(reason)s"),
    "return_received": N_("Return %(number)s was received."),
    "pickup_ready": N_("The pickup is ready; its code is %(code)s."),
    "pickup_handed_over": N_("The pickup was handed over."),
    "pickup_code_invalid": N_("Choose the store and enter the pickup code's digits."),
    "fulfilment_shipped": N_("The parcel was marked as shipped."),
    "refund_made": N_("%(amount)s was refunded."),
    "refund_invalid": N_("Choose a line and a number of units to refund."),
    "order_action_failed": N_("Not done: %(reason)s"),
    "arrival_dropped": N_(
        "The link or code you came through is no longer valid: your order was placed without it."
    ),
    "member_joined": N_("You are now a member of %(brand)s."),
    "message_sent": N_("Message sent."),
    "messages_sent": N_("Sent to %(count)s members."),
    "message_refused": N_("Not sent: %(reason)s"),
    "paid_later": N_("Ordered with pay later: the down payment is paid, the rest is due later."),
    "address_saved": N_("The address was saved."),
    "address_deleted": N_("The address was deleted."),
    "address_default": N_("This is now your default address."),
    "member_already": N_("You are already a member of %(brand)s."),
    "logged_out": N_("You have logged out."),
    "region_created": N_("Region %(name)s was created."),
    "region_updated": N_("Region %(name)s was saved."),
    "store_created": N_("Store %(name)s was created."),
    "store_updated": N_("Store %(name)s was saved."),
    "policy_saved": N_("The binding rules were saved. They apply to future bindings."),
    "members_rebound": N_("%(moved)s members of %(guide)s were moved: %(summary)s."),
    "nothing_to_rebind": N_("%(guide)s has no members to move."),
    "codes_created": N_("%(count)s codes were made for %(store)s."),
    "code_deactivated": N_("Code %(code)s was switched off; its scans no longer lead anywhere."),
    "code_activated": N_("Code %(code)s is in use again."),
    "promotion_saved": N_("Promotion %(name)s was saved."),
    "promotion_archived": N_("Promotion %(name)s was archived: it no longer applies."),
    "coupon_template_saved": N_("Coupon %(name)s was saved."),
    "audience_created": N_(
        "Audience %(name)s was made: its members are found when the data bank is next read."
    ),
    "audience_refreshed": N_("Audience %(name)s was computed again: %(size)s people."),
    "audience_pushed": N_(
        "Audience %(name)s is on its way to the ad platforms in %(parts)s part(s), signed, "
        "through the brand's webhooks."
    ),
    "retarget_rule_made": N_(
        "Near-store offer %(name)s is on: members of the audience near a store are sent it."
    ),
    "retarget_rule_stopped": N_("Near-store offer %(name)s was stopped."),
    "audience_send_done": N_("Sent: %(reached)s of %(members)s members were given it."),
    "audience_send_running": N_(
        "Sending: %(reached)s of %(members)s members so far; the rest follow in the background."
    ),
    "package_assembled": N_("The optimiser assembled %(name)s: review its proposal."),
    "package_published": N_("%(name)s is published: consumers can claim it."),
    "package_closed": N_("%(name)s is closed to new claims."),
    "package_action_failed": N_("Not done: %(reason)s"),
    "package_claimed": N_("The package is yours: its coupons are in your wallets."),
    "package_claim_failed": N_("The package was not claimed: %(reason)s"),
}

BINDING_SOURCES = {
    "shelf_code": N_("Shelf code"),
    "badge_code": N_("Guide badge code"),
    "pos": N_("Till (POS)"),
    "share_link": N_("Share link"),
    "import": N_("Import"),
    "manual": N_("Set by a manager"),
    "reassignment": N_("Reassigned"),
}

BINDING_REASONS = {
    "first_bind": N_("First binding"),
    "rebind_after_expiry": N_("Bound again after expiry"),
    "override": N_("Taken over by a later touch"),
    "manual": N_("Set by hand"),
    "reassignment": N_("Guide left or rebalanced"),
}

CODE_TARGETS = {
    "store": N_("Cloud store"),
    "product": N_("A product"),
    "join": N_("Join page"),
}

BINDING_MODES = {
    "first_wins": N_("First wins"),
    "register_only": N_("At registration only"),
    "override": N_("Last touch wins"),
}

BINDING_MODE_HELP = {
    "first_wins": N_("The first store and guide keep the member until the binding expires."),
    "register_only": N_("Members are bound only when they join; later scans change nothing."),
    "override": N_(
        "The latest scan or share wins, except while the binding is protected from other guides."
    ),
}

POINTS_KINDS = {
    "earn": N_("Earned"),
    "spend": N_("Spent"),
    "expire": N_("Expired"),
    "adjust": N_("Adjusted"),
    "reverse": N_("Reversed (refund)"),
}

JOIN_CHANNELS = {
    "pos": N_("Till (POS)"),
    "store": N_("In store"),
    "cloud_store": N_("Cloud store"),
    "online": N_("Online shop"),
    "share_link": N_("Share link"),
    "touchpoint": N_("QR code scan"),
    "import": N_("Import"),
}

# Where a resolved field came from, most specific first.
PRICE_LEVELS = {
    "store_channel": N_("Store and channel"),
    "store": N_("Store"),
    "region": N_("Region"),
    "channel": N_("Channel"),
    "brand": N_("Brand default"),
    "product": N_("Product"),
    "default": N_("Default"),
}

CHANNELS = {
    "cloud_store": N_("Cloud store"),
    "online": N_("Online flagship"),
    "pos": N_("Store till (POS)"),
    "guide_share": N_("Guide share link"),
    "livestream": N_("Livestream"),
}

# SKU attribute names (the values are the brand's own words).
ATTRIBUTES = {
    "colour": N_("Colour"),
    "size": N_("Size"),
    "shade": N_("Shade"),
    "volume": N_("Volume"),
    "series": N_("Series"),
    "finish": N_("Finish"),
}

MOVEMENT_KINDS = {
    "receipt": N_("Receipt"),
    "sale": N_("Sale"),
    "return": N_("Return"),
    "transfer_out": N_("Transfer out"),
    "transfer_in": N_("Transfer in"),
    "adjustment": N_("Adjustment"),
    "count": N_("Stock count"),
    "erp_sync": N_("ERP sync"),
}

PRODUCT_STATUSES = {"active": N_("Active"), "archived": N_("Archived")}

ORDER_STATUSES = {
    "created": N_("Waiting for payment"),
    "paid": N_("Paid"),
    "allocated": N_("Being prepared"),
    "ready": N_("Ready for pickup"),
    "shipped": N_("On its way"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "refunded": N_("Refunded"),
}
DEPOSIT_STATUSES = {
    "awaiting_payment": N_("Deposit not paid yet"),
    "deposited": N_("Deposit paid"),
    "balance_ordered": N_("Balance waiting for payment"),
    "completed": N_("Balance paid"),
    "expired": N_("Balance not paid in time"),
    "lapsed": N_("Deposit not paid in time"),
    "refunded": N_("Refunded"),
}
DELIVERY_METHODS = {
    "pickup": N_("Pickup in store"),
    "ship": N_("Parcel"),
    "same_city": N_("Same-city delivery"),
    "carry_out": N_("Taken at the counter"),
}
FULFILMENT_KINDS = {
    "pickup": N_("Pickup at the counter"),
    "ship_from_store": N_("Parcel from a store"),
    "ship_from_warehouse": N_("Parcel from a warehouse"),
    "same_city": N_("Same-city courier"),
    "carry_out": N_("Carried out at the counter"),
}
FULFILMENT_STATUSES = {
    "pending": N_("Being prepared"),
    "ready": N_("Ready for pickup"),
    "shipped": N_("On its way"),
    "completed": N_("Handed over"),
    "cancelled": N_("Cancelled"),
}
RETURN_KINDS = {"return": N_("Goods return"), "exchange": N_("Goods exchange")}
RETURN_STATUSES = {
    "requested": N_("Requested"),
    "received": N_("Received"),
    "cancelled": N_("Cancelled"),
}

# ---- commission settlement ------------------------------------------------------------
SETTLEMENT_ERRORS = {
    "period_not_found": N_("Settlement period not found."),
    "statement_not_found": N_("Commission statement not found."),
    "schedule_not_set": N_("Set the settlement schedule first."),
    "period_already_closed": N_(
        "This period is already closed; its statements were prepared once."
    ),
    "period_not_ended": N_("This period has not ended yet."),
    "earlier_period_open": N_("Close the earlier periods first."),
    "statement_not_prepared": N_("Only a statement awaiting approval can be approved."),
    "statement_not_approved": N_("Only an approved statement can be marked paid."),
    "statement_changed": N_("The statement changed since you looked at it; review it again."),
    "own_statement": N_("Someone other than the person who prepared a statement must approve it."),
    "approver_not_a_person": N_("A statement is approved by a member of staff."),
}
ERRORS |= SETTLEMENT_ERRORS
FLASHES |= SETTLEMENT_ERRORS | {
    "schedule_saved": N_("The settlement schedule was saved."),
    "period_closed": N_("The period was closed: %(count)s statements prepared."),
    "statement_approved": N_("The statement was approved."),
    "statement_paid": N_("The statement was marked paid."),
    "invalid_schedule": N_(
        "Check the schedule: a day of the month from 1 to 28, or a number of days from 1 to 366."
    ),
}
