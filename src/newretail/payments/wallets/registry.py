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
            config.app_id, private_key, platform_key.pem, settings.alipay_gateway_url, timeout
        )
    return _wechatpay(
        config.merchant_id,
        config.app_id,
        config.key_serial,
        private_key,
        secret(config.api_key_ref).strip(),
        platform_key.pem,
        config.platform_key_id or platform_key.certificate_serial or "",
        settings.wechatpay_gateway_url,
        timeout,
    )


@lru_cache(maxsize=64)
def _alipay(
    app_id: str,
    private_key_pem: str,
    alipay_public_key_pem: str,
    gateway_url: str | None,
    timeout_seconds: float,
) -> AlipayProvider:
    """One Alipay client per process for the same keys and addresses."""
    return AlipayProvider(
        app_id=app_id,
        private_key_pem=private_key_pem,
        alipay_public_key_pem=alipay_public_key_pem,
        gateway_url=gateway_url,
        timeout_seconds=timeout_seconds,
    )


@lru_cache(maxsize=64)
def _wechatpay(
    merchant_id: str,
    app_id: str,
    key_serial: str,
    private_key_pem: str,
    api_v3_key: str,
    platform_key_pem: str,
    platform_key_id: str,
    gateway_url: str | None,
    timeout_seconds: float,
) -> WeChatPayProvider:
    """One WeChat Pay client per process for the same keys and addresses."""
    return WeChatPayProvider(
        merchant_id=merchant_id,
        app_id=app_id,
        key_serial=key_serial,
        private_key_pem=private_key_pem,
        api_v3_key=api_v3_key,
        platform_key_pem=platform_key_pem,
        platform_key_id=platform_key_id,
        gateway_url=gateway_url,
        timeout_seconds=timeout_seconds,
    )


def patience(settings: Settings) -> rules.Patience:
    """How long a payment code's open result is queried, and how often its reversal tried."""
    return rules.Patience(
        queries=settings.payment_code_queries,
        interval_seconds=settings.payment_code_query_interval_seconds,
        reversals=settings.payment_code_reversals,
    )
