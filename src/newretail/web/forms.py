"""From posted form fields to service inputs, and from validation errors to field messages.

Pure functions: the routers read the form, these shape it, the services decide.
Opening hours are typed per weekday as ``10:00-14:00, 17:00-22:00`` (empty = closed).
"""

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from newretail.org.rules import WEEKDAYS

_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–~至到]\s*(\d{1,2}:\d{2})\s*$")
_FIELD_KIND = {
    "code": "code",
    "kind": "kind",
    "lat": "latitude",
    "lng": "longitude",
    "timezone": "timezone",
    "type": "choice",
    "status": "choice",
    "region_id": "choice",
    "district_id": "choice",
    "parent_id": "choice",
}
STORE_FIELDS = ("name", "type", "status", "address", "city", "lat", "lng", "timezone")
FieldErrors = dict[str, str]


def parse_hours(text: str) -> list[list[str]]:
    """``"10:00-14:00, 17:00-22:00"`` → ``[["10:00", "14:00"], ["17:00", "22:00"]]``."""
    spans = []
    for part in re.split(r"[,，;；]", text):
        if not part.strip():
            continue
        match = _SPAN.match(part)
        if match is None:
            raise ValueError(f"{part!r} is not a span like 10:00-22:00")
        spans.append([_two_digit_hour(match.group(1)), _two_digit_hour(match.group(2))])
    return spans


def _two_digit_hour(hhmm: str) -> str:
    hours, minutes = hhmm.split(":")
    return f"{int(hours):02d}:{minutes}"


def format_hours(spans: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in spans)


def hours_fields(opening_hours: Mapping[str, list[list[str]]]) -> dict[str, str]:
    """The form's ``hours_<day>`` fields for stored opening hours."""
    return {f"hours_{day}": format_hours(opening_hours.get(day, [])) for day in WEEKDAYS}


def opening_hours(fields: Mapping[str, str]) -> tuple[dict[str, list[list[str]]], FieldErrors]:
    hours: dict[str, list[list[str]]] = {}
    errors: FieldErrors = {}
    for day in WEEKDAYS:
        try:
            spans = parse_hours(fields.get(f"hours_{day}", ""))
        except ValueError:
            errors[f"hours_{day}"] = "hours"
            continue
        if spans:
            hours[day] = spans
    return hours, errors


def _optional_int(value: str | None) -> int | str | None:
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value


def _text_fields(fields: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {name: fields[name].strip() for name in names if fields.get(name, "").strip()}


def region_input(fields: Mapping[str, str]) -> dict[str, Any]:
    """The fields of a region form as input for RegionCreate (or a RegionUpdate candidate)."""
    data: dict[str, Any] = _text_fields(fields, ("code", "name", "kind"))
    data["parent_id"] = _optional_int(fields.get("parent_id"))
    return data


def store_input(fields: Mapping[str, str]) -> tuple[dict[str, Any], FieldErrors]:
    """The fields of a store form as input for StoreCreate (or a StoreUpdate candidate)."""
    data: dict[str, Any] = _text_fields(fields, ("code", *STORE_FIELDS))
    for name in ("region_id", "district_id"):
        value = _optional_int(fields.get(name))
        if value is not None:
            data[name] = value
    data["opening_hours"], errors = opening_hours(fields)
    return data, errors


def changes(candidate: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``candidate`` that differ from ``current``."""
    return {name: value for name, value in candidate.items() if current.get(name) != value}


def _day_of(message: str) -> str | None:
    found = re.search(r"\b(" + "|".join(WEEKDAYS) + r")\b", message)
    return found.group(1) if found else None


def field_errors(error: ValidationError) -> FieldErrors:
    """Validation errors as ``{form field: message key}`` (keys of ``messages.FIELD_ERRORS``)."""
    errors: FieldErrors = {}
    for item in error.errors():
        loc = item.get("loc") or ("",)
        name = str(loc[0])
        kind = item.get("type", "")
        if name == "opening_hours":
            name = f"hours_{_day_of(str(item.get('msg', ''))) or WEEKDAYS[0]}"
            errors.setdefault(name, "hours")
        elif kind in ("missing", "string_too_short"):
            errors.setdefault(name, "missing")
        elif kind == "string_too_long":
            errors.setdefault(name, "too_long")
        else:
            errors.setdefault(name, _FIELD_KIND.get(name, "invalid"))
    return errors
