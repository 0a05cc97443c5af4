"""Wallet payment errors, each with a stable code.

InvalidInput:        wallet_method_not_supported (a wallet pays by code or from the page,
                     not through /orders/{id}/pay), currency_not_supported
Conflict:            provider_refused (a refund the provider turned down)
ServiceUnavailable:  provider_unavailable (no answer; nothing was recorded as done)
"""

from newretail.kernel.errors import Conflict, InvalidInput, ServiceUnavailable


class WalletMethodNotSupported(InvalidInput):
    code = "wallet_method_not_supported"
    default_detail = (
        "WeChat Pay and Alipay take a payment code at the till (POST /orders/{id}/pay/code) "
        "or pay from the cloud store page (POST /orders/{id}/pay/prepay)."
    )


class CurrencyNotSupported(InvalidInput):
    code = "currency_not_supported"
    default_detail = "This provider takes payments in CNY only."


class ProviderRefused(Conflict):
    code = "provider_refused"
    default_detail = "The payment provider refused the request."


class ProviderUnavailable(ServiceUnavailable):
    code = "provider_unavailable"
    default_detail = "The payment provider did not answer; nothing was recorded. Try again."
