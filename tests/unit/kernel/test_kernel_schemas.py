"""Request bodies refuse a NUL character anywhere in their text, nested values included."""

from typing import Any, Literal

import pytest
from pydantic import Field, ValidationError

from newretail.kernel.errors import NulCharacter
from newretail.kernel.guards import refuse_nul_in_fields
from newretail.kernel.schemas import InputModel, holds_nul


class Tagged(InputModel):
    kind: Literal["tagged"] = "tagged"
    name: str
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)


@pytest.mark.parametrize(
    "value",
    ["a\x00", ["ok", "\x00"], {"k\x00": 1}, {"k": ["x", {"deep": "\x00"}]}, ("\x00",)],
)
def test_a_nul_is_found_wherever_the_text_is(value: object) -> None:
    assert holds_nul(value)


@pytest.mark.parametrize("value", ["plain", ["a", "b"], {"k": [1, 2.5, None]}, 0, None])
def test_text_without_a_nul_passes(value: object) -> None:
    assert not holds_nul(value)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "North\x00"}, "name"),
        ({"name": "ok", "tags": ["a", "b\x00"]}, "tags"),
        ({"name": "ok", "extra": {"k": {"deep": "\x00"}}}, "extra"),
    ],
)
def test_an_input_model_names_the_field_holding_a_nul(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Tagged.model_validate(body)
    [error] = refused.value.errors()
    assert (error["loc"], error["type"]) == ((field,), "nul_character")
    assert "NUL character" in error["msg"]


def test_an_input_model_without_a_nul_is_unchanged() -> None:
    assert Tagged.model_validate({"name": " North ", "extra": {"k": "v"}}).name == "North"


def test_a_named_field_with_a_nul_is_refused_with_its_name() -> None:
    with pytest.raises(NulCharacter, match=r"^q: must not contain the NUL character"):
        refuse_nul_in_fields([("brand", "1"), ("q", "a\x00b")])
