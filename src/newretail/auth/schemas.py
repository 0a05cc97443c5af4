from datetime import datetime
from typing import Annotated

from pydantic import Field, SecretStr

from newretail.auth.levels import GuideLevel
from newretail.kernel.schemas import InputModel, Name, ReadModel
from newretail.kernel.scope import Role

Username = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{2,63}$")]
Password = Annotated[SecretStr, Field(min_length=8, max_length=128)]


class TokenRequest(InputModel):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[SecretStr, Field(min_length=1, max_length=128)]


class TokenRead(ReadModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_at: datetime


class RoleGrant(InputModel):
    role: Role
    region_id: int | None = None
    store_id: int | None = None


class RoleRead(ReadModel):
    role: str
    brand_id: int | None
    region_id: int | None
    store_id: int | None


class StaffCreate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    username: Username
    display_name: Name
    password: Password
    locale: Annotated[str, Field(pattern=r"^(zh_Hans_CN|en)$")] | None = None
    roles: Annotated[list[RoleGrant], Field(min_length=1, max_length=20)]


class StaffUpdate(InputModel):
    display_name: Name | None = None
    password: Password | None = None
    locale: Annotated[str, Field(pattern=r"^(zh_Hans_CN|en)$")] | None = None
    is_active: bool | None = None
    guide_level: GuideLevel | None = Field(
        default=None, description="A guide's level (null clears it); managers only, not oneself."
    )


class StaffRolesUpdate(InputModel):
    roles: Annotated[list[RoleGrant], Field(min_length=1, max_length=20)]


class StaffRead(ReadModel):
    id: int
    brand_id: int | None
    username: str
    display_name: str
    locale: str | None
    is_active: bool
    guide_level: str | None = None
    created_at: datetime
    left_at: datetime | None
    roles: list[RoleRead]


class MeRead(ReadModel):
    actor_type: str
    actor_id: int | None
    display_name: str
    brand_id: int | None
    roles: list[str]
    store_ids: list[int] | None


class ApiKeyCreate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    name: Name


class ApiKeyRead(ReadModel):
    id: int
    brand_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The full key. Shown once; only its hash is kept.")
