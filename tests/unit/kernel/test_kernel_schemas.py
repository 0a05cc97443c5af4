"""Request bodies refuse a NUL character anywhere in their text, nested values included, and
a boolean where they take a number."""

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, ValidationError
from tests import route_reuse

from newretail.app import create_app
from newretail.config import Settings
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


# ---- numbers are not booleans ----------------------------------------------------------


class Counted(InputModel):
    store_id: Annotated[int, Field(ge=1)]
    guide_id: Annotated[int, Field(ge=1)] | None = None
    sku_ids: list[int] = Field(default_factory=list)
    weight: float | None = None
    gift: bool = False
    kind: Literal["counted"] = "counted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"store_id": True}, "store_id"),
        ({"store_id": 1, "guide_id": False}, "guide_id"),
        ({"store_id": 1, "sku_ids": [2, True]}, "sku_ids"),
        ({"store_id": 1, "weight": True}, "weight"),
    ],
)
def test_a_number_given_as_true_or_false_is_refused(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Counted.model_validate(body)
    [error] = refused.value.errors()
    assert (error["loc"], error["type"]) == ((field,), "number_type")


def test_numbers_and_booleans_each_pass_where_they_belong() -> None:
    counted = Counted.model_validate({"store_id": "3", "sku_ids": [1, "2"], "gift": True})
    assert (counted.store_id, counted.sku_ids, counted.gift) == (3, [1, 2], True)


def _models(annotation: Any, seen: set[type[BaseModel]]) -> None:
    """Add to ``seen`` the models an annotation holds, through unions, containers and
    nesting (a model may hold itself)."""
    origin = typing.get_origin(annotation)
    if origin is not None:
        for argument in typing.get_args(annotation):
            _models(argument, seen)
    elif (
        isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
        and annotation not in seen
    ):
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, seen)


def _request_models(folder: Path) -> set[type[BaseModel]]:
    """Every model a route of the app reads a request body into."""
    url = f"sqlite:///{folder / 'app.db'}"
    app = create_app(Settings(database_url=url, log_json=False, log_level="WARNING"))
    found: set[type[BaseModel]] = set()
    for _path, route in route_reuse.served_routes(app.routes):
        if isinstance(route, APIRoute):
            hints = typing.get_type_hints(route.endpoint, include_extras=True)
            for name, annotation in hints.items():
                if name != "return":
                    _models(annotation, found)
    return {model for model in found if model.__module__.startswith("newretail.")}


def test_every_number_in_a_request_body_refuses_true_and_false(tmp_path: Path) -> None:
    """Every model a route reads refuses a boolean for each of its number fields."""
    models = _request_models(tmp_path)
    assert len(models) > 100, sorted(m.__name__ for m in models)  # the walk found the bodies
    taking: list[str] = []
    for model in sorted(models, key=lambda m: (m.__module__, m.__qualname__)):
        for name, field in model.model_fields.items():
            leaves = {typing.get_origin(a) or a for a in _flattened(field.annotation)}
            if not leaves & {int, float} or bool in leaves:
                continue
            value = [True] if leaves & {list, set, tuple} else True
            try:
                model.model_validate({field.alias or name: value})
            except ValidationError as refused:
                where = {(e["loc"], e["type"]) for e in refused.errors()}
                if ((field.alias or name,), "number_type") in where:
                    continue
            taking.append(f"{model.__module__}.{model.__qualname__}.{name}")
    assert taking == [], "\n".join(taking)


def _flattened(annotation: Any) -> Iterator[Any]:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        yield from _flattened(typing.get_args(annotation)[0])
    elif origin is not None:
        yield origin
        for argument in typing.get_args(annotation):
            yield from _flattened(argument)
    else:
        yield annotation
