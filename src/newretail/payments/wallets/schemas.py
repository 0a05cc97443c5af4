"""Request and response bodies of payment codes and cloud store page payments."""

from typing import Annotated

from pydantic import Field

from newretail.kernel.schemas import InputModel, ReadModel
from newretail.orders.schemas import OrderRead
from newretail.payments.merchants.rules import ProviderName
from newretail.payments.schemas import PaymentRead
from newretail.payments.wallets.base import Scene


class CodePaymentCreate(InputModel):
    """The consumer's payment code (付款码), scanned at the till."""

    provider: ProviderName = Field(description="wechatpay, alipay, or sandbox (the demo).")
    auth_code: Annotated[str, Field(pattern=r"^[0-9]{10,32}$", description="The scanned code.")]
    amount: Annotated[
        int | None,
        Field(default=None, ge=1, le=10**13, description="Part of a split payment; none: all."),
    ] = None


class PrepayCreate(InputModel):
    """A payment the cloud store page completes in the consumer's wallet."""

    provider: ProviderName
    scene: Scene = Field(description="jsapi: inside the wallet app; h5: a mobile browser.")
    payer_id: str | None = Field(
        default=None,
        max_length=128,
        description="jsapi: the consumer's WeChat openid or Alipay buyer id.",
    )
    client_ip: str | None = Field(default=None, max_length=45, description="h5 (WeChat).")
    return_url: str | None = Field(default=None, max_length=500, description="h5 (Alipay).")


class CodePaymentResult(ReadModel):
    payment: PaymentRead
    order: OrderRead


class PrepayResult(ReadModel):
    payment: PaymentRead
    order: OrderRead
    pay: dict[str, str] = Field(
        description="What the page hands the wallet: JSAPI parameters (WeChat), an h5_url "
        "(WeChat), a pay_url (Alipay H5), a trade_no (Alipay JSAPI), or a sandbox_token."
    )
