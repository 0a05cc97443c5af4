import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from newretail.org.schemas import StoreCreate
from newretail.web import forms


def test_hours_are_parsed_into_spans() -> None:
    assert forms.parse_hours("10:00-14:00, 17:00-22:00") == [
        ["10:00", "14:00"],
        ["17:00", "22:00"],
    ]


def test_hours_accept_chinese_punctuation_and_single_digit_hours() -> None:
    assert forms.parse_hours("9:30至12:00，13:00-21:00") == [["09:30", "12:00"], ["13:00", "21:00"]]


def test_empty_hours_mean_closed() -> None:
    assert forms.parse_hours("  ") == []


@pytest.mark.parametrize("text", ["10-22", "10:00", "10:00-22:00-23:00", "abc"])
def test_malformed_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        forms.parse_hours(text)


hhmm = st.builds("{:02d}:{:02d}".format, st.integers(min_value=0, max_value=23), st.integers(0, 59))


@given(st.lists(st.lists(hhmm, min_size=2, max_size=2), max_size=4))
def test_formatted_hours_parse_back(spans: list[list[str]]) -> None:
    assert forms.parse_hours(forms.format_hours(spans)) == spans


def test_opening_hours_skip_closed_days_and_report_bad_ones() -> None:
    hours, errors = forms.opening_hours(
        {"hours_mon": "10:00-22:00", "hours_tue": "", "hours_wed": "late"}
    )
    assert hours == {"mon": [["10:00", "22:00"]]}
    assert errors == {"hours_wed": "hours"}


def test_store_input_drops_empty_fields_so_defaults_apply() -> None:
    data, errors = forms.store_input(
        {"code": "S1", "name": " Flagship ", "address": "", "district_id": "", "region_id": "4"}
    )
    assert data == {"code": "S1", "name": "Flagship", "region_id": 4, "opening_hours": {}}
    assert errors == {}


def test_region_input_reads_an_empty_parent_as_top_level() -> None:
    assert forms.region_input({"code": "HQ", "name": "总部", "parent_id": ""}) == {
        "code": "HQ",
        "name": "总部",
        "parent_id": None,
    }


def test_changes_keep_only_what_differs() -> None:
    current = {"name": "A", "lat": 31.2, "opening_hours": {"mon": [["10:00", "22:00"]]}}
    candidate = {"name": "A", "lat": 31.3, "opening_hours": {"mon": [["10:00", "22:00"]]}}
    assert forms.changes(candidate, current) == {"lat": 31.3}


def _errors(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        StoreCreate.model_validate(data)
    return forms.field_errors(caught.value)


def test_validation_errors_name_the_form_fields() -> None:
    errors = _errors(
        {
            "region_id": "x",
            "code": "bad code!",
            "type": "shop",
            "lat": "95",
            "lng": "east",
            "timezone": "Mars/Olympus",
        }
    )
    assert errors == {
        "region_id": "choice",
        "code": "code",
        "name": "missing",
        "type": "choice",
        "lat": "latitude",
        "lng": "longitude",
        "timezone": "timezone",
    }


def test_opening_hours_errors_land_on_their_weekday() -> None:
    errors = _errors(
        {
            "region_id": 1,
            "code": "S1",
            "name": "n",
            "type": "direct",
            "lat": 1,
            "lng": 1,
            "opening_hours": {"thu": [["18:00", "20:00"], ["10:00", "12:00"]]},
        }
    )
    assert errors == {"hours_thu": "hours"}
