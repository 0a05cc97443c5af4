"""Base classes for request and response bodies."""

import inspect
import types
import typing
from typing import Annotated, Any, ClassVar, Generic, TypeVar, Union

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


def _leaf_types(annotation: Any) -> set[Any]:
    """The types a field's value (or its items) may take, through ``Annotated``, unions and
    containers: ``Annotated[int, ...] | None`` gives ``{int, NoneType}``, ``list[int]``
    gives ``{list, int}``."""
    origin: Any = typing.get_origin(annotation)
    if origin is Annotated:
        return _leaf_types(typing.get_args(annotation)[0])
    if origin is ClassVar:  # not a field
        return set()
    if origin is None:
        return {annotation}
    if origin is typing.Literal:
        return {type(value) for value in typing.get_args(annotation)}
    leaves = set() if origin in (Union, types.UnionType) else {origin}
    for argument in typing.get_args(annotation):
        if argument is not Ellipsis:
            leaves |= _leaf_types(argument)
    return leaves


def _takes_numbers_not_booleans(annotation: Any) -> bool:
    leaves = _leaf_types(annotation)
    return bool(leaves & {int, float}) and bool not in leaves and Any not in leaves


def _holds_boolean(value: object) -> bool:
    """A boolean as the value, or as an item of a list (a list of ids)."""
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_boolean(item) for item in value)
    return isinstance(value, bool)


def _refuse_booleans(value: Any) -> Any:
    if _holds_boolean(value):
        raise PydanticCustomError("number_type", "Input should be a number, not true or false")
    return value


class NoBooleanNumbers(BaseModel):
    """Fields that take numbers refuse JSON's ``true`` and ``false``, which lax validation
    would read as 1 and 0: ``"store_id": true`` would name store 1, ``"quantity": true``
    buy one.

    Each subclass gets a validator for the number fields it declares, made as the class is
    (before pydantic collects its validators), so it never touches other fields: a
    discriminator may have no validator before it. Subclasses inherit their parents'.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = [
            name
            for name, annotation in inspect.get_annotations(cls).items()
            if not name.startswith("_") and _takes_numbers_not_booleans(annotation)
        ]
        if names:
            check: Any = field_validator(*names, mode="before")(classmethod(_no_booleans))
            # A name of its own: a subclass's would otherwise hide its parents'.
            own = f"_numbers_of_{cls.__module__}.{cls.__qualname__}".replace(".", "_")
            setattr(cls, own, check)


def _no_booleans(_cls: type, value: Any) -> Any:
    return _refuse_booleans(value)


class InputModel(NoBooleanNumbers):
    """Request bodies: unknown fields are refused, strings trimmed, NUL characters refused,
    numbers are not booleans."""

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


Id = Annotated[int, BeforeValidator(_refuse_booleans), Field(ge=1, le=2**53)]
"""A record's id in a request body: a positive integer (a numeric string passes, a boolean
does not, also where the model is not an ``InputModel``, or it is a query parameter)."""


class ErrorRead(BaseModel):
    """The body of every API error."""

    detail: str = Field(description="What went wrong, for people.")
    code: str = Field(description="A stable machine-readable code, e.g. `store_not_found`.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For `invalid_input`: each problem with its location."
    )
