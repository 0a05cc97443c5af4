"""The provider that acts for a payment: the sandbox (or another registered provider) as
it is, a wallet provider built for the merchant account that receives the money.

The account's keys are read from the brand's secrets for every payment, so a rotated key
takes effect at once; the SDK's client built from them is kept per process, under exactly
what it was built from (keys, ids, gateway and timeout). Building one costs the SDK's check
of the RSA private key, 27-36 ms of CPU for a 2048-bit key, which every payment would
otherwise pay. The clients are long-lived as their SDKs intend: they hold their keys and
addresses (and WeChat Pay's the platform certificates it fetches when an answer is signed
with another key), and payments share them.
"""

from functools import lru_cache

from sqlalchemy.orm import Session

from newretail.config import Settings, get_settings
from newretail.payments import errors as payment_errors
from newretail.payments import providers
from newretail.payments.merchants import errors as merchant_errors
from newretail.payments.merchants import service as merchants_service
from newretail.payments.merchants.rules import ProviderName
from newretail.payments.merchants.secrets import read_secret
from newretail.payments.merchants.service import AccountConfig
from newretail.payments.wallets import keys, rules
from newretail.payments.wallets.alipay import AlipayProvider
from newretail.payments.wallets.base import WalletProvider
from newretail.payments.wallets.sandbox import SandboxWallet
from newretail.payments.wallets.wechatpay import WeChatPayProvider

ACCOUNT_BOUND = frozenset({ProviderName.WECHATPAY.value, ProviderName.ALIPAY.value})


def provider_for(*, session: Session, name: str, account_id: int | None) -> providers.Provider:
    """The provider for a payment through ``name`` received by ``account_id``."""
    if name in ACCOUNT_BOUND:
        return wallet_for(session=session, name=name, account_id=account_id)
    return providers.get_provider(name)


def wallet_for(*, session: Session, name: str, account_id: int | None) -> WalletProvider:
    """A provider that takes payment codes and page payments, acting for the account."""
    if name == ProviderName.SANDBOX.value:
        sandbox = providers.get_provider(name)
        if not isinstance(sandbox, providers.SandboxProvider):
            raise payment_errors.UnknownProvider()
        return SandboxWallet(sandbox)
    if name not in ACCOUNT_BOUND:
        raise payment_errors.UnknownProvider()
    if account_id is None:
        raise merchant_errors.MerchantAccountMissing()
    config = merchants_service.account_config(session=session, account_id=account_id)
    if config.provider != name:
        raise merchant_errors.MerchantAccountMissing()
    return build(config, get_settings())


def build(config: AccountConfig, settings: Settings) -> WalletProvider:
    """The SDK-backed provider of one account, its keys read now from the brand's secrets."""

    def secret(ref: str) -> str:
        return read_secret(ref, brand_code=config.brand_code, settings=settings)

    try:
        private_key = keys.private_key_pem(secret(config.private_key_ref))
        platform_key = keys.public_key(secret(config.platform_key_ref))
    except ValueError as exc:
        raise merchant_errors.MerchantSecretUnavailable(
            f"A key of merchant account {config.id} is not an RSA key."
        ) from exc
    timeout = settings.payment_provider_timeout_seconds
    if config.provider == ProviderName.ALIPAY.value:
        return _alipay(
            app_id=config.app_id,
            private_key_pem=private_key,
            alipay_public_key_pem=platform_key.pem,
            gateway_url=settings.alipay_gateway_url,
            timeout_seconds=timeout,
        )
    return _wechatpay(
        merchant_id=config.merchant_id,
        app_id=config.app_id,
        key_serial=config.key_serial,
        private_key_pem=private_key,
        api_v3_key=secret(config.api_key_ref).strip(),
        platform_key_pem=platform_key.pem,
        platform_key_id=config.platform_key_id or platform_key.certificate_serial or "",
        gateway_url=settings.wechatpay_gateway_url,
        timeout_seconds=timeout,
    )


# One client per process for the same arguments (each call site names them in one order).
_alipay = lru_cache(maxsize=64)(AlipayProvider)
_wechatpay = lru_cache(maxsize=64)(WeChatPayProvider)


def patience(settings: Settings) -> rules.Patience:
    """How long a payment code's open result is queried, and how often its reversal tried."""
    return rules.Patience(
        queries=settings.payment_code_queries,
        interval_seconds=settings.payment_code_query_interval_seconds,
        reversals=settings.payment_code_reversals,
    )
