"""Pure rules of merchant accounts: who owns one, what each provider needs, secret references.

A merchant account is where a provider pays a brand's money out: the brand's own, a store's,
or a franchisee's. A store receives each provider's payments into exactly one account:

    the account that lists the store (a store's own, its franchisee's, or a brand account
    given to some stores)  ──else──▶  the brand's default account for that provider

Keys never sit in the database. An account names them by reference, resolved inside the
brand's own namespace on the server (see ``secrets.py``):

    setting:NAME    the ``NEWRETAIL_PAYMENT_SECRETS`` setting's entry "<brand code>/NAME"
    file:PATH       the file <payment_secrets_dir>/<brand code>/PATH (relative, no "..")
"""

import re
from collections.abc import Mapping
from enum import StrEnum


class OwnerType(StrEnum):
    BRAND = "brand"
    STORE = "store"
    FRANCHISEE = "franchisee"


class ProviderName(StrEnum):
    SANDBOX = "sandbox"
    WECHATPAY = "wechatpay"
    ALIPAY = "alipay"


# What an active account of each provider must say (besides its owner).
REQUIRED_FIELDS: Mapping[ProviderName, tuple[str, ...]] = {
    ProviderName.SANDBOX: (),
    ProviderName.WECHATPAY: (
        "merchant_id",
        "app_id",
        "key_serial",
        "private_key_ref",
        "platform_key_ref",
        "api_key_ref",
    ),
    ProviderName.ALIPAY: ("app_id", "private_key_ref", "platform_key_ref"),
}

SECRET_FIELDS = ("private_key_ref", "platform_key_ref", "api_key_ref")
_REF = re.compile(r"^(setting|file):([A-Za-z0-9][A-Za-z0-9._/-]{0,199})$")


def parse_secret_ref(ref: str) -> tuple[str, str]:
    """(kind, name) of a secret reference; ValueError unless it stays in its namespace."""
    match = _REF.match(ref)
    if match is None:
        raise ValueError("a secret reference is setting:NAME or file:RELATIVE/PATH")
    kind, name = match.group(1), match.group(2)
    if kind == "file" and any(part in ("", ".", "..") for part in name.split("/")):
        raise ValueError("a file reference is a relative path without '.' or '..' parts")
    return kind, name


def missing_fields(provider: ProviderName, values: Mapping[str, str]) -> list[str]:
    """The fields ``provider`` needs that ``values`` leaves blank."""
    return [field for field in REQUIRED_FIELDS[provider] if not values.get(field)]


def check_owner(owner_type: OwnerType, *, owner_store_id: int | None, brand_default: bool) -> None:
    """ValueError unless the owner fields agree: only a store account names its store, and
    only a brand account may be the brand's default."""
    if (owner_type is OwnerType.STORE) != (owner_store_id is not None):
        raise ValueError("owner_store_id is given for a store's account, and only for it")
    if brand_default and owner_type is not OwnerType.BRAND:
        raise ValueError("only a brand's own account can be its default")
