import pytest

from newretail.kernel.scope import Role
from newretail.members.errors import InvalidPhone
from newretail.members.phones import mask_phone, normalise_phone
from newretail.members.rules import sees_full_phone


@pytest.mark.parametrize(
    "raw",
    ["13812341234", "138 1234 1234", "138-1234-1234", "+86 138 1234 1234", "008613812341234"],
)
def test_chinese_mobiles_in_any_common_format_become_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+8613812341234"


def test_foreign_numbers_need_their_country_code() -> None:
    assert normalise_phone("+44 7911 123456") == "+447911123456"


@pytest.mark.parametrize("raw", ["", "12345", "not a phone", "1381234123", "+86 21 6234 5678"])
def test_invalid_and_landline_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        normalise_phone(raw)
    assert refused.value.code == "invalid_phone"


def test_a_chinese_mobile_is_masked_like_138_stars_1234() -> None:
    assert mask_phone("+8613812341234") == "138****1234"


def test_a_foreign_number_keeps_its_country_code_when_masked() -> None:
    assert mask_phone("+447911123456") == "+44 791***3456"


@pytest.mark.parametrize(
    ("roles", "full"),
    [
        ({Role.GUIDE}, False),
        ({Role.CASHIER}, False),
        ({Role.GUIDE, Role.CASHIER}, False),
        ({Role.STORE_MANAGER}, True),
        ({Role.REGION_MANAGER}, True),
        ({Role.BRAND_ADMIN}, True),
        ({Role.INTEGRATION}, True),
        ({Role.GUIDE, Role.STORE_MANAGER}, True),
    ],
)
def test_only_managers_and_the_brand_systems_see_full_numbers(roles: set[Role], full: bool) -> None:
    assert sees_full_phone(roles) is full
