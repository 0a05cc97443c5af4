"""What a wallet provider does besides the ``Provider`` interface: charge a payment code,
query and reverse it, and prepare a payment that the consumer's page completes."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from newretail.payments.providers import Provider
from newretail.payments.wallets.rules import CodeResult


class Scene(StrEnum):
    """Where the cloud store page runs: inside the wallet app (JSAPI) or a mobile browser."""

    JSAPI = "jsapi"
    H5 = "h5"


@dataclass(frozen=True, slots=True)
class CodeCharge:
    out_trade_no: str
    amount: int
    currency: str
    description: str
    auth_code: str
    store_code: str


@dataclass(frozen=True, slots=True)
class PrepayRequest:
    out_trade_no: str
    amount: int
    currency: str
    description: str
    scene: Scene
    notify_url: str
    payer_id: str | None  # JSAPI: WeChat openid, Alipay buyer id
    client_ip: str | None  # H5: the consumer's address (WeChat)
    return_url: str | None  # H5: where the wallet sends the consumer back (Alipay)


class WalletProvider(Provider, Protocol):
    def pay_with_code(self, charge: CodeCharge) -> CodeResult: ...

    def query(self, *, out_trade_no: str) -> CodeResult: ...

    def reverse(self, *, out_trade_no: str) -> bool:
        """True once the charge is cancelled or given back (or never happened)."""

    def prepay(self, request: PrepayRequest) -> dict[str, str]:
        """What the page needs to ask the wallet to pay (JSAPI parameters, an H5 URL)."""
