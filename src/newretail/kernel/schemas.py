"""Base classes for request and response bodies."""

from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

NUL = "\x00"
NUL_REFUSED = "must not contain the NUL character (\\x00)"


def holds_nul(value: object) -> bool:
    """Whether any text in ``value`` (strings inside lists and dicts too) holds a NUL.

    No database stores NUL in text (PostgreSQL refuses it), so it is bad input at the door.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
    return False


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused, strings trimmed, NUL characters refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if holds_nul(value):
            raise PydanticCustomError("nul_character", f"Text {NUL_REFUSED}.")
        return value


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page."
    )


Code = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", strip_whitespace=True)
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Text = Annotated[str, StringConstraints(max_length=500, strip_whitespace=True)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


def _not_a_boolean(value: object) -> object:
    """JSON's ``true`` and ``false`` are no numbers: lax validation would read them as 1
    and 0, and a client's slip would name the record with id 1."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Id = Annotated[int, BeforeValidator(_not_a_boolean), Field(ge=1, le=2**53)]
"""A record's id in a request body: a positive integer (a numeric string passes, a boolean
does not)."""


class ErrorRead(BaseModel):
    """The body of every API error."""

    detail: str = Field(description="What went wrong, for people.")
    code: str = Field(description="A stable machine-readable code, e.g. `store_not_found`.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For `invalid_input`: each problem with its location."
    )
