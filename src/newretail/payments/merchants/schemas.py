"""Request and response bodies of merchant accounts."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from newretail.kernel.schemas import Code, Id, InputModel, Name, ReadModel
from newretail.payments.merchants.rules import OwnerType, ProviderName, parse_secret_ref


def _secret_ref(value: str) -> str:
    if value:
        parse_secret_ref(value)
    return value


SecretRef = Annotated[
    str,
    Field(
        max_length=210,
        description="Where the server finds a key: `setting:NAME` (an entry `<brand code>/NAME` "
        "of the NEWRETAIL_PAYMENT_SECRETS setting) or `file:PATH` (under "
        "`<payment_secrets_dir>/<brand code>/`). Never the key itself.",
    ),
    AfterValidator(_secret_ref),
]
Identifier = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")]
StoreIds = Annotated[list[Id], Field(max_length=1000)]


class MerchantAccountCreate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    code: Code
    name: Name
    provider: ProviderName
    owner_type: OwnerType = Field(description="Who receives the money: brand, store, franchisee.")
    owner_name: Annotated[str, Field(max_length=200)] = Field(
        default="", description="The legal entity paid (a franchisee's company, say)."
    )
    owner_store_id: int | None = Field(default=None, description="A store's own account.")
    brand_default: bool = Field(
        default=False, description="Receives for every store no other account lists."
    )
    store_ids: StoreIds = Field(
        default_factory=list, description="The stores it receives for (a store's own: implied)."
    )
    merchant_id: Identifier = Field(default="", description="WeChat Pay mchid; Alipay PID.")
    app_id: Identifier = Field(default="", description="WeChat appid; Alipay app_id.")
    key_serial: Identifier = Field(
        default="", description="WeChat Pay: the merchant API certificate's serial number."
    )
    platform_key_id: Identifier = Field(
        default="",
        description="WeChat Pay: the platform public key's id (PUB_KEY_ID_...); blank when "
        "platform_key_ref names a platform certificate.",
    )
    private_key_ref: SecretRef = ""
    platform_key_ref: SecretRef = Field(
        default="", description="WeChat Pay platform public key or certificate; Alipay public key."
    )
    api_key_ref: SecretRef = Field(default="", description="WeChat Pay APIv3 key.")


class MerchantAccountUpdate(InputModel):
    name: Name | None = None
    owner_name: Annotated[str | None, Field(max_length=200)] = None
    brand_default: bool | None = None
    store_ids: StoreIds | None = None
    merchant_id: Identifier | None = None
    app_id: Identifier | None = None
    key_serial: Identifier | None = None
    platform_key_id: Identifier | None = None
    private_key_ref: SecretRef | None = None
    platform_key_ref: SecretRef | None = None
    api_key_ref: SecretRef | None = None
    active: bool | None = Field(
        default=None, description="false: stops receiving, and lets go of its stores."
    )


class MerchantAccountRead(ReadModel):
    id: int
    brand_id: int
    code: str
    name: str
    provider: str
    owner_type: str
    owner_name: str
    owner_store_id: int | None
    brand_default: bool
    store_ids: list[int]
    merchant_id: str
    app_id: str
    key_serial: str
    platform_key_id: str
    private_key_ref: str
    platform_key_ref: str
    api_key_ref: str
    active: bool
    created_at: datetime
    updated_at: datetime
