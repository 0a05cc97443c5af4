"""Merchant account errors, each with a stable code.

NotFound:      merchant_account_not_found
Conflict:      merchant_account_code_taken, brand_default_exists, store_has_merchant_account,
               merchant_account_missing (no account receives this provider's payments here)
InvalidInput:  invalid_merchant_account
ServiceUnavailable: merchant_secret_unavailable (a key the account names cannot be read)
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable


class MerchantAccountNotFound(NotFound):
    code = "merchant_account_not_found"
    default_detail = "Merchant account not found."


class MerchantAccountCodeTaken(Conflict):
    code = "merchant_account_code_taken"
    default_detail = "The brand already has a merchant account with this code."


class BrandDefaultExists(Conflict):
    code = "brand_default_exists"
    default_detail = "The brand already has an active default account for this provider."


class StoreHasMerchantAccount(Conflict):
    code = "store_has_merchant_account"
    default_detail = "A store already receives this provider's payments into another account."


class MerchantAccountMissing(Conflict):
    code = "merchant_account_missing"
    default_detail = (
        "No merchant account receives this provider's payments for the store: "
        "the brand configures one (or a default) first."
    )


class InvalidMerchantAccount(InvalidInput):
    code = "invalid_merchant_account"
    default_detail = "The merchant account is not complete or not consistent."


class MerchantSecretUnavailable(ServiceUnavailable):
    code = "merchant_secret_unavailable"
    default_detail = "A key of the merchant account cannot be read on the server."
